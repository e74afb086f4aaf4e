"""设置 → 数据与备份 → 导入旧台账: the three steps at the window.

The manager picks the file and changes a column's match, sees each row as
it will be stored and the dry run's counts, and imports with a progress bar
while the window keeps painting; others find the button disabled with the
core's reason. The dialog fits a 1366×768 screen at every step.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel

from showroom_cs import permissions
from showroom_cs.clock import FixedClock
from showroom_cs.ledger import Fate, Field
from showroom_cs.permissions import Action
from showroom_cs.store import Store
from showroom_cs.ui.case_view import CaseView
from showroom_cs.ui.ledger_import import LedgerImportDialog
from showroom_cs.ui.ledger_import.preview import PreviewModel
from showroom_cs.ui.session import Session
from showroom_cs.ui.settings_data import DataTab

from . import ledgers
from .conftest import START, Desk, make_desk

SCREEN = (1366, 768)


def _tab(qtbot, desk: Desk, who: str = "陈静") -> DataTab:  # type: ignore[no-untyped-def]
    tab = DataTab(Session(desk.store, desk.clock, desk.staff[who]))
    qtbot.addWidget(tab)
    return tab


def _dialog(qtbot, tab: DataTab) -> LedgerImportDialog:  # type: ignore[no-untyped-def]
    dialog = tab.import_ledger()
    qtbot.addWidget(dialog)
    return dialog


def _fits(dialog: LedgerImportDialog) -> None:
    hint = dialog.minimumSizeHint()
    assert hint.width() <= SCREEN[0] - 40 and hint.height() <= SCREEN[1] - 70, hint
    assert dialog.width() <= SCREEN[0] and dialog.height() <= SCREEN[1]


def test_only_managers_find_the_import_enabled(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    for name in ("陈静", "刘洋", "周建国"):
        assert _tab(qtbot, desk, name).import_button.isEnabled()
    for name in ("王芳", "赵敏", "李强"):
        tab = _tab(qtbot, desk, name)
        button = tab.import_button
        assert not button.isEnabled()
        reason = permissions.refusal(desk.staff[name], Action.IMPORT_LEDGER)
        assert reason is not None and button.toolTip() == reason


def test_the_three_steps_import_the_ledger_with_the_managers_matches(
    qtbot, desk: Desk, tmp_path: Path, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    desk.register()  # 张伟 is a customer already
    tab = _tab(qtbot, desk)
    dialog = _dialog(qtbot, tab)
    assert "第 1 步" in dialog.title.text() and not dialog.next.isEnabled()
    dialog.load_file(ledgers.write_xlsx(tmp_path / "客诉台账.xlsx"))
    columns = dialog.columns
    assert columns.table.rowCount() == len(ledgers.GROUPS)
    assert "表头在第 2–3 行，共 15 行数据" in columns.info.text()
    assert columns.mapping()[3:5] == (Field.CUSTOMER_NAME, Field.CUSTOMER_PHONE)
    assert columns.table.item(4, 1).text().startswith("138 0013 8000 / 13912345678/0571")
    columns.set_match(len(ledgers.GROUPS) - 1, Field.IGNORE)  # 备注: not wanted
    columns.set_match(4, Field.IGNORE)  # the phone column, by mistake
    assert not dialog.next.isEnabled() and "还缺必填项：联系电话" in columns.missing.text()
    columns.set_match(4, Field.CUSTOMER_PHONE)
    assert dialog.next.isEnabled()
    _fits(dialog)

    dialog.go_next()
    assert "第 2 步" in dialog.title.text()
    preview = dialog.preview
    assert preview.summary.text().startswith(
        "共 15 行：将导入 7 件（已结案 3、不成立 1、未结案 3）"
    )
    assert "并入已有客户 1 位" in preview.summary.text()
    qtmodeltester.check(preview.model)
    model = preview.model
    first = [model.index(0, c).data() for c in range(model.columnCount())]
    assert first[:7] == [
        "4",
        "导入",
        "2026-09-25",
        "张伟",
        "138 0013 8000",
        "安装施工 · 衣柜",
        "已结案（2026-09-28）",
    ]
    assert "原编号 KS-001；并入已有客户「张伟」" in first[7]
    refused = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == "9")
    assert model.index(refused, 1).data() == "拒绝"
    assert "不是有效的号码" in model.index(refused, 7).data()
    assert preview.closest.text().startswith("按最接近的选项记：受理渠道「门店」→「到店」2 行；")
    preview.show_view("refused")
    assert [r.number for r in model.rows] == sorted(ledgers.REFUSED)
    assert preview.shown.text() == "共 8 行"
    preview.show_view("notes")
    assert model.rows and all(r.fate == Fate.IMPORT and r.row.notes for r in model.rows)
    _fits(dialog)

    dialog.go_next()
    assert "第 3 步" in dialog.title.text()
    assert dialog.progress.start.text() == "开始导入 7 件"
    with qtbot.waitSignal(tab.saved):  # the pages and the security log show it
        dialog.progress.start.click()
    assert dialog.outcome is not None and dialog.outcome.imported == 7
    assert dialog.progress.bar.value() == 100
    assert "已导入 7 件。" in dialog.progress.result.toPlainText()
    assert "未导入 8 行" in dialog.progress.result.toPlainText()
    assert dialog.next.text() == "完成" and not dialog.back.isVisible()
    _fits(dialog)
    described = desk.store.scalar("SELECT description FROM cases WHERE ledger_no = 'KS-001'")
    assert "老客户" not in described  # 备注 was left out
    dialog.next.click()
    assert not dialog.isVisible()
    # The case shows where it came from.
    view = CaseView(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(view)
    view.show_case(desk.store.scalar("SELECT id FROM cases WHERE ledger_no = 'KS-001'"))
    texts = [label.text() for label in view.findChildren(QLabel)]
    assert any("原台账编号 KS-001" in text for text in texts)
    lines = [view.timeline.item(i).text() for i in range(view.timeline.count())]
    assert any(
        "从旧台账导入：客诉台账.xlsx「2026年客诉」第 4 行，原编号 KS-001" in t for t in lines
    )


def test_a_file_database_imports_off_the_ui_thread_with_progress(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    dialog = _dialog(qtbot, _tab(qtbot, desk))
    dialog.load_file(ledgers.write_xlsx(tmp_path / "客诉台账.xlsx", extra_rows=3000))
    qtbot.waitUntil(lambda: not dialog.busy, timeout=20_000)
    dialog.go_next()
    qtbot.waitUntil(lambda: dialog.plan is not None, timeout=30_000)
    dialog.go_next()
    seen: list[int] = []
    dialog.progress.bar.valueChanged.connect(seen.append)
    ticks_while_busy: list[float] = []

    def tick() -> None:
        if dialog.busy:
            ticks_while_busy.append(time.perf_counter())

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    dialog.start_import()
    assert dialog.busy and not dialog.back.isEnabled()
    dialog.reject()  # not while importing
    assert dialog.isVisible() and "请等完成后再关闭" in dialog.progress.phase.text()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=60_000)
    timer.stop()
    assert dialog.outcome is not None and dialog.outcome.imported == 3007
    assert len(set(seen)) > 5 and seen[-1] == 100  # the bar moved, then was full
    # The window kept handling events while the import ran (on the UI thread
    # the timer could not have fired until it was over).
    assert len(ticks_while_busy) >= 5, ticks_while_busy
    assert dialog.outcome.backup is not None and dialog.outcome.backup.exists()
    assert dialog.outcome.report is not None and dialog.outcome.report.parent == tmp_path
    assert (
        desk.store.scalar("SELECT COUNT(*) FROM cases") == 3007
    )  # seen by the window's connection
    QApplication.processEvents()


def test_when_every_row_is_refused_their_workbook_can_still_be_saved(
    qtbot, desk: Desk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    ledger = tmp_path / "台账.csv"
    ledger.write_text("日期,客户,电话,问题\n2026.11.1,甲,123,一\n2026.11.2,乙,,二\n", "utf-8")
    dialog = _dialog(qtbot, _tab(qtbot, desk))
    dialog.load_file(ledger)
    dialog.go_next()
    assert dialog.plan is not None and not dialog.plan.to_import and dialog.next.isEnabled()
    dialog.go_next()
    assert dialog.progress.start.text() == "保存未导入的 2 行"
    with qtbot.assertNotEmitted(dialog.imported):
        dialog.progress.start.click()
    assert dialog.outcome is not None and dialog.outcome.report is not None
    assert dialog.outcome.report.exists() and dialog.outcome.backup is None
    assert "没有导入任何案件。" in dialog.progress.result.toPlainText()
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == 0


def test_a_file_that_cannot_be_read_says_why(qtbot, desk: Desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, _tab(qtbot, desk))
    broken = tmp_path / "台账.xlsx"
    broken.write_bytes(b"not a workbook")
    dialog.load_file(broken)
    assert "无法打开「台账.xlsx」" in dialog.columns.info.text()
    assert dialog.columns.table.rowCount() == 0 and not dialog.next.isEnabled()


def test_another_sheet_is_read_when_chosen(qtbot, desk: Desk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, _tab(qtbot, desk))
    dialog.load_file(ledgers.write_xlsx(tmp_path / "客诉台账.xlsx"))
    assert dialog.columns.sheet.isEnabled() and dialog.columns.sheet.count() == 2
    dialog.columns.sheetChosen.emit("说明")
    assert dialog.table is not None and dialog.table.sheet == "说明"
    assert "还缺必填项" in dialog.columns.missing.text()


def test_the_preview_model_is_a_well_behaved_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = PreviewModel()
    qtmodeltester.check(model)
