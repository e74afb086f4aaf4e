"""The calendar's items: visits and due times inside the asked-for days only."""

from __future__ import annotations

import datetime as dt

from showroom_cs import operations as op
from showroom_cs.agenda import ItemKind, agenda
from showroom_cs.domain import AppointmentKind

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
    assert [c.title for c in calls] == ["进度回访截止 · 刘洋"]  # the day-5 progress call
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
    assert {i.case_id for i in theirs_only} == {theirs.id}


def test_a_closed_case_leaves_the_calendar(desk: Desk) -> None:
    case = desk.register()
    assert {i.case_id for i in agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now())} == {
        case.id
    }
    to_closed(desk, case)
    assert agenda(desk.store, MONDAY, NEXT_MONDAY, desk.clock.now()) == []
