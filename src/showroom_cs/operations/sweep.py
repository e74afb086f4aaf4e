"""The time-limit sweep: clocks that ran out mark their case overdue and escalate it."""

from __future__ import annotations

from ..domain import ClockKind
from ..store.rows import db_time
from ._common import CaseChange, Context, append_event, escalate_case, finish, load_case


def check_clocks(ctx: Context) -> list[CaseChange]:
    """Mark every clock due by now as breached, once; returns the cases that changed.

    Run by the system (actor None) at start-up and every minute while the
    app is open; running it twice changes nothing the second time.
    """
    now = ctx.now()
    due = ctx.store.query(
        "SELECT id, case_id, kind, due_at FROM clocks "
        "WHERE met_at IS NULL AND cancelled_at IS NULL AND breached_at IS NULL AND due_at <= ? "
        "ORDER BY due_at, id",
        (db_time(now),),
    )
    if not due:
        return []
    changes: list[CaseChange] = []
    by_case: dict[int, list[tuple[int, ClockKind, str]]] = {}
    for row in due:
        by_case.setdefault(row["case_id"], []).append(
            (row["id"], ClockKind(row["kind"]), row["due_at"])
        )
    settings = ctx.settings
    for case_id, clocks in by_case.items():
        with ctx.store.transaction():
            before = load_case(ctx, case_id)
            event_ids: list[int] = []
            for clock_id, kind, due_at in clocks:
                ctx.store.update("clocks", clock_id, {"breached_at": db_time(now)})
                reason = f"{kind.label}超时（应于 {due_at[5:16]} 前完成）"
                if settings.escalate_on_breach.get(kind, True):
                    event_ids += escalate_case(ctx, case_id, reason, kind="overdue")
                else:
                    event_ids.append(append_event(ctx, case_id, "overdue", reason))
            changes.append(finish(ctx, case_id, before, event_ids))
    return changes
