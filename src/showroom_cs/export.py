"""The weekly head-office CSV (csv spec), rebuilt from the timeline.

Each row is a case as it stood at the end of the ISO week: columns come from
replaying the case's events up to that moment, contacts and overdue marks
only up to it, so exporting a week again after later edits gives the same
bytes. UTF-8 with BOM, CRLF, RFC 4180 quoting, cells that a spreadsheet
would run as a formula neutralised, personal data masked unless a manager
asks for it in full.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import permissions
from .domain import (
    CASE_NO_ORDER_SQL,
    CLOSED_STAGES,
    SATISFACTION_LABELS,
    ClockKind,
    Door,
    EscalationLevel,
    Severity,
    SolutionKind,
    Staff,
    Stage,
    case_no_key,
)
from .errors import PermissionDenied, RuleError
from .operations.access import Audit, record_at
from .permissions import Action
from .privacy import mask_address, mask_name, mask_phone
from .store import Store
from .store.rows import db_time
from .timeline import rewind

FORMAT_VERSION = "1"
FULL_DATA_ROLES = frozenset(permissions.allowed_roles(Action.EXPORT_FULL))
SUMMARY_LENGTH = 200
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_FORMULA_STARTS = frozenset("=+-@\t\r")
# The columns of the cases table a row is made of.
_STATE_COLUMNS = (
    "id",
    "case_no",
    "received_at",
    "channel",
    "category",
    "severity",
    "product_category",
    "brand_model",
    "department",
    "stage",
    "valid",
    "escalation_level",
    "on_spot",
    "closed_at",
    "solution_kind",
    "solution_cost_fen",
    "satisfaction",
    "customer_name",
    "customer_phone",
    "customer_address",
    "description",
)
# Labels by stored value, looked up once per cell (an export has thousands of rows).
_SEVERITY_LABELS = {severity.value: severity.label for severity in Severity}
_ESCALATION_LABELS = {level.value: level.label for level in EscalationLevel}
# Phone-like runs: seven or more digits, or a mobile written "138 1234 5678".
_LONG_DIGITS = re.compile(r"\d{7,}|1\d{2}[ -]\d{4}[ -]\d{4}")


@dataclass(frozen=True)
class Column:
    label: str  # the fixed Chinese header
    key: str  # the stable key of docs/csv-schema.md
    kind: str  # text | datetime | number | integer


COLUMNS = (
    Column("格式版本", "format_version", "text"),
    Column("门店编码", "showroom_code", "text"),
    Column("周次", "week", "text"),
    Column("投诉编号", "case_no", "text"),
    Column("受理时间", "received_at", "datetime"),
    Column("受理渠道", "channel", "text"),
    Column("投诉类别", "category", "text"),
    Column("严重程度", "severity", "text"),
    Column("产品品类", "product_category", "text"),
    Column("品牌型号", "brand_model", "text"),
    Column("责任部门", "department", "text"),
    Column("当前阶段", "stage", "text"),
    Column("是否成立", "valid", "text"),
    Column("升级级别", "escalation", "text"),
    Column("首次响应时间", "first_contact_at", "datetime"),
    Column("首次响应用时(小时)", "first_contact_hours", "number"),
    Column("结案时间", "closed_at", "datetime"),
    Column("结案用时(天)", "close_days", "number"),
    Column("是否超时", "overdue", "text"),
    Column("超时环节", "overdue_clocks", "text"),
    Column("处理方案", "solution", "text"),
    Column("赔偿金额", "compensation_yuan", "number"),
    Column("满意度", "satisfaction", "text"),
    Column("客户姓名", "customer_name", "text"),
    Column("联系电话", "customer_phone", "text"),
    Column("投诉摘要", "summary", "text"),
)
HEADER = tuple(column.label for column in COLUMNS)


# ------------------------------------------------------------------ weeks


def week_label(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_bounds(label: str) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 of an ISO week like `2026-W47`."""
    found = _WEEK.match(label.strip())
    if not found:
        raise RuleError(f"周次「{label}」格式不对，请写成 2026-W47 这样。")
    try:
        monday = dt.date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError:
        raise RuleError(f"{found.group(1)} 年没有第 {int(found.group(2))} 周。") from None
    start = dt.datetime.combine(monday, dt.time())
    return start, start + dt.timedelta(days=7)


