"""Time limits on a controllable clock: due times, calling windows, day boundaries, escalation."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs import sla
from showroom_cs.domain import ClockKind, ContactMethod, ContactPurpose, Severity, Stage
from showroom_cs.errors import RuleError
from showroom_cs.settings import Settings, validate_settings

from .conftest import Desk
from .walk import to_follow_up, to_in_progress, to_investigating

S = Settings()
MON = dt.datetime(2026, 11, 23, 10, 0)


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in the week of Monday 2026-11-23 (day 0 = Monday)."""
    return dt.datetime(2026, 11, 23 + day, hour, minute)


AROUND_THE_CLOCK = dataclasses.replace(S, opening_hours_limits=frozenset())


@pytest.mark.parametrize(
    ("severity", "due"),
    [
        (Severity.URGENT, at(0, 12)),
        (Severity.IMPORTANT, at(0, 18)),  # 8 opening hours from 10:00: closing time
        (Severity.NORMAL, at(2, 16)),  # 8 + 9 + 7 opening hours
    ],
)
def test_first_contact_counts_opening_hours_per_severity(
    severity: Severity, due: dt.datetime
) -> None:
    assert sla.due_at(ClockKind.FIRST_CONTACT, MON, severity, S) == due


@pytest.mark.parametrize(
    ("severity", "hours"), [(Severity.URGENT, 2), (Severity.IMPORTANT, 8), (Severity.NORMAL, 24)]
)
def test_around_the_clock_first_contact_counts_wall_clock_hours(
    severity: Severity, hours: int
) -> None:
    due = sla.due_at(ClockKind.FIRST_CONTACT, MON, severity, AROUND_THE_CLOCK)
    assert due == MON + dt.timedelta(hours=hours)


def test_home_visit_and_feedback_limits() -> None:
    # 48 opening hours from Monday 10:00: 8 + 9 + 9 + 9 + 9, then 4 on Saturday.
    assert sla.due_at(ClockKind.HOME_VISIT, MON, Severity.IMPORTANT, S) == at(5, 13)
    # 3 days of opening time (27 hours) from Monday 10:00: Thursday 10:00.
    assert sla.due_at(ClockKind.FEEDBACK, MON, Severity.NORMAL, S) == at(3, 10)
    assert sla.due_at(ClockKind.HOME_VISIT, MON, Severity.IMPORTANT, AROUND_THE_CLOCK) == at(2, 10)


def test_progress_call_is_due_by_the_last_calling_window_of_day_five() -> None:
    # Received Monday = day 1, so day 5 is Friday; the last window ends 17:30.
    assert sla.due_at(ClockKind.PROGRESS_CALL, at(0, 19, 30), Severity.NORMAL, S) == at(4, 17, 30)


def test_follow_up_call_is_due_the_next_opening_day_by_the_calling_window() -> None:
    assert sla.due_at(ClockKind.FOLLOW_UP_CALL, at(0, 16), Severity.NORMAL, S) == at(1, 17, 30)
    # Just before midnight still counts as that day: next day's window.
    assert sla.due_at(ClockKind.FOLLOW_UP_CALL, at(0, 23, 59), Severity.URGENT, S) == at(1, 17, 30)


def test_closed_weekdays_move_call_deadlines_to_the_next_opening_day() -> None:
    closed_tuesday = dataclasses.replace(S, closed_weekdays=frozenset({1}))
    assert sla.due_at(ClockKind.FOLLOW_UP_CALL, at(0, 16), Severity.NORMAL, closed_tuesday) == (
        at(2, 17, 30)
    )


def test_failed_review_items_are_due_at_closing_the_same_day_or_the_next() -> None:
    assert sla.due_at(ClockKind.REVIEW_FIX, at(0, 14), Severity.NORMAL, S) == at(0, 18)
    assert sla.due_at(ClockKind.REVIEW_FIX, at(0, 18, 30), Severity.NORMAL, S) == at(1, 18)


