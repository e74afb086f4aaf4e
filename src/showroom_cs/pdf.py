"""One renderer for both paper forms: reportlab platypus, the shipped font embedded.

Text flows: a long description starts under its label wherever the page
has room for its first lines and runs on to further pages; a heading or a
label never stands alone at the foot of a page, and the signature block is
never split. The header with the showroom, the title, the case number, the
copy label and a QR code is drawn on every page, and the footer says
第 x 页 / 共 y 页 per copy. A character the font does not have prints as □
instead of failing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.barcode import qrencoder
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import LayoutError as ReportlabLayoutError

from .domain import Case, Review
from .errors import ShowroomError
from .forms import Layout, Section, field_values, load_layout, review_of, review_values
from .paths import resource_path
from .settings import Settings
from .store import Store

FONT = "WQYMicroHei"
PLACEHOLDER = "□"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
HEADER_HEIGHT = 30 * mm
# The footer's two lines sit in the bottom margin; this band keeps the body clear of them.
FOOTER_HEIGHT = 6 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN
GRID = colors.HexColor("#9aa5ad")


@lru_cache(maxsize=1)
def register_font() -> frozenset[int]:
    """Register the shipped TrueType font (embedded as a subset); returns its code points."""
    font = TTFont(FONT, str(resource_path("fonts", "wqy-microhei.ttc")), subfontIndex=0)
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


def printable(text: str) -> str:
    """The text with every character the font lacks replaced by a visible □."""
    known = register_font()
    return "".join(ch if ord(ch) in known or ch in "\n\t" else PLACEHOLDER for ch in text)


def _para_text(text: str) -> str:
    return escape(printable(text)).replace("\n", "<br/>")


STYLES = {
    "body": ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=15, wordWrap="CJK"),
    "label": ParagraphStyle(
        "label",
        fontName=FONT,
        fontSize=10,
        leading=14,
        textColor=colors.HexColor("#37474f"),
        wordWrap="CJK",
    ),
    "section": ParagraphStyle(
        "section",
        fontName=FONT,
        fontSize=12,
        leading=18,
        spaceBefore=8,
        spaceAfter=4,
        textColor=colors.HexColor("#1565c0"),
    ),
}


@dataclass(frozen=True)
class Header:
    showroom: str
    title: str
    case_no: str
    address: str
    phone: str
    printed_at: dt.datetime
    logo: ImageReader | None = None


class CopyStart(Flowable):  # type: ignore[misc]
    """Marks where a copy (客户联 / 存根联) begins, so the header and the page
    numbers know which copy a page belongs to (two copies may share a label)."""

    def __init__(self, index: int, label: str) -> None:
        super().__init__()
        self.index = index
        self.label = label
        self.width = self.height = 0

    def draw(self) -> None:
        self.canv._copy = (self.index, self.label)


class FormCanvas(Canvas):  # type: ignore[misc]
    """Draws header and footer after all pages exist: 共 y 页 counts the pages of each copy."""

    header: Header

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []
        self._copy: tuple[int, str] = (0, "")

    def showPage(self) -> None:
        self._pages.append({**self.__dict__, "_page_copy": self._copy})
        self._startPage()

    def save(self) -> None:
        copies: dict[int, list[int]] = {}
        for index, state in enumerate(self._pages):
            copies.setdefault(state["_page_copy"][0], []).append(index)
        for index, state in enumerate(self._pages):
            self.__dict__.update(state)
            copy_index, label = state["_page_copy"]
            pages = copies[copy_index]
            self._decorate(label, pages.index(index) + 1, len(pages))
            super().showPage()
        super().save()

    def _fitted(self, text: str, size: float, width: float) -> float:
        """The font size at which `text` fits `width` (never below 6 pt)."""
        text = printable(text)
        while size > 6 and pdfmetrics.stringWidth(text, FONT, size) > width:
            size -= 0.5
        return size

    def _draw(
        self, x: float, y: float, text: str, size: float, width: float, align: str = "left"
    ) -> None:
        """One line of header or footer text, shrunk to fit and cut with … if still too long."""
        text = printable(text)
        size = self._fitted(text, size, width)
        while text and pdfmetrics.stringWidth(text, FONT, size) > width:
            text = text[:-2] + "…"
        self.setFont(FONT, size)
        {"left": self.drawString, "centre": self.drawCentredString, "right": self.drawRightString}[
            align
        ](x, y, text)

    def _qr(self, text: str, x: float, y: float, size: float) -> None:
        """The case number as a QR code, drawn as plain squares (with a quiet zone),
        so no font other than the embedded one is ever referenced."""
        modules = _qr_modules(text)
        cells = len(modules) + 8
        box = size / cells
        self.setFillColor(colors.black)
        for r, row in enumerate(modules):
            for c, dark in enumerate(row):
                if dark:
                    self.rect(
                        x + (c + 4) * box, y + size - (r + 5) * box, box, box, stroke=0, fill=1
                    )

    def _decorate(self, copy_label: str, page: int, pages: int) -> None:
        h = self.header
        top = PAGE_HEIGHT - MARGIN
        self.saveState()
        x = MARGIN
        if h.logo is not None:
            try:
                self.drawImage(
                    h.logo,
                    x,
                    top - 14 * mm,
                    width=24 * mm,
                    height=14 * mm,
                    preserveAspectRatio=True,
                    mask="auto",
                )
                x += 27 * mm
            except (OSError, ValueError):
                pass  # an unreadable logo never stops a form from printing
        qr_room = 26 * mm  # the QR code's corner stays free
        text_right = PAGE_WIDTH - MARGIN - qr_room
        self.setFillColor(colors.HexColor("#37474f"))
        self._draw(x, top - 5 * mm, h.showroom, 11, text_right - x)
        self.setFillColor(colors.black)
        self._draw(
            PAGE_WIDTH / 2, top - 14 * mm, h.title, 18, 2 * (text_right - PAGE_WIDTH / 2), "centre"
        )
        self._draw(MARGIN, top - 24 * mm, f"投诉编号：{h.case_no}", 10.5, 80 * mm)
        if copy_label:
            self._draw(text_right, top - 24 * mm, f"【{copy_label}】", 12, 50 * mm, "right")
        self._qr(h.case_no, PAGE_WIDTH - MARGIN - 22 * mm, top - 26 * mm, 22 * mm)
        self.setStrokeColor(GRID)
        self.line(MARGIN, top - 27 * mm, PAGE_WIDTH - MARGIN, top - 27 * mm)
        self.setFillColor(colors.HexColor("#607d8b"))
        contact = " · ".join(x for x in (h.address, h.phone) if x)
        self._draw(MARGIN, MARGIN - 2 * mm, contact, 8.5, BODY_WIDTH)
        self._draw(
            MARGIN, MARGIN - 6 * mm, f"打印时间：{h.printed_at:%Y-%m-%d %H:%M}", 8.5, BODY_WIDTH / 2
        )
        self._draw(
            PAGE_WIDTH - MARGIN,
            MARGIN - 6 * mm,
            f"第 {page} 页 / 共 {pages} 页",
            8.5,
            BODY_WIDTH / 2,
            "right",
        )
        self.restoreState()


def _qr_modules(text: str) -> list[list[bool]]:
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(text)
    code.make()
    return [[bool(dark) for dark in row] for row in code.modules]


_LABEL_SHADE = colors.HexColor("#f5f7fa")


def _grid(rows: list[list[Any]], widths: list[float]) -> Table:
    """Label/value rows, labels shaded. splitInRow: a cell taller than a page
    continues on the next one (no spanned cells: reportlab would wrap a split
    spanned cell at the width of its first column)."""
    table = Table(rows, colWidths=[w * BODY_WIDTH for w in widths], splitInRow=1)
    commands: list[Any] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    commands += [("BACKGROUND", (c, 0), (c, -1), _LABEL_SHADE) for c in range(0, len(widths), 2)]
    table.setStyle(TableStyle(commands))
    return table


def _fields_table(section: Section, values: dict[str, str]) -> list[Flowable]:
    """Label/value boxes, two pairs a row; wide ones a whole row (a table of
    their own, joined to the rows above); flowing text as a box of its own that
    may run on to the next page."""
    out: list[Flowable] = []
    pairs: list[list[Any]] = []
    wide: list[list[Any]] = []
    pending: list[Any] = []

    def flush_pairs() -> None:
        nonlocal pending
        if pending:
            pairs.append([*pending, "", ""])
            pending = []
        if pairs:
            out.append(_grid(pairs, [0.16, 0.34, 0.16, 0.34]))
            pairs.clear()

    def flush_wide() -> None:
        if wide:
            out.append(_grid(wide, [0.16, 0.84]))
            wide.clear()

    for box in section.fields:
        label = Paragraph(_para_text(box.label), STYLES["label"])
        value = Paragraph(_para_text(values.get(box.field, "")), STYLES["body"])
        if box.flow:
            flush_pairs()
            flush_wide()
            out.extend(_boxed_paragraph(values.get(box.field, ""), box.label))
        elif box.wide:
            flush_pairs()
            wide.append([label, value])
        else:
            flush_wide()
            pending += [label, value]
            if len(pending) == 4:
                pairs.append(pending)
                pending = []
    flush_pairs()
    flush_wide()
    return out


# Lines per box segment: a segment splits over a page boundary by re-measuring
# its own lines only, which keeps long texts linear.
_SEGMENT_LINES = 40
# Lines of text that stay with a box's label (and a section's heading): the
# label never stands alone at the foot of a page, and the text starts on the
# page where the label is.
_LEAD_LINES = 3
_BOX_PADDING = 6


def _text_lines(text: str) -> list[str]:
    """The text's lines as typed, runs of empty lines kept as one (a paste
    with dozens of blank lines would otherwise print blank pages)."""
    lines: list[str] = []
    for line in (text or "（无）").split("\n"):
        if line.strip() or not lines or lines[-1].strip():
            lines.append(line)
    return lines


def _lead(paragraphs: list[Paragraph], width: float) -> int:
    """How many of `paragraphs` make the first `_LEAD_LINES` printed lines;
    the one that crosses that line is split in place (a long first paragraph
    starts on this page instead of moving whole to the next)."""
    room = _LEAD_LINES * STYLES["body"].leading
    for index, paragraph in enumerate(paragraphs):
        height = paragraph.wrap(width, room)[1]
        if height <= room + 0.01:
            room -= height
            if room < STYLES["body"].leading:
                return index + 1
            continue
        parts = paragraph.split(width, room)
        if len(parts) != 2:
            return index  # room for one line only: it starts in the next segment
        paragraphs[index : index + 1] = parts
        return index + 1
    return len(paragraphs)


def _boxed_paragraph(text: str, label: str = "") -> list[Flowable]:
    """Flowing text in a box as wide as the tables, under its label if it has
    one: one paragraph per line, in segments of a few dozen lines whose side
    borders join into one box, so a text of thousands of short lines lays out
    in linear time and continues over pages.

    The first element is small and never split: the label with the first
    lines of the text. It fits wherever the page has room for a few lines, so
    a long text starts where it stands and the label is never left alone."""
    width = BODY_WIDTH - 2 * _BOX_PADDING
    paragraphs = [
        Paragraph(_para_text(line) or "&nbsp;", STYLES["body"]) for line in _text_lines(text)
    ]
    lead = max(_lead(paragraphs, width), 1)
    segments = [paragraphs[:lead]] + [
        paragraphs[i : i + _SEGMENT_LINES] for i in range(lead, len(paragraphs), _SEGMENT_LINES)
    ]
    out: list[Flowable] = []
    for number, segment in enumerate(segments):
        first, last = number == 0, number == len(segments) - 1
        rows: list[list[Any]] = [[segment]]
        style: list[Any] = [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            # TOP: where not even two lines fit, the box continues on the next
            # page instead of leaving an empty stretch of box here.
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBEFORE", (0, 0), (0, -1), 0.5, GRID),
            ("LINEAFTER", (0, 0), (0, -1), 0.5, GRID),
            ("TOPPADDING", (0, -1), (-1, -1), 5 if first else 1),
            ("BOTTOMPADDING", (0, -1), (-1, -1), 7 if last else 1),
            ("LEFTPADDING", (0, 0), (-1, -1), _BOX_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _BOX_PADDING),
        ]
        if first:
            style.append(("LINEABOVE", (0, 0), (-1, 0), 0.5, GRID))
        if first and label:
            rows.insert(0, [Paragraph(_para_text(label), STYLES["label"])])
            style += [
                ("BACKGROUND", (0, 0), (-1, 0), _LABEL_SHADE),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, GRID),
            ]
        if last:
            style.append(("LINEBELOW", (0, -1), (-1, -1), 0.5, GRID))
        # The first segment never splits: at a page's foot it moves on whole.
        split = 0 if first else 1
        out.append(
            Table(
                rows,
                colWidths=[BODY_WIDTH],
                splitByRow=split,
                splitInRow=split,
                style=TableStyle(style),
            )
        )
    return out


def _signatures(section: Section) -> Flowable:
    cells = [
        [
            Paragraph(
                _para_text(f"{name}：______________　日期：______年____月____日"), STYLES["body"]
            )
        ]
        for name in section.signatures
    ]
    parts: list[Any] = []
    if section.statement:
        parts.append([Paragraph(_para_text(section.statement), STYLES["body"])])
    # One block, never split: the statement and every signature on one page.
    table = Table(parts + cells, colWidths=[BODY_WIDTH])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                ("NOSPLIT", (0, 0), (-1, -1)),
            ]
        )
    )
    return table


def _checklist(section: Section, review: Review) -> Flowable:
    widths = section.column_widths or tuple(1 / len(section.checklist) for _ in section.checklist)
    header = [Paragraph(_para_text(h), STYLES["label"]) for h in section.checklist]
    rows = [header] + [
        [
            Paragraph(_para_text(item.item), STYLES["body"]),
            Paragraph(_para_text("通过" if item.passed else "未通过"), STYLES["body"]),
            Paragraph(_para_text(item.remark), STYLES["body"]),
        ]
        for item in review.items
    ]
    table = Table(rows, colWidths=[w * BODY_WIDTH for w in widths], repeatRows=1, splitInRow=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("GRID", (0, 0), (-1, -1), 0.5, GRID),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f5f7fa")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _conclusion(review: Review) -> tuple[list[Flowable], list[Flowable]]:
    """The ticked outcome, and the open problems' box: the lines that must stay
    with the section's heading, then the rest of the box."""
    passed = "■" if review.passed else "□"
    failed = "□" if review.passed else "■"
    lines = [
        f"{passed} 通过 — 通知客户验收",
        f"{failed} 未通过 — 遗留问题如下，要求当日处理：",
    ]
    lead: list[Flowable] = [Paragraph(_para_text(line), STYLES["body"]) for line in lines]
    rest: list[Flowable] = []
    if not review.passed:
        box = _boxed_paragraph(review.open_problems)
        lead, rest = lead + box[:1], box[1:]
    if review.opinion:
        rest.append(Paragraph(_para_text("复核意见："), STYLES["body"]))
        rest.extend(_boxed_paragraph(review.opinion))
    return lead, rest


