"""The weekly head-office CSV: as-of-week-end rows, exact bytes, masking, merging."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from showroom_cs import operations as op
from showroom_cs.cli import main
from showroom_cs.domain import ContactMethod, ContactPurpose
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.export import (
    ALL_CASES,
    COLUMNS,
    HEADER,
    HEADER_V1,
    MergeError,
    build_all,
    build_week,
    csv_bytes,
    export_all_cases,
    export_week,
    last_complete_week,
    merge_weeks,
    parse_week_file,
    read_week,
    week_bounds,
    week_label,
    weekly_bytes,
)

from .conftest import Desk
from .walk import follow_up, to_closed, to_follow_up, to_in_progress


def rows_of(data: bytes) -> list[list[str]]:
    """The header and the case rows (a weekly file's closing 合计 row checked and left out)."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    if tuple(rows[0]) == HEADER:
        assert rows[-1][HEADER.index("行类型")] == "合计"
        return rows[:-1]
    return rows


def test_weeks_and_their_boundaries() -> None:
    assert week_label(dt.date(2026, 11, 22)) == "2026-W47"  # a Sunday
    assert week_label(dt.date(2026, 11, 23)) == "2026-W48"  # the Monday after
    assert week_label(dt.date(2027, 1, 2)) == "2026-W53"  # ISO week 53 across the new year
    assert week_bounds("2026-W53") == (dt.datetime(2026, 12, 28), dt.datetime(2027, 1, 4))
    assert last_complete_week(dt.date(2026, 11, 25)) == "2026-W47"
    with pytest.raises(RuleError, match="2025 年没有第 53 周"):
        week_bounds("2025-W53")
    with pytest.raises(RuleError, match="格式不对"):
        week_bounds("2026/47")


def test_sunday_night_and_monday_morning_land_in_different_weeks(desk: Desk) -> None:
    desk.clock.set(dt.datetime(2026, 11, 29, 23, 59))
    sunday = desk.register()
    desk.clock.set(dt.datetime(2026, 11, 30, 0, 0))
    monday = desk.register(customer_phone="13912345678")
    assert [r[3] for r in rows_of(build_week(desk.store, "2026-W48").data)[1:]] == [sunday.case_no]
    assert [r[3] for r in rows_of(build_week(desk.store, "2026-W49").data)[1:]] == [monday.case_no]


def test_the_same_week_exports_the_same_bytes_after_later_edits(desk: Desk) -> None:
    first = to_in_progress(desk, desk.register(description='含逗号,引号"和\n换行'))
    second = to_follow_up(desk, desk.register(customer_phone="13912345678"))
    before = build_week(desk.store, "2026-W48").data
    desk.clock.set(dt.datetime(2026, 12, 2, 10))  # the following week
    op.edit_case(desk.as_("王芳"), first.id, {"customer_address": "阳光花园 5栋"})
    to_closed(desk, desk.case(first.id))
    follow_up(desk, desk.case(second.id), satisfaction=5)
    op.close_case(
        desk.as_("赵敏"), second.id, cause="c", actions="a", improvement="i", cause_key="其他"
    )
    assert build_week(desk.store, "2026-W48").data == before
    later = rows_of(build_week(desk.store, "2026-W49").data)
    assert [r[11] for r in later[1:]] == ["已结案", "已结案"]


def test_file_format_masking_and_formula_neutralising(desk: Desk, tmp_path: Path) -> None:
    desk.register(description='=HYPERLINK("http://x")', customer_name="张伟")
    data = build_week(desk.store, "2026-W48").data
    assert b"\r\n" in data and data.count(b"\r\n") == 3  # header, the case, the closing row
    header, row = rows_of(data)
    assert tuple(header) == HEADER
    record = dict(zip((c.key for c in COLUMNS), row, strict=True))
    assert record["customer_name"] == "张**" and record["customer_phone"] == "138****8000"
    assert record["summary"].startswith("'=")
    assert record["format_version"] == "2" and record["week"] == "2026-W48"
    assert record["scope"] == "遮盖" and record["row_kind"] == "案件"
    assert (record["category_key"], record["channel_key"]) == ("安装施工", "到店")
    assert record["clocks"].startswith("首次响应") and record["cause_key"] == ""
    # A renamed entry keeps its key: chain counts stay stable.
    settings = desk.store.settings()
    renamed = tuple(
        dataclasses.replace(e, label="安装问题") if e.key == "安装施工" else e
        for e in settings.lists["category"]
    )
    lists = {**settings.lists, "category": renamed}
    op.change_settings(desk.as_("陈静"), dataclasses.replace(settings, lists=lists))
    again = _record(build_week(desk.store, "2026-W48").data)
    assert (again["category"], again["category_key"]) == ("安装问题", "安装施工")
    assert "地址" not in "".join(header)
    with pytest.raises(PermissionDenied, match="客服专员不能导出完整的客户信息"):
        export_week(desk.store, desk.staff["王芳"], "2026-W48", tmp_path, full=True)
    path, export = export_week(desk.store, desk.staff["陈静"], "2026-W48", tmp_path, full=True)
    assert path.name == f"{desk.store.settings().showroom_code}_2026-W48.csv"
    assert rows_of(path.read_bytes())[1][23] == "张伟"
    history = desk.store.query("SELECT week, full, rows, sha256, by_id FROM exports")
    assert [tuple(r) for r in history] == [("2026-W48", 1, 1, export.sha256, desk.staff["陈静"].id)]


def test_the_all_cases_file_lists_every_case_as_it_stands_now(desk: Desk, tmp_path: Path) -> None:
    older = to_closed(desk, desk.register(customer_name="张伟"))
    desk.clock.set(dt.datetime(2026, 12, 2, 10))  # the following week
    newer = desk.register(customer_phone="13912345678", description="@SUM(A1)")
    voided = desk.register(customer_phone="13712345678")
    op.void_case(desk.as_("陈静"), voided.id, "重复登记")
    data = build_all(desk.store, desk.clock.now()).data
    header, *rows = rows_of(data)
    assert tuple(header) == HEADER
    records = [dict(zip((c.key for c in COLUMNS), row, strict=True)) for row in rows]
    assert [r["case_no"] for r in records] == [older.case_no, newer.case_no, voided.case_no]
    assert [r["week"] for r in records] == ["2026-W48", "2026-W49", "2026-W49"]
    assert [r["stage"] for r in records] == ["已结案", "已登记", "已作废"]
    assert records[0]["closed_at"] and records[0]["customer_name"] == "张**"
    assert records[1]["summary"] == "'@SUM(A1)"
    with pytest.raises(PermissionDenied, match="客服专员不能导出完整的客户信息"):
        export_all_cases(desk.store, desk.staff["王芳"], tmp_path, full=True, now=desk.clock.now())
    path, export = export_all_cases(
        desk.store, desk.staff["陈静"], tmp_path, full=True, now=desk.clock.now()
    )
    assert path.name == f"{desk.store.settings().showroom_code}_全部案件_20261202.csv"
    assert rows_of(path.read_bytes())[1][23] == "张伟" and export.rows == 3
    history = desk.store.query("SELECT week, full, rows FROM exports")
    assert [tuple(r) for r in history] == [(ALL_CASES, 1, 3)]


def _record(data: bytes) -> dict[str, str]:
    _header, row = rows_of(data)
    return dict(zip((c.key for c in COLUMNS), row, strict=True))


def test_a_missed_progress_call_is_named_once_and_first_contact_is_timed(desk: Desk) -> None:
    case = desk.register()
    desk.clock.advance(hours=2)
    op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    )
    desk.clock.set(dt.datetime(2026, 11, 28, 18))  # the day-5 progress call was never made
    op.check_clocks(desk.system)
    record = _record(build_week(desk.store, "2026-W48").data)
    assert record["overdue"] == "是"
    assert record["overdue_clocks"] == "进度回访"  # not also "回访", a different limit
    assert record["first_contact_hours"] == "2.0"


