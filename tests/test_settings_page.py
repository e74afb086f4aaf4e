"""设置 as a manager uses it: each tab saves through the core and takes effect at once."""

from __future__ import annotations

import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
)

from showroom_cs.domain import ClockKind, Role, Severity
from showroom_cs.ui import settings_staff
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import Desk
from .walk import to_investigating


def _window(qtbot, desk: Desk, who: str = "陈静") -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Session(desk.store, desk.clock, desk.staff[who]))
    qtbot.addWidget(window)
    window.show()
    window.go_to(window.settings_page)
    return window


def _save(qtbot, tab) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(tab.findChild(QPushButton, "saveSettings"), Qt.MouseButton.LeftButton)


def test_a_new_time_limit_moves_open_cases_and_says_so(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_investigating(desk, desk.register())
    window = _window(qtbot, desk)
    tab = window.settings_page.limits
    spin = tab.findChild(QSpinBox, f"sla_{ClockKind.FEEDBACK.value}_{Severity.NORMAL.value}")
    spin.setValue(5)
    _save(qtbot, tab)
    assert "1 件未结案件的截止时间已按新设置重新计算" in tab.notice.text()
    assert desk.store.settings().sla_value(ClockKind.FEEDBACK, Severity.NORMAL) == 5
    assert desk.store.events(case.id)[-1].note.startswith("时限设置调整：整改反馈")
    log = window.settings_page.history.table
    assert log.item(0, 2).text() == "时限" and log.item(0, 3).text() == "整改反馈·一般 3 → 5"


def test_a_limit_switched_to_around_the_clock_moves_open_cases(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register()  # Monday 10:00, 一般: first contact in 24 opening hours
    assert f"{desk.case(case.id).next_due_at:%m-%d %H:%M}" == "11-25 16:00"
    window = _window(qtbot, desk)
    tab = window.settings_page.limits
    help_text = tab.findChild(QLabel, "countingHelp").text()
    assert (
        "营业时间内计时：只算门店开门的时间" in help_text
        and "全天计时：按钟点连续计算" in help_text
    )
    mode = tab.findChild(QComboBox, f"counting_{ClockKind.FIRST_CONTACT.value}")
    assert mode.currentText() == "营业时间内计时"
    mode.setCurrentText("全天计时")
    _save(qtbot, tab)
    assert ClockKind.FIRST_CONTACT not in desk.store.settings().opening_hours_limits
    assert desk.store.events(case.id)[-1].note == "时限设置调整：首次响应 11-25 16:00 → 11-24 10:00"
    assert f"{desk.case(case.id).next_due_at:%m-%d %H:%M}" == "11-24 10:00"


def test_a_closed_date_pauses_the_limits_that_count_opening_hours(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register()
    window = _window(qtbot, desk)
    tab = window.settings_page.limits
    tab.new_closed_date.setDate(QDate(2026, 11, 25))
    qtbot.mouseClick(tab.findChild(QPushButton, "addClosedDate"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(tab.findChild(QPushButton, "addClosedDate"), Qt.MouseButton.LeftButton)
    dates = tab.findChild(QListWidget, "closedDates")
    assert [dates.item(i).text() for i in range(dates.count())] == ["2026-11-25 周三"]
    _save(qtbot, tab)
    assert desk.store.settings().closed_dates == {dt.date(2026, 11, 25)}
    # Monday 8 h + Tuesday 9 h, Wednesday closed, Thursday's first 7 h.
    assert desk.store.events(case.id)[-1].note == "时限设置调整：首次响应 11-25 16:00 → 11-26 16:00"
    dates.setCurrentRow(0)
    qtbot.mouseClick(tab.findChild(QPushButton, "removeClosedDate"), Qt.MouseButton.LeftButton)
    _save(qtbot, tab)
    assert desk.store.settings().closed_dates == frozenset()
    assert f"{desk.case(case.id).next_due_at:%m-%d %H:%M}" == "11-25 16:00"


def test_overlapping_calling_windows_are_refused_in_words(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk)
    tab = window.settings_page.limits
    before = desk.store.settings()
    qtbot.mouseClick(tab.findChild(QPushButton, "addWindow"), Qt.MouseButton.LeftButton)
    # the new 15:00–16:00 window overlaps the afternoon one
    _save(qtbot, tab)
    assert tab.error.text() == "回访时段之间不能重叠。" and tab.error.isVisibleTo(tab)
    assert desk.store.settings() == before


def test_a_retired_category_leaves_the_intake_form_at_once(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk)
    tab = window.settings_page.lists
    tab.names.setCurrentRow(1)  # 投诉类别
    labels = [tab.entries.item(r, 0).text() for r in range(tab.entries.rowCount())]
    tab.entries.selectRow(labels.index("销售承诺"))
    assert tab.retire_button.text() == "停用"
    qtbot.mouseClick(tab.retire_button, Qt.MouseButton.LeftButton)
    row = labels.index("销售承诺")
    assert tab.entries.item(row, 1).text() == "已停用"
    category = window.intake.fields["category"]
    assert isinstance(category, QComboBox)
    offered = [category.itemText(i) for i in range(category.count())]
    assert "销售承诺" not in offered and "安装施工" in offered
    assert not desk.store.settings().has_key("category", "销售承诺")
    assert desk.store.settings().has_key("category", "销售承诺", include_retired=True)


def test_staff_are_added_and_deactivated_and_the_last_manager_is_kept(
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog: settings_staff.StaffDialog) -> int:
        dialog.name.setText("钱多多")
        dialog.role.setCurrentIndex(dialog.role.findData(Role.CLERK))
        return 1

    monkeypatch.setattr(settings_staff.StaffDialog, "exec", fill)
    monkeypatch.setattr(
        settings_staff.QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes
    )
    window = _window(qtbot, desk, who="周建国")
    tab = window.settings_page.staff
    qtbot.mouseClick(tab.add_button, Qt.MouseButton.LeftButton)
    table = tab.findChild(QTableWidget, "staffTable")
    assert table.item(table.rowCount() - 1, 0).text() == "钱多多"
    assert table.item(table.rowCount() - 1, 3).text() == "待本人设置"
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    for name in ("刘洋", "陈静"):
        table.selectRow(names.index(name))
        qtbot.mouseClick(tab.active_button, Qt.MouseButton.LeftButton)
        assert table.item(names.index(name), 2).text() == "已停用"
    table.selectRow(names.index("周建国"))
    qtbot.mouseClick(tab.active_button, Qt.MouseButton.LeftButton)
    assert "不能停用自己" in tab.error.text()
    assert desk.store.staff_member(desk.staff["周建国"].id).active


def test_the_showroom_name_changes_the_window_title(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk)
    tab = window.settings_page.profile
    tab.name.setText("幸福家居二店")
    tab.code.setText("sh002")
    _save(qtbot, tab)
    assert window.windowTitle() == "门店客诉台 — 幸福家居二店"
    assert desk.store.settings().showroom_code == "SH002"
    tab.code.setText("二店")
    _save(qtbot, tab)
    assert "门店编码请用 2–16 位字母或数字" in tab.error.text()


def test_the_idle_lock_follows_its_setting(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk)
    tab = window.settings_page.data
    tab.idle.setValue(3)
    _save(qtbot, tab)
    assert window.idle.timer.interval() == 3 * 60_000
    assert desk.store.settings().idle_lock_minutes == 3


def test_a_clerk_reads_no_change_record(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk, who="王芳")
    history = window.settings_page.history
    assert history.note.isVisibleTo(history) and not history.table.isVisibleTo(history)
