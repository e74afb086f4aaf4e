"""The time-limit sweep: clocks that ran out mark their case overdue and escalate it."""

from __future__ import annotations

from ..domain import ClockKind
from ..store.rows import db_time
from ._common import CaseChange, Context, commit, escalation, load_case


def check_clocks(ctx: Context, case_id: int | None = None) -> list[CaseChange]:
    """Mark every clock due by now as breached, once; returns the cases that changed.

    Run by the system (actor None) at start-up and every minute while the
    app is open; running it twice changes nothing the second time. A miss is
    dated when the limit fell due (the event's data), whenever the sweep
    noticed it (the event's time, and the clock's `breached_at`).
    """
    now = ctx.now()
    only_case = "" if case_id is None else "AND case_id = ?"
    due = ctx.store.query(
        "SELECT id, case_id, kind, due_at FROM clocks "
        "WHERE met_at IS NULL AND cancelled_at IS NULL AND breached_at IS NULL AND due_at <= ? "
        f"{only_case} ORDER BY due_at, id",
        (db_time(now),) if case_id is None else (db_time(now), case_id),
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
    for breached_case, clocks in by_case.items():
        with ctx.store.transaction():
            before = load_case(ctx, breached_case)
            reasons = []
            missed = []
            steps = 0  # each missed clock escalates one level (seed 000)
            for clock_id, kind, due_at in clocks:
                # Noticed now (the PC may have been off); missed when it fell due.
                ctx.store.update("clocks", clock_id, {"breached_at": db_time(now)})
                reasons.append(f"{kind.label}超时（应于 {due_at[5:16]} 前完成）")
                missed.append({"clock": kind.value, "due_at": due_at})
                steps += settings.escalate_on_breach.get(kind, True)
            values: dict[str, object] = {}
            note = "；".join(reasons)
            if steps:
                values, note = escalation(before, note, steps)
            changes.append(
                commit(ctx, breached_case, before, "overdue", note, values, data={"missed": missed})
            )
    return changes
