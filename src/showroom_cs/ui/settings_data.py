"""设置 · 数据与备份: where the data and its copies are, copying by hand,
restoring, importing the old ledger, how many copies are kept, and the idle lock."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QWidget,
)

from ..backup import (
    backup_folder,
    check_may_copy,
    list_backups,
    record_copy,
    sqlite_files,
    take_backup,
)
from ..domain import Door
from ..errors import ShowroomError
from ..permissions import Action
from .background import run_in_background
from .gate import gate, refusal
from .recovery import choose_backup_file, confirm_restore
from .session import Session
from .settings_tab import SettingsTab, compact

if TYPE_CHECKING:
    from .ledger_import import LedgerImportDialog


def _selectable(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _spin(name: str, value: int, low: int, high: int, suffix: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(low, high)
    spin.setSuffix(suffix)
    spin.setValue(value)
    compact(spin)
    return spin


class DataTab(SettingsTab):
    """Signals (besides saved): restoreRequested(BackupInfo): restore it and start again."""

    restoreRequested = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.backup_job: QObject | None = None
        store = session.store
        settings = store.settings()
        form = QFormLayout()
        path = store.path
        if path is None:
            form.addRow("数据库", QLabel("内存（不保存）"))
        else:
            size = sum(part.stat().st_size for part in sqlite_files(path) if part.exists())
            form.addRow("数据库", _selectable(f"{path}（{size / 1e6:.1f} MB）"))
            self.newest = QLabel()
            self.newest.setObjectName("newestBackup")
            form.addRow("最近一次备份", self.newest)
            self.show_newest()
        self.folder = QLineEdit(settings.backup_dir)
        self.folder.setObjectName("backupDir")
        self.folder.setPlaceholderText(
            str(backup_folder(path, "")) if path else "数据库旁边的 backups 文件夹"
        )
        self.folder.setReadOnly(not self.may_edit)
        choose = QPushButton("选择…")
        choose.setEnabled(self.may_edit)
        choose.clicked.connect(self.choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        form.addRow("备份文件夹", row)
        self.keep_daily = _spin("keepDaily", settings.keep_daily, 1, 365, " 天")
        self.keep_monthly = _spin("keepMonthly", settings.keep_monthly, 0, 120, " 个月")
        self.idle = _spin("idleLock", settings.idle_lock_minutes, 1, 240, " 分钟")
        self.pin_tries = _spin("pinTries", settings.pin_tries, 3, 20, " 次")
        self.pin_first = _spin("pinFirstWait", settings.pin_first_wait_minutes, 1, 60, " 分钟")
        self.pin_longest = _spin(
            "pinLongestWait", settings.pin_longest_wait_minutes, 1, 24 * 60, " 分钟"
        )
        spins = (self.keep_daily, self.keep_monthly, self.idle)
        for spin in (*spins, self.pin_tries, self.pin_first, self.pin_longest):
            spin.setEnabled(self.may_edit)
        form.addRow("每日备份保留", self.keep_daily)
        form.addRow("之后每月保留一份，共", self.keep_monthly)
        form.addRow("无操作自动锁屏", self.idle)
        form.addRow("PIN 连续输错", self.pin_tries)
        form.addRow("之后先等待", self.pin_first)
        form.addRow("每再错一次等待加倍，最长", self.pin_longest)
        self.layout_.addLayout(form)
        copies = QHBoxLayout()
        self.backup_button = QPushButton("立即备份到…")
        self.backup_button.setObjectName("backupNow")
        gate(
            self.backup_button,
            refusal(session, Action.BACKUP),
            tip="把数据库和照片复制一份到选定的文件夹，例如U盘",
        )
        self.backup_button.clicked.connect(self.backup_now)
        restore = QPushButton("恢复备份…")
        restore.setObjectName("restoreBackup")
        gate(restore, refusal(session, Action.RESTORE), tip="用一份备份替换现在的数据")
        restore.clicked.connect(self.choose_restore)
        self.import_button = QPushButton("导入旧台账…")
        self.import_button.setObjectName("importLedger")
        gate(
            self.import_button,
            refusal(session, Action.IMPORT_LEDGER),
            tip="把以前用 Excel、WPS 或 CSV 记的客诉台账导入本软件",
        )
        self.import_button.clicked.connect(self.import_ledger)
        copies.addWidget(self.backup_button)
        copies.addWidget(restore)
        copies.addWidget(self.import_button)
        copies.addStretch(1)
        self.layout_.addLayout(copies)
        hint = QLabel(
            "每天第一次打开本软件时自动备份到备份文件夹，并检查备份是否完好。"
            "手动备份、恢复和导入旧台账只有店长、总经理或老板可以操作（备份里有客户的完整信息；"
            "导入前会先自动备份）。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.layout_.addWidget(hint)
        self.finish(self.save)

    def show_newest(self) -> None:
        """The newest copy in the backup folder (after the day's copy, too)."""
        path = self.session.store.path
        if path is None:
            return
        folder = backup_folder(path, self.session.store.settings().backup_dir)
        newest = next(iter(list_backups(folder, inspect=False)), None)
        self.newest.setText(
            f"{newest.taken_at:%Y-%m-%d %H:%M}（{newest.kind_label}）" if newest else "还没有"
        )

    def choose_folder(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "备份文件夹", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    def save(self) -> None:
        self.apply(
            dataclasses.replace(
                self.session.store.settings(),
                backup_dir=self.folder.text().strip(),
                keep_daily=self.keep_daily.value(),
                keep_monthly=self.keep_monthly.value(),
                idle_lock_minutes=self.idle.value(),
                pin_tries=self.pin_tries.value(),
                pin_first_wait_minutes=self.pin_first.value(),
                pin_longest_wait_minutes=self.pin_longest.value(),
            )
        )

    # copies by hand ----------------------------------------------------------

    def _may_copy(self, action: Action = Action.BACKUP) -> bool:
        try:
            check_may_copy(self.session.staff, action)
        except ShowroomError as refused:
            QMessageBox.warning(self, "不能操作", refused.message)
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
        record_copy(
            self.session.store, self.session.staff, Door.WINDOW, target, self.session.clock.now()
        )
        QMessageBox.information(self, "备份完成", f"已备份到：{target}")

    def _backup_failed(self, failure: Exception) -> None:
        self._backup_finished()
        message = failure.message if isinstance(failure, ShowroomError) else str(failure)
        QMessageBox.warning(self, "备份没有完成", message)

    def _backup_finished(self) -> None:
        gate(self.backup_button, refusal(self.session, Action.BACKUP))
        self.backup_button.setText("立即备份到…")

    def import_ledger(self) -> LedgerImportDialog:
        """The wizard; the pages show the imported cases, the security log the import."""
        from .ledger_import import LedgerImportDialog

        dialog = LedgerImportDialog(self.session, self)
        dialog.imported.connect(lambda _result: self.saved.emit())
        dialog.open()
        return dialog

    def choose_restore(self) -> None:
        path = self.session.store.path
        if path is None or not self._may_copy(Action.RESTORE):
            return
        folder = backup_folder(path, self.session.store.settings().backup_dir)
        info = choose_backup_file(self, folder)
        if info is not None and confirm_restore(self, info):
            self.restoreRequested.emit(info)
