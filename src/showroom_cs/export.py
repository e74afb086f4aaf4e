"""The weekly head-office CSV (csv spec), rebuilt from the timeline.

Each row is a case as it stood at the end of the ISO week: columns come from
replaying the case's events up to that moment, contacts and overdue marks
only up to it, so exporting a week again after later edits gives the same
bytes. UTF-8 with BOM, CRLF, RFC 4180 quoting, cells that a spreadsheet
would run as a formula neutralised, personal data masked unless a manager
asks for it in full.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from collections.abc import Iterable
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
from .errors import PermissionDenied, RuleError, ShowroomError, disk_full, os_error_text
from .operations.access import Audit, record_at
from .permissions import Action
from .privacy import mask_address, mask_name, mask_phone
from .store import Store
from .store.rows import db_time
from .timeline import rewind

FORMAT_VERSION = "2"
# Every version the app has written; a reader accepts each of them.
FORMAT_VERSIONS = ("1", "2")
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
    "cause_key",
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
    # Version 2: what a chain needs to trust and count a file (docs/csv-schema.md).
    Column("数据范围", "scope", "text"),
    Column("受理渠道键", "channel_key", "text"),
    Column("投诉类别键", "category_key", "text"),
    Column("产品品类键", "product_category_key", "text"),
    Column("问题原因", "cause", "text"),
    Column("问题原因键", "cause_key", "text"),
    Column("时限环节", "clocks", "text"),
    Column("行类型", "row_kind", "text"),
    Column("文件行数", "file_rows", "integer"),
    Column("文件校验", "file_sha256", "text"),
)
HEADER = tuple(column.label for column in COLUMNS)
# Version 1 (the first 26 columns, no closing row), still read by every reader.
COLUMNS_V1 = COLUMNS[:26]
HEADER_V1 = HEADER[:26]
# 数据范围 and 行类型.
SCOPE_MASKED, SCOPE_FULL = "遮盖", "完整"
ROW_CASE, ROW_END = "案件", "合计"


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
    clocks: list[str]  # the limits running, met or missed by then (ClockKind values)


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
    clocks: dict[int, list[str]] = {case_id: [] for case_id in ids}
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
        # A limit counts once started by the cut, unless cancelled before it unmissed.
        for row in store.query(
            f"SELECT DISTINCT case_id, kind FROM clocks WHERE case_id IN ({marks}) "
            "AND started_at <= ? AND (cancelled_at IS NULL OR cancelled_at > ? OR breached_at <= ?)",
            [*chunk, cut, cut, cut],
        ):
            clocks[row[0]].append(row[1])
    return {
        case_id: _History(
            rewind(states[case_id], since[case_id]),
            visits[case_id],
            [kind for _, kind in sorted(missed[case_id], key=lambda m: m[0])],
            reached.get(case_id),
            clocks[case_id],
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
    cause_key = str(state.get("cause_key") or "")
    kinds = set(history.clocks)
    limits = [k.label for k in ClockKind if k.value in kinds or k.label in breached]
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
        SCOPE_FULL if full else SCOPE_MASKED,
        str(state["channel"]),
        str(state["category"]),
        str(state.get("product_category") or ""),
        settings.label_of("cause", cause_key) if cause_key else "",
        cause_key,
        "、".join(limits),
        ROW_CASE,
        "",
        "",
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


def csv_bytes(header: tuple[str, ...], rows: Iterable[list[str]]) -> bytes:
    """Rows as the weekly file's bytes: UTF-8 with BOM, CRLF, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def end_row(code: str, week: str, rows: int, body: bytes, *, full: bool) -> list[str]:
    """The closing 合计 row: who and which week (also when no case changed), masked
    or not, and the number of case rows and the SHA-256 of every byte before it,
    so a reader can prove the file whole."""
    values = dict.fromkeys((c.key for c in COLUMNS), "")
    values.update(
        format_version=FORMAT_VERSION,
        showroom_code=code,
        week=week,
        summary=f"文件结尾：共 {rows} 件案件",
        scope=SCOPE_FULL if full else SCOPE_MASKED,
        row_kind=ROW_END,
        file_rows=str(rows),
        file_sha256=hashlib.sha256(body).hexdigest(),
    )
    return list(values.values())


