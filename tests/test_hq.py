"""Head office: a chain's weekly files in DuckDB, and the chain report.

Small generated chains (a few showrooms, a few weeks, both format versions);
every figure of the report is computed again here in plain Python from the
same files' rows and must agree."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

duckdb = pytest.importorskip("duckdb")
openpyxl = pytest.importorskip("openpyxl")

from showroom_cs import operations as op  # noqa: E402
from showroom_cs.cli import main  # noqa: E402
from showroom_cs.domain import SATISFACTION_LABELS, ClockKind  # noqa: E402
from showroom_cs.export import (  # noqa: E402
    COLUMNS,
    HEADER_V1,
    csv_bytes,
    export_week,
    read_week,
    week_bounds,
    weekly_bytes,
)
from showroom_cs.hq.chain import broken_files, generate_chain, resend  # noqa: E402
from showroom_cs.hq.load import connect, load, set_regions  # noqa: E402
from showroom_cs.hq.report import (  # noqa: E402
    FIGURE_COLUMNS,
    LIMITS,
    ChainReport,
    chain_report,
    weeks_between,
)

from .conftest import Desk  # noqa: E402

TODAY = dt.date(2027, 1, 10)  # a Sunday: week 2027-W01 has not ended
NOW = dt.datetime(2027, 1, 10, 9, 30)
K = {column.key: number for number, column in enumerate(COLUMNS)}
SCORES = {label: value for value, label in SATISFACTION_LABELS.items()}


@pytest.fixture
def hq(tmp_path: Path) -> Iterator[Any]:
    con = connect(tmp_path / "hq.duckdb")
    yield con
    con.close()


def _chain(folder: Path, showrooms: int = 5, weeks: int = 10) -> list[Path]:
    """From 2026-W45, over week 53; SH0001, SH0003 and SH0005 wrote version 1 until W52."""
    _rooms, paths = generate_chain(
        folder, showrooms, "2026-W45", weeks, seed=7, upgrade_week="2026-W52"
    )
    return paths


# ------------------------------------------------------------- plain Python


def plain_report(
    current: dict[tuple[str, str], list[list[str]]],
    first: str,
    last: str,
    regions: dict[str, str],
) -> dict[str, Any]:
    """The report's figures from the current files' rows, without DuckDB."""
    start, end = week_bounds(first)[0], week_bounds(last)[1]
    latest: dict[tuple[str, str], list[str]] = {}
    for (_code, week), rows in current.items():
        if first <= week <= last:
            for row in rows:
                key = (row[K["showroom_code"]], row[K["case_no"]])
                if key not in latest or latest[key][K["week"]] < week:
                    latest[key] = row

    def time(text: str) -> dt.datetime | None:
        return dt.datetime.fromisoformat(text) if text else None

    def figures(rows: list[list[str]]) -> dict[str, Any]:
        def rate(part: int, whole: int) -> float | None:
            return part / whole if whole else None

        decided = [r for r in rows if r[K["valid"]] in ("是", "否")]
        closing = [
            float(r[K["close_days"]])
            for r in rows
            if r[K["stage"]] == "已结案" and start <= time(r[K["closed_at"]]) < end  # type: ignore[operator]
        ]
        scores = [SCORES[r[K["satisfaction"]]] for r in rows if r[K["satisfaction"]]]
        out: dict[str, Any] = {
            "案件数": len(rows),
            "新受理": sum(start <= time(r[K["received_at"]]) < end for r in rows),  # type: ignore[operator]
            "成立率": rate(sum(r[K["valid"]] == "是" for r in decided), len(decided)),
            "按时率": rate(sum(r[K["overdue"]] == "否" for r in rows), len(rows)),
        }
        for label in LIMITS:
            had = [r for r in rows if label in r[K["clocks"]].split("、")]
            met = [r for r in had if label not in r[K["overdue_clocks"]].split("、")]
            out[f"按时率·{label}"] = rate(len(met), len(had))
        out["结案用时中位数(天)"] = statistics.median(closing) if closing else None
        out["平均满意度"] = statistics.mean(scores) if scores else None
        out["回访评价数"] = len(scores)
        out["升级件数"] = sum(r[K["escalation"]] not in ("", "客服专员") for r in rows)
        return out

    rows = list(latest.values())
    codes = sorted({code for code, _week in current} | set(regions))
    by_room = {c: figures([r for r in rows if r[K["showroom_code"]] == c]) for c in codes}
    names = sorted({regions.get(c, "未分区") for c in codes})
    by_region = {
        n: figures([r for r in rows if regions.get(r[K["showroom_code"]], "未分区") == n])
        for n in names
    }
    categories: dict[tuple[str, str], int] = {}
    causes: dict[tuple[str, str], int] = {}
    received_by_week: dict[str, int] = {}
    closed_by_week: dict[str, list[bool]] = {}
    for r in rows:
        received = time(r[K["received_at"]])
        assert received is not None
        if start <= received < end:
            key = r[K["category_key"]] or r[K["category"]]  # version 1: the label
            week = f"{received.isocalendar()[0]}-W{received.isocalendar()[1]:02d}"
            categories[(week, key)] = categories.get((week, key), 0) + 1
            received_by_week[week] = received_by_week.get(week, 0) + 1
        closed = time(r[K["closed_at"]])
        if r[K["stage"]] == "已结案" and closed and start <= closed < end:
            week = f"{closed.isocalendar()[0]}-W{closed.isocalendar()[1]:02d}"
            closed_by_week.setdefault(week, []).append(r[K["overdue"]] == "否")
        if r[K["stage"]] == "已结案" and r[K["cause_key"]] and closed and start <= closed < end:
            week = f"{closed.isocalendar()[0]}-W{closed.isocalendar()[1]:02d}"
            causes[(week, r[K["cause_key"]])] = causes.get((week, r[K["cause_key"]]), 0) + 1
    return {
        "rooms": by_room,
        "regions": by_region,
        "chain": figures(rows),
        "categories": categories,
        "causes": causes,
        "weekly": {
            week: (
                received_by_week.get(week, 0),
                len(closed_by_week.get(week, [])),
                statistics.mean(closed_by_week[week]) if closed_by_week.get(week) else None,
            )
            for week in weeks_between(first, last)
        },
    }


def assert_same(ours: dict[str, Any], theirs: dict[str, Any], where: str) -> None:
    for column in FIGURE_COLUMNS:
        a, b = ours[column], theirs[column]
        if a is None or b is None:
            assert a is None and b is None, (where, column, a, b)
        else:
            assert a == pytest.approx(b, rel=1e-9), (where, column)


def assert_report_matches(report: ChainReport, expected: dict[str, Any]) -> None:
    rooms = {
        row[0]: dict(zip(FIGURE_COLUMNS, row[4:], strict=True)) for row in report.showrooms.rows
    }
    assert set(rooms) == set(expected["rooms"])
    for code, figures in rooms.items():
        assert_same(figures, expected["rooms"][code], code)
    regions = {
        row[0]: dict(zip(FIGURE_COLUMNS, row[2:], strict=True)) for row in report.regions.rows
    }
    assert_same(regions.pop("全连锁"), expected["chain"], "全连锁")
    assert set(regions) == set(expected["regions"])
    for name, figures in regions.items():
        assert_same(figures, expected["regions"][name], name)
    assert {(w, k): n for w, k, _l, n in report.categories.rows} == expected["categories"]
    assert {(w, k): n for w, k, _l, n in report.causes.rows} == expected["causes"]
    weekly = {w: (received, closed, rate) for w, received, closed, rate in report.weekly.rows}
    assert list(weekly) == list(expected["weekly"])
    for week, figures in weekly.items():
        assert figures == pytest.approx(expected["weekly"][week]), week


def current_files(paths: list[Path]) -> dict[tuple[str, str], list[list[str]]]:
    """Each showroom-week's rows from the last of `paths` that holds it."""
    current = {}
    for path in paths:
        week_file = read_week(path)
        current[(week_file.showroom_code, week_file.week)] = week_file.rows
    return current


