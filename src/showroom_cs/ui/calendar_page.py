"""回访日历: month, week and day views of visits, calls and due times.

Each view shows what `agenda()` returns for its visible days only. In the week
view a planned visit or call can be dragged to another day or time; a double
booking of a visit asks before it is saved.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QPoint, QRectF, QSize, Qt, QTime, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTimeEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..agenda import AgendaItem, ItemKind, agenda
from ..errors import ShowroomError
from ..search import search_case_ids
from ..settings import Settings
from ..sla import is_opening_day
from . import theme
from .action_dialog import ActionDialog, double_booking_agreed
from .printing import print_with_dialog, save_pdf
from .session import Session

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")
KIND_COLOURS = {
    ItemKind.VISIT: theme.ACCENT,
    ItemKind.REINSPECTION: "#00897b",
    ItemKind.CALL: "#ef6c00",
    ItemKind.DUE: "#78909c",
}
CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
# The hours and days the shop is closed: limits counted in opening hours pause.
CLOSED_SHADE = "#e4e8ed"
CALLING_SHADE = "#ffe0b2"


def colour_of(item: AgendaItem) -> str:
    return theme.OVERDUE if item.overdue else KIND_COLOURS[item.kind]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class CalendarPage(QWidget):
    """Signals:
    caseRequested(int): open the case of an item.
    casesChanged(): a visit was moved.
    """

    caseRequested = Signal(int)
    casesChanged = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.day = session.clock.now().date()
        self.last_load_ms = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        bar.addWidget(self.title)
        bar.addStretch(1)
        self.only_mine = QCheckBox("只看我的")
        self.only_mine.setToolTip("只显示派给我的上门，以及我负责的案件的时限")
        self.only_mine.toggled.connect(self.reload)
        bar.addWidget(self.only_mine)
        for text, tip, step in (("‹", "上一个", -1), ("今天", "回到今天", 0), ("›", "下一个", 1)):
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, s=step: self.step(s))
            bar.addWidget(button)
        for text, icon, tip, handler in (
            (
                "打印安排",
                "printer",
                "打印当前周、日或月的上门安排表，给安装师傅带走",
                self.print_schedule,
            ),
            ("导出PDF", "file-pdf-box", "把上门安排表保存为 PDF 文件", self.export_schedule),
        ):
            button = QPushButton(theme.icon(icon), text)
            button.setToolTip(tip)
            button.clicked.connect(lambda _=False, h=handler: h())
            bar.addWidget(button)
        self.mode_buttons = QButtonGroup(self)
        for number, text in enumerate(("月", "周", "日")):
            button = QPushButton(text)
            button.setCheckable(True)
            button.setToolTip(f"{text}视图")
            self.mode_buttons.addButton(button, number)
            bar.addWidget(button)
        self.mode_buttons.idClicked.connect(self.set_mode)
        layout.addLayout(bar)
        layout.addLayout(self._legend())
        self.month = MonthView()
        self.week = WeekView(session.store.settings())
        self.agenda = DayView()
        self.views = QStackedWidget()
        # Month and week scroll rather than push the window past a 1366×768 screen.
        for view in (self.month, self.week):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(view)
            self.views.addWidget(scroll)
        self.views.addWidget(self.agenda)
        layout.addWidget(self.views, 1)
        self.month.dayChosen.connect(self._open_day)
        self.week.dayChosen.connect(self._open_day)
        for shown in (self.month, self.week, self.agenda):
            shown.caseRequested.connect(self.caseRequested)
        self.week.moveRequested.connect(self.move_item)
        self.week.slotChosen.connect(self.book_at)
        self.set_mode(1)

    def _legend(self) -> QHBoxLayout:
        row = QHBoxLayout()
        for kind, colour in KIND_COLOURS.items():  # what the calendar shows
            row.addWidget(_swatch(colour, kind.label))
        row.addWidget(_swatch(theme.OVERDUE, "已超时"))
        row.addWidget(_swatch(CALLING_SHADE, "回访时段"))
        closed = _swatch(CLOSED_SHADE, "休息（营业时间内计时的时限暂停）")
        closed.setObjectName("closedLegend")
        row.addWidget(closed)
        row.addStretch(1)
        return row

    # ------------------------------------------------------------ navigation

    def mode(self) -> int:
        return self.mode_buttons.checkedId()

    def set_mode(self, mode: int) -> None:
        self.mode_buttons.button(mode).setChecked(True)
        self.views.setCurrentIndex(mode)
        self.reload()

    def step(self, direction: int) -> None:
        if direction == 0:
            self.day = self.session.clock.now().date()
        elif self.mode() == 0:
            first = self.day.replace(day=1)
            month = first.month - 1 + direction
            self.day = first.replace(year=first.year + month // 12, month=month % 12 + 1)
        else:
            self.day += dt.timedelta(days=direction * (7 if self.mode() == 1 else 1))
        self.reload()

    def _open_day(self, day: dt.date) -> None:
        self.day = day
        self.set_mode(2)

    def visible_days(self) -> tuple[dt.date, dt.date]:
        """First day shown and the day after the last."""
        if self.mode() == 0:
            first = monday_of(self.day.replace(day=1))
            return first, first + dt.timedelta(days=42)
        if self.mode() == 1:
            first = monday_of(self.day)
            return first, first + dt.timedelta(days=7)
        return self.day, self.day + dt.timedelta(days=1)

    def reload(self) -> None:
        first, after = self.visible_days()
        started = time.perf_counter()
        items = agenda(
            self.session.store,
            dt.datetime.combine(first, dt.time()),
            dt.datetime.combine(after, dt.time()),
            self.session.clock.now(),
            staff_id=self.session.staff.id if self.only_mine.isChecked() else None,
        )
        names = {s.id: s.name for s in self.session.store.all_staff()}
        settings = self.session.store.settings()  # opening hours may have changed
        self.week.settings = settings
        today = self.session.clock.now().date()
        if self.mode() == 0:
            self.title.setText(f"回访日历 · {self.day.year}年{self.day.month}月")
            self.month.show_items(first, self.day.month, items, today, settings)
        elif self.mode() == 1:
            week = first.isocalendar().week
            last = after - dt.timedelta(days=1)
            self.title.setText(f"回访日历 · {first:%Y-%m-%d} 至 {last:%m-%d}（第 {week} 周）")
            self.week.show_items(first, items, today, self.session.clock.now())
        else:
            closed = "" if is_opening_day(self.day, settings) else "（休息）"
            self.title.setText(
                f"回访日历 · {self.day:%Y-%m-%d} 星期{WEEKDAYS[self.day.weekday()]}{closed}"
            )
            self.agenda.show_items(items, names)
        self.last_load_ms = (time.perf_counter() - started) * 1000

    def refresh(self) -> None:
        self.reload()

    # ------------------------------------------------------------ the printed list

    def schedule_range(self) -> tuple[dt.datetime, dt.datetime]:
        """What the printed list covers: the shown week or day, or the shown month."""
        if self.mode() == 0:
            first = self.day.replace(day=1)
            after = (first + dt.timedelta(days=32)).replace(day=1)
        else:
            first, after = self.visible_days()
        return dt.datetime.combine(first, dt.time()), dt.datetime.combine(after, dt.time())

    def schedule_data(self) -> bytes:
        start, end = self.schedule_range()
        staff_id = self.session.staff.id if self.only_mine.isChecked() else None
        now = self.session.clock.now()
        from ..schedule import schedule_pdf  # reportlab loads when first printing

        return schedule_pdf(self.session.store, start, end, now, staff_id=staff_id)

    def print_schedule(self, printer: QPrinter | None = None) -> bool:
        return bool(print_with_dialog(self, self.schedule_data(), "打印上门安排表", printer))

    def export_schedule(self, target: Path | None = None) -> Path | None:
        from ..schedule import range_label

        start, end = self.schedule_range()
        name = f"上门安排表-{range_label(start, end)}.pdf"
        return save_pdf(self, self.schedule_data, name, target)

    # ------------------------------------------------------------ booking

    def book_at(self, starts_at: dt.datetime, case_text: str | None = None) -> bool:
        """Book a visit at a slot: find the case by number, name or phone, then the
        usual 上门预约 dialog with the slot's day and time filled in."""
        if case_text is None:
            case_text, ok = QInputDialog.getText(
                self, "预约上门", f"{starts_at:%m-%d %H:%M} 上门：输入投诉编号、客户姓名或电话"
            )
            if not ok or not case_text.strip():
                return False
        found = search_case_ids(self.session.store, case_text.strip(), limit=2)
        if len(found) != 1:
            QMessageBox.information(
                self,
                "预约上门",
                f"没有找到「{case_text}」。"
                if not found
                else f"「{case_text}」对应多个案件，请输入完整的投诉编号。",
            )
            return False
        case = self.session.store.case(found[0])
        dialog = ActionDialog(self.session, case, "schedule_visit", parent=self)
        day, start = dialog.inputs["day"], dialog.inputs["start"]
        assert isinstance(day, QDateEdit) and isinstance(start, QTimeEdit)
        day.setDate(QDate(starts_at.year, starts_at.month, starts_at.day))
        start.setTime(QTime(starts_at.hour, starts_at.minute))
        if not dialog.exec() or dialog.change is None:
            return False
        self.reload()
        self.casesChanged.emit()
        return True

    # ------------------------------------------------------------ rescheduling

    def move_item(self, item: AgendaItem, starts_at: dt.datetime) -> None:
        if item.appointment_id is not None:
            self.move_visit(item.appointment_id, starts_at)
        elif item.clock_id is not None:
            self.move_call(item.clock_id, starts_at)

    def move_call(self, clock_id: int, planned_at: dt.datetime) -> None:
        try:
            op.move_call(self.session.ctx(), clock_id, planned_at=planned_at)
        except ShowroomError as refusal:
            QMessageBox.warning(self, "不能改约", refusal.message)
        self.reload()
        self.casesChanged.emit()

    def move_visit(self, appointment_id: int, starts_at: dt.datetime) -> None:
        """A visit dropped on a new slot keeps its length and its person."""
        current = self.session.store.appointment(appointment_id)
        ends_at = starts_at + (current.ends_at - current.starts_at)
        if not double_booking_agreed(
            self,
            self.session,
            current.staff_id,
            starts_at,
            ends_at,
            question=f"仍然改到 {starts_at:%m-%d %H:%M} 吗？",
            ignore_id=appointment_id,
        ):
            self.reload()
            return
        try:
            op.reschedule_appointment(
                self.session.ctx(), appointment_id, starts_at=starts_at, ends_at=ends_at
            )
        except ShowroomError as refusal:
            QMessageBox.warning(self, "不能改期", refusal.message)
        self.reload()
        self.casesChanged.emit()


