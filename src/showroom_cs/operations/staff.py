"""Staff: the first start of a showroom, adding people, PINs and logging in."""

from __future__ import annotations

import dataclasses
import re

from ..auth import hash_pin
from ..clock import Clock
from ..domain import MANAGER_ROLES, Role, Staff
from ..errors import RuleError
from ..permissions import Action
from ..store import Store
from ..store.rows import db_time
from ._common import Context, as_enum, clean_text
from .access import check_own_pin
from .configure import log_change, protect_last_manager, require_manager, staff_snapshot

_SHOWROOM_CODE = re.compile(r"^[A-Za-z0-9]{2,16}$")


def add_staff(ctx: Context, name: str, role: Role, pin: str | None = None) -> Staff:
    """Add a staff member; only the very first may be added without a manager."""
    name = clean_text(name, "员工姓名", required=True, max_len=40, field="name")
    role = as_enum(Role, role, "角色", "role")
    pin_hash = hash_pin(pin) if pin is not None else None
    if ctx.store.scalar("SELECT COUNT(*) FROM staff") > 0:
        require_manager(ctx, Action.MANAGE_STAFF)
    with ctx.store.transaction():
        staff_id = ctx.store.write_staff(
            {
                "name": name,
                "role": role.value,
                "active": 1,
                "pin_hash": pin_hash,
                "created_at": db_time(ctx.now()),
            }
        )
        added = ctx.store.staff_member(staff_id)
        if ctx.actor_id is not None:  # the very first person is added by nobody
            log_change(ctx, f"staff:{staff_id}", None, staff_snapshot(added))
    return added


def edit_staff(ctx: Context, staff_id: int, *, name: str, role: Role) -> Staff:
    """Rename a staff member or change their role (managers only)."""
    require_manager(ctx, Action.MANAGE_STAFF)
    member = ctx.store.staff_member(staff_id)
    name = clean_text(name, "员工姓名", required=True, max_len=40, field="name")
    role = as_enum(Role, role, "角色", "role")
    protect_last_manager(ctx, member, role=role, active=member.active)
    return _write_member(ctx, member, {"name": name, "role": role.value})


def set_staff_active(ctx: Context, staff_id: int, active: bool) -> Staff:
    """停用 or 恢复 a staff member; nobody is ever deleted (their names stay on timelines)."""
    actor = require_manager(ctx, Action.MANAGE_STAFF)
    member = ctx.store.staff_member(staff_id)
    if not active and member.id == actor.id:
        raise RuleError("不能停用自己的账号；请另一位管理人员操作。")
    protect_last_manager(ctx, member, role=member.role, active=active)
    return _write_member(ctx, member, {"active": int(active)})


def reset_pin(ctx: Context, staff_id: int) -> Staff:
    """Forget a staff member's PIN; they set a new one at their next login."""
    require_manager(ctx, Action.MANAGE_STAFF)
    member = ctx.store.staff_member(staff_id)
    with ctx.store.transaction():
        ctx.store.write_staff({"pin_hash": None}, staff_id)
        log_change(ctx, f"staff:{staff_id}", None, f'"重置了{member.name}的 PIN"')
    return ctx.store.staff_member(staff_id)


def _write_member(ctx: Context, member: Staff, values: dict[str, object]) -> Staff:
    with ctx.store.transaction():
        ctx.store.write_staff(values, member.id)
        after = ctx.store.staff_member(member.id)
        if after != member:
            log_change(ctx, f"staff:{member.id}", staff_snapshot(member), staff_snapshot(after))
    return after


def needs_setup(store: Store) -> bool:
    """True on the very first start: no showroom, nobody to log in."""
    return not store.scalar("SELECT COUNT(*) FROM staff")


def create_showroom(
    store: Store,
    clock: Clock,
    *,
    showroom_name: str,
    showroom_code: str,
    manager_name: str,
    manager_role: Role,
    pin: str,
) -> Staff:
    """First start: name the showroom and create its first manager, in one step."""
    if not needs_setup(store):
        raise RuleError("门店已经建立，请直接登录。")
    name = clean_text(showroom_name, "门店名称", required=True, max_len=60, field="showroom_name")
    code = (showroom_code or "").strip().upper()
    if not _SHOWROOM_CODE.match(code):
        raise RuleError("门店编码请用 2–16 位字母或数字，例如 SH001。", missing=("showroom_code",))
    role = as_enum(Role, manager_role, "角色", "manager_role")
    if role not in MANAGER_ROLES:
        raise RuleError("第一位员工须是店长、总经理或老板，才能继续添加同事。", missing=("role",))
    settings = dataclasses.replace(store.settings(), showroom_name=name, showroom_code=code)
    ctx = Context(store, clock, None)
    with store.transaction():
        store.write_settings(settings)
        return add_staff(ctx, manager_name, role, pin)


def set_own_pin(
    store: Store, clock: Clock, staff_id: int, new_pin: str, old_pin: str | None = None
) -> None:
    """Set one's own PIN: the first time (or after a reset) freely, later with
    the old one, checked under the same wrong-PIN rule as every door."""
    pin_hash = hash_pin(new_pin)  # a badly shaped new PIN is refused before any count
    if store.pin_hash(staff_id):
        check_own_pin(store, clock, staff_id, old_pin or "")
    with store.transaction():
        store.write_staff({"pin_hash": pin_hash}, staff_id)
