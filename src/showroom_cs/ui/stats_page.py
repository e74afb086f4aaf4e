"""统计: a period's key figures and its cases by category and stage.

Charts, trends and the head-office export grow on this page; the figures
come from `showroom_cs.stats`, which the weekly summary shares.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..stats import period_bounds, summarise
from .export_dialog import ExportDialog
from .session import Session

PERIODS = (
    ("本周", "this_week"),
    ("上周", "last_week"),
    ("本月", "this_month"),
    ("上月", "last_month"),
)


class StatsPage(QWidget):
    """Signals: none."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        title = QLabel("统计")
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addStretch(1)
        export = QPushButton("导出周报…")
        export.setObjectName("openExport")
        export.setToolTip("生成发给总部的每周 CSV 文件")
        export.clicked.connect(self.open_export)
        top.addWidget(export)
        self.period = QComboBox()
        self.period.setObjectName("period")
        for label, key in PERIODS:
            self.period.addItem(label, key)
        self.period.currentIndexChanged.connect(self.refresh)
        top.addWidget(self.period)
        layout.addLayout(top)
        self.range = QLabel()
        self.range.setObjectName("muted")
        layout.addWidget(self.range)
        tiles = QHBoxLayout()
        self.tiles: dict[str, QLabel] = {}
        for key, label in (
            ("received", "新登记"),
            ("closed", "结案"),
            ("on_time", "按时率"),
            ("satisfaction", "平均满意度"),
            ("overdue", "当前超时"),
        ):
            tiles.addWidget(self._tile(key, label))
        layout.addLayout(tiles)
        tables = QGridLayout()
        self.by_category = self._table("按投诉类别", ("类别", "件数"))
        self.by_stage = self._table("按当前阶段", ("阶段", "件数"))
        tables.addWidget(QLabel("按投诉类别（本期登记）"), 0, 0)
        tables.addWidget(QLabel("按当前阶段（本期登记）"), 0, 1)
        tables.addWidget(self.by_category, 1, 0)
        tables.addWidget(self.by_stage, 1, 1)
        layout.addLayout(tables, 1)
        self.refresh()

    def _tile(self, key: str, label: str) -> QFrame:
        tile = QFrame()
        tile.setStyleSheet(
            "QFrame { background: #f5f7fa; border: 1px solid #d9dee5; border-radius: 6px; }"
        )
        box = QVBoxLayout(tile)
        name = QLabel(label)
        name.setStyleSheet("border: none; color: #607d8b;")
        value = QLabel()
        value.setObjectName(f"tile_{key}")
        value.setStyleSheet("border: none; font-size: 20pt; font-weight: 600;")
        box.addWidget(name)
        box.addWidget(value)
        self.tiles[key] = value
        return tile

    def _table(self, name: str, headers: tuple[str, str]) -> QTableWidget:
        table = QTableWidget(0, 2)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setStretchLastSection(True)
        table.setColumnWidth(0, 200)
        return table

    def open_export(self) -> None:
        ExportDialog(self.session, self).exec()

    def refresh(self) -> None:
        now = self.session.clock.now()
        start, end = period_bounds(self.period.currentData(), now.date())
        summary = summarise(self.session.store, start, end, now)
        last_day = end.date().fromordinal(end.date().toordinal() - 1)
        self.range.setText(f"{start:%Y-%m-%d} 至 {last_day:%Y-%m-%d}")
        self.tiles["received"].setText(str(summary.received))
        self.tiles["closed"].setText(str(summary.closed + summary.invalid))
        self.tiles["on_time"].setText(
            "—" if summary.on_time_rate is None else f"{summary.on_time_rate:.0%}"
        )
        self.tiles["satisfaction"].setText(
            "—" if summary.satisfaction is None else f"{summary.satisfaction:.1f} / 5"
        )
        self.tiles["overdue"].setText(str(summary.overdue_now))
        settings = self.session.store.settings()
        _fill(
            self.by_category,
            [(settings.label_of("category", k), n) for k, n in summary.by_category],
        )
        _fill(self.by_stage, [(stage.label, n) for stage, n in summary.by_stage])


def _fill(table: QTableWidget, rows: list[tuple[str, int]]) -> None:
    table.setRowCount(len(rows))
    for row, (label, count) in enumerate(rows):
        table.setItem(row, 0, QTableWidgetItem(label))
        number = QTableWidgetItem(str(count))
        number.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        table.setItem(row, 1, number)
