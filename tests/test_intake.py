"""The registration form, filled from the keyboard as at the counter."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from showroom_cs.clock import FixedClock
from showroom_cs.domain import Stage
from showroom_cs.search import search_case_ids
from showroom_cs.store import Store
from showroom_cs.ui.intake import IntakePage
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import START, Desk, make_desk


def type_text(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the focused widget: ASCII as keys, Chinese as the input method commits it."""
    widget = QApplication.focusWidget()
    assert widget is not None
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(widget, event)


def tab(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


@pytest.fixture
def file_desk(tmp_path: Path) -> Desk:
    return make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))


def test_keyboard_only_registration_is_found_on_the_board_and_by_search(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk
) -> None:
    window = MainWindow(Session(file_desk.store, file_desk.clock, file_desk.staff["王芳"]))
    qtbot.addWidget(window)
    window.show()
    window.go_to(window.intake)
    page = window.intake
    page.fields["customer_phone"].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.fields["customer_phone"])
    type_text(qtbot, "13800138000")
    assert tab(qtbot).objectName() == "customer_name"
    type_text(qtbot, "张伟")
    title = tab(qtbot)
    assert title.objectName() == "customer_title"
    qtbot.keyClick(title, Qt.Key.Key_Down)  # 先生, for the call script's 张先生
    assert tab(qtbot).objectName() == "customer_address"
    type_text(qtbot, "幸福里小区 3栋 1202")
    assert tab(qtbot).objectName() == "channel"
    category = tab(qtbot)
    assert category.objectName() == "category"
    qtbot.keyClick(category, Qt.Key.Key_Down)
    qtbot.keyClick(category, Qt.Key.Key_Down)  # 安装施工
    for expected in ("severity", "description"):
        assert tab(qtbot).objectName() == expected
    type_text(qtbot, "主卧衣柜左侧门板安装后关不严，缝隙约 5mm，客户说漏水了")
    assert tab(qtbot).objectName() == "demand_维修"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)  # tick 维修
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert page.saved.text() == "已保存：投诉编号 TS-20261123-001"
    case = file_desk.store.case_by_no("TS-20261123-001")
    assert case is not None and case.customer_name == "张伟" and case.demands == ("维修",)
    assert case.category == "安装施工"
    assert case.customer_phone == "13800138000" and case.stage == Stage.REGISTERED
    assert window.kanban.models[Stage.REGISTERED].ids == [case.id]
    assert search_case_ids(file_desk.store, "漏水") == [case.id]  # two characters
    assert search_case_ids(file_desk.store, "zw") == [case.id]  # pinyin initials
    assert page.fields["customer_phone"].text() == ""  # ready for the next customer


def test_a_refusal_names_what_is_missing_and_keeps_what_was_typed(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("12345")
    page.fields["customer_name"].setText("张伟")
    assert page.save() is None
    assert page.error.text() == "请填写：投诉类别、投诉内容、客户诉求。"  # no category preset
    page.fields["description"].setPlainText("门板有缝隙")
    page.demand_boxes["维修"].setChecked(True)
    page.fields["category"].setCurrentText("安装施工")
    assert page.save() is None
    assert "不是有效的号码" in page.error.text()
    assert page.fields["customer_name"].text() == "张伟"


def test_a_known_phone_shows_earlier_cases_and_fills_the_customer(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from showroom_cs.ui import intake

    earlier = desk.register(customer_title="先生")
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["孙丽"]))
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("138 0013 8000")
    page.look_up_customer()
    assert page.history.text().startswith(f"老客户 · 1 件历史投诉（最近 {earlier.case_no}）")
    assert page.fields["customer_name"].text() == "张伟"
    assert page.fields["customer_address"].text() == "幸福里小区 3栋 1202"
    assert page.fields["customer_title"].currentData() == "先生"
    shown: list[str] = []
    monkeypatch.setattr(
        intake.CustomerRecordDialog, "exec", lambda dialog: shown.append(dialog.windowTitle())
    )
    page.history.linkActivated.emit("record")  # 查看客户档案
    assert shown == ["客户档案 — 张伟"]


