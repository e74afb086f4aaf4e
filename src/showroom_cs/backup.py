"""Copies of the database file: daily, before a migration, by hand; rotation; restore.

A complaint record is evidence in a dispute, so a copy is only called a
backup once it has been read back whole: each is taken with SQLite's online
backup API into a `.part` file (the app may keep working meanwhile), checked
with `PRAGMA quick_check`, then renamed into place. A restore checks the file
the same way and keeps a copy of the current database before replacing it.

File names say what a copy is, so the folder reads well in Explorer and the
rotation never touches a file it did not make:
`cases-20261122-093005-daily.db`, `…-manual.db`, `…-before-migration-v5.db`,
`…-before-restore.db`. Beside them, `cases-attachments/` mirrors the photos
and scans (only new files are copied each time).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from . import permissions
from .domain import Door, Staff
from .errors import ShowroomError
from .operations.access import Audit, record_at
from .permissions import Action
from .store import SCHEMA_VERSION, Store
from .store.errors import DiskFull, translate

SQLITE_HEADER = b"SQLite format 3\x00"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})-(?P<kind>[a-z0-9-]+)\.db$")


class BackupError(ShowroomError):
    """A backup could not be taken or restored; the current database is untouched."""


@dataclass(frozen=True, slots=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    kind: str  # daily | manual | before-migration-vN | before-restore | other
    size: int
    schema_version: int | None = None
    cases: int | None = None
    problem: str = ""  # why it cannot be restored; empty when it can

    @property
    def usable(self) -> bool:
        return not self.problem

    @property
    def kind_label(self) -> str:
        if self.kind.startswith("before-migration"):
            return "升级前自动备份"
        return {
            "daily": "每日自动备份",
            "manual": "手动备份",
            "before-restore": "恢复前保留的数据",
            "before-import": "导入旧台账前的备份",
        }.get(self.kind, "备份文件")


def check_may_copy(staff: Staff, action: Action = Action.BACKUP) -> None:
    """Copies hold every customer's full details: managers only take or restore
    them by hand (the daily copy stays beside the database)."""
    permissions.require(staff, action)


def record_copy(store: Store, staff: Staff, door: Door, path: Path, now: dt.datetime) -> None:
    """A copy taken by hand goes into the security log, with the door: the copy
    holds every customer's full details."""
    with store.transaction():
        record_at(store, now, staff.id, door, Audit.BACKUP, f"备份到{path}")


def record_restored(
    db_path: Path, staff_id: int | None, door: Door, backup: Path, now: dt.datetime
) -> None:
    """The restored database's security log says who restored it, from what, by
    which door (nobody, when the app offered it for a damaged file before any
    login; a person the older copy does not know is named by nobody either)."""
    store = Store.open(db_path)
    try:
        known = staff_id is not None and bool(
            store.scalar("SELECT 1 FROM staff WHERE id = ?", (staff_id,))
        )
        with store.transaction():
            record_at(
                store,
                now,
                staff_id if known else None,
                door,
                Audit.RESTORE,
                f"从备份恢复：{backup}",
            )
    finally:
        store.close()


def backup_folder(db_path: Path, configured: str) -> Path:
    """The folder from settings, or `backups` beside the database."""
    return Path(configured) if configured.strip() else db_path.parent / "backups"


def backup_name(db_path: Path, kind: str, now: dt.datetime) -> str:
    return f"{db_path.stem}-{now:%Y%m%d-%H%M%S}-{kind}.db"


def attachments_of(db_path: Path) -> Path:
    """The attachment folder beside a database (as `Store.attachment_folder`)."""
    return db_path.parent / f"{db_path.stem}-attachments"


def mirror_attachments(source: Path, target: Path) -> int:
    """Copy the attachment files `target` does not have yet. Attachments are only
    ever added (voided ones keep their file), so one mirror per backup folder
    stays complete at the cost of the day's new photos."""
    copied = 0
    if not source.is_dir():
        return 0
    for path in source.rglob("*"):
        if not path.is_file() or path.name.endswith(".part"):
            continue
        destination = target / path.relative_to(source)
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".part")
        shutil.copy2(path, partial)
        os.replace(partial, destination)
        copied += 1
    return copied


