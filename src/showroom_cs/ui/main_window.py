"""The main window: sidebar, pages, global search, status bar, sweep and idle lock.

Pages never call each other: they emit intent signals, and `_connect_pages`
is the one place that wires them together.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ..agenda import reminders
from ..backup import BackupInfo, backup_folder, daily_backup
from ..domain import Door
from ..errors import ShowroomError
from ..operations import Context, check_clocks
from ..queries import (
    OVERDUE_CASES_MEANING,
    RECEIVED_MEANING,
    TEXT_FILTER_LIMIT,
    overdue_cases,
    received_between,
)
from . import theme
from .background import run_in_background
from .case_list import CaseListPage
from .case_view import CaseView
from .finder import Finder
from .intake import IntakePage
from .kanban import KanbanPage
from .login import LoginDialog
from .reminders import ReminderBar
from .session import Session
from .today import TodayPage

if TYPE_CHECKING:  # imported when first shown (charts, calendars, settings tabs…)
    from .calendar_page import CalendarPage
    from .daily_page import DailyPage
    from .improvements_page import ImprovementsPage
    from .settings_page import SettingsPage
    from .stats_page import StatsPage

log = logging.getLogger(__name__)
SWEEP_INTERVAL_MS = 60_000


class MainWindow(QMainWindow):
    """The counter PC's window. Signals: none (pages signal; this wires)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        settings = session.store.settings()
        self.setWindowTitle(f"门店客诉台 — {settings.showroom_name}")
        self.resize(1366, 768)
        self.today = TodayPage(session)
        self.intake = IntakePage(session)
        self.kanban = KanbanPage(session)
        self.case_list = CaseListPage(session)
        self.finder = Finder(session, self)
        # The calendar, daily summary, improvements, statistics and settings
        # pages are built when first shown: a counter starts on 今日待办 and the
        # board, and the window should be there in a second even on years of cases.
        self._built: dict[str, QWidget] = {}
        self._placeholders = {
            name: QWidget()
            for name in ("calendar", "daily", "improvements_page", "stats", "settings_page")
        }
        self.case_view = CaseView(session)
        self.reminder_bar = ReminderBar()
        self.reminded_until: dt.datetime | None = None  # None: not looked since login
        self.pages = QStackedWidget()
        self.nav = QListWidget()
        self.nav.setObjectName("sidebar")
        self.nav.setFixedWidth(170)
        self.nav.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for title, icon, page, shortcut in (
            ("今日待办", "calendar-check", self.today, "Ctrl+1"),
            ("新建投诉", "file-document-edit-outline", self.intake, "Ctrl+N"),
            ("案件看板", "view-column", self.kanban, "Ctrl+2"),
            ("案件查询", "table-search", self.case_list, "Ctrl+3"),
            ("回访日历", "calendar-month", self._placeholders["calendar"], "Ctrl+4"),
            ("每日汇总", "clipboard-text-clock-outline", self._placeholders["daily"], "Ctrl+7"),
            (
                "改进措施",
                "lightbulb-on-outline",
                self._placeholders["improvements_page"],
                "Ctrl+8",
            ),
            ("统计", "chart-bar", self._placeholders["stats"], "Ctrl+5"),
            ("设置", "cog-outline", self._placeholders["settings_page"], "Ctrl+6"),
        ):
            item = QListWidgetItem(theme.icon(icon), title)
            item.setToolTip(f"{title}（{shortcut}）")
            item.setSizeHint(QSize(150, 42))
            self.nav.addItem(item)
            self.pages.addWidget(page)
            row = self.nav.count() - 1
            QShortcut(QKeySequence(shortcut), self, lambda r=row: self.nav.setCurrentRow(r))
        self.pages.addWidget(self.case_view)
        self.nav.currentRowChanged.connect(self._show_page)
        self.body = self._layout()
        self.setCentralWidget(self.body)
        self.status_text = QLabel()
        self.status_text.setObjectName("statusText")
        self.statusBar().addWidget(self.status_text, 1)
        self.user = QLabel()
        self.user.setToolTip("离开柜台时按 Ctrl+L 锁定屏幕")
        self.statusBar().addPermanentWidget(self.user)
        self._connect_pages()
        self.nav.setCurrentRow(0)
        self.refresh_status()
        self.sweep_timer = QTimer(self)
        self.sweep_timer.setInterval(SWEEP_INTERVAL_MS)
        self.sweep_timer.timeout.connect(self.sweep)
        self.sweep_timer.start()
        self.locked = False
        self.idle = IdleLock(self, settings.idle_lock_minutes)
        self.check_reminders()
        # A backup chosen in 设置 to restore: the app restarts on it after closing.
        self.restore_from: BackupInfo | None = None
        self.restored_by: int | None = None
        self.backup_state = QLabel()
        self.backup_state.setObjectName("backupState")
        self.backup_state.setContentsMargins(12, 0, 4, 0)
        self.statusBar().addPermanentWidget(self.backup_state)
        self.backup_day: dt.date | None = None
        self.backup_job: QObject | None = None
        self.backup_if_due()

    def _layout(self) -> QWidget:
        brand = QLabel("门店客诉台")
        brand.setObjectName("brand")
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(brand)
        side.addWidget(self.nav, 1)
        self.search = QLineEdit()
        self.search.setObjectName("globalSearch")
        self.search.setPlaceholderText("搜索 编号 / 姓名 / 电话 / 拼音 / 内容   Ctrl+K")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("扫码枪扫投诉编号即可直接打开案件（Ctrl+K 或 Ctrl+F）")
        self.search.returnPressed.connect(self.run_search)
        for keys in ("Ctrl+K", "Ctrl+F"):
            QShortcut(QKeySequence(keys), self, self._focus_search)
        QShortcut(QKeySequence("Ctrl+L"), self, self.lock)  # leaving the counter
        top = QHBoxLayout()
        top.setContentsMargins(16, 10, 16, 0)
        top.addWidget(self.search, 1)
        main = QVBoxLayout()
        main.setContentsMargins(0, 0, 0, 0)
        main.addLayout(top)
        reminder_row = QHBoxLayout()
        reminder_row.setContentsMargins(16, 8, 16, 0)
        reminder_row.addWidget(self.reminder_bar)
        main.addLayout(reminder_row)
        if self.session.read_only:  # said once, where it stays in sight
            read_only = QLabel(f"{self.session.read_only} 可以查看和打印。")
            read_only.setObjectName("banner")
            read_only.setWordWrap(True)
            main.addWidget(read_only)
        main.addWidget(self.pages, 1)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side_widget = QWidget()
        side_widget.setObjectName("sidePanel")
        side_widget.setLayout(side)
        row.addWidget(side_widget)
        row.addLayout(main, 1)
        body = QWidget()
        body.setLayout(row)
        return body

    def _connect_pages(self) -> None:
        self.today.caseRequested.connect(self.open_case)
        self.kanban.caseRequested.connect(self.open_case)
        self.case_list.caseRequested.connect(self.open_case)
        self.reminder_bar.caseRequested.connect(self.open_case)
        self.kanban.casesChanged.connect(self.refresh)
        self.case_view.casesChanged.connect(self.refresh)
        self.case_view.caseRequested.connect(self.open_case)
        self.intake.caseRegistered.connect(lambda _case_id: self.refresh())
        self.intake.caseRequested.connect(self.open_case)

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        for name, placeholder in self._placeholders.items():
            if self.pages.indexOf(placeholder) == row:
                self._page(name)
        self.pages.setCurrentIndex(row)
        # The cursor goes where the page's work starts (Ctrl+N: the phone),
        # never left in the search box or on the sidebar.
        start = getattr(self.pages.currentWidget(), "focus_start", None)
        if start is not None:
            start()

    def _page(self, name: str) -> QWidget:
        """A lazily built page, built (and wired) on first use."""
        page = self._built.get(name)
        if page is not None:
            return page
        session = self.session
        if name == "calendar":
            from .calendar_page import CalendarPage

            calendar = CalendarPage(session)
            calendar.caseRequested.connect(self.open_case)
            calendar.casesChanged.connect(self.refresh)
            page = calendar
        elif name == "daily":
            from .daily_page import DailyPage

            daily = DailyPage(session)
            daily.caseRequested.connect(self.open_case)
            page = daily
        elif name == "improvements_page":
            from .improvements_page import ImprovementsPage

            improvements = ImprovementsPage(session)
            improvements.caseRequested.connect(self.open_case)
            page = improvements
        elif name == "stats":
            from .stats_page import StatsPage

            page = StatsPage(session)
        else:
            from .settings_page import SettingsPage

            settings = SettingsPage(session)
            settings.restoreRequested.connect(self.restart_on)
            settings.settingsChanged.connect(self.settings_changed)
            page = settings
        placeholder = self._placeholders[name]
        index = self.pages.indexOf(placeholder)
        current = self.pages.currentIndex()
        self.pages.removeWidget(placeholder)
        self.pages.insertWidget(index, page)
        self.pages.setCurrentIndex(current)
        self._built[name] = page
        return page

    @property
    def calendar(self) -> CalendarPage:
        return cast("CalendarPage", self._page("calendar"))

    @property
    def daily(self) -> DailyPage:
        return cast("DailyPage", self._page("daily"))

    @property
    def improvements_page(self) -> ImprovementsPage:
        return cast("ImprovementsPage", self._page("improvements_page"))

    @property
    def stats(self) -> StatsPage:
        return cast("StatsPage", self._page("stats"))

    @property
    def settings_page(self) -> SettingsPage:
        return cast("SettingsPage", self._page("settings_page"))

    def _refresh_built(self, *names: str) -> None:
        for name in names:
            page = self._built.get(name)
            if page is not None:
                page.refresh()  # type: ignore[attr-defined]

    def go_to(self, page: QWidget) -> None:
        """Show a sidebar page."""
        self.nav.setCurrentRow(self.pages.indexOf(page))

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def open_case(self, case_id: int) -> None:
        self.case_view.show_case(case_id)
        self.nav.clearSelection()
        self.pages.setCurrentWidget(self.case_view)

    def run_search(self) -> None:
        """A case number (typed or scanned) opens the case; other text filters the board."""
        text = self.search.text().strip()
        if not text:
            return
        self.statusBar().showMessage(f"正在查找「{text}」…")
        self.finder.find(
            text,
            limit=TEXT_FILTER_LIMIT,
            include_voided=False,
            on_found=lambda found: self._found(text, found),
        )

    def _found(self, text: str, found: list[int]) -> None:
        self.statusBar().clearMessage()
        if len(found) == 1:
            self.search.clear()
            self.open_case(found[0])
        elif not found:
            self.statusBar().showMessage(
                f"没有找到「{text}」。可以换个关键词，或用拼音首字母。", 8000
            )
        else:
            self.kanban.show_found(text, found)
            self.go_to(self.kanban)

    def sweep(self) -> None:
        """Mark missed time limits, then repaint what shows them."""
        if not self.session.read_only:  # marking a miss is a write
            check_clocks(Context(self.session.store, self.session.clock, None))
        self.refresh()
        self.check_reminders()
        self.backup_if_due()  # a PC left on overnight still gets its daily copy

    def backup_if_due(self) -> None:
        """The day's first copy of the database, taken beside the work."""
        path = self.session.store.path
        today = self.session.clock.now().date()
        if path is None or self.backup_day == today:
            return
        self.backup_day = today
        settings = self.session.store.settings()
        folder = backup_folder(path, settings.backup_dir)
        now = self.session.clock.now()
        self.backup_job = run_in_background(
            self,
            lambda: daily_backup(
                path,
                folder,
                now,
                keep_daily=settings.keep_daily,
                keep_monthly=settings.keep_monthly,
            ),
            self._backup_done,
            self._backup_failed,
        )

    def _backup_done(self, taken: Path | None) -> None:
        settings = self._built.get("settings_page")
        if taken is not None and settings is not None:
            # Only that line: a tab in use is not rebuilt.
            cast("SettingsPage", settings).data.show_newest()
        self.backup_state.setText("今日已备份")
        self.backup_state.setToolTip(str(taken.parent) if taken else "今天已经备份过")
        self.backup_state.setStyleSheet("")

    def _backup_failed(self, failure: Exception) -> None:
        message = failure.message if isinstance(failure, ShowroomError) else str(failure)
        log.error("daily backup failed: %s", message)
        self.backup_state.setText("自动备份失败")
        self.backup_state.setToolTip(message)
        self.backup_state.setStyleSheet(f"color: {theme.OVERDUE}; font-weight: bold;")
        self.backup_day = None  # try again at the next sweep
        self.statusBar().showMessage(f"今天的自动备份没有完成：{message}", 30_000)

    def settings_changed(self) -> None:
        """Settings take effect at once: titles, lists, idle lock, and every page."""
        settings = self.session.store.settings()
        self.setWindowTitle(f"门店客诉台 — {settings.showroom_name}")
        self.intake.reload_lists()
        self.kanban.reload_filters()
        self.idle.timer.setInterval(settings.idle_lock_minutes * 60_000)
        self.refresh()

    def restart_on(self, info: BackupInfo) -> None:
        """Close, restore `info`, start again (the app's loop does the rest and
        records who asked for it)."""
        self.restore_from = info
        self.restored_by = self.session.staff.id
        self.close()
        QApplication.quit()

    def come_forward(self) -> None:
        """A second start on this database knocked: show this window instead."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def check_reminders(self) -> None:
        """What fell due since the last look joins the strip; the first look after
        logging in also catches what fell due while the app was closed."""
        now = self.session.clock.now()
        found = reminders(self.session.store, self.session.staff.id, self.reminded_until, now)
        self.reminder_bar.add(found, at_start=self.reminded_until is None and bool(found))
        self.reminded_until = now

    def refresh(self) -> None:
        self.today.refresh()
        self.kanban.reload()
        self.case_list.refresh()
        self._refresh_built("stats", "calendar", "daily", "improvements_page")
        if self.pages.currentWidget() is self.case_view and self.case_view.case is not None:
            self.case_view.show_case(self.case_view.case.id)
        self.refresh_status()

    def refresh_status(self) -> None:
        store = self.session.store
        now = self.session.clock.now()
        today = dt.datetime.combine(now.date(), dt.time())
        new_today = received_between(store, today, today + dt.timedelta(days=1))
        staff = self.session.staff
        self.user.setText(f"{staff.name} · {staff.role.label}")
        # The file's name only: a long Windows path would push the person and
        # the backup state off a 1366-pixel screen. The whole path is the tooltip.
        name = store.path.name if store.path else "（内存）"
        self.status_text.setText(
            f"数据库：{name} · 今日新登记 {new_today} · 超时案件 {overdue_cases(store)}"
        )
        self.status_text.setToolTip(
            f"数据库文件：{store.path}\n今日新登记：今天{RECEIVED_MEANING}\n"
            f"超时案件：{OVERDUE_CASES_MEANING}"
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle.stop()
        self.sweep_timer.stop()
        super().closeEvent(event)

    def lock(self) -> None:
        """Idle too long: close what is open, hide the cases until someone logs in again.

        Half-filled dialogs are dropped rather than saved later under
        whoever unlocks; the intake form keeps its draft.
        """
        if self.locked:
            return
        self.locked = True
        self.idle.timer.stop()
        focused = QApplication.focusWidget()  # where the person was, for whoever unlocks
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QDialog) and widget.isVisible():
                widget.reject()
        self.body.hide()
        dialog = LoginDialog(
            self.session.store,
            self.session.clock,
            "屏幕已锁定，请重新登录。",
            self,
            door=Door.UNLOCK,
            preselect=self.session.staff.id,  # who locked it is who usually comes back
        )
        dialog.setObjectName("lockDialog")
        unlocked = bool(dialog.exec()) and dialog.staff is not None
        self.locked = False
        if not unlocked:
            self.close()
            return
        assert dialog.staff is not None
        if dialog.staff.id != self.session.staff.id:
            self.reminder_bar.clear()  # someone else's reminders are not theirs
            self.reminded_until = None
        self.session.staff = dialog.staff
        self.body.show()
        self._refresh_built("settings_page")
        self.refresh()
        self.check_reminders()
        self.idle.timer.start()
        self.activateWindow()
        if focused is not None and self.isAncestorOf(focused) and focused.isVisible():
            focused.setFocus()


class IdleLock(QObject):
    """Locks the window after `minutes` without keyboard or mouse input."""

    def __init__(self, window: MainWindow, minutes: int) -> None:
        super().__init__(window)
        self.window = window
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(window.lock)
        self.timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here: keep it to one set lookup.
        if event.type() in _INPUT_EVENTS:
            self.timer.start()
        return False

    def stop(self) -> None:
        """The window is closing: stop watching the whole application."""
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


_INPUT_EVENTS = frozenset(
    {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel}
)