# -------------------------------------------------------------------- tests


def test_both_versions_load_and_every_figure_matches_plain_python(hq: Any, tmp_path: Path) -> None:
    paths = _chain(tmp_path / "in")
    versions = {read_week(p).version for p in paths}
    assert versions == {"1", "2"}
    result = load(hq, tmp_path / "in", today=TODAY)
    assert [r.status for r in result.files] == ["loaded"] * len(paths)
    assert sum("版本 1 无法证明文件完整" in r.detail for r in result.files) == 3 * 7
    regions = {"SH0001": "华东", "SH0002": "华东", "SH0003": "华南", "SH0099": "华北"}
    region_file = tmp_path / "regions.csv"
    region_file.write_bytes(
        ("\ufeff门店编码,区域\r\n" + "".join(f"{c},{n}\r\n" for c, n in regions.items())).encode()
    )
    assert set_regions(hq, region_file) == 4
    stored = hq.execute("SELECT count(*) FROM case_rows").fetchone()[0]
    assert stored == sum(len(read_week(p).rows) for p in paths)
    for first, last in (
        ("2026-W45", "2027-W02"),
        ("2026-W50", "2026-W53"),
        ("2026-W53", "2026-W53"),
    ):
        report = chain_report(hq, first, last, today=TODAY, now=NOW)
        assert_report_matches(report, plain_report(current_files(paths), first, last, regions))
    # Week 53 is a week like the others; a showroom known only from the region
    # file misses every ended week; 2027-W01 has not ended and is not missing.
    report = chain_report(hq, "2026-W52", "2027-W01", today=TODAY, now=NOW)
    assert report.weeks == ["2026-W52", "2026-W53", "2027-W01"]
    assert report.missing.rows == [("SH0099", "华北", "2026-W52"), ("SH0099", "华北", "2026-W53")]
    renamed = {label for _w, key, label, _n in report.categories.rows if key == "安装施工"}
    assert renamed == {"安装施工"}  # the label most used, counted under one key
    # Version 1 rows stand for their label; version 2 rows give the key.
    keys = hq.execute(
        "SELECT DISTINCT category FROM case_rows WHERE category_key = '安装施工'"
    ).fetchall()
    assert sorted(k for (k,) in keys) == ["安装施工", "安装问题"]


