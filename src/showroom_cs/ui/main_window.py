"""The main window: stage overview and the newest open cases.

The full shell (navigation, intake form, kanban, case view) grows on this
window; for now it shows what the database holds, read through the core,
and runs the time-limit sweep every minute.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..clock import Clock
from ..domain import OPEN_STAGES, Case, Severity, Stage
from ..operations import Context, check_clocks
from ..privacy import mask_name, mask_phone
from ..queries import open_cases_newest_first, overdue_count, stage_counts
from ..sla import describe_remaining
from ..store import Store

SEVERITY_COLOURS = {
    Severity.URGENT: "#c62828",
    Severity.IMPORTANT: "#ef6c00",
    Severity.NORMAL: "#546e7a",
}
OVERDUE_COLOUR = "#c62828"
COLUMNS = ("投诉编号", "受理时间", "客户", "电话", "类别", "严重程度", "阶段", "最近时限")
TILE_STAGES = (*OPEN_STAGES, Stage.CLOSED, Stage.INVALID)
SWEEP_INTERVAL_MS = 60_000


class MainWindow(QMainWindow):
    """The counter PC's window. Signals: none yet."""

    def __init__(self, store: Store, clock: Clock) -> None:
        super().__init__()
        self.store = store
        self.clock = clock
        settings = store.settings()
        self.setWindowTitle(f"门店客诉台 — {settings.showroom_name}")
        self.resize(1200, 760)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(12)
        title = QLabel(settings.showroom_name)
        title.setStyleSheet("font-size: 20pt; font-weight: 600;")
        layout.addWidget(title)
        self.counts: dict[Stage, QLabel] = {}
        layout.addLayout(self._stage_tiles())
        self.table = self._table()
        layout.addWidget(self.table, 1)
        self.setCentralWidget(body)
        self.refresh()
        # Clocks run out while the window is open: sweep and repaint every minute.
        self.sweep_timer = QTimer(self)
        self.sweep_timer.setInterval(SWEEP_INTERVAL_MS)
        self.sweep_timer.timeout.connect(self.sweep)
        self.sweep_timer.start()

    def _stage_tiles(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(8)
        for stage in TILE_STAGES:
            tile = QFrame()
            tile.setStyleSheet(
                "QFrame { background: #f5f7fa; border: 1px solid #d9dee5; border-radius: 6px; }"
            )
            box = QVBoxLayout(tile)
            name = QLabel(stage.label)
            name.setStyleSheet("border: none; color: #455a64;")
            number = QLabel()
            number.setObjectName(f"count_{stage.value}")
            number.setStyleSheet("border: none; font-size: 18pt; font-weight: 600;")
            box.addWidget(name)
            box.addWidget(number)
            row.addWidget(tile)
            self.counts[stage] = number
        return row

    def _table(self) -> QTableWidget:
        table = QTableWidget(0, len(COLUMNS))
        table.setObjectName("recent_cases")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    def sweep(self) -> None:
        """Mark missed time limits (escalating those cases), then repaint."""
        check_clocks(Context(self.store, self.clock, None))
        self.refresh()

    def refresh(self) -> None:
        counts = stage_counts(self.store)
        for stage, label in self.counts.items():
            label.setText(str(counts[stage]))
        cases = self.store.cases(open_cases_newest_first(self.store, limit=200))
        self.table.setRowCount(len(cases))
        for row, case in enumerate(cases):
            self._fill_row(row, case)
        overdue = overdue_count(self.store, self.clock.now())
        self.statusBar().showMessage(
            f"数据库：{self.store.path} · 数据版本 {self.store.schema_version()} · 超时 {overdue}"
        )

    def _fill_row(self, row: int, case: Case) -> None:
        settings = self.store.settings()
        now = self.clock.now()
        late = case.next_due_at is not None and case.next_due_at <= now
        due = ""
        if case.next_due_at is not None and case.next_due_kind is not None:
            due = f"{case.next_due_kind.label} {describe_remaining(case.next_due_at, now)}"
        values = (
            case.case_no,
            f"{case.received_at:%Y-%m-%d %H:%M}",
            mask_name(case.customer_name),
            mask_phone(case.customer_phone),
            settings.label_of("category", case.category),
            case.severity.label,
            case.stage.label,
            due,
        )
        for column, value in enumerate(values):
            item = QTableWidgetItem(value)
            if column == 5:
                item.setForeground(Qt.GlobalColor.white)
                item.setBackground(QColor(SEVERITY_COLOURS[case.severity]))
            if column == 7 and late:
                item.setForeground(QColor(OVERDUE_COLOUR))
            self.table.setItem(row, column, item)
