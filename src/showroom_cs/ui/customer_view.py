"""客户档案: one customer's cases, visits, calls and satisfaction, found by phone.

The phone is shown masked only: a full number is revealed through the case
view, where the reveal is recorded on the timeline.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..customer import CaseLine, CustomerRecord, Rating, customer_record
from ..domain import NOT_SATISFIED_MAX, SATISFACTION_LABELS, Severity
from ..privacy import mask_phone
from . import theme
from .session import Session

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SATISFIED = "#2e7d32"
NEUTRAL = "#ef6c00"

EMPTY_CASES = "没有找到这个号码的投诉记录。"
EMPTY_VISITS = "还没有上门记录。安排上门后会显示在这里。"
EMPTY_CALLS = "还没有联系或回访记录。"
EMPTY_RATINGS = "还没有满意度评分：回访时客户给出评分后会显示在这里。"


def _day(moment: dt.datetime | None) -> str:
    return "—" if moment is None else f"{moment:%Y-%m-%d}"


def _minute(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def score_colour(score: int) -> str:
    if score <= NOT_SATISFIED_MAX:
        return theme.OVERDUE
    return NEUTRAL if score == 3 else SATISFIED


class Section(QStackedWidget):
    """A table, or a short sentence in its place when it has no rows."""

    def __init__(self, table: QWidget, empty_text: str) -> None:
        super().__init__()
        self.table = table
        self.empty = QLabel(empty_text)
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.addWidget(table)
        self.addWidget(self.empty)

    def show_rows(self, any_rows: bool) -> None:
        self.setCurrentWidget(self.table if any_rows else self.empty)


def _table(object_name: str, headers: Sequence[str], stretch: int) -> QTableWidget:
    """A read-only, row-selecting table whose `stretch` column takes the rest of the width."""
    table = QTableWidget(0, len(headers))
    table.setObjectName(object_name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setShowGrid(False)
    # Without a grid, columns packed to their contents need air between them.
    table.setStyleSheet("QTableWidget::item { padding: 0px 8px 0px 4px; }")
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return table


def _fill_row(
    table: QTableWidget, row: int, case_id: int, values: Sequence[str], colour: str | None = None
) -> list[QTableWidgetItem]:
    items = []
    for column, value in enumerate(values):
        item = QTableWidgetItem(value)
        item.setData(CASE_ID_ROLE, case_id)
        item.setToolTip(value)  # a stretched column may elide long text
        if colour:
            item.setForeground(QColor(colour))
        table.setItem(row, column, item)
        items.append(item)
    return items


class ScoreChart(QWidget):
    """Satisfaction scores in time order: a dot per rated follow-up on a 1–5 scale."""

    MARGIN = 12
    GAP = 8  # between the lowest scale label and the dates

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("scoreChart")
        self.ratings: tuple[Rating, ...] = ()
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def show_ratings(self, ratings: tuple[Rating, ...]) -> None:
        self.ratings = ratings
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(460, 260)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        left = self.MARGIN + max(
            metrics.horizontalAdvance(f"5 {t}") for t in SATISFACTION_LABELS.values()
        )
        line = metrics.height()
        # Room above for half a scale label, below for half of one, a gap and the dates.
        plot = QRectF(
            left + 8,
            self.MARGIN + line / 2,
            self.width() - left - 8 - self.MARGIN * 2,
            self.height() - self.MARGIN * 2 - line * 2 - self.GAP,
        )
        self._draw_scale(painter, plot, metrics)
        points = self._points(plot)
        painter.setPen(QPen(QColor(theme.BORDER), 2))
        for start, end in itertools.pairwise(points):
            painter.drawLine(start, end)
        for point, rating in zip(points, self.ratings, strict=True):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(score_colour(rating.score)))
            painter.drawEllipse(point, 5, 5)
        self._draw_dates(painter, plot, points, metrics)
        painter.end()

    def _draw_scale(self, painter: QPainter, plot: QRectF, metrics: QFontMetrics) -> None:
        for score, text in SATISFACTION_LABELS.items():
            y = self._y(plot, score)
            painter.setPen(QPen(QColor(theme.BORDER), 1, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(QColor(theme.MUTED))
            label = QRectF(
                self.MARGIN,
                y - metrics.height() / 2,
                plot.left() - self.MARGIN - 8,
                metrics.height(),
            )
            painter.drawText(
                label,
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{score} {text}",
            )

    def _y(self, plot: QRectF, score: int) -> float:
        return plot.bottom() - (score - 1) / 4 * plot.height()

    def _points(self, plot: QRectF) -> list[QPointF]:
        count = len(self.ratings)
        if count == 1:
            return [QPointF(plot.center().x(), self._y(plot, self.ratings[0].score))]
        step = plot.width() / max(count - 1, 1)
        return [
            QPointF(plot.left() + number * step, self._y(plot, rating.score))
            for number, rating in enumerate(self.ratings)
        ]

    def _draw_dates(
        self, painter: QPainter, plot: QRectF, points: list[QPointF], metrics: QFontMetrics
    ) -> None:
        """Dates under the dots; with many dots only some, so that none overlap."""
        width = metrics.horizontalAdvance("2026-11-23") + 12
        painter.setPen(QColor(theme.MUTED))
        top = plot.bottom() + metrics.height() / 2 + self.GAP
        for number in _labelled(points, width):
            box = QRectF(points[number].x() - width / 2, top, width, metrics.height())
            box.moveLeft(min(max(box.left(), 0), self.width() - width))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, _day(self.ratings[number].at))


def _labelled(points: Sequence[QPointF], width: float) -> list[int]:
    """Which points get a date: evenly spaced ones, always the first and the last."""
    if len(points) < 2:
        return list(range(len(points)))
    spacing = points[1].x() - points[0].x()
    every = max(1, math.ceil(width / max(spacing, 1)))
    chosen = list(range(0, len(points), every))
    last = len(points) - 1
    if chosen[-1] != last:
        if (last - chosen[-1]) * spacing < width and len(chosen) > 1:
            chosen.pop()  # the last date matters more than the one crowding it
        chosen.append(last)
    return chosen


class CustomerRecordDialog(QDialog):
    """One customer's file (客户档案). Signals:
    caseRequested(int): open this case (the dialog closes itself).
    """

    caseRequested = Signal(int)

    def __init__(self, session: Session, phone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.wanted_phone = phone
        self.record: CustomerRecord | None = None
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addLayout(self._header())
        layout.addLayout(self._figures())
        self.tabs = QTabWidget()
        self.tabs.setObjectName("customerTabs")
        self.cases = self._section(
            "caseTable",
            ("投诉编号", "受理日期", "类别", "严重程度", "状态", "满意度", "投诉内容"),
            6,
            EMPTY_CASES,
        )
        self.visits = self._section(
            "visitTable", ("时间", "类型", "上门人员", "状态", "投诉编号", "备注"), 5, EMPTY_VISITS
        )
        self.calls = self._section(
            "callTable",
            ("时间", "经办人", "方式", "目的", "结果", "满意度", "投诉编号", "客户原话"),
            7,
            EMPTY_CALLS,
        )
        self.tabs.addTab(self.cases, "投诉记录")
        self.tabs.addTab(self.visits, "上门记录")
        self.tabs.addTab(self.calls, "回访/通话记录")
        self.tabs.addTab(self._ratings_tab(), "满意度")
        layout.addWidget(self.tabs, 1)
        bottom = QHBoxLayout()
        hint = QLabel("双击一行打开对应的投诉案件")
        hint.setObjectName("muted")
        bottom.addWidget(hint, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.refresh()

    # ------------------------------------------------------------ building

    def _header(self) -> QVBoxLayout:
        box = QVBoxLayout()
        box.setSpacing(2)
        top = QHBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("pageTitle")
        self.phone = QLabel()
        self.phone.setObjectName("customerPhone")
        self.phone.setToolTip("完整号码请在案件页查看（查看会记录在时间线上）")
        top.addWidget(self.name)
        top.addSpacing(12)
        top.addWidget(self.phone)
        top.addStretch(1)
        box.addLayout(top)
        self.address = QLabel()
        self.address.setObjectName("customerAddress")
        self.address.setWordWrap(True)
        self.address.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.earlier = QLabel()
        self.earlier.setObjectName("muted")
        self.earlier.setWordWrap(True)
        box.addWidget(self.address)
        box.addWidget(self.earlier)
        return box

    def _figures(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.figures: dict[str, QLabel] = {}
        for key, label in (
            ("cases", "投诉"),
            ("open", "未结案"),
            ("last_contact", "最近联系"),
            ("satisfaction", "平均满意度"),
        ):
            tile = QFrame()
            tile.setStyleSheet(
                f"QFrame {{ background: {theme.PANEL}; border: 1px solid {theme.BORDER};"
                " border-radius: 6px; }"
            )
            inner = QHBoxLayout(tile)
            inner.setContentsMargins(10, 6, 10, 6)
            name = QLabel(label)
            name.setStyleSheet(f"border: none; color: {theme.MUTED};")
            value = QLabel()
            value.setObjectName(f"figure_{key}")
            value.setStyleSheet("border: none; font-size: 13pt; font-weight: 600;")
            inner.addWidget(name)
            inner.addStretch(1)
            inner.addWidget(value)
            self.figures[key] = value
            row.addWidget(tile, 1)
        return row

    def _section(self, name: str, headers: Sequence[str], stretch: int, empty_text: str) -> Section:
        table = _table(name, headers, stretch)
        table.activated.connect(self._open)  # double-click, or Enter on a selected row
        return Section(table, empty_text)

    def _ratings_tab(self) -> QStackedWidget:
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        self.chart = ScoreChart()
        layout.addWidget(self.chart, 3)
        side = QVBoxLayout()
        self.average = QLabel()
        self.average.setObjectName("ratingAverage")
        self.average.setStyleSheet("font-weight: 600;")
        side.addWidget(self.average)
        self.rating_table = _table("ratingTable", ("日期", "评分", "投诉编号"), 1)
        self.rating_table.activated.connect(self._open)
        side.addWidget(self.rating_table, 1)
        layout.addLayout(side, 2)
        self.ratings = Section(page, EMPTY_RATINGS)
        return self.ratings

    # ------------------------------------------------------------- filling

    def refresh(self) -> None:
        """Read the record again and show it."""
        self.record = customer_record(self.session.store, self.wanted_phone)
        record = self.record
        if record is None:
            self.setWindowTitle("客户档案")
            self.name.setText("客户档案")
            self.phone.setText(mask_phone(self.wanted_phone))
            self.address.hide()  # the case tab says there is nothing on file
            self.earlier.hide()
        else:
            self._fill_header(record)
        self._fill_figures(record)
        self._fill_cases(record.cases if record else ())
        self._fill_visits(record)
        self._fill_calls(record)
        self._fill_ratings(record)

    def _fill_header(self, record: CustomerRecord) -> None:
        name = record.name or "（未填姓名）"
        self.setWindowTitle(f"客户档案 — {name}")
        self.name.setText(name)
        self.phone.setText(mask_phone(record.phone))
        self.address.setText(f"地址：{record.address or '未填写'}")
        self.address.show()
        earlier = []
        if record.other_names:
            earlier.append("曾用姓名：" + "、".join(record.other_names))
        if record.other_addresses:
            earlier.append("曾用地址：" + "；".join(record.other_addresses))
        self.earlier.setText("　".join(earlier))
        self.earlier.setVisible(bool(earlier))

    def _fill_figures(self, record: CustomerRecord | None) -> None:
        if record is None:
            for label in self.figures.values():
                label.setText("—")
            return
        voided = f"（另有 {record.voided_count} 件作废）" if record.voided_count else ""
        self.figures["cases"].setText(f"{record.case_count} 件{voided}")
        self.figures["open"].setText(f"{record.open_count} 件")
        self.figures["last_contact"].setText(_day(record.last_contact_at))
        average = record.average_satisfaction
        self.figures["satisfaction"].setText("—" if average is None else f"{average:.1f} / 5")

    def _fill_cases(self, lines: Sequence[CaseLine]) -> None:
        table = self.cases.table
        assert isinstance(table, QTableWidget)
        table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            items = _fill_row(
                table,
                row,
                line.case_id,
                (
                    line.case_no,
                    _day(line.received_at),
                    line.category,
                    line.severity.label,
                    line.stage.label,
                    line.satisfaction_label or "—",
                    line.summary,
                ),
                theme.MUTED if line.voided else None,
            )
            if not line.voided and line.severity != Severity.NORMAL:
                items[3].setForeground(theme.severity_colour(line.severity))
            if line.satisfaction is not None and not line.voided:
                items[5].setForeground(QColor(score_colour(line.satisfaction)))
        self.cases.show_rows(bool(lines))
        self.tabs.setTabText(0, f"投诉记录（{len(lines)}）")

    def _fill_visits(self, record: CustomerRecord | None) -> None:
        visits = record.visits if record else ()
        table = self.visits.table
        assert isinstance(table, QTableWidget)
        table.setRowCount(len(visits))
        for row, visit in enumerate(visits):
            items = _fill_row(
                table,
                row,
                visit.case_id,
                (
                    f"{_minute(visit.starts_at)}–{visit.ends_at:%H:%M}",
                    visit.kind.label,
                    visit.staff_name,
                    visit.status_label,
                    visit.case_no,
                    visit.note or visit.address,
                ),
            )
            if visit.done:
                items[3].setForeground(QColor(SATISFIED))
        self.visits.show_rows(bool(visits))
        self.tabs.setTabText(1, f"上门记录（{len(visits)}）")

    def _fill_calls(self, record: CustomerRecord | None) -> None:
        calls = record.calls if record else ()
        table = self.calls.table
        assert isinstance(table, QTableWidget)
        table.setRowCount(len(calls))
        for row, call in enumerate(calls):
            items = _fill_row(
                table,
                row,
                call.case_id,
                (
                    _minute(call.at),
                    call.staff_name,
                    call.method.label,
                    call.purpose.label,
                    "联系上" if call.reached else "未联系上",
                    call.satisfaction_label or "—",
                    call.case_no,
                    call.customer_words,
                ),
            )
            if not call.reached:
                items[4].setForeground(QColor(theme.OVERDUE))
            if call.satisfaction is not None:
                items[5].setForeground(QColor(score_colour(call.satisfaction)))
        self.calls.show_rows(bool(calls))
        self.tabs.setTabText(2, f"回访/通话记录（{len(calls)}）")

    def _fill_ratings(self, record: CustomerRecord | None) -> None:
        ratings = record.ratings if record else ()
        self.chart.show_ratings(ratings)
        average = record.average_satisfaction if record else None
        self.average.setText(
            "" if average is None else f"平均 {average:.1f} / 5 · 共 {len(ratings)} 次评分"
        )
        table = self.rating_table
        table.setRowCount(len(ratings))
        case_ids = {line.case_no: line.case_id for line in record.cases} if record else {}
        # Newest first in the table, as in the other tabs; the chart reads left to right.
        for row, rating in enumerate(reversed(ratings)):
            items = _fill_row(
                table,
                row,
                case_ids.get(rating.case_no, 0),
                (_day(rating.at), f"{rating.score} {rating.label}", rating.case_no),
            )
            items[1].setForeground(QColor(score_colour(rating.score)))
        self.ratings.show_rows(bool(ratings))
        self.tabs.setTabText(3, f"满意度（{len(ratings)}）")

    # ------------------------------------------------------------- opening

    def _open(self, index: QModelIndex) -> None:
        case_id = index.data(CASE_ID_ROLE)
        if not case_id:
            return
        self.caseRequested.emit(int(case_id))
        self.accept()