def test_a_resent_week_replaces_the_earlier_one_in_every_figure(hq: Any, tmp_path: Path) -> None:
    paths = _chain(tmp_path / "in", showrooms=3, weeks=8)
    load(hq, tmp_path / "in", today=TODAY)
    first, last = "2026-W45", "2026-W51"
    before = chain_report(hq, first, last, today=TODAY, now=NOW)
    # SH0002 wrote version 2 from the start: resend its W50 in place, and its W51
    # under another name in another folder (as e-mailed twice).
    in_place = tmp_path / "in" / "2026-W50" / "SH0002_2026-W50.csv"
    in_place.write_bytes(resend(in_place, changed=5))
    os.utime(in_place, ns=(in_place.stat().st_mtime_ns + 10**9,) * 2)
    again = tmp_path / "in" / "resent" / "SH0002_2026-W51.csv"
    again.parent.mkdir()
    again.write_bytes(resend(tmp_path / "in" / "2026-W51" / "SH0002_2026-W51.csv", changed=8))
    result = load(hq, tmp_path / "in", today=TODAY)
    statuses = {r.path.name: r.status for r in result.files if r.status != "unchanged"}
    assert list(statuses.values()) == ["replaced", "replaced"]
    assert all("替换了之前收到的一份" in r.detail for r in result.files if r.status == "replaced")
    after = chain_report(hq, first, last, today=TODAY, now=NOW)
    newest = [p for p in paths if p != in_place] + [in_place, again]
    assert_report_matches(after, plain_report(current_files(newest), first, last, {}))
    assert after.chain != before.chain
    history = hq.execute(
        "SELECT week, is_current, replaced_by IS NOT NULL FROM files "
        "WHERE showroom_code = 'SH0002' AND week IN ('2026-W50', '2026-W51') ORDER BY week, file_id"
    ).fetchall()
    assert history == [
        ("2026-W50", False, True),
        ("2026-W50", True, False),
        ("2026-W51", False, True),
        ("2026-W51", True, False),
    ]
    # The earlier file's rows stay (history) but count nowhere.
    counted = hq.execute(
        "SELECT count(*) FROM weekly_rows WHERE showroom_code = 'SH0002' AND week = '2026-W50'"
    ).fetchone()[0]
    assert counted == len(read_week(in_place).rows)


