"""The SQLite file: opening, pragmas, migrations, transactions, typed reads.

One `Store` per open database file, passed to whoever needs it (no global).
Every sqlite3 failure that comes from the environment leaves here as a
`StoreError` with a Chinese message; anything else is a bug and propagates.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..domain import (
    Appointment,
    Approval,
    Attachment,
    Case,
    Clock,
    Contact,
    Event,
    Review,
    Staff,
)
from ..errors import NotFound
from ..settings import Settings, settings_from_rows, settings_to_rows
from . import rows as r
from .errors import (
    CannotCreate,
    CannotOpen,
    DatabaseReadOnly,
    DiskTrouble,
    EmptyDatabase,
    NewerSchema,
    NotADatabase,
    StoreError,
    UnknownStoreError,
    is_busy,
    translate,
)
from .migrations import MIGRATION_NAMES, MIGRATIONS, SCHEMA_VERSION

# WAL + synchronous=FULL: every commit is on disk before the save returns, so
# a power cut at the counter loses nothing the clerk saw saved (NORMAL may
# lose the last commits). Measured (benchmarks/save_durability.py): a whole
# case registration takes ~1.0–1.5 ms with FULL against ~0.6–0.8 ms with
# NORMAL; a clerk saves a few times a minute, so durability wins.
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA foreign_keys = ON",
)
# Reads and the commit itself wait this long for a busy file (rarely needed in WAL).
BUSY_TIMEOUT_S = 5.0
# A write waits its turn this long at most, trying again after a random sleep
# of up to RETRY_BASE_S doubled per try, never more than RETRY_CAP_S.
WRITE_WAIT_S = 15.0
RETRY_BASE_S = 0.001
RETRY_CAP_S = 0.010
SQLITE_HEADER = b"SQLite format 3\x00"
log = logging.getLogger(__name__)


class Store:
    """An open showroom database. Not thread-safe: one per thread."""

    def __init__(self, db: Database, path: Path | None) -> None:
        self.db = db
        self.path = path
        self._settings: Settings | None = None
        self._staff: dict[int, Staff] = {}
        self._depth = 0
        self.last_write_wait = 0.0  # seconds the last transaction waited for the file
        self.write_wait_s = WRITE_WAIT_S
        # Why nothing can be saved (the file, its folder or the disk), or None.
        self.read_only: str | None = None

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | str, *, backup_dir: Path | None = None) -> Store:
        """Open (creating if absent) and migrate the database at `path`.

        Only a path where no file exists is a new showroom: an empty or
        foreign file is damaged and never written. Before a migration touches
        an existing file, a copy of it is taken into `backup_dir` (default:
        `backups/` beside the file). A file that can only be read (its
        attributes, its folder, a write-protected disk) opens read-only, with
        the reason in `read_only`, when it needs no upgrade.
        """
        path = Path(path)
        where = str(path)
        _refuse_foreign_file(path)
        if not path.exists():
            _must_be_writable(path.parent)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        except (sqlite3.Error, OSError) as exc:
            raise translate(exc, where) or exc from exc
        store = cls(Database(conn, execute_plugins=False), path)
        try:
            store._configure()
            store._migrate(backup_dir or path.parent / "backups")
        except BaseException as exc:
            conn.close()
            translated = translate(exc, where) if isinstance(exc, sqlite3.Error | OSError) else None
            reason = read_only_reason(path) if path.exists() else None
            if reason is not None and isinstance(translated, DatabaseReadOnly | CannotOpen):
                return cls.open_read_only(path, reason=reason)
            if translated is not None:
                raise translated from exc
            raise
        reason = read_only_reason(path)
        if reason is not None:  # opened, but SQLite would refuse the first save
            store.close()
            return cls.open_read_only(path, reason=reason)
        return store

    @classmethod
    def open_read_only(cls, path: Path | str, *, reason: str = "") -> Store:
        """Open without ever writing: no migration, no journal change. For
        `check`, and for a file that can only be read (`reason` says why;
        `read_only` holds it). Refused when the file needs an upgrade first."""
        path = Path(path)
        _refuse_foreign_file(path)
        if not path.exists():
            raise CannotOpen(str(path))
        # On a disk nobody can write, SQLite cannot make the WAL's index file
        # beside the database: then the file is read as it is (immutable).
        immutable = "&immutable=1" if not _can_write(path.parent) else ""
        try:
            conn = sqlite3.connect(
                f"{path.resolve().as_uri()}?mode=ro{immutable}", uri=True, isolation_level=None
            )
            conn.execute("PRAGMA query_only = 1")
        except sqlite3.Error as exc:
            raise translate(exc, str(path)) or exc from exc
        store = cls(Database(conn, execute_plugins=False), path)
        store.read_only = reason or "这次以只读方式打开。"
        try:
            applied = [m.name for m in MIGRATIONS.applied(store.db)]
        except sqlite3.Error as exc:
            conn.close()
            raise translate(exc, str(path)) or exc from exc
        if [n for n in applied if n not in MIGRATION_NAMES]:
            conn.close()
            raise NewerSchema(len(applied), SCHEMA_VERSION)
        if reason and len(applied) < SCHEMA_VERSION:
            conn.close()
            raise DatabaseReadOnly(f"{reason}这个数据库需要先升级才能使用，而升级要写入文件。")
        return store

    @classmethod
    def in_memory(cls) -> Store:
        """A fresh, migrated database that lives only in memory (tests, previews)."""
        conn = sqlite3.connect(":memory:", isolation_level=None)
        store = cls(Database(conn, execute_plugins=False), None)
        store._configure()
        store._migrate(None)
        return store

    def _configure(self) -> None:
        for pragma in PRAGMAS:
            self.db.execute(pragma)

    def _migrate(self, backup_dir: Path | None) -> None:
        applied = [m.name for m in MIGRATIONS.applied(self.db)]
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise NewerSchema(len(applied), SCHEMA_VERSION)
        if not MIGRATIONS.pending(self.db):
            return
        if backup_dir is not None and self.db.table_names():
            self.copy_to(backup_dir / _backup_name(self.path, len(applied)))
        MIGRATIONS.apply(self.db)

    def copy_to(self, target: Path) -> Path:
        """A consistent copy of the whole database, taken with SQLite's backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target)
        try:
            self.db.conn.backup(dest)
        finally:
            dest.close()
        return target

    def schema_version(self) -> int:
        return len(MIGRATIONS.applied(self.db))

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------- transactions

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing writes; nested blocks become savepoints.

        BEGIN IMMEDIATE takes the write lock up front, so a second program on
        the same file waits the busy timeout instead of failing half-way.
        """
        conn = self.db.conn
        savepoint = f"sp{self._depth}"
        if self._depth == 0:
            self._begin_write()
        else:
            conn.execute(f"SAVEPOINT {savepoint}")
        self._depth += 1
        try:
            yield
        except BaseException as exc:
            self._depth -= 1
            self._rollback(savepoint)
            if isinstance(exc, sqlite3.Error):
                raise self._translated(exc) from exc
            raise
        else:
            self._depth -= 1
            try:
                conn.execute("COMMIT" if self._depth == 0 else f"RELEASE {savepoint}")
            except sqlite3.Error as exc:
                self._rollback(savepoint)
                raise self._translated(exc) from exc

    def _begin_write(self) -> None:
        """Take the write lock, waiting in line with the other programs on the file.

        SQLite's own busy handler sleeps ever longer (up to 100 ms a try), so
        a writer that has waited long tries least often and a fresh one
        overtakes it: some writes waited seconds while others went straight
        through. Here every waiter tries again after a short random sleep
        (full jitter, capped), so the lock goes to whoever asks next, however
        long they have waited, within a bounded time; after that the person
        is told the file is busy and nothing was written.
        """
        conn = self.db.conn
        started = time.perf_counter()
        attempt = 0
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as exc:
                    waited = time.perf_counter() - started
                    if not is_busy(exc) or waited >= self.write_wait_s:
                        raise self._translated(exc) from exc
                    ceiling = min(RETRY_CAP_S, RETRY_BASE_S * 2 ** min(attempt, 16))
                    time.sleep(random.uniform(0, ceiling))
                    attempt += 1
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        self.last_write_wait = time.perf_counter() - started

    def _rollback(self, savepoint: str) -> None:
        # Cached settings or staff may hold what is being rolled back.
        self._settings = None
        self._staff.clear()
        conn = self.db.conn
        if not conn.in_transaction:
            return
        if self._depth == 0:
            conn.execute("ROLLBACK")
        else:
            conn.execute(f"ROLLBACK TO {savepoint}")
            conn.execute(f"RELEASE {savepoint}")

    def _translated(self, exc: BaseException) -> BaseException:
        translated = translate(exc, str(self.path or ""))
        if isinstance(translated, DatabaseReadOnly) and self.read_only:
            # Opened read-only for a reason: name the file, folder or disk.
            translated = DatabaseReadOnly(f"{self.read_only}刚才的操作没有保存。")
        if isinstance(translated, UnknownStoreError | DiskTrouble):
            # The person sees Chinese; whoever helps them needs the original.
            log.error("database failure on %s: %r", self.path, exc)
        return translated or exc

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    # ------------------------------------------------------ raw statements

    def query(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            cursor = self.db.conn.cursor()
            cursor.row_factory = sqlite3.Row
            return cursor.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc

    def query_one(
        self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> sqlite3.Row | None:
        found = self.query(sql, params)
        return found[0] if found else None

    def scalar(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    def execute(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> int:
        """Run one write statement inside a transaction; returns lastrowid."""
        assert self.in_transaction, "writes go through Store.transaction()"
        try:
            cursor = self.db.conn.execute(sql, params)
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc
        return cursor.lastrowid or 0

    def execute_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """One write statement for many rows, inside a transaction (a bulk import)."""
        assert self.in_transaction, "writes go through Store.transaction()"
        try:
            self.db.conn.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise self._translated(exc) from exc

    def insert(self, table: str, values: Mapping[str, Any]) -> int:
        columns = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        return self.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())
        )

    def update(self, table: str, row_id: int, values: Mapping[str, Any]) -> None:
        if values:
            assignments = ", ".join(f"{column} = ?" for column in values)
            self.execute(
                f"UPDATE {table} SET {assignments} WHERE id = ?", [*values.values(), row_id]
            )

    # ------------------------------------------------------------ settings

    def settings(self) -> Settings:
        if self._settings is None:
            rows = self.query("SELECT key, value FROM settings")
            self._settings = settings_from_rows({row["key"]: row["value"] for row in rows})
        return self._settings

    def write_settings(self, settings: Settings) -> None:
        for key, value in settings_to_rows(settings).items():
            self.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )
        self._settings = settings

    # ------------------------------------------------------- typed reads

    def staff_member(self, staff_id: int) -> Staff:
        # Every operation looks up its actor; the staff table is small and
        # changes only through write_staff(), which clears this cache.
        cached = self._staff.get(staff_id)
        if cached is not None:
            return cached
        row = self.query_one("SELECT * FROM staff WHERE id = ?", (staff_id,))
        if row is None:
            raise NotFound(f"找不到编号为 {staff_id} 的员工。")
        member = self._staff[staff_id] = r.staff_from_row(row)
        return member

    def pin_hash(self, staff_id: int) -> str | None:
        """Kept out of `Staff` on purpose: the hash never travels further than login."""
        value = self.scalar("SELECT pin_hash FROM staff WHERE id = ?", (staff_id,))
        return None if value is None else str(value)

    def write_staff(self, values: Mapping[str, Any], staff_id: int | None = None) -> int:
        """Insert (or update, given `staff_id`) a staff row; the only way staff change."""
        self._staff.clear()
        if staff_id is None:
            return self.insert("staff", values)
        self.update("staff", staff_id, values)
        return staff_id

    def all_staff(self, *, active_only: bool = False) -> list[Staff]:
        where = "WHERE active = 1" if active_only else ""
        return [
            r.staff_from_row(row) for row in self.query(f"SELECT * FROM staff {where} ORDER BY id")
        ]

    def case(self, case_id: int) -> Case:
        row = self.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))
        if row is None:
            raise NotFound(f"找不到编号为 {case_id} 的投诉案件。")
        return r.case_from_row(row)

    def case_by_no(self, case_no: str) -> Case | None:
        row = self.query_one("SELECT * FROM cases WHERE case_no = ?", (case_no.strip().upper(),))
        return None if row is None else r.case_from_row(row)

    def cases(self, case_ids: Sequence[int]) -> list[Case]:
        """Cases in the order of `case_ids` (for lists that hold ids only)."""
        if not case_ids:
            return []
        marks = ",".join("?" for _ in case_ids)
        found = {
            row["id"]: r.case_from_row(row)
            for row in self.query(f"SELECT * FROM cases WHERE id IN ({marks})", list(case_ids))
        }
        return [found[i] for i in case_ids if i in found]

    def events(self, case_id: int) -> list[Event]:
        rows = self.query("SELECT * FROM events WHERE case_id = ? ORDER BY id", (case_id,))
        return [r.event_from_row(row) for row in rows]

    def clocks(self, case_id: int, *, open_only: bool = False) -> list[Clock]:
        extra = "AND met_at IS NULL AND cancelled_at IS NULL" if open_only else ""
        rows = self.query(f"SELECT * FROM clocks WHERE case_id = ? {extra} ORDER BY id", (case_id,))
        return [r.clock_from_row(row) for row in rows]

    def approvals(self, case_id: int) -> list[Approval]:
        rows = self.query("SELECT * FROM approvals WHERE case_id = ? ORDER BY id", (case_id,))
        return [r.approval_from_row(row) for row in rows]

    def approval(self, approval_id: int) -> Approval:
        row = self.query_one("SELECT * FROM approvals WHERE id = ?", (approval_id,))
        if row is None:
            raise NotFound(f"找不到编号为 {approval_id} 的审批申请。")
        return r.approval_from_row(row)

    def reviews(self, case_id: int) -> list[Review]:
        rows = self.query("SELECT * FROM reviews WHERE case_id = ? ORDER BY round", (case_id,))
        return [r.review_from_row(row) for row in rows]

    def contacts(self, case_id: int) -> list[Contact]:
        rows = self.query("SELECT * FROM contacts WHERE case_id = ? ORDER BY at, id", (case_id,))
        return [r.contact_from_row(row) for row in rows]

    def appointments(self, case_id: int) -> list[Appointment]:
        rows = self.query(
            "SELECT * FROM appointments WHERE case_id = ? ORDER BY starts_at", (case_id,)
        )
        return [r.appointment_from_row(row) for row in rows]

    @property
    def attachment_folder(self) -> Path | None:
        """Where attachment files live: beside the database file, so a copy of the
        folder is a complete copy of the data. None for an in-memory database."""
        return None if self.path is None else self.path.parent / f"{self.path.stem}-attachments"

    def attachments(self, case_id: int) -> list[Attachment]:
        rows = self.query("SELECT * FROM attachments WHERE case_id = ? ORDER BY id", (case_id,))
        return [r.attachment_from_row(row) for row in rows]

    def attachment(self, attachment_id: int) -> Attachment:
        row = self.query_one("SELECT * FROM attachments WHERE id = ?", (attachment_id,))
        if row is None:
            raise NotFound(f"找不到编号为 {attachment_id} 的附件。")
        return r.attachment_from_row(row)

    def appointment(self, appointment_id: int) -> Appointment:
        row = self.query_one("SELECT * FROM appointments WHERE id = ?", (appointment_id,))
        if row is None:
            raise NotFound(f"找不到编号为 {appointment_id} 的预约。")
        return r.appointment_from_row(row)


def _refuse_foreign_file(path: Path) -> None:
    """Never open (and so never migrate into) a file that is not SQLite: an
    empty file is a damaged database, not a new one."""
    try:
        if not path.exists():
            return
        if path.is_dir():
            raise CannotOpen(str(path))
        if path.stat().st_size == 0:
            raise EmptyDatabase(str(path))
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header != SQLITE_HEADER:
            raise NotADatabase(str(path))
    except OSError as exc:
        raise translate(exc, str(path)) or StoreError(str(exc)) from exc


def _can_write(folder: Path) -> bool:
    """Whether a file can be made in `folder` (tried, not guessed: permissions
    can say yes on a write-protected disk, and root ignores them)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".showroom-write-test-"):
            return True
    except OSError:
        return False