def test_a_case_settled_at_the_counter_was_contacted_on_the_spot(desk: Desk, make_draft) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.domain import SolutionKind

    op.register_case(
        desk.as_("王芳"),
        make_draft(category="服务态度"),
        on_spot=op.OnSpotSolution(SolutionKind.APOLOGY, "当场道歉并说明"),
    )
    record = _record(build_week(desk.store, "2026-W48").data)
    assert record["first_contact_hours"] == "0.0"


def test_a_masked_file_masks_the_customer_inside_the_summary_too(desk: Desk) -> None:
    desk.register(
        customer_name="张伟",
        customer_address="阳光花园 3栋 1201",
        description="张伟反映门板开裂，备用电话 139 1234 5678，座机 87654321，住阳光花园 3栋 1201。",
    )
    masked = _record(build_week(desk.store, "2026-W48").data)["summary"]
    for private in ("张伟", "1234 5678", "87654321", "阳光花园"):
        assert private not in masked
    assert masked.startswith("张**反映门板开裂") and "***" in masked
    full = _record(build_week(desk.store, "2026-W48", full=True).data)["summary"]
    assert "张伟" in full and "139 1234 5678" in full and "阳光花园 3栋 1201" in full


def test_printing_an_old_case_does_not_put_it_in_this_weeks_file(desk: Desk) -> None:
    case = desk.register()
    desk.clock.set(dt.datetime(2026, 12, 1, 10))
    op.add_note(desk.as_("王芳"), case.id, "打印客户投诉登记表（1 页）", kind="print")
    assert build_week(desk.store, "2026-W49").rows == 0
    op.add_note(desk.as_("王芳"), case.id, "客户来电询问进度")
    assert build_week(desk.store, "2026-W49").rows == 1