def _section_parts(
    section: Section, values: dict[str, str], review: Review | None
) -> tuple[list[Flowable], list[Flowable]]:
    """A section's flowables: the first few (small) that stay with its
    heading, and the rest, which may flow on to further pages."""
    lead: list[Flowable] = []
    rest: list[Flowable] = []

    def add(first: list[Flowable], more: list[Flowable]) -> None:
        if lead or rest:
            rest.extend(first + more)
        else:
            lead.extend(first)
            rest.extend(more)

    if section.fields:
        table = _fields_table(section, values)
        add(table[:1], table[1:])
    if section.text_field:
        box = _boxed_paragraph(values.get(section.text_field, ""))
        add(box[:1], box[1:])
    if section.checklist and review is not None:
        add([_checklist(section, review)], [])
    if section.conclusion and review is not None:
        add(*_conclusion(review))
    if section.signatures or section.statement:
        add([_signatures(section)], [])
    return lead, rest


def _story(layout: Layout, values: dict[str, str], review: Review | None) -> list[Flowable]:
    story: list[Flowable] = []
    for number, copy_label in enumerate(layout.copies):
        if number:
            story.append(PageBreak())
        story.append(CopyStart(number, copy_label))
        if review is not None:
            story.append(Paragraph(_para_text(f"第 {review.round} 次复核"), STYLES["section"]))
        for section in layout.sections:
            heading = Paragraph(_para_text(section.title), STYLES["section"])
            lead, rest = _section_parts(section, values, review)
            # A section never starts at the foot of a page without its heading.
            story.append(KeepTogether([heading, *lead]))
            story += rest
    return story