def _swatch(colour: str, text: str) -> QLabel:
    label = QLabel(f'<span style="color:{colour}; font-size:14pt">■</span> {text}')
    label.setObjectName("muted")
    return label


# ------------------------------------------------------------------- month


class MonthView(QWidget):
    """Six weeks of day cells; each lists its first items and how many more."""

    dayChosen = Signal(object)  # dt.date
    caseRequested = Signal(int)
    SHOWN = 4

    def __init__(self) -> None:
        super().__init__()
        grid = QGridLayout(self)
        grid.setSpacing(4)
        grid.setContentsMargins(0, 4, 0, 0)
        for column, name in enumerate(WEEKDAYS):
            head = QLabel(f"星期{name}")
            head.setObjectName("muted")
            head.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(head, 0, column)
        self.cells = [DayCell(self) for _ in range(42)]
        for number, cell in enumerate(self.cells):
            grid.addWidget(cell, 1 + number // 7, number % 7)
            grid.setRowStretch(1 + number // 7, 1)

    def show_items(
        self,
        first: dt.date,
        month: int,
        items: list[AgendaItem],
        today: dt.date,
        settings: Settings,
    ) -> None:
        by_day: dict[dt.date, list[AgendaItem]] = {}
        for item in items:
            by_day.setdefault(item.starts_at.date(), []).append(item)
        for number, cell in enumerate(self.cells):
            day = first + dt.timedelta(days=number)
            cell.show_day(
                day,
                by_day.get(day, []),
                in_month=day.month == month,
                today=today,
                closed=not is_opening_day(day, settings),
            )


class DayCell(QFrame):
    def __init__(self, month: MonthView) -> None:
        super().__init__()
        self.month = month
        self.day = dt.date.today()
        self.setObjectName("dayCell")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(1)
        self.date = QLabel()
        layout.addWidget(self.date)
        self.lines = [QLabel() for _ in range(MonthView.SHOWN + 1)]
        for line in self.lines:
            line.setTextFormat(Qt.TextFormat.RichText)
            layout.addWidget(line)
        layout.addStretch(1)

    def show_day(
        self,
        day: dt.date,
        items: list[AgendaItem],
        *,
        in_month: bool,
        today: dt.date,
        closed: bool = False,
    ) -> None:
        self.day = day
        border = theme.ACCENT if day == today else theme.BORDER
        background = CLOSED_SHADE if closed else "white" if in_month else theme.PANEL
        self.setStyleSheet(
            f"#dayCell {{ background: {background}; border: 1px solid {border}; border-radius: 4px; }}"
        )
        weight = "600" if day == today else "400"
        colour = theme.TEXT if in_month else theme.MUTED
        rest = f' <span style="color:{theme.MUTED}">休息</span>' if closed else ""
        self.date.setText(
            f'<span style="font-weight:{weight}; color:{colour}">{day.day}</span>{rest}'
        )
        state = "休息日，" if closed else ""
        self.setToolTip(f"{day:%Y-%m-%d}：{state}{len(items)} 项，点击查看当天")
        shown = items[: MonthView.SHOWN]
        for line, item in zip(self.lines, [*shown, None], strict=False):
            line.setVisible(item is not None)
            if item is not None:
                line.setText(
                    f'<span style="color:{colour_of(item)}">■</span> '
                    f"{item.starts_at:%H:%M} {item.kind.label} {item.customer}"
                )
        more = len(items) - len(shown)
        last = self.lines[len(shown)] if len(shown) < len(self.lines) else self.lines[-1]
        if more > 0:
            last.setVisible(True)
            last.setText(f'<span style="color:{theme.MUTED}">另有 {more} 项…</span>')
        for line in self.lines[len(shown) + (1 if more > 0 else 0) :]:
            line.setVisible(False)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.month.dayChosen.emit(self.day)
        super().mousePressEvent(event)


# -------------------------------------------------------------------- week


@dataclass
class _Placed:
    """One block on the week grid; due times at the same minute share a block."""

    items: list[AgendaItem]
    rect: QRectF

    @property
    def item(self) -> AgendaItem:
        return self.items[0]

    @property
    def overdue(self) -> bool:
        return any(item.overdue for item in self.items)

    def text(self) -> str:
        item = self.item
        if item.ends_at is not None:  # the block's height already shows when it ends
            text = f"{item.starts_at:%H:%M} {item.title}"
            return text + (f"\n{item.address}" if item.address else "")
        if len(self.items) > 1:
            calls = all(one.clock_id is not None for one in self.items)
            since = "" if self.items[-1].starts_at == item.starts_at else " 起"
            what = "回访" if calls else "事项"
            return f"{item.starts_at:%H:%M}{since} {len(self.items)} 项{what}"
        return f"{item.starts_at:%H:%M} {item.title}"


class WeekView(QWidget):
    """Seven day columns over the hours; closed hours and days shaded, calling
    windows marked, visits as blocks, due times as thin markers."""

    caseRequested = Signal(int)
    dayChosen = Signal(object)  # dt.date
    slotChosen = Signal(object)  # dt.datetime: an empty slot was double-clicked
    moveRequested = Signal(object, object)  # AgendaItem (a visit or call), new start
    FIRST_HOUR, LAST_HOUR = 7, 21
    HOUR_PX = 52
    HEAD_PX = 34
    GUTTER_PX = 52
    SNAP_MINUTES = 30
    CHIP_PX = 22

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.first = dt.date.today()
        self.today = self.first
        self.now = dt.datetime.now()
        self.items: list[AgendaItem] = []
        self.placed: list[_Placed] = []
        self.dragging: _Placed | None = None
        self.drag_offset = QPoint()
        self.drop_preview: QRectF | None = None
        self.setMinimumHeight(self.HEAD_PX + (self.LAST_HOUR - self.FIRST_HOUR) * self.HOUR_PX)
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:
        return QSize(900, self.minimumHeight())

    def show_items(
        self, first: dt.date, items: list[AgendaItem], today: dt.date, now: dt.datetime
    ) -> None:
        self.first, self.today, self.now = first, today, now
        self.items = items
        self.placed = self._layout_items()
        self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.placed = self._layout_items()

    # geometry --------------------------------------------------------------

    def day_heading(self, day: dt.date) -> str:
        rest = "" if is_opening_day(day, self.settings) else " 休息"
        return f"{day.month}/{day.day} 星期{WEEKDAYS[day.weekday()]}{rest}"

    def column_width(self) -> float:
        return (self.width() - self.GUTTER_PX) / 7

    def y_of(self, moment: dt.time) -> float:
        hours = moment.hour + moment.minute / 60 - self.FIRST_HOUR
        hours = min(max(hours, 0), self.LAST_HOUR - self.FIRST_HOUR)
        return self.HEAD_PX + hours * self.HOUR_PX

    def x_of(self, day: dt.date) -> float:
        return self.GUTTER_PX + (day - self.first).days * self.column_width()

    def moment_at(self, point: QPoint) -> dt.datetime:
        """The slot under a point, snapped to half hours, inside the shown week."""
        column = int((point.x() - self.GUTTER_PX) // self.column_width())
        column = min(max(column, 0), 6)
        hours = (point.y() - self.HEAD_PX) / self.HOUR_PX + self.FIRST_HOUR
        minutes = round(hours * 60 / self.SNAP_MINUTES) * self.SNAP_MINUTES
        minutes = min(max(minutes, self.FIRST_HOUR * 60), (self.LAST_HOUR - 1) * 60)
        day = self.first + dt.timedelta(days=column)
        return dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)

    def _layout_items(self) -> list[_Placed]:
        """Rectangles for the items; those overlapping in a day share its width."""
        width = self.column_width()
        by_day: dict[dt.date, list[tuple[list[AgendaItem], float, float]]] = {}
        for group in self._groups():
            first = group[0]
            top = self.y_of(first.starts_at.time())
            end = self.y_of(first.ends_at.time()) if first.ends_at is not None else top
            by_day.setdefault(first.starts_at.date(), []).append(
                (group, top, max(end, top + self.CHIP_PX))
            )
        placed: list[_Placed] = []
        for day, entries in by_day.items():
            entries.sort(key=lambda entry: entry[1])
            # Items that overlap, directly or through each other, share the column
            # width; an item alone at its time keeps the whole width.
            cluster: list[tuple[list[AgendaItem], float, float, int]] = []
            lane_ends: list[float] = []
            for group, top, bottom in [*entries, ([], float("inf"), float("inf"))]:
                if cluster and top >= max(lane_ends):
                    lane_width = (width - 4) / len(lane_ends)
                    for members, c_top, c_bottom, lane in cluster:
                        left = self.x_of(day) + 2 + lane * lane_width
                        rect = QRectF(left, c_top, lane_width - 2, c_bottom - c_top)
                        placed.append(_Placed(members, rect))
                    cluster, lane_ends = [], []
                if not group:
                    break
                lane = next((n for n, end in enumerate(lane_ends) if end <= top), len(lane_ends))
                if lane == len(lane_ends):
                    lane_ends.append(bottom)
                else:
                    lane_ends[lane] = bottom
                cluster.append((group, top, bottom, lane))
        return placed

    def _groups(self) -> list[list[AgendaItem]]:
        """Visits each get a block. Calls and due times are one-line chips taller
        than the minutes between calling slots, so those starting within one
        chip's height share it ("10:30 起 4 项回访"); a lone call can be dragged."""
        groups: list[list[AgendaItem]] = []
        chip_span = dt.timedelta(minutes=self.CHIP_PX * 60 / self.HOUR_PX)
        chips: list[AgendaItem] = []
        for item in self.items:
            if item.ends_at is not None:
                groups.append([item])
            else:
                chips.append(item)
        current: list[AgendaItem] = []
        for item in sorted(chips, key=lambda chip: chip.starts_at):
            if current and item.starts_at < current[0].starts_at + chip_span:
                current.append(item)
                continue
            current = [item]
            groups.append(current)
        return groups

    # painting --------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        width = self.column_width()
        opens, closes = self.settings.opening_hours
        for number in range(7):
            day = self.first + dt.timedelta(days=number)
            x = self.x_of(day)
            open_day = is_opening_day(day, self.settings)
            painter.fillRect(
                QRectF(x, self.HEAD_PX, width, self.height() - self.HEAD_PX), QColor(CLOSED_SHADE)
            )
            if open_day:
                open_top, open_bottom = self.y_of(opens), self.y_of(closes)
                painter.fillRect(
                    QRectF(x, open_top, width, open_bottom - open_top), QColor("white")
                )
                for start, end in self.settings.calling_windows:
                    top, bottom = self.y_of(start), self.y_of(end)
                    painter.fillRect(QRectF(x, top, width, bottom - top), QColor(CALLING_SHADE))
            if day == self.today:
                painter.fillRect(QRectF(x, 0, width, self.HEAD_PX), QColor("#e3eefc"))
            painter.setPen(QColor(theme.ACCENT if day == self.today else theme.TEXT))
            painter.drawText(
                QRectF(x, 0, width, self.HEAD_PX),
                Qt.AlignmentFlag.AlignCenter,
                self.day_heading(day),
            )
        painter.setPen(QPen(QColor(theme.BORDER)))
        for hour in range(self.FIRST_HOUR, self.LAST_HOUR + 1):
            y = self.y_of(dt.time(hour)) if hour < 24 else self.height()
            painter.drawLine(self.GUTTER_PX, int(y), self.width(), int(y))
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(
                QRectF(0, y - 9, self.GUTTER_PX - 6, 18),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{hour:02d}:00",
            )
            painter.setPen(QPen(QColor(theme.BORDER)))
        for number in range(8):
            x = self.GUTTER_PX + number * width
            painter.drawLine(int(x), 0, int(x), self.height())
        if self.first <= self.now.date() < self.first + dt.timedelta(days=7):
            y = self.y_of(self.now.time())
            x = self.x_of(self.now.date())
            painter.setPen(QPen(QColor(theme.OVERDUE), 2))
            painter.drawLine(int(x), int(y), int(x + width), int(y))
        for placed in self.placed:
            self._paint_item(painter, placed)
        if self.drop_preview is not None:
            painter.setPen(QPen(QColor(theme.ACCENT), 2, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.drop_preview, 4, 4)
        painter.end()

    def _paint_item(self, painter: QPainter, placed: _Placed) -> None:
        item = placed.item
        colour = QColor(theme.OVERDUE if placed.overdue else KIND_COLOURS[item.kind])
        fill = QColor(colour)
        fill.setAlpha(40 if item.ends_at is None else 60)
        painter.setPen(QPen(colour, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(placed.rect, 4, 4)
        bar = QRectF(placed.rect.left(), placed.rect.top(), 4, placed.rect.height())
        painter.fillRect(bar, colour)
        painter.setPen(QColor(theme.TEXT))
        area = placed.rect.adjusted(7, 2, -3, -2)
        if item.ends_at is None:  # a one-line chip: cut with "…" rather than mid-glyph
            text = painter.fontMetrics().elidedText(
                placed.text(), Qt.TextElideMode.ElideRight, int(area.width())
            )
            painter.drawText(
                area, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text
            )
            return
        painter.save()
        painter.setClipRect(area)
        painter.drawText(
            area,
            int(
                Qt.AlignmentFlag.AlignLeft
                | Qt.AlignmentFlag.AlignTop
                | Qt.TextFlag.TextWrapAnywhere
            ),
            placed.text(),
        )
        painter.restore()

    # mouse -----------------------------------------------------------------

    def item_at(self, point: QPoint) -> _Placed | None:
        for placed in reversed(self.placed):
            if placed.rect.contains(point.toPointF()):
                return placed
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        placed = self.item_at(event.position().toPoint())
        if placed is not None and len(placed.items) == 1 and placed.item.movable:
            self.dragging = placed
            self.drag_offset = event.position().toPoint() - placed.rect.topLeft().toPoint()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position().toPoint()
        if self.dragging is None:
            hovered = self.item_at(point)
            movable = hovered is not None and len(hovered.items) == 1 and hovered.item.movable
            self.setCursor(Qt.CursorShape.OpenHandCursor if movable else Qt.CursorShape.ArrowCursor)
            self.setToolTip(self._tip(hovered) if hovered else "双击空白处，在这个时间预约上门")
            return
        start = self.moment_at(point - QPoint(0, self.drag_offset.y()))
        rect = QRectF(self.dragging.rect)
        rect.moveTo(self.x_of(start.date()) + 2, self.y_of(start.time()))
        self.drop_preview = rect
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        dragging, self.dragging, self.drop_preview = self.dragging, None, None
        if dragging is None:
            return
        start = self.moment_at(event.position().toPoint() - QPoint(0, self.drag_offset.y()))
        if start != dragging.item.starts_at:
            self.moveRequested.emit(dragging.item, start)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        placed = self.item_at(event.position().toPoint())
        self.dragging = None
        if placed is None:
            self.slotChosen.emit(self.moment_at(event.position().toPoint()))
            return
        if len(placed.items) > 1:
            self.dayChosen.emit(placed.item.starts_at.date())  # the day list shows them all
        else:
            self.caseRequested.emit(placed.item.case_id)

    @staticmethod
    def _tip(placed: _Placed) -> str:
        lines = [f"{item.title}（{item.case_no}）" for item in placed.items[:12]]
        if len(placed.items) > 12:
            lines.append(f"……共 {len(placed.items)} 项")
        if placed.item.address and placed.item.ends_at is not None:
            lines.append(placed.item.address)
        if placed.item.clock_id is not None and placed.item.due_at is not None:
            lines.append(f"截止 {placed.item.due_at:%m-%d %H:%M}")
        if placed.item.movable and len(placed.items) == 1:
            lines.append("拖动可改期；双击打开案件")
        else:
            lines.append("双击打开" + ("当天列表" if len(placed.items) > 1 else "案件"))
        return "\n".join(lines)


# --------------------------------------------------------------------- day


class DayView(QTreeWidget):
    """One day as a list: time, kind, who, case, customer, address."""

    caseRequested = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.setRootIsDecorated(False)
        self.setAlternatingRowColors(True)
        self.setHeaderLabels(["时间", "类型", "事项", "负责人", "投诉编号", "地址"])
        for column, width in enumerate((110, 80, 360, 80, 170)):
            self.setColumnWidth(column, width)
        self.itemActivated.connect(self._open)
        self.itemDoubleClicked.connect(self._open)

    def show_items(self, items: list[AgendaItem], names: dict[int, str]) -> None:
        self.clear()
        for item in items:
            if item.ends_at is not None:
                when = f"{item.starts_at:%H:%M}–{item.ends_at:%H:%M}"
            elif item.clock_id is not None:  # a planned call: when to ring, and by when
                when = f"{item.starts_at:%H:%M}"
            else:
                when = f"{item.starts_at:%H:%M} 截止"
            state = "（已超时）" if item.overdue else ""
            if item.clock_id is not None and item.due_at is not None:
                due = item.due_at
                by = f"{due:%H:%M}" if due.date() == item.starts_at.date() else f"{due:%m-%d %H:%M}"
                state = f"（{by} 前打" + ("，已超时）" if item.overdue else "）")
            row = QTreeWidgetItem(
                [
                    when,
                    item.kind.label,
                    item.title + state,
                    names.get(item.staff_id, "") if item.staff_id else "",
                    item.case_no,
                    item.address,
                ]
            )
            row.setForeground(1, QColor(colour_of(item)))
            if item.overdue:
                row.setForeground(2, QColor(theme.OVERDUE))
            row.setData(0, CASE_ID_ROLE, item.case_id)
            self.addTopLevelItem(row)
        if not items:
            empty = QTreeWidgetItem(["", "", "这一天没有上门、回访或到期的事项。"])
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addTopLevelItem(empty)

    def _open(self, row: QTreeWidgetItem) -> None:
        case_id = row.data(0, CASE_ID_ROLE)
        if case_id is not None:
            self.caseRequested.emit(int(case_id))
