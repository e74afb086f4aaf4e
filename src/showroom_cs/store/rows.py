"""Store rows to frozen dataclasses and back; times as local ISO text.

Times are stored as `YYYY-MM-DD HH:MM:SS` local time: the showroom lives in
one time zone, the text sorts correctly, and a person reading the file with
any SQLite tool understands it.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from typing import Any, Protocol

from ..domain import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Approval,
    ApprovalStatus,
    Attachment,
    AttachmentKind,
    Case,
    Clock,
    ClockKind,
    Contact,
    ContactMethod,
    ContactPurpose,
    EscalationLevel,
    Event,
    Responsibility,
    Review,
    ReviewItem,
    Role,
    Severity,
    SolutionKind,
    Staff,
    Stage,
)


class Row(Protocol):
    """A sqlite3.Row or a plain dict: anything indexable by column name."""

    def __getitem__(self, key: str, /) -> Any: ...


def db_time(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.replace(microsecond=0).isoformat(sep=" ")


def db_date(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def py_time(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text)


def py_date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _opt_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def staff_from_row(row: Row) -> Staff:
    return Staff(id=row["id"], name=row["name"], role=Role(row["role"]), active=bool(row["active"]))


# Enum members by stored value: a dict lookup is several times cheaper than
# calling the enum, and the kanban builds a hundred cases per page.
_SEVERITIES = {m.value: m for m in Severity}
_STAGES = {m.value: m for m in Stage}
_LEVELS = {m.value: m for m in EscalationLevel}
_SOLUTIONS = {m.value: m for m in SolutionKind}
_FINDINGS = {m.value: m for m in Responsibility}
_CLOCKS = {m.value: m for m in ClockKind}


def _demands(text: str) -> tuple[str, ...]:
    return () if text == "[]" else tuple(json.loads(text))


def case_from_row(row: Row) -> Case:
    if isinstance(row, sqlite3.Row):
        row = dict(zip(row.keys(), row, strict=True))  # name lookups on a Row are slow
    return Case(
        id=row["id"],
        case_no=row["case_no"],
        received_at=_time(row["received_at"]),
        received_by=row["received_by"],
        channel=row["channel"],
        customer_name=row["customer_name"],
        customer_title=row["customer_title"],
        customer_phone=row["customer_phone"],
        customer_address=row["customer_address"],
        order_no=row["order_no"],
        purchase_date=py_date(row["purchase_date"]),
        install_date=py_date(row["install_date"]),
        product_category=row["product_category"],
        brand_model=row["brand_model"],
        subject=row["subject"],
        category=row["category"],
        description=row["description"],
        demands=_demands(row["demands"]),
        demand_note=row["demand_note"],
        severity=_SEVERITIES[row["severity"]],
        needs_visit=bool(row["needs_visit"]),
        stage=_STAGES[row["stage"]],
        owner_id=row["owner_id"],
        department=row["department"],
        assigned_at=py_time(row["assigned_at"]),
        valid=_opt_bool(row["valid"]),
        validity_reason=row["validity_reason"],
        invalid_explanation=row["invalid_explanation"],
        investigation_notes=row["investigation_notes"],
        cause_analysis=row["cause_analysis"],
        responsibility=_FINDINGS[row["responsibility"]] if row["responsibility"] else None,
        solution_kind=_SOLUTIONS[row["solution_kind"]] if row["solution_kind"] else None,
        solution_steps=row["solution_steps"],
        solution_due=py_date(row["solution_due"]),
        solution_cost_fen=row["solution_cost_fen"],
        rectification_result=row["rectification_result"],
        rectified_by=row["rectified_by"],
        rectified_at=py_time(row["rectified_at"]),
        review_round=row["review_round"],
        satisfaction=row["satisfaction"],
        closing_cause=row["closing_cause"],
        closing_actions=row["closing_actions"],
        closing_improvement=row["closing_improvement"],
        cause_key=row["cause_key"],
        closed_at=py_time(row["closed_at"]),
        escalation_level=_LEVELS[row["escalation_level"]],
        overdue=bool(row["overdue"]),
        reopen_count=row["reopen_count"],
        void_reason=row["void_reason"],
        on_spot=bool(row["on_spot"]),
        first_contact_at=py_time(row["first_contact_at"]),
        next_due_at=py_time(row["next_due_at"]),
        next_due_kind=_CLOCKS[row["next_due_kind"]] if row["next_due_kind"] else None,
        reviewer_id=row["reviewer_id"],
        ledger_no=row["ledger_no"],
    )


def event_from_row(row: Row) -> Event:
    return Event(
        id=row["id"],
        case_id=row["case_id"],
        at=_time(row["at"]),
        actor_id=row["actor_id"],
        kind=row["kind"],
        note=row["note"],
        changes={
            column: (old, new) for column, (old, new) in json.loads(row["changes"] or "{}").items()
        },
        data=json.loads(row["data"] or "{}"),
    )


def clock_from_row(row: Row) -> Clock:
    return Clock(
        id=row["id"],
        case_id=row["case_id"],
        kind=ClockKind(row["kind"]),
        started_at=_time(row["started_at"]),
        due_at=_time(row["due_at"]),
        met_at=py_time(row["met_at"]),
        breached_at=py_time(row["breached_at"]),
        cancelled_at=py_time(row["cancelled_at"]),
        planned_at=py_time(row["planned_at"]),
        superseded_by=row["superseded_by"],
    )


def approval_from_row(row: Row) -> Approval:
    return Approval(
        id=row["id"],
        case_id=row["case_id"],
        kind=SolutionKind(row["kind"]),
        amount_fen=row["amount_fen"],
        requested_by=row["requested_by"],
        requested_at=_time(row["requested_at"]),
        status=ApprovalStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=py_time(row["decided_at"]),
        note=row["note"],
        carried_out_at=py_time(row["carried_out_at"]),
    )


def review_from_row(row: Row) -> Review:
    return Review(
        id=row["id"],
        case_id=row["case_id"],
        round=row["round"],
        reviewer_id=row["reviewer_id"],
        at=_time(row["at"]),
        passed=bool(row["passed"]),
        items=tuple(ReviewItem(**item) for item in json.loads(row["items"])),
        open_problems=row["open_problems"],
        solution_kind=SolutionKind(row["solution_kind"]) if row["solution_kind"] else None,
        solution_steps=row["solution_steps"],
        solution_due=py_date(row["solution_due"]),
        solution_cost_fen=row["solution_cost_fen"],
        rectification_result=row["rectification_result"],
        rectified_by=row["rectified_by"],
        rectified_at=py_time(row["rectified_at"]),
        owner_id=row["owner_id"],
        opinion=row["opinion"],
    )


def contact_from_row(row: Row) -> Contact:
    return Contact(
        id=row["id"],
        case_id=row["case_id"],
        at=_time(row["at"]),
        by_id=row["by_id"],
        method=ContactMethod(row["method"]),
        purpose=ContactPurpose(row["purpose"]),
        reached=bool(row["reached"]),
        satisfaction=row["satisfaction"],
        customer_words=row["customer_words"],
        next_action=row["next_action"],
    )


def appointment_from_row(row: Row) -> Appointment:
    return Appointment(
        id=row["id"],
        case_id=row["case_id"],
        kind=AppointmentKind(row["kind"]),
        staff_id=row["staff_id"],
        starts_at=_time(row["starts_at"]),
        ends_at=_time(row["ends_at"]),
        address=row["address"],
        status=AppointmentStatus(row["status"]),
        note=row["note"],
    )


def attachment_from_row(row: Row) -> Attachment:
    return Attachment(
        id=row["id"],
        case_id=row["case_id"],
        kind=AttachmentKind(row["kind"]),
        file_name=row["file_name"],
        stored_name=row["stored_name"],
        size=row["size"],
        sha256=row["sha256"],
        added_at=_time(row["added_at"]),
        added_by=row["added_by"],
        voided_at=py_time(row["voided_at"]),
        void_reason=row["void_reason"],
    )
