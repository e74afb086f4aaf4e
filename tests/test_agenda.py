"""The calendar's items: visits and due times inside the asked-for days only."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.agenda import ItemKind, agenda, booking_conflicts
from showroom_cs.domain import AppointmentKind
from showroom_cs.errors import RuleError

from .conftest import Desk
from .walk import to_closed, to_investigating

MONDAY = dt.datetime(2026, 11, 23)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def _visit(desk: Desk, case_id: int, who: str, day: int, hour: int) -> None:
    op.schedule_visit(
        desk.as_("李强"),
        case_id,
        staff_id=desk.staff[who].id,
        starts_at=MONDAY + dt.timedelta(days=day, hours=hour),
        ends_at=MONDAY + dt.timedelta(days=day, hours=hour + 1),
        kind=AppointmentKind.VISIT,
    )


def test_a_week_holds_its_visits_and_due_times_and_nothing_outside(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(customer_name="刘洋"))
    _visit(desk, case.id, "李强", day=1, hour=9)
    _visit(desk, case.id, "李强", day=8, hour=9)  # next week: not in this one
    items = agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now())
    visits = [i for i in items if i.kind == ItemKind.VISIT]
    assert [(v.starts_at, v.title) for v in visits] == [
        (MONDAY + dt.timedelta(days=1, hours=9), "上门 · 刘洋")
    ]
    calls = [i for i in items if i.kind == ItemKind.CALL]
    # the day-5 progress call, in Friday's first calling slot, due by its last window's end
    assert [(c.title, c.starts_at, c.due_at) for c in calls] == [
        (
            "进度回访 · 刘洋",
            MONDAY + dt.timedelta(days=4, hours=10, minutes=30),
            MONDAY + dt.timedelta(days=4, hours=17, minutes=30),
        )
    ]
    assert all(MONDAY <= i.starts_at < NEXT_MONDAY for i in items)
    assert items == sorted(items, key=lambda i: i.starts_at)
    assert not any(i.overdue for i in items)


def test_overdue_items_and_the_only_mine_filter(desk: Desk) -> None:
    mine = to_investigating(desk, desk.register(), owner="李强")
    _visit(desk, mine.id, "李强", day=0, hour=14)
    theirs = desk.register(customer_phone="13912345678")  # 王芳 registered it, nobody owns it
    desk.clock.set(MONDAY + dt.timedelta(days=2, hours=10))
    items = agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now())
    visit = next(i for i in items if i.kind == ItemKind.VISIT)
    assert visit.overdue  # Monday afternoon passed and nobody marked it done
    mine_only = agenda(
        desk.store, MONDAY, NEXT_MONDAY, desk.clock.now(), staff_id=desk.staff["李强"].id
    )
    assert {i.case_id for i in mine_only} == {mine.id}
    theirs_only = agenda(
        desk.store, MONDAY, NEXT_MONDAY, desk.clock.now(), staff_id=desk.staff["王芳"].id
    )
    assert {i.case_id for i in theirs_only} == {mine.id, theirs.id}
    # of 李强's case, 王芳 has only the call: she registered it, and calls back
    assert {i.kind for i in theirs_only if i.case_id == mine.id} == {ItemKind.CALL}
    assert ItemKind.CALL not in {i.kind for i in mine_only}


def test_a_closed_case_leaves_the_calendar(desk: Desk) -> None:
    case = desk.register()
    assert {i.case_id for i in agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now())} == {
        case.id
    }
    to_closed(desk, case)
    assert agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now()) == []


def test_moving_a_visit_changes_its_time_and_the_timeline_says_from_when_to_when(
    desk: Desk,
) -> None:
    case = to_investigating(desk, desk.register())
    _visit(desk, case.id, "李强", day=1, hour=9)
    appointment = desk.store.appointments(case.id)[0]
    op.reschedule_appointment(
        desk.as_("王芳"),
        appointment.id,
        starts_at=MONDAY + dt.timedelta(days=2, hours=14),
        ends_at=MONDAY + dt.timedelta(days=2, hours=15),
    )
    moved = desk.store.appointment(appointment.id)
    assert moved.starts_at == MONDAY + dt.timedelta(days=2, hours=14)
    assert desk.store.events(case.id)[-1].note == "上门改期：11-24 09:00–10:00 → 11-25 14:00–15:00"
    with pytest.raises(RuleError, match="结束时间必须晚于开始时间"):
        op.reschedule_appointment(
            desk.as_("王芳"), appointment.id, starts_at=moved.ends_at, ends_at=moved.starts_at
        )


def test_a_double_booking_is_found_but_back_to_back_visits_are_not(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    _visit(desk, case.id, "李强", day=1, hour=9)  # 09:00–10:00
    li = desk.staff["李强"].id
    tuesday = MONDAY + dt.timedelta(days=1)
    overlap = booking_conflicts(
        desk.store, li, tuesday.replace(hour=9, minute=30), tuesday.replace(hour=11)
    )
    assert [a.case_id for a in overlap] == [case.id]
    assert (
        booking_conflicts(desk.store, li, tuesday.replace(hour=10), tuesday.replace(hour=11)) == []
    )
    assert (
        booking_conflicts(
            desk.store, desk.staff["陈静"].id, tuesday.replace(hour=9), tuesday.replace(hour=10)
        )
        == []
    )
    own = overlap[0].id  # moving a visit never conflicts with itself
    assert (
        booking_conflicts(
            desk.store, li, tuesday.replace(hour=9), tuesday.replace(hour=10), ignore_id=own
        )
        == []
    )


def test_reminders_are_what_fell_due_since_the_last_look(desk: Desk) -> None:
    from showroom_cs.agenda import reminders

    case = desk.register()
    me = desk.staff["王芳"].id  # registered it; nobody owns it yet
    now = desk.clock.now()
    assert reminders(desk.store, me, now, now) == []
    desk.clock.advance(days=2, hours=6)  # 24 opening hours after Monday 10:00
    later = desk.clock.now()
    due = reminders(desk.store, me, now, later)
    assert [(i.case_id, i.title) for i in due] == [
        (case.id, f"首次响应截止 · {case.customer_name}")
    ]
    assert reminders(desk.store, me, later, later) == []  # already reminded
    assert [i.case_id for i in reminders(desk.store, me, None, later)] == [case.id]  # at start
    assert reminders(desk.store, desk.staff["李强"].id, now, later) == []
