"""What every operation shares: the acting context, the result, the timeline.

Every change to a case column goes through `change_case`, which writes one
timeline event per changed column (old → new). That is what makes the
timeline complete enough to rebuild a case as it stood at any moment.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .. import sla
from ..clock import Clock as TimeSource
from ..domain import Case, ClockKind, EscalationLevel, Stage, Staff
from ..errors import NotFound, PermissionDenied, RuleError
from ..settings import Settings
from ..store import Store
from ..store.rows import case_from_row, db_date, db_time

# Case columns the timeline tracks; everything else on the row is derived.
DERIVED_COLUMNS = frozenset(
    {"id", "updated_at", "next_due_at", "next_due_kind", "name_pinyin", "name_initials"}
)
MAX_SHORT_TEXT = 100
MAX_LONG_TEXT = 5000


@dataclass(frozen=True, slots=True)
class Context:
    """Who acts, on which database, at what time. Passed to every operation."""

    store: Store
    clock: TimeSource
    actor_id: int | None  # None: the system itself (time-limit sweeps)

    def now(self) -> dt.datetime:
        return self.clock.now()

    @property
    def settings(self) -> Settings:
        return self.store.settings()

    def actor(self) -> Staff:
        if self.actor_id is None:
            raise RuleError("请先登录。")
        return self.store.staff_member(self.actor_id)


@dataclass(frozen=True, slots=True)
class CaseChange:
    """What an operation changed: the case before and after, and its new events."""

    before: Case | None
    after: Case
    event_ids: tuple[int, ...]

    @property
    def stage_changed(self) -> bool:
        return self.before is None or self.before.stage != self.after.stage


def db_value(value: Any) -> Any:
    """A Python value as stored in a case column."""
    if isinstance(value, dt.datetime):
        return db_time(value)
    if isinstance(value, dt.date):
        return db_date(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, tuple | list):
        return json.dumps(list(value), ensure_ascii=False)
    if hasattr(value, "value"):  # enums
        return value.value
    return value


def event_text(value: Any) -> str | None:
    """A stored column value as the text kept in events.old_value/new_value."""
    return None if value is None else str(value)


def append_event(
    ctx: Context,
    case_id: int,
    kind: str,
    note: str = "",
    *,
    field: str | None = None,
    old: Any = None,
    new: Any = None,
) -> int:
    return ctx.store.insert(
        "events",
        {
            "case_id": case_id,
            "at": db_time(ctx.now()),
            "actor_id": ctx.actor_id,
            "kind": kind,
            "field": field,
            "old_value": event_text(old),
            "new_value": event_text(new),
            "note": note,
        },
    )


def raw_case(ctx: Context, case_id: int) -> dict[str, Any]:
    row = ctx.store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    if row is None:
        raise NotFound(f"找不到编号为 {case_id} 的投诉案件。")
    return dict(row)


def change_case(
    ctx: Context, case_id: int, kind: str, values: Mapping[str, Any], note: str = ""
) -> list[int]:
    """Update tracked columns of a case, one event per column that really changed.

    The note goes on the first event; when nothing changed but a note is
    given, a plain event of `kind` carries it.
    """
    current = raw_case(ctx, case_id)
    changed = {}
    for column, value in values.items():
        assert column not in DERIVED_COLUMNS and column in current, column
        stored = db_value(value)
        if current[column] != stored:
            changed[column] = stored
    event_ids = []
    if "stage" in changed:  # the stage move leads, carrying the note
        changed = {"stage": changed.pop("stage"), **changed}
    if changed:
        ctx.store.update("cases", case_id, {**changed, "updated_at": db_time(ctx.now())})
        for i, (column, stored) in enumerate(changed.items()):
            event_ids.append(
                append_event(
                    ctx, case_id, kind, note if i == 0 else "",
                    field=column, old=current[column], new=stored,
                )
            )
    elif note:
        event_ids.append(append_event(ctx, case_id, kind, note))
    return event_ids


def load_case(ctx: Context, case_id: int) -> Case:
    return case_from_row(raw_case(ctx, case_id))


def require_active(ctx: Context) -> Staff:
    actor = ctx.actor()
    if not actor.active:
        raise PermissionDenied(f"{actor.name}已停用，不能操作案件。")
    return actor


def finish(ctx: Context, case_id: int, before: Case | None, event_ids: list[int]) -> CaseChange:
    """Bring the clock summary up to date and report the change (inside the transaction)."""
    event_ids = event_ids + refresh_clock_summary(ctx, case_id)
    return CaseChange(before, load_case(ctx, case_id), tuple(event_ids))


def clean_text(
    value: str | None,
    label: str,
    *,
    required: bool = False,
    max_len: int = MAX_LONG_TEXT,
    field: str = "",
) -> str:
    """Trimmed text without control characters (newlines kept), or a Chinese refusal."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    text = text.replace("\r", "").strip()
    if required and not text:
        raise RuleError(f"请填写{label}。", missing=(field,) if field else ())
    if len(text) > max_len:
        raise RuleError(
            f"{label}太长（{len(text)} 字），最多 {max_len} 字；请精简或分成附件。",
            missing=(field,) if field else (),
        )
    return text


