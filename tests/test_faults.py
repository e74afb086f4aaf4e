"""Every fault tells the truth, and nothing saved before it is lost or changed.

1. an empty database file is damaged, not a new showroom; `check` never writes;
2. a full disk while typing: said once, the last good draft kept, no partial file;
3. an export is done when both the file and its record are, or neither is left;
4. a database that can only be read says so at login, and lets people look and print;
5. a data folder that cannot be written is named, with what to do.

A full disk is a small filesystem (tmpfs) where this machine allows mounting
one, and an injected ENOSPC otherwise; a read-only disk is a tmpfs remounted
read-only, or a folder without write permission for a user other than root.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from showroom_cs import drafts
from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.store import CannotCreate, Store

from .conftest import START, make_desk
from .walk import to_closed, to_in_progress

TABLES = ("cases", "events", "clocks", "contacts", "reviews", "staff", "exports", "audit_log")


def _mount(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
    )
    return done.returncode == 0


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path | None]:
    """A 1 MB filesystem to fill, or None where none can be mounted."""
    folder = tmp_path / "small-disk"
    mounted = _mount(folder, "1m")
    yield folder if mounted else None
    if mounted:
        _unmount(folder)


def _fill(disk: Path, keep: int = 0) -> None:
    """Fill the small disk up to its last `keep` bytes."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 4096)
        if keep:
            size = handle.seek(0, os.SEEK_END)
            handle.truncate(max(0, size - keep))


def _contents(db: Path) -> tuple[str, dict[str, int]]:
    """The integrity check and row counts, read without writing a byte (on a
    read-only disk, where no WAL index can be made, the file as it is)."""
    try:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
        conn.execute("SELECT 1 FROM sqlite_master")
    except sqlite3.OperationalError:
        conn = sqlite3.connect(f"{db.as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()
    return integrity, counts


def _showroom(path: Path) -> Path:
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START), pins=True)
    to_closed(desk, desk.register())
    to_in_progress(desk, desk.register(customer_phone="13912345678"))
    store.close()
    return path


# ------------------------------------------------ 1. an empty file is damaged


def test_check_says_an_empty_file_is_damaged_and_never_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "cases.db"
    db.touch()
    assert main(["check", "--db", str(db)]) == 2
    said = capsys.readouterr().err
    assert f"数据库文件「{db}」是空的（0 字节）" in said and "请从备份恢复" in said
    assert db.stat().st_size == 0 and sorted(tmp_path.iterdir()) == [db]


def test_check_reads_a_good_file_without_touching_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _showroom(tmp_path / "cases.db")
    before = db.read_bytes(), db.stat().st_mtime_ns
    assert main(["check", "--db", str(db)]) == 0
    assert "完整性检查：通过" in capsys.readouterr().out
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before


