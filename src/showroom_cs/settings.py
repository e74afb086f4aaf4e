"""The showroom's settings: lists, routing, time limits, thresholds, hours.

Every rule the core applies reads its numbers from here, never from a
constant, so a manager can change them (the settings screen) without a
developer. Stored as one JSON value per top-level key in the `settings`
table; keys missing from the file fall back to the defaults below, which
are those of the domain spec.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .call_script import DEFAULT_SCRIPT, check_script
from .domain import ClockKind, Role, Severity
from .errors import RuleError


@dataclass(frozen=True, slots=True)
class ListEntry:
    """An entry of an editable list. Cases store `key`; renaming changes `label` only."""

    key: str
    label: str
    retired: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """Default owner for a complaint category (seed 000)."""

    department: str
    owner_role: Role


def _entries(*labels: str) -> tuple[ListEntry, ...]:
    return tuple(ListEntry(label, label) for label in labels)


DEFAULT_LISTS: dict[str, tuple[ListEntry, ...]] = {
    "channel": _entries(
        "到店", "来电", "客服中心", "微信", "短信", "邮件", "信函", "回访中发现", "其他"
    ),
    "category": _entries(
        "产品质量",
        "安装施工",
        "配送物流",
        "设计问题",
        "销售承诺",
        "服务态度",
        "售后维修",
        "价格收费",
        "其他",
    ),
    "product_category": _entries(
        "橱柜",
        "衣柜",
        "木门",
        "门窗",
        "地板",
        "瓷砖",
        "卫浴",
        "窗帘",
        "墙纸墙布",
        "家具",
        "灯具",
        "五金",
        "其他",
    ),
    "demand": _entries("维修", "更换", "退货退款", "赔偿", "道歉", "解释说明", "其他"),
    "department": _entries("客服部", "销售部", "设计部", "安装部", "配送部", "售后部"),
    # What the problem came down to, chosen at closing: counted per month so the
    # manager sees what to fix first (seeds 000, 001).
    "cause": _entries(
        "产品质量缺陷",
        "安装施工不规范",
        "配送搬运损坏",
        "设计或测量失误",
        "销售承诺不符",
        "服务沟通不到位",
        "供应商交期延误",
        "客户使用不当",
        "其他",
    ),
}

DEFAULT_ROUTING: dict[str, Route] = {
    "产品质量": Route("销售部", Role.STORE_MANAGER),
    "安装施工": Route("安装部", Role.INSTALL_MANAGER),
    "配送物流": Route("配送部", Role.STORE_MANAGER),
    "设计问题": Route("设计部", Role.STORE_MANAGER),
    "销售承诺": Route("销售部", Role.STORE_MANAGER),
    "服务态度": Route("客服部", Role.SUPERVISOR),
    "售后维修": Route("售后部", Role.INSTALL_MANAGER),
    "价格收费": Route("销售部", Role.STORE_MANAGER),
    "其他": Route("客服部", Role.SUPERVISOR),
}

# The limits a manager may switch between 营业时间内计时 and 全天计时 (the calls
# always keep to the calling windows of opening days).
SWITCHABLE_LIMITS = frozenset(
    {ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT, ClockKind.FEEDBACK, ClockKind.REVIEW_FIX}
)

# Units per clock: hours after receipt; days after assignment; the Nth day
# counted from receipt (receipt day = day 1); days after the trigger (0 =
# the same day, 1 = the next day).
SLA_UNITS: dict[ClockKind, str] = {
    ClockKind.FIRST_CONTACT: "小时",
    ClockKind.HOME_VISIT: "小时",
    ClockKind.FEEDBACK: "天",
    ClockKind.PROGRESS_CALL: "第N天",
    ClockKind.REVIEW_FIX: "天",
    ClockKind.FOLLOW_UP_CALL: "天",
}


def _same(value: int) -> dict[Severity, int]:
    return {severity: value for severity in Severity}


DEFAULT_SLA: dict[ClockKind, dict[Severity, int]] = {
    ClockKind.FIRST_CONTACT: {Severity.URGENT: 2, Severity.IMPORTANT: 8, Severity.NORMAL: 24},
    ClockKind.HOME_VISIT: {Severity.URGENT: 24, Severity.IMPORTANT: 48, Severity.NORMAL: 72},
    ClockKind.FEEDBACK: _same(3),
    ClockKind.PROGRESS_CALL: _same(5),
    ClockKind.REVIEW_FIX: _same(0),
    ClockKind.FOLLOW_UP_CALL: _same(1),
}

# Largest gift or compensation (in fen) each role may approve; None = no limit.
# Seed 000: the supervisor submits, the general manager approves.
DEFAULT_APPROVAL_LIMITS: dict[Role, int | None] = {
    Role.CLERK: 0,
    Role.SUPERVISOR: 0,
    Role.STORE_MANAGER: 500_00,
    Role.INSTALL_MANAGER: 0,
    Role.GENERAL_MANAGER: 20_000_00,
    Role.OWNER: None,
}


@dataclass(frozen=True, slots=True)
class Settings:
    showroom_name: str = "示例家居建材门店"
    showroom_code: str = "MD001"
    showroom_address: str = ""
    showroom_phone: str = ""
    # The showroom's logo for the paper forms: a PNG, base64, already scaled.
    logo_png: str = ""
    lists: Mapping[str, tuple[ListEntry, ...]] = field(default_factory=lambda: dict(DEFAULT_LISTS))
    routing: Mapping[str, Route] = field(default_factory=lambda: dict(DEFAULT_ROUTING))
    sla: Mapping[ClockKind, Mapping[Severity, int]] = field(
        default_factory=lambda: {k: dict(v) for k, v in DEFAULT_SLA.items()}
    )
    approval_limits_fen: Mapping[Role, int | None] = field(
        default_factory=lambda: dict(DEFAULT_APPROVAL_LIMITS)
    )
    escalate_on_breach: Mapping[ClockKind, bool] = field(
        default_factory=lambda: dict.fromkeys(ClockKind, True)
    )
    opening_hours: tuple[dt.time, dt.time] = (dt.time(9, 0), dt.time(18, 0))
    # Monday = 0 … Sunday = 6; a showroom is usually open every day.
    closed_weekdays: frozenset[int] = frozenset()
    # Whole days closed besides: holidays, stock-taking.
    closed_dates: frozenset[dt.date] = frozenset()
    # The limits that count only the hours the showroom is open (营业时间内计时);
    # the others run around the clock (全天计时). Calls follow their windows.
    opening_hours_limits: frozenset[ClockKind] = SWITCHABLE_LIMITS
    calling_windows: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(10, 30), dt.time(11, 30)),
        (dt.time(15, 0), dt.time(17, 30)),
    )
    # Each proposed follow-up call takes this long in a calling window.
    call_minutes: int = 10
    # The window locks after this many idle minutes (a shared counter PC).
    idle_lock_minutes: int = 10
    # Wrong PINs, at every door: after this many in a row a person waits the
    # first wait, then each further wrong PIN doubles it up to the longest.
    pin_tries: int = 5
    pin_first_wait_minutes: int = 1
    pin_longest_wait_minutes: int = 30
    # Automatic backups: the folder ("" = `backups` beside the database) and
    # how many daily copies and month-end copies are kept.
    backup_dir: str = ""
    keep_daily: int = 14
    keep_monthly: int = 12
    # 回访话术: part key (call_script.PART_TITLES) → text with {placeholders}.
    call_script: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SCRIPT))

    def active_entries(self, list_name: str) -> tuple[ListEntry, ...]:
        return tuple(e for e in self.lists[list_name] if not e.retired)

    def label_of(self, list_name: str, key: str) -> str:
        for entry in self.lists.get(list_name, ()):
            if entry.key == key:
                return entry.label
        return key

    def has_key(self, list_name: str, key: str, *, include_retired: bool = False) -> bool:
        return any(
            e.key == key and (include_retired or not e.retired)
            for e in self.lists.get(list_name, ())
        )

    def sla_value(self, clock: ClockKind, severity: Severity) -> int:
        return self.sla[clock][severity]

    def approval_limit_fen(self, role: Role) -> int | None:
        return self.approval_limits_fen.get(role, 0)


# Names of the lists a manager edits, in the order the settings screen shows them.
LIST_TITLES = {
    "channel": "受理渠道",
    "category": "投诉类别",
    "product_category": "产品类别",
    "demand": "客户诉求",
    "department": "责任部门",
    "cause": "问题原因类别",
}
SHOWROOM_CODE = re.compile(r"^[A-Za-z0-9]{2,16}$")
MAX_LABEL = 30


def validate_settings(settings: Settings) -> None:
    """Refuse settings the rules cannot work with, in Chinese, naming what is wrong."""
    _validate_profile(settings)
    _validate_lists(settings)
    check_script(settings.call_script)
    opens, closes = settings.opening_hours
    if not opens < closes:
        raise RuleError("营业时间的开始必须早于结束。")
    if len(settings.closed_dates) > 366:
        raise RuleError("休息日期最多 366 天。")
    if settings.opening_hours_limits - SWITCHABLE_LIMITS:
        raise RuleError("回访按回访时段计时，不能改为营业时间内或全天计时。")
    if len(settings.closed_weekdays) >= 7:
        raise RuleError("每周至少要有一天营业。")
    windows = sorted(settings.calling_windows)
    if not windows:
        raise RuleError("至少需要一个回访时段。")
    for start, end in windows:
        if not start < end:
            raise RuleError(f"回访时段 {start:%H:%M}–{end:%H:%M} 的开始必须早于结束。")
        if start < opens or end > closes:
            raise RuleError(
                f"回访时段 {start:%H:%M}–{end:%H:%M} 超出了营业时间 {opens:%H:%M}–{closes:%H:%M}。"
            )
    for (_, end_a), (start_b, _) in itertools.pairwise(windows):
        if start_b < end_a:
            raise RuleError("回访时段之间不能重叠。")
    for clock, row in settings.sla.items():
        for severity, value in row.items():
            if value < 0:
                raise RuleError(f"时限「{clock.label}·{severity.label}」不能为负数。")
        if clock in (ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT) and min(row.values()) == 0:
            raise RuleError(f"时限「{clock.label}」至少为 1 小时。")
        if clock == ClockKind.PROGRESS_CALL and min(row.values()) < 1:
            raise RuleError("进度回访的天数从受理当天算起，至少为第 1 天。")
    if not 5 <= settings.call_minutes <= 60:
        raise RuleError("每通回访预留的时间请设为 5 到 60 分钟。")
    if not 1 <= settings.keep_daily <= 365:
        raise RuleError("每日备份请保留 1 到 365 份。")
    if not 0 <= settings.keep_monthly <= 120:
        raise RuleError("每月备份请保留 0 到 120 份。")
    if not 1 <= settings.idle_lock_minutes <= 240:
        raise RuleError("自动锁屏时间请设为 1 到 240 分钟。")
    if not 3 <= settings.pin_tries <= 20:
        raise RuleError("PIN 连续输错的次数请设为 3 到 20 次。")
    if not 1 <= settings.pin_first_wait_minutes <= 60:
        raise RuleError("输错后的第一次等待请设为 1 到 60 分钟。")
    if not settings.pin_first_wait_minutes <= settings.pin_longest_wait_minutes <= 24 * 60:
        raise RuleError("最长等待请设为不短于第一次等待、不超过 24 小时（1440 分钟）。")
    for role, limit in settings.approval_limits_fen.items():
        if limit is not None and limit < 0:
            raise RuleError(f"「{role.label}」的审批额度不能为负数。")


def _validate_profile(settings: Settings) -> None:
    if not settings.showroom_name.strip():
        raise RuleError("请填写门店名称。")
    if len(settings.showroom_name) > 60:
        raise RuleError("门店名称最多 60 字。")
    if not SHOWROOM_CODE.match(settings.showroom_code):
        raise RuleError("门店编码请用 2–16 位字母或数字，例如 SH001（总部周报的文件名会用到它）。")
    if len(settings.showroom_address) > 200:
        raise RuleError("门店地址最多 200 字。")
    if len(settings.showroom_phone) > 30:
        raise RuleError("门店电话最多 30 个字符。")


def _validate_lists(settings: Settings) -> None:
    for name, title in LIST_TITLES.items():
        entries = settings.lists.get(name, ())
        labels = [entry.label.strip() for entry in entries]
        if any(not label for label in labels):
            raise RuleError(f"「{title}」里有一项没有名称。")
        if any(len(label) > MAX_LABEL for label in labels):
            raise RuleError(f"「{title}」的名称最多 {MAX_LABEL} 字。")
        doubled = {label for label in labels if labels.count(label) > 1}
        if doubled:
            raise RuleError(f"「{title}」里「{sorted(doubled)[0]}」重复了，请换个名称。")
        keys = [entry.key for entry in entries]
        if len(set(keys)) != len(keys):
            raise RuleError(f"「{title}」的内部编号重复，请联系技术支持。")
        if not any(not entry.retired for entry in entries):
            raise RuleError(f"「{title}」至少要保留一项在用。")
    departments = {entry.key for entry in settings.lists.get("department", ())}
    categories = {entry.key for entry in settings.lists.get("category", ())}
    for category, route in settings.routing.items():
        if category not in categories:
            raise RuleError(f"默认分派里的投诉类别「{category}」不存在。")
        if route.department not in departments:
            raise RuleError(
                f"「{category}」默认分派到的部门「{route.department}」不在责任部门列表中。"
            )


# ------------------------------------------------------------ (de)serialising


def _time(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


def settings_to_rows(settings: Settings) -> dict[str, str]:
    """One JSON text per top-level key, for the `settings` table."""
    values: dict[str, Any] = {
        "showroom_name": settings.showroom_name,
        "showroom_code": settings.showroom_code,
        "showroom_address": settings.showroom_address,
        "showroom_phone": settings.showroom_phone,
        "logo_png": settings.logo_png,
        "idle_lock_minutes": settings.idle_lock_minutes,
        "pin_tries": settings.pin_tries,
        "pin_first_wait_minutes": settings.pin_first_wait_minutes,
        "pin_longest_wait_minutes": settings.pin_longest_wait_minutes,
        "call_minutes": settings.call_minutes,
        "backup_dir": settings.backup_dir,
        "keep_daily": settings.keep_daily,
        "keep_monthly": settings.keep_monthly,
        "call_script": dict(settings.call_script),
        "lists": {
            name: [dataclasses.asdict(e) for e in entries]
            for name, entries in settings.lists.items()
        },
        "routing": {
            cat: {"department": r.department, "owner_role": r.owner_role.value}
            for cat, r in settings.routing.items()
        },
        "sla": {
            clock.value: {sev.value: v for sev, v in row.items()}
            for clock, row in settings.sla.items()
        },
        "approval_limits_fen": {r.value: v for r, v in settings.approval_limits_fen.items()},
        "escalate_on_breach": {c.value: v for c, v in settings.escalate_on_breach.items()},
        "opening_hours": [t.isoformat("minutes") for t in settings.opening_hours],
        "closed_weekdays": sorted(settings.closed_weekdays),
        "closed_dates": sorted(day.isoformat() for day in settings.closed_dates),
        "opening_hours_limits": sorted(clock.value for clock in settings.opening_hours_limits),
        "calling_windows": [
            [a.isoformat("minutes"), b.isoformat("minutes")] for a, b in settings.calling_windows
        ],
    }
    return {key: json.dumps(value, ensure_ascii=False) for key, value in values.items()}


def settings_from_rows(rows: Mapping[str, str]) -> Settings:
    """Settings from stored rows; unknown keys are ignored, missing ones default."""
    base = Settings()
    data = {key: json.loads(text) for key, text in rows.items()}
    changes: dict[str, Any] = {}
    for key in ("showroom_name", "showroom_code", "showroom_address", "showroom_phone", "logo_png"):
        if key in data:
            changes[key] = str(data[key])
    if "backup_dir" in data:
        changes["backup_dir"] = str(data["backup_dir"])
    for key in (
        "idle_lock_minutes",
        "pin_tries",
        "pin_first_wait_minutes",
        "pin_longest_wait_minutes",
        "call_minutes",
        "keep_daily",
        "keep_monthly",
    ):
        if key in data:
            changes[key] = int(data[key])
    if "call_script" in data:
        changes["call_script"] = {
            **base.call_script,
            **{k: str(v) for k, v in data["call_script"].items()},
        }
    if "lists" in data:
        lists = dict(base.lists)
        for name, entries in data["lists"].items():
            lists[name] = tuple(ListEntry(**e) for e in entries)
        changes["lists"] = lists
    if "routing" in data:
        changes["routing"] = {
            cat: Route(r["department"], Role(r["owner_role"])) for cat, r in data["routing"].items()
        }
    if "sla" in data:
        sla = {k: dict(v) for k, v in base.sla.items()}
        for clock, row in data["sla"].items():
            for sev, value in row.items():
                sla[ClockKind(clock)][Severity(sev)] = int(value)
        changes["sla"] = sla
    if "approval_limits_fen" in data:
        limits = dict(base.approval_limits_fen)
        limits.update({Role(r): v for r, v in data["approval_limits_fen"].items()})
        changes["approval_limits_fen"] = limits
    if "escalate_on_breach" in data:
        flags = dict(base.escalate_on_breach)
        flags.update({ClockKind(c): bool(v) for c, v in data["escalate_on_breach"].items()})
        changes["escalate_on_breach"] = flags
    if "opening_hours" in data:
        opens, closes = data["opening_hours"]
        changes["opening_hours"] = (_time(opens), _time(closes))
    if "closed_weekdays" in data:
        changes["closed_weekdays"] = frozenset(int(d) for d in data["closed_weekdays"])
    if "closed_dates" in data:
        changes["closed_dates"] = frozenset(dt.date.fromisoformat(d) for d in data["closed_dates"])
    if "opening_hours_limits" in data:
        changes["opening_hours_limits"] = frozenset(
            ClockKind(c) for c in data["opening_hours_limits"]
        )
    if "calling_windows" in data:
        changes["calling_windows"] = tuple((_time(a), _time(b)) for a, b in data["calling_windows"])
    return dataclasses.replace(base, **changes)
