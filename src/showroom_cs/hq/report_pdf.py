"""The chain report as a PDF: headline, charts, then the tables.

Drawn on the app's landscape sheet (`schedule.build_sheet`: title and range
on every page, 第 x 页 / 共 y 页, the embedded WenQuanYi font only) with
reportlab's own charts, so head office needs no plotting library.
"""

from __future__ import annotations

import dataclasses
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ..pdf import FONT, GRID, printable, register_font
from ..schedule import BODY_WIDTH, DAY_BAR, SHADE, build_sheet
from ..settings import Settings
from .report import ChainReport, Counted, number, percent, pivot
from .report import Table as ReportTable

TITLE = "连锁客诉汇总"
TOP = 8  # keys shown in a chart or a pivoted table; the rest as 其余
BLUE = colors.HexColor("#1e88e5")
TEAL = colors.HexColor("#26a69a")
INK = colors.HexColor("#37474f")

_STYLE = {
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK"),
    "head": ParagraphStyle(
        "head", fontName=FONT, fontSize=7.5, leading=9.5, wordWrap="CJK", textColor=INK
    ),
    "section": ParagraphStyle(
        "section", fontName=FONT, fontSize=13, leading=17, textColor=INK, spaceAfter=2 * mm
    ),
    "label": ParagraphStyle(
        "label", fontName=FONT, fontSize=9.5, leading=12, alignment=1, textColor=INK
    ),
    "count": ParagraphStyle("count", fontName=FONT, fontSize=16, leading=20, alignment=1),
    "note": ParagraphStyle(
        "note", fontName=FONT, fontSize=8.5, leading=11, textColor=colors.HexColor("#607d8b")
    ),
}


def render_report(report: ChainReport) -> bytes:
    """The report's PDF bytes."""
    register_font()
    sheet = dataclasses.replace(Settings(), showroom_name="连锁总部")
    subtitle = f"{report.first_week} 至 {report.last_week}（{len(report.weeks)} 周）"
    return build_sheet(
        sheet,
        TITLE,
        subtitle,
        _story(report),
        now=report.made_at,
        doc_title=f"{TITLE} {report.first_week}..{report.last_week}",
    )


def _text(text: str, style: str = "cell") -> Paragraph:
    return Paragraph(escape(printable(text)), _STYLE[style])


def _story(report: ChainReport) -> list[Flowable]:
    note = (
        "每件案件（门店编码 + 投诉编号）只计一次，取它在所选各周中最后一次出现时的状态；"
        "同一门店同一周重发的文件只计最新的一份。按时率·各环节只计版本 2 文件（版本 1 不写案件有哪些时限）。"
    )
    story: list[Flowable] = [_headline(report), Spacer(1, 2 * mm), _text(note, "note")]
    story += [
        Spacer(1, 4 * mm),
        _charts_row(_weekly_chart(report), _top_chart(report.categories, "投诉类别（前 8 位）")),
    ]
    story += [
        Spacer(1, 4 * mm),
        _charts_row(_top_chart(report.causes, "问题原因（前 8 位）"), _region_chart(report)),
    ]
    story += [PageBreak()]
    story += _table_section(report.regions)
    story += _table_section(_rooms_for_print(report.showrooms))
    story += _table_section(pivot(report.categories, report.weeks, TOP))
    story += _table_section(pivot(report.causes, report.weeks, TOP))
    story += _table_section(report.missing, empty="所选各周没有缺交的周报。")
    return story