def test_a_finding_or_a_finished_improvement_does_not_bring_an_old_case_back(desk: Desk) -> None:
    case = to_closed(desk, desk.register())
    desk.clock.set(dt.datetime(2026, 12, 2, 10))  # the following week
    op.record_accountability(
        desk.as_("陈静"), case.id, responsibility="company", department="安装部"
    )
    (item,) = op.improvements_of_case(desk.store, case.id)
    op.complete_improvement(desk.as_("李强"), item.id, "已培训")
    assert rows_of(build_week(desk.store, "2026-W49").data)[1:] == []
    assert [r[3] for r in rows_of(build_week(desk.store, "2026-W48").data)[1:]] == [case.case_no]


def test_the_schema_document_agrees_with_the_exporter() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "csv-schema.md").read_text("utf-8")
    documented = re.findall(r"^\| (\S+) \| `(\w+)` \| (\w+) \|", doc, re.MULTILINE)
    assert documented == [(c.label, c.key, c.kind) for c in COLUMNS]


def _as_showroom(data: bytes, code: str) -> bytes:
    """The same week's file as another showroom would have written it."""
    rows = [row[:-1] for row in rows_of(data)[1:]]  # without 文件校验's empty cell
    moved = [[code if n == 1 else cell for n, cell in enumerate(row)] + [""] for row in rows]
    return weekly_bytes(code, moved[0][2], moved, full=False)


def _as_version_1(data: bytes) -> bytes:
    """A file as the first version wrote it: 26 columns, no closing row."""
    return csv_bytes(HEADER_V1, [["1", *row[1:26]] for row in rows_of(data)[1:]])