def test_the_promise_follows_the_severity(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    assert (
        page.promise.text() == "我们将在营业时间 24 小时内与您联系，并在 3 个营业日内反馈处理结果。"
    )
    page.fields["severity"].setCurrentIndex(2)  # 紧急
    assert (
        page.promise.text() == "我们将在营业时间 2 小时内与您联系，并在 3 个营业日内反馈处理结果。"
    )


def test_the_draft_survives_a_killed_window_and_is_offered_back(qtbot, file_desk: Desk) -> None:  # type: ignore[no-untyped-def]
    session = Session(file_desk.store, file_desk.clock, file_desk.staff["王芳"])
    page = IntakePage(session)
    qtbot.addWidget(page)
    assert not page.draft_banner.isVisibleTo(page)
    page.fields["customer_phone"].setText("13800138000")
    page.fields["description"].setPlainText("卫生间花洒漏水")
    qtbot.waitUntil(lambda: page.draft_path is not None and page.draft_path.exists())
    page.deleteLater()  # the window dies without saving
    again = IntakePage(session)
    qtbot.addWidget(again)
    assert again.draft_banner.isVisibleTo(again)
    assert "有一份未保存的登记草稿" in again.draft_label.text()
    qtbot.mouseClick(again.findChild(QWidget, "restoreDraft"), Qt.MouseButton.LeftButton)
    assert again.fields["customer_phone"].text() == "13800138000"
    assert again.fields["description"].toPlainText() == "卫生间花洒漏水"
    again.fields["customer_name"].setText("张伟")
    again.demand_boxes["维修"].setChecked(True)
    again.fields["category"].setCurrentText("安装施工")
    assert again.save() is not None
    assert again.draft_path is not None and not again.draft_path.exists()


def test_a_full_disk_at_save_says_so_and_keeps_the_form_and_its_draft(
    qtbot, file_desk: Desk
) -> None:  # type: ignore[no-untyped-def]
    page = IntakePage(Session(file_desk.store, file_desk.clock, file_desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("13800138000")
    page.fields["customer_name"].setText("张伟")
    page.fields["description"].setPlainText("橱柜台面开裂" * 800)
    page.demand_boxes["维修"].setChecked(True)
    page.fields["category"].setCurrentText("安装施工")
    page.save_draft()
    store = file_desk.store
    store.db.execute(f"PRAGMA max_page_count = {store.scalar('PRAGMA page_count')}")
    assert page.save() is None
    assert "磁盘空间已满" in page.error.text() and "刚才的操作没有保存" in page.error.text()
    assert page.fields["customer_name"].text() == "张伟"
    assert page.draft_path is not None and page.draft_path.exists()  # nothing typed is lost
    assert store.scalar("SELECT COUNT(*) FROM cases") == 0
    store.db.execute("PRAGMA max_page_count = 1073741823")  # room again
    assert page.save() is not None


def _fill(page: IntakePage) -> None:
    page.fields["customer_name"].setText("张伟")
    page.fields["category"].setCurrentText("安装施工")
    page.fields["description"].setPlainText("门板缝隙")
    page.demand_boxes["维修"].setChecked(True)


def test_received_is_when_the_complaint_began_not_when_the_form_was_cleared(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk
) -> None:
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("13800138000")
    _fill(page)
    page.save()  # 10:00: the form is cleared for the next customer
    desk.clock.advance(minutes=20)
    page.clock_timer.timeout.emit()  # the empty form follows the clock
    assert page.received.dateTime().toString("HH:mm") == "10:20"
    desk.clock.advance(minutes=10)
    page.fields["customer_phone"].setText("13912345678")  # the next customer, 10:30
    desk.clock.advance(minutes=10)
    page.clock_timer.timeout.emit()
    assert page.received.dateTime().toString("HH:mm") == "10:30"  # it stopped at the first input
    _fill(page)
    case_id = page.save()  # 10:40
    assert case_id is not None
    assert f"{desk.store.case(case_id).received_at:%H:%M}" == "10:30"


def test_received_changed_by_the_clerk_is_kept(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QDateTime

    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.received.setDateTime(QDateTime.fromString("2026-11-22 16:05", "yyyy-MM-dd HH:mm"))
    desk.clock.advance(minutes=5)
    page.fields["customer_phone"].setText("13800138000")  # a message left yesterday
    _fill(page)
    case_id = page.save()
    assert case_id is not None
    assert f"{desk.store.case(case_id).received_at:%m-%d %H:%M}" == "11-22 16:05"


@pytest.mark.parametrize(("answer", "expected"), [(0, "09:40"), (1, "11:40")])
def test_a_stale_drafts_received_time_is_asked_about(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch, answer: int, expected: str
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from showroom_cs.ui import intake

    file_desk.clock.set(START.replace(hour=9, minute=40))
    session = Session(file_desk.store, file_desk.clock, file_desk.staff["王芳"])
    page = IntakePage(session)
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("13800138000")
    qtbot.waitUntil(lambda: page.draft_path is not None and page.draft_path.exists())
    page.deleteLater()  # the PC was switched off
    file_desk.clock.set(START.replace(hour=11, minute=40))
    asked: list[str] = []

    def choose(box: QMessageBox) -> int:
        asked.append(box.text())
        box.buttons()[answer].click()  # the draft's time, or now
        return 0

    monkeypatch.setattr(intake.QMessageBox, "exec", choose)
    again = IntakePage(session)
    qtbot.addWidget(again)
    again.restore_draft()
    assert asked == ["这份草稿是 11-23 09:40 开始登记的。受理时间用哪个？"]
    _fill(again)
    case_id = again.save()
    assert case_id is not None
    assert f"{file_desk.store.case(case_id).received_at:%H:%M}" == expected
