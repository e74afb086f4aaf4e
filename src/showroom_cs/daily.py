"""The 每日汇总单: what happened on one day, for the next morning's meeting.

For a day D it lists the cases received, every stage change, the cases
closed (and judged 不成立), the time limits overdue at the end of D (or now,
while D is not over) with whoever answers for them, the calls made, the
visits of D and those booked for D+1. Customer names are masked: the sheet
hangs on the meeting board.

Everything is read from what the operations record: the timeline's
(old, new) stage changes, the clocks' met / cancelled times (so a past
day's overdue list is as it stood that evening), contacts and appointments.
Only the day's rows are read; each table has an index on its time.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from enum import StrEnum

from .domain import (
    SATISFACTION_LABELS,
    AppointmentKind,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    Severity,
    Stage,
    case_no_key,
)
from .privacy import mask_name
from .settings import Settings
from .sla import describe_remaining
from .store import Store
from .store.rows import db_time

SYSTEM = "系统"  # an event without an actor: the app itself did it
UNASSIGNED = "（未分派）"
# The counts at the top of the sheet and the page, in order (see DailySummary.headline).
HEADLINE_LABELS = (
    "新登记",
    "阶段变动",
    "结案",
    "不成立",
    "超时未办",
    "已联系上",
    "未联系上",
    "上门完成",
    "明日上门",
)


@dataclass(frozen=True, slots=True)
class Received:
    """A case registered (received) on the day."""

    case_id: int
    case_no: str
    customer: str  # masked
    at: dt.datetime
    category: str  # label
    product: str  # 品类 · 品牌型号
    severity: Severity
    registrar: str
    stage: Stage  # where it stands now


@dataclass(frozen=True, slots=True)
class Move:
    """One stage change on the timeline."""

    case_id: int
    case_no: str
    customer: str
    at: dt.datetime
    old: Stage
    new: Stage
    actor: str
    note: str


@dataclass(frozen=True, slots=True)
class Closed:
    """A case closed (已结案) or judged 不成立 on the day."""

    case_id: int
    case_no: str
    customer: str
    at: dt.datetime
    result: Stage  # CLOSED or INVALID
    owner: str
    remark: str  # satisfaction, or why it does not stand


@dataclass(frozen=True, slots=True)
class Overdue:
    """A time limit past due at the sheet's moment and not kept by then."""

    case_id: int
    case_no: str
    customer: str
    kind: ClockKind
    due_at: dt.datetime
    late: str  # 超时 1天2小时
    owner: str
    stage: Stage  # where the case stands now


@dataclass(frozen=True, slots=True)
class Call:
    """A call, message or talk with the customer (a contacts row)."""

    case_id: int
    case_no: str
    customer: str
    at: dt.datetime
    caller: str
    method: ContactMethod
    purpose: ContactPurpose
    reached: bool


class VisitState(StrEnum):
    DONE = "done"
    MISSED = "missed"  # its time is over and nobody marked it done
    PLANNED = "planned"

    @property
    def label(self) -> str:
        return {"done": "已完成", "missed": "未完成", "planned": "待上门"}[self.value]


@dataclass(frozen=True, slots=True)
class Visit:
    """A home visit or re-inspection (an appointments row, cancelled ones left out)."""

    case_id: int
    case_no: str
    customer: str
    kind: AppointmentKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    staff: str
    address: str
    state: VisitState


@dataclass(frozen=True, slots=True)
class DailySummary:
    """Everything on the 每日汇总单 of `day`; each tuple in time order."""

    day: dt.date
    # The overdue list's moment: the end of the day, or now while the day lasts.
    as_of: dt.datetime
    received: tuple[Received, ...]
    moves: tuple[Move, ...]
    closed: tuple[Closed, ...]
    overdue: tuple[Overdue, ...]
    calls: tuple[Call, ...]
    visits: tuple[Visit, ...]  # of the day, done or not
    tomorrow: tuple[Visit, ...]  # planned for the next day

    @property
    def closed_count(self) -> int:
        return sum(row.result == Stage.CLOSED for row in self.closed)

    @property
    def invalid_count(self) -> int:
        return sum(row.result == Stage.INVALID for row in self.closed)

    @property
    def reached_count(self) -> int:
        return sum(call.reached for call in self.calls)

    @property
    def visits_done(self) -> int:
        return sum(visit.state == VisitState.DONE for visit in self.visits)

    def headline(self) -> list[tuple[str, int]]:
        """(label, count) for each of HEADLINE_LABELS."""
        counts = (
            len(self.received),
            len(self.moves),
            self.closed_count,
            self.invalid_count,
            len(self.overdue),
            self.reached_count,
            len(self.calls) - self.reached_count,
            self.visits_done,
            len(self.tomorrow),
        )
        return list(zip(HEADLINE_LABELS, counts, strict=True))


