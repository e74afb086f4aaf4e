"""The main window: stage overview and the newest open cases.

The full shell (navigation, intake form, kanban, case view) grows on this
window; for now it shows what the database holds, read through the core.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
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
from ..domain import OPEN_STAGES, Severity, Stage
from ..privacy import mask_name, mask_phone
from ..queries import overdue_count, stage_counts
from ..sla import describe_remaining
from ..store import Store

SEVERITY_COLOURS = {
    Severity.URGENT: "#c62828",
    Severity.IMPORTANT: "#ef6c00",
    Severity.NORMAL: "#546e7a",
}
COLUMNS = ("投诉编号", "受理时间", "客户", "电话", "类别", "严重程度", "阶段", "最近时限")


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
        layout.addLayout(self._stage_tiles())
        self.table = self._recent_table()
        layout.addWidget(self.table, 1)
        self.setCentralWidget(body)
        self._fill_status_bar()

    def _stage_tiles(self) -> QHBoxLayout:
        counts = stage_counts(self.store)
        row = QHBoxLayout()
        row.setSpacing(8)
        for stage in (*OPEN_STAGES, Stage.CLOSED, Stage.INVALID):
            tile = QFrame()
            tile.setObjectName(f"tile_{stage.value}")
            tile.setStyleSheet(
                "QFrame { background: #f5f7fa; border: 1px solid #d9dee5; border-radius: 6px; }"
            )
            box = QVBoxLayout(tile)
            name = QLabel(stage.label)
            name.setStyleSheet("border: none; color: #455a64;")
            number = QLabel(str(counts[stage]))
            number.setObjectName(f"count_{stage.value}")
            number.setStyleSheet("border: none; font-size: 18pt; font-weight: 600;")
            box.addWidget(name)
            box.addWidget(number)
            row.addWidget(tile)
        return row

    def _recent_table(self) -> QTableWidget:
        marks = ",".join("?" for _ in OPEN_STAGES)
        ids = [
            row[0]
            for row in self.store.query(
                f"SELECT id FROM cases WHERE stage IN ({marks}) ORDER BY received_at DESC LIMIT 200",
                [s.value for s in OPEN_STAGES],
            )
        ]
        cases = self.store.cases(ids)
        settings = self.store.settings()
        now = self.clock.now()
        table = QTableWidget(len(cases), len(COLUMNS))
        table.setObjectName("recent_cases")
        table.setHorizontalHeaderLabels(COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        for row, case in enumerate(cases):
            late = case.next_due_at is not None and case.next_due_at <= now
            due = describe_remaining(case.next_due_at, now) if case.next_due_at else ""
            if case.next_due_kind and due:
                due = f"{case.next_due_kind.label} {due}"
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
                    item.setForeground(QColor("#c62828"))
                table.setItem(row, column, item)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        return table

    def _fill_status_bar(self) -> None:
        overdue = overdue_count(self.store, self.clock.now())
        self.statusBar().showMessage(
            f"数据库：{self.store.path} · 数据版本 {self.store.schema_version()} · 超时 {overdue}"
        )
