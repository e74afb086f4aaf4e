"""Read-only questions the screens ask: kanban columns, the case list, today's items."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from .domain import (
    CASE_NO_ORDER_SQL,
    AppointmentKind,
    ClockKind,
    Handover,
    Severity,
    SolutionKind,
    Staff,
    Stage,
)
from .search import search_case_ids
from .store import Store
from .store.rows import db_time


def stage_counts(store: Store) -> dict[Stage, int]:
    """Cases per stage (voided ones included under their own key)."""
    counts = dict.fromkeys(Stage, 0)
    for row in store.query("SELECT stage, COUNT(*) FROM cases GROUP BY stage"):
        counts[Stage(row[0])] = row[1]
    return counts


# One definition per count: every page that shows one asks here, and says
# in its label or tooltip what it counts.

# 超时案件: open cases with a missed time limit still to be done — the red
# cards. (Only open cases keep a next due time: the partial index finds them.)
OVERDUE_CASES_SQL = "next_due_at IS NOT NULL AND overdue = 1"
OVERDUE_CASES_MEANING = "有时限已超时、还没办完的未结案件（看板上的红色卡片）"
RECEIVED_MEANING = "这段时间登记的投诉（作废的不算）"


def overdue_cases(store: Store) -> int:
    """超时案件: the status bar, 统计's 当前超时 and the board's 只看超时."""
    return int(store.scalar(f"SELECT COUNT(*) FROM cases WHERE {OVERDUE_CASES_SQL}"))


def received_between(store: Store, start: dt.datetime, end: dt.datetime) -> int:
    """新登记: complaints received in [start, end), voided ones left out."""
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM cases WHERE received_at >= ? AND received_at < ? "
            "AND stage != 'voided'",
            (db_time(start), db_time(end)),
        )
    )


def customer_history(store: Store, phone: str, *, exclude_case_id: int | None = None) -> list[int]:
    """Earlier cases of the same phone number, newest first (老客户)."""
    rows = store.query(
        "SELECT id FROM cases WHERE customer_phone = ? AND stage != 'voided' AND id != ? "
        "ORDER BY id DESC",
        (phone, exclude_case_id or 0),
    )
    return [row[0] for row in rows]


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What the kanban's filter bar (and the case list) narrow cases by."""

    owner_id: int | None = None
    category: str | None = None
    severity: Severity | None = None
    overdue_only: bool = False
    text: str = ""
    # The text's matches, found once for all columns (see with_matches()).
    matches: tuple[int, ...] | None = None
    # Finished columns show only recent weeks; None shows all.
    finished_since: dt.datetime | None = None

    def with_matches(self, matches: Sequence[int]) -> CaseFilter:
        """The same filter with its text already searched (off the UI thread)."""
        return dataclasses.replace(self, matches=tuple(matches))


FINISHED = (Stage.CLOSED, Stage.INVALID)


def _where(
    store: Store, stage: Stage, flt: CaseFilter, now: dt.datetime
) -> tuple[str, list[object]]:
    clauses = ["stage = ?"]
    params: list[object] = [stage.value]
    if flt.owner_id is not None:
        clauses.append("owner_id = ?")
        params.append(flt.owner_id)
    if flt.category:
        clauses.append("category = ?")
        params.append(flt.category)
    if flt.severity is not None:
        clauses.append("severity = ?")
        params.append(flt.severity.value)
    if flt.overdue_only:
        clauses.append(OVERDUE_CASES_SQL)
    if stage in FINISHED and flt.finished_since is not None:
        clauses.append("received_at >= ?")
        params.append(db_time(flt.finished_since))
    if flt.text.strip():
        ids = (
            flt.matches
            if flt.matches is not None
            else tuple(search_case_ids(store, flt.text, limit=TEXT_FILTER_LIMIT))
        )
        clauses.append(f"id IN ({','.join('?' for _ in ids) or 'NULL'})")
        params.extend(ids)
    return " AND ".join(clauses), params


TEXT_FILTER_LIMIT = 2000


def column_count(store: Store, stage: Stage, flt: CaseFilter, now: dt.datetime) -> int:
    where, params = _where(store, stage, flt, now)
    return int(store.scalar(f"SELECT COUNT(*) FROM cases WHERE {where}", params))