def test_each_broken_file_is_refused_with_its_reason_and_the_rest_load(
    hq: Any, tmp_path: Path
) -> None:
    paths = _chain(tmp_path / "in", showrooms=3, weeks=3)
    good = tmp_path / "in" / "2026-W47" / "SH0002_2026-W47.csv"  # version 2
    broken = broken_files(tmp_path / "in" / "broken", good, TODAY)
    extra = tmp_path / "in" / "broken"
    # Version 1: a week with only a header is named by its file; without such a
    # name nobody knows whose it is; a cut inside a character says it was cut.
    (extra / "SH0001_2026-W44.csv").write_bytes(csv_bytes(HEADER_V1, []))
    (extra / "leer.csv").write_bytes(csv_bytes(HEADER_V1, []))
    v1 = csv_bytes(HEADER_V1, [["1", *r[1:26]] for r in read_week(good).rows])
    (extra / "v1_cut.csv").write_bytes(v1[: v1.index(b"**") - 1])
    # A cell DuckDB cannot read as its type, with a checksum that matches.
    rows = read_week(good).rows
    bad_time = [row[:] for row in rows]
    bad_time[3][K["received_at"]] = "2026-13-45 10:00"
    (extra / "bad_time.csv").write_bytes(weekly_bytes("SH0002", "2026-W47", bad_time, full=False))
    # A file whose name says another showroom than its content.
    (extra / "SH0001_2026-W47.csv").write_bytes(
        weekly_bytes("SH0002", "2026-W47", rows[:1], full=False)
    )
    result = load(hq, tmp_path / "in", today=TODAY)
    outcome = {r.path.name: (r.status, r.kind) for r in result.files}
    for kind, path in broken.items():
        expected = kind.split("_")[0] if kind.startswith("truncated") else kind
        expected = "code" if kind == "default_code" else expected
        assert outcome[path.name] == ("refused", expected), path.name
    assert outcome["SH0001_2026-W44.csv"] == ("loaded", "")
    assert outcome["leer.csv"] == ("refused", "not_weekly")
    assert outcome["v1_cut.csv"] == ("refused", "truncated")
    assert outcome["bad_time.csv"] == ("refused", "damaged")
    assert outcome["SH0001_2026-W47.csv"] == ("refused", "two_showrooms")
    reasons = {r.path.name: r.detail for r in result.files}
    assert "第 5 行无法读取" in reasons["bad_time.csv"]
    assert "MD001" in reasons["broken_default_code.csv"]
    assert "小写" in reasons["broken_code.csv"]
    assert "截断" in reasons["broken_truncated_char.csv"]
    assert "SH9999" in reasons["broken_two_showrooms.csv"]
    # What was refused changed nothing; everything else is in.
    assert [r.path for r in result.files if r.status == "loaded"] == sorted(
        [*paths, extra / "SH0001_2026-W44.csv"]
    )
    assert hq.execute("SELECT count(*) FROM files").fetchone()[0] == len(paths) + 1
    assert hq.execute("SELECT count(*) FROM case_rows").fetchone()[0] == sum(
        len(read_week(p).rows) for p in paths
    )
    # Full data loads when head office asks for it, and says so.
    allowed = load(hq, tmp_path / "in", today=TODAY, allow_full=True)
    assert {r.path.name for r in allowed.files if r.status == "replaced"} == {"broken_full.csv"}
    assert hq.execute(
        "SELECT scope FROM files WHERE is_current AND file_name = 'broken_full.csv'"
    ).fetchone() == ("完整",)


