"""每日汇总: one day's 每日汇总单 on screen, to print or save for the morning meeting.

The figures and tables are `daily.sections`, the same the printed sheet has;
打印 and 导出PDF send the sheet made by `daily_pdf`. Each table is as tall as
its rows and the page scrolls, so nothing hides inside a small table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..daily import (
    HEADLINE_LABELS,
    NOTHING,
    DailySummary,
    Section,
    daily_summary,
    day_label,
    is_over,
    sections,
)
from . import theme
from .printing import print_with_dialog, save_pdf
from .session import Session

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_HEIGHT = 26
# The sections in the sheet's order, each with the column that takes the room
# left (and elides, with the whole text as tooltip); the others fit their text.
STRETCH = {
    "received": 7,
    "moves": 6,
    "closed": 5,
    "overdue": 6,
    "calls": 6,
    "visits": 4,
    "tomorrow": 4,
}


class SectionTable(QTableWidget):
    """One section's rows, read-only, as tall as its rows (the page scrolls instead)."""

    caseRequested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        # Room between fitted columns (the size hints include the padding).
        self.setStyleSheet("QTableWidget::item { padding: 0px 6px; }")
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustIgnored)
        # Double-click or Enter (activation) opens the row's case.
        self.itemActivated.connect(self._open)

    def show_section(self, section: Section, stretch: int) -> None:
        self.clearContents()
        self.setColumnCount(len(section.columns))
        self.setHorizontalHeaderLabels(list(section.columns))
        self.setRowCount(len(section.rows))
        alert = QColor(theme.OVERDUE)
        for number, row in enumerate(section.rows):
            for column, text in enumerate(row.cells):
                cell = QTableWidgetItem(text)
                if column == stretch:
                    cell.setToolTip(text)  # it may be cut short with …
                if row.alert:
                    cell.setForeground(alert)
                self.setItem(number, column, cell)
            first = self.item(number, 0)
            assert first is not None
            first.setData(CASE_ID_ROLE, row.case_id)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        self.setFixedHeight(
            header.sizeHint().height() + ROW_HEIGHT * len(section.rows) + 2 * self.frameWidth()
        )

    def case_at(self, row: int) -> int | None:
        item = self.item(row, 0)
        value = item.data(CASE_ID_ROLE) if item is not None else None
        return None if value is None else int(value)

    def _open(self, item: QTableWidgetItem) -> None:
        case_id = self.case_at(item.row())
        if case_id is not None:
            self.caseRequested.emit(case_id)


class DailyPage(QWidget):
    """Signals:
    caseRequested(int): open the case of a double-clicked row.
    """

    caseRequested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.summary: DailySummary | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(self._bar())
        self.status = QLabel()
        self.status.setObjectName("muted")
        layout.addWidget(self.status)
        layout.addLayout(self._tiles())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.sections_box = QVBoxLayout(body)
        self.sections_box.setContentsMargins(0, 4, 4, 0)
        self.headings: dict[str, QLabel] = {}
        self.tables: dict[str, SectionTable] = {}
        self.empties: dict[str, QLabel] = {}
        for key in STRETCH:
            self._add_section(key)
        self.sections_box.addStretch(1)
        scroll.setWidget(body)
        layout.addWidget(scroll, 1)
        # Read when first shown, and again when shown after a change elsewhere.
        self.stale = True

    def _bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        title = QLabel("每日汇总")
        title.setObjectName("pageTitle")
        bar.addWidget(title)
        bar.addStretch(1)
        today = self.session.clock.now().date()
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setObjectName("day")
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMinimumWidth(124)
        self.date.dateChanged.connect(self.refresh)
        for text, tip, step in (("‹", "前一天", -1), ("今天", "回到今天", 0), ("›", "后一天", 1)):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=step: self.step(s))
            bar.addWidget(button)
            if step == -1:
                bar.addWidget(self.date)
        for text, icon, tip, handler in (
            ("打印", "printer", "打印这一天的每日汇总单（晨会用）", self.print_sheet),
            ("导出PDF", "file-pdf-box", "把每日汇总单保存为 PDF 文件", self.export_sheet),
        ):
            button = QPushButton(theme.icon(icon), text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, h=handler: h())
            bar.addWidget(button)
        return bar

    def _tiles(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.tiles: dict[str, QLabel] = {}
        for label in HEADLINE_LABELS:
            tile = QFrame()
            tile.setObjectName("tile")
            tile.setStyleSheet(
                f"QFrame#tile {{ background: {theme.PANEL}; border: 1px solid {theme.BORDER};"
                " border-radius: 6px; }"
            )
            box = QVBoxLayout(tile)
            box.setContentsMargins(8, 4, 8, 4)
            box.setSpacing(0)
            name = QLabel(label)
            name.setObjectName("muted")
            value = QLabel("0")
            value.setStyleSheet("font-size: 16pt; font-weight: 600;")
            box.addWidget(name)
            box.addWidget(value)
            self.tiles[label] = value
            row.addWidget(tile, 1)
        return row

    def _add_section(self, key: str) -> None:
        heading = QLabel()
        heading.setStyleSheet("font-size: 12pt; font-weight: 600; padding: 8px 0px 0px 0px;")
        table = SectionTable()
        table.setObjectName(f"table_{key}")
        table.caseRequested.connect(self.caseRequested)
        empty = QLabel(NOTHING)
        empty.setObjectName("emptyState")
        for widget in (heading, table, empty):
            self.sections_box.addWidget(widget)
        self.headings[key], self.tables[key], self.empties[key] = heading, table, empty

    # ------------------------------------------------------------ the day

    def day(self) -> dt.date:
        chosen = self.date.date()
        return dt.date(chosen.year(), chosen.month(), chosen.day())

    def set_day(self, day: dt.date) -> None:
        self.date.setDate(QDate(day.year, day.month, day.day))  # refreshes on change

    def step(self, direction: int) -> None:
        today = self.session.clock.now().date()
        self.set_day(today if direction == 0 else self.day() + dt.timedelta(days=direction))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Read the day again now when the page is on screen, else when it is next shown."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        summary = self.summary = daily_summary(
            self.session.store, self.day(), self.session.clock.now()
        )
        until = "全天" if is_over(summary) else f"截至 {summary.as_of:%H:%M}（当天未结束）"
        self.status.setText(f"{day_label(summary.day)} · {until} · 客户姓名已遮盖")
        for label, count in summary.headline():
            self.tiles[label].setText(str(count))
        for section in sections(summary):
            self.headings[section.key].setText(section.heading)
            self.tables[section.key].show_section(section, STRETCH[section.key])
            self.tables[section.key].setVisible(bool(section.rows))
            self.empties[section.key].setVisible(not section.rows)

    # ------------------------------------------------------------ the printed sheet

    def sheet_data(self) -> bytes:
        """The sheet as it stands now (read again: something may have changed since)."""
        from ..daily_pdf import render_daily  # reportlab loads when first printing

        now = self.session.clock.now()
        summary = daily_summary(self.session.store, self.day(), now)
        return render_daily(self.session.store, summary, now=now)

    def print_sheet(self, printer: QPrinter | None = None) -> bool:
        return bool(print_with_dialog(self, self.sheet_data(), "打印每日汇总单", printer))

    def export_sheet(self, target: Path | None = None) -> Path | None:
        return save_pdf(self, self.sheet_data, f"每日汇总单-{self.day():%Y-%m-%d}.pdf", target)
