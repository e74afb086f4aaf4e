"""统计: a range's figures as tiles, charts and tables; the weekly export starts here.

All figures come aggregated from `showroom_cs.stats.report` (SQL); every chart
can be switched to its table and saved as a PNG.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import SATISFACTION_LABELS, Severity, Stage
from ..operations import findings_by_department
from ..permissions import Action
from ..queries import OVERDUE_CASES_MEANING, RECEIVED_MEANING
from ..stats import DIMENSIONS, RangeReport, causes_between, period_bounds, report
from . import theme
from .export_dialog import ExportDialog
from .gate import refusal
from .session import Session

PERIODS = (
    ("本周", "this_week"),
    ("上周", "last_week"),
    ("本月", "this_month"),
    ("上月", "last_month"),
    ("自定义", "custom"),
)
CHART_HEIGHT = 250
ROW_HEIGHT = 26


class ChartCard(QFrame):
    """One breakdown as a horizontal bar chart, switchable to a table, savable as PNG."""

    def __init__(self, title: str, key: str) -> None:
        super().__init__()
        self.setObjectName(f"card_{key}")
        self.setStyleSheet(
            f"QFrame#card_{key} {{ border: 1px solid #d9dee5; border-radius: 6px; }}"
        )
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: 600;")
        top.addWidget(self.title, 1)
        self.switch = QPushButton("表格")
        self.switch.setObjectName("switch")
        self.switch.setToolTip("在图表和表格之间切换")
        self.switch.clicked.connect(self.toggle)
        save = QPushButton("保存图片")
        save.setObjectName("saveImage")
        save.clicked.connect(self.choose_and_save)
        top.addWidget(self.switch)
        top.addWidget(save)
        layout.addLayout(top)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.chart.setMargins(QMargins(4, 4, 4, 4))
        self.chart.setBackgroundRoundness(0)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumHeight(CHART_HEIGHT)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(("项目", "数值"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.table)
        layout.addWidget(self.stack)
        self.empty = QLabel("本期没有数据")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty)

    def show_values(
        self,
        rows: Sequence[tuple[str, float]],
        *,
        percent: bool = False,
        colour: str = theme.ACCENT,
    ) -> None:
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        shown = list(reversed(rows))  # largest at the top of a horizontal chart
        bars = QBarSet("")
        bars.setColor(QColor(colour))
        for _, value in shown:
            bars.append(value * 100 if percent else value)
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsFormat("@value%" if percent else "@value")
        self.chart.addSeries(series)
        labels = QBarCategoryAxis()
        labels.append([label or "（未填）" for label, _ in shown])
        small = QFont(self.font())
        small.setPointSizeF(9)
        labels.setLabelsFont(small)
        self.chart.addAxis(labels, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(labels)
        values = QValueAxis()
        top = max((v * 100 if percent else v for _, v in rows), default=1) or 1
        values.setRange(0, top * 1.15)
        values.setLabelFormat("%d")
        values.applyNiceNumbers()
        values.setLabelsFont(small)
        self.chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)
        self.table.setRowCount(len(rows))
        for number, (label, value) in enumerate(rows):
            self.table.setItem(number, 0, QTableWidgetItem(label or "（未填）"))
            text = f"{value:.0%}" if percent else f"{value:g}"
            cell = QTableWidgetItem(text)
            cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(number, 1, cell)
        # Room for every label: a category axis elides labels it cannot fit.
        self.view.setMinimumHeight(max(CHART_HEIGHT, ROW_HEIGHT * len(rows) + 70))
        self.stack.setVisible(bool(rows))
        self.empty.setVisible(not rows)

    def toggle(self) -> None:
        showing_table = self.stack.currentWidget() is self.table
        self.stack.setCurrentWidget(self.view if showing_table else self.table)
        self.switch.setText("表格" if showing_table else "图表")

    def save_to(self, path: Path) -> bool:
        shown = self.view if self.stack.currentWidget() is self.view else self.table
        return shown.grab().save(str(path), "PNG")

    def choose_and_save(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "保存图片", str(Path.home() / f"{self.title.text()}.png"), "PNG 图片 (*.png)"
        )
        if name:
            self.save_to(Path(name))


class StatsPage(QWidget):
    """Signals: none."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.result: RangeReport | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        title = QLabel("统计")
        title.setObjectName("pageTitle")
        top.addWidget(title)
        top.addStretch(1)
        self.period = QComboBox()
        self.period.setObjectName("period")
        for label, key in PERIODS:
            self.period.addItem(label, key)
        today = session.clock.now().date()
        self.since = QDateEdit(QDate(today.year, today.month, 1))
        self.until = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.dateChanged.connect(self.refresh)
        self.period.currentIndexChanged.connect(self.refresh)
        export = QPushButton("导出周报…")
        export.setObjectName("openExport")
        export.setToolTip("生成发给总部的每周 CSV 文件")
        export.clicked.connect(self.open_export)
        to = QLabel("至")
        for widget in (self.period, self.since, to, self.until, export):
            top.addWidget(widget)
        self.custom_widgets = (self.since, to, self.until)
        outer.addLayout(top)
        self.range = QLabel()
        self.range.setObjectName("muted")
        outer.addWidget(self.range)
        tiles = QHBoxLayout()
        self.tiles: dict[str, QLabel] = {}
        for key, label, meaning in (
            ("received", "新登记", RECEIVED_MEANING),
            ("closed", "结案", "这段时间结案或判定不成立的案件"),
            ("valid", "成立率", "这段时间登记、已判定的投诉中成立的比例"),
            ("on_time", "按时率", "这段时间完成或到期的时限中按时完成的比例"),
            ("satisfaction", "平均满意度", "这段时间结案的案件的回访满意度（5 分满分）"),
            ("overdue", "超时案件（现在）", "现在" + OVERDUE_CASES_MEANING + "，与窗口底部相同"),
        ):
            tiles.addWidget(self._tile(key, label, meaning))
        outer.addLayout(tiles)
        self.metrics = QLabel()
        self.metrics.setObjectName("metrics")
        self.metrics.setWordWrap(True)
        outer.addWidget(self.metrics)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        grid = QGridLayout(body)
        self.cards: dict[str, ChartCard] = {}
        titles = {
            **DIMENSIONS,
            "satisfaction": "满意度分布（本期结案）",
            "on_time": "各时限按时率",
            "brands": "投诉最多的品牌型号",
            "causes": "问题原因（本期结案，先改最多的）",
            # Shown to managers only, decided at each refresh: whoever unlocks
            # the window next may be a clerk.
            "findings": "责任认定（按部门，仅管理人员可见）",
        }
        for number, (key, name) in enumerate(titles.items()):
            card = ChartCard(name, key)
            self.cards[key] = card
            grid.addWidget(card, number // 2, number % 2)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        # Charts are built when the page is first shown, not at start-up.
        self.stale = True

    def _tile(self, key: str, label: str, meaning: str) -> QFrame:
        tile = QFrame()
        tile.setToolTip(meaning)
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

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        key = self.period.currentData()
        custom = key == "custom"
        for widget in self.custom_widgets:
            widget.setVisible(custom)
        if not custom:
            return period_bounds(key, self.session.clock.now().date())
        since, until = self.since.date(), self.until.date()
        start = dt.datetime(since.year(), since.month(), since.day())
        end = dt.datetime(until.year(), until.month(), until.day()) + dt.timedelta(days=1)
        return start, max(end, start + dt.timedelta(days=1))

    def open_export(self) -> None:
        ExportDialog(self.session, self).exec()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def refresh(self) -> None:
        """Recompute the figures now when the page is on screen, else when it is next shown."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        start, end = self.bounds()
        result = self.result = report(self.session.store, start, end, self.session.clock.now())
        summary = result.summary
        self.range.setText(f"{start:%Y-%m-%d} 至 {end - dt.timedelta(days=1):%Y-%m-%d}")
        self.tiles["received"].setText(str(summary.received))
        self.tiles["closed"].setText(str(summary.closed + summary.invalid))
        self.tiles["valid"].setText(_percent(result.valid_rate))
        self.tiles["on_time"].setText(_percent(summary.on_time_rate))
        self.tiles["satisfaction"].setText(
            "—" if summary.satisfaction is None else f"{summary.satisfaction:.1f} / 5"
        )
        self.tiles["overdue"].setText(str(summary.overdue_now))
        self.metrics.setText(
            f"首次响应用时：{_spread(result.first_contact_hours, '小时')}　"
            f"结案用时：{_spread(result.close_days, '天')}　"
            f"升级案件：{result.escalated} 件　重开率：{_percent(result.reopen_rate)}"
        )
        settings = self.session.store.settings()
        list_of = {
            "category": "category",
            "product_category": "product_category",
            "channel": "channel",
            "department": "department",
        }
        for key in DIMENSIONS:
            rows: list[tuple[str, float]] = []
            for raw, count in result.counts[key]:
                if key in list_of:
                    label = settings.label_of(list_of[key], raw)
                elif key == "severity":
                    label = Severity(raw).label
                else:
                    label = Stage(raw).label
                rows.append((label, count))
            self.cards[key].show_values(rows)
        self.cards["satisfaction"].show_values(
            [(SATISFACTION_LABELS[score], count) for score, count in result.satisfaction],
            colour="#2e7d32",
        )
        self.cards["on_time"].show_values(
            [
                (kind.label, kept / (kept + missed))
                for kind, kept, missed in result.on_time_by_clock
                if kept + missed
            ],
            percent=True,
            colour="#ef6c00",
        )
        self.cards["brands"].show_values([(name, count) for name, count in result.top_brands])
        self.cards["causes"].show_values(
            causes_between(self.session.store, start, end), colour="#6a1b9a"
        )
        findings = self.cards["findings"]
        manager = refusal(self.session, Action.RECORD_FINDING) is None  # private to managers
        findings.setVisible(manager)
        findings.show_values(
            [
                (settings.label_of("department", f.department), f.total)
                for f in findings_by_department(self.session.ctx(), start, end)
            ]
            if manager
            else [],
            colour="#455a64",
        )


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _spread(values: tuple[float, float] | None, unit: str) -> str:
    if values is None:
        return "—"
    median, p90 = values
    return f"中位 {median:.1f} {unit}，90% 在 {p90:.1f} {unit}内"
