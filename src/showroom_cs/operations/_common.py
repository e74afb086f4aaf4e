"""What every operation shares: the acting context, the result, the timeline.

An operation checks its rules, updates clocks and side records, and ends
with `commit()`, which writes the case columns it changed and exactly one
timeline event holding every change as (old, new). Because every column
change passes through there, the timeline can rebuild a case as it stood at
any moment (`timeline.replay`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from .. import call_plan, sla
from ..clock import Clock as TimeSource
from ..domain import Case, ClockKind, Door, EscalationLevel, Severity, Staff, Stage
from ..errors import NotFound, PermissionDenied, RuleError
from ..settings import Settings
from ..store import Store
from ..store.rows import case_from_row, db_date, db_time
from . import handover

# Case columns that are derived from others (or from clocks): not on the timeline.
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
    door: Door = Door.WINDOW  # the command line's events say so

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
    """What an operation changed: the case before and after, and its new event."""

    before: Case | None
    after: Case
    event_id: int


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


def raw_case(ctx: Context, case_id: int) -> dict[str, Any]:
    row = ctx.store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    if row is None:
        raise NotFound(f"找不到编号为 {case_id} 的投诉案件。")
    return dict(row)


def load_case(ctx: Context, case_id: int) -> Case:
    return case_from_row(raw_case(ctx, case_id))


def require_active(ctx: Context) -> Staff:
    actor = ctx.actor()
    if not actor.active:
        raise PermissionDenied(f"{actor.name}已停用，不能操作案件。")
    return actor


def append_event(
    ctx: Context,
    case_id: int,
    kind: str,
    note: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    data: Mapping[str, Any] | None = None,
) -> int:
    """Add one line to the timeline; `changes` maps column → (old, new) as stored,
    `data` holds the facts programs read (the note says them for people)."""
    return ctx.store.insert(
        "events",
        {
            "case_id": case_id,
            "at": db_time(ctx.now()),
            "actor_id": ctx.actor_id,
            "kind": kind,
            "note": note,
            "changes": (
                json.dumps({k: list(v) for k, v in changes.items()}, ensure_ascii=False)
                if changes
                else None
            ),
            "data": json.dumps(_with_door(ctx, data), ensure_ascii=False)
            if data or ctx.door != Door.WINDOW
            else None,
        },
    )


def _with_door(ctx: Context, data: Mapping[str, Any] | None) -> dict[str, Any]:
    """An event from anywhere but the window says where it came from."""
    out = dict(data or {})
    if ctx.door not in (Door.WINDOW, Door.UNLOCK):
        out["door"] = ctx.door.value
    return out


def commit(
    ctx: Context,
    case_id: int,
    before: Case | None,
    kind: str,
    note: str,
    values: Mapping[str, Any] | None = None,
    *,
    registering: bool = False,
    data: Mapping[str, Any] | None = None,
    started: Iterable[StartedClock | None] = (),
) -> CaseChange:
    """The last step of every operation: write the case columns it changed and
    one timeline event holding all of them (old → new).

    The clock summary is brought up to date here, so an overdue flag the
    operation set or cleared lands in the same event. The registration event
    holds every tracked column as (None → value): replay starts from it.
    A case handed to someone (escalated to their level, or made theirs to
    own) reaches them as a notice, and the event says who was told; a limit
    the operation `started` in place of an open one says which it replaced.
    """
    wanted = dict(values or {})
    nearest, overdue = _clock_summary(ctx, case_id)
    wanted["overdue"] = overdue
    current = raw_case(ctx, case_id)
    changes: dict[str, tuple[Any, Any]] = {}
    for column, value in wanted.items():
        assert column not in DERIVED_COLUMNS and column in current, column
        stored = db_value(value)
        if current[column] != stored:
            changes[column] = (current[column], stored)
    derived = {
        "next_due_at": nearest[1] if nearest else None,
        "next_due_kind": nearest[0] if nearest else None,
        "updated_at": db_time(ctx.now()),
    }
    written = {**{k: v[1] for k, v in changes.items()}, **derived}
    ctx.store.update("cases", case_id, written)
    told = handover.recipients(ctx, changes)
    data = {**(data or {}), **handover.event_data(told)}
    note += handover.note(told)
    for clock in started:
        if clock is not None and clock.replaced:
            note += clock.note
            data.setdefault("superseded", []).extend(clock.data["superseded"])
    if registering:
        changes = {
            column: (None, changes[column][1] if column in changes else value)
            for column, value in current.items()
            if column not in DERIVED_COLUMNS
        }
    event_id = append_event(ctx, case_id, kind, note, changes, data)
    handover.notify(ctx, case_id, event_id, told)
    return CaseChange(before, case_from_row({**current, **written}), event_id)


def _clock_summary(ctx: Context, case_id: int) -> tuple[tuple[str, str] | None, bool]:
    """(kind, due_at) of the nearest open clock, and whether a breached one is still open."""
    rows = ctx.store.query(
        "SELECT kind, due_at, breached_at FROM clocks WHERE case_id = ? AND met_at IS NULL "
        "AND cancelled_at IS NULL ORDER BY due_at",
        (case_id,),
    )
    nearest = (rows[0]["kind"], rows[0]["due_at"]) if rows else None
    return nearest, any(row["breached_at"] is not None for row in rows)


def escalation(case: Case, reason: str, steps: int = 1) -> tuple[dict[str, Any], str]:
    """Values and note for `steps` levels up 客服专员 → 客服主管 → 总经理 → 老板
    (it stays at the top)."""
    if case.escalation_level >= EscalationLevel.OWNER:
        return {}, f"{reason}（已是最高级别：老板）"
    level = EscalationLevel(min(case.escalation_level + steps, EscalationLevel.OWNER))
    return {"escalation_level": int(level)}, f"{reason}，升级至{level.label}"


def clean_text(
    value: str | None,
    label: str,
    *,
    required: bool = False,
    max_len: int = MAX_LONG_TEXT,
    field: str = "",
) -> str:
    """Trimmed text without control characters (newlines kept), or a Chinese refusal.

    Lone surrogates (broken pastes) are dropped too: SQLite cannot store them.
    """
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch in "\n\t" or _printable(ch))
    text = text.replace("\r", "").strip()
    if required and not text:
        raise RuleError(f"请填写{label}。", missing=(field,) if field else ())
    if len(text) > max_len:
        raise RuleError(
            f"{label}太长（{len(text)} 字），最多 {max_len} 字；请精简，或把材料作为附件。",
            missing=(field,) if field else (),
        )
    return text


def _printable(ch: str) -> bool:
    code = ord(ch)
    return code >= 32 and code != 127 and not 0xD800 <= code <= 0xDFFF


E = TypeVar("E", bound=Enum)


def as_enum(kind: type[E], value: Any, label: str, field: str) -> E:
    """`value` as a member of `kind` (given as member or code), or a Chinese refusal."""
    try:
        return kind(value)
    except (ValueError, TypeError):
        raise RuleError(f"请选择{label}。", missing=(field,)) from None


def as_date(value: Any, label: str, field: str) -> dt.date | None:
    """A calendar date (a datetime counts as its day), None, or a Chinese refusal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise RuleError(f"{label}格式不正确，请按 年-月-日 填写。", missing=(field,))