def daily_summary(store: Store, day: dt.date, now: dt.datetime) -> DailySummary:
    """The 每日汇总单 of `day`, as the database stands at `now`."""
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    # The last second of the day: what was due by then and not done is overdue.
    as_of = min(end - dt.timedelta(seconds=1), now)
    names = {member.id: member.name for member in store.all_staff()}
    changes = _stage_changes(store, start, end)
    return DailySummary(
        day=day,
        as_of=as_of,
        received=_received(store, start, end, names),
        moves=_moves(changes, names),
        closed=_closed(changes, names),
        overdue=_overdue(store, as_of, names),
        calls=_calls(store, start, end, names),
        visits=_visits(store, start, end, as_of, names),
        tomorrow=_visits(store, end, end + dt.timedelta(days=1), as_of, names),
    )


def _window(start: dt.datetime, end: dt.datetime) -> dict[str, str | None]:
    return {"start": db_time(start), "end": db_time(end)}


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _owner(names: dict[int, str], owner_id: int | None, registrar_id: int) -> str:
    """Whoever answers for a case: its owner, or while nobody owns it, its registrar."""
    if owner_id is not None:
        return names.get(owner_id, "")
    return names.get(registrar_id, "") + UNASSIGNED


def _product(settings: Settings, category: str, brand_model: str) -> str:
    """`衣柜 · 索菲亚 · 趟门衣柜`: the product category's label and the brand and model."""
    parts = (settings.label_of("product_category", category) if category else "", brand_model)
    return " · ".join(part for part in parts if part)


def _received(
    store: Store, start: dt.datetime, end: dt.datetime, names: dict[int, str]
) -> tuple[Received, ...]:
    # A voided case was entered by mistake: not received (as on the 统计 page).
    rows = store.query(
        "SELECT id, case_no, customer_name, received_at, category, product_category, brand_model, "
        "severity, received_by, stage FROM cases "
        "WHERE received_at >= :start AND received_at < :end AND stage != 'voided' "
        "ORDER BY received_at, id",
        _window(start, end),
    )
    settings = store.settings()
    return tuple(
        Received(
            case_id=row["id"],
            case_no=row["case_no"],
            customer=mask_name(row["customer_name"]),
            at=_time(row["received_at"]),
            category=settings.label_of("category", row["category"]),
            product=_product(settings, row["product_category"], row["brand_model"]),
            severity=Severity(row["severity"]),
            registrar=names.get(row["received_by"], ""),
            stage=Stage(row["stage"]),
        )
        for row in rows
    )


def _stage_changes(store: Store, start: dt.datetime, end: dt.datetime) -> list[sqlite3.Row]:
    """The timeline's stage changes in [start, end), oldest first; registration
    is not one (it is in 新登记)."""
    return store.query(
        "SELECT e.case_id, e.at, e.actor_id, e.note, json_extract(e.changes, '$.stage[0]') AS old, "
        "json_extract(e.changes, '$.stage[1]') AS new, c.case_no, c.customer_name, c.owner_id, "
        "c.received_by, c.satisfaction, c.validity_reason "
        "FROM events e JOIN cases c ON c.id = e.case_id "
        "WHERE e.at >= :start AND e.at < :end AND e.kind != 'register' "
        "AND json_extract(e.changes, '$.stage') IS NOT NULL ORDER BY e.at, e.id",
        _window(start, end),
    )


def _moves(changes: list[sqlite3.Row], names: dict[int, str]) -> tuple[Move, ...]:
    return tuple(
        Move(
            case_id=row["case_id"],
            case_no=row["case_no"],
            customer=mask_name(row["customer_name"]),
            at=_time(row["at"]),
            old=Stage(row["old"]),
            new=Stage(row["new"]),
            actor=SYSTEM if row["actor_id"] is None else names.get(row["actor_id"], ""),
            note=row["note"],
        )
        for row in changes
    )


def _closed(changes: list[sqlite3.Row], names: dict[int, str]) -> tuple[Closed, ...]:
    """From the timeline, not `closed_at`: a case reopened since still closed that day.
    Closed twice the same day (reopened in between), it is listed once, at the last."""
    endings = (Stage.CLOSED.value, Stage.INVALID.value)
    last = {(row["case_id"], row["new"]): row for row in changes if row["new"] in endings}
    ordered = sorted(last.values(), key=lambda row: (row["at"], case_no_key(row["case_no"])))
    return tuple(
        Closed(
            case_id=row["case_id"],
            case_no=row["case_no"],
            customer=mask_name(row["customer_name"]),
            at=_time(row["at"]),
            result=Stage(row["new"]),
            owner=_owner(names, row["owner_id"], row["received_by"]),
            remark=_closing_remark(Stage(row["new"]), row["satisfaction"], row["validity_reason"]),
        )
        for row in ordered
    )


