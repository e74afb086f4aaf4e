"""What must hold for every case in any database the core wrote, however it got there."""

from __future__ import annotations

from showroom_cs.domain import NOT_SATISFIED_MAX, ApprovalStatus, Stage
from showroom_cs.operations._common import DERIVED_COLUMNS
from showroom_cs.store import Store
from showroom_cs.timeline import replay, rewind


def case_problems(
    store: Store, case_id: int, *, added_later: frozenset[str] = frozenset()
) -> list[str]:
    """Every way the case breaks a rule of the process; empty when consistent.

    `added_later`: columns a migration added after the case's events were
    written (its timeline cannot know them; the migration fills them)."""
    problems: list[str] = []
    row = dict(store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,)) or {})
    case = store.case(case_id)
    events = store.events(case_id)
    skipped = DERIVED_COLUMNS | added_later
    tracked = {k: v for k, v in row.items() if k not in skipped}
    rebuilt = replay(events)
    if rebuilt is not None:
        rebuilt = {k: v for k, v in rebuilt.items() if k not in skipped}
    if rebuilt != tracked:
        diff = {
            k: (rebuilt.get(k) if rebuilt else None, v)
            for k, v in tracked.items()
            if not rebuilt or rebuilt.get(k) != v
        }
        problems.append(f"timeline does not rebuild the case: {diff}")
    for cut in range(1, len(events)):  # the export's way back from the row as stored
        back = rewind(tracked, [e.changes for e in events[cut:]])
        then = replay(events[:cut]) or {}
        if back != {k: v for k, v in then.items() if k not in skipped}:
            problems.append(f"rewinding to event {cut} does not match replaying up to it")
            break
    if not events or events[0].kind != "register":
        problems.append("first event is not the registration")
    if any(not e.changes and not e.note for e in events):
        problems.append("an event says nothing")
    # A case imported from the old ledger was closed there: it keeps the
    # satisfaction and closing summary the ledger had, which may be none.
    imported = _imported(store, case_id)
    if case.stage == Stage.CLOSED:
        if not imported and (case.satisfaction is None or case.satisfaction <= NOT_SATISFIED_MAX):
            problems.append("closed without a satisfied follow-up")
        if not imported and not (
            case.closing_cause and case.closing_actions and case.closing_improvement
        ):
            problems.append("closed without the closing summary")
        if case.closed_at is None:
            problems.append("closed without closed_at")
    if case.stage == Stage.INVALID and (
        case.valid is not False or not case.validity_reason or not case.invalid_explanation
    ):
        problems.append("invalid without verdict, reason and explanation")
    if case.owner_id is None and case.stage not in (Stage.REGISTERED, Stage.VOIDED):
        problems.append(f"{case.stage} without an owner")
    for review in store.reviews(case_id):
        # The case as it stood just before this review was written.
        review_event = next(
            i
            for i, e in enumerate(events)
            if e.kind == "review" and e.changes.get("review_round", (None, None))[1] == review.round
        )
        then = replay(events[:review_event]) or {}
        if review.reviewer_id in (then.get("owner_id"), then.get("rectified_by")):
            problems.append(f"review round {review.round} by the owner or rectifier")
    kind = case.solution_kind
    approvals = store.approvals(case_id)
    if kind is not None and kind.needs_approval and case.rectified_at is not None:
        paid = [a for a in approvals if a.carried_out_at == case.rectified_at and a.kind == kind]
        if not paid:
            problems.append("gift or compensation carried out without its own approval")
    for approval in approvals:
        if approval.carried_out_at is not None and not (
            approval.status == ApprovalStatus.APPROVED
            and approval.decided_at is not None
            and approval.decided_at <= approval.carried_out_at
        ):
            problems.append(f"approval {approval.id} carried out before it was approved")
    open_clocks = [c for c in store.clocks(case_id) if c.is_open]
    if case.overdue != any(c.breached_at is not None for c in open_clocks):
        problems.append("overdue flag disagrees with the clocks")
    nearest = min((c.due_at for c in open_clocks), default=None)
    if case.next_due_at != nearest:
        problems.append(f"next due {case.next_due_at} is not the nearest open clock {nearest}")
    if not case.stage.is_open and open_clocks:
        problems.append("a finished case still has running clocks")
    return problems


def _imported(store: Store, case_id: int) -> bool:
    if not store.scalar("SELECT 1 FROM sqlite_master WHERE name = 'ledger_rows'"):
        return False
    return bool(store.scalar("SELECT 1 FROM ledger_rows WHERE case_id = ?", (case_id,)))


def all_problems(
    store: Store, *, added_later: frozenset[str] = frozenset()
) -> dict[str, list[str]]:
    found = {}
    for (case_id,) in store.query("SELECT id FROM cases ORDER BY id"):
        problems = case_problems(store, case_id, added_later=added_later)
        if problems:
            found[store.case(case_id).case_no] = problems
    return found
