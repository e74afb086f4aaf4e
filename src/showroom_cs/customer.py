"""客户档案: everything the showroom knows about one customer, by phone number.

A returning customer is recognised at the counter by phone (seed 004 asks for
a customer file), so the record gathers every case of one stored number with
its visits, calls and satisfaction ratings. Read-only; one query per table.

Figures leave voided cases out (a voided case was entered by mistake, as in
the statistics), but the case list still shows them, marked 已作废, and their
visits and calls stay listed: they happened.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .domain import (
    SATISFACTION_LABELS,
    AppointmentKind,
    AppointmentStatus,
    Case,
    ContactMethod,
    ContactPurpose,
    Severity,
    Stage,
)
from .errors import RuleError
from .phone import normalize_phone
from .queries import customer_history
from .store import Store
from .store.rows import appointment_from_row, contact_from_row

SUMMARY_CHARS = 40
_VISIT_STATES = {
    AppointmentStatus.PLANNED: "已预约",
    AppointmentStatus.DONE: "已完成",
    AppointmentStatus.CANCELLED: "已取消",
}


@dataclass(frozen=True, slots=True)
class CaseLine:
    """One case of the customer, as a row of 投诉记录."""

    case_id: int
    case_no: str
    received_at: dt.datetime
    category: str  # the label, as the settings name it today
    severity: Severity
    stage: Stage
    satisfaction: int | None
    summary: str  # the start of the complaint text, to recognise the case by

    @property
    def voided(self) -> bool:
        return self.stage == Stage.VOIDED

    @property
    def satisfaction_label(self) -> str:
        return SATISFACTION_LABELS.get(self.satisfaction or 0, "")


@dataclass(frozen=True, slots=True)
class Visit:
    """An appointment at the customer's (上门) or an acceptance visit (客户验收)."""

    case_id: int
    case_no: str
    kind: AppointmentKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    staff_name: str
    status: AppointmentStatus
    address: str
    note: str

    @property
    def done(self) -> bool:
        return self.status == AppointmentStatus.DONE

    @property
    def status_label(self) -> str:
        return _VISIT_STATES[self.status]


@dataclass(frozen=True, slots=True)
class Call:
    """A call, message or visit talk with the customer (联系/回访记录)."""

    case_id: int
    case_no: str
    at: dt.datetime
    staff_name: str
    method: ContactMethod
    purpose: ContactPurpose
    reached: bool
    satisfaction: int | None
    customer_words: str

    @property
    def satisfaction_label(self) -> str:
        return SATISFACTION_LABELS.get(self.satisfaction or 0, "")


@dataclass(frozen=True, slots=True)
class Rating:
    """A satisfaction score given on a follow-up call (回访)."""

    at: dt.datetime
    case_no: str
    score: int

    @property
    def label(self) -> str:
        return SATISFACTION_LABELS[self.score]


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """One customer's file. Lists run newest first, except `ratings` (oldest
    first, as a line over time reads)."""

    phone: str  # stored form (digits); mask it before showing
    name: str
    address: str
    other_names: tuple[str, ...]  # used on older cases, newest first
    other_addresses: tuple[str, ...]
    cases: tuple[CaseLine, ...]
    visits: tuple[Visit, ...]
    calls: tuple[Call, ...]
    ratings: tuple[Rating, ...]
    last_contact_at: dt.datetime | None

    @property
    def case_count(self) -> int:
        """Cases that count: voided ones were entered by mistake."""
        return sum(not line.voided for line in self.cases)

    @property
    def voided_count(self) -> int:
        return sum(line.voided for line in self.cases)

    @property
    def open_count(self) -> int:
        return sum(line.stage.is_open for line in self.cases)

    @property
    def average_satisfaction(self) -> float | None:
        if not self.ratings:
            return None
        return sum(r.score for r in self.ratings) / len(self.ratings)


