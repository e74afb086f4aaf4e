"""The command line asks who you are like the window does, and leaves the
same trace.

Every command that reveals full customer data or changes data needs a staff
member (--as) and their PIN — typed at a hidden prompt or read from a file
only its owner can read, never given on the command line — under the same
rule and wait as the login. Wrong, missing or waiting: a Chinese message,
exit status 2, nothing written. What it prints, exports, copies or restores
is on the case's timeline or in the security log, with the door.
"""

from __future__ import annotations

import getpass
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.store import Store

from .conftest import START, make_desk
from .ledgers import write_xlsx
from .walk import to_closed, to_under_review

DENIED = 2


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A file with two cases (one reviewed, one closed) and everyone's PIN 1234."""
    path = tmp_path / "data" / "cases.db"
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START), pins=True)
    to_under_review(desk, desk.register())
    to_closed(desk, desk.register(customer_phone="13912345678"))
    store.close()
    return path


@pytest.fixture
def wrong_pin_file(tmp_path: Path) -> Path:
    path = tmp_path / "wrong.txt"
    path.write_text("0000\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _log(db: Path) -> list[tuple[object, ...]]:
    return _rows(
        db,
        "SELECT COALESCE(s.name, '未登录'), a.door, a.action FROM audit_log a "
        "LEFT JOIN staff s ON s.id = a.staff_id ORDER BY a.id",
    )


# The commands that need a PIN: arguments besides --as/--pin-file, who may,
# and what they leave behind when done (to check nothing is, when refused).
Command = tuple[list[str], str, Callable[[Path, Path], list[Path]]]


def _commands(db: Path, out: Path) -> dict[str, Command]:
    return {
        "print": (
            ["print", "--db", str(db), "TS-20261123-001", "--out", str(out / "form.pdf")],
            "王芳",
            lambda db, out: list(out.glob("*.pdf")),
        ),
        "schedule": (
            ["schedule", "--db", str(db), "--week", "2026-W48", "--out", str(out / "week.pdf")],
            "王芳",
            lambda db, out: list(out.glob("*.pdf")),
        ),
        "export-full": (
            ["export-week", "--db", str(db), "--week", "2026-W48", "--full", "--out", str(out)],
            "陈静",
            lambda db, out: list(out.glob("*.csv*")),
        ),
        "backup": (
            ["backup", "--db", str(db), "--out", str(out)],
            "陈静",
            lambda db, out: list(out.glob("*.db")),
        ),
        "import-ledger": (
            ["import-ledger", str(write_xlsx(db.parent / "客诉台账.xlsx")), "--db", str(db)],
            "陈静",
            lambda db, out: _rows(db, "SELECT id FROM cases WHERE ledger_no != ''"),
        ),
    }


COMMANDS = ("print", "schedule", "export-full", "backup", "import-ledger")


@pytest.mark.parametrize("name", COMMANDS)
def test_without_anyone_named_nothing_happens(
    db: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args, _, left = _commands(db, out)[name]
    assert main(args) == DENIED
    assert "需要登录：请用 --as 姓名 指定" in capsys.readouterr().err
    assert not out.exists() or left(db, out) == []
    assert _log(db) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_a_wrong_pin_is_refused_counted_and_nothing_happens(
    db: Path, tmp_path: Path, wrong_pin_file: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    args, who, left = _commands(db, out)[name]
    assert main([*args, "--as", who, "--pin-file", str(wrong_pin_file)]) == DENIED
    assert capsys.readouterr().err.strip() == "错误：姓名或 PIN 不正确。"
    assert not out.exists() or left(db, out) == []
    assert _log(db) == [(who, "cli", "pin_failed")]


@pytest.mark.parametrize("name", COMMANDS)
def test_after_five_wrong_pins_even_the_right_one_waits(
    db: Path,
    tmp_path: Path,
    wrong_pin_file: Path,
    pin_file: Path,
    name: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    args, who, left = _commands(db, out)[name]
    for _ in range(5):
        assert main([*args, "--as", who, "--pin-file", str(wrong_pin_file)]) == DENIED
    capsys.readouterr()
    assert main([*args, "--as", who, "--pin-file", str(pin_file)]) == DENIED
    assert "PIN 连续输错次数过多，请" in capsys.readouterr().err
    assert not out.exists() or left(db, out) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_the_right_pin_works_and_leaves_a_trace(
    db: Path, tmp_path: Path, pin_file: Path, name: str
) -> None:
    out = tmp_path / "out"
    args, who, left = _commands(db, out)[name]
    assert main([*args, "--as", who, "--pin-file", str(pin_file)]) == 0
    assert left(db, out)
    if name == "print":  # on the case's timeline, like a print from the window
        (event,) = _rows(db, "SELECT kind, note, data FROM events WHERE kind = 'export'")
        assert event[1] == "从命令行导出客户投诉登记表 PDF：form.pdf"
        assert '"door": "cli"' in str(event[2])
    else:
        action = {
            "schedule": "print",
            "export-full": "export_week",
            "backup": "backup",
            "import-ledger": "import_ledger",
        }[name]
        assert _log(db) == [(who, "cli", action)]


def test_a_pin_on_the_command_line_is_refused_with_the_way_to_give_it(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["print", "--db", str(db), "TS-20261123-001", "--out", str(tmp_path / "f.pdf")]
    assert main([*args, "--as", "王芳", "--pin", "1234"]) == DENIED
    said = capsys.readouterr().err
    assert "不能在命令行里直接写 PIN" in said and "--pin-file" in said
    assert not (tmp_path / "f.pdf").exists()


def test_a_pin_file_others_can_read_is_refused(
    db: Path, tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pin_file.chmod(0o644)
    args = ["print", "--db", str(db), "TS-20261123-001", "--out", str(tmp_path / "f.pdf")]
    assert main([*args, "--as", "王芳", "--pin-file", str(pin_file)]) == DENIED
    assert f"请执行：chmod 600 {pin_file}" in capsys.readouterr().err


def test_the_pin_file_may_be_named_by_the_environment(
    db: Path, tmp_path: Path, pin_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOWROOM_CS_PIN_FILE", str(pin_file))
    args = ["print", "--db", str(db), "TS-20261123-001", "--out", str(tmp_path / "f.pdf")]
    assert main([*args, "--as", "王芳"]) == 0


def test_the_pin_is_asked_at_a_hidden_prompt_in_a_terminal(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["print", "--db", str(db), "TS-20261123-001", "--out", str(tmp_path / "f.pdf")]
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    assert main([*args, "--as", "王芳"]) == DENIED  # a scheduled job without a PIN file
    assert "没有可以输入的终端" in capsys.readouterr().err
    asked: list[str] = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or "1234")
    assert main([*args, "--as", "王芳"]) == 0
    assert asked == ["PIN（输入时不显示）："]


def test_full_data_needs_a_manager_and_masked_data_needs_nobody(
    db: Path, tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["export-week", "--db", str(db), "--week", "2026-W48", "--out", str(tmp_path)]
    assert main([*base, "--full", "--as", "王芳", "--pin-file", str(pin_file)]) == DENIED
    assert "客服专员不能导出完整的客户信息：只有店长、总经理或老板可以" in capsys.readouterr().err
    assert list(tmp_path.glob("*.csv")) == []
    assert main(base) == 0  # masked, nobody named: allowed, and recorded as such
    assert _log(db)[-1] == ("未登录", "cli", "export_week")
    exported = _rows(db, "SELECT by_id, full FROM exports")
    assert exported == [(None, 0)]


def test_restore_needs_a_managers_pin_and_says_so_in_the_restored_log(
    db: Path,
    tmp_path: Path,
    pin_file: Path,
    wrong_pin_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    usb = tmp_path / "usb"
    assert (
        main(
            [
                "backup",
                "--db",
                str(db),
                "--out",
                str(usb),
                "--as",
                "陈静",
                "--pin-file",
                str(pin_file),
            ]
        )
        == 0
    )
    copy = next(usb.glob("*.db"))
    before = copy.read_bytes()
    restore = ["restore", "--db", str(db), str(copy)]
    assert main(restore) == DENIED
    assert main([*restore, "--as", "王芳", "--pin-file", str(pin_file)]) == DENIED
    assert "客服专员不能恢复备份" in capsys.readouterr().err
    assert main([*restore, "--as", "陈静", "--pin-file", str(wrong_pin_file)]) == DENIED
    assert main([*restore, "--as", "陈静", "--pin-file", str(pin_file)]) == 0
    assert _log(db) == [("陈静", "cli", "restore")]
    assert copy.read_bytes() == before  # the backup itself is never touched


def test_a_damaged_file_is_restored_by_a_manager_of_the_backup(
    db: Path, tmp_path: Path, pin_file: Path
) -> None:
    usb = tmp_path / "usb"
    assert (
        main(
            [
                "backup",
                "--db",
                str(db),
                "--out",
                str(usb),
                "--as",
                "陈静",
                "--pin-file",
                str(pin_file),
            ]
        )
        == 0
    )
    copy = next(usb.glob("*.db"))
    before = copy.read_bytes()
    db.write_bytes(b"not a database any more" * 100)
    for part in (db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        part.unlink(missing_ok=True)
    assert (
        main(["restore", "--db", str(db), str(copy), "--as", "陈静", "--pin-file", str(pin_file)])
        == 0
    )
    assert _log(db) == [("陈静", "cli", "restore")]
    assert copy.read_bytes() == before


def test_open_commands_stay_open(db: Path, tmp_path: Path) -> None:
    assert main(["check", "--db", str(db)]) == 0
    assert (
        main(["daily", "--db", str(db), "--date", "2026-11-23", "--out", str(tmp_path / "d.pdf")])
        == 0
    )