def take_backup(db_path: Path, folder: Path, kind: str, now: dt.datetime) -> Path:
    """Copy the database at `db_path` into `folder` and check the copy; bring the
    folder's mirror of the attachment files up to date."""
    target = folder / backup_name(db_path, kind, now)
    partial = target.with_name(target.name + ".part")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(partial)
            try:
                source.backup(dest)
                problems = [row[0] for row in dest.execute("PRAGMA quick_check")]
                # The copy is a stand-alone file: no WAL beside it to lose.
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        if problems != ["ok"]:
            raise BackupError(
                "备份的副本没有通过完整性检查，可能是原数据库已损坏。请联系技术支持。"
            )
        _fsync(partial)
        os.replace(partial, target)
        mirror_attachments(attachments_of(db_path), attachments_of(target.with_name(db_path.name)))
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):  # the folder itself may be what failed
            partial.unlink(missing_ok=True)
        raise _backup_failure(exc, folder) from exc
    return target


def _backup_failure(exc: BaseException, folder: Path) -> BackupError:
    known = translate(exc, str(folder))
    full = isinstance(known, DiskFull)  # the copy's disk, told by its code or errno
    if full or isinstance(exc, OSError) or known is None:
        reason = "所在的磁盘已满" if full else "无法写入"
        return BackupError(
            f"备份没有完成：备份文件夹「{folder}」{reason}。请换一个文件夹（或插好U盘）后重试；"
            "数据库本身没有受到影响。"
        )
    return BackupError(f"备份没有完成：{known.message}")


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def daily_backup(
    db_path: Path, folder: Path, now: dt.datetime, *, keep_daily: int, keep_monthly: int
) -> Path | None:
    """The first start of a day takes that day's copy; later starts take none."""
    taken_today = any(
        info.kind == "daily" and info.taken_at.date() == now.date()
        for info in list_backups(folder, inspect=False)
    )
    if taken_today:
        return None
    path = take_backup(db_path, folder, "daily", now)
    rotate(folder, keep_daily=keep_daily, keep_monthly=keep_monthly)
    return path


def rotate(folder: Path, *, keep_daily: int, keep_monthly: int) -> list[Path]:
    """Keep the daily copies of the newest `keep_daily` days, and for the
    `keep_monthly` months before those the last daily copy of each month.
    Only daily copies are ever removed: manual ones and those taken before a
    migration or a restore stay until someone deletes them by hand."""
    daily = sorted(
        (info for info in list_backups(folder, inspect=False) if info.kind == "daily"),
        key=lambda info: info.taken_at,
        reverse=True,
    )
    recent_days: set[dt.date] = set()
    months: set[tuple[int, int]] = set()
    removed = []
    for info in daily:
        day = info.taken_at.date()
        if day in recent_days or len(recent_days) < keep_daily:
            recent_days.add(day)
            continue
        month = (day.year, day.month)
        if month not in months and len(months) < keep_monthly:
            months.add(month)
            continue
        info.path.unlink(missing_ok=True)
        removed.append(info.path)
    return removed