def last_complete_week(today: dt.date) -> str:
    return week_label(today - dt.timedelta(days=today.weekday() + 7))


# ------------------------------------------------------------------- rows


# Timeline events that change nothing head office sees: printing or saving a
# form, a look at the phone number or at a handed-over case, the managers'
# finding, an improvement item done or handed over. They do not bring an old
# case back into a week's file.
NOT_CHANGES = (
    "print",
    "export",
    "phone_revealed",
    "seen",
    "accountability",
    "improvement_done",
    "improvement_moved",
)


def cases_of_week(store: Store, start: dt.datetime, end: dt.datetime) -> list[int]:
    """Cases received, changed or closed in the week (a timeline event in it),
    and those with a time limit missed in it, however late the miss was noticed."""
    marks = ",".join("?" * len(NOT_CHANGES))
    rows = store.query(
        "SELECT case_id FROM events WHERE at >= ? AND at < ? "
        f"AND kind NOT IN ({marks}) UNION "
        "SELECT case_id FROM clocks WHERE due_at >= ? AND due_at < ? AND breached_at IS NOT NULL "
        "ORDER BY case_id",
        (db_time(start), db_time(end), *NOT_CHANGES, db_time(start), db_time(end)),
    )
    return [row[0] for row in rows]


def _hours(later: dt.datetime | None, earlier: dt.datetime) -> str:
    return "" if later is None else f"{(later - earlier).total_seconds() / 3600:.1f}"


def _time_text(value: dt.datetime | None) -> str:
    return "" if value is None else value.isoformat(sep=" ", timespec="minutes")


def _parse(text: Any) -> dt.datetime | None:
    return None if not text else dt.datetime.fromisoformat(str(text))


@dataclass(frozen=True)
class _History:
    """What a row needs beyond the case: its columns as they stood at the week's
    end, its visits and missed limits by then, and its first reached call (read
    for all the week's cases at once)."""

    state: dict[str, Any]
    visits: list[dt.datetime]
    missed: list[ClockKind]  # the limits missed by then, in the order they fell due
    first_reached: str | None


def _histories(store: Store, ids: list[int], until: dt.datetime) -> dict[int, _History]:
    """Each case's row as stored, with whatever happened since the week's end
    undone (`rewind`): only the events since are decoded, not every case's
    whole timeline."""
    cut = db_time(until)
    states: dict[int, dict[str, Any]] = {}
    since: dict[int, list[dict[str, list[Any]]]] = {case_id: [] for case_id in ids}
    visits: dict[int, list[dt.datetime]] = {case_id: [] for case_id in ids}
    missed: dict[int, list[tuple[str, ClockKind]]] = {case_id: [] for case_id in ids}
    reached: dict[int, str | None] = {}
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        marks = ",".join("?" * len(chunk))
        cursor = store.db.conn.execute(
            f"SELECT {', '.join(_STATE_COLUMNS)} FROM cases WHERE id IN ({marks})", chunk
        )
        columns = [d[0] for d in cursor.description]
        for values in cursor:
            state = dict(zip(columns, values, strict=True))
            states[state["id"]] = state
        # One walk of the cases' events: what changed since the cut (to undo),
        # the visits up to it, and the limits that fell due by it and were
        # missed (a sweep may have noticed one later, with the PC off).
        for event in store.query(
            f"SELECT case_id, kind, at, changes, data FROM events WHERE case_id IN ({marks}) "
            "AND (at > ? AND changes IS NOT NULL OR at <= ? AND kind = 'visit_done' "
            "OR kind = 'overdue') ORDER BY case_id, id",
            [*chunk, cut, cut],
        ):
            case_id = event["case_id"]
            if event["kind"] == "overdue":
                for miss in json.loads(event["data"] or "{}").get("missed", ()):
                    if miss["due_at"] <= cut:
                        missed[case_id].append((miss["due_at"], ClockKind(miss["clock"])))
            if event["at"] > cut and event["changes"] is not None:
                since[case_id].append(json.loads(event["changes"]))
            elif event["kind"] == "visit_done" and event["at"] <= cut:
                visits[case_id].append(dt.datetime.fromisoformat(event["at"]))
        for row in store.query(
            f"SELECT case_id, MIN(at) FROM contacts WHERE case_id IN ({marks}) "
            "AND reached = 1 AND at <= ? GROUP BY case_id",
            [*chunk, cut],
        ):
            reached[row[0]] = row[1]
    return {
        case_id: _History(
            rewind(states[case_id], since[case_id]),
            visits[case_id],
            [kind for _, kind in sorted(missed[case_id], key=lambda m: m[0])],
            reached.get(case_id),
        )
        for case_id in ids
    }


