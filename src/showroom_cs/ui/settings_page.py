"""设置: the settings in force (showroom, staff, time limits, hours) and one's own PIN.

Editing showroom data, staff, lists and time limits comes with the settings
work; what every rule uses today is shown here so nobody has to guess.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..backup import (
    backup_folder,
    check_may_copy,
    list_backups,
    sqlite_files,
    take_backup,
)
from ..domain import ClockKind, Severity
from ..errors import ShowroomError
from ..operations import format_yuan
from ..settings import SLA_UNITS
from .background import run_in_background
from .recovery import choose_backup_file, confirm_restore
from .session import Session


class SettingsPage(QWidget):
    """Signals:
    restoreRequested(BackupInfo): a checked backup to restore (the app restarts on it).
    """

    restoreRequested = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.backup_job: QObject | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        title = QLabel("设置")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        self.body = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.refresh()

    def refresh(self) -> None:
        while self.body.count():
            item = self.body.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        settings = self.session.store.settings()
        shop = QGroupBox("门店信息")
        form = QFormLayout(shop)
        for label, value in (
            ("门店名称", settings.showroom_name),
            ("门店编码", settings.showroom_code),
            ("地址", settings.showroom_address or "—"),
            ("电话", settings.showroom_phone or "—"),
        ):
            form.addRow(label, QLabel(value))
        self.body.addWidget(shop)
        self.body.addWidget(self._data_box())
        mine = QGroupBox("我的账号")
        row = QHBoxLayout(mine)
        me = self.session.staff
        row.addWidget(QLabel(f"{me.name} · {me.role.label}"))
        change = QPushButton("修改我的 PIN")
        change.setObjectName("changePin")
        change.clicked.connect(self.change_pin)
        row.addWidget(change)
        row.addStretch(1)
        self.body.addWidget(mine)
        staff = QTableWidget(0, 3)
        staff.setObjectName("staffTable")
        staff.setHorizontalHeaderLabels(("姓名", "角色", "状态"))
        members = self.session.store.all_staff()
        staff.setRowCount(len(members))
        for number, member in enumerate(members):
            for column, value in enumerate(
                (member.name, member.role.label, "在职" if member.active else "已停用")
            ):
                staff.setItem(number, column, QTableWidgetItem(value))
        staff.verticalHeader().setVisible(False)
        staff.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        staff.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        staff.setMinimumHeight(min(40 + 32 * len(members), 300))
        self.body.addWidget(_boxed("员工与角色", staff))
        sla = QTableWidget(len(ClockKind), 4)
        sla.setObjectName("slaTable")
        sla.setHorizontalHeaderLabels(("时限", "紧急", "重要", "一般"))
        for number, clock in enumerate(ClockKind):
            sla.setItem(number, 0, QTableWidgetItem(f"{clock.label}（{SLA_UNITS[clock]}）"))
            for column, severity in enumerate(
                (Severity.URGENT, Severity.IMPORTANT, Severity.NORMAL), start=1
            ):
                sla.setItem(
                    number, column, QTableWidgetItem(str(settings.sla_value(clock, severity)))
                )
        sla.verticalHeader().setVisible(False)
        sla.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        sla.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        sla.setMinimumHeight(40 + 32 * len(ClockKind))
        self.body.addWidget(_boxed("时限", sla))
        hours = QGroupBox("营业与回访")
        hours_form = QFormLayout(hours)
        opens, closes = settings.opening_hours
        hours_form.addRow("营业时间", QLabel(f"{opens:%H:%M}–{closes:%H:%M}"))
        windows = "，".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in settings.calling_windows)
        hours_form.addRow("回访时段", QLabel(windows))
        hours_form.addRow("自动锁屏", QLabel(f"{settings.idle_lock_minutes} 分钟无操作"))
        limits = "；".join(
            f"{role.label} {'不限' if limit is None else format_yuan(limit)}"
            for role, limit in settings.approval_limits_fen.items()
            if limit != 0
        )
        hours_form.addRow("审批额度", QLabel(limits))
        self.body.addWidget(hours)
        self.body.addStretch(1)

    def _data_box(self) -> QGroupBox:
        box = QGroupBox("数据与备份")
        form = QFormLayout(box)
        store = self.session.store
        settings = store.settings()
        path = store.path
        if path is None:
            form.addRow("数据库", QLabel("内存（不保存）"))
            return box
        size = sum(part.stat().st_size for part in sqlite_files(path) if part.exists())
        form.addRow("数据库", _selectable(f"{path}（{size / 1e6:.1f} MB）"))
        folder = backup_folder(path, settings.backup_dir)
        form.addRow("备份文件夹", _selectable(str(folder)))
        form.addRow(
            "自动备份",
            QLabel(
                f"每天第一次打开时备份；保留最近 {settings.keep_daily} 天，"
                f"更早的每月保留一份，共 {settings.keep_monthly} 个月"
            ),
        )
        newest = next(iter(list_backups(folder, inspect=False)), None)
        form.addRow(
            "最近一次备份",
            QLabel(
                f"{newest.taken_at:%Y-%m-%d %H:%M}（{newest.kind_label}）" if newest else "还没有"
            ),
        )
        row = QHBoxLayout()
        self.backup_button = QPushButton("立即备份到…")
        self.backup_button.setObjectName("backupNow")
        self.backup_button.setToolTip("把数据库复制一份到选定的文件夹，例如U盘")
        self.backup_button.clicked.connect(self.backup_now)
        restore = QPushButton("恢复备份…")
        restore.setObjectName("restoreBackup")
        restore.clicked.connect(self.choose_restore)
        row.addWidget(self.backup_button)
        row.addWidget(restore)
        row.addStretch(1)
        form.addRow("", row)
        return box

    def _may_copy(self) -> bool:
        try:
            check_may_copy(self.session.staff)
        except ShowroomError as refusal:
            QMessageBox.warning(self, "不能操作", refusal.message)
            return False
        return True

    def backup_now(self) -> None:
        path = self.session.store.path
        if path is None or not self._may_copy():
            return
        start = backup_folder(path, self.session.store.settings().backup_dir)
        chosen = QFileDialog.getExistingDirectory(self, "备份到哪个文件夹", str(start))
        if not chosen:
            return
        self.backup_button.setEnabled(False)
        self.backup_button.setText("正在备份…")
        now = self.session.clock.now()
        self.backup_job = run_in_background(
            self,
            lambda: take_backup(path, Path(chosen), "manual", now),
            self._backed_up,
            self._backup_failed,
        )

    def _backed_up(self, target: Path) -> None:
        self._backup_finished()
        QMessageBox.information(self, "备份完成", f"已备份到：{target}")

    def _backup_failed(self, failure: Exception) -> None:
        self._backup_finished()
        message = failure.message if isinstance(failure, ShowroomError) else str(failure)
        QMessageBox.warning(self, "备份没有完成", message)

    def _backup_finished(self) -> None:
        self.backup_button.setEnabled(True)
        self.backup_button.setText("立即备份到…")

    def choose_restore(self) -> None:
        path = self.session.store.path
        if path is None or not self._may_copy():
            return
        folder = backup_folder(path, self.session.store.settings().backup_dir)
        info = choose_backup_file(self, folder)
        if info is not None and confirm_restore(self, info):
            self.restoreRequested.emit(info)

    def change_pin(self) -> None:
        PinDialog(self.session, self).exec()


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
                self.session.store, self.session.staff.id, self.new.text(), old_pin=self.old.text()
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


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    QVBoxLayout(box).addWidget(widget)
    return box