def escalate_case(ctx: Context, case_id: int, reason: str, kind: str = "escalate") -> list[int]:
    """One level up the chain 客服专员 → 客服主管 → 总经理 → 老板; stays at the top."""
    case = load_case(ctx, case_id)
    if case.escalation_level >= EscalationLevel.OWNER:
        return [append_event(ctx, case_id, kind, f"{reason}（已是最高级别：老板）")]
    new_level = EscalationLevel(case.escalation_level + 1)
    return change_case(
        ctx, case_id, kind, {"escalation_level": int(new_level)},
        f"升级至{new_level.label}：{reason}",
    )


# --------------------------------------------------------------- clocks


def start_clock(ctx: Context, case_id: int, kind: ClockKind, started_at: dt.datetime) -> None:
    """Start a clock unless one of the same kind is already running."""
    running = ctx.store.scalar(
        "SELECT 1 FROM clocks WHERE case_id = ? AND kind = ? AND met_at IS NULL "
        "AND cancelled_at IS NULL",
        (case_id, kind.value),
    )
    if running:
        return
    case = load_case(ctx, case_id)
    due = sla.due_at(kind, started_at, case.severity, ctx.settings)
    ctx.store.insert(
        "clocks",
        {
            "case_id": case_id,
            "kind": kind.value,
            "started_at": db_time(started_at),
            "due_at": db_time(due),
        },
    )


def meet_clocks(ctx: Context, case_id: int, kinds: Iterable[ClockKind], at: dt.datetime) -> None:
    _close_clocks(ctx, case_id, kinds, "met_at", at)


def cancel_clocks(
    ctx: Context, case_id: int, kinds: Iterable[ClockKind] | None = None
) -> None:
    _close_clocks(ctx, case_id, kinds if kinds is not None else list(ClockKind), "cancelled_at", ctx.now())


def _close_clocks(
    ctx: Context, case_id: int, kinds: Iterable[ClockKind], column: str, at: dt.datetime
) -> None:
    names = [k.value for k in kinds]
    if not names:
        return
    marks = ",".join("?" for _ in names)
    ctx.store.execute(
        f"UPDATE clocks SET {column} = ? WHERE case_id = ? AND kind IN ({marks}) "
        "AND met_at IS NULL AND cancelled_at IS NULL",
        [db_time(at), case_id, *names],
    )


def recompute_due_times(ctx: Context, case_id: int) -> None:
    """Open clocks follow the current severity and SLA table."""
    case = load_case(ctx, case_id)
    for row in ctx.store.query(
        "SELECT id, kind, started_at FROM clocks WHERE case_id = ? "
        "AND met_at IS NULL AND cancelled_at IS NULL",
        (case_id,),
    ):
        due = sla.due_at(
            ClockKind(row["kind"]),
            dt.datetime.fromisoformat(row["started_at"]),
            case.severity,
            ctx.settings,
        )
        ctx.store.update("clocks", row["id"], {"due_at": db_time(due)})


def refresh_clock_summary(ctx: Context, case_id: int) -> list[int]:
    """Keep the case's nearest due time and overdue flag in step with its clocks.

    `next_due_*` is derived (no event); `overdue` is what people see in red,
    so its changes are events.
    """
    nearest = ctx.store.query_one(
        "SELECT kind, due_at FROM clocks WHERE case_id = ? AND met_at IS NULL "
        "AND cancelled_at IS NULL ORDER BY due_at LIMIT 1",
        (case_id,),
    )
    ctx.store.update(
        "cases",
        case_id,
        {
            "next_due_at": nearest["due_at"] if nearest else None,
            "next_due_kind": nearest["kind"] if nearest else None,
        },
    )
    breached = ctx.store.scalar(
        "SELECT COUNT(*) FROM clocks WHERE case_id = ? AND breached_at IS NOT NULL "
        "AND met_at IS NULL AND cancelled_at IS NULL",
        (case_id,),
    )
    overdue = breached > 0
    if bool(raw_case(ctx, case_id)["overdue"]) == overdue:
        return []
    note = "已超时" if overdue else "超时的时限已处理，不再超时"
    return change_case(ctx, case_id, "overdue", {"overdue": overdue}, note)


def enter_stage(ctx: Context, case_id: int, stage: Stage, now: dt.datetime) -> None:
    """Clock bookkeeping common to every arrival in a stage."""
    if stage in (Stage.FOLLOW_UP, Stage.CLOSED, Stage.INVALID, Stage.VOIDED):
        # The job is finished: no more progress calls or feedback due.
        cancel_clocks(
            ctx, case_id, [ClockKind.PROGRESS_CALL, ClockKind.FEEDBACK, ClockKind.REVIEW_FIX]
        )
    if stage in (Stage.CLOSED, Stage.INVALID, Stage.VOIDED):
        cancel_clocks(ctx, case_id)