def _closing_remark(result: Stage, satisfaction: int | None, reason: str) -> str:
    if result == Stage.INVALID:
        return f"理由：{reason}" if reason else ""
    if satisfaction not in SATISFACTION_LABELS:
        return ""
    return f"满意度：{SATISFACTION_LABELS[satisfaction]}"


# Overdue at :t — due by then, neither kept nor called off by then. Each half
# walks an index: clocks still open (the partial index on open clocks), and
# clocks kept or called off since :t, whose cases all have a timeline event
# since :t (every operation that closes a clock writes one, at or after it).
_OVERDUE = (
    "SELECT k.case_id, k.kind, k.due_at, c.case_no, c.customer_name, c.owner_id, c.received_by, "
    "c.stage "
    "FROM clocks k JOIN cases c ON c.id = k.case_id "
    "WHERE k.due_at <= :t AND c.stage != 'voided' AND {which} "
)
_STILL_OPEN = "k.met_at IS NULL AND k.cancelled_at IS NULL"
_CLOSED_SINCE = (
    "k.case_id IN (SELECT case_id FROM events WHERE at > :t) "
    "AND (k.met_at IS NOT NULL OR k.cancelled_at IS NOT NULL) "
    "AND (k.met_at IS NULL OR k.met_at > :t) AND (k.cancelled_at IS NULL OR k.cancelled_at > :t)"
)


def _overdue(store: Store, as_of: dt.datetime, names: dict[int, str]) -> tuple[Overdue, ...]:
    rows = [
        row
        for which in (_STILL_OPEN, _CLOSED_SINCE)
        for row in store.query(_OVERDUE.format(which=which), {"t": db_time(as_of)})
    ]
    rows.sort(key=lambda row: (row["due_at"], case_no_key(row["case_no"]), row["kind"]))
    return tuple(
        Overdue(
            case_id=row["case_id"],
            case_no=row["case_no"],
            customer=mask_name(row["customer_name"]),
            kind=ClockKind(row["kind"]),
            due_at=_time(row["due_at"]),
            late=describe_remaining(_time(row["due_at"]), as_of),
            owner=_owner(names, row["owner_id"], row["received_by"]),
            stage=Stage(row["stage"]),
        )
        for row in rows
    )


def _calls(
    store: Store, start: dt.datetime, end: dt.datetime, names: dict[int, str]
) -> tuple[Call, ...]:
    rows = store.query(
        "SELECT k.case_id, k.at, k.by_id, k.method, k.purpose, k.reached, "
        "c.case_no, c.customer_name FROM contacts k JOIN cases c ON c.id = k.case_id "
        "WHERE k.at >= :start AND k.at < :end ORDER BY k.at, k.id",
        _window(start, end),
    )
    return tuple(
        Call(
            case_id=row["case_id"],
            case_no=row["case_no"],
            customer=mask_name(row["customer_name"]),
            at=_time(row["at"]),
            caller=names.get(row["by_id"], ""),
            method=ContactMethod(row["method"]),
            purpose=ContactPurpose(row["purpose"]),
            reached=bool(row["reached"]),
        )
        for row in rows
    )


def _visits(
    store: Store, start: dt.datetime, end: dt.datetime, as_of: dt.datetime, names: dict[int, str]
) -> tuple[Visit, ...]:
    """Visits starting in [start, end); a visit marked done keeps its booked time
    (the appointment has no other), so it counts on the day it was booked for."""
    rows = store.query(
        "SELECT a.case_id, a.kind, a.staff_id, a.starts_at, a.ends_at, a.address, a.status, "
        "c.case_no, c.customer_name FROM appointments a JOIN cases c ON c.id = a.case_id "
        "WHERE a.starts_at >= :start AND a.starts_at < :end AND a.status != 'cancelled' "
        "ORDER BY a.starts_at, a.id",
        _window(start, end),
    )
    visits = []
    for row in rows:
        ends = _time(row["ends_at"])
        if row["status"] == "done":
            state = VisitState.DONE
        else:
            state = VisitState.MISSED if ends <= as_of else VisitState.PLANNED
        visits.append(
            Visit(
                case_id=row["case_id"],
                case_no=row["case_no"],
                customer=mask_name(row["customer_name"]),
                kind=AppointmentKind(row["kind"]),
                starts_at=_time(row["starts_at"]),
                ends_at=ends,
                staff=names.get(row["staff_id"], ""),
                address=row["address"],
                state=state,
            )
        )
    return tuple(visits)


