"""回访日历: the three views, moving a visit by dragging it, and the double-booking question."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from showroom_cs import operations as op
from showroom_cs.agenda import ItemKind
from showroom_cs.ui import calendar_page
from showroom_cs.ui.calendar_page import CalendarPage
from showroom_cs.ui.session import Session

from .conftest import Desk
from .walk import to_investigating

TUESDAY_9 = dt.datetime(2026, 11, 24, 9)


def _page(qtbot, desk: Desk) -> CalendarPage:  # type: ignore[no-untyped-def]
    page = CalendarPage(Session(desk.store, desk.clock, desk.staff["李强"]))
    qtbot.addWidget(page)
    page.resize(1300, 900)
    page.show()
    return page


def _book(desk: Desk, name: str, starts: dt.datetime, phone: str = "13800138000") -> int:
    case = to_investigating(desk, desk.register(customer_name=name, customer_phone=phone))
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    return case.id


def _drag(  # type: ignore[no-untyped-def]
    qtbot, page: CalendarPage, name: str, to: dt.datetime, kind: ItemKind = ItemKind.VISIT
) -> None:
    week = page.week
    block = next(p for p in week.placed if p.item.customer == name and p.item.kind == kind)
    grab = block.rect.topLeft().toPoint() + QPoint(10, 5)
    drop = QPoint(
        int(week.x_of(to.date()) + 20),
        int(week.y_of(to.time())) + 5,
    )
    qtbot.mousePress(week, Qt.MouseButton.LeftButton, pos=grab)
    qtbot.mouseMove(week, drop)
    qtbot.mouseRelease(week, Qt.MouseButton.LeftButton, pos=drop)


def test_the_week_shows_visits_and_paging_moves_a_week(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    _book(desk, "刘洋", TUESDAY_9)
    page = _page(qtbot, desk)
    assert "第 48 周" in page.title.text()
    assert [i.title for i in page.week.items if i.appointment_id] == ["上门 · 刘洋"]
    page.step(1)
    assert "第 49 周" in page.title.text()
    assert not any(i.appointment_id for i in page.week.items)
    page.step(0)
    assert "第 48 周" in page.title.text()


def test_a_month_cell_lists_its_day_and_opens_the_day_list(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    _book(desk, "刘洋", TUESDAY_9)
    page = _page(qtbot, desk)
    page.set_mode(0)
    assert page.title.text() == "回访日历 · 2026年11月"
    cell = next(c for c in page.month.cells if c.day == TUESDAY_9.date())
    assert any("09:00 上门 刘洋" in line.text() for line in cell.lines if line.isVisible())
    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    assert page.mode() == 2 and "2026-11-24 星期二" in page.title.text()
    rows = [page.agenda.topLevelItem(n).text(2) for n in range(page.agenda.topLevelItemCount())]
    assert "上门 · 刘洋" in rows


def test_dragging_a_visit_moves_it_and_the_case_timeline_records_it(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case_id = _book(desk, "刘洋", TUESDAY_9)
    page = _page(qtbot, desk)
    _drag(qtbot, page, "刘洋", dt.datetime(2026, 11, 25, 14))
    moved = desk.store.appointments(case_id)[0]
    assert moved.starts_at == dt.datetime(2026, 11, 25, 14)
    assert moved.ends_at == dt.datetime(2026, 11, 25, 15)  # keeps its length
    assert "上门改期：11-24 09:00–10:00 → 11-25 14:00–15:00" in desk.store.events(case_id)[-1].note


def test_dragging_a_planned_call_moves_it_and_keeps_its_due_time(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register(customer_name="刘洋")  # its day-5 call: Friday 10:30
    page = _page(qtbot, desk)
    _drag(qtbot, page, "刘洋", dt.datetime(2026, 11, 26, 15), kind=ItemKind.CALL)
    call = next(c for c in desk.store.clocks(case.id, open_only=True) if c.planned_at)
    assert call.planned_at == dt.datetime(2026, 11, 26, 15)
    assert call.due_at == dt.datetime(2026, 11, 27, 17, 30)
    assert "进度回访改约：11-27 10:30 → 11-26 15:00" in desk.store.events(case.id)[-1].note
    chip = next(p for p in page.week.placed if p.item.kind == ItemKind.CALL)
    assert chip.item.starts_at == dt.datetime(2026, 11, 26, 15)  # the page shows it moved


@pytest.mark.parametrize("answer", [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
def test_a_double_booking_asks_before_it_is_saved(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch, answer: QMessageBox.StandardButton
) -> None:
    _book(desk, "刘洋", TUESDAY_9)
    other = _book(desk, "陈晨", TUESDAY_9 + dt.timedelta(days=1), phone="13912345678")
    asked: list[str] = []
    monkeypatch.setattr(
        calendar_page.QMessageBox,
        "question",
        lambda parent, title, text: asked.append(text) or answer,
    )
    page = _page(qtbot, desk)
    _drag(qtbot, page, "陈晨", TUESDAY_9 + dt.timedelta(minutes=30))
    assert asked and "李强在 11-24 09:00–10:00 已有安排" in asked[0]
    starts = desk.store.appointments(other)[0].starts_at
    if answer == QMessageBox.StandardButton.Yes:
        assert starts == TUESDAY_9 + dt.timedelta(minutes=30)
    else:
        assert starts == TUESDAY_9 + dt.timedelta(days=1)


def test_double_clicking_an_item_opens_its_case(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case_id = _book(desk, "刘洋", TUESDAY_9)
    page = _page(qtbot, desk)
    block = next(p for p in page.week.placed if p.item.customer == "刘洋")
    with qtbot.waitSignal(page.caseRequested) as opened:
        qtbot.mouseDClick(page.week, Qt.MouseButton.LeftButton, pos=block.rect.center().toPoint())
    assert opened.args == [case_id]


def test_the_shown_week_saves_as_the_installers_list(qtbot, desk: Desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    _book(desk, "刘洋", TUESDAY_9)
    page = _page(qtbot, desk)
    saved = page.export_schedule(tmp_path / "week.pdf")
    assert saved is not None
    text = "".join(p.extract_text() for p in PdfReader(saved).pages)
    assert "上门安排表 2026-W48" in text and "刘洋" in text
    page.step(1)  # next week: no visits booked
    empty = page.export_schedule(tmp_path / "next.pdf")
    assert empty is not None
    assert "没有上门安排" in "".join(p.extract_text() for p in PdfReader(empty).pages)


def test_a_list_that_cannot_be_written_says_so(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warned: list[str] = []
    monkeypatch.setattr(
        calendar_page.QMessageBox, "warning", lambda parent, title, text: warned.append(text)
    )
    page = _page(qtbot, desk)
    assert page.export_schedule(tmp_path) is None  # a folder, not a file
    assert warned and "无法写入" in warned[0]


def test_double_clicking_an_empty_slot_books_a_visit_there(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from showroom_cs.ui.action_dialog import ActionDialog

    case = to_investigating(desk, desk.register(customer_name="刘洋"))
    typed = [case.case_no]
    monkeypatch.setattr(calendar_page.QInputDialog, "getText", lambda *args: (typed[0], True))
    told: list[str] = []
    monkeypatch.setattr(
        calendar_page.QMessageBox, "information", lambda p, t, text: told.append(text)
    )

    def submit(dialog: ActionDialog) -> int:
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(ActionDialog, "exec", submit)
    page = _page(qtbot, desk)
    wednesday_15 = dt.datetime(2026, 11, 25, 15)
    slot = QPoint(
        int(page.week.x_of(wednesday_15.date()) + 30), int(page.week.y_of(wednesday_15.time())) + 4
    )
    qtbot.mouseDClick(page.week, Qt.MouseButton.LeftButton, pos=slot)
    (visit,) = desk.store.appointments(case.id)
    assert visit.starts_at == wednesday_15
    assert [i.title for i in page.week.items if i.appointment_id] == ["上门 · 刘洋"]
    typed[0] = "查无此人"
    assert not page.book_at(wednesday_15)
    assert told == ["没有找到「查无此人」。"]


def test_closed_hours_and_days_are_shaded(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor

    settings = desk.store.settings()
    op.change_settings(
        desk.as_("陈静"),
        dataclasses.replace(settings, closed_dates=frozenset({dt.date(2026, 11, 25)})),
    )
    page = _page(qtbot, desk)
    week = page.week
    image = week.grab().toImage()

    def shade(day: dt.date, hour: int) -> str:
        x = int(week.x_of(day) + week.column_width() / 2)
        return QColor(image.pixel(x, int(week.y_of(dt.time(hour))) + 5)).name()

    tuesday, wednesday = dt.date(2026, 11, 24), dt.date(2026, 11, 25)
    assert shade(tuesday, 12) == "#ffffff"  # open, no call window, nothing booked
    assert shade(tuesday, 19) == calendar_page.CLOSED_SHADE  # after 18:00
    assert shade(tuesday, 8) == calendar_page.CLOSED_SHADE  # before 09:00
    assert shade(wednesday, 12) == calendar_page.CLOSED_SHADE  # stock-taking day
    assert shade(tuesday, 16) == calendar_page.CALLING_SHADE
    assert shade(wednesday, 16) == calendar_page.CLOSED_SHADE  # no calls while closed
    assert week.day_heading(wednesday) == "11/25 星期三 休息"
    assert week.day_heading(tuesday) == "11/24 星期二"
    page.set_mode(0)
    cell = next(c for c in page.month.cells if c.day == wednesday)
    assert "休息" in cell.date.text() and cell.toolTip().startswith("2026-11-25：休息日")
    qtbot.mouseClick(cell, Qt.MouseButton.LeftButton)
    assert page.title.text() == "回访日历 · 2026-11-25 星期三（休息）"