def case_row(
    store: Store,
    case_id: int,
    week: str,
    end: dt.datetime,
    *,
    full: bool,
    history: _History | None = None,
) -> list[str]:
    """One case as it stood at `end` (exclusive), in column order."""
    settings = store.settings()
    until = end - dt.timedelta(seconds=1)
    history = history or _histories(store, [case_id], until)[case_id]
    state = history.state
    received = _parse(state.get("received_at"))
    assert received is not None
    first_times = [t for t in (_parse(history.first_reached), *history.visits) if t is not None]
    if state.get("on_spot"):
        first_times.append(received)  # settled face to face at the counter
    first_contact = min(first_times) if first_times else None
    breached = [kind.label for kind in history.missed]
    stage = Stage(state["stage"])
    closed_at = _parse(state.get("closed_at")) if stage in CLOSED_STAGES else None
    kind = SolutionKind(state["solution_kind"]) if state.get("solution_kind") else None
    cost = int(state.get("solution_cost_fen") or 0)
    valid = {None: "", 1: "是", 0: "否"}[state.get("valid")]
    satisfaction = state.get("satisfaction")
    name, phone = str(state["customer_name"]), str(state["customer_phone"])
    values = [
        FORMAT_VERSION,
        settings.showroom_code,
        week,
        str(state["case_no"]),
        _time_text(received),
        settings.label_of("channel", state["channel"]),
        settings.label_of("category", state["category"]),
        _SEVERITY_LABELS[state["severity"]],
        settings.label_of("product_category", state.get("product_category") or ""),
        str(state.get("brand_model") or ""),
        str(state.get("department") or ""),
        stage.label,
        valid,
        _ESCALATION_LABELS[int(state.get("escalation_level") or 0)],
        _time_text(first_contact),
        _hours(first_contact, received),
        _time_text(closed_at),
        "" if closed_at is None else f"{(closed_at - received).total_seconds() / 86400:.1f}",
        "是" if breached else "否",
        "、".join(dict.fromkeys(breached)),
        "" if kind is None else kind.label,
        f"{cost / 100:.2f}" if kind is not None and kind.needs_approval and cost else "",
        SATISFACTION_LABELS.get(int(satisfaction), "") if satisfaction else "",
        name if full else mask_name(name),
        phone if full else mask_phone(phone),
        _summary(
            str(state.get("description") or ""),
            name,
            phone,
            str(state.get("customer_address") or ""),
            full=full,
        ),
    ]
    return [("'" + v) if v[:1] in _FORMULA_STARTS else v for v in values]  # neutralise()


def _summary(text: str, name: str, phone: str, address: str, *, full: bool) -> str:
    """The description, cut to length; in a masked file the customer's name,
    address and any phone-like digit run written inside it are masked too."""
    if not full:
        if address.strip():
            text = text.replace(address, mask_address(address))
        if name:
            text = text.replace(name, mask_name(name))
        text = _LONG_DIGITS.sub(lambda m: mask_phone(m.group()), text)
    return text[:SUMMARY_LENGTH]


def neutralise(cell: str) -> str:
    """A spreadsheet never runs a cell as a formula: a leading =, +, -, @, tab or
    carriage return is preceded by an apostrophe (OWASP's advice)."""
    return "'" + cell if cell[:1] in _FORMULA_STARTS else cell


# ----------------------------------------------------------------- export


