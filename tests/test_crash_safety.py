"""Crash safety: a program killed with SIGKILL in the middle of its work loses
nothing it reported saved and leaves no half-written case behind.

A child process works on a real database file through the real operations and
reports every save that returned. The parent kills it at random moments
(seeded, so a failure can be replayed), restarts it on the same file, and after
every kill opens the file and checks it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from showroom_cs.clock import FixedClock
from showroom_cs.operations._common import DERIVED_COLUMNS
from showroom_cs.search import search_case_ids
from showroom_cs.store import Store
from showroom_cs.timeline import replay

from .conftest import START, make_desk

pytestmark = pytest.mark.skipif(
    sys.platform == "win32" or not hasattr(signal, "SIGKILL"),
    reason="needs SIGKILL (POSIX)",
)

SEED = 20261123
REGISTER_KILLS = 24
WALK_KILLS = 16
# A child that neither saves nor dies within this time is stuck: fail, do not hang.
WATCHDOG_S = 20.0
REPO_ROOT = Path(__file__).resolve().parent.parent

# The child: opens the file, then saves in a loop and reports each save that
# returned on its own flushed line. "saving" goes out just before a save starts,
# so the parent can aim its kill at the inside of a save.
CHILD = r'''
import random
import sys

sys.path.insert(0, sys.argv[1])
from showroom_cs import operations as op
from showroom_cs.clock import SystemClock
from showroom_cs.domain import ReviewItem, SolutionKind, Stage
from showroom_cs.store import Store
from tests.conftest import draft

mode, path, run, seed = sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(seed)
store = Store.open(path)
clock = SystemClock()
staff = {member.name: member.id for member in store.all_staff()}


def as_(name):
    return op.Context(store, clock, staff[name])


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def register(i):
    marker = f"CK{run:02d}N{i:05d}"
    return op.register_case(as_("王芳"), draft(description=f"门板关不严，{marker}"))


def advance(case_id, stage):
    """One step along the handling path, as the real staff would take it."""
    if stage == Stage.REGISTERED:
        return "assign", op.assign(
            as_("王芳"), case_id, owner_id=staff["李强"], department="安装部"
        )
    if stage == Stage.INVESTIGATING:
        return "propose", op.propose_solution(
            as_("李强"),
            case_id,
            validity_reason="现场核实，门板铰链未调好",
            kind=SolutionKind.REPAIR,
            steps="上门调整铰链，必要时更换门板",
            due_date=clock.now().date(),
            cost_fen=0,
        )
    if stage == Stage.IN_PROGRESS:
        return "rectify", op.record_rectification(
            as_("李强"), case_id, result="已更换铰链，门板闭合正常"
        )
    passed = rng.random() < 0.8
    return "review", op.review_case(
        as_("陈静"),
        case_id,
        items=[ReviewItem("门板闭合", passed)],
        passed=passed,
        open_problems="" if passed else "左门仍有缝隙",
    )


WALKING = ("registered", "investigating", "in_progress", "under_review")
say("ready")
for i in range(1, 5001):
    if mode == "register":
        say(f"saving {i}")
        change = register(i)
        say(f"saved {change.after.case_no} {change.after.id}")
        continue
    rows = store.query(
        "SELECT id, stage FROM cases WHERE stage IN (?, ?, ?, ?) ORDER BY id", WALKING
    )
    say(f"saving {i}")
    if not rows or rng.random() < 0.25:
        name, change = "register", register(i)
    else:
        row = rng.choice(rows)
        name, change = advance(row["id"], Stage(row["stage"]))
    after = change.after
    say(f"done {name} {after.id} {change.event_id} {after.stage.value} {after.case_no}")
store.close()
'''


@dataclass
class Run:
    """What one child printed before it died: complete lines only."""

    lines: list[str]
    mode: str
    killed_inside_save: bool  # the last line read before the kill was "saving"


@dataclass
class Tally:
    kills: int = 0
    kills_inside_save: int = 0
    acknowledged: int = 0
    # Saves that reached the file although the child died before reporting them.
    committed_unreported: int = 0
    modes: dict[str, int] = field(default_factory=dict)


def _start(script: Path, mode: str, db: Path, run: int, stderr: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    with stderr.open("w") as err:
        return subprocess.Popen(
            [sys.executable, str(script), str(REPO_ROOT), mode, str(db), str(run), str(SEED + run)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            encoding="utf-8",
            env=env,
        )


def _kill_at_random(
    rng: random.Random, script: Path, mode: str, db: Path, run: int, tmp: Path
) -> Run:
    """Start a child, kill it with SIGKILL at a random moment, return what it printed."""
    stderr = tmp / f"child-{mode}-{run}.err"
    proc = _start(script, mode, db, run, stderr)
    assert proc.stdout is not None
    watchdog = threading.Timer(WATCHDOG_S, proc.kill)
    watchdog.start()
    lines: list[str] = []
    last = ""
    how = rng.choices(["startup", "saving", "saving+spin", "saved+sleep"], weights=[1, 4, 4, 3])[0]
    target = rng.randint(1, 40)
    try:
        if how == "startup":
            # Anywhere from the imports through opening the file to the first saves.
            time.sleep(rng.uniform(0.0, 0.8))
        else:
            wanted = (
                "saving" if how.startswith("saving") else "saved" if mode == "register" else "done"
            )
            seen = 0
            while seen < target:
                line = proc.stdout.readline()
                if not line.endswith("\n"):
                    proc.wait(timeout=10)
                    pytest.fail(
                        f"child {run} stopped by itself (exit {proc.returncode}):\n"
                        + stderr.read_text(encoding="utf-8")
                    )
                last = line.strip()
                lines.append(last)
                seen += last.split()[0] == wanted
            if how == "saving+spin":
                until = time.perf_counter() + rng.uniform(0.0, 0.003)
                while time.perf_counter() < until:
                    pass
            elif how == "saved+sleep":
                time.sleep(rng.uniform(0.0, 0.01))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        # Lines already in the pipe were printed before the kill: those saves returned.
        rest = proc.stdout.read()
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, (
        f"child {run} was not killed by us (exit {proc.returncode}):\n"
        + stderr.read_text(encoding="utf-8")
    )
    complete = rest.split("\n")[:-1]  # a last line without its newline is not a report
    lines.extend(line.strip() for line in complete)
    if complete:
        last = complete[-1].strip()
    return Run(lines, how, last.startswith("saving"))


@contextlib.contextmanager
def _raw(db: Path) -> Iterator[sqlite3.Connection]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        yield conn


def _check_file(db: Path) -> None:
    """The file as SQLite sees it: undamaged, every reference pointing somewhere."""
    with _raw(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@contextlib.contextmanager
def _opened(db: Path) -> Iterator[Store]:
    store = Store.open(db)
    try:
        yield store
    finally:
        store.close()


def _check_cases(store: Store) -> None:
    """No half-written case: each is whole, with its timeline, which rebuilds it."""
    bare = store.query("SELECT case_no FROM cases WHERE id NOT IN (SELECT case_id FROM events)")
    assert not bare, f"cases without a timeline: {[row[0] for row in bare]}"
    numbers = [row[0] for row in store.query("SELECT case_no FROM cases")]
    assert len(numbers) == len(set(numbers))
    # A number is taken only with its case: a killed save gives its number back.
    by_day: dict[str, list[int]] = {}
    for number in numbers:
        _, day, seq = number.split("-")
        by_day.setdefault(day, []).append(int(seq))
    for day, seqs in by_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), day
        last = store.scalar(
            "SELECT last_seq FROM case_no_counters WHERE day = ?",
            (f"{day[:4]}-{day[4:6]}-{day[6:]}",),
        )
        assert last == len(seqs), day
    for (case_id,) in store.query("SELECT id FROM cases ORDER BY id"):
        row = dict(store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,)) or {})
        events = store.events(case_id)
        assert events[0].kind == "register", row["case_no"]
        assert all(e.kind != "register" for e in events[1:]), row["case_no"]
        assert len(store.clocks(case_id)) >= 2, row["case_no"]  # first contact, progress call
        tracked = {k: v for k, v in row.items() if k not in DERIVED_COLUMNS}
        rebuilt = replay(events)
        assert rebuilt is not None
        # Never in a stage its timeline does not show.
        stages = [e.changes["stage"][1] for e in events if "stage" in e.changes]
        assert stages[-1] == row["stage"], (row["case_no"], stages)
        assert rebuilt == tracked, row["case_no"]


def _summary(
    name: str,
    seed: int,
    tally: Tally,
    cases: int,
    started: float,
    record: Callable[[str, object], None],
) -> None:
    runtime = time.perf_counter() - started
    record("kills", tally.kills)
    record("kills_inside_save", tally.kills_inside_save)
    record("saves_acknowledged", tally.acknowledged)
    record("committed_unreported", tally.committed_unreported)
    record("cases_in_file", cases)
    record("runtime_s", round(runtime, 1))
    print(
        f"\n[{name}] seed={seed} kills={tally.kills} (inside a save: "
        f"{tally.kills_inside_save}; how: {tally.modes}) saves acknowledged="
        f"{tally.acknowledged} committed-but-unreported={tally.committed_unreported} "
        f"cases in file={cases} runtime={runtime:.1f}s"
    )


def _prepare(tmp_path: Path) -> tuple[Path, Path]:
    db = tmp_path / "showroom.db"
    with _opened(db) as store:
        make_desk(store, FixedClock(START))
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    return db, script


def test_saves_survive_sigkill(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    started = time.perf_counter()
    db, script = _prepare(tmp_path)
    rng = random.Random(SEED)
    tally = Tally()
    acknowledged: dict[str, int] = {}  # case_no -> id, as the child reported it
    unreported: set[int] = set()
    for run in range(REGISTER_KILLS):
        result = _kill_at_random(rng, script, "register", db, run, tmp_path)
        tally.kills += 1
        tally.kills_inside_save += result.killed_inside_save
        tally.modes[result.mode] = tally.modes.get(result.mode, 0) + 1
        fresh: dict[str, int] = {}
        for line in result.lines:
            if line.startswith("saved "):
                _, number, printed_id = line.split()
                fresh[number] = int(printed_id)
        assert not fresh.keys() & acknowledged.keys(), "a case number was issued twice"
        acknowledged.update(fresh)
        tally.acknowledged += len(fresh)

        where = f"run {run} (seed {SEED}, killed {result.mode})"
        _check_file(db)
        with _opened(db) as store:
            in_file = {row[0]: row[1] for row in store.query("SELECT case_no, id FROM cases")}
            missing = {no: i for no, i in acknowledged.items() if in_file.get(no) != i}
            assert not missing, f"{where}: saves that returned are gone: {missing}"
            # The child saves one case at a time: at most the one in flight got
            # into the file without being reported.
            extra = set(in_file.values()) - set(acknowledged.values()) - unreported
            assert len(extra) <= 1, f"{where}: unreported cases {extra}"
            unreported |= extra
            tally.committed_unreported += len(extra)
            for case_no, case_id in fresh.items():
                events = store.events(case_id)
                assert [e.kind for e in events] == ["register"], (where, case_no)
                assert events[0].changes["case_no"] == (None, case_no), (where, case_no)
                marker = store.case(case_id).description.rsplit("，", 1)[-1]
                assert search_case_ids(store, marker) == [case_id], (where, case_no, marker)
            _check_cases(store)

    with _opened(db) as store:
        cases = store.scalar("SELECT COUNT(*) FROM cases")
        for case_id in acknowledged.values():
            marker = store.case(case_id).description.rsplit("，", 1)[-1]
            assert search_case_ids(store, marker) == [case_id], marker
    assert tally.kills >= 20
    assert tally.acknowledged > 0
    _summary("register", SEED, tally, cases, started, record_property)


def test_stage_changes_survive_sigkill(
    tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    started = time.perf_counter()
    db, script = _prepare(tmp_path)
    rng = random.Random(SEED + 1)
    tally = Tally()
    acknowledged: dict[int, tuple[int, str, str]] = {}  # event id -> (case id, step, stage)
    unreported: set[int] = set()
    for run in range(WALK_KILLS):
        result = _kill_at_random(rng, script, "walk", db, run, tmp_path)
        tally.kills += 1
        tally.kills_inside_save += result.killed_inside_save
        tally.modes[result.mode] = tally.modes.get(result.mode, 0) + 1
        for line in result.lines:
            if line.startswith("done "):
                _, step, printed_case, printed_event, stage, _number = line.split()
                acknowledged[int(printed_event)] = (int(printed_case), step, stage)
                tally.acknowledged += 1

        where = f"run {run} (seed {SEED + 1}, killed {result.mode})"
        _check_file(db)
        with _opened(db) as store:
            events = {row["id"]: row for row in store.query("SELECT id, case_id, kind FROM events")}
            for event_id, (case_id, step, stage) in acknowledged.items():
                row = events.get(event_id)
                assert row is not None, f"{where}: {step} of case {case_id} returned but is gone"
                assert row["case_id"] == case_id, (where, event_id)
                changes = next(e for e in store.events(case_id) if e.id == event_id).changes
                assert changes["stage"][1] == stage, (where, event_id, step)
            extra = set(events) - set(acknowledged) - unreported
            assert len(extra) <= 1, f"{where}: unreported events {extra}"
            unreported |= extra
            tally.committed_unreported += len(extra)
            # Each case stands where its newest reported step (or the one step
            # in flight after it) left it.
            newest: dict[int, int] = {}
            for event_id, (case_id, _, _) in acknowledged.items():
                newest[case_id] = max(newest.get(case_id, 0), event_id)
            for case_id, event_id in newest.items():
                later = [e.id for e in store.events(case_id) if e.id > event_id]
                assert set(later) <= unreported, (where, case_id, later)
            _check_cases(store)

    with _opened(db) as store:
        cases = store.scalar("SELECT COUNT(*) FROM cases")
        walked = store.scalar("SELECT COUNT(*) FROM cases WHERE stage != 'registered'")
    assert tally.kills >= 10
    assert walked > 0
    _summary("walk", SEED + 1, tally, cases, started, record_property)
