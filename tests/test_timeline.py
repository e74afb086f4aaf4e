"""The timeline is append-only at the SQL level, and rebuilds a case at any moment."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from showroom_cs import operations as op
from showroom_cs.domain import Stage
from showroom_cs.operations._common import DERIVED_COLUMNS
from showroom_cs.timeline import replay

from .conftest import Desk
from .walk import to_closed, to_in_progress


def test_events_cannot_be_updated_or_deleted_by_any_sql(desk: Desk) -> None:
    case = desk.register()
    conn = desk.store.db.conn
    with pytest.raises(sqlite3.IntegrityError, match="时间线只能追加，不能修改"):
        conn.execute("UPDATE events SET note = '改写' WHERE case_id = ?", (case.id,))
    with pytest.raises(sqlite3.IntegrityError, match="时间线只能追加，不能删除"):
        conn.execute("DELETE FROM events WHERE case_id = ?", (case.id,))
    assert desk.store.events(case.id)[0].note == f"登记投诉 {case.case_no}"


def test_case_rows_cannot_be_deleted_only_voided(desk: Desk) -> None:
    case = desk.register()
    with pytest.raises(sqlite3.IntegrityError, match="投诉案件不能删除，只能作废"):
        desk.store.db.conn.execute("DELETE FROM cases WHERE id = ?", (case.id,))
    assert desk.case(case.id).stage == Stage.REGISTERED


def test_every_event_names_who_and_when(desk: Desk) -> None:
    case = to_closed(desk, desk.register())
    events = desk.store.events(case.id)
    assert all(e.actor_id is not None and e.at == desk.clock.now() for e in events)
    stage_moves = [e.changes["stage"] for e in events if "stage" in e.changes]
    assert stage_moves == [
        (None, "registered"),
        ("registered", "investigating"),
        ("investigating", "in_progress"),
        ("in_progress", "under_review"),
        ("under_review", "follow_up"),
        ("follow_up", "closed"),
    ]


def test_replay_rebuilds_the_case_as_it_was_at_any_moment(desk: Desk) -> None:
    case = desk.register()
    registered_at = desk.clock.now()
    desk.clock.advance(hours=2)
    to_in_progress(desk, case)
    in_progress_at = desk.clock.now()
    desk.clock.advance(days=2)
    to_closed(desk, desk.case(case.id))
    events = desk.store.events(case.id)
    assert replay(events, until=registered_at - dt.timedelta(seconds=1)) is None
    assert replay(events, until=registered_at)["stage"] == "registered"
    assert replay(events, until=in_progress_at)["stage"] == "in_progress"
    final = replay(events)
    row = dict(desk.store.query_one("SELECT * FROM cases WHERE id = ?", (case.id,)))
    assert final == {k: v for k, v in row.items() if k not in DERIVED_COLUMNS}


def test_a_note_is_an_event_without_changes(desk: Desk) -> None:
    case = desk.register()
    op.add_note(desk.as_("王芳"), case.id, "客户下午三点后方便接电话")
    last = desk.store.events(case.id)[-1]
    assert last.kind == "note" and last.changes == {} and "三点" in last.note


def test_no_code_path_deletes_cases_events_or_attachments() -> None:
    """Voiding, never deleting: besides the triggers that forbid it, no statement
    in the package deletes from the evidence tables."""
    import re
    from pathlib import Path

    import showroom_cs

    package = Path(showroom_cs.__file__).parent
    pattern = re.compile(r"DELETE\s+FROM\s+(cases|events|attachments)\b", re.IGNORECASE)
    found = [
        f"{path.relative_to(package)}: {match.group(0)}"
        for path in package.rglob("*.py")
        for match in pattern.finditer(path.read_text("utf-8"))
    ]
    assert found == []
