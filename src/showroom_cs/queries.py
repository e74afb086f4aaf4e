"""Read-only questions the screens ask: kanban counts and pages, customer history."""

from __future__ import annotations

import datetime as dt

from .domain import OPEN_STAGES, Stage
from .store import Store
from .store.rows import db_time


def stage_counts(store: Store) -> dict[Stage, int]:
    """Cases per stage (voided ones included under their own key)."""
    counts = dict.fromkeys(Stage, 0)
    for row in store.query("SELECT stage, COUNT(*) FROM cases GROUP BY stage"):
        counts[Stage(row[0])] = row[1]
    return counts


def stage_page(store: Store, stage: Stage, *, offset: int = 0, limit: int = 200) -> list[int]:
    """Ids of one kanban column, newest first, a page at a time."""
    rows = store.query(
        "SELECT id FROM cases WHERE stage = ? ORDER BY received_at DESC, id DESC LIMIT ? OFFSET ?",
        (stage.value, limit, offset),
    )
    return [row[0] for row in rows]


def overdue_count(store: Store, now: dt.datetime) -> int:
    """Open cases past their nearest due time (the status bar's 超时 count)."""
    return int(
        store.scalar(
            "SELECT COUNT(*) FROM cases WHERE next_due_at IS NOT NULL AND next_due_at <= ?",
            (db_time(now),),
        )
    )


def open_cases_newest_first(store: Store, *, limit: int = 200) -> list[int]:
    """Ids of the newest open cases, whatever their stage."""
    marks = ",".join("?" for _ in OPEN_STAGES)
    rows = store.query(
        f"SELECT id FROM cases WHERE stage IN ({marks}) ORDER BY received_at DESC LIMIT ?",
        [*(s.value for s in OPEN_STAGES), limit],
    )
    return [row[0] for row in rows]


def customer_history(store: Store, phone: str, *, exclude_case_id: int | None = None) -> list[int]:
    """Earlier cases of the same phone number, newest first (老客户)."""
    rows = store.query(
        "SELECT id FROM cases WHERE customer_phone = ? AND stage != 'voided' AND id != ? "
        "ORDER BY id DESC",
        (phone, exclude_case_id or 0),
    )
    return [row[0] for row in rows]