@dataclass(frozen=True)
class CsvFile:
    week: str  # the week, or ALL_CASES
    file_name: str
    data: bytes
    rows: int
    sha256: str
    full: bool


# What the export history shows in place of a week for an all-cases file.
ALL_CASES = "全部案件"


def _csv_file(store: Store, week: str, name: str, rows: list[list[str]], full: bool) -> CsvFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(HEADER)
    writer.writerows(rows)
    data = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    code = store.settings().showroom_code
    return CsvFile(
        week=week,
        file_name=f"{code}_{name}.csv",
        data=data,
        rows=len(rows),
        sha256=hashlib.sha256(data).hexdigest(),
        full=full,
    )


def build_week(store: Store, week: str, *, full: bool = False) -> CsvFile:
    """The week's file as bytes (nothing written, nothing recorded)."""
    start, end = week_bounds(week)
    ids = cases_of_week(store, start, end)
    histories = _histories(store, ids, end - dt.timedelta(seconds=1))
    rows = sorted(
        (case_row(store, i, week, end, full=full, history=histories[i]) for i in ids),
        key=lambda row: case_no_key(row[3]),
    )
    return _csv_file(store, week, week, rows, full)


def build_all(store: Store, now: dt.datetime, *, full: bool = False) -> CsvFile:
    """Every case as it stands now, oldest first; 周次 is the week it was received
    (for an archive or a spreadsheet of the whole history, not for head office's
    weekly merge)."""
    order = ", ".join(CASE_NO_ORDER_SQL)
    ids = [row[0] for row in store.query(f"SELECT id FROM cases ORDER BY {order}")]
    later = now + dt.timedelta(seconds=1)
    histories = _histories(store, ids, now)
    rows = []
    for case_id in ids:
        history = histories[case_id]
        week = week_label(dt.date.fromisoformat(str(history.state["received_at"])[:10]))
        rows.append(case_row(store, case_id, week, later, full=full, history=history))
    return _csv_file(store, ALL_CASES, f"{ALL_CASES}_{now:%Y%m%d}", rows, full)


def _may_export(actor: Staff | None, full: bool) -> None:
    """Masked files may leave with nobody logged in (the command line without
    --as); full customer data needs a manager who gave their PIN."""
    if actor is None:
        if full:
            raise PermissionDenied(
                "导出完整的客户信息需要登录：请用 --as 指定一位店长、总经理或老板，并输入其 PIN。"
            )
        return
    permissions.require(actor, Action.EXPORT_FULL if full else Action.EXPORT_WEEK)


def _save(
    store: Store,
    actor: Staff | None,
    export: CsvFile,
    folder: Path,
    now: dt.datetime,
    door: Door,
) -> Path:
    """Write the file whole (a half-written file never carries its name) and
    record it: the export history, and the security log with the door."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / export.file_name
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(export.data)
    partial.replace(target)
    with store.transaction():
        store.insert(
            "exports",
            {
                "week": export.week,
                "exported_at": db_time(now),
                "by_id": actor.id if actor else None,
                "full": int(export.full),
                "rows": export.rows,
                "sha256": export.sha256,
                "file_name": export.file_name,
            },
        )
        masked = "完整客户信息" if export.full else "客户信息已遮盖"
        what = Audit.EXPORT_ALL if export.week == ALL_CASES else Audit.EXPORT_WEEK
        detail = f"{export.file_name}（{export.rows} 件，{masked}）"
        record_at(store, now, actor.id if actor else None, door, what, detail)
    return target


def export_week(
    store: Store,
    actor: Staff | None,
    week: str,
    folder: Path,
    *,
    full: bool = False,
    now: dt.datetime | None = None,
    door: Door = Door.WINDOW,
) -> tuple[Path, CsvFile]:
    """Write the week's file into `folder` and record the export; full data needs a manager."""
    _may_export(actor, full)
    export = build_week(store, week, full=full)
    return _save(store, actor, export, folder, now or dt.datetime.now(), door), export