@pytest.mark.parametrize(
    ("after", "slot"),
    [
        (at(0, 9, 0), at(0, 10, 30)),  # before the first window: its start
        (at(0, 10, 40), at(0, 10, 40)),  # on a slot's start: that slot
        (at(0, 10, 45), at(0, 10, 50)),  # inside a slot: the next whole one
        (at(0, 11, 25), at(0, 15, 0)),  # the last slot would overrun: next window
        (at(0, 17, 30), at(1, 10, 30)),  # after the last window: tomorrow morning
        (at(0, 23, 0), at(1, 10, 30)),
    ],
)
def test_call_slots_are_whole_slots_inside_calling_windows(
    after: dt.datetime, slot: dt.datetime
) -> None:
    slots = list(sla.call_slots(after, S))
    assert slots[0] == slot
    length = dt.timedelta(minutes=S.call_minutes)
    for start in slots:
        assert sla.in_calling_window(start, S)
        assert sla.in_calling_window(start + length - dt.timedelta(seconds=1), S)
    # 6 slots in 10:30–11:30 and 15 in 15:00–17:30, every day of two weeks
    assert len(slots) >= 14 * 21


def test_a_call_not_reached_in_a_window_is_tried_again_in_the_next() -> None:
    assert sla.end_of_calling_window(at(0, 10, 45), S) == at(0, 11, 30)
    assert sla.end_of_calling_window(at(0, 16, 0), S) == at(0, 17, 30)
    assert sla.end_of_calling_window(at(0, 13, 0), S) == at(0, 13, 0)


def test_describe_remaining_says_left_or_overdue() -> None:
    assert sla.describe_remaining(at(0, 11, 20), at(0, 10)) == "剩 1小时20分"
    assert sla.describe_remaining(at(0, 10), at(0, 13)) == "超时 3小时"
    assert sla.describe_remaining(at(2, 10), at(0, 10)) == "剩 2天"
    assert sla.describe_remaining_short(at(0, 10), at(3, 13)) == "超3天3时"
    assert sla.describe_remaining_short(at(0, 11, 20), at(0, 10)) == "剩1时20分"


def test_settings_refuse_windows_outside_opening_hours_and_overlaps() -> None:
    with pytest.raises(RuleError, match="超出了营业时间"):
        validate_settings(dataclasses.replace(S, calling_windows=((dt.time(8), dt.time(9)),)))
    overlapping = ((dt.time(10), dt.time(12)), (dt.time(11), dt.time(13)))
    with pytest.raises(RuleError, match="不能重叠"):
        validate_settings(dataclasses.replace(S, calling_windows=overlapping))
    negative = {**S.sla, ClockKind.FEEDBACK: {s: -1 for s in Severity}}
    with pytest.raises(RuleError, match="不能为负数"):
        validate_settings(dataclasses.replace(S, sla=negative))
    validate_settings(S)


# ---------------------------------------------------- clocks on real cases


def test_a_missed_clock_marks_overdue_and_escalates_once(desk: Desk) -> None:
    case = desk.register(severity=Severity.URGENT)
    assert case.next_due_kind == ClockKind.FIRST_CONTACT
    assert case.next_due_at == desk.clock.now() + dt.timedelta(hours=2)
    desk.clock.advance(hours=1, minutes=59)
    assert op.check_clocks(desk.system) == []
    desk.clock.advance(minutes=1)
    changes = op.check_clocks(desk.system)
    assert [c.after.id for c in changes] == [case.id]
    case = desk.case(case.id)
    assert case.overdue and case.escalation_level == 1
    assert "首次响应超时" in desk.store.events(case.id)[-1].note
    assert op.check_clocks(desk.system) == []  # idempotent
    # Making contact late clears the red flag but keeps the escalation on record.
    case = op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    ).after
    assert not case.overdue and case.escalation_level == 1


def test_unreached_first_contact_does_not_stop_the_clock(desk: Desk) -> None:
    case = desk.register(severity=Severity.URGENT)
    op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=False,
    )
    open_kinds = {c.kind for c in desk.store.clocks(case.id, open_only=True)}
    assert ClockKind.FIRST_CONTACT in open_kinds


