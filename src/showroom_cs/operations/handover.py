"""Hand-overs: a case escalated to a level, or given to someone to own,
reaches those people as a notice on their to-do list until they open it.

`commit()` calls `recipients`, `note`, `event_data` and `notify` for every
operation, so no step that escalates or assigns can forget to tell anyone;
the case view calls `cases.mark_seen` when a person opens the case, and
`queries.todo_items` lists what is still unseen.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..domain import MANAGER_ROLES, EscalationLevel, Handover, Staff
from ..store.rows import db_time

if TYPE_CHECKING:
    from ._common import Context


@dataclass(frozen=True, slots=True)
class Told:
    staff: Staff
    reason: Handover


def recipients(ctx: Context, changes: Mapping[str, tuple[Any, Any]]) -> list[Told]:
    """Who must hear of these column changes (never the person making them)."""
    told: list[Told] = []
    level = changes.get("escalation_level")
    if level is not None and int(level[1]) > int(level[0] or 0):
        level_to = EscalationLevel(int(level[1]))
        told += [Told(s, Handover.ESCALATED) for s in answering_for(ctx, level_to)]
    for column, first, later in (
        ("owner_id", Handover.ASSIGNED, Handover.REASSIGNED),
        ("reviewer_id", Handover.REVIEW, Handover.REVIEW),
    ):
        change = changes.get(column)
        if change is None or change[1] is None or change[1] == ctx.actor_id:
            continue
        person = ctx.store.staff_member(int(change[1]))
        reason = first if change[0] is None else later
        if person.active and all(t.staff.id != person.id for t in told):
            told.append(Told(person, reason))
    return told


def answering_for(ctx: Context, level: EscalationLevel) -> list[Staff]:
    """The active people of the level's role (but not whoever escalates:
    they know); where a showroom has nobody in that role (no 总经理), the
    next level up; failing all, its managers."""
    staff = ctx.store.all_staff(active_only=True)
    found: list[Staff] = []
    for step in range(level, EscalationLevel.OWNER + 1):
        found = [s for s in staff if s.role == EscalationLevel(step).role]
        if found:
            break
    found = found or [s for s in staff if s.role in MANAGER_ROLES]
    return [s for s in found if s.id != ctx.actor_id]


def note(told: Sequence[Told]) -> str:
    """Words for the event: who an escalation or a review was sent to (an
    assignment names its owner already)."""
    text = ""
    names = "、".join(t.staff.name for t in told if t.reason == Handover.ESCALATED)
    if names:
        text += f"，已通知{names}"
    reviewer = next((t.staff.name for t in told if t.reason == Handover.REVIEW), None)
    if reviewer:
        text += f"，请{reviewer}复核"
    return text


def event_data(told: Sequence[Told]) -> dict[str, Any]:
    if not told:
        return {}
    return {"told": [{"staff_id": t.staff.id, "reason": t.reason.value} for t in told]}


def end(ctx: Context, case_id: int, reason: Handover | None = None) -> None:
    """Notices of the case (of one `reason`, or all) that nobody needs to open
    any more: the review was written by someone, the case is finished."""
    ctx.store.execute(
        "UPDATE notices SET ended_at = ? WHERE case_id = ? AND seen_at IS NULL "
        "AND ended_at IS NULL AND (? IS NULL OR reason = ?)",
        (db_time(ctx.now()), case_id, reason, reason),
    )


def notify(ctx: Context, case_id: int, event_id: int, told: Sequence[Told]) -> None:
    for t in told:
        ctx.store.insert(
            "notices",
            {
                "case_id": case_id,
                "staff_id": t.staff.id,
                "event_id": event_id,
                "reason": t.reason.value,
                "at": db_time(ctx.now()),
            },
        )
