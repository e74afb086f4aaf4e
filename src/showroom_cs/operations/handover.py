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
    owner = changes.get("owner_id")
    if owner is not None and owner[1] is not None and owner[1] != ctx.actor_id:
        person = ctx.store.staff_member(int(owner[1]))
        reason = Handover.ASSIGNED if owner[0] is None else Handover.REASSIGNED
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
    """Words for the event: who an escalation was sent to (an assignment names
    its owner already)."""
    names = "、".join(t.staff.name for t in told if t.reason == Handover.ESCALATED)
    return f"，已通知{names}" if names else ""


def event_data(told: Sequence[Told]) -> dict[str, Any]:
    if not told:
        return {}
    return {"told": [{"staff_id": t.staff.id, "reason": t.reason.value} for t in told]}


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