def _snapshot(con: Any) -> list[Any]:
    return [
        con.execute("SELECT * FROM files ORDER BY file_id").fetchall(),
        con.execute("SELECT * FROM paths ORDER BY path").fetchall(),
        con.execute("SELECT count(*), sum(hash(case_no || week)) FROM case_rows").fetchall(),
    ]


def test_loading_twice_changes_nothing(hq: Any, tmp_path: Path) -> None:
    _chain(tmp_path / "in", showrooms=3, weeks=4)
    load(hq, tmp_path / "in", today=TODAY)
    before = _snapshot(hq)
    again = load(hq, tmp_path / "in", today=TODAY)
    assert {r.status for r in again.files} == {"unchanged"}
    assert _snapshot(hq) == before
    # Touched or copied, the same bytes are still the same file.
    one = tmp_path / "in" / "2026-W46" / "SH0002_2026-W46.csv"
    os.utime(one, ns=(one.stat().st_mtime_ns + 10**9,) * 2)
    copy = tmp_path / "in" / "copy" / one.name
    copy.parent.mkdir()
    copy.write_bytes(one.read_bytes())
    third = load(hq, tmp_path / "in", today=TODAY)
    assert {r.status for r in third.files} == {"unchanged"}
    assert _snapshot(hq)[0] == before[0] and _snapshot(hq)[2] == before[2]
    fourth = load(hq, tmp_path / "in", today=TODAY)
    assert all(r.detail == "" for r in fourth.files)  # now known by path, not read again


def test_a_week_exported_by_the_app_loads_once_its_code_is_set(
    desk: Desk, tmp_path: Path, hq: Any
) -> None:
    case = desk.register()
    export_week(desk.store, desk.staff["陈静"], "2026-W48", tmp_path / "in")
    result = load(hq, tmp_path / "in", today=TODAY)
    assert (result.files[0].status, result.files[0].kind) == ("refused", "code")
    settings = desk.store.settings()
    op.change_settings(desk.as_("陈静"), dataclasses.replace(settings, showroom_code="SH0107"))
    export_week(desk.store, desk.staff["陈静"], "2026-W48", tmp_path / "in")
    export_week(desk.store, desk.staff["陈静"], "2026-W49", tmp_path / "in")  # an empty week
    result = load(hq, tmp_path / "in", today=TODAY)
    assert [r.status for r in result.files] == ["refused", "loaded", "loaded"]
    row = hq.execute(
        "SELECT showroom_code, week, case_no, category_key, clocks, scope FROM weekly_rows"
    ).fetchall()
    assert row == [("SH0107", "2026-W48", case.case_no, "安装施工", row[0][4], "遮盖")]
    assert ClockKind.FIRST_CONTACT.label in row[0][4]
    assert hq.execute("SELECT week, case_rows FROM files ORDER BY week").fetchall() == [
        ("2026-W48", 1),
        ("2026-W49", 0),
    ]


