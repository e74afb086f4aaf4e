"""Who may come in, at every door: the window's login and unlock, the
command line, a PIN change. One rule for wrong PINs — after `pin_tries` in a
row a person waits, each further wrong PIN doubling the wait up to the
longest — counted in the database, so neither a restart nor a second program
resets it. Refusals say how long to wait and never whether a typed name
exists or has a PIN.

The same log (`audit_log`, append-only) records failed attempts, lockouts
and their clearing, and what left the shop by which door: exports, copies,
restores, forms printed from the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .. import permissions
from ..auth import verify_pin
from ..clock import Clock
from ..domain import Door, Staff
from ..errors import RuleError
from ..permissions import Action
from ..store import Store
from ..store.rows import db_time, py_time
from ._common import Context, require_active


class Audit(StrEnum):
    PIN_FAILED = "pin_failed"
    LOCKED = "locked"
    WHILE_LOCKED = "while_locked"
    CLEARED = "cleared"
    EXPORT_WEEK = "export_week"
    EXPORT_ALL = "export_all"
    BACKUP = "backup"
    RESTORE = "restore"
    PRINT = "print"
    IMPORT_LEDGER = "import_ledger"

    @property
    def label(self) -> str:
        return {
            "pin_failed": "PIN 输错",
            "locked": "暂停登录",
            "while_locked": "等待期间再试",
            "cleared": "解除等待",
            "export_week": "导出周报",
            "export_all": "导出全部案件",
            "backup": "手动备份",
            "restore": "恢复备份",
            "print": "打印或导出表单",
            "import_ledger": "导入旧台账",
        }[self.value]


class PinRefused(RuleError):
    """A wrong PIN, or a person who must wait; `wait` is the seconds left."""

    def __init__(self, message: str, wait: int = 0) -> None:
        super().__init__(message, missing=("pin",))
        self.wait = wait


def log_in(store: Store, clock: Clock, staff_id: int, pin: str, door: Door = Door.WINDOW) -> Staff:
    """The staff member picked from the list, when the PIN is right and they
    need not wait; otherwise PinRefused (or RuleError for a deactivated one or
    one without a PIN yet, whom the window names anyway)."""
    member = store.staff_member(staff_id)
    if not member.active:
        raise RuleError(f"{member.name}已停用，不能登录。")
    if not store.pin_hash(staff_id):
        raise RuleError(f"{member.name}还没有设置 PIN，请先设置。", missing=("new_pin",))
    return _attempt(
        store, clock, f"staff:{member.id}", member, pin, door, "PIN 不正确，请重新输入。"
    )


def log_in_by_name(store: Store, clock: Clock, name: str, pin: str, door: Door = Door.CLI) -> Staff:
    """The active staff member of that name with that PIN. A name nobody has,
    a former employee or someone without a PIN is refused exactly like a
    wrong PIN, lockout included: the answer never tells who exists."""
    name = (name or "").strip()
    member = next((s for s in store.all_staff(active_only=True) if s.name == name), None)
    subject = f"staff:{member.id}" if member else f"name:{name}"
    usable = member if member is not None and store.pin_hash(member.id) else None
    return _attempt(store, clock, subject, usable, pin, door, "姓名或 PIN 不正确。")


def check_own_pin(store: Store, clock: Clock, staff_id: int, pin: str) -> None:
    """A PIN change asks for the old PIN under the same rule."""
    member = store.staff_member(staff_id)
    _attempt(store, clock, f"staff:{staff_id}", member, pin, Door.PIN_CHANGE, "原 PIN 不正确。")


def wait_left(store: Store, clock: Clock, staff_id: int) -> int:
    """Seconds this person must still wait before the next try (0: none)."""
    row = store.query_one(
        "SELECT locked_until FROM pin_attempts WHERE subject = ?", (f"staff:{staff_id}",)
    )
    until = py_time(row["locked_until"]) if row else None
    return max(0, int((until - clock.now()).total_seconds())) if until else 0


def describe_wait(seconds: int) -> str:
    """`45 秒`, `1 分 15 秒`, `30 分钟`."""
    minutes, rest = divmod(max(1, seconds), 60)
    if not minutes:
        return f"{rest} 秒"
    return f"{minutes} 分 {rest} 秒" if rest else f"{minutes} 分钟"


def _attempt(
    store: Store,
    clock: Clock,
    subject: str,
    member: Staff | None,
    pin: str,
    door: Door,
    wrong: str,
) -> Staff:
    now = clock.now()
    settings = store.settings()
    refused: PinRefused
    if store.read_only:
        # A file that can only be read cannot count wrong PINs: the PIN is
        # checked, nothing is written (docs/security.md).
        if member is not None and member.active and verify_pin(pin, store.pin_hash(member.id)):
            return member
        raise PinRefused(wrong)
    with store.transaction():
        row = store.query_one(
            "SELECT failures, locked_until FROM pin_attempts WHERE subject = ?", (subject,)
        )
        failures = int(row["failures"]) if row else 0
        until = py_time(row["locked_until"]) if row else None
        staff_id = member.id if member else None
        if until is not None and now < until:
            left = int((until - now).total_seconds())
            _record(store, now, staff_id, door, Audit.WHILE_LOCKED, _who(member, subject))
            refused = PinRefused(f"PIN 连续输错次数过多，请 {describe_wait(left)}后再试。", left)
        elif member is not None and member.active and verify_pin(pin, store.pin_hash(member.id)):
            store.execute("DELETE FROM pin_attempts WHERE subject = ?", (subject,))
            return member
        else:
            failures += 1
            wait = 0
            if failures >= settings.pin_tries:
                doubled = settings.pin_first_wait_minutes * 2 ** (failures - settings.pin_tries)
                wait = 60 * min(doubled, settings.pin_longest_wait_minutes)
            store.execute(
                "INSERT INTO pin_attempts (subject, failures, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT(subject) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until",
                (subject, failures, db_time(now + dt.timedelta(seconds=wait)) if wait else None),
            )
            who = _who(member, subject)
            _record(store, now, staff_id, door, Audit.PIN_FAILED, f"{who}，连续第 {failures} 次")
            if wait:
                _record(
                    store, now, staff_id, door, Audit.LOCKED, f"{who}，等待 {describe_wait(wait)}"
                )
                refused = PinRefused(
                    f"PIN 已连续输错 {failures} 次，请 {describe_wait(wait)}后再试。", wait
                )
            else:
                refused = PinRefused(wrong)
    raise refused  # after the count is committed: a refusal must not roll it back


def _who(member: Staff | None, subject: str) -> str:
    return member.name if member else f"输入的姓名「{subject.removeprefix('name:')[:20]}」"


def clear_wait(ctx: Context, staff_id: int) -> None:
    """A manager lets someone try again at once (员工与角色)."""
    actor = require_active(ctx)
    permissions.require(actor, Action.MANAGE_STAFF)
    member = ctx.store.staff_member(staff_id)
    with ctx.store.transaction():
        ctx.store.execute("DELETE FROM pin_attempts WHERE subject = ?", (f"staff:{staff_id}",))
        _record(ctx.store, ctx.now(), actor.id, ctx.door, Audit.CLEARED, f"解除{member.name}的等待")


def record(ctx: Context, action: Audit, detail: str) -> None:
    """What left the shop, by whom and by which door (in the caller's transaction)."""
    _record(ctx.store, ctx.now(), ctx.actor_id, ctx.door, action, detail)


def record_at(
    store: Store, at: dt.datetime, staff_id: int | None, door: Door, action: Audit, detail: str
) -> None:
    """`record` for code that has a time and a person rather than a Context."""
    _record(store, at, staff_id, door, action, detail)


def _record(
    store: Store, at: dt.datetime, staff_id: int | None, door: Door, action: Audit, detail: str
) -> None:
    store.insert(
        "audit_log",
        {
            "at": db_time(at),
            "staff_id": staff_id,
            "door": door.value,
            "action": action.value,
            "detail": detail,
        },
    )


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: dt.datetime
    by: str  # the staff member's name, or 未登录
    door: Door
    action: Audit
    detail: str


def audit_history(ctx: Context, limit: int = 500) -> list[AuditEntry]:
    """The log, newest first: managers only, like the settings log."""
    permissions.require(require_active(ctx), Action.CHANGE_SETTINGS)
    names = {s.id: s.name for s in ctx.store.all_staff()}
    return [
        AuditEntry(
            at=dt.datetime.fromisoformat(row["at"]),
            by=names.get(row["staff_id"], "未登录") if row["staff_id"] else "未登录",
            door=Door(row["door"]),
            action=Audit(row["action"]),
            detail=row["detail"],
        )
        for row in ctx.store.query(
            "SELECT at, staff_id, door, action, detail FROM audit_log ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    ]
