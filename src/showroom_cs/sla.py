"""Time limits: when each clock of a case falls due, and when calls may be made.

Pure functions of (clock kind, start, severity, settings), so due times can be
recomputed whenever the SLA table, the severity or the showroom's calendar
changes.

The showroom's calendar is its opening hours on its opening days (not a
closed weekday, not a closed date such as a holiday or stock-taking).

- A limit that runs in opening hours (营业时间内计时, `opening_hours_limits`)
  counts only the time the showroom is open: it pauses at closing time, on
  closed days and dates, and never falls due while the shop is closed.
  首次响应 and 上门 count hours from receipt; 整改反馈 counts days from
  assignment, a day being a whole opening day's hours.
- A limit that runs around the clock (全天计时) counts wall-clock hours and
  days: the customer waits through the night too.
- 进度回访 falls on the Nth day counted from receipt (receipt day = day 1),
  and 回访 on the day after the visit or rectification; calls are due by the
  end of the last calling window of that day (seed 004), moved to the next
  opening day when the shop is closed.
- 复核问题整改 is due by closing time the same day (a review written after
  closing leaves the next opening day); around the clock, by midnight.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from .domain import ClockKind, Severity
from .settings import Settings

_CALL_CLOCKS = (ClockKind.PROGRESS_CALL, ClockKind.FOLLOW_UP_CALL)
# How far ahead an opening day is looked for: a showroom closed for longer
# than this would never see a limit fall due (validation keeps it open).
_SEARCH_DAYS = 400


def is_opening_day(day: dt.date, settings: Settings) -> bool:
    return day.weekday() not in settings.closed_weekdays and day not in settings.closed_dates


def next_opening_day(day: dt.date, settings: Settings) -> dt.date:
    """`day` itself when the shop opens that day, else the next day it does."""
    for offset in range(_SEARCH_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if is_opening_day(candidate, settings):
            return candidate
    raise ValueError("no opening day ahead")  # validate_settings forbids this


def is_open(moment: dt.datetime, settings: Settings) -> bool:
    """Whether the showroom is open at `moment`."""
    opens, closes = settings.opening_hours
    return is_opening_day(moment.date(), settings) and opens <= moment.time() < closes


def add_opening_time(start: dt.datetime, span: dt.timedelta, settings: Settings) -> dt.datetime:
    """The moment `span` of opening time after `start`: the hours the shop is
    closed do not count. Time left at closing carries over to the next opening
    day; a span that ends exactly at closing time falls due at closing time."""
    opens, closes = settings.opening_hours
    left = span
    for offset in range(_SEARCH_DAYS):
        day = start.date() + dt.timedelta(days=offset)
        if not is_opening_day(day, settings):
            continue
        begin = max(start, dt.datetime.combine(day, opens))
        end = dt.datetime.combine(day, closes)
        if begin >= end:
            continue
        if left <= end - begin:
            return begin + left
        left -= end - begin
    raise ValueError("no opening time ahead")


def opening_day_length(settings: Settings) -> dt.timedelta:
    opens, closes = settings.opening_hours
    return dt.datetime.combine(dt.date.min, closes) - dt.datetime.combine(dt.date.min, opens)


def _last_window_end(settings: Settings) -> dt.time:
    return max(end for _, end in settings.calling_windows)


def due_at(
    kind: ClockKind, started_at: dt.datetime, severity: Severity, settings: Settings
) -> dt.datetime:
    value = settings.sla_value(kind, severity)
    in_opening_hours = kind in settings.opening_hours_limits
    if kind in (ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT):
        span = dt.timedelta(hours=value)
        return (
            add_opening_time(started_at, span, settings) if in_opening_hours else started_at + span
        )
    if kind == ClockKind.FEEDBACK:
        if in_opening_hours:
            return add_opening_time(started_at, value * opening_day_length(settings), settings)
        return started_at + dt.timedelta(days=value)
    if kind in _CALL_CLOCKS:
        offset = value - 1 if kind == ClockKind.PROGRESS_CALL else value
        return _end_of_calling_day(started_at, offset, settings)
    if kind == ClockKind.REVIEW_FIX:
        if not in_opening_hours:  # by midnight of that day
            return dt.datetime.combine(started_at.date() + dt.timedelta(days=value + 1), dt.time())
        closes = settings.opening_hours[1]
        day = next_opening_day(started_at.date() + dt.timedelta(days=value), settings)
        due = dt.datetime.combine(day, closes)
        if due <= started_at:
            day = next_opening_day(day + dt.timedelta(days=1), settings)
            due = dt.datetime.combine(day, closes)
        return due
    raise ValueError(f"unknown clock {kind}")


def _end_of_calling_day(
    started_at: dt.datetime, offset_days: int, settings: Settings
) -> dt.datetime:
    last_end = _last_window_end(settings)
    day = next_opening_day(started_at.date() + dt.timedelta(days=offset_days), settings)
    due = dt.datetime.combine(day, last_end)
    if due <= started_at:
        # Too late for any call that day: the next opening day's windows.
        day = next_opening_day(day + dt.timedelta(days=1), settings)
        due = dt.datetime.combine(day, last_end)
    return due


def call_slots(after: dt.datetime, settings: Settings) -> Iterator[dt.datetime]:
    """Starts of the call slots (each `call_minutes` long, counted from the start
    of its window and ending inside it) that begin at or after `after`, over
    the next two weeks of opening days."""
    length = dt.timedelta(minutes=settings.call_minutes)
    windows = sorted(settings.calling_windows)
    for offset in range(15):
        day = after.date() + dt.timedelta(days=offset)
        if not is_opening_day(day, settings):
            continue
        for start, end in windows:
            slot = dt.datetime.combine(day, start)
            finish = dt.datetime.combine(day, end)
            while slot + length <= finish:
                if slot >= after:
                    yield slot
                slot += length


def end_of_calling_window(moment: dt.datetime, settings: Settings) -> dt.datetime:
    """The end of the calling window `moment` falls in; `moment` itself outside one."""
    if in_calling_window(moment, settings):
        for start, end in settings.calling_windows:
            if start <= moment.time() < end:
                return dt.datetime.combine(moment.date(), end)
    return moment


def in_calling_window(moment: dt.datetime, settings: Settings) -> bool:
    if not is_opening_day(moment.date(), settings):
        return False
    return any(start <= moment.time() < end for start, end in settings.calling_windows)


def describe_remaining(due: dt.datetime, now: dt.datetime) -> str:
    """`剩 1小时20分` before the due time, `超时 3小时` after it (kanban cards)."""
    seconds = int((due - now).total_seconds())
    text = _duration_text(abs(seconds))
    return f"剩 {text}" if seconds >= 0 else f"超时 {text}"


def describe_remaining_short(due: dt.datetime, now: dt.datetime) -> str:
    """The card form: `剩1时20分`, `超5天3时`."""
    seconds = int((due - now).total_seconds())
    text = _duration_text(abs(seconds)).replace("小时", "时")
    return f"剩{text}" if seconds >= 0 else f"超{text}"


def _duration_text(seconds: int) -> str:
    minutes = seconds // 60
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{max(mins, 1)}分" if seconds else "0分"
