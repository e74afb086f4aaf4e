"""The command line: demo data, the database check, the version."""

from __future__ import annotations

from pathlib import Path

import pytest

from showroom_cs import __version__
from showroom_cs.cli import main
from showroom_cs.store import SCHEMA_VERSION, Store

from .invariants import all_problems


def test_demo_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--cases", "120", "--seed", "7"]) == 0
    assert "已生成 120 件演示案件" in capsys.readouterr().out
    assert main(["check", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert (
        f"数据版本：{SCHEMA_VERSION}" in out and "案件：120 件" in out and "完整性检查：通过" in out
    )


def test_demo_data_obeys_every_rule_and_is_deterministic(tmp_path: Path) -> None:
    import datetime as dt

    from showroom_cs.demo import generate

    now = dt.datetime(2026, 11, 22, 15, 0)
    dumps = []
    for name in ("a.db", "b.db"):
        store = Store.open(tmp_path / name)
        generate(store, 150, seed=11, now=now)
        assert all_problems(store) == {}
        dumps.append(store.query("SELECT * FROM cases ORDER BY id"))
        stages = {row[0] for row in store.query("SELECT DISTINCT stage FROM cases")}
        assert {"closed", "in_progress", "follow_up"} <= stages
        store.close()
    assert [tuple(r) for r in dumps[0]] == [tuple(r) for r in dumps[1]]


def test_demo_history_copies_keep_every_rule_and_the_order_of_receipt(tmp_path: Path) -> None:
    import datetime as dt

    from showroom_cs.demo import generate
    from showroom_cs.search import search_case_ids

    store = Store.open(tmp_path / "history.db")
    generate(store, 600, seed=5, now=dt.datetime(2026, 11, 22, 15, 0), walked_days=4)
    assert store.scalar("SELECT COUNT(*) FROM cases") == 600
    assert all_problems(store) == {}
    rows = store.query("SELECT id, case_no, received_at, customer_phone FROM cases ORDER BY id")
    assert [r["received_at"] for r in rows] == sorted(r["received_at"] for r in rows)
    assert len({r["case_no"] for r in rows}) == 600
    # Per-day numbers run 001, 002, … in order of receipt.
    first_day = rows[0]["case_no"][3:11]
    numbers = [r["case_no"][-3:] for r in rows if r["case_no"][3:11] == first_day]
    assert numbers == [f"{i:03d}" for i in range(1, len(numbers) + 1)]
    # Copies are customers of their own: found by their own phone number.
    oldest = rows[0]
    assert search_case_ids(store, oldest["customer_phone"]) == [oldest["id"]]
    # The counter continues after the copied history.
    assert store.scalar(
        "SELECT last_seq FROM case_no_counters WHERE day = ?", (rows[-1]["received_at"][:10],)
    ) == int(rows[-1]["case_no"][-3:])
    store.close()


def test_demo_refuses_a_database_with_cases(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "demo.db"
    main(["demo", "--db", str(db), "--cases", "5"])
    assert main(["demo", "--db", str(db), "--cases", "5"]) == 2
    assert "演示数据只能写入新文件" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.db"]


def test_check_of_a_missing_or_foreign_file_says_so(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["check", "--db", str(tmp_path / "none.db")]) == 2
    assert "找不到数据库文件" in capsys.readouterr().err
    foreign = tmp_path / "notes.db"
    foreign.write_text("hello", encoding="utf-8")
    assert main(["check", "--db", str(foreign)]) == 2
    assert "不是本软件的数据库" in capsys.readouterr().err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"showroom-cs {__version__}"


def test_history_copies_move_every_time_column_of_the_schema() -> None:
    from showroom_cs.demo_history import CHILD_TABLES, TIME_COLUMNS

    store = Store.in_memory()
    for table in ("cases", *CHILD_TABLES):
        columns = [row["name"] for row in store.query(f"PRAGMA table_info({table})")]
        times = {c for c in columns if c.endswith(("_at", "_date", "_due")) or c == "at"}
        assert times == set(TIME_COLUMNS[table]), table
    tables = {row[0] for row in store.query("SELECT name FROM sqlite_master WHERE type='table'")}
    with_case = {
        t
        for t in tables
        if any(row["name"] == "case_id" for row in store.query(f"PRAGMA table_info({t})"))
    }
    # Demo cases have no photos, shared improvement items, open notices or old ledger.
    others = {"attachments", "improvement_cases", "notices", "ledger_rows"}
    assert with_case - others == set(CHILD_TABLES)


def test_the_selftest_walks_the_whole_product_on_a_new_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "check" / "selftest.db"
    assert main(["selftest", "--db", str(db), "--no-window"]) == 0
    out = capsys.readouterr().out
    for step in (
        "建立门店与员工",
        "分派、处理、复核、回访、结案",
        "生成两份表单 PDF",
        "导出总部周报 CSV",
    ):
        assert f"[通过] {step}" in out
    assert "自检通过" in out and "[失败]" not in out
    assert (db.parent / "registration.pdf").read_bytes().startswith(b"%PDF")
    assert main(["selftest", "--db", str(db), "--no-window"]) == 2  # never over existing data
    assert "已存在" in capsys.readouterr().err


def test_the_bench_prints_every_row_next_to_its_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--quick", "--cases", "150", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    table = out.splitlines()
    for what in (
        "看板阶段计数",
        "保存一件新投诉",
        "登记表 PDF",
        "全部案件 CSV",
        "启动到看板画出",
        "主窗口打开",
        "两字搜索时界面计时器最长停顿",
        "4 个程序同时写入（各 200 次）最长等待",
    ):
        assert any(line.startswith(what) for line in table), what
    assert "未测" not in out  # every row measured
    summary = [line for line in table if line.startswith("bench: ")]
    assert len(summary) == 1 and summary[0].endswith("/16 within target")
    assert list(tmp_path.iterdir()) == []  # the scratch database is gone
