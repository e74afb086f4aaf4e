"""Follow-up calls planned into free calling-window slots, retried when
nobody answers, moved when the customer asks, and listed in 今日待办."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from showroom_cs import operations as op
from showroom_cs.agenda import ItemKind, agenda
from showroom_cs.domain import (
    AppointmentKind,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    EscalationLevel,
    Stage,
)
from showroom_cs.errors import RuleError
from showroom_cs.queries import todo_items

from .conftest import Desk
from .walk import follow_up, to_follow_up, to_investigating

MONDAY = dt.datetime(2026, 11, 23)  # the desk's clock stands at Monday 10:00


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return MONDAY + dt.timedelta(days=day, hours=hour, minutes=minute)


def _call(desk: Desk, case_id: int, kind: ClockKind):  # type: ignore[no-untyped-def]
    return next(c for c in desk.store.clocks(case_id, open_only=True) if c.kind == kind)


def _ring(desk: Desk, case_id: int, purpose: ContactPurpose, reached: bool, by: str = "王芳"):  # type: ignore[no-untyped-def]
    return op.record_contact(
        desk.as_(by),
        case_id,
        method=ContactMethod.PHONE,
        purpose=purpose,
        reached=reached,
        satisfaction=None,
    ).after


def test_progress_calls_line_up_in_the_first_free_slots_of_day_five(desk: Desk) -> None:
    first = desk.register(customer_phone="13800138001")
    second = desk.register(customer_phone="13800138002")
    by_other = desk.register(by="孙丽", customer_phone="13800138003")
    planned = [
        _call(desk, case.id, ClockKind.PROGRESS_CALL).planned_at
        for case in (first, second, by_other)
    ]
    # Day 5 counted from Monday is Friday; 王芳's two calls take consecutive
    # 10-minute slots, 孙丽 has her own first slot.
    assert planned == [at(4, 10, 30), at(4, 10, 40), at(4, 10, 30)]
    assert _call(desk, first.id, ClockKind.PROGRESS_CALL).due_at == at(4, 17, 30)


def test_a_full_morning_window_spills_into_the_afternoon(desk: Desk) -> None:
    # six 10-minute slots fit in 10:30–11:30
    cases = [desk.register(customer_phone=f"1380013810{n}") for n in range(7)]
    slots = [_call(desk, c.id, ClockKind.PROGRESS_CALL).planned_at for c in cases]
    assert slots[5] == at(4, 11, 20)
    assert slots[6] == at(4, 15, 0)
    assert len(set(slots)) == 7


def test_the_call_after_a_visit_is_next_day_and_avoids_the_callers_own_visits(
    desk: Desk,
) -> None:
    # 陈静 registered both at the counter, so she calls back; on Tuesday
    # morning she is out at the other customer's over the whole window.
    case = to_investigating(desk, desk.register(by="陈静"), owner="李强")
    other = to_investigating(desk, desk.register(by="陈静", customer_phone="13912345678"))
    op.schedule_visit(
        desk.as_("陈静"),
        other.id,
        staff_id=desk.staff["陈静"].id,
        starts_at=at(1, 10),
        ends_at=at(1, 12),
        kind=AppointmentKind.VISIT,
    )
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=at(0, 14),
        ends_at=at(0, 15),
    )
    desk.clock.set(at(0, 15, 10))
    visit = desk.store.appointments(case.id)[0]
    op.complete_visit(desk.as_("李强"), visit.id, note="已上门查看，铰链松动")
    call = _call(desk, case.id, ClockKind.FOLLOW_UP_CALL)
    assert call.due_at == at(1, 17, 30)  # next day, by the end of its last window
    assert call.planned_at == at(1, 15, 0)  # the morning window is spent at the other visit


def test_an_unanswered_call_is_tried_again_in_the_next_window(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    desk.clock.set(at(0, 10, 45))  # inside the morning window
    _ring(desk, case.id, ContactPurpose.FOLLOW_UP, reached=False)
    retry = _call(desk, case.id, ClockKind.FOLLOW_UP_CALL)
    assert retry.planned_at == at(0, 15, 0)
    assert retry.due_at == at(1, 17, 30)
    assert desk.store.events(case.id)[-1].note.endswith("11-23 15:00 再打")
    desk.clock.set(at(0, 16, 5))  # nobody again, in the afternoon: tomorrow morning
    _ring(desk, case.id, ContactPurpose.FOLLOW_UP, reached=False)
    assert _call(desk, case.id, ClockKind.FOLLOW_UP_CALL).planned_at == at(1, 10, 30)
    assert desk.case(case.id).stage == Stage.FOLLOW_UP


def test_an_unanswered_progress_call_gets_a_callback_that_the_next_call_answers(
    desk: Desk,
) -> None:
    case = to_investigating(desk, desk.register())
    desk.clock.set(at(4, 10, 32))
    _ring(desk, case.id, ContactPurpose.PROGRESS, reached=False, by="李强")
    callback = _call(desk, case.id, ClockKind.FOLLOW_UP_CALL)
    assert callback.planned_at == at(4, 15, 0)
    assert not any(
        c.kind == ClockKind.PROGRESS_CALL for c in desk.store.clocks(case.id, open_only=True)
    )
    desk.clock.set(at(4, 15, 3))
    _ring(desk, case.id, ContactPurpose.PROGRESS, reached=True, by="李强")
    assert not any(
        c.kind == ClockKind.FOLLOW_UP_CALL for c in desk.store.clocks(case.id, open_only=True)
    )


def test_dissatisfaction_sends_the_case_back_and_escalates(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    after = follow_up(desk, case, satisfaction=2)
    assert after.stage == Stage.IN_PROGRESS
    assert after.escalation_level == EscalationLevel.SUPERVISOR
    assert any(c.kind == ClockKind.FEEDBACK for c in desk.store.clocks(case.id, open_only=True))


def test_moving_a_call_keeps_its_due_time_and_the_timeline_says_so(desk: Desk) -> None:
    case = desk.register()
    call = _call(desk, case.id, ClockKind.PROGRESS_CALL)
    op.move_call(desk.as_("王芳"), call.id, planned_at=at(4, 19, 0))
    moved = _call(desk, case.id, ClockKind.PROGRESS_CALL)
    assert moved.planned_at == at(4, 19, 0) and moved.due_at == call.due_at
    note = desk.store.events(case.id)[-1].note
    assert note.startswith("进度回访改约：11-27 10:30 → 11-27 19:00")
    assert "回访时段以外" in note  # the customer's own time, outside the windows
    with pytest.raises(RuleError, match="已经过去"):
        op.move_call(desk.as_("王芳"), call.id, planned_at=at(0, 8, 0))
    _ring(desk, case.id, ContactPurpose.PROGRESS, reached=True)
    with pytest.raises(RuleError, match="已经打过"):
        op.move_call(desk.as_("王芳"), call.id, planned_at=at(4, 15, 0))


def test_the_calendar_shows_calls_at_their_slot_and_today_lists_them(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register(customer_name="刘洋"))
    call = _call(desk, case.id, ClockKind.FOLLOW_UP_CALL)
    op.move_call(desk.as_("王芳"), call.id, planned_at=at(0, 15, 0))  # the customer asked for today
    items = agenda(desk.store, MONDAY, MONDAY + dt.timedelta(days=7), desk.clock.now())
    calls = [i for i in items if i.kind == ItemKind.CALL]
    assert [(i.starts_at, i.due_at, i.title) for i in calls] == [
        (at(0, 15, 0), call.due_at, "回访 · 刘洋")
    ]
    clerk = desk.staff["王芳"]  # she registered it: the call is hers
    todo = todo_items(desk.store, clerk, desk.clock.now())
    assert [t.what for t in todo if t.case_id == case.id] == ["回访（约 15:00 打）"]
    owner = desk.store.staff_member(desk.case(case.id).owner_id or 0)
    assert not [t for t in todo_items(desk.store, owner, desk.clock.now()) if "回访" in t.what]
    desk.clock.set(at(1, 17, 31))  # missed: now the owner sees it too, in red
    missed = [t for t in todo_items(desk.store, owner, desk.clock.now()) if "回访" in t.what]
    assert [(t.what, t.overdue) for t in missed] == [("回访", True)]
    follow_up(desk, desk.case(case.id))  # made late, but made
    assert not [t for t in todo_items(desk.store, clerk, desk.clock.now()) if "回访" in t.what]


def test_a_busy_clerks_calls_never_share_a_slot(desk: Desk) -> None:
    # 60 cases at once: nearly three days of slots (21 a day).
    cases = [desk.register(customer_phone=f"138{n:08d}") for n in range(60)]
    slots = sorted(_call(desk, c.id, ClockKind.PROGRESS_CALL).planned_at for c in cases)
    length = dt.timedelta(minutes=desk.store.settings().call_minutes)
    assert all(later >= earlier + length for earlier, later in itertools.pairwise(slots))
    assert slots[0] == at(4, 10, 30) and slots[20] == at(4, 17, 20)
    assert slots[21] == at(5, 10, 30)  # the next day's first slot
