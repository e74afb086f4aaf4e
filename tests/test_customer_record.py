"""客户档案: one customer's cases, visits, calls and satisfaction, found by phone."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.customer import customer_record
from showroom_cs.domain import (
    AppointmentKind,
    ContactMethod,
    ContactPurpose,
    Severity,
    Stage,
)

from .conftest import START, Desk
from .walk import follow_up, to_closed, to_follow_up, to_investigating


def _visit(desk: Desk, case_id: int, who: str, day: int, hour: int) -> int:
    starts = dt.datetime(2026, 11, day, hour, 0)
    op.schedule_visit(
        desk.as_("赵敏"),
        case_id,
        staff_id=desk.staff[who].id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
    )
    return desk.store.appointments(case_id)[-1].id


def _call(desk: Desk, case_id: int, by: str, *, reached: bool, words: str = "") -> None:
    op.record_contact(
        desk.as_(by),
        case_id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.PROGRESS,
        reached=reached,
        customer_words=words,
    )


# ------------------------------------------------------------------- core


def test_the_same_number_typed_differently_is_one_customer(desk: Desk) -> None:
    first = desk.register(customer_phone="138 0013 8000", customer_name="张伟")
    desk.clock.advance(days=2)
    second = desk.register(
        customer_phone="13800138000",
        customer_name="张伟",
        category="产品质量",
        severity=Severity.URGENT,
    )
    someone_else = desk.register(customer_phone="139 1234 5678", customer_name="李娜")

    record = customer_record(desk.store, "138-0013-8000")

    assert record is not None
    assert record.phone == "13800138000"
    assert [line.case_no for line in record.cases] == [second.case_no, first.case_no]
    assert someone_else.case_no not in {line.case_no for line in record.cases}
    newest = record.cases[0]
    assert (newest.category, newest.severity, newest.stage) == (
        "产品质量",
        Severity.URGENT,
        Stage.REGISTERED,
    )
    assert newest.received_at == START + dt.timedelta(days=2)
    assert record.case_count == record.open_count == 2
    assert customer_record(desk.store, "+86 138 0013 8000") == record


def test_a_number_without_cases_has_no_record(desk: Desk) -> None:
    desk.register(customer_phone="13800138000")
    assert customer_record(desk.store, "139 1234 5678") is None
    assert customer_record(desk.store, "不是电话") is None


def test_contact_details_come_from_the_newest_case_with_earlier_ones_kept(desk: Desk) -> None:
    desk.register(customer_name="张伟", customer_address="幸福里小区 3栋 1202")
    desk.clock.advance(days=30)
    desk.register(customer_name="张 伟先生", customer_address="滨江花园 5栋 1101")
    desk.clock.advance(days=1)
    # Registered over the phone without an address: the last one known still shows.
    desk.register(customer_name="张伟先生", customer_address="")

    record = customer_record(desk.store, "13800138000")

    assert record is not None
    assert record.name == "张伟先生"
    assert record.address == "滨江花园 5栋 1101"
    assert record.other_names == ("张 伟先生", "张伟")
    assert record.other_addresses == ("幸福里小区 3栋 1202",)


def test_visits_and_calls_show_who_when_and_how_it_went(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    done_id = _visit(desk, case.id, "李强", 24, 9)
    _visit(desk, case.id, "陈静", 26, 14)
    desk.clock.set(dt.datetime(2026, 11, 24, 10, 30))
    op.complete_visit(desk.as_("李强"), done_id, note="铰链松动，已调整")
    desk.clock.set(dt.datetime(2026, 11, 25, 10, 45))
    _call(desk, case.id, "王芳", reached=False)
    desk.clock.set(dt.datetime(2026, 11, 25, 15, 10))
    _call(desk, case.id, "孙丽", reached=True, words="门还是有点响")

    record = customer_record(desk.store, "13800138000")

    assert record is not None
    visits = [(v.starts_at, v.staff_name, v.kind, v.done, v.status_label) for v in record.visits]
    assert visits == [
        (dt.datetime(2026, 11, 26, 14, 0), "陈静", AppointmentKind.VISIT, False, "已预约"),
        (dt.datetime(2026, 11, 24, 9, 0), "李强", AppointmentKind.VISIT, True, "已完成"),
    ]
    calls = [
        (c.at, c.staff_name, c.method.label, c.reached, c.customer_words) for c in record.calls
    ]
    assert calls == [
        (dt.datetime(2026, 11, 25, 15, 10), "孙丽", "电话", True, "门还是有点响"),
        (dt.datetime(2026, 11, 25, 10, 45), "王芳", "电话", False, ""),
    ]
    assert all(v.case_no == case.case_no for v in record.visits)
    assert record.last_contact_at == dt.datetime(2026, 11, 25, 15, 10)


def test_an_unanswered_call_is_not_the_last_contact(desk: Desk) -> None:
    case = desk.register()
    desk.clock.advance(hours=2)
    _call(desk, case.id, "王芳", reached=True)
    desk.clock.advance(days=1)
    _call(desk, case.id, "王芳", reached=False)

    record = customer_record(desk.store, "13800138000")

    assert record is not None
    assert record.last_contact_at == START + dt.timedelta(hours=2)


def test_satisfaction_over_time_and_its_average(desk: Desk) -> None:
    earlier = to_closed(desk, desk.register())  # 王芳's follow-up: 4
    desk.clock.set(dt.datetime(2026, 12, 1, 10, 0))
    later = to_follow_up(desk, desk.register(customer_phone="138 0013 8000"))
    follow_up(desk, later, satisfaction=2)  # not satisfied: handled a second time
    desk.clock.set(dt.datetime(2026, 12, 4, 11, 0))
    later = to_follow_up(desk, desk.case(later.id))
    follow_up(desk, later, satisfaction=5)

    record = customer_record(desk.store, "13800138000")

    assert record is not None
    ratings = [(r.at.date(), r.score, r.case_no) for r in record.ratings]
    assert ratings == [
        (START.date(), 4, earlier.case_no),
        (dt.date(2026, 12, 1), 2, later.case_no),
        (dt.date(2026, 12, 4), 5, later.case_no),
    ]
    assert record.average_satisfaction == pytest.approx(11 / 3)
    assert [line.satisfaction_label for line in record.cases] == ["非常满意", "满意"]
    assert record.open_count == 1 and record.case_count == 2


def test_a_voided_case_is_listed_but_not_counted(desk: Desk) -> None:
    kept = desk.register()
    voided = desk.register(customer_name="张伟（重复）")
    op.void_case(desk.as_("赵敏"), voided.id, "重复登记")

    record = customer_record(desk.store, "13800138000")

    assert record is not None
    assert {line.case_no: line.voided for line in record.cases} == {
        kept.case_no: False,
        voided.case_no: True,
    }
    assert (record.case_count, record.voided_count, record.open_count) == (1, 1, 1)
    assert record.name == "张伟"  # a mistaken entry does not rename the customer


def test_reading_a_record_does_not_query_per_case(desk: Desk) -> None:
    def statements(phone: str) -> int:
        seen: list[str] = []
        desk.store.db.conn.set_trace_callback(seen.append)
        try:
            customer_record(desk.store, phone)
        finally:
            desk.store.db.conn.set_trace_callback(None)
        return len(seen)

    for _ in range(2):
        _call(desk, desk.register(customer_phone="13912345678").id, "王芳", reached=True)
    for _ in range(12):
        _call(desk, desk.register().id, "王芳", reached=True)
    desk.store.settings()  # cached once for the whole app

    many, few = statements("13800138000"), statements("13912345678")
    assert many == few <= 6  # cases, staff, visits, calls: a query each, whatever the count


# --------------------------------------------------------------------- UI
# Qt is imported inside these tests, so the tests above run where it is absent.


def _dialog(qtbot, desk: Desk, phone: str = "13800138000"):  # type: ignore[no-untyped-def]
    pytest.importorskip("PySide6")
    from showroom_cs.ui.customer_view import CustomerRecordDialog
    from showroom_cs.ui.session import Session

    dialog = CustomerRecordDialog(Session(desk.store, desk.clock, desk.staff["王芳"]), phone)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def _column(table, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [table.item(row, column).text() for row in range(table.rowCount())]


def _all_text(dialog) -> str:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    return " ".join(
        [dialog.windowTitle(), *(label.text() for label in dialog.findChildren(QLabel))]
    )


def test_the_dialog_shows_the_customer_with_the_phone_masked(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    first = to_closed(desk, desk.register())
    desk.clock.advance(days=3)
    second = desk.register(customer_phone="138 0013 8000", customer_name="张伟先生")
    voided = desk.register(customer_phone="13800138000")
    op.void_case(desk.as_("赵敏"), voided.id, "重复登记")

    dialog = _dialog(qtbot, desk, "138 0013 8000")

    assert dialog.windowTitle() == "客户档案 — 张伟先生"
    assert dialog.phone.text() == "138****8000"
    text = _all_text(dialog)
    assert "13800138000" not in text and "138 0013 8000" not in text
    assert "曾用姓名：张伟" in text
    assert dialog.figures["cases"].text() == "2 件（另有 1 件作废）"
    assert dialog.figures["open"].text() == "1 件"
    assert dialog.figures["satisfaction"].text() == "4.0 / 5"
    table = dialog.cases.table
    assert dialog.cases.currentWidget() is table
    assert set(_column(table, 0)) == {first.case_no, second.case_no, voided.case_no}
    stages = dict(zip(_column(table, 0), _column(table, 4), strict=True))
    assert stages[voided.case_no] == "已作废"
    assert stages[first.case_no] == "已结案"


def test_double_clicking_a_case_asks_for_it_and_closes(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    older = desk.register()
    desk.clock.advance(days=1)
    desk.register()
    dialog = _dialog(qtbot, desk)
    table = dialog.cases.table
    row = _column(table, 0).index(older.case_no)
    where = table.visualItemRect(table.item(row, 1)).center()

    from PySide6.QtCore import Qt

    asked: list[int] = []
    dialog.caseRequested.connect(asked.append)
    with qtbot.waitSignal(dialog.caseRequested) as opened:
        # As from a mouse: a double-click is a click and then the second press.
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=where)

    assert opened.args == [older.id]
    assert asked == [older.id]  # once, not once per click
    assert not dialog.isVisible()


def test_visits_calls_and_ratings_tabs_list_them(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_investigating(desk, desk.register())
    _visit(desk, case.id, "李强", 24, 9)
    _call(desk, case.id, "孙丽", reached=False)
    case = to_follow_up(desk, desk.case(case.id))
    follow_up(desk, case, satisfaction=5)

    dialog = _dialog(qtbot, desk)

    visits = dialog.visits.table
    calls = dialog.calls.table
    assert _column(visits, 0) == ["2026-11-24 09:00–10:00"]
    assert _column(visits, 2) == ["李强"]
    assert _column(calls, 1) == ["王芳", "孙丽"]
    assert _column(calls, 4) == ["联系上", "未联系上"]
    assert _column(calls, 5) == ["非常满意", "—"]
    assert _column(dialog.rating_table, 1) == ["5 非常满意"]
    assert dialog.average.text() == "平均 5.0 / 5 · 共 1 次评分"
    assert dialog.tabs.tabText(2) == "回访/通话记录（2）"


def test_an_empty_section_says_so_instead_of_an_empty_table(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register()
    dialog = _dialog(qtbot, desk)

    from showroom_cs.ui.customer_view import EMPTY_CALLS, EMPTY_RATINGS, EMPTY_VISITS

    for section, sentence in (
        (dialog.visits, EMPTY_VISITS),
        (dialog.calls, EMPTY_CALLS),
        (dialog.ratings, EMPTY_RATINGS),
    ):
        assert section.currentWidget() is section.empty
        assert section.empty.text() == sentence
    dialog.tabs.setCurrentWidget(dialog.visits)
    assert dialog.visits.empty.isVisible()
    assert dialog.figures["satisfaction"].text() == "—"


def test_a_number_without_cases_shows_a_sentence(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    dialog = _dialog(qtbot, desk, "139 1234 5678")

    assert dialog.record is None
    assert dialog.cases.currentWidget() is dialog.cases.empty
    assert "没有找到这个号码的投诉记录" in dialog.cases.empty.text()