# ------------------------------------------------------------ the sheet's tables

NOTHING = "无"
# As in `schedule`, which is not imported here: it loads reportlab, the page must not.
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True, slots=True)
class Row:
    case_id: int
    cells: tuple[str, ...]
    alert: bool = False  # needs someone today: an unreached call, a visit not done


@dataclass(frozen=True, slots=True)
class Section:
    """One table of the sheet, as both the PDF and the page show it."""

    key: str
    title: str
    unit: str  # 件, 次, 项: what the count counts
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def heading(self) -> str:
        return f"{self.title}　{len(self.rows)} {self.unit}"


def day_label(day: dt.date) -> str:
    """`2026-11-23 星期一`."""
    return f"{day:%Y-%m-%d} {WEEKDAYS[day.weekday()]}"


def is_over(summary: DailySummary) -> bool:
    """Whether the sheet covers the whole day (else it stops at `as_of`)."""
    return summary.as_of.time() == dt.time(23, 59, 59)


def sections(summary: DailySummary) -> list[Section]:
    """The sheet's tables in order, with their headings and cell texts."""
    over = "当天结束时" if is_over(summary) else f"{summary.as_of:%H:%M}"
    return [
        Section(
            "received",
            "新登记",
            "件",
            ("登记时间", "投诉编号", "客户", "严重程度", "类别", "登记人", "当前阶段", "产品"),
            tuple(_received_row(row) for row in summary.received),
        ),
        Section(
            "moves",
            "阶段变动",
            "次",
            ("时间", "投诉编号", "客户", "原阶段", "新阶段", "操作人", "说明"),
            tuple(_move_row(row) for row in summary.moves),
        ),
        Section(
            "closed",
            "结案 / 不成立",
            "件",
            ("时间", "投诉编号", "客户", "结果", "负责人", "说明"),
            tuple(_closed_row(row) for row in summary.closed),
        ),
        Section(
            "overdue",
            f"超时未办（截至{over}）",
            "项",
            ("投诉编号", "客户", "当前阶段", "时限", "应完成时间", "超时", "负责人"),
            tuple(_overdue_row(row) for row in summary.overdue),
        ),
        Section(
            "calls",
            "联系客户",
            "次",
            ("时间", "投诉编号", "客户", "方式", "目的", "结果", "联系人"),
            tuple(_call_row(row) for row in summary.calls),
        ),
        Section("visits", "当天上门", "项", VISIT_COLUMNS, _visit_rows(summary.visits)),
        Section(
            "tomorrow",
            f"明日上门安排（{day_label(summary.day + dt.timedelta(days=1))}）",
            "项",
            VISIT_COLUMNS,
            _visit_rows(summary.tomorrow),
        ),
    ]


VISIT_COLUMNS = ("时间", "类型", "投诉编号", "客户", "地址", "上门人员", "状态")


def _received_row(row: Received) -> Row:
    cells = (row.at, row.case_no, row.customer, row.severity.label, row.category, row.registrar)
    return Row(row.case_id, (*_texts(cells), row.stage.label, row.product))


def _move_row(row: Move) -> Row:
    cells = (row.at, row.case_no, row.customer, row.old.label, row.new.label, row.actor, row.note)
    return Row(row.case_id, _texts(cells))


def _closed_row(row: Closed) -> Row:
    cells = (row.at, row.case_no, row.customer, row.result.label, row.owner, row.remark)
    return Row(row.case_id, _texts(cells))


def _overdue_row(row: Overdue) -> Row:
    due = f"{row.due_at:%m-%d %H:%M}"
    cells = (row.case_no, row.customer, row.stage.label, row.kind.label, due, row.late, row.owner)
    return Row(row.case_id, cells)


def _call_row(row: Call) -> Row:
    outcome = "已联系上" if row.reached else "未联系上"
    cells = (row.at, row.case_no, row.customer, row.method.label, row.purpose.label, outcome)
    return Row(row.case_id, (*_texts(cells), row.caller), alert=not row.reached)


def _visit_rows(visits: tuple[Visit, ...]) -> tuple[Row, ...]:
    return tuple(
        Row(
            visit.case_id,
            (
                f"{visit.starts_at:%H:%M}–{visit.ends_at:%H:%M}",
                visit.kind.label,
                visit.case_no,
                visit.customer,
                visit.address,
                visit.staff,
                visit.state.label,
            ),
            alert=visit.state == VisitState.MISSED,
        )
        for visit in visits
    )


def _texts(values: tuple[object, ...]) -> tuple[str, ...]:
    """Times of the day as 09:30; everything else as it is."""
    return tuple(f"{v:%H:%M}" if isinstance(v, dt.datetime) else str(v) for v in values)