def as_moment(
    value: dt.datetime, label: str, field: str, *, not_before: dt.datetime, now: dt.datetime
) -> dt.datetime:
    """A local time to the second, refused when after now or before `not_before`."""
    if not isinstance(value, dt.datetime):
        raise RuleError(f"{label}格式不正确。", missing=(field,))
    if value.tzinfo is not None:  # the showroom works in local time
        value = value.astimezone().replace(tzinfo=None)
    value = value.replace(microsecond=0)
    if value > now:
        raise RuleError(f"{label}不能晚于现在。", missing=(field,))
    if value < not_before:
        raise RuleError(f"{label}不能早于 {not_before:%Y-%m-%d %H:%M}。", missing=(field,))
    return value


MAX_AMOUNT_FEN = 100_000_000_00  # one hundred million yuan: beyond any showroom case


def as_amount(value: Any, label: str, field: str) -> int | None:
    """A sum of money in fen (None when not given), or a Chinese refusal."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(f"{label}请填写数字金额。", missing=(field,))
    if value < 0:
        raise RuleError(f"{label}不能为负数。", missing=(field,))
    if value > MAX_AMOUNT_FEN:
        raise RuleError(f"{label}超出范围，请核对金额。", missing=(field,))
    return value


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, tuple | list):
        return not value
    return False


def require_fields(prefix: str, labelled: Mapping[str, tuple[str, Any]]) -> None:
    """Refuse, naming every empty one, when any of `labelled` (field → (label, value)) is empty."""
    missing = [name for name, (_, value) in labelled.items() if _is_empty(value)]
    if missing:
        raise RuleError(
            prefix + "、".join(labelled[m][0] for m in missing) + "。", missing=tuple(missing)
        )


# --------------------------------------------------------------- clocks


@dataclass(frozen=True, slots=True)
class StartedClock:
    """A time limit just started, and the open one of its kind it replaced.

    Every step that starts a limit leaves exactly one open item of its kind:
    an older one (the call after a visit, when the review passes) is ended
    as superseded, and the operation's event says so (`note`, `data`).
    """

    id: int
    kind: ClockKind
    due_at: dt.datetime
    planned_at: dt.datetime | None
    replaced: tuple[tuple[int, dt.datetime], ...] = ()  # (clock id, its due time)

    @property
    def note(self) -> str:
        return "".join(
            f"；原定 {due:%m-%d %H:%M} 前的{self.kind.label}由新的{self.kind.label}取代"
            for _, due in self.replaced
        )

    @property
    def data(self) -> dict[str, Any]:
        if not self.replaced:
            return {}
        return {
            "superseded": [
                {"clock": self.kind.value, "clock_id": old, "due_at": db_time(due), "by": self.id}
                for old, due in self.replaced
            ]
        }


def start_clock(
    ctx: Context,
    case_id: int,
    kind: ClockKind,
    started_at: dt.datetime,
    severity: Severity,
    *,
    call_from: dt.datetime | None = None,
) -> StartedClock:
    """Start a time limit, ending (superseded) an open one of the same kind.

    A call is also planned: the first free calling-window slot from `call_from`,
    by default from the start of the day it is due (day 5, the next day).
    """
    running = ctx.store.query(
        "SELECT id, due_at FROM clocks WHERE case_id = ? AND kind = ? AND met_at IS NULL "
        "AND cancelled_at IS NULL ORDER BY id",
        (case_id, kind.value),
    )
    if running:  # ended first, so its call slot is free for the new one
        _close_clocks(ctx, case_id, [kind], "cancelled_at", ctx.now())
    due = sla.due_at(kind, started_at, severity, ctx.settings)
    planned = None
    if kind.value in call_plan.CALL_CLOCKS:
        earliest = call_from or max(started_at, dt.datetime.combine(due.date(), dt.time()))
        earliest = max(earliest, ctx.now())  # a call recorded late is not planned in the past
        planned = call_plan.free_call_slot(
            ctx.store, ctx.settings, call_plan.caller_of(ctx.store, case_id), earliest
        )
    clock_id = ctx.store.insert(
        "clocks",
        {
            "case_id": case_id,
            "kind": kind.value,
            "started_at": db_time(started_at),
            "due_at": db_time(due),
            "planned_at": db_time(planned) if planned else None,
        },
    )
    replaced = tuple((row["id"], dt.datetime.fromisoformat(row["due_at"])) for row in running)
    for old, _ in replaced:
        ctx.store.update("clocks", old, {"superseded_by": clock_id})
    return StartedClock(clock_id, kind, due, planned, replaced)


def meet_clocks(ctx: Context, case_id: int, kinds: Iterable[ClockKind], at: dt.datetime) -> None:
    _close_clocks(ctx, case_id, kinds, "met_at", at)


def cancel_clocks(ctx: Context, case_id: int, kinds: Iterable[ClockKind] | None = None) -> None:
    _close_clocks(
        ctx, case_id, list(ClockKind) if kinds is None else kinds, "cancelled_at", ctx.now()
    )


def _close_clocks(
    ctx: Context, case_id: int, kinds: Iterable[ClockKind], column: str, at: dt.datetime
) -> None:
    names = [k.value for k in kinds]
    marks = ",".join("?" for _ in names)
    ctx.store.execute(
        f"UPDATE clocks SET {column} = ? WHERE case_id = ? AND kind IN ({marks}) "
        "AND met_at IS NULL AND cancelled_at IS NULL",
        [db_time(at), case_id, *names],
    )


def recompute_due_times(ctx: Context, case_id: int, severity: Severity) -> None:
    """Open clocks follow the case's (new) severity and the current SLA table.

    A clock marked missed whose new due time lies ahead is no longer missed
    (the escalation it caused stays on the timeline).
    """
    for row in ctx.store.query(
        "SELECT id, kind, started_at, planned_at FROM clocks WHERE case_id = ? "
        "AND met_at IS NULL AND cancelled_at IS NULL",
        (case_id,),
    ):
        due = sla.due_at(
            ClockKind(row["kind"]),
            dt.datetime.fromisoformat(row["started_at"]),
            severity,
            ctx.settings,
        )
        if row["planned_at"] and dt.datetime.fromisoformat(row["planned_at"]) >= due:
            continue  # a call put off to the customer's time keeps the time they chose
        values: dict[str, Any] = {"due_at": db_time(due)}
        if due > ctx.now():
            values["breached_at"] = None
        ctx.store.update("clocks", row["id"], values)


def enter_stage(ctx: Context, case_id: int, stage: Stage) -> None:
    """Clock bookkeeping common to every arrival in a stage."""
    if stage == Stage.FOLLOW_UP:
        # The job is done: no more progress calls, feedback or review fixes due.
        cancel_clocks(
            ctx, case_id, [ClockKind.PROGRESS_CALL, ClockKind.FEEDBACK, ClockKind.REVIEW_FIX]
        )
    elif stage in (Stage.CLOSED, Stage.INVALID, Stage.VOIDED):
        cancel_clocks(ctx, case_id)
        handover.end(ctx, case_id)  # nobody needs to open a finished case for its notice
        # Nothing may stay waiting on a finished case: requests and visits end too.
        now = db_time(ctx.now())
        ctx.store.execute(
            "UPDATE approvals SET status = 'withdrawn', decided_at = ?, note = '案件已结束' "
            "WHERE case_id = ? AND status = 'pending'",
            (now, case_id),
        )
        ctx.store.execute(
            "UPDATE appointments SET status = 'cancelled', note = note || '（案件已结束，自动取消）' "
            "WHERE case_id = ? AND status = 'planned'",
            (case_id,),
        )
