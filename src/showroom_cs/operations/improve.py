"""改进措施 followed through (seeds 000, 001): the measure written at closing
becomes an item with an owner and a due date, listed until it is done; each
item links back to the cases it came from, and their timelines say so."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from .. import permissions
from ..domain import Staff
from ..errors import PermissionDenied, RuleError
from ..permissions import Action
from ..store import Store
from ..store.rows import db_date, db_time
from ._common import Context, append_event, clean_text, require_active

# Unless the closer says otherwise, a measure is due this long after closing.
DEFAULT_IMPROVEMENT_DAYS = 14


@dataclass(frozen=True, slots=True)
class Improvement:
    id: int
    text: str
    owner_id: int
    due_date: dt.date
    created_at: dt.datetime
    created_by: int
    done_at: dt.datetime | None
    done_by: int | None
    done_note: str
    case_ids: tuple[int, ...]

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def overdue(self, today: dt.date) -> bool:
        return not self.done and self.due_date < today


def _check_owner(ctx: Context, owner_id: int) -> Staff:
    owner = ctx.store.staff_member(owner_id)
    if not owner.active:
        raise RuleError(f"{owner.name}已停用，请选另一位负责人。", missing=("improvement_owner",))
    return owner


def _check_due(ctx: Context, due: dt.date) -> dt.date:
    if due < ctx.now().date():
        raise RuleError("改进措施的完成期限不能早于今天。", missing=("improvement_due",))
    return due


def start_improvement(ctx: Context, case_id: int, text: str, *, owner_id: int, due: dt.date) -> int:
    """A new item from a closing case (inside the closing transaction)."""
    _check_owner(ctx, owner_id)
    now = ctx.now()
    improvement_id = ctx.store.insert(
        "improvements",
        {
            "text": text,
            "owner_id": owner_id,
            "due_date": db_date(_check_due(ctx, due)),
            "created_at": db_time(now),
            "created_by": ctx.actor_id,
        },
    )
    ctx.store.insert("improvement_cases", {"improvement_id": improvement_id, "case_id": case_id})
    return improvement_id


def join_improvement(ctx: Context, case_id: int, improvement_id: int) -> Improvement:
    """The closing case has the same root as an open item: link it there."""
    item = improvement(ctx.store, improvement_id)
    if item.done:
        raise RuleError("这项改进措施已经完成，请新建一项。", missing=("improvement_id",))
    if case_id not in item.case_ids:
        ctx.store.insert(
            "improvement_cases", {"improvement_id": improvement_id, "case_id": case_id}
        )
    return item


def complete_improvement(ctx: Context, improvement_id: int, note: str) -> Improvement:
    """完成: its owner or a manager says what was done; its cases' timelines record it."""
    actor = require_active(ctx)
    item = improvement(ctx.store, improvement_id)
    refused = permissions.refusal(
        actor, Action.COMPLETE_IMPROVEMENT, owns=actor.id == item.owner_id
    )
    if refused is not None:
        owner = ctx.store.staff_member(item.owner_id).name
        raise PermissionDenied(f"这项改进措施由{owner}负责。{refused}")
    if item.done:
        raise RuleError("这项改进措施已经标记完成了。")
    note = clean_text(note, "完成情况", required=True, max_len=1000, field="done_note")
    now = ctx.now()
    with ctx.store.transaction():
        ctx.store.update(
            "improvements",
            improvement_id,
            {"done_at": db_time(now), "done_by": actor.id, "done_note": note},
        )
        for case_id in item.case_ids:
            append_event(ctx, case_id, "improvement_done", f"改进措施已完成：{note[:80]}")
    return improvement(ctx.store, improvement_id)


def reassign_improvement(
    ctx: Context, improvement_id: int, *, owner_id: int, due: dt.date
) -> Improvement:
    """Hand an open item to someone else or give it more time (managers)."""
    permissions.require(require_active(ctx), Action.MANAGE_IMPROVEMENTS)
    item = improvement(ctx.store, improvement_id)
    if item.done:
        raise RuleError("这项改进措施已经完成，不能再改派。")
    owner = _check_owner(ctx, owner_id)
    with ctx.store.transaction():
        ctx.store.update(
            "improvements",
            improvement_id,
            {"owner_id": owner.id, "due_date": db_date(_check_due(ctx, due))},
        )
        for case_id in item.case_ids:
            append_event(
                ctx,
                case_id,
                "improvement_moved",
                f"改进措施改由{owner.name}负责，{due:%m-%d} 前完成",
            )
    return improvement(ctx.store, improvement_id)


# ------------------------------------------------------------------ reading


def _from_row(row: sqlite3.Row, case_ids: tuple[int, ...]) -> Improvement:
    return Improvement(
        id=row["id"],
        text=row["text"],
        owner_id=row["owner_id"],
        due_date=dt.date.fromisoformat(row["due_date"]),
        created_at=dt.datetime.fromisoformat(row["created_at"]),
        created_by=row["created_by"],
        done_at=dt.datetime.fromisoformat(row["done_at"]) if row["done_at"] else None,
        done_by=row["done_by"],
        done_note=row["done_note"],
        case_ids=case_ids,
    )


def improvements(store: Store, *, done: bool | None = None) -> list[Improvement]:
    """Open items by due date (oldest due first), or done ones newest first."""
    where = (
        "" if done is None else ("WHERE done_at IS NOT NULL" if done else "WHERE done_at IS NULL")
    )
    order = "done_at DESC" if done else "due_date, id"
    rows = store.query(f"SELECT * FROM improvements {where} ORDER BY {order}")
    links: dict[int, list[int]] = {row["id"]: [] for row in rows}
    for chunk in (list(links)[i : i + 500] for i in range(0, len(links), 500)):
        for link in store.query(
            "SELECT improvement_id, case_id FROM improvement_cases "
            f"WHERE improvement_id IN ({','.join('?' * len(chunk))}) ORDER BY case_id",
            chunk,
        ):
            links[link[0]].append(link[1])
    return [_from_row(row, tuple(links[row["id"]])) for row in rows]


def improvement(store: Store, improvement_id: int) -> Improvement:
    row = store.query_one("SELECT * FROM improvements WHERE id = ?", (improvement_id,))
    if row is None:
        raise RuleError("找不到这项改进措施。")
    links = store.query(
        "SELECT case_id FROM improvement_cases WHERE improvement_id = ? ORDER BY case_id",
        (improvement_id,),
    )
    return _from_row(row, tuple(link[0] for link in links))


def improvements_of_case(store: Store, case_id: int) -> list[Improvement]:
    ids = store.query(
        "SELECT improvement_id FROM improvement_cases WHERE case_id = ? ORDER BY improvement_id",
        (case_id,),
    )
    return [improvement(store, row[0]) for row in ids]
