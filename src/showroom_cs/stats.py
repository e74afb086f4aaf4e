"""Figures for a period: what the 统计 page shows and the weekly summary reuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .domain import ClockKind, Stage
from .queries import overdue_cases, received_between
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
    received = received_between(store, start, end)
    closed_rows = store.query(
        "SELECT stage, COUNT(*), AVG(satisfaction) FROM cases "
        "WHERE closed_at >= ? AND closed_at < ? AND +stage IN ('closed', 'invalid') GROUP BY stage",
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
        overdue_now=overdue_cases(store),
        by_category=by_category,
        by_stage=sorted(by_stage, key=lambda item: order.index(item[0])),
    )


# ------------------------------------------------------------ the full report

# A voided case was entered by mistake: its clocks say nothing about service.
_NOT_VOIDED = "c.stage != 'voided'"
DIMENSIONS = {
    "category": "投诉类别",
    "severity": "严重程度",
    "product_category": "产品品类",
    "channel": "受理渠道",
    "department": "责任部门",
    "stage": "当前阶段",
}


@dataclass(frozen=True, slots=True)
class RangeReport:
    """Everything the 统计 page shows for a date range, aggregated in SQL."""

    summary: PeriodSummary
    counts: dict[str, list[tuple[str, int]]]  # dimension -> (key, count), largest first
    valid_rate: float | None
    on_time_by_clock: list[tuple[ClockKind, int, int]]  # kind, kept, missed
    first_contact_hours: tuple[float, float] | None  # median, P90
    close_days: tuple[float, float] | None
    satisfaction: list[tuple[int, int]]  # score, count (5 … 1)
    escalated: int
    reopen_rate: float | None
    top_brands: list[tuple[str, int]]


def _percentiles(values: list[float]) -> tuple[float, float] | None:
    if not values:
        return None
    ordered = sorted(values)

    def at(share: float) -> float:
        position = share * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(0.5), at(0.9)


def report(store: Store, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> RangeReport:
    window = (db_time(start), db_time(end))
    received = "received_at >= ? AND received_at < ? AND stage != 'voided'"
    counts = {
        dimension: [
            (str(row[0] or ""), int(row[1]))
            for row in store.query(
                f"SELECT {dimension}, COUNT(*) FROM cases WHERE {received} "
                f"GROUP BY {dimension} ORDER BY COUNT(*) DESC, {dimension}",
                window,
            )
        ]
        for dimension in DIMENSIONS
    }
    verdicts = store.query_one(
        f"SELECT SUM(valid = 1), SUM(valid IS NOT NULL) FROM cases WHERE {received}", window
    )
    judged = int(verdicts[1] or 0) if verdicts else 0
    valid_rate = int(verdicts[0] or 0) / judged if verdicts and judged else None
    kept = {
        row[0]: row[1]
        for row in store.query(
            "SELECT k.kind, COUNT(*) FROM clocks k JOIN cases c ON c.id = k.case_id "
            "WHERE k.met_at >= ? AND k.met_at < ? AND k.met_at <= k.due_at "
            f"AND {_NOT_VOIDED} GROUP BY k.kind",
            window,
        )
    }
    missed = {
        row[0]: row[1]
        for row in store.query(
            "SELECT k.kind, COUNT(*) FROM clocks k JOIN cases c ON c.id = k.case_id "
            "WHERE k.due_at >= ? AND k.due_at < ? AND k.due_at <= ? "
            "AND (k.met_at IS NULL OR k.met_at > k.due_at) "
            "AND (k.cancelled_at IS NULL OR k.cancelled_at > k.due_at) "
            f"AND {_NOT_VOIDED} GROUP BY k.kind",
            (*window, db_time(now)),
        )
    }
    on_time = [(kind, kept.get(kind.value, 0), missed.get(kind.value, 0)) for kind in ClockKind]
    first_contact = [
        float(row[0])
        for row in store.query(
            # First reached call, visit or face-to-face settlement, kept on the case.
            "SELECT (julianday(first_contact_at) - julianday(received_at)) * 24 FROM cases"
            " WHERE received_at >= ? AND received_at < ? AND stage != 'voided'"
            " AND first_contact_at IS NOT NULL",
            window,
        )
    ]
    close_days = [
        float(row[0])
        for row in store.query(
            "SELECT julianday(closed_at) - julianday(received_at) FROM cases "
            "WHERE closed_at >= ? AND closed_at < ? AND +stage IN ('closed', 'invalid')",
            window,
        )
    ]
    satisfaction = [
        (int(row[0]), int(row[1]))
        for row in store.query(
            "SELECT satisfaction, COUNT(*) FROM cases WHERE closed_at >= ? AND closed_at < ? "
            "AND +stage = 'closed' AND satisfaction IS NOT NULL GROUP BY satisfaction "
            "ORDER BY satisfaction DESC",
            window,
        )
    ]
    escalated = int(
        store.scalar(
            f"SELECT COUNT(*) FROM cases WHERE {received} AND escalation_level > 0", window
        )
    )
    reopened = store.query_one(
        "SELECT SUM(reopen_count > 0), COUNT(*) FROM cases WHERE closed_at >= ? AND closed_at < ? "
        "AND +stage = 'closed'",
        window,
    )
    reopen_rate = (int(reopened[0] or 0) / int(reopened[1])) if reopened and reopened[1] else None
    top_brands = [
        (str(row[0]), int(row[1]))
        for row in store.query(
            f"SELECT brand_model, COUNT(*) FROM cases WHERE {received} AND brand_model != '' "
            "GROUP BY brand_model ORDER BY COUNT(*) DESC, brand_model LIMIT 10",
            window,
        )
    ]
    return RangeReport(
        summary=summarise(store, start, end, now),
        counts=counts,
        valid_rate=valid_rate,
        on_time_by_clock=on_time,
        first_contact_hours=_percentiles(first_contact),
        close_days=_percentiles(close_days),
        satisfaction=satisfaction,
        escalated=escalated,
        reopen_rate=reopen_rate,
        top_brands=top_brands,
    )


def causes_by_month(
    store: Store, first_month: dt.date, months: int
) -> list[tuple[str, list[tuple[str, int]]]]:
    """Per month from `first_month` (newest first, months with none left out):
    the cause categories of the cases closed that month, most frequent first —
    what to fix first."""
    result = []
    start = dt.datetime.combine(first_month.replace(day=1), dt.time())
    for _ in range(months):
        end = (start + dt.timedelta(days=32)).replace(day=1)
        causes = causes_between(store, start, end)
        if causes:
            result.append((f"{start:%Y-%m}", causes))
        start = end
    return result[::-1]


def causes_between(store: Store, start: dt.datetime, end: dt.datetime) -> list[tuple[str, int]]:
    """The cause categories of the cases closed in [start, end), most frequent first."""
    rows = store.query(
        "SELECT cause_key, COUNT(*) AS n FROM cases WHERE stage = 'closed' "
        "AND closed_at >= ? AND closed_at < ? AND cause_key != '' "
        "GROUP BY cause_key ORDER BY n DESC, cause_key",
        (db_time(start), db_time(end)),
    )
    settings = store.settings()
    return [(settings.label_of("cause", row["cause_key"]), row["n"]) for row in rows]