def test_cli_load_and_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pypdf import PdfReader

    generate_chain(tmp_path / "in", 3, "2026-W30", 4, seed=3)
    db = tmp_path / "hq.duckdb"
    assert main(["hq", "load", str(tmp_path / "in"), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[已载入] 2026-W30/SH0001_2026-W30.csv：SH0001 2026-W30" in out
    assert "共 12 个文件：已载入 12，未变 0，已替换 0，拒收 0" in out
    (tmp_path / "in" / "x.csv").write_text("a,b\r\n", encoding="utf-8")
    assert main(["hq", "load", str(tmp_path / "in"), "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "[拒收] x.csv：「x.csv」第 1 行表头不对" in out and "未变 12" in out
    args = ["hq", "report", "--db", str(db), "--weeks", "2026-W30..2026-W33"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "已生成连锁汇总 2026-W30 至 2026-W33：门店 3，周报文件 12 / 12" in out
    pdf = tmp_path / "out" / "连锁汇总_2026-W30_2026-W33.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    for words in ("连锁客诉汇总", "各门店", "SH0003", "投诉类别（按受理周）", "缺交"):
        assert words in text
    book = openpyxl.load_workbook(tmp_path / "out" / "连锁汇总_2026-W30_2026-W33.xlsx")
    assert book.sheetnames == ["概况", "区域", "门店", "每周", "类别按周", "原因按周", "缺交"]
    con = connect(db)
    report = chain_report(con, "2026-W30", "2026-W33", today=TODAY, now=NOW)
    con.close()
    sheet = [list(row) for row in book["门店"].iter_rows(min_row=2, values_only=True)]
    assert sheet == [pytest.approx(list(row)) for row in report.showrooms.rows]
    assert (
        main(["hq", "report", "--db", str(db), "--weeks", "2026-W33..2026-W30", "--out", "x"]) == 2
    )
    assert "结束周早于开始周" in capsys.readouterr().err
    for asked in (["hq"], ["hq", "--help"]):
        with pytest.raises(SystemExit) as done:
            main(asked)
        assert done.value.code == 0
        assert "{load,report,regions}" in capsys.readouterr().out


def test_without_duckdb_the_app_runs_and_hq_explains_how_to_install(tmp_path: Path) -> None:
    script = r"""
import sys, importlib, pkgutil
class Missing:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('duckdb', 'openpyxl'):
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
sys.meta_path.insert(0, Missing())
import showroom_cs
for m in pkgutil.walk_packages(showroom_cs.__path__, 'showroom_cs.'):
    if not m.name.startswith(('showroom_cs.ui', 'showroom_cs.hq', 'showroom_cs.__main__')):
        importlib.import_module(m.name)
import showroom_cs.hq.chain  # the generator needs nothing beyond the app
from showroom_cs.cli import main
sys.exit(main(['hq', 'load', 'x', '--db', 'y']))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert 'pip install "showroom-cs[hq]"' in done.stderr and "duckdb" in done.stderr


def test_the_progress_bar_shows_files_per_second_on_a_terminal_only() -> None:
    import io

    from showroom_cs.hq.cli import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, log = Terminal(), io.StringIO()
    for stream in (terminal, log):
        bar = ProgressBar(stream)
        bar(250, 1000, "检查")
        bar(1000, 1000, "检查")
        bar(500, 500, "载入")
        bar.close()
    lines = terminal.getvalue().split("\n")
    assert (
        lines[0].startswith("\r检查 [#######")
        and "\r检查 [" + "#" * 30 + "] 1000/1000 个文件，" in lines[0]
    )
    assert lines[1].startswith("\r载入 [" + "#" * 30 + "] 500/500 个文件，") and lines[1].endswith(
        "个/秒 "
    )
    assert log.getvalue() == ""  # a log or a pipe gets the per-file report only


def test_an_empty_database_a_busy_one_and_a_foreign_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from showroom_cs.errors import RuleError
    from showroom_cs.hq.load import HqBusy

    db = tmp_path / "hq.duckdb"
    connect(db).close()
    args = ["hq", "report", "--db", str(db), "--weeks", "2026-W40..2026-W41"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert "门店 0，周报文件 0 / 0，案件 0" in capsys.readouterr().out
    held = connect(db)
    with pytest.raises(HqBusy, match="正被其他程序"):
        connect(db, read_only=True)
    held.close()
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).execute("CREATE TABLE t (a INT)").close()
    with pytest.raises(RuleError, match="不是本程序的总部数据库"):
        connect(other, read_only=True)