def _headline(report: ChainReport) -> Table:
    counts = report.headline
    width = BODY_WIDTH / len(counts)
    table = Table(
        [[_text(label, "label") for label, _ in counts], [_fitted(v, width) for _, v in counts]],
        colWidths=[width] * len(counts),
    )
    table.setStyle(
        TableStyle(
            [
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


def _fitted(text: str, width: float) -> Paragraph:
    """A headline figure on one line: smaller type when it is long (24000 / 24000)."""
    size = 16.0
    while size > 8 and pdfmetrics.stringWidth(text, FONT, size) > width - 10:
        size -= 1
    style = ParagraphStyle("fitted", parent=_STYLE["count"], fontSize=size)
    return Paragraph(escape(printable(text)), style)


CHART_W, CHART_H = BODY_WIDTH / 2 - 4 * mm, 54 * mm


def _charts_row(left: Drawing, right: Drawing) -> Table:
    table = Table([[left, right]], colWidths=[BODY_WIDTH / 2] * 2)
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def _frame(title: str) -> Drawing:
    drawing = Drawing(CHART_W, CHART_H)
    drawing.add(String(0, CHART_H - 11, title, fontName=FONT, fontSize=11, fillColor=INK))
    return drawing


def _axis_fonts(chart: Any, size: float = 7) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = size
    chart.valueAxis.strokeColor = GRID
    chart.categoryAxis.strokeColor = GRID
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e0e0")
    chart.valueAxis.visibleGrid = True


def _weekly_chart(report: ChainReport) -> Drawing:
    drawing = _frame("每周新受理与结案（全连锁）")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 34, CHART_W - 40, CHART_H - 62
    rows = report.weekly.rows
    chart.data = [[r[1] for r in rows] or [0], [r[2] for r in rows] or [0]]
    step = max(1, len(rows) // 13)
    chart.categoryAxis.categoryNames = [
        r[0][2:] if n % step == 0 else "" for n, r in enumerate(rows)
    ] or [""]
    if not any(max(series) for series in chart.data):
        chart.valueAxis.valueMax = 10  # no case yet: a plain 0–10 scale, not 0–0.01
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.dy = -6
    chart.categoryAxis.labels.dx = -6
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = TEAL
    chart.bars.strokeColor = None
    chart.barSpacing = 0.5
    _axis_fonts(chart)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = CHART_W - 110, CHART_H - 6
    legend.fontName, legend.fontSize = FONT, 8
    legend.columnMaximum = 1
    legend.deltax = 50
    legend.alignment = "right"
    legend.colorNamePairs = [(BLUE, "新受理"), (TEAL, "结案")]
    drawing.add(legend)
    return drawing


def _top_chart(counted: Counted, title: str) -> Drawing:
    drawing = _frame(title)
    totals: dict[str, int] = {}
    for _week, _key, label, n in counted.rows:
        totals[label] = totals.get(label, 0) + n
    top = sorted(totals.items(), key=lambda item: (-item[1], item[0]))[:TOP]
    if not top:
        drawing.add(String(0, CHART_H / 2, "所选各周没有数据。", fontName=FONT, fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 90, 8, CHART_W - 120, CHART_H - 30
    chart.data = [[n for _label, n in reversed(top)]]
    # A showroom's own long label is cut to what the chart's margin holds.
    chart.categoryAxis.categoryNames = [label[:9] for label, _n in reversed(top)]
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    chart.bars.strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    _axis_fonts(chart, 8)
    drawing.add(chart)
    return drawing


def _region_chart(report: ChainReport) -> Drawing:
    drawing = _frame("各区域按时率与成立率")
    rows = report.regions.rows
    columns = report.regions.columns
    on_time, valid = columns.index("按时率"), columns.index("成立率")
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 22, CHART_W - 40, CHART_H - 54
    chart.data = [
        [round((r[on_time] or 0) * 100, 1) for r in rows],
        [round((r[valid] or 0) * 100, 1) for r in rows],
    ]
    chart.categoryAxis.categoryNames = [str(r[0])[:8] for r in rows]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.bars[0].fillColor = BLUE
    chart.bars[1].fillColor = TEAL
    chart.bars.strokeColor = None
    _axis_fonts(chart, 7.5)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = CHART_W - 110, CHART_H - 6
    legend.fontName, legend.fontSize = FONT, 8
    legend.columnMaximum = 1
    legend.deltax = 50
    legend.alignment = "right"
    legend.colorNamePairs = [(BLUE, "按时率"), (TEAL, "成立率")]
    drawing.add(legend)
    return drawing


def _rooms_for_print(table: ReportTable) -> ReportTable:
    """收到 / 应交 in one column, so the table fits the page's width."""
    rows = [(r[0], r[1], f"{r[2]}/{r[3]}", *r[4:]) for r in table.rows]
    return ReportTable(
        table.name,
        table.title,
        ("门店编码", "区域", "周报", *table.columns[4:]),
        ("text", "text", "text", *table.formats[4:]),
        rows,
    )


def _cell(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return percent(value)
    if kind == "num1":
        return number(value, 1)
    if kind == "num2":
        return number(value, 2)
    return str(value)


def _table_section(table: ReportTable, *, empty: str = "无") -> list[Flowable]:
    title = Paragraph(escape(table.title), _STYLE["section"])
    if not table.rows:
        return [
            CondPageBreak(30 * mm),
            KeepTogether([title, _text(empty, "note")]),
            Spacer(1, 6 * mm),
        ]
    count = len(table.columns)
    first = 24 * mm if count > 6 else 40 * mm
    widths = [first, *([(BODY_WIDTH - first) / (count - 1)] * (count - 1))]
    data: list[list[Any]] = [[_text(c, "head") for c in table.columns]]
    for row in table.rows:
        data.append([_cell(v, k) for v, k in zip(row, table.formats, strict=True)])
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("FONTSIZE", (0, 1), (-1, -1), 8),
                ("LEADING", (0, 1), (-1, -1), 10),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                *(
                    ("ALIGN", (n, 1), (n, -1), "RIGHT")
                    for n, kind in enumerate(table.formats)
                    if kind != "text"
                ),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f7f9fa")]),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [CondPageBreak(40 * mm), title, grid, Spacer(1, 6 * mm)]