def test_merge_weeks_combines_good_files_and_names_a_bad_one(desk: Desk, tmp_path: Path) -> None:
    desk.register()
    to_closed(desk, desk.register(customer_phone="13912345678"))
    good, _ = export_week(desk.store, desk.staff["陈静"], "2026-W48", tmp_path / "a")
    other = tmp_path / "b" / "SH002_2026-W48.csv"
    other.parent.mkdir()
    other.write_bytes(_as_version_1(_as_showroom(good.read_bytes(), "SH002")))
    merged, summary = merge_weeks([good, other], tmp_path / "out" / "merged.csv")
    merged_rows = rows_of(merged.read_bytes())
    assert len(merged_rows) == 5 and tuple(merged_rows[0]) == HEADER
    assert [r[0] for r in merged_rows[1:]] == ["2", "2", "1", "1"]  # each row keeps its version
    assert merged_rows[3][26:] == [""] * 10  # a version-1 row padded
    summary_rows = rows_of(summary.read_bytes())
    assert summary_rows[1][:5] == ["MD001", "2026-W48", "2", "1", "0"]
    assert summary_rows[2][0] == "SH002"
    # The merged file is whole, but is no showroom's week.
    with pytest.raises(MergeError, match="不是周报文件") as refused:
        read_week(merged)
    assert refused.value.kind == "not_weekly"
    text = good.read_bytes()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(text[: text.rindex(b"\r\n", 0, -2) + 2])  # the closing row lost
    with pytest.raises(MergeError, match=r"「broken\.csv」文件不完整：没有结尾的合计行"):
        merge_weeks([good, broken], tmp_path / "out" / "merged2.csv")
    cut_v1 = tmp_path / "cut_v1.csv"
    v1 = _as_version_1(text)
    cut_v1.write_bytes(v1.rstrip(b"\r\n").rsplit(b",", 3)[0] + b"\r\n")  # the last row lost its end
    with pytest.raises(MergeError, match=r"「cut_v1\.csv」第 3 行有 \d+ 列"):
        merge_weeks([cut_v1], tmp_path / "out" / "merged2.csv")
    edited = tmp_path / "edited.csv"
    edited.write_bytes(text.replace("张**".encode(), "李**".encode()))
    with pytest.raises(MergeError, match="校验值与内容不符") as refused:
        merge_weeks([edited], tmp_path / "out" / "merged3.csv")
    assert refused.value.kind == "checksum"
    old = tmp_path / "old.csv"
    old.write_bytes(v1.replace(b"\r\n1,", b"\r\n0,"))
    with pytest.raises(MergeError, match="格式版本是「0」"):
        merge_weeks([old], tmp_path / "out" / "merged3.csv")
    foreign = tmp_path / "foreign.csv"
    foreign.write_text("a,b\r\n1,2\r\n", encoding="utf-8")
    with pytest.raises(MergeError, match=r"「foreign\.csv」第 1 行表头不对"):
        merge_weeks([foreign], tmp_path / "out" / "merged4.csv")
    assert not (tmp_path / "out" / "merged2.csv").exists()
    with pytest.raises(MergeError, match=r"同时出现在「MD001_2026-W48\.csv」和「again\.csv」"):
        again = tmp_path / "again.csv"
        again.write_bytes(good.read_bytes())
        merge_weeks([good, again], tmp_path / "out" / "merged5.csv")
    mixed = tmp_path / "mixed.csv"
    head, first, second = v1.split(b"\r\n")[:3]
    mixed.write_bytes(b"\r\n".join([head, first, second.replace(b",MD001,", b",SH002,"), b""]))
    with pytest.raises(MergeError, match=r"「mixed\.csv」第 3 行.*一个文件只应有一个门店的一周"):
        merge_weeks([mixed], tmp_path / "out" / "merged6.csv")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "merged.csv",
        "merged_门店汇总.csv",
    ]


def test_a_version_2_file_says_what_it_is_even_when_empty(desk: Desk) -> None:
    """The closing row names the showroom, week and scope; its count and checksum
    are the file's own, so a cut inside a character reads as cut, not as not-UTF-8."""
    empty = build_week(desk.store, "2026-W40")
    week_file = parse_week_file("e.csv", empty.data)
    assert (week_file.version, week_file.showroom_code, week_file.week) == (
        "2",
        "MD001",
        "2026-W40",
    )
    assert week_file.rows == [] and week_file.full is False
    desk.register(customer_name="张伟")
    full = build_week(desk.store, "2026-W48", full=True).data
    assert parse_week_file("f.csv", full).full is True
    *_, end = list(csv.reader(io.StringIO(full.decode("utf-8-sig"), newline="")))
    record = dict(zip((c.key for c in COLUMNS), end, strict=True))
    assert record["row_kind"] == "合计" and record["file_rows"] == "1"
    assert (
        record["file_sha256"] == hashlib.sha256(full[: full.rindex(b"\r\n", 0, -2) + 2]).hexdigest()
    )
    middle = full.index("张伟".encode()) + 1
    for cut in (
        full[:middle],
        _as_version_1(full)[: _as_version_1(full).index("张伟".encode()) + 1],
    ):
        with pytest.raises(MergeError, match="截断") as refused:
            parse_week_file("cut.csv", cut)
        assert refused.value.kind == "truncated"