def list_backups(folder: Path, *, inspect: bool = True) -> list[BackupInfo]:
    """The copies in a folder, newest first; with `inspect`, each one opened and checked."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.glob("*.db"):
        match = _NAME.match(path.name)
        if match is None:
            continue
        taken = dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
        if inspect:
            found.append(inspect_backup(path, taken_at=taken, kind=match["kind"]))
        else:
            found.append(BackupInfo(path, taken, match["kind"], path.stat().st_size))
    found.sort(key=lambda info: info.taken_at, reverse=True)
    return found


def inspect_backup(
    path: Path, *, taken_at: dt.datetime | None = None, kind: str | None = None
) -> BackupInfo:
    """Open a copy read-only and say whether it can be restored, and what it holds."""
    match = _NAME.match(path.name)
    if taken_at is None:
        taken_at = (
            dt.datetime.strptime(match["stamp"], "%Y%m%d-%H%M%S")
            if match
            else dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
        )
    kind = kind or (match["kind"] if match else "other")
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError:
        return BackupInfo(path, taken_at, kind, 0, problem="无法读取这个文件。")
    info = BackupInfo(path, taken_at, kind, size)
    if header != SQLITE_HEADER:
        return replace(info, problem="这个文件不是本软件的数据库备份。")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                return replace(info, problem="这个备份已损坏，没有通过完整性检查，不能用来恢复。")
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
            if "cases" not in tables or "_sqlite_migrations" not in tables:
                return replace(info, problem="这个文件不是本软件的数据库备份。")
            version = conn.execute(
                "SELECT COUNT(*) FROM _sqlite_migrations WHERE migration_set = 'showroom_cs'"
            ).fetchone()[0]
            cases = conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return replace(info, problem="这个备份已损坏，无法打开，不能用来恢复。")
    info = replace(info, schema_version=version, cases=cases)
    if version > SCHEMA_VERSION:
        return replace(
            info,
            problem=f"这个备份来自更新版本的软件（数据版本 {version}），请先升级软件再恢复。",
        )
    return info


def newest_usable(folders: list[Path]) -> BackupInfo | None:
    """The newest copy that passes its checks, over several folders."""
    candidates = [info for folder in folders for info in list_backups(folder, inspect=False)]
    candidates.sort(key=lambda info: info.taken_at, reverse=True)
    for candidate in candidates:
        checked = inspect_backup(candidate.path, taken_at=candidate.taken_at, kind=candidate.kind)
        if checked.usable:
            return checked
    return None


def sqlite_files(db_path: Path) -> list[Path]:
    """The database and the WAL files SQLite keeps beside it."""
    return [
        db_path,
        db_path.with_name(db_path.name + "-wal"),
        db_path.with_name(db_path.name + "-shm"),
    ]


def restore(db_path: Path, backup: Path, keep_folder: Path, now: dt.datetime) -> Path:
    """Put a checked copy in place of the database (which must be closed).

    The current file (and its WAL) is first kept in `keep_folder` as
    `…-before-restore.db`, even when it is damaged, so a wrong restore can be
    undone. Returns that kept copy.
    """
    info = inspect_backup(backup)
    if not info.usable:
        raise BackupError(f"不能恢复：{info.problem}当前数据没有改动。")
    kept = keep_folder / backup_name(db_path, "before-restore", now)
    incoming = db_path.with_name(db_path.name + ".restoring")
    try:
        keep_folder.mkdir(parents=True, exist_ok=True)
        if db_path.exists():
            for part, suffix in zip(sqlite_files(db_path), ("", "-wal", "-shm"), strict=True):
                if part.exists():
                    shutil.copy2(part, kept.with_name(kept.name + suffix))
        incoming.unlink(missing_ok=True)
        source = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dest = sqlite3.connect(incoming)
            try:
                source.backup(dest)
                dest.execute("PRAGMA journal_mode = DELETE")
            finally:
                dest.close()
        finally:
            source.close()
        _fsync(incoming)
        # The old WAL belongs to the old file: left beside the new one, SQLite
        # would replay it into the restored data.
        for leftover in sqlite_files(db_path)[1:]:
            leftover.unlink(missing_ok=True)
        os.replace(incoming, db_path)
        # Photos lost with a broken disk come back from the backup's mirror;
        # files already here are never overwritten.
        mirror_attachments(attachments_of(backup.with_name(db_path.name)), attachments_of(db_path))
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            incoming.unlink(missing_ok=True)
        raise BackupError(
            f"恢复没有完成：{exc}。当前数据库没有被替换；恢复前的副本在「{keep_folder}」。"
        ) from exc
    return kept