def _must_be_writable(folder: Path) -> None:
    """A new database needs a folder it can be made in."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():  # a file where a folder should be
        raise CannotOpen(str(folder))
    if not _can_write(existing):
        raise CannotCreate(str(folder))


def read_only_reason(path: Path) -> str | None:
    """Why the database at `path` can only be read, in words for the clerk; None
    when it can be written (its folder too: SQLite writes beside the file)."""
    folder = path.parent
    try:
        read_only_disk = bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (AttributeError, OSError):  # statvfs is not on Windows
        read_only_disk = False
    if read_only_disk:
        return f"数据库所在的磁盘（「{folder}」）是只读的，例如写保护的U盘、光盘或只读的网络盘。"
    if not _can_write(folder):
        return f"数据库所在的文件夹「{folder}」不能写入（没有权限）。"
    if not os.access(path, os.W_OK):
        return f"数据库文件「{path}」是只读的（文件属性或权限）。"
    return None


def quick_check(path: Path) -> list[str]:
    """SQLite's quick_check of a file, read-only: ["ok"], or what is damaged.

    Checks every page's structure (not index contents: integrity_check does
    that too, at several times the cost); a few seconds on a 700 MB file, so
    the app runs it beside the login rather than before the first window.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return [row[0] for row in conn.execute("PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]


def _backup_name(path: Path | None, version: int) -> str:
    """Named like the other backups (backup.py), so the restore list shows it."""
    stem = path.stem if path else "memory"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{stem}-{stamp}-before-migration-v{version}.db"


def dumps(value: Any) -> str:
    """JSON as stored in text columns: readable Chinese, stable key order."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