def test_cli_export_and_merge(
    tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--cases", "80"]) == 0
    week = last_complete_week(dt.date.today())
    assert main(["export-week", "--db", str(db), "--week", week, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"已导出 {week}" in out and "客户信息已遮盖" in out
    files = list(tmp_path.glob(f"*_{week}.csv"))
    assert len(files) == 1
    assert main(["merge-weeks", str(files[0]), "--out", str(tmp_path / "m.csv")]) == 0
    clerk = ["--as", "王芳", "--pin-file", str(pin_file)]
    assert main(["export-week", "--db", str(db), "--out", str(tmp_path), "--full", *clerk]) == 2
    assert "客服专员不能导出完整的客户信息" in capsys.readouterr().err
    in_the_way = tmp_path / "not-a-folder"
    in_the_way.write_text("x")
    assert main(["export-week", "--db", str(db), "--out", str(in_the_way)]) == 2
    assert "无法" in capsys.readouterr().err


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice Calc is installed by .ci/run"
)
def test_a_real_spreadsheet_reads_the_cells_as_written(desk: Desk, tmp_path: Path) -> None:
    """LibreOffice opens the file (UTF-8, CSV) and saves what it read; every text cell
    comes back as written and the formula-like description is not run."""
    tricky = [
        "主卧衣柜左侧门板关不严，缝隙约 5mm",
        '含逗号, 和"双引号"的描述',
        "第一行\n第二行：换行也在同一格",
        "=1+1 不应被当成公式计算",
    ]
    for number, text in enumerate(tricky):
        desk.register(description=text, customer_phone=f"1381234000{number}")
    path, _ = export_week(desk.store, desk.staff["陈静"], "2026-W48", tmp_path, full=True)
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--infilter=CSV:44,34,76,1",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1",
            "--outdir",
            str(tmp_path / "lo"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    read_back = (tmp_path / "lo" / path.name).read_text("utf-8-sig")
    theirs = list(csv.reader(io.StringIO(read_back, newline="")))
    ours = rows_of(path.read_bytes())
    assert len(theirs) == len(ours) + 1 == 6  # and the closing 合计 row
    assert theirs[0] == ours[0]  # the Chinese header
    assert theirs[-1][HEADER.index("行类型")] == "合计"
    for row_ours, row_theirs in zip(ours[1:], theirs[1:-1], strict=True):
        for column, mine, seen in zip(COLUMNS, row_ours, row_theirs, strict=True):
            if column.kind == "text":
                assert seen == mine, column.label
            elif column.kind == "number" and mine:
                assert float(seen) == float(mine), column.label
    summaries = [row[25] for row in theirs[1:]]
    assert "'=1+1 不应被当成公式计算" in summaries  # text, not the value 2
    assert "第一行\n第二行：换行也在同一格" in summaries


def test_the_export_dialog_shows_the_week_and_its_history(
    qtbot, desk: Desk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("PySide6")
    from showroom_cs.ui.export_dialog import ExportDialog
    from showroom_cs.ui.session import Session

    desk.register()
    desk.clock.set(dt.datetime(2026, 12, 1, 9))  # a Tuesday: last complete week is W48
    clerk = ExportDialog(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(clerk)
    assert clerk.week.currentData() == "2026-W48"
    assert clerk.summary.text().startswith("新登记 1 件")
    assert not clerk.full.isEnabled() and "只有店长" in clerk.full.toolTip()
    path = clerk.export_to(tmp_path)
    assert path is not None and path.exists()
    assert clerk.message.text().startswith("已导出 1 件")
    assert clerk.history.rowCount() == 1 and clerk.history.item(0, 3).text() == "已遮盖"


def test_the_export_dialog_writes_all_cases_off_the_ui_thread(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("PySide6")
    from showroom_cs.clock import FixedClock
    from showroom_cs.store import Store
    from showroom_cs.ui.export_dialog import ExportDialog
    from showroom_cs.ui.session import Session

    from .conftest import START, make_desk

    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    for phone in ("13812340001", "13812340002"):
        desk.register(customer_phone=phone)
    dialog = ExportDialog(Session(desk.store, desk.clock, desk.staff["陈静"]))
    qtbot.addWidget(dialog)
    dialog.full.setChecked(True)
    dialog.export_all_to(tmp_path / "out")
    assert not dialog.save_all.isEnabled() and "正在导出" in dialog.message.text()
    qtbot.waitUntil(dialog.save_all.isEnabled)
    assert dialog.message.text().startswith("已导出全部 2 件")
    assert dialog.saved is not None
    rows = rows_of(dialog.saved.read_bytes())
    assert [r[24] for r in rows[1:]] == ["13812340001", "13812340002"]  # full, as asked
    assert dialog.history.item(0, 0).text() == "全部案件"
    assert dialog.history.item(0, 3).text() == "完整"
    # A folder that cannot be written is explained, and the button comes back.
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    dialog.export_all_to(blocked)
    qtbot.waitUntil(dialog.save_all.isEnabled)
    assert "无法保存到" in dialog.message.text() and "请换一个文件夹" in dialog.message.text()