def test_escalation_on_breach_can_be_switched_off_per_clock(desk: Desk) -> None:
    settings = desk.store.settings()
    flags = {**settings.escalate_on_breach, ClockKind.FIRST_CONTACT: False}
    with desk.store.transaction():
        desk.store.write_settings(dataclasses.replace(settings, escalate_on_breach=flags))
    case = desk.register(severity=Severity.URGENT)
    desk.clock.advance(hours=3)
    op.check_clocks(desk.system)
    case = desk.case(case.id)
    assert case.overdue and case.escalation_level == 0


def test_each_missed_clock_escalates_one_level_up_to_the_owner(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(severity=Severity.URGENT, needs_visit=True))
    levels = []
    for moment in (at(1, 10), at(3, 12), at(5, 10)):
        desk.clock.set(moment)
        op.check_clocks(desk.system)
        levels.append(desk.case(case.id).escalation_level.label)
    # Day 1: first contact missed (Monday 12:00); day 3: the visit (24 opening
    # hours: Wednesday 16:00) and feedback (Thursday 10:00); day 5: the call.
    assert levels == ["客服主管", "老板", "老板"]
    last = desk.store.events(case.id)[-1]
    assert "进度回访超时" in last.note and "已是最高级别" in last.note


def test_severity_change_moves_open_due_times(desk: Desk) -> None:
    case = desk.register(severity=Severity.NORMAL)
    assert case.next_due_at == at(2, 16)  # 24 opening hours
    case = op.edit_case(desk.as_("王芳"), case.id, {"severity": Severity.URGENT}).after
    assert case.next_due_at == desk.clock.now() + dt.timedelta(hours=2)
    assert desk.store.events(case.id)[-1].changes["severity"] == ("normal", "urgent")


def test_needs_visit_starts_and_stops_the_visit_clock(desk: Desk) -> None:
    case = desk.register(needs_visit=True, severity=Severity.IMPORTANT)
    visit = next(c for c in desk.store.clocks(case.id) if c.kind == ClockKind.HOME_VISIT)
    assert visit.due_at == at(5, 13)  # 48 opening hours
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=at(1, 9, 30),
        ends_at=at(1, 10, 30),
    )
    visit = next(c for c in desk.store.clocks(case.id) if c.kind == ClockKind.HOME_VISIT)
    assert visit.met_at == desk.clock.now()


def test_a_visit_needs_an_address(desk: Desk) -> None:
    case = desk.register(customer_address="")
    with pytest.raises(RuleError, match="上门需要客户地址"):
        op.schedule_visit(
            desk.as_("李强"),
            case.id,
            staff_id=desk.staff["李强"].id,
            starts_at=at(1, 9),
            ends_at=at(1, 10),
        )


def test_completed_visit_asks_for_a_follow_up_call_next_day(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(needs_visit=True))
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=at(0, 14),
        ends_at=at(0, 15),
    )
    desk.clock.set(at(0, 15, 10))
    appointment = desk.store.appointments(case.id)[0]
    op.complete_visit(desk.as_("李强"), appointment.id, note="铰链松动")
    calls = [
        c for c in desk.store.clocks(case.id, open_only=True) if c.kind == ClockKind.FOLLOW_UP_CALL
    ]
    assert calls and calls[0].due_at == at(1, 17, 30)


