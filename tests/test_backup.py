"""Backups, their rotation, restoring, damaged files and one program per database."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from showroom_cs import backup
from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.errors import PermissionDenied
from showroom_cs.instance import AlreadyOpen, InstanceLock
from showroom_cs.store import Store, quick_check

from .conftest import START, make_desk
from .walk import to_closed, to_in_progress

NOW = dt.datetime(2026, 11, 23, 9, 30)


def _filled(path: Path, cases: int = 3) -> Path:
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START), pins=True)
    for n in range(cases):
        case = desk.register(customer_phone=f"138{n:08d}")
        if n == 0:
            to_closed(desk, case)
        elif n == 1:
            to_in_progress(desk, case)
    store.close()
    return path


def _contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            for table in ("cases", "events", "clocks", "contacts", "reviews", "staff")
        }
    finally:
        conn.close()


def _damage(path: Path) -> None:
    """Scribble over pages in the middle of the file, as a failing disk would."""
    size = path.stat().st_size
    with path.open("r+b") as handle:
        for offset in range(4096 * 3, size - 4096, 4096 * 4):
            handle.seek(offset + 100)
            handle.write(b"\xde\xad\xbe\xef" * 200)


def test_a_backup_restores_to_identical_case_data(tmp_path: Path) -> None:
    db = _filled(tmp_path / "cases.db")
    before = _contents(db)
    copy = backup.take_backup(db, tmp_path / "usb", "manual", NOW)
    assert copy.name == "cases-20261123-093000-manual.db"
    info = backup.inspect_backup(copy)
    assert info.usable and info.cases == 3 and info.kind_label == "手动备份"
    # later work that the restore takes back
    store = Store.open(db)
    make_desk_again = store.scalar("SELECT COUNT(*) FROM staff")
    assert make_desk_again == 7
    with store.transaction():
        store.execute("UPDATE cases SET description = '后来改过' WHERE id = 1")
    store.close()
    kept = backup.restore(db, copy, tmp_path / "backups", NOW)
    assert _contents(db) == before
    assert kept.name == "cases-20261123-093000-before-restore.db"
    assert _contents(kept)["cases"][0] != before["cases"][0]  # the later edit is kept aside
    assert quick_check(db) == ["ok"]
    Store.open(db).close()  # and the app opens it


def test_a_damaged_or_foreign_backup_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    db = _filled(tmp_path / "cases.db", cases=40)
    before = _contents(db)
    damaged = backup.take_backup(db, tmp_path / "b", "daily", NOW)
    _damage(damaged)
    foreign = tmp_path / "b" / "photo.db"
    foreign.write_bytes(b"\xff\xd8\xff\xe0 not a database")
    for bad, words in ((damaged, "已损坏"), (foreign, "不是本软件的数据库备份")):
        info = backup.inspect_backup(bad)
        assert not info.usable and words in info.problem
        with pytest.raises(backup.BackupError, match=words):
            backup.restore(db, bad, tmp_path / "keep", NOW)
    assert _contents(db) == before
    assert not (tmp_path / "keep").exists()  # refused before anything was touched


def test_a_backup_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    db = _filled(tmp_path / "cases.db")
    copy = backup.take_backup(db, tmp_path / "b", "manual", NOW)
    conn = sqlite3.connect(copy)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('showroom_cs', '9999_future', '2027-01-01')"
    )
    conn.commit()
    conn.close()
    assert "更新版本" in backup.inspect_backup(copy).problem


def test_the_daily_copy_is_taken_once_a_day_and_rotation_keeps_14_days_and_12_months(
    tmp_path: Path,
) -> None:
    db = _filled(tmp_path / "cases.db", cases=1)
    folder = tmp_path / "backups"
    first = backup.daily_backup(db, folder, NOW, keep_daily=14, keep_monthly=12)
    assert first is not None and backup.inspect_backup(first).usable
    again = NOW + dt.timedelta(hours=5)
    assert backup.daily_backup(db, folder, again, keep_daily=14, keep_monthly=12) is None
    # Two years of daily copies, a manual one and one from before a migration.
    day = NOW - dt.timedelta(days=730)
    while day.date() < NOW.date():
        (folder / backup.backup_name(db, "daily", day)).write_bytes(b"")
        day += dt.timedelta(days=1)
    manual = folder / backup.backup_name(db, "manual", NOW - dt.timedelta(days=500))
    manual.write_bytes(b"")
    unrelated = folder / "年终报表.db"
    unrelated.write_bytes(b"")
    backup.rotate(folder, keep_daily=14, keep_monthly=12)
    daily = [
        i.taken_at.date() for i in backup.list_backups(folder, inspect=False) if i.kind == "daily"
    ]
    assert daily[:14] == [NOW.date() - dt.timedelta(days=n) for n in range(14)]
    months = {(d.year, d.month) for d in daily[14:]}
    assert len(daily) == 26 and len(months) == 12
    assert manual.exists() and unrelated.exists()  # never touched


def test_only_managers_copy_or_restore_by_hand(tmp_path: Path) -> None:
    store = Store.in_memory()
    desk = make_desk(store, FixedClock(START))
    with pytest.raises(PermissionDenied, match="只有店长、总经理或老板"):
        backup.check_may_copy(desk.staff["王芳"])
    backup.check_may_copy(desk.staff["陈静"])


def test_backup_and_restore_from_the_command_line(
    tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _filled(tmp_path / "cases.db")
    before = _contents(db)
    me = ["--as", "陈静", "--pin-file", str(pin_file)]
    assert main(["backup", "--db", str(db), "--out", str(tmp_path / "usb"), *me]) == 0
    assert "已备份 3 件案件" in capsys.readouterr().out
    copy = next((tmp_path / "usb").glob("cases-*-manual.db"))
    assert _log(db) == [("陈静", "cli", "backup")]
    store = Store.open(db)
    with store.transaction():
        store.execute("UPDATE cases SET customer_name = '改名' WHERE id = 2")
    store.close()
    assert main(["restore", "--db", str(db), str(copy), *me]) == 0
    out = capsys.readouterr().out
    assert "已恢复 3 件案件" in out and "before-restore" in out
    # The data is as backed up (the copy was taken before its own log line);
    # the restored file's log says who restored it, from the command line.
    assert _contents(db) == before
    assert _log(db) == [("陈静", "cli", "restore")]


def _log(db: Path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT s.name, door, action FROM audit_log JOIN staff s ON s.id = staff_id ORDER BY audit_log.id"
        ).fetchall()
    finally:
        conn.close()


def test_no_restore_under_a_running_window(
    tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _filled(tmp_path / "cases.db")
    copy = backup.take_backup(db, tmp_path / "usb", "manual", NOW)
    with InstanceLock(db):
        me = ["--as", "陈静", "--pin-file", str(pin_file)]
        assert main(["restore", "--db", str(db), str(copy), *me]) == 2
    assert "已经在另一个门店客诉台窗口中打开" in capsys.readouterr().err


def test_a_second_program_on_the_same_file_is_told_it_is_open_elsewhere(tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    other = tmp_path / "other.db"
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from showroom_cs.instance import AlreadyOpen, InstanceLock\n"
        "try:\n"
        "    InstanceLock(Path(sys.argv[1])).acquire()\n"
        "except AlreadyOpen as exc:\n"
        "    print(exc.message); sys.exit(3)\n"
    )
    with InstanceLock(db):
        refused = subprocess.run(
            [sys.executable, "-c", probe, str(db)], capture_output=True, text=True, check=False
        )
        assert refused.returncode == 3 and "已经在另一个" in refused.stdout
        elsewhere = subprocess.run(
            [sys.executable, "-c", probe, str(other)], capture_output=True, check=False
        )
        assert elsewhere.returncode == 0  # another database is another matter
        with pytest.raises(AlreadyOpen):
            InstanceLock(db).acquire()
    # the lock went with its holder: a crashed window leaves nothing stale
    after = subprocess.run([sys.executable, "-c", probe, str(db)], check=False)
    assert after.returncode == 0


def test_quick_check_finds_a_damaged_file(tmp_path: Path) -> None:
    db = _filled(tmp_path / "cases.db", cases=40)
    assert quick_check(db) == ["ok"]
    _damage(db)
    assert quick_check(db) != ["ok"]
    newest = backup.newest_usable([tmp_path / "backups"])
    assert newest is None  # nothing to offer yet: no backups were taken


def test_backups_carry_the_photos_and_a_restore_brings_lost_ones_back(tmp_path: Path) -> None:
    db = _filled(tmp_path / "cases.db", cases=1)
    photos = backup.attachments_of(db)
    (photos / "TS-20261123-001").mkdir(parents=True)
    photo = photos / "TS-20261123-001" / "a1b2.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 photo")
    copy = backup.take_backup(db, tmp_path / "usb", "manual", NOW)
    mirrored = tmp_path / "usb" / "cases-attachments" / "TS-20261123-001" / "a1b2.jpg"
    assert mirrored.read_bytes() == photo.read_bytes()
    photo.unlink()  # the disk lost it
    backup.restore(db, copy, tmp_path / "backups", NOW)
    assert photo.read_bytes() == mirrored.read_bytes()
