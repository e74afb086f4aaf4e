"""Years of demo history, fast: finished cases copied from real ones, moved in time.

Walking 100,000 cases through the operations takes ten minutes. The recent
weeks are walked for real (demo.py); older history is made of copies of
those walked cases that are finished, each moved back by whole days and
given a new customer and case number. Every row of the original comes along
(events, clocks, calls, reviews, approvals, visits), times shifted alike, so
a copy keeps every rule the original kept: whole-day shifts keep calling
windows and opening hours where they were.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .pinyin_keys import name_keys
from .store import Store

# Columns holding local times ("YYYY-MM-DD HH:MM:SS") or dates, per table.
TIME_COLUMNS = {
    "cases": (
        "received_at",
        "assigned_at",
        "rectified_at",
        "closed_at",
        "next_due_at",
        "updated_at",
        "purchase_date",
        "install_date",
        "solution_due",
        "first_contact_at",
    ),
    "events": ("at",),
    "clocks": ("started_at", "due_at", "met_at", "breached_at", "cancelled_at", "planned_at"),
    "contacts": ("at",),
    "reviews": ("at", "rectified_at", "solution_due"),
    "approvals": ("requested_at", "decided_at", "carried_out_at"),
    "appointments": ("starts_at", "ends_at"),
    "accountability": ("at",),
}
# Copied with each case, clocks before the events that name them. Not
# improvement_cases: a copy does not join the walked case's improvement item
# (it would gather thousands of cases); not notices: a finished case's
# hand-overs were seen long ago.
CHILD_TABLES = (
    "clocks",
    "events",
    "contacts",
    "reviews",
    "approvals",
    "appointments",
    "accountability",
)
IDENTITY = ("customer_name", "customer_phone", "customer_address", "order_no")
_QUOTED_TIME = re.compile(r'"(\d{4}-\d{2}-\d{2})((?: \d{2}:\d{2}:\d{2})?)"')


@dataclass(frozen=True)
class Original:
    """A walked case and all its rows, read once and copied many times."""

    case: dict[str, Any]
    children: dict[str, list[dict[str, Any]]]


def read_original(store: Store, case_id: int) -> Original:
    case = dict(store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,)) or {})
    children = {
        table: [
            dict(row)
            for row in store.query(
                f"SELECT * FROM {table} WHERE case_id = ? ORDER BY id", (case_id,)
            )
        ]
        for table in CHILD_TABLES
    }
    return Original(case, children)


def _shift(text: str | None, days: int) -> str | None:
    if text is None or days == 0:
        return text
    day = dt.date.fromisoformat(text[:10]) + dt.timedelta(days=days)
    return day.isoformat() + text[10:]


def _shift_json(text: str | None, days: int) -> str | None:
    if text is None or days == 0:
        return text
    return _QUOTED_TIME.sub(lambda m: f'"{_shift(m.group(1), days)}{m.group(2)}"', text)


def _shifted(row: Mapping[str, Any], table: str, days: int) -> dict[str, Any]:
    out = dict(row)
    for column in TIME_COLUMNS[table]:
        out[column] = _shift(out[column], days)
    return out


def copy_case(
    target: Store,
    original: Original,
    *,
    days: int,
    case_no: str,
    identity: Mapping[str, str],
) -> int:
    """Insert a copy of `original` moved by `days`, as `case_no`, for another customer.

    Runs inside the caller's transaction; returns the new case id.
    """
    case = _shifted(original.case, "cases", days)
    old_no = case["case_no"]
    case.update(identity)
    case["case_no"] = case_no
    case["name_pinyin"], case["name_initials"] = name_keys(case["customer_name"])
    del case["id"]
    case_id = target.insert("cases", case)
    clock_ids: dict[int, int] = {}  # the original's clock ids → the copy's
    for table in CHILD_TABLES:
        for row in original.children[table]:
            copy = _shifted(row, table, days)
            del copy["id"]
            copy["case_id"] = case_id
            if table == "clocks":
                copy["superseded_by"] = None  # set below, once every clock has its id
            if table == "events":
                copy["changes"] = _moved_changes(copy["changes"], days, identity, case_no)
                copy["data"] = _moved_data(copy["data"], days, clock_ids)
                copy["note"] = copy["note"].replace(old_no, case_no)
            new_id = target.insert(table, copy)
            if table == "clocks":
                clock_ids[row["id"]] = new_id
    for row in original.children["clocks"]:
        if row["superseded_by"] is not None:
            target.update(
                "clocks", clock_ids[row["id"]], {"superseded_by": clock_ids[row["superseded_by"]]}
            )
    return case_id


def _moved_data(text: str | None, days: int, clock_ids: Mapping[int, int]) -> str | None:
    """An event's data moved in time, naming the copy's clocks."""
    shifted = _shift_json(text, days)
    if shifted is None or "superseded" not in shifted:
        return shifted
    data = json.loads(shifted)
    for item in data["superseded"]:
        item["clock_id"], item["by"] = clock_ids[item["clock_id"]], clock_ids[item["by"]]
    return json.dumps(data, ensure_ascii=False)


def _moved_changes(
    text: str | None, days: int, identity: Mapping[str, str], case_no: str
) -> str | None:
    shifted = _shift_json(text, days)
    if shifted is None or not any(f'"{column}"' in shifted for column in (*IDENTITY, "case_no")):
        return shifted
    changes = json.loads(shifted)
    for column, value in (*identity.items(), ("case_no", case_no)):
        if column in changes:
            changes[column][1] = value
    return json.dumps(changes, ensure_ascii=False)


def make_history(
    target: Store,
    originals: list[Original],
    moments: list[dt.datetime],
    rng: random.Random,
    new_identity: Callable[[dt.date], dict[str, str]],
) -> None:
    """One copy per moment, of a random finished original, received that day.

    Copies keep their original's time of day, so each day's copies are
    written in that order: ids and per-day numbers follow the order of receipt.
    Commits every few thousand cases, never in the middle of a day.
    """
    per_day: dict[dt.date, int] = {}
    for moment in moments:
        per_day[moment.date()] = per_day.get(moment.date(), 0) + 1
    days = sorted(per_day.items())
    batch: list[tuple[dt.date, int]] = []
    for day, count in days:
        batch.append((day, count))
        if sum(c for _, c in batch) >= 2000 or day == days[-1][0]:
            with target.transaction():
                for batch_day, batch_count in batch:
                    _copy_day(target, originals, batch_day, batch_count, rng, new_identity)
            batch = []


def _copy_day(
    target: Store,
    originals: list[Original],
    day: dt.date,
    count: int,
    rng: random.Random,
    new_identity: Callable[[dt.date], dict[str, str]],
) -> None:
    chosen = sorted(
        (rng.choice(originals) for _ in range(count)),
        key=lambda original: original.case["received_at"][11:],
    )
    for seq, original in enumerate(chosen, start=1):
        received = dt.date.fromisoformat(original.case["received_at"][:10])
        days = (day - received).days
        purchase_day = dt.date.fromisoformat(
            _shift(original.case["purchase_date"], days) or day.isoformat()
        )
        copy_case(
            target,
            original,
            days=days,
            case_no=f"TS-{day:%Y%m%d}-{seq:03d}",
            identity=new_identity(purchase_day),
        )
    target.execute(
        "INSERT INTO case_no_counters (day, last_seq) VALUES (?, ?)", (day.isoformat(), count)
    )
