"""What the 回访日历 shows for a stretch of days: booked home visits and
re-inspections, follow-up calls at their planned slots, and the due times
of open cases' other time limits.

Only the asked-for range is read from SQL (both tables have an index on the
time), so paging months at 100,000 cases stays instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .domain import Appointment, AppointmentKind, ClockKind, Handover, case_no_key
from .store import Store
from .store.rows import appointment_from_row, db_time


class ItemKind(StrEnum):
    VISIT = "visit"
    REINSPECTION = "reinspection"
    CALL = "call"
    DUE = "due"
    HANDOVER = "handover"  # a case just escalated or assigned to this person (reminders only)

    @property
    def label(self) -> str:
        return {
            "visit": "上门",
            "reinspection": "客户验收",
            "call": "回访",
            "due": "时限",
            "handover": "交办",
        }[self.value]


@dataclass(frozen=True, slots=True)
class AgendaItem:
    kind: ItemKind
    title: str
    case_id: int
    case_no: str
    customer: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None  # None: a due moment, not a span of time
    staff_id: int | None
    address: str
    overdue: bool
    appointment_id: int | None = None
    # A planned call: its clock (to move it) and the time it is due by.
    clock_id: int | None = None
    due_at: dt.datetime | None = None

    @property
    def movable(self) -> bool:
        return self.appointment_id is not None or self.clock_id is not None


def agenda(
    store: Store,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    staff_id: int | None = None,
) -> list[AgendaItem]:
    """Items starting in [start, end), in time order; with `staff_id`, only
    that person's visits, the calls of cases they registered, and the other
    limits of cases they are responsible for (owner, or registrar while
    nobody owns it)."""
    window = {"start": db_time(start), "end": db_time(end), "me": staff_id}
    items: list[AgendaItem] = []
    for row in store.query(
        "SELECT a.id, a.case_id, a.kind, a.staff_id, a.starts_at, a.ends_at, a.address, "
        "c.case_no, c.customer_name FROM appointments a JOIN cases c ON c.id = a.case_id "
        "WHERE a.starts_at >= :start AND a.starts_at < :end AND a.status = 'planned' "
        "AND (:me IS NULL OR a.staff_id = :me)",
        window,
    ):
        booked = AppointmentKind(row["kind"])
        ends = dt.datetime.fromisoformat(row["ends_at"])
        items.append(
            AgendaItem(
                kind=ItemKind(booked.value),
                title=f"{booked.label} · {row['customer_name']}",
                case_id=row["case_id"],
                case_no=row["case_no"],
                customer=row["customer_name"],
                starts_at=dt.datetime.fromisoformat(row["starts_at"]),
                ends_at=ends,
                staff_id=row["staff_id"],
                address=row["address"],
                overdue=ends < now,  # its time has passed and nobody marked it done
                appointment_id=row["id"],
            )
        )
    open_clocks = (
        "SELECT k.id, k.case_id, k.kind, k.due_at, k.planned_at, c.case_no, c.customer_name, "
        "c.customer_address, c.received_by, COALESCE(c.owner_id, c.received_by) AS responsible "
        "FROM clocks k JOIN cases c ON c.id = k.case_id "
        "WHERE c.stage NOT IN ('closed', 'invalid', 'voided') "
        "AND k.met_at IS NULL AND k.cancelled_at IS NULL "
    )
    # Calls sit at their planned slot (the partial index on open planned calls)
    # and belong to the clerk who registered the case, who calls back; the
    # other limits sit at their due time (the partial index on open clocks)
    # and belong to whoever is responsible for the case.
    for is_call, where in (
        (
            True,
            "AND (:me IS NULL OR c.received_by = :me) "
            "AND k.planned_at >= :start AND k.planned_at < :end",
        ),
        (
            False,
            "AND (:me IS NULL OR COALESCE(c.owner_id, c.received_by) = :me) "
            "AND k.due_at >= :start AND k.due_at < :end AND k.planned_at IS NULL",
        ),
    ):
        for row in store.query(open_clocks + where, window):
            clock = ClockKind(row["kind"])
            due = dt.datetime.fromisoformat(row["due_at"])
            items.append(
                AgendaItem(
                    kind=ItemKind.CALL if is_call else ItemKind.DUE,
                    title=f"{clock.label}{'' if is_call else '截止'} · {row['customer_name']}",
                    case_id=row["case_id"],
                    case_no=row["case_no"],
                    customer=row["customer_name"],
                    starts_at=dt.datetime.fromisoformat(row["planned_at"]) if is_call else due,
                    ends_at=None,
                    staff_id=row["received_by"] if is_call else row["responsible"],
                    address=row["customer_address"],
                    overdue=due <= now,
                    clock_id=row["id"] if is_call else None,
                    due_at=due,
                )
            )
    items.sort(key=lambda item: (item.starts_at, case_no_key(item.case_no)))
    return items


def booking_conflicts(
    store: Store,
    staff_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    ignore_id: int | None = None,
) -> list[Appointment]:
    """Planned appointments of this person overlapping [starts_at, ends_at): the
    screens warn before a double booking is saved (it stays allowed: two jobs
    next door to each other can share an hour)."""
    rows = store.query(
        "SELECT * FROM appointments WHERE staff_id = ? AND status = 'planned' "
        "AND starts_at < ? AND ends_at > ? AND id IS NOT ? ORDER BY starts_at",
        (staff_id, db_time(ends_at), db_time(starts_at), ignore_id),
    )
    return [appointment_from_row(row) for row in rows]


# How far back the first check after starting looks for what fell due while the
# app was closed: long enough for a holiday, short enough to stay a reminder.
MISSED_LOOKBACK = dt.timedelta(days=14)


def reminders(
    store: Store, staff_id: int, since: dt.datetime | None, now: dt.datetime
) -> list[AgendaItem]:
    """This person's items whose time came after `since` and by `now`, and the
    cases handed to them since then (escalated to their level, assigned to
    them) that they have not opened; with no `since` (just started),
    everything still open that fell due in the last two weeks."""
    start = since + dt.timedelta(seconds=1) if since else now - MISSED_LOOKBACK
    end = now + dt.timedelta(seconds=1)
    handed = [
        AgendaItem(
            kind=ItemKind.HANDOVER,
            title=f"{Handover(row['reason']).todo_label} · {row['customer_name']}",
            case_id=row["case_id"],
            case_no=row["case_no"],
            customer=row["customer_name"],
            starts_at=dt.datetime.fromisoformat(row["at"]),
            ends_at=None,
            staff_id=staff_id,
            address="",
            overdue=False,
        )
        for row in store.query(
            "SELECT n.case_id, n.reason, n.at, c.case_no, c.customer_name FROM notices n "
            "JOIN cases c ON c.id = n.case_id WHERE n.staff_id = ? AND n.seen_at IS NULL "
            "AND n.ended_at IS NULL "
            "AND n.at >= ? AND n.at < ? ORDER BY n.id",
            (staff_id, db_time(start), db_time(end)),
        )
    ]
    return handed + agenda(store, start, end, now, staff_id=staff_id)
