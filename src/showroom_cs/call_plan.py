"""Where a follow-up call goes: the first free slot in a calling window.

Seed 004 has calls made only in the calling windows (10:30–11:30 and
15:00–17:30 by default). Each call due gets a slot of `call_minutes` in the
windows of the person responsible for the case, skipping slots already given
to their other calls and the time they are out on a home visit, so a day's
calls line up one after another instead of piling onto the window's end.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left

from . import sla
from .settings import Settings
from .store import Store
from .store.rows import db_time

CALL_CLOCKS = ("progress_call", "follow_up_call")
# Slots are searched this far ahead; past it the first slot is given even if taken.
_HORIZON = dt.timedelta(days=15)


def free_call_slot(
    store: Store,
    settings: Settings,
    staff_id: int,
    earliest: dt.datetime,
    *,
    ignore_clock_id: int | None = None,
) -> dt.datetime:
    """The first slot at or after `earliest` that this person has free."""
    length = dt.timedelta(minutes=settings.call_minutes)
    window = (db_time(earliest - length), db_time(earliest + _HORIZON))
    busy: list[tuple[dt.datetime, dt.datetime]] = []
    for row in store.query(
        "SELECT k.planned_at FROM clocks k JOIN cases c ON c.id = k.case_id "
        "WHERE k.planned_at > ? AND k.planned_at < ? "
        "AND k.met_at IS NULL AND k.cancelled_at IS NULL AND k.id IS NOT ? "
        "AND c.received_by = ?",
        (*window, ignore_clock_id, staff_id),
    ):
        start = dt.datetime.fromisoformat(row[0])
        busy.append((start, start + length))
    for row in store.query(
        "SELECT starts_at, ends_at FROM appointments WHERE staff_id = ? "
        "AND status = 'planned' AND ends_at > ? AND starts_at < ?",
        (staff_id, *window),
    ):
        busy.append((dt.datetime.fromisoformat(row[0]), dt.datetime.fromisoformat(row[1])))
    # Sorted by start, each slot looks only at the busy spans that could reach
    # it (a busy clerk has hundreds of calls planned: no scan of them all).
    busy.sort()
    starts = [start for start, _ in busy]
    longest = max((end - start for start, end in busy), default=length)
    first: dt.datetime | None = None
    for slot in sla.call_slots(earliest, settings):
        first = first or slot
        near = busy[bisect_left(starts, slot - longest) : bisect_left(starts, slot + length)]
        if not any(slot < end for _, end in near):
            return slot
    # Two weeks fully booked: better a double-booked slot than no plan at all.
    return first or earliest


def caller_of(store: Store, case_id: int) -> int:
    """Who makes a case's calls: the staff member who registered it."""
    return int(store.scalar("SELECT received_by FROM cases WHERE id = ?", (case_id,)))
