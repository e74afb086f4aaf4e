"""设置: tabs for the showroom, its staff, the lists, the time limits and
approvals, the data and its backups, one's own account, and the record of
every change. Each tab saves through the core, which decides who may.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..errors import ShowroomError
from ..permissions import Action
from .gate import refusal
from .session import Session
from .settings_data import DataTab
from .settings_limits import LimitsTab
from .settings_lists import ListsTab
from .settings_profile import ProfileTab
from .settings_script import ScriptTab
from .settings_staff import StaffTab


class SettingsPage(QWidget):
    """Signals:
    restoreRequested(BackupInfo): a checked backup to restore (the app restarts on it).
    settingsChanged(): something every page may show differently was saved.
    """

    restoreRequested = Signal(object)
    settingsChanged = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        title = QLabel("设置")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("settingsTabs")
        outer.addWidget(self.tabs, 1)
        self.refresh()

    def refresh(self) -> None:
        """Build the tabs anew from the settings in force (and for who is logged in)."""
        current = max(self.tabs.currentIndex(), 0)
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is not None:
                page.deleteLater()
        session = self.session
        self.profile = ProfileTab(session)
        self.staff = StaffTab(session)
        self.lists = ListsTab(session)
        self.limits = LimitsTab(session)
        self.data = DataTab(session)
        self.script = ScriptTab(session)
        self.data.restoreRequested.connect(self.restoreRequested)
        for tab, name in (
            (self.profile, "门店信息"),
            (self.staff, "员工与角色"),
            (self.lists, "选项列表"),
            (self.limits, "时限与审批"),
            (self.script, "回访话术"),
            (self.data, "数据与备份"),
        ):
            tab.saved.connect(self._saved)
            self.tabs.addTab(tab, name)
        self.tabs.addTab(AccountTab(session), "我的账号")
        self.history = HistoryTab(session)
        self.tabs.addTab(self.history, "修改记录")
        self.security = SecurityTab(session)
        self.tabs.addTab(self.security, "安全记录")
        self.tabs.setCurrentIndex(min(current, self.tabs.count() - 1))

    def _saved(self) -> None:
        # Each tab edits its own settings and builds on the ones in force, so
        # the others need no rebuilding; the records do.
        self.history.reload()
        self.security.reload()
        self.settingsChanged.emit()


class AccountTab(QWidget):
    """Who is logged in, and changing one's own PIN."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        row = QHBoxLayout()
        me = session.staff
        row.addWidget(QLabel(f"{me.name} · {me.role.label}"))
        change = QPushButton("修改我的 PIN")
        change.setObjectName("changePin")
        change.clicked.connect(self.change_pin)
        row.addWidget(change)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def change_pin(self) -> None:
        PinDialog(self.session, self).exec()


class HistoryTab(QWidget):
    """修改记录: who changed which setting, when, from what to what (managers)."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("settingsLog")
        self.table.setHorizontalHeaderLabels(("时间", "修改人", "项目", "内容"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column, width in enumerate((140, 80, 120)):
            self.table.setColumnWidth(column, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setObjectName("muted")
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        refused = refusal(self.session, Action.CHANGE_SETTINGS)
        self.table.setVisible(refused is None)
        if refused is not None:
            self.note.setText(f"{refused}修改记录也只有他们可以查看。")
            self.note.show()
            return
        entries = op.settings_history(self.session.ctx())
        self.note.setText(
            "还没有修改记录。以后每次修改设置或员工，都会记在这里：谁、什么时候、从什么改成什么。"
        )
        self.note.setVisible(not entries)
        self.table.setRowCount(len(entries))
        for number, entry in enumerate(entries):
            for column, value in enumerate(
                (f"{entry.at:%Y-%m-%d %H:%M}", entry.by, entry.item, entry.what)
            ):
                self.table.setItem(number, column, QTableWidgetItem(value))
        self.table.resizeRowsToContents()


class SecurityTab(QWidget):
    """安全记录: wrong PINs and waits at every door, a wait cleared, and what
    left the shop (exports, copies, restores, command-line prints) — managers."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        self.table = QTableWidget(0, 5)
        self.table.setObjectName("securityLog")
        self.table.setHorizontalHeaderLabels(("时间", "人员", "途径", "事项", "内容"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        for column, width in enumerate((140, 80, 80, 110)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel()
        self.note.setObjectName("muted")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        self.reload()

    def reload(self) -> None:
        refused = refusal(self.session, Action.CHANGE_SETTINGS)
        self.table.setVisible(refused is None)
        if refused is not None:
            self.note.setText(f"{refused}安全记录也只有他们可以查看。")
            return
        entries = op.audit_history(self.session.ctx())
        self.note.setText(
            "PIN 输错、暂停登录和解除等待，以及导出、备份、恢复和从命令行打印，都记在这里。"
            if entries
            else "还没有记录。PIN 输错、导出、备份、恢复等都会记在这里：谁、什么时候、从哪里。"
        )
        self.table.setRowCount(len(entries))
        for number, entry in enumerate(entries):
            values = (
                f"{entry.at:%Y-%m-%d %H:%M}",
                entry.by,
                entry.door.label,
                entry.action.label,
                entry.detail,
            )
            for column, value in enumerate(values):
                self.table.setItem(number, column, QTableWidgetItem(value))
        self.table.resizeRowsToContents()


class PinDialog(QDialog):
    """Change one's own PIN: the old one, then the new one twice."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("修改我的 PIN")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.old = _pin("old_pin")
        self.new = _pin("new_pin")
        self.again = _pin("again_pin")
        form.addRow("原 PIN", self.old)
        form.addRow("新 PIN", self.new)
        form.addRow("再输一次", self.again)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def submit(self) -> None:
        if self.new.text() != self.again.text():
            self.error.setText("两次输入的新 PIN 不一致。")
            self.error.show()
            return
        try:
            op.set_own_pin(
                self.session.store,
                self.session.clock,
                self.session.staff.id,
                self.new.text(),
                old_pin=self.old.text(),
            )
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            return
        self.accept()


def _pin(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    return edit