def test_feedback_clock_runs_three_days_from_assignment(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    feedback = next(c for c in desk.store.clocks(case.id) if c.kind == ClockKind.FEEDBACK)
    assert feedback.due_at == desk.clock.now() + dt.timedelta(days=3)
    desk.clock.advance(days=2)
    to_in_progress(desk, case)
    op.report_progress(desk.as_("李强"), case.id, done="已订配件", outstanding="等待到货")
    feedback = next(c for c in desk.store.clocks(case.id) if c.kind == ClockKind.FEEDBACK)
    assert feedback.met_at == desk.clock.now()


def test_progress_call_is_cancelled_once_the_job_is_done(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    progress = next(c for c in desk.store.clocks(case.id) if c.kind == ClockKind.PROGRESS_CALL)
    assert progress.cancelled_at is not None
    assert case.stage == Stage.FOLLOW_UP
    # Nobody has spoken to the customer yet: first contact still runs, beside the follow-up.
    running = {c.kind for c in desk.store.clocks(case.id, open_only=True)}
    assert running == {ClockKind.FIRST_CONTACT, ClockKind.FOLLOW_UP_CALL}


def test_overdue_cases_are_those_the_sweep_found_missed(desk: Desk) -> None:
    from showroom_cs.queries import overdue_cases

    desk.register(severity=Severity.URGENT)
    desk.register(severity=Severity.NORMAL, customer_phone="13912345678")
    assert overdue_cases(desk.store) == 0
    desk.clock.advance(hours=3)
    op.check_clocks(op.Context(desk.store, desk.clock, None))
    assert overdue_cases(desk.store) == 1


# ------------------------------------------------ the showroom's calendar


CLOSED_WEDNESDAY = dataclasses.replace(S, closed_weekdays=frozenset({2}))
STOCK_TAKING = dataclasses.replace(S, closed_dates=frozenset({dt.date(2026, 11, 24)}))


def test_an_eight_hour_limit_pauses_over_a_closed_weekday() -> None:
    # Started Tuesday 17:00: one hour that evening, Wednesday closed, seven on Thursday.
    due = sla.due_at(ClockKind.FIRST_CONTACT, at(1, 17), Severity.IMPORTANT, CLOSED_WEDNESDAY)
    assert due == at(3, 16)


def test_an_eight_hour_limit_pauses_over_a_closed_date() -> None:
    due = sla.due_at(ClockKind.FIRST_CONTACT, at(0, 17), Severity.IMPORTANT, STOCK_TAKING)
    assert due == at(2, 16)  # Tuesday is stock-taking
    assert not sla.is_opening_day(dt.date(2026, 11, 24), STOCK_TAKING)


def test_around_the_clock_a_closed_day_changes_nothing() -> None:
    due = sla.due_at(
        ClockKind.FIRST_CONTACT,
        at(1, 17),
        Severity.IMPORTANT,
        dataclasses.replace(CLOSED_WEDNESDAY, opening_hours_limits=frozenset()),
    )
    assert due == at(2, 1)


def test_a_limit_ending_at_closing_time_falls_due_at_closing_time() -> None:
    assert sla.due_at(ClockKind.FIRST_CONTACT, at(0, 16), Severity.URGENT, S) == at(0, 18)
    assert sla.is_open(at(0, 17, 59), S) and not sla.is_open(at(0, 18), S)


def test_counting_starts_with_the_first_opening_hour() -> None:
    # Taken at 08:30 before opening, or at 18:30 after closing: from 09:00.
    assert sla.due_at(ClockKind.FIRST_CONTACT, at(1, 8, 30), Severity.URGENT, S) == at(1, 11)
    assert sla.due_at(ClockKind.FIRST_CONTACT, at(0, 18, 30), Severity.URGENT, S) == at(1, 11)


def test_no_limit_in_opening_hours_ever_falls_due_while_closed() -> None:
    calendar = dataclasses.replace(
        S, closed_weekdays=frozenset({6}), closed_dates=frozenset({dt.date(2026, 11, 25)})
    )
    for start_hour in range(0, 24):
        for day in range(7):
            start = at(day, start_hour)
            for kind in (ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT, ClockKind.FEEDBACK):
                for severity in Severity:
                    due = sla.due_at(kind, start, severity, calendar)
                    assert sla.is_open(due - dt.timedelta(minutes=1), calendar), (kind, start, due)


def test_failed_review_items_around_the_clock_are_due_by_midnight() -> None:
    calendar = dataclasses.replace(S, opening_hours_limits=frozenset())
    assert sla.due_at(ClockKind.REVIEW_FIX, at(0, 14), Severity.NORMAL, calendar) == at(1, 0)