def weekly_bytes(code: str, week: str, rows: list[list[str]], *, full: bool) -> bytes:
    """A whole version-2 file: header, the case rows and the closing row."""
    body = csv_bytes(HEADER, rows)
    end = io.StringIO()
    csv.writer(end, lineterminator="\r\n").writerow(end_row(code, week, len(rows), body, full=full))
    return body + end.getvalue().encode("utf-8")


def _csv_file(store: Store, week: str, name: str, rows: list[list[str]], full: bool) -> CsvFile:
    code = store.settings().showroom_code
    data = weekly_bytes(code, week, rows, full=full)
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
    """Write the file and record it — the export history, and the security log
    with the door — together or not at all: head office never gets a file the
    showroom has no record of, and a refused record leaves no file behind (a
    file of the same name from before stays as it was)."""
    target = folder / export.file_name
    partial = target.with_name(target.name + ".part")
    earlier = target.with_name(target.name + ".earlier")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(export.data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ExportNotWritten(folder, exc) from exc
    placed = False
    try:
        with store.transaction():
            _record(store, actor, export, now, door)
            # In place inside the transaction: should the commit fail, the
            # file is taken back out below.
            if target.exists():
                os.replace(target, earlier)
            os.replace(partial, target)
            placed = True
    except BaseException:
        with contextlib.suppress(OSError):
            if placed:
                target.unlink(missing_ok=True)
            if earlier.exists():
                os.replace(earlier, target)
            partial.unlink(missing_ok=True)
        raise
    earlier.unlink(missing_ok=True)
    return target


def _record(
    store: Store, actor: Staff | None, export: CsvFile, now: dt.datetime, door: Door
) -> None:
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


class ExportNotWritten(ShowroomError):
    """The file could not be written; nothing was recorded and nothing left behind."""

    def __init__(self, folder: Path, exc: OSError) -> None:
        if disk_full(exc):
            fix = "请清理磁盘空间，或换一个文件夹（如U盘）再导出"
        else:
            fix = "请换一个文件夹再导出"
        super().__init__(
            f"无法保存到「{folder}」：{os_error_text(exc)}，文件没有导出，也没有记录。{fix}。"
        )


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
    """A weekly file head office cannot use; the message names the file and line.

    `kind` says why, for a loader's report: schema (not this program's header or
    version), not_weekly, two_showrooms, truncated, checksum, damaged."""

    def __init__(self, message: str, kind: str = "damaged") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class WeekFile:
    """One showroom's weekly file, checked: what it says it is, and its case rows
    in the version-2 column order (a version-1 row padded with empty cells)."""

    version: str
    showroom_code: str
    week: str
    full: bool | None  # None: a version-1 file does not say
    rows: list[list[str]]


_BOM = b"\xef\xbb\xbf"
_HEADER_LINES = {
    csv_bytes(HEADER, [])[len(_BOM) :]: "2",
    csv_bytes(HEADER_V1, [])[len(_BOM) :]: "1",
}
_INDEX = {column.key: number for number, column in enumerate(COLUMNS)}
_PADDING = [""] * (len(HEADER) - len(HEADER_V1))


def file_version(name: str, data: bytes) -> str:
    """The format version a file's header names ("1" or "2"), or MergeError."""
    first = data.removeprefix(_BOM)
    line = first[: first.find(b"\r\n") + 2] if b"\r\n" in first else first
    version = _HEADER_LINES.get(line)
    if version is not None:
        return version
    if any(header.startswith(first) for header in _HEADER_LINES):
        raise MergeError(f"「{name}」不完整：文件在表头处就被截断了。", "truncated")
    if line.rstrip(b"\r\n").decode("utf-8", "replace").split(",")[:2] == list(SUMMARY_HEADER[:2]):
        raise MergeError(f"「{name}」是合并后的门店汇总，不是门店的周报文件。", "not_weekly")
    raise MergeError(
        f"「{name}」第 1 行表头不对：不是本程序写的周报（格式版本 {' 或 '.join(FORMAT_VERSIONS)}）。",
        "schema",
    )


def split_end(name: str, data: bytes) -> tuple[bytes, list[str]]:
    """A version-2 file's bytes before its closing row, and that row, proved whole:
    the row is there, and the count and SHA-256 it states are the file's own."""
    cut = "文件不完整：没有结尾的合计行，可能在传输或复制中被截断，请门店重新发送。"
    if not data.endswith(b"\r\n"):
        raise MergeError(f"「{name}」{cut}", "truncated")
    start = data.rfind(b"\r\n", 0, len(data) - 2) + 2
    try:
        end = next(csv.reader([data[start:-2].decode("utf-8")]), [])
    except UnicodeDecodeError:
        end = []
    if len(end) != len(HEADER) or end[_INDEX["row_kind"]] != ROW_END:
        raise MergeError(f"「{name}」{cut}", "truncated")
    body = data[:start]
    if hashlib.sha256(body).hexdigest() != end[_INDEX["file_sha256"]]:
        raise MergeError(
            f"「{name}」的校验值与内容不符：文件在导出后被修改（如在 Excel 中另存）或已损坏，"
            "请门店重新导出发送。",
            "checksum",
        )
    return body, end


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise MergeError(
                f"「{name}」不完整：最后一个字符只有一半，文件在传输或复制中被截断了。",
                "truncated",
            ) from None
        raise MergeError(f"「{name}」不是 UTF-8 编码的周报文件。", "schema") from None


def check_week(name: str, week: str) -> None:
    """A weekly file's 周次 must be an ISO week that exists."""
    try:
        week_bounds(week)
    except RuleError:
        raise MergeError(
            f"「{name}」的周次是「{week}」，不是某一周：这不是周报文件（可能是全部案件或合并后的文件）。",
            "not_weekly",
        ) from None


def parse_week_file(name: str, data: bytes) -> WeekFile:
    """Check one weekly file of either version and return its rows."""
    version = file_version(name, data)
    end: list[str] | None = None
    if version == "2":
        data, end = split_end(name, data)
        check_week(name, end[2])
    elif not data.endswith(b"\r\n"):
        _decode(name, data)  # a cut inside a character says so
        raise MergeError(f"「{name}」不完整：最后一行没有结束，文件可能被截断了。", "truncated")
    reader = csv.reader(io.StringIO(_decode(name, data), newline=""))
    next(reader)
    width = len(HEADER) if version == "2" else len(HEADER_V1)
    rows: list[list[str]] = []
    code, week = (end[1], end[2]) if end else ("", "")
    for row in reader:
        # line_num counts physical lines, so a summary with line breaks in it
        # still leaves the reported number pointing at the right place.
        where = f"「{name}」第 {reader.line_num} 行"
        if len(row) != width:
            raise MergeError(f"{where}有 {len(row)} 列，应为 {width} 列：文件可能已损坏。")
        if row[0] != version:
            raise MergeError(
                f"{where}的格式版本是「{row[0]}」，与表头（版本 {version}）不符。", "schema"
            )
        if not code and not rows:
            code, week = row[1], row[2]
        if (row[1], row[2]) != (code, week):
            raise MergeError(
                f"{where}是「{row[1]} {row[2]}」，与文件的「{code} {week}」不同："
                "一个文件只应有一个门店的一周。",
                "two_showrooms",
            )
        rows.append(row if version == "2" else row + _PADDING)
    if end is not None:
        if int(end[_INDEX["file_rows"]] or -1) != len(rows):
            raise MergeError(
                f"「{name}」有 {len(rows)} 件案件，结尾的合计行写的是 {end[_INDEX['file_rows']]} 件："
                "文件已损坏。",
                "checksum",
            )
    elif rows:
        check_week(name, week)
    full = None if end is None else end[_INDEX["scope"]] == SCOPE_FULL
    return WeekFile(version, code, week, full, rows)


def read_week_file(path: Path) -> list[list[str]]:
    """The case rows of one showroom's weekly file, checked (version 1 or 2)."""
    return read_week(path).rows


def read_week(path: Path) -> WeekFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MergeError(f"无法读取「{path.name}」：{exc.strerror or exc}") from None
    return parse_week_file(path.name, data)


SUMMARY_HEADER = ("门店编码", "周次", "案件数", "已结案", "不成立", "超时件数", "平均满意度")
# What a merged file's closing row says in place of a week.
MERGED = "多周合并"


def merge_weeks(paths: list[Path], out: Path) -> tuple[Path, Path]:
    """All showrooms' rows in one file, and a per-showroom summary beside it.

    Every file is checked before anything is written; one bad file stops the
    merge and names the file and line. The rows stream: the first pass checks
    and counts, the second reads each file again in showroom and week order,
    so memory holds one file's rows, not the chain's.
    """
    scores = {label: value for value, label in SATISFACTION_LABELS.items()}
    summary: dict[tuple[str, str], list[int]] = {}
    owners: dict[tuple[str, str], tuple[Path, frozenset[str]]] = {}
    order: list[tuple[str, str, Path]] = []
    for path in paths:
        week_file = read_week(path)
        if not week_file.rows:
            continue
        key = (week_file.showroom_code, week_file.week)
        cases = frozenset(row[_INDEX["case_no"]] for row in week_file.rows)
        if key in owners:
            first, seen = owners[key]
            twice = min(seen & cases, default=None)
            if twice is not None:
                raise MergeError(
                    f"门店 {key[0]} {key[1]} 的案件 {twice} 同时出现在「{first.name}」"
                    f"和「{path.name}」中：同一周的文件放进来了两次，请去掉一份再合并。"
                )
            cases |= seen
        owners[key] = (path, cases)
        order.append((*key, path))
        _summarise(summary, key, week_file.rows, scores)
    summary_rows = [list(SUMMARY_HEADER)]
    for key, (count, closed, invalid, overdue, rated, score) in sorted(summary.items()):
        counts = [str(n) for n in (count, closed, invalid, overdue)]
        summary_rows.append([*key, *counts, f"{score / rated:.2f}" if rated else ""])
    summary_path = out.with_name(f"{out.stem}_门店汇总{out.suffix}")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Both files are written aside first, so a failure leaves neither half-made.
    parts = {path: path.with_name(path.name + ".part") for path in (out, summary_path)}
    try:
        with parts[out].open("wb") as merged:
            digest = hashlib.sha256()
            for chunk in _merged_chunks(order):
                digest.update(chunk)
                merged.write(chunk)
            # A closing row like a weekly file's, whose 周次 says it is a merge:
            # whole, and never taken for one showroom's week.
            closing = end_row("", MERGED, sum(c[0] for c in summary.values()), b"", full=False)
            closing[_INDEX["file_sha256"]] = digest.hexdigest()
            closing[_INDEX["scope"]] = ""
            end = io.StringIO()
            csv.writer(end, lineterminator="\r\n").writerow(closing)
            merged.write(end.getvalue().encode("utf-8"))
        parts[summary_path].write_bytes(csv_bytes(SUMMARY_HEADER, summary_rows[1:]))
        for path, part in parts.items():
            part.replace(path)
    finally:
        for part in parts.values():
            part.unlink(missing_ok=True)
    return out, summary_path


def _merged_chunks(order: list[tuple[str, str, Path]]) -> Iterable[bytes]:
    yield csv_bytes(HEADER, [])
    for _code, _week, path in sorted(order, key=lambda item: (item[0], item[1])):
        rows = sorted(read_week(path).rows, key=lambda row: row[_INDEX["case_no"]])
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerows(rows)
        yield buffer.getvalue().encode("utf-8")


def _summarise(
    summary: dict[tuple[str, str], list[int]],
    key: tuple[str, str],
    rows: list[list[str]],
    scores: dict[str, int],
) -> None:
    counts = summary.setdefault(key, [0, 0, 0, 0, 0, 0])
    for row in rows:
        counts[0] += 1
        counts[1] += row[_INDEX["stage"]] == Stage.CLOSED.label
        counts[2] += row[_INDEX["stage"]] == Stage.INVALID.label
        counts[3] += row[_INDEX["overdue"]] == "是"
        score = scores.get(row[_INDEX["satisfaction"]])
        if score is not None:
            counts[4] += 1
            counts[5] += score
