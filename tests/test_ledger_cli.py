"""`showroom-cs import-ledger`: the dry run, the import, the column map, refusals.

Who and the PIN are those of every write command (test_cli_doors.py walks
them); here, what the command does and says once a manager is known.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
from pathlib import Path

import pytest

from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.ledger.command import Progress
from showroom_cs.store import Store

from . import ledgers
from .conftest import START, make_desk

DENIED = 2


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "cases.db"
    store = Store.open(path)
    make_desk(store, FixedClock(START), pins=True)
    store.close()
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    folder = tmp_path / "u盘"
    folder.mkdir()
    return ledgers.write_xlsx(folder / "客诉台账.xlsx")


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _run(db: Path, ledger: Path, pin_file: Path, *extra: str) -> int:
    who = ["--as", "陈静", "--pin-file", str(pin_file)]
    return main(["import-ledger", str(ledger), "--db", str(db), *who, *extra])


def test_the_dry_run_says_what_would_happen_and_writes_nothing(
    db: Path, ledger: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, ledger, pin_file, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "读取：客诉台账.xlsx「2026年客诉」，表头在第 2–3 行，共 15 行数据" in out
    assert "顾客 → 客户姓名；手机 → 联系电话" in out and "备注 → 其他列（记入投诉内容）" in out
    assert "将导入 7 件（已结案 3、不成立 1、未结案 3）" in out and "拒绝 8 行" in out
    assert "  第 9 行：联系电话「12345」不是有效的号码" in out
    assert "试运行：没有写入任何数据。" in out
    assert _count(db, "SELECT COUNT(*) FROM cases") == 0
    assert _count(db, "SELECT COUNT(*) FROM audit_log") == 0
    assert sorted(p.name for p in ledger.parent.iterdir()) == ["客诉台账.xlsx"]
    assert not (db.parent / "backups").exists()


def test_the_import_takes_a_backup_and_puts_the_refused_rows_beside_the_ledger(
    db: Path, ledger: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db, ledger, pin_file) == 0
    out = capsys.readouterr().out
    assert "已导入 7 件" in out
    (backup,) = (db.parent / "backups").glob("cases-*-before-import.db")
    assert f"导入前的备份：{backup}" in out
    (report,) = ledger.parent.glob("客诉台账-未导入的行-*.xlsx")
    assert f"未导入的 8 行及原因：{report}" in out
    assert _count(db, "SELECT COUNT(*) FROM cases") == 7
    assert _count(db, 'SELECT COUNT(*) FROM events WHERE data LIKE \'%"door": "cli"%\'') == 7
    # Again: nothing new.
    assert _run(db, ledger, pin_file) == 0
    again = capsys.readouterr().out
    assert "这个文件以前导入过：" in again and "已导入过 8 行" in again
    assert "没有需要导入的行，数据库没有改动。" in again
    assert _count(db, "SELECT COUNT(*) FROM cases") == 7


def test_a_column_map_changes_the_matches(
    db: Path, ledger: Path, pin_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "对应.json"
    mapping.write_text(json.dumps({"备注": "不导入", "序号": "原编号"}, ensure_ascii=False))
    assert _run(db, ledger, pin_file, "--map", str(mapping), "--dry-run") == 0
    assert "序号 → 原编号；编号 → 原编号" in capsys.readouterr().out
    mapping.write_text("{备注: 不导入}", encoding="utf-8")
    assert _run(db, ledger, pin_file, "--map", str(mapping)) == DENIED
    assert "不是 UTF-8 的 JSON" in capsys.readouterr().err
    assert _count(db, "SELECT COUNT(*) FROM cases") == 0


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--sheet", "2025年"], "没有名为「2025年」的工作表"),
        (["--sheet", "说明"], "还没有为这些必填项选择台账的列"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    db: Path,
    ledger: Path,
    pin_file: Path,
    args: list[str],
    said: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(db, ledger, pin_file, *args) == DENIED
    assert said in capsys.readouterr().err
    assert _count(db, "SELECT COUNT(*) FROM cases") == 0
    assert not (db.parent / "backups").exists()


def test_a_missing_ledger_is_said_before_any_pin_is_asked(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import-ledger", str(tmp_path / "没有.xlsx"), "--db", str(db)]) == DENIED
    assert "找不到台账文件" in capsys.readouterr().err


def test_progress_is_drawn_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    bar = Progress(shown)
    bar("检查", 500, 1000)
    bar("写入案件", 1000, 1000)
    bar.close()
    assert "\r检查 [###############---------------] 500/1000 行" in shown.getvalue()
    assert shown.getvalue().endswith("1000/1000 行 \n")
    quiet = io.StringIO()
    Progress(quiet)("检查", 1, 2)
    assert quiet.getvalue() == ""
    assert sys.stderr is not None