def export_all_cases(
    store: Store,
    actor: Staff | None,
    folder: Path,
    *,
    now: dt.datetime,
    full: bool = False,
    door: Door = Door.WINDOW,
) -> tuple[Path, CsvFile]:
    """Write every case into `folder` and record the export; full data needs a manager."""
    _may_export(actor, full)
    export = build_all(store, now, full=full)
    return _save(store, actor, export, folder, now, door), export


# ---------------------------------------------------------- head office


class MergeError(RuleError):
    """A weekly file head office cannot use; the message names the file and line."""


def read_week_file(path: Path) -> list[list[str]]:
    """The data rows of one showroom's weekly file, checked for format and header."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise MergeError(f"无法读取「{path.name}」：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise MergeError(f"「{path.name}」不是 UTF-8 编码的周报文件。") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != HEADER:
        raise MergeError(
            f"「{path.name}」第 1 行表头不对：不是本格式（版本 {FORMAT_VERSION}）的周报。"
        )
    rows: list[list[str]] = []
    for row in reader:
        # line_num counts physical lines, so a summary with line breaks in it
        # still leaves the reported number pointing at the right place.
        where = f"「{path.name}」第 {reader.line_num} 行"
        if len(row) != len(HEADER):
            raise MergeError(f"{where}有 {len(row)} 列，应为 {len(HEADER)} 列：文件可能已损坏。")
        if row[0] != FORMAT_VERSION:
            raise MergeError(
                f"{where}的格式版本是「{row[0]}」，本程序只合并版本 {FORMAT_VERSION}。"
            )
        if rows and row[1:3] != rows[0][1:3]:
            raise MergeError(
                f"{where}是「{row[1]} {row[2]}」，与文件第一行的"
                f"「{rows[0][1]} {rows[0][2]}」不同：一个文件只应有一个门店的一周。"
            )
        rows.append(row)
    return rows


SUMMARY_HEADER = ("门店编码", "周次", "案件数", "已结案", "不成立", "超时件数", "平均满意度")


def merge_weeks(paths: list[Path], out: Path) -> tuple[Path, Path]:
    """All showrooms' rows in one file, and a per-showroom summary beside it.

    Every file is checked before anything is written; one bad file stops the
    merge and names the file and line.
    """
    all_rows: list[list[str]] = []
    seen: dict[tuple[str, str, str], str] = {}
    for path in paths:
        for row in read_week_file(path):
            key = (row[1], row[2], row[3])
            if key in seen:
                raise MergeError(
                    f"门店 {row[1]} {row[2]} 的案件 {row[3]} 同时出现在「{seen[key]}」"
                    f"和「{path.name}」中：同一周的文件放进来了两次，请去掉一份再合并。"
                )
            seen[key] = path.name
            all_rows.append(row)
    all_rows.sort(key=lambda row: (row[1], row[2], case_no_key(row[3])))
    index = {column.key: number for number, column in enumerate(COLUMNS)}
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for row in all_rows:
        groups.setdefault((row[index["showroom_code"]], row[index["week"]]), []).append(row)
    scores = {label: value for value, label in SATISFACTION_LABELS.items()}
    summary: list[list[str]] = [list(SUMMARY_HEADER)]
    for (code, week), rows in sorted(groups.items()):
        rated = [
            scores[r[index["satisfaction"]]] for r in rows if r[index["satisfaction"]] in scores
        ]
        summary.append(
            [
                code,
                week,
                str(len(rows)),
                str(sum(r[index["stage"]] == Stage.CLOSED.label for r in rows)),
                str(sum(r[index["stage"]] == Stage.INVALID.label for r in rows)),
                str(sum(r[index["overdue"]] == "是" for r in rows)),
                f"{sum(rated) / len(rated):.2f}" if rated else "",
            ]
        )
    summary_path = out.with_name(f"{out.stem}_门店汇总{out.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Both files are written aside first, so a failure leaves neither half-made.
    files = {out: [list(HEADER), *all_rows], summary_path: summary}
    parts = {path: path.with_name(path.name + ".part") for path in files}
    try:
        for path, rows in files.items():
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\r\n").writerows(rows)
            parts[path].write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
        for path, part in parts.items():
            part.replace(path)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    return out, summary_path
