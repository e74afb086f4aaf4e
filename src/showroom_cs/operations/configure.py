"""设置: changing the settings every rule reads, by a manager, on the record.

Each change is written to `settings_log` (who, when, the item, old → new as
stored). A change to the time-limit table or the hours moves the due times
of every open case at once, and each case whose due times moved gets one
timeline event saying so; closed cases keep the times they were held to.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import permissions
from ..call_script import PART_TITLES
from ..domain import MANAGER_ROLES, ClockKind, Role, Severity, Staff
from ..errors import RuleError
from ..permissions import Action
from ..settings import (
    LIST_TITLES,
    Settings,
    settings_to_rows,
    validate_settings,
)
from ..store.rows import db_time
from ._common import Context, commit, load_case, recompute_due_times, require_active

# Settings whose change moves the due times of open cases.
_TIMING_KEYS = frozenset(
    {
        "sla",
        "opening_hours",
        "closed_weekdays",
        "closed_dates",
        "opening_hours_limits",
        "calling_windows",
    }
)
ITEM_LABELS = {
    "showroom_name": "门店名称",
    "showroom_code": "门店编码",
    "showroom_address": "门店地址",
    "showroom_phone": "门店电话",
    "logo_png": "门店标志",
    "lists": "选项列表",
    "routing": "默认分派",
    "sla": "时限",
    "approval_limits_fen": "审批额度",
    "escalate_on_breach": "超时升级",
    "opening_hours": "营业时间",
    "closed_weekdays": "每周休息日",
    "closed_dates": "休息日期",
    "opening_hours_limits": "按营业时间计时的时限",
    "calling_windows": "回访时段",
    "call_minutes": "每通回访预留时间",
    "idle_lock_minutes": "自动锁屏",
    "pin_tries": "PIN 连续输错次数",
    "pin_first_wait_minutes": "输错后第一次等待",
    "pin_longest_wait_minutes": "输错后最长等待",
    "backup_dir": "备份文件夹",
    "keep_daily": "每日备份保留份数",
    "keep_monthly": "每月备份保留份数",
    "call_script": "回访话术",
}
LOGO_MAX_BYTES = 10 * 1024 * 1024
LOGO_BOX = (600, 240)  # pixels: sharp at the form's 24 × 14 mm


def require_manager(ctx: Context, action: Action = Action.CHANGE_SETTINGS) -> Staff:
    actor = require_active(ctx)
    permissions.require(actor, action)
    return actor


def log_change(ctx: Context, item: str, old: str | None, new: str | None) -> None:
    ctx.store.insert(
        "settings_log",
        {"at": db_time(ctx.now()), "by_id": ctx.actor_id, "item": item, "old": old, "new": new},
    )


@dataclass(frozen=True, slots=True)
class SettingsChange:
    items: tuple[str, ...]  # the settings keys that changed
    cases_moved: int  # open cases whose due times moved


def change_settings(ctx: Context, new: Settings) -> SettingsChange:
    """Save `new` (built from the current settings) if it is valid; record what changed."""
    require_manager(ctx)
    validate_settings(new)
    before = ctx.store.settings()
    old_rows, new_rows = settings_to_rows(before), settings_to_rows(new)
    changed = tuple(key for key in new_rows if old_rows.get(key) != new_rows[key])
    if not changed:
        return SettingsChange((), 0)
    with ctx.store.transaction():
        for key in changed:
            log_change(ctx, key, old_rows.get(key), new_rows[key])
        ctx.store.write_settings(new)
        moved = _move_due_times(ctx) if _TIMING_KEYS & set(changed) else 0
    return SettingsChange(changed, moved)


def _move_due_times(ctx: Context) -> int:
    """Recompute the open clocks of open cases; one event per case whose times moved."""
    moved = 0
    rows = ctx.store.query(
        "SELECT DISTINCT k.case_id FROM clocks k JOIN cases c ON c.id = k.case_id "
        "WHERE k.met_at IS NULL AND k.cancelled_at IS NULL "
        "AND c.stage NOT IN ('closed', 'invalid', 'voided') ORDER BY k.case_id"
    )
    for row in rows:
        case_id = row[0]
        before = load_case(ctx, case_id)
        old = _open_due_times(ctx, case_id)
        recompute_due_times(ctx, case_id, before.severity)
        new = _open_due_times(ctx, case_id)
        shifts = [
            f"{ClockKind(kind).label} {old[kind]:%m-%d %H:%M} → {new[kind]:%m-%d %H:%M}"
            for kind in old
            if new.get(kind) != old[kind]
        ]
        if shifts:
            commit(ctx, case_id, before, "due_times_moved", "时限设置调整：" + "；".join(shifts))
            moved += 1
    return moved


def _open_due_times(ctx: Context, case_id: int) -> dict[str, dt.datetime]:
    return {
        row["kind"]: dt.datetime.fromisoformat(row["due_at"])
        for row in ctx.store.query(
            "SELECT kind, due_at FROM clocks WHERE case_id = ? AND met_at IS NULL "
            "AND cancelled_at IS NULL",
            (case_id,),
        )
    }


def logo_from_file(path: Path) -> str:
    """A logo image checked and scaled for the forms, as stored (base64 PNG)."""
    from PIL import Image, UnidentifiedImageError

    try:
        size = path.stat().st_size
    except OSError:
        raise RuleError(f"找不到图片「{path.name}」，请重新选择。") from None
    if size > LOGO_MAX_BYTES:
        raise RuleError("标志图片太大（超过 10 MB），请换一张较小的图片。")
    try:
        with Image.open(path) as image:
            image.load()
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError):
        raise RuleError(
            f"「{path.name}」不是能识别的图片，请选择 PNG 或 JPG 格式的标志。"
        ) from None
    if min(picture.size) < 16:
        raise RuleError("标志图片太小，至少要 16 × 16 像素。")
    picture.thumbnail(LOGO_BOX)
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return base64.b64encode(out.getvalue()).decode("ascii")


# ------------------------------------------------------------- history


@dataclass(frozen=True, slots=True)
class LogEntry:
    at: dt.datetime
    by: str
    item: str
    what: str  # old → new in words


def settings_history(ctx: Context, limit: int = 500) -> list[LogEntry]:
    """The newest changes first, described for people (managers only)."""
    require_manager(ctx)
    names = {member.id: member.name for member in ctx.store.all_staff()}
    rows = ctx.store.query(
        "SELECT at, by_id, item, old, new FROM settings_log ORDER BY id DESC LIMIT ?", (limit,)
    )
    return [
        LogEntry(
            dt.datetime.fromisoformat(row["at"]),
            names.get(row["by_id"], "?"),
            _item_label(row["item"]),
            describe_change(row["item"], row["old"], row["new"]),
        )
        for row in rows
    ]


def _item_label(item: str) -> str:
    if item.startswith("staff:"):
        return "员工"
    return ITEM_LABELS.get(item, item)


def describe_change(item: str, old: str | None, new: str | None) -> str:
    """One line a manager can read: what was, what is."""
    before = json.loads(old) if old else None
    after = json.loads(new) if new else None
    if item == "lists":
        return _describe_lists(before or {}, after or {})
    if item == "sla":
        return _describe_sla(before or {}, after or {})
    if item == "logo_png":
        return "更换了标志" if after else "去掉了标志"
    if item == "call_script":
        edited = [
            t for k, t in PART_TITLES.items() if (before or {}).get(k) != (after or {}).get(k)
        ]
        return "修改了" + "、".join(f"「{t}」" for t in edited) if edited else "已修改"
    if item.startswith("staff:") and before is None:
        return f"新增 {after}"
    return f"{_plain(before)} → {_plain(after)}"


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, list):
        return "、".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}：{_plain(v)}" for k, v in value.items())
    return str(value)


def _describe_lists(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    parts = []
    for name, title in LIST_TITLES.items():
        old = {e["key"]: e for e in before.get(name, [])}
        for entry in after.get(name, []):
            was = old.get(entry["key"])
            if was is None:
                parts.append(f"{title}新增「{entry['label']}」")
                continue
            if was["label"] != entry["label"]:
                parts.append(f"{title}「{was['label']}」改名为「{entry['label']}」")
            if was.get("retired") != entry.get("retired"):
                verb = "停用" if entry.get("retired") else "恢复"
                parts.append(f"{title}{verb}「{entry['label']}」")
    return "；".join(parts) or "已修改"


def _describe_sla(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    parts = []
    for clock, row in after.items():
        for severity, value in row.items():
            old = before.get(clock, {}).get(severity)
            if old != value:
                label = f"{ClockKind(clock).label}·{Severity(severity).label}"
                parts.append(f"{label} {old} → {value}")
    return "；".join(parts) or "已修改"


# ---------------------------------------------------------------- staff


def staff_snapshot(member: Staff) -> str:
    return json.dumps(
        f"{member.name}（{member.role.label}，{'在职' if member.active else '已停用'}）",
        ensure_ascii=False,
    )


def other_active_managers(ctx: Context, staff_id: int) -> int:
    marks = ",".join("?" for _ in MANAGER_ROLES)
    return int(
        ctx.store.scalar(
            f"SELECT COUNT(*) FROM staff WHERE active = 1 AND id != ? AND role IN ({marks})",
            (staff_id, *[r.value for r in MANAGER_ROLES]),
        )
    )


def protect_last_manager(ctx: Context, member: Staff, *, role: Role, active: bool) -> None:
    """The showroom always keeps someone who can manage it."""
    stays_manager = active and role in MANAGER_ROLES
    was_manager = member.active and member.role in MANAGER_ROLES
    if was_manager and not stays_manager and other_active_managers(ctx, member.id) == 0:
        raise RuleError(
            f"{member.name}是最后一位在职的管理人员（店长、总经理或老板），不能停用或改为其他角色；"
            "请先让另一位员工担任管理角色。"
        )