def test_the_window_offers_the_backups_for_an_empty_file(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.backup import take_backup
    from showroom_cs.ui import app

    db = _showroom(tmp_path / "cases.db")
    take_backup(db, tmp_path / "backups", "daily", START)
    for part in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        part.unlink(missing_ok=True)
    db.touch()  # a sync tool left an empty file in its place
    shown: list[tuple[str, list[Path]]] = []

    class Damaged:
        def __init__(self, path: Path, problem: str, folders: list[Path]) -> None:
            shown.append((problem, folders))
            self.chosen = None

        def exec(self) -> int:
            return 0

    monkeypatch.setattr(app, "DamagedDialog", Damaged)
    monkeypatch.setattr(
        app, "sign_in", lambda *a: pytest.fail("an empty file is not a first start")
    )
    assert app._run_once(app.prepare_app(), db, "", None) == 2  # type: ignore[arg-type]
    ((problem, folders),) = shown
    assert "是空的（0 字节）" in problem and tmp_path / "backups" in folders
    assert db.stat().st_size == 0


# ------------------------------------------ 2. a full disk while typing


def test_a_full_disk_while_typing_is_said_once_and_keeps_the_last_draft(
    qtbot, tmp_path: Path, small_disk: Path | None, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui import intake
    from showroom_cs.ui.intake import IntakePage
    from showroom_cs.ui.session import Session

    store = Store.in_memory()
    desk = make_desk(store, FixedClock(START))
    folder = (small_disk or tmp_path) / "drafts"
    page = IntakePage(Session(store, desk.clock, desk.staff["王芳"]), draft_folder=folder)
    qtbot.addWidget(page)
    page.fields["customer_name"].setText("张伟")  # type: ignore[attr-defined]
    page.save_draft()
    kept = page.draft_path.read_bytes()  # type: ignore[union-attr]
    if small_disk is not None:
        _fill(small_disk)
    else:  # no filesystem to fill here: the write itself fails as on a full disk

        def full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(drafts.Path, "write_text", full)
    warnings: list[str] = []
    monkeypatch.setattr(intake.log, "warning", lambda *a: warnings.append(str(a)))
    for text in ("幸福里小区 3栋 1202", "幸福里小区 3栋 1203", "幸福里小区 3栋 1204"):
        page.fields["customer_address"].setText(text)  # type: ignore[attr-defined]
        page.save_draft()
    assert page.draft_trouble.isVisibleTo(page)
    assert "磁盘已满" in page.draft_trouble.text() and str(folder) in page.draft_trouble.text()
    assert "之前自动保存的草稿还在" in page.draft_trouble.text()
    assert len(warnings) == 1  # said once, not at every key
    assert page.draft_path.read_bytes() == kept  # type: ignore[union-attr]
    assert not list(folder.glob("*.part"))
    if small_disk is not None:
        (small_disk / "filler").unlink()  # space again: drafts are kept again
        page.save_draft()
        assert not page.draft_trouble.isVisibleTo(page)
        assert "1204" in page.draft_path.read_text(encoding="utf-8")  # type: ignore[union-attr]
    store.close()


# -------------------------------------- 3. an export is done, or not at all


def test_an_export_refused_by_a_busy_database_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from showroom_cs.store import database

    db = _showroom(tmp_path / "cases.db")
    before = _contents(db)
    monkeypatch.setattr(database, "WRITE_WAIT_S", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the window is saving, for long
    out = tmp_path / "out"
    try:
        assert main(["export-week", "--db", str(db), "--week", "2026-W48", "--out", str(out)]) == 2
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "数据库正被另一个程序占用" in capsys.readouterr().err
    assert list(out.iterdir()) == []  # neither the file nor its part
    assert _contents(db) == before


def test_an_export_on_a_full_disk_is_said_in_chinese_with_its_folder(
    tmp_path: Path,
    small_disk: Path | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = _showroom(tmp_path / "cases.db")
    before = _contents(db)
    out = (small_disk or tmp_path) / "weekly"
    out.mkdir()
    if small_disk is not None:
        _fill(small_disk)
    else:

        def full(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(Path, "write_bytes", full)
    assert main(["export-week", "--db", str(db), "--week", "2026-W48", "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert f"无法保存到「{out}」：磁盘已满" in said and "没有记录" in said
    assert "No space" not in said
    assert list(out.iterdir()) == []
    assert _contents(db) == before


def test_a_backup_onto_a_full_disk_says_so_and_leaves_no_partial_copy(
    tmp_path: Path,
    small_disk: Path | None,
    pin_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if small_disk is None:
        pytest.skip("needs a small filesystem to fill (root may mount one)")
    db = _showroom(tmp_path / "cases.db")
    before = _contents(db)
    _fill(small_disk, keep=16 * 1024)  # room for a start, not the whole copy
    me = ["--as", "陈静", "--pin-file", str(pin_file)]
    assert main(["backup", "--db", str(db), "--out", str(small_disk / "usb"), *me]) == 2
    said = capsys.readouterr().err
    assert f"备份文件夹「{small_disk / 'usb'}」所在的磁盘已满" in said
    assert "数据库本身没有受到影响" in said
    assert not list((small_disk / "usb").glob("*.db*"))
    assert _contents(db) == before


# ----------------------------------- 4. a database that can only be read


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder holding a showroom's database, then made read-only."""
    folder = tmp_path / "ro-disk"
    mounted = _mount(folder, "16m")
    if not mounted and os.geteuid() == 0:
        pytest.skip("root ignores permissions and cannot mount a filesystem here")
    _showroom(folder / "cases.db")
    if mounted:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        (folder / "cases.db").chmod(0o444)
    yield folder
    if mounted:
        _unmount(folder)
    else:
        folder.chmod(0o755)


def test_a_read_only_database_opens_for_looking_and_says_why(
    qtbot, read_only_disk: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    from showroom_cs.ui.main_window import MainWindow
    from showroom_cs.ui.printing import export_form
    from showroom_cs.ui.session import Session

    db = read_only_disk / "cases.db"
    store = Store.open(db)
    assert store.read_only is not None and str(read_only_disk) in store.read_only
    staff = next(s for s in store.all_staff() if s.name == "王芳")
    window = MainWindow(Session(store, FixedClock(START), staff))
    qtbot.addWidget(window)
    banners = [b.text() for b in window.findChildren(QLabel, "banner")]
    assert any("数据库只能读取，不能保存" in text and "可以查看和打印" in text for text in banners)
    assert not window.intake.save_button.isEnabled()
    assert "数据库只能读取" in window.intake.save_button.toolTip()
    window.open_case(1)
    view = window.case_view
    assert all(not b.isEnabled() for b in view.buttons.values())
    assert not view.next_button.isEnabled() or view.next_button.isHidden()
    assert view.print_buttons["print_registration"].isEnabled()
    saved = export_form(window.session, store.case(1), "registration", target=tmp_path / "f.pdf")
    assert saved is not None and saved.stat().st_size > 0
    window.sweep()  # the minute sweep writes nothing on a read-only file
    window.close()
    store.close()


def test_the_login_says_the_database_can_only_be_read(
    qtbot, read_only_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui import app

    hints: list[str] = []
    monkeypatch.setattr(app, "sign_in", lambda store, clock, hint: hints.append(hint))
    assert app._run_once(app.prepare_app(), read_only_disk / "cases.db", "", None) == 0  # type: ignore[arg-type]
    (hint,) = hints
    assert hint.startswith("数据库只能读取：") and "不能保存新的投诉或修改" in hint


def test_a_save_on_a_read_only_database_names_why_and_changes_nothing(
    read_only_disk: Path,
) -> None:
    from showroom_cs import operations as op
    from showroom_cs.errors import ShowroomError

    db = read_only_disk / "cases.db"
    before = _contents(db)
    store = Store.open(db)
    staff = next(s for s in store.all_staff() if s.name == "王芳")
    ctx = op.Context(store, FixedClock(START), staff.id)
    with pytest.raises(ShowroomError) as refused:
        op.add_note(ctx, 1, "客户来电")
    assert (
        str(read_only_disk) in refused.value.message
        and "刚才的操作没有保存" in refused.value.message
    )
    store.close()
    assert _contents(db) == before


# ------------------------------ 5. a data folder that cannot be written


def test_a_first_start_in_a_folder_that_cannot_be_written_names_it(
    read_only_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from showroom_cs.ui import app

    target = read_only_disk / "new-shop" / "cases.db"
    with pytest.raises(CannotCreate) as refused:
        Store.open(target)
    message = refused.value.message
    assert f"无法在「{target.parent}」里建立数据库" in message and "--db" in message
    assert "只读" not in message.split("：")[0] or "数据库文件是只读的" not in message
    told: list[str] = []
    monkeypatch.setattr(app.QMessageBox, "critical", lambda parent, title, text: told.append(text))
    assert app._run_once(app.prepare_app(), target, "", None) == 2  # type: ignore[arg-type]
    assert told == [message]
