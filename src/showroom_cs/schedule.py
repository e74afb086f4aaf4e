"""The printed 上门安排表: a day's or a week's booked visits for the installers.

Built on the forms' machinery in `pdf`: the same embedded font, the same
□ for missing characters, and the same canvas that numbers pages once all
of them exist. A4 landscape, so that phone and address keep columns of
their own; a long address wraps inside its cell.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from itertools import groupby
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .agenda import ItemKind, agenda
from .export import week_label
from .pdf import FONT, GRID, FormCanvas, printable, register_font
from .phone import format_phone
from .settings import Settings
from .store import Store

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN = 12 * mm
HEADER_HEIGHT = 24 * mm
FOOTER_HEIGHT = 9 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
EMPTY = "该时段没有上门安排。"
SHADE = colors.HexColor("#eceff1")
DAY_BAR = colors.HexColor("#37474f")

# (heading, width in mm); the address takes what is left. Measured at 11 pt
# so that a time span, a case number or a phone number never wraps.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("时间", 24),
    ("类型", 19),
    ("投诉编号", 33),
    ("客户", 21),
    ("电话", 30),
    ("地址", 0),
    ("上门人员", 19),
    ("签字 / 备注", 44),
)
PAD = 4  # points each side of a cell
SIGN_ROOM = 9 * mm  # handwriting space under any printed note

_STYLE = {
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=11, leading=14.5, wordWrap="CJK"),
    "note": ParagraphStyle(
        "note",
        fontName=FONT,
        fontSize=9,
        leading=12,
        wordWrap="CJK",
        textColor=colors.HexColor("#455a64"),
    ),
    "head": ParagraphStyle("head", fontName=FONT, fontSize=10, leading=13, wordWrap="CJK"),
    "day": ParagraphStyle(
        "day", fontName=FONT, fontSize=12.5, leading=16, textColor=colors.white, wordWrap="CJK"
    ),
    "empty": ParagraphStyle("empty", fontName=FONT, fontSize=14, leading=20, wordWrap="CJK"),
}


@dataclass(frozen=True, slots=True)
class Visit:
    """One row of the sheet: a planned 上门 or 客户验收."""

    kind: ItemKind
    starts_at: dt.datetime
    ends_at: dt.datetime
    case_no: str
    customer: str
    phone: str
    address: str
    staff: str
    note: str


def planned_visits(
    store: Store,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    staff_id: int | None = None,
) -> list[Visit]:
    """Planned visits and re-inspections starting in [start, end), in time order."""
    items = [
        item
        for item in agenda(store, start, end, now, staff_id=staff_id)
        if item.kind in (ItemKind.VISIT, ItemKind.REINSPECTION) and item.appointment_id
    ]
    if not items:
        return []
    # The calendar's items carry no phone: installers need the full number.
    ids = [item.appointment_id for item in items]
    marks = ",".join("?" * len(ids))
    extra = {
        row["id"]: row
        for row in store.query(
            "SELECT a.id, a.note, c.customer_phone FROM appointments a "
            f"JOIN cases c ON c.id = a.case_id WHERE a.id IN ({marks})",
            ids,
        )
    }
    names = {member.id: member.name for member in store.all_staff()}
    visits = []
    for item in items:
        row = extra[item.appointment_id]
        visits.append(
            Visit(
                kind=item.kind,
                starts_at=item.starts_at,
                ends_at=item.ends_at or item.starts_at,
                case_no=item.case_no,
                customer=item.customer,
                phone=format_phone(row["customer_phone"] or ""),
                address=item.address,
                staff=names.get(item.staff_id or 0, ""),
                note=row["note"] or "",
            )
        )
    return visits


def range_label(start: dt.datetime, end: dt.datetime) -> str:
    """`2026-W48` for an ISO week, `2026-11-23` for a day, else from–to."""
    midnight = start.time() == dt.time()
    if midnight and end - start == dt.timedelta(days=1):
        return f"{start:%Y-%m-%d}"
    if midnight and start.weekday() == 0 and end - start == dt.timedelta(days=7):
        return week_label(start.date())
    return f"{start:%Y-%m-%d} 至 {end - dt.timedelta(seconds=1):%Y-%m-%d}"


def day_heading(day: dt.date) -> str:
    return f"{day.month}月{day.day}日 {WEEKDAYS[day.weekday()]}"


def schedule_pdf(
    store: Store,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    staff_id: int | None = None,
) -> bytes:
    """The 上门安排表 of [start, end), optionally of one installer, as PDF."""
    visits = planned_visits(store, start, end, now, staff_id=staff_id)
    staff = store.staff_member(staff_id).name if staff_id is not None else ""
    return render_schedule(store, visits, start, end, now, staff=staff)


def render_schedule(
    store: Store,
    visits: list[Visit],
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    *,
    staff: str = "",
) -> bytes:
    """The PDF of already-read `visits` (the command line counts them first)."""
    register_font()
    settings = store.settings()
    title = f"上门安排表 {range_label(start, end)}"
    last = (end - dt.timedelta(seconds=1)).date()
    span = (
        f"{start:%Y-%m-%d} {WEEKDAYS[start.weekday()]}"
        if start.date() == last
        else f"{start:%Y-%m-%d} 至 {last:%Y-%m-%d}"
    )
    subtitle = "　".join(
        part
        for part in (span, f"上门人员：{staff}" if staff else "", f"共 {len(visits)} 项")
        if part
    )
    return build_sheet(settings, title, subtitle, _story(visits), now=now)


def build_sheet(
    settings: Settings,
    title: str,
    subtitle: str,
    story: list[Flowable],
    *,
    now: dt.datetime,
    doc_title: str | None = None,
) -> bytes:
    """A landscape sheet (上门安排表, 每日汇总单): showroom, title and subtitle on
    every page, contact and 第 x 页 / 共 y 页 at the foot, only the embedded font."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=doc_title or title,
        author=settings.showroom_name,
        creator="门店客诉台 showroom-cs",
        initialFontName=FONT,  # never reference a font that is not embedded
    )

    # A class of its own per document: the header lives on the canvas class.
    class _Canvas(ScheduleCanvas):
        pass

    _Canvas.sheet = SheetHeader(
        showroom=settings.showroom_name,
        title=title,
        subtitle=subtitle,
        printed_at=now.replace(microsecond=0),
        contact=" · ".join(x for x in (settings.showroom_address, settings.showroom_phone) if x),
    )
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()


