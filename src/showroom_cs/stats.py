"""Figures for a period: what the 统计 page shows and the weekly summary reuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .domain import Stage
from .store import Store
from .store.rows import db_time


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    start: dt.datetime
    end: dt.datetime
    received: int
    closed: int
    invalid: int
    on_time_rate: float | None  # share of the period's time limits kept; None: none came up
    satisfaction: float | None  # average of the cases closed in the period
    overdue_now: int
    by_category: list[tuple[str, int]]
    by_stage: list[tuple[Stage, int]]


def period_bounds(name: str, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """本周 / 上周 / 本月 / 上月 as [start, end) in local time."""
    monday = today - dt.timedelta(days=today.weekday())
    first = today.replace(day=1)
    if name == "this_week":
        start, end = monday, monday + dt.timedelta(days=7)
    elif name == "last_week":
        start, end = monday - dt.timedelta(days=7), monday
    elif name == "this_month":
        start = first
        end = (first + dt.timedelta(days=32)).replace(day=1)
    elif name == "last_month":
        end = first
        start = (first - dt.timedelta(days=1)).replace(day=1)
    else:
        raise ValueError(name)
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time())


def summarise(
    store: Store, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> PeriodSummary:
    window = (db_time(start), db_time(end))
    received = int(
        store.scalar(
            "SELECT COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ? "
            "AND stage != 'voided'",
            window,
        )
    )
    closed_rows = store.query(
        "SELECT stage, COUNT(*), AVG(satisfaction) FROM cases "
        "WHERE closed_at >= ? AND closed_at < ? AND stage IN ('closed', 'invalid') GROUP BY stage",
        window,
    )
    closed = {row[0]: (row[1], row[2]) for row in closed_rows}
    # Kept: met in the period, in time. Missed: fell due in the period (by now)
    # without being met in time, and not called off before its due time.
    kept = int(
        store.scalar(
            "SELECT COUNT(*) FROM clocks WHERE met_at >= ? AND met_at < ? AND met_at <= due_at",
            window,
        )
    )
    missed = int(
        store.scalar(
            "SELECT COUNT(*) FROM clocks WHERE due_at >= ? AND due_at < ? AND due_at <= ? "
            "AND (met_at IS NULL OR met_at > due_at) "
            "AND (cancelled_at IS NULL OR cancelled_at > due_at)",
            (*window, db_time(now)),
        )
    )
    by_category = [
        (row[0], row[1])
        for row in store.query(
            "SELECT category, COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ? "
            "AND stage != 'voided' GROUP BY category ORDER BY COUNT(*) DESC",
            window,
        )
    ]
    by_stage = [
        (Stage(row[0]), row[1])
        for row in store.query(
            "SELECT stage, COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ? "
            "AND stage != 'voided' GROUP BY stage",
            window,
        )
    ]
    order = list(Stage)
    return PeriodSummary(
        start=start,
        end=end,
        received=received,
        closed=closed.get("closed", (0, None))[0],
        invalid=closed.get("invalid", (0, None))[0],
        on_time_rate=kept / (kept + missed) if kept + missed else None,
        satisfaction=closed.get("closed", (0, None))[1],
        overdue_now=int(
            store.scalar(
                "SELECT COUNT(*) FROM cases WHERE overdue = 1 AND stage NOT IN "
                "('closed', 'invalid', 'voided')"
            )
        ),
        by_category=by_category,
        by_stage=sorted(by_stage, key=lambda item: order.index(item[0])),
    )