def customer_record(store: Store, phone: str) -> CustomerRecord | None:
    """The file of the customer with this phone number, typed in any form.

    None when no case has the number (an invalid number has none either).
    """
    try:
        stored = normalize_phone(phone)
    except RuleError:
        return None
    cases = _cases(store, stored)
    if not cases:
        return None
    case_nos = {case.id: case.case_no for case in cases}
    names = {member.id: member.name for member in store.all_staff()}
    visits = _visits(store, stored, case_nos, names)
    calls = _calls(store, stored, case_nos, names)
    counted = [case for case in cases if case.stage != Stage.VOIDED]
    # Contact details come from real cases; only a customer whose every case
    # was voided is described by those.
    described = counted or cases
    name, other_names = _current_and_others(case.customer_name for case in described)
    address, other_addresses = _current_and_others(case.customer_address for case in described)
    counted_ids = {case.id for case in counted}
    ratings = tuple(
        Rating(call.at, call.case_no, call.satisfaction)
        for call in reversed(calls)
        if call.satisfaction is not None and call.case_id in counted_ids
    )
    return CustomerRecord(
        phone=stored,
        name=name,
        address=address,
        other_names=other_names,
        other_addresses=other_addresses,
        cases=tuple(_case_line(store, case) for case in cases),
        visits=visits,
        calls=calls,
        ratings=ratings,
        last_contact_at=_last_contact(counted, visits, calls, counted_ids),
    )


def _cases(store: Store, stored: str) -> list[Case]:
    """Every case of the number, newest received first (voided ones included)."""
    ids = customer_history(store, stored)  # the cases that count
    ids += [
        row[0]
        for row in store.query(
            "SELECT id FROM cases WHERE customer_phone = ? AND stage = 'voided'", (stored,)
        )
    ]
    cases = store.cases(ids)
    # received_at may be back-dated at registration, so ids alone do not order them.
    cases.sort(key=lambda case: (case.received_at, case.id), reverse=True)
    return cases


def _case_line(store: Store, case: Case) -> CaseLine:
    text = " ".join(case.description.split())
    summary = text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"
    return CaseLine(
        case_id=case.id,
        case_no=case.case_no,
        received_at=case.received_at,
        category=store.settings().label_of("category", case.category),
        severity=case.severity,
        stage=case.stage,
        satisfaction=case.satisfaction,
        summary=summary,
    )


def _visits(
    store: Store, stored: str, case_nos: dict[int, str], names: dict[int, str]
) -> tuple[Visit, ...]:
    rows = store.query(
        "SELECT a.* FROM appointments a JOIN cases c ON c.id = a.case_id "
        "WHERE c.customer_phone = ? ORDER BY a.starts_at DESC, a.id DESC",
        (stored,),
    )
    visits = []
    for row in rows:
        a = appointment_from_row(row)
        visits.append(
            Visit(
                case_id=a.case_id,
                case_no=case_nos[a.case_id],
                kind=a.kind,
                starts_at=a.starts_at,
                ends_at=a.ends_at,
                staff_name=names.get(a.staff_id, ""),
                status=a.status,
                address=a.address,
                note=a.note,
            )
        )
    return tuple(visits)


def _calls(
    store: Store, stored: str, case_nos: dict[int, str], names: dict[int, str]
) -> tuple[Call, ...]:
    rows = store.query(
        "SELECT k.* FROM contacts k JOIN cases c ON c.id = k.case_id "
        "WHERE c.customer_phone = ? ORDER BY k.at DESC, k.id DESC",
        (stored,),
    )
    calls = []
    for row in rows:
        k = contact_from_row(row)
        calls.append(
            Call(
                case_id=k.case_id,
                case_no=case_nos[k.case_id],
                at=k.at,
                staff_name=names.get(k.by_id, ""),
                method=k.method,
                purpose=k.purpose,
                reached=k.reached,
                satisfaction=k.satisfaction,
                customer_words=k.customer_words,
            )
        )
    return tuple(calls)


def _current_and_others(values: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The newest non-blank value, and the different ones used before it.

    A case registered without an address should not hide the address the
    customer gave last time, so blanks are skipped.
    """
    seen: list[str] = []
    for value in values:
        cleaned = value.strip()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    if not seen:
        return "", ()
    return seen[0], tuple(seen[1:])


def _last_contact(
    cases: Sequence[Case],
    visits: Sequence[Visit],
    calls: Sequence[Call],
    counted_ids: set[int],
) -> dt.datetime | None:
    """When the showroom last really spoke with the customer: a complaint
    received, a call that reached them, or a visit made. Unanswered calls and
    planned visits are attempts, not contact."""
    moments = [case.received_at for case in cases]
    moments += [c.at for c in calls if c.reached and c.case_id in counted_ids]
    moments += [v.starts_at for v in visits if v.done and v.case_id in counted_ids]
    return max(moments, default=None)