@dataclass(frozen=True)
class SheetHeader:
    showroom: str
    title: str
    subtitle: str
    printed_at: dt.datetime
    contact: str


class ScheduleCanvas(FormCanvas):
    """The forms' canvas with the sheet's own header: no case number, no QR code."""

    sheet: SheetHeader

    def _decorate(self, copy_label: str, page: int, pages: int) -> None:
        s = self.sheet
        top = PAGE_HEIGHT - MARGIN
        right = PAGE_WIDTH - MARGIN
        self.saveState()
        self.setFillColor(colors.HexColor("#37474f"))
        self._draw(MARGIN, top - 5 * mm, s.showroom, 11, BODY_WIDTH / 3)
        self._draw(
            right, top - 5 * mm, f"打印时间：{s.printed_at:%Y-%m-%d %H:%M}", 11, 70 * mm, "right"
        )
        self.setFillColor(colors.black)
        self._draw(PAGE_WIDTH / 2, top - 12 * mm, s.title, 18, BODY_WIDTH, "centre")
        self._draw(PAGE_WIDTH / 2, top - 18.5 * mm, s.subtitle, 11, BODY_WIDTH, "centre")
        self.setStrokeColor(GRID)
        self.line(MARGIN, top - 21 * mm, right, top - 21 * mm)
        self.setFillColor(colors.HexColor("#607d8b"))
        self._draw(MARGIN, MARGIN - 2 * mm, s.contact, 9, BODY_WIDTH * 0.6)
        self._draw(right, MARGIN - 2 * mm, f"第 {page} 页 / 共 {pages} 页", 10, 60 * mm, "right")
        self.restoreState()


def _text(text: str, style: str) -> Paragraph:
    return Paragraph(escape(printable(text)).replace("\n", "<br/>"), _STYLE[style])


def _time_span(visit: Visit) -> str:
    ends = visit.ends_at
    if ends.date() == visit.starts_at.date():
        return f"{visit.starts_at:%H:%M}–{ends:%H:%M}"
    # Ending on another day: the end date on a line of its own, never split.
    return f"{visit.starts_at:%H:%M}–\n{ends:%m-%d %H:%M}"


def _row(visit: Visit) -> list[Any]:
    notes: list[Flowable] = [Spacer(1, SIGN_ROOM)]
    if visit.note:
        notes.insert(0, _text(visit.note, "note"))
    return [
        _text(_time_span(visit), "cell"),
        _text(visit.kind.label, "cell"),
        _text(visit.case_no, "cell"),
        _text(visit.customer, "cell"),
        _text(visit.phone, "cell"),
        _text(visit.address, "cell"),
        _text(visit.staff, "cell"),
        notes,
    ]


def _widths() -> list[float]:
    fixed = sum(width for _, width in COLUMNS) * mm
    return [width * mm if width else BODY_WIDTH - fixed for _, width in COLUMNS]


def _day_table(day: dt.date, visits: list[Visit]) -> Table:
    """One day: its heading and the column headings repeat on every page it spans."""
    heading = [_text(f"{day_heading(day)}　{len(visits)} 项", "day")] + [""] * (len(COLUMNS) - 1)
    columns = [_text(name, "head") for name, _ in COLUMNS]
    rows = [heading, columns, *(_row(visit) for visit in visits)]
    table = Table(rows, colWidths=_widths(), repeatRows=2, splitInRow=1)
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), DAY_BAR),
        ("BACKGROUND", (0, 1), (-1, 1), SHADE),
        ("GRID", (0, 1), (-1, -1), 0.6, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, DAY_BAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 2), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 2), (-1, -1), 5),
    ]
    table.setStyle(TableStyle(commands))
    return table


def _story(visits: list[Visit]) -> list[Flowable]:
    if not visits:
        return [Spacer(1, 12 * mm), _text(EMPTY, "empty")]
    story: list[Flowable] = []
    for day, group in groupby(visits, key=lambda visit: visit.starts_at.date()):
        story += [_day_table(day, list(group)), Spacer(1, 6 * mm)]
    return story
