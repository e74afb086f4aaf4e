"""Generated chains: N showrooms' weekly files for W weeks, as head office gets them.

For tests and the benchmark (`benchmarks/hq_load.py`). Each showroom receives
30–50 complaints a week; a case appears in its week of receipt, its week of
closing and, while open, in about half the weeks between (a call, a visit),
each time as it stood at that week's end — so a case is a row in several
files, as in the app's own export. The bytes come from the app's writer
(`export.weekly_bytes`, `export.csv_bytes`), in version 2 or, for weeks
before a showroom's `upgrade_week`, version 1. `broken_files` makes one file
of each kind head office must refuse.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..domain import SATISFACTION_LABELS, ClockKind, EscalationLevel, Severity, SolutionKind
from ..export import (
    ALL_CASES,
    HEADER_V1,
    SCOPE_FULL,
    SCOPE_MASKED,
    csv_bytes,
    week_bounds,
    week_label,
    weekly_bytes,
)
from ..settings import DEFAULT_LISTS

_KEYS = {name: [e.key for e in DEFAULT_LISTS[name]] for name in DEFAULT_LISTS}
_CATEGORY_WEIGHTS = [30, 25, 12, 8, 7, 6, 6, 4, 2]
_CAUSE_WEIGHTS = [28, 24, 12, 9, 7, 8, 6, 4, 2]
_CHANNEL_WEIGHTS = [35, 30, 8, 15, 2, 1, 1, 5, 3]
_STAGES_OPEN = ["已登记", "调查中", "处理中", "待复核", "待回访"]
_SUMMARIES = [
    "主卧衣柜左侧门板关不严，缝隙约 5mm",
    "橱柜台面安装后有裂纹, 要求更换",
    '客户说"送货时间一改再改"，很不满意',
    "地板铺装后起拱\n第二次上门仍未解决",
    "=1+1 不应被当成公式计算",
    "卫浴花洒漏水，已报修两次",
    "木门颜色与样板不一致",
    "安装师傅态度差，现场未清理",
]
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
# A showroom that renamed a list entry: the label changes, the key does not.
RENAMED = {"安装施工": "安装问题"}


@dataclass
class _Case:
    no: str
    received: dt.datetime
    closes: dt.datetime
    channel: str
    category: str
    severity: Severity
    product: str
    valid: bool
    first_contact_hours: float
    escalation: int
    missed: list[ClockKind]
    clocks: list[ClockKind]
    satisfaction: int
    cause: str
    solution: SolutionKind
    compensation: int
    name: str
    phone: str
    summary: str


@dataclass
class Showroom:
    code: str
    rng: random.Random
    renamed: bool = False
    upgrade_week: str = ""  # weeks before it are written in version 1
    open_cases: list[_Case] = field(default_factory=list)
    numbers: dict[dt.date, int] = field(default_factory=dict)


def weeks_from(first: str, count: int) -> list[str]:
    """`count` consecutive ISO week labels from `first` (across week 53 and a new year)."""
    start, _ = week_bounds(first)
    return [week_label((start + dt.timedelta(weeks=n)).date()) for n in range(count)]


def showroom_codes(count: int) -> list[str]:
    return [f"SH{n:04d}" for n in range(1, count + 1)]


def _new_case(room: Showroom, start: dt.datetime) -> _Case:
    rng = room.rng
    received = start + dt.timedelta(days=rng.randrange(7), minutes=rng.randrange(9 * 60, 18 * 60))
    number = room.numbers[received.date()] = room.numbers.get(received.date(), 0) + 1
    valid = rng.random() < 0.92
    days = rng.lognormvariate(1.3, 0.8) if valid else rng.uniform(0.2, 3)
    missed = [k for k in (ClockKind.FIRST_CONTACT, ClockKind.PROGRESS_CALL) if rng.random() < 0.08]
    clocks = [ClockKind.FIRST_CONTACT, ClockKind.PROGRESS_CALL, ClockKind.FOLLOW_UP_CALL]
    if rng.random() < 0.4:
        clocks.insert(1, ClockKind.HOME_VISIT)
        if rng.random() < 0.1:
            missed.append(ClockKind.HOME_VISIT)
    solution = rng.choice(list(SolutionKind))
    return _Case(
        no=f"TS-{received:%Y%m%d}-{number:03d}",
        received=received,
        closes=received + dt.timedelta(days=min(days, 60)),
        channel=rng.choices(_KEYS["channel"], _CHANNEL_WEIGHTS)[0],
        category=rng.choices(_KEYS["category"], _CATEGORY_WEIGHTS)[0],
        severity=rng.choices(list(Severity), [70, 25, 5])[0],
        product=rng.choice(_KEYS["product_category"]),
        valid=valid,
        first_contact_hours=round(rng.uniform(0.1, 30), 1),
        escalation=rng.choices([0, 1, 2], [88, 9, 3])[0],
        missed=missed,
        clocks=clocks,
        satisfaction=rng.choices([5, 4, 3, 2, 1], [40, 35, 15, 7, 3])[0],
        cause=rng.choices(_KEYS["cause"], _CAUSE_WEIGHTS)[0],
        solution=solution,
        compensation=rng.randrange(100, 2000) * 100 if solution.needs_approval else 0,
        name=rng.choice(_SURNAMES) + "先生",
        phone=f"1{rng.randrange(30, 99)}{rng.randrange(10**8):08d}",
        summary=rng.choice(_SUMMARIES),
    )


def _time(value: dt.datetime | None) -> str:
    return "" if value is None else value.isoformat(sep=" ", timespec="minutes")


def case_row(room: Showroom, case: _Case, week: str, end: dt.datetime, *, full: bool) -> list[str]:
    """The case as it stood at `end`, in version-2 column order."""
    closed = case.closes if case.closes < end else None
    contact = case.received + dt.timedelta(hours=case.first_contact_hours)
    contact_at = contact if contact < end else None
    if closed is not None:
        stage = "已结案" if case.valid else "不成立"
    else:
        elapsed = (end - case.received) / (case.closes - case.received)
        stage = _STAGES_OPEN[min(4, int(elapsed * 5))]
    decided = closed is not None or stage not in ("已登记", "调查中")
    missed = [k.label for k in case.missed if k is ClockKind.FIRST_CONTACT or closed is not None]
    clocks = [k.label for k in case.clocks if k is not ClockKind.FOLLOW_UP_CALL or closed]
    rated = closed is not None and case.valid
    solution = case.solution if case.valid and stage not in ("已登记", "调查中") else None
    category = (RENAMED.get(case.category, case.category)) if room.renamed else case.category
    cause = case.cause if rated else ""
    values = [
        "2",
        room.code,
        week,
        case.no,
        _time(case.received),
        case.channel,
        category,
        case.severity.label,
        case.product,
        "",
        "",
        stage,
        ("是" if case.valid else "否") if decided else "",
        EscalationLevel(case.escalation if decided else 0).label,
        _time(contact_at),
        "" if contact_at is None else f"{case.first_contact_hours:.1f}",
        _time(closed),
        "" if closed is None else f"{(closed - case.received).total_seconds() / 86400:.1f}",
        "是" if missed else "否",
        "、".join(missed),
        "" if solution is None else solution.label,
        f"{case.compensation / 100:.2f}" if solution is not None and case.compensation else "",
        SATISFACTION_LABELS[case.satisfaction] if rated else "",
        case.name if full else case.name[0] + "**",
        case.phone if full else case.phone[:3] + "****" + case.phone[-4:],
        ("'" + case.summary) if case.summary.startswith("=") else case.summary,
        SCOPE_FULL if full else SCOPE_MASKED,
        case.channel,
        case.category,
        case.product,
        cause,
        cause,
        "、".join(clocks),
        "案件",
        "",
        "",
    ]
    return values


def week_rows(room: Showroom, week: str, *, full: bool = False) -> list[list[str]]:
    """The showroom's rows for `week`: new cases, cases closing, and about half
    of those still open; every call moves the showroom on by one week."""
    start, end = week_bounds(week)
    rng = room.rng
    room.open_cases += [_new_case(room, start) for _ in range(rng.randrange(30, 51))]
    shown, still_open = [], []
    for case in room.open_cases:
        if case.received >= start or case.closes < end or rng.random() < 0.5:
            shown.append(case)
        if case.closes >= end:
            still_open.append(case)
    room.open_cases = still_open
    rows = [case_row(room, case, week, end, full=full) for case in shown]
    return sorted(rows, key=lambda row: row[3])


def file_bytes(room: Showroom, week: str, rows: list[list[str]]) -> bytes:
    """The week's file in the showroom's version for that week."""
    if room.upgrade_week and week < room.upgrade_week:
        return csv_bytes(HEADER_V1, [["1", *row[1:26]] for row in rows])
    return weekly_bytes(room.code, week, rows, full=rows[0][26] == SCOPE_FULL if rows else False)


def make_showrooms(count: int, *, seed: int = 1, upgrade_week: str = "") -> list[Showroom]:
    """`count` showrooms; every third one renamed a category, every second one
    wrote version 1 before `upgrade_week`."""
    return [
        Showroom(
            code,
            random.Random(f"{seed}:{code}"),
            renamed=n % 3 == 0,
            upgrade_week=upgrade_week if n % 2 == 0 else "",
        )
        for n, code in enumerate(showroom_codes(count))
    ]


def write_week(folder: Path, rooms: list[Showroom], week: str) -> list[Path]:
    """Each showroom's file of `week` into `folder/week/`; an empty week has no
    rows (version 2 still says who and when)."""
    target = folder / week
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for room in rooms:
        path = target / f"{room.code}_{week}.csv"
        path.write_bytes(file_bytes(room, week, week_rows(room, week)))
        paths.append(path)
    return paths


def generate_chain(
    folder: Path,
    showrooms: int,
    first_week: str,
    weeks: int,
    *,
    seed: int = 1,
    upgrade_week: str = "",
) -> tuple[list[Showroom], list[Path]]:
    """A chain's files, one folder per week; returns the showrooms (to go on
    with `write_week`) and the paths written."""
    rooms = make_showrooms(showrooms, seed=seed, upgrade_week=upgrade_week)
    paths: list[Path] = []
    for week in weeks_from(first_week, weeks):
        paths += write_week(folder, rooms, week)
    return rooms, paths


def resend(path: Path, changed: int = 3) -> bytes:
    """A corrected resend of a version-2 file: the first `changed` cases closed
    and rated 非常满意 (what a showroom fixes after sending too early)."""
    from ..export import parse_week_file

    week_file = parse_week_file(path.name, path.read_bytes())
    rows = [list(row) for row in week_file.rows]
    for row in rows[:changed]:
        row[11], row[12], row[22] = "已结案", "是", SATISFACTION_LABELS[5]
        if not row[16]:
            row[16] = row[4]
            row[17] = "0.0"
    return weekly_bytes(week_file.showroom_code, week_file.week, rows, full=False)


def broken_files(folder: Path, good: Path, today: dt.date) -> dict[str, Path]:
    """One file of each kind head office refuses, made from a good version-2
    file, by the reason's kind (`hq.schema.REASONS`)."""
    from ..export import parse_week_file

    data = good.read_bytes()
    week_file = parse_week_file(good.name, data)
    rows, code, week = week_file.rows, week_file.showroom_code, week_file.week
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    files["schema"] = "日期,金额\r\n2026-11-02,100\r\n".encode("utf-8-sig")
    files["not_weekly"] = weekly_bytes(code, ALL_CASES, rows, full=False)
    other = [[("SH9999" if n == 1 else cell) for n, cell in enumerate(row)] for row in rows[:2]]
    files["two_showrooms"] = weekly_bytes(code, week, rows[2:] + other, full=False)
    future = week_label(today + dt.timedelta(weeks=2))
    moved = [[(future if n == 2 else cell) for n, cell in enumerate(row)] for row in rows]
    files["future"] = weekly_bytes(code, future, moved, full=False)
    files["truncated_row"] = data[: data.rindex(b"\r\n", 0, data.rindex(b"\r\n", 0, -2)) + 2]
    middle = data.index(b"**") - 1  # inside the surname's three UTF-8 bytes
    files["truncated_char"] = data[:middle]
    files["checksum"] = data.replace(b"**", b"##", 1)
    lower = [[(code.lower() if n == 1 else cell) for n, cell in enumerate(row)] for row in rows]
    files["code"] = weekly_bytes(code.lower(), week, lower, full=False)
    default = [[("MD001" if n == 1 else cell) for n, cell in enumerate(row)] for row in rows]
    files["default_code"] = weekly_bytes("MD001", week, default, full=False)
    full = [[*row[:26], SCOPE_FULL, *row[27:]] for row in rows]
    files["full"] = weekly_bytes(code, week, full, full=True)
    paths = {}
    for kind, content in files.items():
        path = folder / f"broken_{kind}.csv"
        path.write_bytes(content)
        paths[kind] = path
    return paths
