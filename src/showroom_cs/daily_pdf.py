"""The printed 每日汇总单, for the morning meeting's board.

Drawn like the 上门安排表 (`schedule`): the same canvas with the showroom,
the print time, the title and 第 x 页 / 共 y 页 on every page, the same
embedded font and □ for characters it lacks, A4 landscape. The headline
counts come first, then one table per section of `daily.sections`; an empty
section still prints, saying 无.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from .daily import NOTHING, DailySummary, Section, day_label, is_over, sections
from .pdf import FONT, GRID, printable, register_font
from .schedule import (
    BODY_WIDTH,
    DAY_BAR,
    PAD,
    SHADE,
    build_sheet,
)
from .store import Store

TITLE = "每日汇总单"
ALERT = colors.HexColor("#c62828")  # the app's overdue colour (ui/theme.py)

# Column widths in mm per section, in the order of `Section.columns`; 0 takes
# what is left. Measured at 10 pt so that times, case numbers and names never wrap.
_VISIT_WIDTHS = (26, 19, 33, 16, 0, 20, 17)
WIDTHS: dict[str, tuple[float, ...]] = {
    "received": (18, 33, 16, 19, 28, 18, 20, 0),
    "moves": (14, 33, 16, 18, 18, 18, 0),
    "closed": (14, 33, 16, 17, 28, 0),
    "overdue": (33, 16, 20, 28, 26, 34, 0),
    "calls": (14, 33, 16, 16, 22, 20, 0),
    "visits": _VISIT_WIDTHS,
    "tomorrow": _VISIT_WIDTHS,
}

_STYLE = {
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=12.5, wordWrap="CJK"),
    "alert": ParagraphStyle(
        "alert", fontName=FONT, fontSize=10, leading=12.5, wordWrap="CJK", textColor=ALERT
    ),
    "head": ParagraphStyle("head", fontName=FONT, fontSize=9.5, leading=12, wordWrap="CJK"),
    "bar": ParagraphStyle(
        "bar", fontName=FONT, fontSize=12, leading=15, textColor=colors.white, wordWrap="CJK"
    ),
    "label": ParagraphStyle(
        "label",
        fontName=FONT,
        fontSize=9.5,
        leading=12,
        alignment=1,
        textColor=colors.HexColor("#455a64"),
    ),
    "count": ParagraphStyle("count", fontName=FONT, fontSize=18, leading=22, alignment=1),
    "nothing": ParagraphStyle(
        "nothing", fontName=FONT, fontSize=10, leading=13, textColor=colors.HexColor("#607d8b")
    ),
}


def render_daily(store: Store, summary: DailySummary, *, now: dt.datetime) -> bytes:
    """The 每日汇总单 of an already-read `summary` as PDF bytes."""
    register_font()
    settings = store.settings()
    subtitle = day_label(summary.day)
    if not is_over(summary):
        subtitle += f"　截至 {summary.as_of:%H:%M}（当天未结束）"
    return build_sheet(
        settings,
        TITLE,
        subtitle,
        _story(summary),
        now=now,
        doc_title=f"{TITLE} {summary.day:%Y-%m-%d}",
    )


def _text(text: str, style: str) -> Paragraph:
    return Paragraph(escape(printable(text)).replace("\n", "<br/>"), _STYLE[style])


def _story(summary: DailySummary) -> list[Flowable]:
    story: list[Flowable] = [_headline(summary)]
    for section in sections(summary):
        # Space between, never after: a trailing spacer can spill onto a blank page.
        story += [Spacer(1, 4 * mm), _section_table(section)]
    return story


def _headline(summary: DailySummary) -> Table:
    """The counts as a strip of boxes: names above, figures below."""
    counts = summary.headline()
    width = BODY_WIDTH / len(counts)
    table = Table(
        [
            [_text(label, "label") for label, _ in counts],
            [_text(str(count), "count") for _, count in counts],
        ],
        colWidths=[width] * len(counts),
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.6, GRID),
                ("BOX", (0, 0), (-1, -1), 0.8, DAY_BAR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 1), (-1, 1), 4),
                ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
            ]
        )
    )
    return table


def _widths(section: Section) -> list[float]:
    widths = WIDTHS[section.key]
    fixed = sum(widths) * mm
    return [width * mm if width else BODY_WIDTH - fixed for width in widths]


def _section_table(section: Section) -> Table:
    """A bar with the section's name and count, the column headings, the rows
    (or 无); bar and headings come back on every page the table runs on."""
    span = len(section.columns)
    bar = [_text(section.heading, "bar")] + [""] * (span - 1)
    if section.rows:
        columns = [_text(name, "head") for name in section.columns]
        body = [
            [_text(cell, "alert" if row.alert else "cell") for cell in row.cells]
            for row in section.rows
        ]
        rows = [bar, columns, *body]
    else:
        rows = [bar, [_text(NOTHING, "nothing")] + [""] * (span - 1)]
    table = Table(rows, colWidths=_widths(section), repeatRows=2 if section.rows else 1)
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("SPAN", (0, 0), (-1, 0)),
        ("BACKGROUND", (0, 0), (-1, 0), DAY_BAR),
        ("GRID", (0, 1), (-1, -1), 0.6, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, DAY_BAR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        # Tighter than the schedule's rows: a busy day has a hundred of them.
        ("TOPPADDING", (0, 1), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
    ]
    if section.rows:
        commands.append(("BACKGROUND", (0, 1), (-1, 1), SHADE))
    else:
        commands.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(commands))
    return table
