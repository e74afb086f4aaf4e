"""The printed 上门安排表: the right visits, by day and time, on numbered pages."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.domain import AppointmentKind, Case
from showroom_cs.export import week_bounds
from showroom_cs.schedule import EMPTY, schedule_pdf
from showroom_cs.store import Store

from .conftest import START, Desk, make_desk
from .walk import to_investigating

MONDAY = dt.datetime(2026, 11, 23)
WEEK = week_bounds("2026-W48")
LONG_ADDRESS = (
    "上海市浦东新区张江高科技园区碧波路 690 号幸福里小区 12 栋 2 单元 1202 室"
    "（从北门进，左转第二栋，电梯到 12 楼，门口有快递柜）"
)


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _case(desk: Desk, name: str, **overrides: object) -> Case:
    return to_investigating(desk, desk.register(customer_name=name, **overrides))


def _visit(
    desk: Desk,
    case: Case,
    who: str,
    day: int,
    hour: int,
    kind: AppointmentKind = AppointmentKind.VISIT,
) -> None:
    starts = MONDAY + dt.timedelta(days=day, hours=hour)
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff[who].id,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1, minutes=30),
        kind=kind,
    )


def test_the_week_lists_its_visits_by_day_in_time_order_and_nothing_else(desk: Desk) -> None:
    liu = _case(desk, "刘洋", customer_phone="139 1234 5678")
    zhang = _case(desk, "张伟")
    _visit(desk, liu, "李强", day=1, hour=9)
    _visit(desk, zhang, "陈静", day=0, hour=14, kind=AppointmentKind.REINSPECTION)
    _visit(desk, liu, "李强", day=0, hour=9)
    _visit(desk, zhang, "李强", day=8, hour=9)  # next week
    pages = pdf_pages(schedule_pdf(desk.store, *WEEK, START))
    assert len(pages) == 1
    text = pages[0]
    assert "上门安排表 2026-W48" in text and "示例家居建材门店" in text
    assert "打印时间：2026-11-23 10:00" in text and "第 1 页 / 共 1 页" in text
    assert "共 3 项" in text
    rows = re.findall(r"(\d\d:\d\d–\d\d:\d\d)\s+(上门|客户验收)\s+(TS-\d{8}-\d{3})\s+(\S+)\s", text)
    assert rows == [
        ("09:00–10:30", "上门", liu.case_no, "刘洋"),
        ("14:00–15:30", "客户验收", zhang.case_no, "张伟"),
        ("09:00–10:30", "上门", liu.case_no, "刘洋"),
    ]
    monday, tuesday = text.index("11月23日 星期一"), text.index("11月24日 星期二")
    assert monday < text.index("14:00–15:30") < tuesday
    assert "139 1234 5678" in text and "138 0013 8000" in text  # full numbers: installers call
    assert "幸福里小区 3栋 1202" in text and "陈静" in text
    assert "签字 / 备注" in text
    assert "截止" not in text and "回访" not in text  # due times belong to the calendar only
    assert "12月1日" not in text


def test_one_installers_day(desk: Desk) -> None:
    mine = _case(desk, "刘洋")
    theirs = _case(desk, "张伟")
    _visit(desk, mine, "李强", day=2, hour=10)
    _visit(desk, theirs, "陈静", day=2, hour=11)
    day = (MONDAY + dt.timedelta(days=2), MONDAY + dt.timedelta(days=3))
    text = pdf_pages(schedule_pdf(desk.store, *day, START, staff_id=desk.staff["李强"].id))[0]
    assert "上门安排表 2026-11-25" in text and "上门人员：李强" in text
    assert "11月25日 星期三" in text
    assert mine.case_no in text and theirs.case_no not in text and "张伟" not in text


def test_an_empty_range_still_prints_one_page_saying_so(desk: Desk) -> None:
    _visit(desk, _case(desk, "刘洋"), "李强", day=8, hour=9)
    pages = pdf_pages(schedule_pdf(desk.store, *WEEK, START))
    assert len(pages) == 1
    assert EMPTY in pages[0] and "第 1 页 / 共 1 页" in pages[0]
    assert "投诉编号" not in pages[0]


def test_sixty_visits_run_over_pages_with_headings_on_each(desk: Desk) -> None:
    cases = [_case(desk, f"客户{n}", customer_address=LONG_ADDRESS) for n in range(12)]
    for n in range(60):
        _visit(desk, cases[n % 12], "李强", day=n % 3, hour=8 + n % 10)
    pages = pdf_pages(schedule_pdf(desk.store, *WEEK, START))
    assert len(pages) > 3
    for number, page in enumerate(pages, start=1):
        assert "上门安排表 2026-W48" in page
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page
        # The day and the column headings come back at the top of each page.
        assert re.search(r"11月2[345]日 星期[一二三]", page)
        assert "时间类型投诉编号客户电话地址上门人员签字/备注" in squeeze(page)
    everything = "".join(pages)
    assert len(re.findall(r"TS-\d{8}-\d{3}", everything)) == 60
    # Wrapped, not clipped: the address's end is printed on each row.
    assert squeeze(everything).count("门口有快递柜）") == 60


def test_only_the_shipped_font_is_embedded(desk: Desk) -> None:
    _visit(desk, _case(desk, "刘洋"), "李强", day=1, hour=9)
    data = schedule_pdf(desk.store, *WEEK, START)
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()
    assert len(fonts) == 1 and next(iter(fonts)).endswith("WenQuanYiMicroHei-0")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database file with one visit on Tuesday of 2026-W48 (李强) and one of 陈静."""
    path = tmp_path / "cases.db"
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START), pins=True)
    _visit(desk, _case(desk, "刘洋"), "李强", day=1, hour=9)
    _visit(desk, _case(desk, "张伟"), "陈静", day=1, hour=14)
    store.close()
    return path


def test_the_command_writes_the_sheet(
    db: Path, tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "print" / "week.pdf"
    me = ["--as", "王芳", "--pin-file", str(pin_file)]
    assert main(["schedule", "--db", str(db), "--week", "2026-W48", *me, "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "上门安排表 2026-W48" in said and "共 2 项" in said and str(out) in said
    assert "刘洋" in pdf_pages(out.read_bytes())[0]
    day = tmp_path / "day.pdf"
    args = ["schedule", "--db", str(db), "--date", "2026-11-24", "--staff", "陈静", *me]
    assert main([*args, "--out", str(day)]) == 0
    assert "共 1 项" in capsys.readouterr().out
    text = pdf_pages(day.read_bytes())[0]
    assert "上门安排表 2026-11-24" in text and "张伟" in text and "刘洋" not in text


def test_the_command_refuses_an_unknown_name_or_a_bad_date(
    db: Path, tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.pdf"
    base = [
        "schedule",
        "--db",
        str(db),
        "--out",
        str(out),
        "--as",
        "王芳",
        "--pin-file",
        str(pin_file),
    ]
    assert main([*base, "--staff", "王小明"]) == 2
    assert "找不到名为「王小明」的员工" in capsys.readouterr().err
    assert main([*base, "--date", "11/24"]) == 2
    assert "日期「11/24」格式不对" in capsys.readouterr().err
    assert main([*base, "--week", "2026-48"]) == 2
    assert "周次「2026-48」格式不对" in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit) as exited:
        main([*base, "--week", "2026-W48", "--date", "2026-11-24"])
    assert exited.value.code == 2