def render(
    store: Store,
    case: Case,
    form: str,
    *,
    review_round: int | None = None,
    now: dt.datetime | None = None,
    layouts: Path | None = None,
    logo: Path | None = None,
) -> bytes:
    """The PDF of `form` ("registration" or "review") for `case`."""
    register_font()
    layout = load_layout(form, layouts)
    settings: Settings = store.settings()
    review = review_of(store, case, review_round) if form == "review" else None
    values = field_values(store, case) if review is None else review_values(store, case, review)
    title = layout.title
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + HEADER_HEIGHT,
        bottomMargin=MARGIN + FOOTER_HEIGHT,
        title=title,
        subject=case.case_no,
        author=settings.showroom_name,
        creator="门店客诉台 showroom-cs",
        initialFontName=FONT,  # never reference a font that is not embedded
    )
    header = Header(
        showroom=settings.showroom_name,
        title=title,
        case_no=case.case_no,
        address=settings.showroom_address,
        phone=settings.showroom_phone,
        printed_at=(now or dt.datetime.now()).replace(microsecond=0),
        logo=_logo(logo, settings.logo_png),
    )

    class _Canvas(FormCanvas):
        pass

    _Canvas.header = header
    try:
        doc.build(_story(layout, values, review), canvasmaker=_Canvas)
    except ReportlabLayoutError as exc:
        raise ShowroomError(
            f"{title}无法排版（某一栏的内容或版式超出了一页能容纳的范围）。"
            "请缩短该栏内容或检查表单布局文件后重试。"
        ) from exc
    return buffer.getvalue()


def _logo(path: Path | None, stored: str) -> ImageReader | None:
    """The logo given, else the one in settings (base64 PNG); None if unreadable."""
    try:
        if path is not None:
            return ImageReader(str(path)) if path.is_file() else None
        if stored:
            return ImageReader(io.BytesIO(base64.b64decode(stored)))
    except (OSError, ValueError):
        return None  # an unreadable logo never stops a form from printing
    return None


def form_title(form: str) -> str:
    return load_layout(form).title
