"""Opening a database made by release 0.1.0 (tests/data/release-0.1.0.db.gz):
every row kept, and what the new release knows as facts rebuilt from the
timeline — each review round's own rectification, the sweep's misses dated
when they fell due."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from pypdf import PdfReader

from showroom_cs import sla
from showroom_cs.domain import ClockKind
from showroom_cs.pdf import render
from showroom_cs.store import Store

RELEASE = Path(__file__).parent / "data" / "release-0.1.0.db.gz"


@pytest.fixture
def release_file(tmp_path: Path) -> Path:
    path = tmp_path / "cases.db"
    with gzip.open(RELEASE) as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%'"
        )
    ]
    counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    conn.close()
    return counts


def test_every_row_is_kept_and_the_file_is_whole(release_file: Path) -> None:
    before = _counts(release_file)
    store = Store.open(release_file)
    assert store.scalar("PRAGMA integrity_check") == "ok"
    after = {t: store.scalar(f"SELECT COUNT(*) FROM {t}") for t in before}
    before.pop("_sqlite_migrations")
    after.pop("_sqlite_migrations")
    # One new line per case whose limits now count opening hours (below).
    moved = store.scalar("SELECT COUNT(*) FROM events WHERE kind = 'due_times_moved'")
    assert moved > 0
    assert after == {**before, "events": before["events"] + moved}
    store.close()


def test_each_review_round_gets_its_own_rectification_back(release_file: Path) -> None:
    store = Store.open(release_file)
    (case_id,) = [r[0] for r in store.query("SELECT id FROM cases WHERE customer_name = '周晓梅'")]
    rounds = store.reviews(case_id)
    assert [r.rectification_result for r in rounds] == [
        "第一次：紧固了左侧铰链",
        "第二次：更换两只铰链",
        "第三次：更换柜门并调平",
    ]
    assert [f"{r.rectified_at:%m-%d %H:%M}" for r in rounds] == [
        "11-24 10:00",
        "11-25 10:00",
        "11-26 10:00",
    ]
    fitter = store.scalar("SELECT id FROM staff WHERE name = '李强'")
    assert {(r.rectified_by, r.owner_id) for r in rounds} == {(fitter, fitter)}
    assert {r.solution_steps for r in rounds} == {"上门紧固铰链并调平柜门"}
    case = store.case(case_id)
    first = "".join(
        p.extract_text()
        for p in PdfReader(io.BytesIO(render(store, case, "review", review_round=1))).pages
    )
    assert "第一次：紧固了左侧铰链" in first and "第三次" not in first
    store.close()


def test_the_sweeps_misses_are_dated_when_they_fell_due(release_file: Path) -> None:
    store = Store.open(release_file)
    marked = store.query(
        "SELECT case_id, kind, due_at, breached_at FROM clocks WHERE breached_at IS NOT NULL"
    )
    assert marked
    misses = {}
    for (case_id,) in store.query("SELECT DISTINCT case_id FROM events WHERE kind = 'overdue'"):
        for event in store.events(case_id):
            if event.kind == "overdue":
                assert event.data["missed"], event.note
                for miss in event.data["missed"]:
                    misses[(case_id, miss["clock"], miss["due_at"])] = event.at
    for row in marked:
        assert (row["case_id"], row["kind"], row["due_at"]) in misses
    # The timeline is append-only again after the one fill of its new column.
    with pytest.raises(sqlite3.DatabaseError, match="时间线只能追加"):
        store.db.execute("UPDATE events SET note = note WHERE id = 1")
    store.close()


def test_open_limits_move_to_opening_hours_and_misses_stay(release_file: Path) -> None:
    conn = sqlite3.connect(release_file)
    old = {
        row[0]: row[1:]
        for row in conn.execute("SELECT id, due_at, breached_at, met_at, cancelled_at FROM clocks")
    }
    conn.close()
    store = Store.open(release_file)
    settings = store.settings()
    moved_cases = set()
    for row in store.query("SELECT * FROM clocks"):
        due, breached, met, cancelled = old[row["id"]]
        if breached or met or cancelled or not store.case(row["case_id"]).stage.is_open:
            # What was missed stays missed at its old time; finished work is history.
            assert (row["due_at"], row["breached_at"]) == (due, breached)
            continue
        if row["due_at"] != due:
            moved_cases.add(row["case_id"])
            kind = ClockKind(row["kind"])
            assert kind in settings.opening_hours_limits
            assert sla.is_open(dt.datetime.fromisoformat(row["due_at"]), settings) or (
                dt.datetime.fromisoformat(row["due_at"]).time() == settings.opening_hours[1]
            )
    assert moved_cases
    for case_id in moved_cases:
        lines = [e for e in store.events(case_id) if e.kind == "due_times_moved"]
        assert len(lines) == 1
        assert lines[0].note.startswith("时限改为按营业时间计时：")
        assert lines[0].data["moved"]
        case = store.case(case_id)
        nearest = store.scalar(
            "SELECT MIN(due_at) FROM clocks WHERE case_id = ? AND met_at IS NULL "
            "AND cancelled_at IS NULL",
            (case_id,),
        )
        assert f"{case.next_due_at:%Y-%m-%d %H:%M:%S}" == nearest
    store.close()
