"""设置 · 时限与审批: the SLA table with each limit's counting and escalation,
opening hours, closed weekdays and dates, calling windows, the call slot
length and the approval thresholds."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ..domain import ClockKind, Role, Severity
from ..settings import SLA_UNITS, SWITCHABLE_LIMITS, Settings
from .session import Session
from .settings_tab import SettingsTab, compact

SEVERITIES = (Severity.URGENT, Severity.IMPORTANT, Severity.NORMAL)
WEEKDAY_NAMES = "一二三四五六日"
IN_OPENING_HOURS, AROUND_THE_CLOCK = "营业时间内计时", "全天计时"
COUNTING_HELP = (
    "营业时间内计时：只算门店开门的时间，下班后、每周休息日和休息日期暂停，"
    "不会在关门时到期。\n"
    "全天计时：按钟点连续计算，夜里和休息日也算（如紧急漏水，顾客等不到第二天）。\n"
    "回访按回访时段：在营业日的回访时段内打完，不受这两种方式影响。"
)


def date_text(day: dt.date) -> str:
    return f"{day:%Y-%m-%d} 周{WEEKDAY_NAMES[day.weekday()]}"


def _time_edit(value: dt.time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setDisplayFormat("HH:mm")
    compact(edit, 80)
    return edit


def _day_of(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


def _time_of(edit: QTimeEdit) -> dt.time:
    value = edit.time()
    return dt.time(value.hour(), value.minute())


class LimitsTab(SettingsTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        settings = session.store.settings()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addWidget(self._sla_box(settings))
        column.addWidget(self._hours_box(settings))
        column.addWidget(self._approval_box(settings))
        scroll.setWidget(body)
        self.layout_.addWidget(scroll, 1)
        body.setEnabled(self.may_edit)
        self.finish(self.save)
        self.layout_.takeAt(self.layout_.count() - 1)  # no stretch: the scroll area fills

    # the SLA table ---------------------------------------------------------

    def _sla_box(self, settings: Settings) -> QGroupBox:
        box = QGroupBox("时限（超时后案件变红，并按右列升级）")
        self.sla = QTableWidget(len(ClockKind), 6)
        self.sla.setObjectName("slaTable")
        self.sla.setHorizontalHeaderLabels(("时限", "紧急", "重要", "一般", "计时方式", "超时升级"))
        self.sla.verticalHeader().setVisible(False)
        self.sla.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.sla_spins: dict[tuple[ClockKind, Severity], QSpinBox] = {}
        self.escalate: dict[ClockKind, QCheckBox] = {}
        self.counting: dict[ClockKind, QComboBox] = {}
        for row, clock in enumerate(ClockKind):
            self.sla.setItem(row, 0, QTableWidgetItem(f"{clock.label}（{SLA_UNITS[clock]}）"))
            for col, severity in enumerate(SEVERITIES, start=1):
                spin = QSpinBox()
                spin.setRange(-99, 999)  # the core refuses what makes no sense, in words
                spin.setValue(settings.sla_value(clock, severity))
                spin.setObjectName(f"sla_{clock.value}_{severity.value}")
                compact(spin)
                self.sla.setCellWidget(row, col, spin)
                self.sla_spins[clock, severity] = spin
            self.sla.setCellWidget(row, 4, self._counting_cell(clock, settings))
            check = QCheckBox("升级")
            check.setChecked(settings.escalate_on_breach.get(clock, True))
            self.sla.setCellWidget(row, 5, check)
            self.escalate[clock] = check
        self.sla.setMinimumHeight(44 + 36 * len(ClockKind))
        help_text = QLabel(COUNTING_HELP)
        help_text.setObjectName("countingHelp")
        help_text.setWordWrap(True)
        column = QVBoxLayout(box)
        column.addWidget(self.sla)
        column.addWidget(help_text)
        return box

    def _counting_cell(self, clock: ClockKind, settings: Settings) -> QWidget:
        if clock not in SWITCHABLE_LIMITS:
            return QLabel("按回访时段")
        mode = QComboBox()
        mode.setObjectName(f"counting_{clock.value}")
        mode.addItems((IN_OPENING_HOURS, AROUND_THE_CLOCK))
        mode.setCurrentIndex(0 if clock in settings.opening_hours_limits else 1)
        self.counting[clock] = mode
        return mode

    # hours and calling windows ------------------------------------------------

    def _hours_box(self, settings: Settings) -> QGroupBox:
        box = QGroupBox("营业与回访")
        form = QFormLayout(box)
        opens, closes = settings.opening_hours
        self.opens, self.closes = _time_edit(opens), _time_edit(closes)
        row = QHBoxLayout()
        row.addWidget(self.opens)
        row.addWidget(QLabel("至"))
        row.addWidget(self.closes)
        row.addStretch(1)
        form.addRow("营业时间", row)
        days = QHBoxLayout()
        self.closed_days: list[QCheckBox] = []
        for number, name in enumerate(WEEKDAY_NAMES):
            check = QCheckBox(f"周{name}")
            check.setChecked(number in settings.closed_weekdays)
            days.addWidget(check)
            self.closed_days.append(check)
        days.addStretch(1)
        form.addRow("每周休息", days)
        form.addRow("休息日期", self._closed_dates_editor(settings))
        self.windows_box = QGridLayout()
        self.window_rows: list[tuple[QTimeEdit, QTimeEdit, QPushButton]] = []
        for start, end in settings.calling_windows:
            self._add_window(start, end)
        add = QPushButton("添加时段")
        add.setObjectName("addWindow")
        add.setMaximumWidth(120)
        add.clicked.connect(lambda: self._add_window(dt.time(15, 0), dt.time(16, 0)))
        windows = QVBoxLayout()
        windows.addLayout(self.windows_box)
        windows.addWidget(add)
        form.addRow("回访时段", windows)
        self.call_minutes = QSpinBox()
        self.call_minutes.setObjectName("callMinutes")
        self.call_minutes.setRange(1, 120)
        self.call_minutes.setSuffix(" 分钟")
        self.call_minutes.setValue(settings.call_minutes)
        compact(self.call_minutes)
        form.addRow("每通回访预留", self.call_minutes)
        return box

    def _closed_dates_editor(self, settings: Settings) -> QWidget:
        """Holidays and stock-taking days: whole days the showroom is closed."""
        self.closed_dates = QListWidget()
        self.closed_dates.setObjectName("closedDates")
        self.closed_dates.setMaximumHeight(96)
        self.closed_dates.setMaximumWidth(220)
        for day in sorted(settings.closed_dates):
            self._add_closed_date(day)
        self.closed_dates.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        today = self.session.clock.now().date()
        self.new_closed_date = QDateEdit(QDate(today.year, today.month, today.day))
        self.new_closed_date.setObjectName("newClosedDate")
        self.new_closed_date.setDisplayFormat("yyyy-MM-dd")
        self.new_closed_date.setCalendarPopup(True)
        compact(self.new_closed_date, 130)
        add = QPushButton("添加")
        add.setObjectName("addClosedDate")
        add.clicked.connect(lambda: self._add_closed_date(_day_of(self.new_closed_date)))
        remove = QPushButton("删除选中")
        remove.setObjectName("removeClosedDate")
        remove.clicked.connect(self._remove_closed_dates)
        buttons = QVBoxLayout()
        buttons.addWidget(self.new_closed_date)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.closed_dates)
        row.addLayout(buttons)
        row.addStretch(1)
        editor = QWidget()
        editor.setLayout(row)
        return editor

    def _closed_date_list(self) -> list[dt.date]:
        return [
            self.closed_dates.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.closed_dates.count())
        ]

    def _add_closed_date(self, day: dt.date) -> None:
        days = self._closed_date_list()
        if day in days:
            return
        item = QListWidgetItem(date_text(day))
        item.setData(Qt.ItemDataRole.UserRole, day)
        position = sum(1 for other in days if other < day)  # kept in date order
        self.closed_dates.insertItem(position, item)

    def _remove_closed_dates(self) -> None:
        for item in self.closed_dates.selectedItems():
            self.closed_dates.takeItem(self.closed_dates.row(item))

    def _add_window(self, start: dt.time, end: dt.time) -> None:
        first, last = _time_edit(start), _time_edit(end)
        remove = QPushButton("删除")
        row = len(self.window_rows)
        self.windows_box.addWidget(first, row, 0)
        self.windows_box.addWidget(QLabel("至"), row, 1)
        self.windows_box.addWidget(last, row, 2)
        self.windows_box.addWidget(remove, row, 3)
        self.windows_box.setColumnStretch(4, 1)
        entry = (first, last, remove)
        self.window_rows.append(entry)
        remove.clicked.connect(lambda: self._remove_window(entry))

    def _remove_window(self, entry: tuple[QTimeEdit, QTimeEdit, QPushButton]) -> None:
        self.window_rows.remove(entry)
        for widget in entry:
            widget.hide()
            widget.deleteLater()

    # approvals -------------------------------------------------------------

    def _approval_box(self, settings: Settings) -> QGroupBox:
        box = QGroupBox("赠礼与赔偿的审批额度（每件；0 表示不能审批）")
        form = QFormLayout(box)
        self.limits: dict[Role, tuple[QDoubleSpinBox, QCheckBox]] = {}
        for role in Role:
            limit = settings.approval_limit_fen(role)
            amount = QDoubleSpinBox()
            amount.setRange(-1_000_000, 10_000_000)
            amount.setDecimals(2)
            amount.setSuffix(" 元")
            amount.setValue((limit or 0) / 100)
            compact(amount, 160)
            unlimited = QCheckBox("不限")
            unlimited.setChecked(limit is None)
            amount.setEnabled(limit is not None)
            unlimited.toggled.connect(lambda on, spin=amount: spin.setEnabled(not on))
            row = QHBoxLayout()
            row.addWidget(amount)
            row.addWidget(unlimited)
            row.addStretch(1)
            form.addRow(role.label, row)
            self.limits[role] = (amount, unlimited)
        return box

    # saving ------------------------------------------------------------------

    def save(self) -> None:
        settings = self.session.store.settings()
        sla = {
            clock: {severity: self.sla_spins[clock, severity].value() for severity in SEVERITIES}
            for clock in ClockKind
        }
        limits: dict[Role, int | None] = {
            role: None if unlimited.isChecked() else round(amount.value() * 100)
            for role, (amount, unlimited) in self.limits.items()
        }
        self.apply(
            dataclasses.replace(
                settings,
                sla=sla,
                escalate_on_breach={c: box.isChecked() for c, box in self.escalate.items()},
                opening_hours=(_time_of(self.opens), _time_of(self.closes)),
                closed_weekdays=frozenset(
                    n for n, box in enumerate(self.closed_days) if box.isChecked()
                ),
                closed_dates=frozenset(self._closed_date_list()),
                opening_hours_limits=frozenset(
                    clock for clock, mode in self.counting.items() if mode.currentIndex() == 0
                ),
                calling_windows=tuple(
                    (_time_of(first), _time_of(last)) for first, last, _ in self.window_rows
                ),
                call_minutes=self.call_minutes.value(),
                approval_limits_fen=limits,
            )
        )