def column_page(
    store: Store, stage: Stage, flt: CaseFilter, now: dt.datetime, *, offset: int, limit: int
) -> list[int]:
    """One page of a kanban column's ids: most urgent first, then newest.

    Cases with a due time come first, nearest due first; the rest newest first.
    """
    where, params = _where(store, stage, flt, now)
    rows = store.query(
        f"SELECT id FROM cases WHERE {where} "
        "ORDER BY next_due_at IS NULL, next_due_at, received_at DESC, id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [row[0] for row in rows]


@dataclass(frozen=True, slots=True)
class TodoItem:
    case_id: int
    what: str
    due_at: dt.datetime | None
    overdue: bool
    # When to act on it: a call's planned slot, otherwise its due or start time.
    act_at: dt.datetime | None = None
    # Handed to this person (escalated, assigned) and not opened by them since.
    new: bool = False


def todo_items(store: Store, staff: Staff, now: dt.datetime, limit: int = 200) -> list[TodoItem]:
    """今日待办 for one person: cases just handed to them (escalated to their
    level, assigned to them) until they open them, then what is overdue, then
    the rest of today in time order — calls at their planned slot, time limits
    falling due, visits booked for them — then the steps waiting on them
    (待分派, 待复核, 待结案), then approvals waiting for their limit.

    Mine means: I own the case, I registered it and nobody owns it yet, or it
    has been escalated to my level.
    """
    end_of_day = dt.datetime.combine(now.date(), dt.time(23, 59, 59))
    level = staff.escalation_level
    mine = "(owner_id = :me OR (owner_id IS NULL AND received_by = :me)"
    mine += " OR escalation_level = :level)" if level else ")"
    params = {"me": staff.id, "level": level or -1, "end": db_time(end_of_day), "limit": limit}
    items = []
    # My calls (cases I registered) at their planned slot, today's and any left over.
    for row in store.query(
        "SELECT k.case_id, k.kind, k.planned_at, k.due_at FROM clocks k "
        "JOIN cases c ON c.id = k.case_id WHERE k.planned_at <= :end "
        "AND k.met_at IS NULL AND k.cancelled_at IS NULL AND c.received_by = :me "
        "ORDER BY k.planned_at LIMIT :limit",
        params,
    ):
        due = dt.datetime.fromisoformat(row["due_at"])
        planned = dt.datetime.fromisoformat(row["planned_at"])
        label = ClockKind(row["kind"]).label
        when = f"{planned:%H:%M}" if planned.date() == now.date() else f"{planned:%m-%d %H:%M}"
        what = f"{label}（约 {when} 打）"
        items.append(TodoItem(row["case_id"], what, due, due <= now, planned))
    # The limits of my cases falling due by tonight; someone else's call only
    # once it is missed (the clerk makes it, the owner answers for it).
    for row in store.query(
        # CROSS JOIN keeps SQLite walking the few open clocks rather than all
        # of an owner's cases (11 ms → 0.1 ms at 100,000 cases).
        "SELECT k.case_id, k.kind, k.due_at, k.planned_at, c.received_by FROM clocks k "
        "CROSS JOIN cases c ON c.id = k.case_id WHERE k.due_at <= :end "
        "AND k.met_at IS NULL AND k.cancelled_at IS NULL "
        f"AND c.stage NOT IN ('closed', 'invalid', 'voided') AND {mine} "
        "ORDER BY k.due_at LIMIT :limit",
        params,
    ):
        due = dt.datetime.fromisoformat(row["due_at"])
        is_call = row["planned_at"] is not None
        if is_call and (row["received_by"] == staff.id or due > now):
            continue
        kind = ClockKind(row["kind"])
        items.append(TodoItem(row["case_id"], kind.label, due, due <= now, due))
    visits = store.query(
        "SELECT case_id, kind, starts_at FROM appointments WHERE staff_id = ? "
        "AND status = 'planned' AND starts_at <= ? ORDER BY starts_at",
        (staff.id, db_time(end_of_day)),
    )
    for row in visits:
        starts = dt.datetime.fromisoformat(row["starts_at"])
        label = AppointmentKind(row["kind"]).label
        what = f"{label} {starts:%H:%M}"
        items.append(TodoItem(row["case_id"], what, starts, starts < now, starts))
    items.sort(key=lambda item: (not item.overdue, item.act_at or item.due_at or now))
    items = [*_handed_over(store, staff.id), *items]
    # Steps waiting on me with no time limit of their own: what I registered
    # and nobody owns yet, work handed to me to review, and my cases whose
    # customer said at the follow-up call they are satisfied.
    for what, sql in (
        ("待分派", "stage = 'registered' AND received_by = ?"),
        ("待复核", "stage = 'under_review' AND reviewer_id = ?"),
        ("待结案", "stage = 'follow_up' AND owner_id = ? AND satisfaction IS NOT NULL"),
    ):
        for row in store.query(
            f"SELECT id FROM cases WHERE {sql} ORDER BY received_at", (staff.id,)
        ):
            items.append(TodoItem(row["id"], what, None, False))
    limit_fen = store.settings().approval_limit_fen(staff.role)
    if limit_fen is None or limit_fen > 0:
        approvals = store.query(
            "SELECT case_id, kind, amount_fen FROM approvals WHERE status = 'pending' "
            "AND requested_by != ? AND (? IS NULL OR amount_fen <= ?) ORDER BY requested_at",
            (staff.id, limit_fen, limit_fen),
        )
        for row in approvals:
            label = SolutionKind(row["kind"]).label
            items.append(TodoItem(row["case_id"], f"待审批：{label}", None, False))
    return items


def todo_line(item: TodoItem, case_no: str, customer: str) -> str:
    """How 今日待办 shows an item: `超时 · 首次响应 · TS-20261123-001 · 张** 11-23 12:00 前`
    (the customer's name as given: the page masks it, it faces the counter)."""
    state = "新" if item.new else "超时" if item.overdue else "今天"
    when = f" {item.due_at:%m-%d %H:%M} 前" if item.due_at else ""
    return f"{state} · {item.what} · {case_no} · {customer}{when}"


def _handed_over(store: Store, staff_id: int) -> list[TodoItem]:
    """Cases handed to this person that they have not opened since, newest first
    (with MAX, SQLite takes `reason` from the newest notice of each case)."""
    rows = store.query(
        "SELECT case_id, reason, MAX(id) FROM notices WHERE staff_id = ? AND seen_at IS NULL "
        "AND ended_at IS NULL GROUP BY case_id ORDER BY MAX(id) DESC",
        (staff_id,),
    )
    return [
        TodoItem(row["case_id"], Handover(row["reason"]).todo_label, None, False, new=True)
        for row in rows
    ]


# Columns the case list may sort by (SQL expressions, in order), keyed by stable names.
SORTABLE: dict[str, tuple[str, ...]] = {
    "case_no": CASE_NO_ORDER_SQL,
    "received_at": ("received_at",),
    "customer": ("name_pinyin",),
    "category": ("category",),
    "severity": ("CASE severity WHEN 'urgent' THEN 0 WHEN 'important' THEN 1 ELSE 2 END",),
    "stage": ("stage",),
    "next_due_at": ("next_due_at IS NULL", "next_due_at"),
}


def case_list_ids(
    store: Store,
    *,
    matches: Sequence[int] | None = None,
    sort: str = "received_at",
    descending: bool = True,
    offset: int = 0,
    limit: int = 200,
) -> list[int]:
    """A page of the case list: all cases (or only `matches`, a search's ids), sorted in SQL."""
    direction = "DESC" if descending else "ASC"
    order_sql = ", ".join(f"{part} {direction}" for part in SORTABLE[sort])
    if matches is not None:
        marks = ",".join("?" for _ in matches) or "NULL"
        rows = store.query(
            f"SELECT id FROM cases WHERE id IN ({marks}) ORDER BY {order_sql}, id {direction} "
            "LIMIT ? OFFSET ?",
            [*matches, limit, offset],
        )
    else:
        rows = store.query(
            f"SELECT id FROM cases ORDER BY {order_sql}, id {direction} LIMIT ? OFFSET ?",
            (limit, offset),
        )
    return [row[0] for row in rows]


def case_list_count(store: Store, *, matches: Sequence[int] | None = None) -> int:
    if matches is not None:
        return len(matches)
    return int(store.scalar("SELECT COUNT(*) FROM cases"))
