"""The counter from the keyboard: Ctrl+N to the printed form in few keys, the
form's Tab chain as documented, and the shortcuts still there after a lock."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QWidget

from showroom_cs.clock import FixedClock
from showroom_cs.store import Store
from showroom_cs.ui.login import LoginDialog
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import START, make_desk
from .test_intake import type_text

DOC = Path(__file__).parents[1] / "docs" / "keyboard.md"


class Keys:
    """Presses keys on whatever has the focus, counting them (typed text is not counted)."""

    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        self.qtbot = qtbot
        self.count = 0

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        self.count += 1
        widget = QApplication.focusWidget()
        assert widget is not None
        self.qtbot.keyClick(widget, key, modifier)

    def then_in_dialog(self, key: Qt.Key) -> None:
        """A key for the dialog about to open (it blocks until answered)."""

        def answer() -> None:
            dialog = QApplication.activeModalWidget()
            assert dialog is not None
            self.qtbot.keyClick(dialog, key)

        self.count += 1
        QTimer.singleShot(0, answer)

    def focused(self) -> str:
        widget = QApplication.focusWidget()
        return widget.objectName() if widget is not None else ""


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    shown = MainWindow(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(shown)
    shown.show()
    shown.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    return shown


def documented_tab_order() -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- intake-tab-order: the test reads this list -->")[1].split(
        "<!-- end -->"
    )[0]
    names = []
    for line in block.strip().splitlines():
        for name in re.match(r"\d+\. (.+?) — ", line).group(1).split(", "):  # type: ignore[union-attr]
            names.append(name)
    return names


def test_the_intake_forms_tab_chain_is_the_documented_order(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    seen = [keys.focused()]
    while seen[-1] != "savePrint":
        keys.press(Qt.Key.Key_Tab)
        seen.append(keys.focused())
        assert len(seen) < 60, seen
    walked = []
    for name in seen:
        if name.startswith("demand_") and name != "demand_note":
            if "demand_*" not in walked:
                walked.append("demand_*")
        else:
            walked.append(name)
    assert walked == documented_tab_order()
    # Every stop is a visible field the clerk can see (no hidden or empty stops).
    page = window.intake
    for name in seen:
        widget = page.findChild(QWidget, name)
        assert widget is not None and widget.isVisible(), name


def test_a_walk_in_complaint_from_ctrl_n_to_the_printed_form(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    printed = tmp_path / "printed.pdf"

    def print_to_file(dialog: QPrintDialog) -> int:
        # The system dialog's default button prints: one Enter, counted below.
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", print_to_file)
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert keys.focused() == "customer_phone"
    type_text(qtbot, "13912345678")
    keys.press(Qt.Key.Key_Tab)
    type_text(qtbot, "林晓")
    keys.press(Qt.Key.Key_Tab)  # 称呼: left empty
    keys.press(Qt.Key.Key_Tab)
    type_text(qtbot, "江南花园7幢1502")
    keys.press(Qt.Key.Key_Tab)  # 受理渠道: 到店
    keys.press(Qt.Key.Key_Tab)
    assert keys.focused() == "category"
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Down)  # 安装施工
    keys.press(Qt.Key.Key_Tab)  # 严重程度: 一般
    keys.press(Qt.Key.Key_Tab)
    assert keys.focused() == "description"
    type_text(qtbot, "衣柜门板安装后关不严，缝隙约5mm")
    keys.press(Qt.Key.Key_Tab)
    assert keys.focused() == "demand_维修"
    keys.press(Qt.Key.Key_Space)
    keys.then_in_dialog(Qt.Key.Key_Return)  # 保存并打印？ — 保存并打印
    keys.count += 1  # the print dialog's Enter (print_to_file above)
    keys.press(Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    store = window.session.store
    case = store.case_by_no("TS-20261123-001")
    assert case is not None
    assert (case.customer_name, case.category, case.demands) == ("林晓", "安装施工", ("维修",))
    assert case.received_at == START  # the first key into the empty form
    assert printed.exists() and printed.stat().st_size > 0
    assert any(e.kind == "print" for e in store.events(case.id))
    print(f"\n从 Ctrl+N 到打印出登记表：除输入的文字外按键 {keys.count} 次")
    assert keys.count <= 18


def test_ctrl_k_works_after_unlocking_and_the_cursor_comes_back(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = Keys(qtbot)
    keys.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    type_text(qtbot, "139")

    def unlock(dialog: LoginDialog) -> int:
        dialog.staff = window.session.staff
        return 1

    monkeypatch.setattr(LoginDialog, "exec", unlock)
    keys.press(Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # locked and unlocked
    qtbot.waitUntil(lambda: keys.focused() == "customer_phone")
    keys.press(Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search


def test_the_start_page_does_not_put_the_cursor_in_the_search_box(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    assert QApplication.focusWidget() is not window.search
