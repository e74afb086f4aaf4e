"""The database file: migrations from every version, backups before them, and
environment failures told apart with a Chinese message."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from showroom_cs.clock import FixedClock
from showroom_cs.search import search_case_ids
from showroom_cs.store import (
    SCHEMA_VERSION,
    DatabaseLocked,
    DatabaseReadOnly,
    DiskFull,
    NewerSchema,
    NotADatabase,
    Store,
)
from showroom_cs.store.errors import CannotOpen, DiskTrouble, UnknownStoreError, translate
from showroom_cs.store.migrations import MIGRATION_NAMES, MIGRATIONS

from .conftest import START, make_desk, sqlite_error
from .invariants import all_problems
from .walk import to_closed, to_in_progress


def _fill(store: Store) -> list[str]:
    desk = make_desk(store, FixedClock(START))
    closed = to_closed(desk, desk.register())
    working = to_in_progress(
        desk, desk.register(customer_name="李娜", customer_phone="13912345678")
    )
    return [closed.case_no, working.case_no]


def _old_file(path: Path, version: int) -> None:
    """A database file as an older release left it: only the first `version` migrations."""
    conn = sqlite3.connect(path, isolation_level=None)
    db = Database(conn, execute_plugins=False)
    stop = MIGRATION_NAMES[version] if version < len(MIGRATION_NAMES) else None
    MIGRATIONS.apply(db, stop_before=stop)
    conn.close()


def test_an_empty_file_is_damaged_not_a_new_showroom(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    path.touch()  # what a cut copy or a full disk leaves
    with pytest.raises(NotADatabase, match=r"是空的（0 字节）.*请从备份恢复"):
        Store.open(path)
    with pytest.raises(NotADatabase):
        Store.open_read_only(path)
    assert path.stat().st_size == 0 and list(tmp_path.iterdir()) == [path]


def test_a_new_file_gets_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "cases.db"
    store = Store.open(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.scalar("PRAGMA journal_mode") == "wal"
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA synchronous") == 2  # FULL
    store.close()


def _file_at_version(path: Path, version: int, source: Path) -> dict[str, int]:
    """The rows of `source` in a file at an older schema version, as that release
    would have stored them (columns it did not have are left out). Returns row counts."""
    _old_file(path, version)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE '%fts%' AND name != '_sqlite_migrations'"
        )
    ]
    counts = {}
    unknown = added_later(conn)
    for table in tables:
        mine = [row[1] for row in conn.execute(f"PRAGMA main.table_info({table})")]
        theirs = {row[1] for row in conn.execute(f"PRAGMA src.table_info({table})")}
        common = [c for c in mine if c in theirs]
        rows = conn.execute(f"SELECT {', '.join(common)} FROM src.{table}").fetchall()
        if table == "events":  # that release's timeline never named columns it did not have
            at = common.index("changes")
            rows = [(*r[:at], _without(r[at], unknown), *r[at + 1 :]) for r in rows]
        marks = ", ".join("?" * len(common))
        conn.executemany(f"INSERT INTO main.{table} ({', '.join(common)}) VALUES ({marks})", rows)
        counts[table] = conn.execute(f"SELECT COUNT(*) FROM main.{table}").fetchone()[0]
    conn.execute("DETACH DATABASE src")
    conn.close()
    return counts


def _without(changes: str | None, columns: frozenset[str]) -> str | None:
    if not changes:
        return changes
    kept = {k: v for k, v in json.loads(changes).items() if k not in columns}
    return json.dumps(kept, ensure_ascii=False) if kept else None


def added_later(conn: sqlite3.Connection) -> frozenset[str]:
    """Case columns of the attached latest file (`src`) that `main` lacks."""
    mine = {row[1] for row in conn.execute("PRAGMA main.table_info(cases)")}
    return frozenset(row[1] for row in conn.execute("PRAGMA src.table_info(cases)")) - mine


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION))
def test_every_earlier_version_migrates_keeping_every_row(tmp_path: Path, version: int) -> None:
    source = tmp_path / "latest.db"
    filled = Store.open(source)
    _fill(filled)
    filled.close()
    path = tmp_path / "cases.db"
    counts = _file_at_version(path, version, source)
    assert counts["cases"] == 2 and counts["events"] > 2
    old = sqlite3.connect(path)
    old.execute("ATTACH DATABASE ? AS src", (str(source),))
    missing = added_later(old)
    old.close()

    store = Store.open(path)
    assert store.schema_version() == SCHEMA_VERSION
    # When each customer was first reached is worked out from the old calls and visits.
    first_reached = "SELECT first_contact_at FROM cases ORDER BY id"
    latest = Store.open(source)
    assert [r[0] for r in store.query(first_reached)] == [r[0] for r in latest.query(first_reached)]
    assert any(r[0] for r in latest.query(first_reached))  # the closed case was called
    latest.close()
    for table, count in counts.items():
        assert store.scalar(f"SELECT COUNT(*) FROM {table}") == count, table
    assert all_problems(store, added_later=missing) == {}
    # Rows written before search existed are searchable after the migration.
    assert len(search_case_ids(store, "李娜")) == 1
    assert len(search_case_ids(store, "ln")) == 1
    assert len(search_case_ids(store, "门板安装后")) == 2
    backups = list((tmp_path / "backups").glob(f"cases-*-before-migration-v{version}.db"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 2
    copy.close()
    store.close()


def test_reopening_an_up_to_date_file_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    Store.open(path).close()
    Store.open(path).close()
    assert not (tmp_path / "backups").exists()


def test_a_file_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('showroom_cs', '9999_future', 'x')"
    )
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(NewerSchema, match="请升级软件"):
        Store.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_database_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    path.write_text("这不是数据库", encoding="utf-8")
    with pytest.raises(NotADatabase, match="不是本软件的数据库"):
        Store.open(path)
    assert path.read_text(encoding="utf-8") == "这不是数据库"


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_a_read_only_file_reports_read_only_on_save(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    Store.open(path).close()
    path.chmod(stat.S_IRUSR)
    store = Store.open(path)
    with pytest.raises(DatabaseReadOnly, match="只读"), store.transaction():
        store.execute("INSERT INTO settings (key, value) VALUES ('x', '1')")


def test_a_read_only_connection_reports_read_only_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    store = Store.open(path)
    _fill(store)
    store.close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    ro = Store(Database(conn, execute_plugins=False), path)
    with pytest.raises(DatabaseReadOnly, match="数据库文件是只读的"), ro.transaction():
        ro.execute("UPDATE cases SET description = 'x'")
    conn.close()
    again = Store.open(path)
    assert again.scalar("SELECT COUNT(*) FROM cases") == 2
    assert all_problems(again) == {}


def test_a_second_writer_gets_a_locked_message_and_nothing_is_half_saved(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    store = Store.open(path)
    _fill(store)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    blocked = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    waiting = Store(Database(blocked, execute_plugins=False), path)
    waiting.write_wait_s = 0.3  # waits its turn that long, trying again, then gives up
    began = time.perf_counter()
    with pytest.raises(DatabaseLocked, match="另一个程序占用"), waiting.transaction():
        waiting.execute("UPDATE cases SET description = 'x'")
    assert 0.3 <= time.perf_counter() - began < 2
    other.execute("ROLLBACK")
    assert store.scalar("SELECT COUNT(*) FROM cases WHERE description = 'x'") == 0


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("SQLITE_BUSY", DatabaseLocked),
        ("SQLITE_BUSY_SNAPSHOT", DatabaseLocked),
        ("SQLITE_LOCKED", DatabaseLocked),
        ("SQLITE_READONLY", DatabaseReadOnly),
        ("SQLITE_READONLY_DBMOVED", DatabaseReadOnly),
        ("SQLITE_PERM", DatabaseReadOnly),
        ("SQLITE_FULL", DiskFull),
        ("SQLITE_CANTOPEN", CannotOpen),
        ("SQLITE_CANTOPEN_ISDIR", CannotOpen),
        ("SQLITE_NOTADB", NotADatabase),
        ("SQLITE_CORRUPT", NotADatabase),
        ("SQLITE_IOERR_WRITE", DiskTrouble),
        ("SQLITE_NOMEM", UnknownStoreError),
        ("SQLITE_PROTOCOL", UnknownStoreError),
    ],
)
def test_each_store_error_is_told_by_its_code_not_its_words(code: str, expected: type) -> None:
    # The English says something else on purpose: only the code may count.
    translated = translate(sqlite_error(code, "database is locked or disk is full"), "/x/cases.db")
    assert isinstance(translated, expected)
    assert re.search(r"[\u4e00-\u9fff]", translated.message)
    assert "刚才的操作没有保存" in translated.message or expected in (
        NotADatabase,
        CannotOpen,
    )


def test_bugs_stay_bugs_and_unknown_failures_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert translate(sqlite_error("SQLITE_ERROR", "database is locked")) is None
    assert translate(sqlite_error("SQLITE_CONSTRAINT", "disk is full")) is None
    assert translate(sqlite3.ProgrammingError("Cannot operate on a closed database.")) is None
    assert isinstance(translate(OSError(28, "No space left on device")), DiskFull)
    unknown = translate(sqlite_error("SQLITE_NOMEM", "out of memory"))
    assert isinstance(unknown, UnknownStoreError) and "SQLITE_NOMEM" in unknown.message
    store = Store.open(tmp_path / "cases.db")
    with caplog.at_level("ERROR"):
        assert isinstance(
            store._translated(sqlite_error("SQLITE_NOMEM", "out of memory")),
            UnknownStoreError,
        )
    assert "out of memory" in caplog.text  # the detail is in the log
    store.close()


def test_real_failures_are_told_by_their_codes(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    Store.open(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError) as busy:
        other.execute("BEGIN IMMEDIATE")
    assert isinstance(translate(busy.value), DatabaseLocked)
    holder.execute("ROLLBACK")
    reader = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as readonly:
        reader.execute("CREATE TABLE x (a)")
    assert isinstance(translate(readonly.value), DatabaseReadOnly)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"x" * 8192)
    with pytest.raises(sqlite3.DatabaseError) as notadb:
        sqlite3.connect(garbage).execute("SELECT * FROM sqlite_master")
    assert isinstance(translate(notadb.value), NotADatabase)
    with pytest.raises(sqlite3.OperationalError) as cannot:
        sqlite3.connect(tmp_path / "no" / "such" / "folder.db")
    assert isinstance(translate(cannot.value), CannotOpen)
    for conn in (holder, other, reader):
        conn.close()


def test_a_failure_mid_operation_leaves_no_trace(desk) -> None:  # type: ignore[no-untyped-def]
    """A crash between the case write and its event rolls the whole step back."""
    case = desk.register()
    events_before = len(desk.store.events(case.id))
    with pytest.raises(RuntimeError), desk.store.transaction():
        desk.store.execute("UPDATE cases SET description = '半截' WHERE id = ?", (case.id,))
        raise RuntimeError("power cut")
    assert desk.case(case.id).description != "半截"
    assert len(desk.store.events(case.id)) == events_before


def test_rolled_back_settings_and_staff_are_not_remembered(desk) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    store = desk.store
    renamed = dataclasses.replace(store.settings(), showroom_name="改错的名字")
    with pytest.raises(RuntimeError), store.transaction():
        store.write_settings(renamed)
        store.write_staff({"name": "改名"}, desk.staff["王芳"].id)
        assert store.settings().showroom_name == "改错的名字"
        raise RuntimeError("cancelled")
    assert store.settings().showroom_name != "改错的名字"
    assert store.staff_member(desk.staff["王芳"].id).name == "王芳"


def test_a_full_disk_refuses_the_save_in_chinese_and_keeps_what_was_saved(
    tmp_path: Path,
) -> None:
    """The file may not grow past its current size plus a little: the disk is full."""
    path = tmp_path / "cases.db"
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START))
    pages = store.scalar("PRAGMA page_count")
    store.db.execute(f"PRAGMA max_page_count = {pages + 8}")
    saved = []
    with pytest.raises(DiskFull, match="磁盘空间已满"):
        for n in range(10_000):
            long_text = f"第{n}件：" + "门板缝隙过大，需要上门调整。" * 200
            saved.append(desk.register(customer_phone=f"139{n:08d}", description=long_text))
    assert 0 < len(saved) < 10_000
    store.close()
    again = Store.open(path)  # the disk has room again
    assert [c.id for c in again.cases([c.id for c in saved])] == [c.id for c in saved]
    assert again.scalar("SELECT COUNT(*) FROM cases") == len(saved)
    assert all_problems(again) == {}
    assert [row[0] for row in again.query("PRAGMA integrity_check")] == ["ok"]
