"""每日汇总单: the day's cases, moves, closings, overdue limits, calls and visits,
on screen, on paper and from the command line."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.daily import (
    HEADLINE_LABELS,
    DailySummary,
    VisitState,
    daily_summary,
    sections,
)
from showroom_cs.daily_pdf import render_daily
from showroom_cs.domain import Case, ClockKind, ContactMethod, ContactPurpose, Severity, Stage
from showroom_cs.store import Store

from .conftest import Desk, make_desk
from .walk import to_closed, to_follow_up, to_investigating

WEDNESDAY = dt.date(2026, 11, 25)  # the day of the sheet; the desk opens on Monday
THURSDAY_10 = dt.datetime(2026, 11, 26, 10, 0)
FULL_NAMES = ("黄蓉", "周瑜", "孙权", "马超", "张伟", "李娜")


def at(hour: int, minute: int = 0, day: dt.date = WEDNESDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


def call(desk: Desk, case: Case, by: str, *, reached: bool) -> None:
    op.record_contact(
        desk.as_(by),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=reached,
    )


@dataclass
class Day:
    """The cases of the seeded Wednesday, and its sheet read at 12:30 that day."""

    late: Case  # 李强's; the customer is first reached on Thursday
    invalid: Case  # judged 不成立 on Wednesday
    closing: Case  # closed on Wednesday
    moved: Case  # assigned on Wednesday, visited that afternoon
    new: Case  # registered Wednesday, reached
    urgent: Case  # registered Wednesday, urgent, not reached
    midday: DailySummary  # read at 12:30 that day


def seed(desk: Desk) -> Day:
    # Monday: four cases under way before the day of the sheet.
    # Important: its first contact (8 opening hours) falls due Monday at closing.
    late = to_investigating(desk, desk.register(customer_name="黄蓉", severity=Severity.IMPORTANT))
    invalid = desk.register(customer_name="周瑜")
    call(desk, invalid, "王芳", reached=True)
    invalid = to_investigating(desk, invalid)
    closing = desk.register(customer_name="孙权")
    call(desk, closing, "王芳", reached=True)
    closing = to_follow_up(desk, closing)  # its follow-up call falls due on Tuesday
    moved = desk.register(customer_name="马超")
    call(desk, moved, "王芳", reached=True)
    # Wednesday.
    desk.clock.set(at(10))
    new = desk.register(customer_name="张伟")
    desk.clock.set(at(10, 20))
    urgent = desk.register(by="孙丽", customer_name="李娜", severity=Severity.URGENT)
    desk.clock.set(at(10, 30))
    moved = to_investigating(desk, moved)
    desk.clock.set(at(10, 40))
    call(desk, new, "王芳", reached=True)
    desk.clock.set(at(11))
    call(desk, urgent, "孙丽", reached=False)
    desk.clock.set(at(11, 10))
    for case, who, starts in (
        (moved, "李强", at(14)),
        (late, "陈静", at(9, day=WEDNESDAY + dt.timedelta(days=1))),
    ):
        op.schedule_visit(
            desk.as_("李强"),
            case.id,
            staff_id=desk.staff[who].id,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
        )
    desk.clock.set(at(12, 30))
    op.check_clocks(desk.system)
    midday = daily_summary(desk.store, WEDNESDAY, desk.clock.now())
    desk.clock.set(at(14))
    to_closed(desk, closing)  # 王芳 reaches the customer for the follow-up, 李强 closes
    desk.clock.set(at(15))
    op.judge_invalid(
        desk.as_("李强"), invalid.id, reason="非产品质量问题", explanation="属正常使用痕迹"
    )
    desk.clock.set(at(15, 30))
    visit = desk.store.appointments(moved.id)[0]
    op.complete_visit(desk.as_("李强"), visit.id, note="已调整门板")
    desk.clock.set(at(16))
    op.check_clocks(desk.system)
    # Thursday morning: 黄蓉 is reached at last, after the day of the sheet.
    desk.clock.set(at(9, 30, day=THURSDAY_10.date()))
    call(desk, late, "王芳", reached=True)
    desk.clock.set(THURSDAY_10)
    return Day(late, invalid, closing, moved, new, urgent, midday)


@pytest.fixture
def day(desk: Desk) -> Day:
    return seed(desk)


# ------------------------------------------------------------------ the figures


def test_a_past_day_lists_what_happened_on_it_as_it_stood_that_evening(
    desk: Desk, day: Day
) -> None:
    sheet = daily_summary(desk.store, WEDNESDAY, THURSDAY_10)
    assert sheet.as_of == at(23, 59) + dt.timedelta(seconds=59)
    assert sheet.headline() == [
        ("新登记", 2),
        ("阶段变动", 3),
        ("结案", 1),
        ("不成立", 1),
        ("超时未办", 2),
        ("已联系上", 2),
        ("未联系上", 1),
        ("上门完成", 1),
        ("明日上门", 1),
    ]
    assert [(r.case_no, r.customer, r.registrar, r.at) for r in sheet.received] == [
        (day.new.case_no, "张**", "王芳", at(10)),
        (day.urgent.case_no, "李**", "孙丽", at(10, 20)),
    ]
    assert [(m.case_no, m.old, m.new, m.actor, m.at) for m in sheet.moves] == [
        (day.moved.case_no, Stage.REGISTERED, Stage.INVESTIGATING, "王芳", at(10, 30)),
        (day.closing.case_no, Stage.FOLLOW_UP, Stage.CLOSED, "李强", at(14)),
        (day.invalid.case_no, Stage.INVESTIGATING, Stage.INVALID, "李强", at(15)),
    ]
    assert [(c.case_no, c.result, c.owner, c.remark) for c in sheet.closed] == [
        (day.closing.case_no, Stage.CLOSED, "李强", "满意度：满意"),
        (day.invalid.case_no, Stage.INVALID, "李强", "理由：非产品质量问题"),
    ]
    # 黄蓉 was reached on Thursday, yet on Wednesday evening her first contact
    # was two days late; the unassigned urgent case is its registrar's.
    assert [(o.case_no, o.kind, o.owner, o.late) for o in sheet.overdue] == [
        (day.late.case_no, ClockKind.FIRST_CONTACT, "李强", "超时 2天5小时"),
        (day.urgent.case_no, ClockKind.FIRST_CONTACT, "孙丽（未分派）", "超时 11小时39分"),
    ]
    assert [(c.case_no, c.caller, c.purpose, c.reached) for c in sheet.calls] == [
        (day.new.case_no, "王芳", ContactPurpose.FIRST_CONTACT, True),
        (day.urgent.case_no, "孙丽", ContactPurpose.FIRST_CONTACT, False),
        (day.closing.case_no, "王芳", ContactPurpose.FOLLOW_UP, True),
    ]
    assert [(v.case_no, v.staff, v.starts_at, v.address, v.state) for v in sheet.visits] == [
        (day.moved.case_no, "李强", at(14), "幸福里小区 3栋 1202", VisitState.DONE)
    ]
    tomorrow = at(9, day=THURSDAY_10.date())
    assert [(v.case_no, v.staff, v.starts_at, v.state) for v in sheet.tomorrow] == [
        (day.late.case_no, "陈静", tomorrow, VisitState.PLANNED)
    ]
    assert not any(name in repr(sheet) for name in FULL_NAMES)  # the board shows 张**


def test_today_stops_at_now(day: Day) -> None:
    """At 12:30 the overdue list is as of 12:30, and the afternoon visit is still to come."""
    sheet = day.midday
    assert sheet.as_of == at(12, 30)
    overdue = [(o.case_no, o.kind, o.owner, o.late) for o in sheet.overdue]
    assert overdue == [
        (day.late.case_no, ClockKind.FIRST_CONTACT, "李强", "超时 1天18小时"),
        (day.closing.case_no, ClockKind.FOLLOW_UP_CALL, "李强", "超时 19小时"),
        (day.urgent.case_no, ClockKind.FIRST_CONTACT, "孙丽（未分派）", "超时 10分"),
    ]
    assert [v.state for v in sheet.visits] == [VisitState.PLANNED]
    assert dict(sheet.headline())["阶段变动"] == 1
    titles = [section.title for section in sections(sheet)]
    assert "超时未办（截至12:30）" in titles


def test_a_day_with_nothing_says_so_everywhere(desk: Desk, day: Day) -> None:
    sheet = daily_summary(desk.store, dt.date(2026, 11, 22), THURSDAY_10)  # before any case
    assert sheet.headline() == [(label, 0) for label in HEADLINE_LABELS]
    assert all(not section.rows for section in sections(sheet))
    fresh = daily_summary(Store.in_memory(), WEDNESDAY, THURSDAY_10)  # not even staff
    assert all(count == 0 for _, count in fresh.headline())


def test_a_voided_case_is_not_received_but_its_voiding_is_a_move(desk: Desk) -> None:
    case = desk.register(customer_name="刘洋")
    desk.clock.advance(minutes=5)
    op.void_case(desk.as_("陈静"), case.id, "重复登记")
    sheet = daily_summary(desk.store, desk.clock.now().date(), desk.clock.now())
    assert sheet.received == ()
    assert [(m.old, m.new, m.actor) for m in sheet.moves] == [
        (Stage.REGISTERED, Stage.VOIDED, "陈静")
    ]
    assert sheet.overdue == ()


def test_a_case_closed_twice_in_a_day_is_listed_once(desk: Desk) -> None:
    case = to_closed(desk, desk.register(customer_name="刘洋"))
    desk.clock.advance(hours=1)
    op.reopen_case(desk.as_("陈静"), case.id, "客户反映门板又关不严")
    desk.clock.advance(hours=1)
    to_closed(desk, desk.store.case(case.id))
    sheet = daily_summary(desk.store, desk.clock.now().date(), desk.clock.now())
    assert [(c.case_no, c.at) for c in sheet.closed] == [(case.case_no, desk.clock.now())]
    assert [m.new for m in sheet.moves].count(Stage.CLOSED) == 2


# ------------------------------------------------------------------ the paper sheet


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_printed_sheet_has_the_headings_the_rows_and_masked_names(desk: Desk, day: Day) -> None:
    sheet = daily_summary(desk.store, WEDNESDAY, THURSDAY_10)
    pages = pdf_text(render_daily(desk.store, sheet, now=THURSDAY_10))
    text = "".join(pages)
    assert "每日汇总单" in text and "示例家居建材门店" in text
    assert "2026-11-25 星期三" in text and "打印时间：2026-11-26 10:00" in text
    flat = squeeze(text)
    for heading in (
        "新登记2件",
        "阶段变动3次",
        "结案/不成立2件",
        "超时未办（截至当天结束时）2项",
        "联系客户3次",
        "当天上门1项",
        "明日上门安排（2026-11-26星期四）1项",
    ):
        assert heading in flat
    for case in (day.late, day.closing, day.moved, day.new, day.urgent):
        assert case.case_no in text
    assert "未联系上" in text and "孙丽（未分派）" in text and "超时 2天5小时" in text
    assert "黄**" in text and not any(name in text for name in FULL_NAMES)
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in page


def test_an_empty_day_prints_one_page_of_noughts(desk: Desk) -> None:
    sheet = daily_summary(desk.store, WEDNESDAY, THURSDAY_10)
    pages = pdf_text(render_daily(desk.store, sheet, now=THURSDAY_10))
    assert len(pages) == 1 and "第 1 页 / 共 1 页" in pages[0]
    assert squeeze(pages[0]).count("无") == 7
    assert "投诉编号" not in pages[0]


def test_only_the_shipped_font_is_embedded(desk: Desk, day: Day) -> None:
    sheet = daily_summary(desk.store, WEDNESDAY, THURSDAY_10)
    data = render_daily(desk.store, sheet, now=THURSDAY_10)
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()
    assert len(fonts) == 1 and next(iter(fonts)).endswith("WenQuanYiMicroHei-0")


# ------------------------------------------------------------------ the command


@pytest.fixture
def db(tmp_path: Path) -> tuple[Path, Day]:
    path = tmp_path / "cases.db"
    store = Store.open(path)
    seeded = seed(make_desk(store, FixedClock(dt.datetime(2026, 11, 23, 10, 0))))
    store.close()
    return path, seeded


def test_the_command_writes_the_sheet_of_a_day(
    db: tuple[Path, Day], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, seeded = db
    out = tmp_path / "print" / "daily.pdf"
    assert main(["daily", "--db", str(path), "--date", "2026-11-25", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "已生成每日汇总单 2026-11-25" in said and "新登记 2" in said and str(out) in said
    text = "".join(pdf_text(out.read_bytes()))
    assert "每日汇总单" in text and seeded.new.case_no in text
    today = tmp_path / "today.pdf"
    assert main(["daily", "--db", str(path), "--out", str(today)]) == 0
    assert f"已生成每日汇总单 {dt.date.today():%Y-%m-%d}" in capsys.readouterr().out
    assert today.exists()


def test_the_command_refuses_a_bad_date_or_a_missing_file(
    db: tuple[Path, Day], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _ = db
    out = tmp_path / "x.pdf"
    assert main(["daily", "--db", str(path), "--date", "25/11/2026", "--out", str(out)]) == 2
    assert "日期「25/11/2026」格式不对" in capsys.readouterr().err
    assert main(["daily", "--db", str(path), "--date", "2026-02-30", "--out", str(out)]) == 2
    assert "格式不对" in capsys.readouterr().err
    assert main(["daily", "--db", str(tmp_path / "none.db"), "--out", str(out)]) == 2
    assert "找不到数据库文件" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------ the page


@pytest.fixture
def page(qtbot, desk: Desk, day: Day):  # type: ignore[no-untyped-def]
    pytest.importorskip("PySide6")
    from showroom_cs.ui.daily_page import DailyPage
    from showroom_cs.ui.session import Session

    shown = DailyPage(Session(desk.store, desk.clock, desk.staff["陈静"]))
    qtbot.addWidget(shown)
    shown.resize(1100, 700)
    shown.show()
    return shown


def cells(page, key: str, column: int) -> list[str]:  # type: ignore[no-untyped-def]
    table = page.tables[key]
    return [table.item(row, column).text() for row in range(table.rowCount())]


def test_the_page_opens_on_today_and_follows_the_chosen_day(page, day: Day) -> None:  # type: ignore[no-untyped-def]
    assert page.day() == THURSDAY_10.date()
    assert page.tiles["已联系上"].text() == "1"  # 黄蓉, this morning
    assert cells(page, "calls", 1) == [day.late.case_no]
    page.step(-1)  # Wednesday
    assert page.day() == WEDNESDAY and "2026-11-25 星期三 · 全天" in page.status.text()
    assert [page.tiles[label].text() for label in HEADLINE_LABELS] == [
        "2",
        "3",
        "1",
        "1",
        "2",
        "2",
        "1",
        "1",
        "1",
    ]
    assert cells(page, "received", 1) == [day.new.case_no, day.urgent.case_no]
    assert cells(page, "received", 2) == ["张**", "李**"]
    assert cells(page, "calls", 5) == ["已联系上", "未联系上", "已联系上"]
    assert cells(page, "overdue", 6) == ["李强", "孙丽（未分派）"]
    assert page.headings["visits"].text() == "当天上门　1 项"
    page.set_day(dt.date(2026, 11, 22))  # Sunday, before any case
    assert all(page.tiles[label].text() == "0" for label in HEADLINE_LABELS)
    for key, table in page.tables.items():
        assert not table.isVisible() and page.empties[key].isVisible(), key
        assert page.empties[key].text() == "无"


def test_double_clicking_a_row_opens_its_case(qtbot, page, day: Day) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    page.set_day(WEDNESDAY)
    table = page.tables["received"]
    opened: list[int] = []
    page.caseRequested.connect(opened.append)
    spot = table.visualItemRect(table.item(1, 3)).center()
    # As a hand does it: a click, then the double-click (an item view ignores a
    # double-click on a row it did not see pressed).
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    with qtbot.waitSignal(page.caseRequested):
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert opened == [day.urgent.id]


def test_the_page_prints_and_saves_the_sheet_of_the_chosen_day(  # type: ignore[no-untyped-def]
    page, day: Day, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QMessageBox

    page.set_day(WEDNESDAY)
    saved = page.export_sheet(tmp_path / "daily.pdf")
    assert saved is not None
    text = "".join(pdf_text(saved.read_bytes()))
    assert "每日汇总单" in text and "2026-11-25 星期三" in text and day.moved.case_no in text
    printed = tmp_path / "printer-output.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return int(QPrintDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert page.print_sheet() and printed.exists()
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    assert page.export_sheet(tmp_path) is None  # a folder, not a file
    assert warned and "无法写入" in warned[0]
