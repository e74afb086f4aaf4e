"""When the database is damaged at start, and confirming a restore.

The app never goes on with a damaged file, and never creates an empty one
in its place: the person is told what happened and offered the newest copy
that passes its checks (or one they choose, e.g. from a USB stick). The
damaged file itself is kept aside by the restore.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import backup
from ..backup import BackupInfo


def describe(info: BackupInfo) -> str:
    cases = f"，{info.cases} 件案件" if info.cases is not None else ""
    return f"{info.taken_at:%Y-%m-%d %H:%M} 的{info.kind_label}{cases}"


def confirm_restore(parent: QWidget | None, info: BackupInfo) -> bool:
    """Say what will happen, in full, before the data is replaced."""
    answer = QMessageBox.question(
        parent,
        "恢复备份",
        f"用 {describe(info)} 替换现在的数据？\n\n"
        "备份之后登记或修改的内容将不在恢复后的数据里；现在的数据会先另存到备份文件夹"
        "（名称以 before-restore 结尾），需要时可以再恢复回来。恢复后请重新登录。",
    )
    return answer == QMessageBox.StandardButton.Yes


def choose_backup_file(parent: QWidget | None, start: Path) -> BackupInfo | None:
    """A backup file picked by hand and checked; a bad one is explained, not used."""
    chosen, _ = QFileDialog.getOpenFileName(
        parent, "选择备份文件", str(start), "数据库备份 (*.db);;所有文件 (*)"
    )
    if not chosen:
        return None
    info = backup.inspect_backup(Path(chosen))
    if not info.usable:
        QMessageBox.warning(parent, "不能用这个文件恢复", info.problem)
        return None
    return info


class DamagedDialog(QDialog):
    """Offers the newest usable backup, or a chosen file; `chosen` holds the pick."""

    def __init__(
        self,
        db_path: Path,
        problem: str,
        folders: list[Path],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("数据库已损坏")
        self.setMinimumWidth(560)
        self.folders = folders
        self.chosen: BackupInfo | None = None
        self.newest = backup.newest_usable(folders)
        layout = QVBoxLayout(self)
        text = QLabel(
            f"数据库文件「{db_path}」没有通过完整性检查，可能因为突然断电或硬盘故障而损坏。"
            "为了不让损坏扩大，本软件不会在这个文件上继续工作。\n\n"
            + (
                f"可以用最近一份完好的备份恢复：{describe(self.newest)}。"
                "恢复前，损坏的文件会另存一份，交给技术支持时可能还能找回更多内容。"
                if self.newest
                else "在备份文件夹里没有找到完好的备份。如果有U盘上的备份，请选择那个文件；"
                "否则请先不要再使用这台电脑上的数据，联系技术支持。"
            )
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        details = QLabel(f"检查结果：{problem[:300]}")
        details.setObjectName("muted")
        details.setWordWrap(True)
        layout.addWidget(details)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        if self.newest is not None:
            newest = QPushButton("用这份备份恢复")
            newest.setObjectName("restoreNewest")
            newest.setProperty("primary", True)
            newest.clicked.connect(lambda: self._pick(self.newest))
            buttons.addWidget(newest)
        other = QPushButton("选择其他备份文件…")
        other.setObjectName("restoreOther")
        other.clicked.connect(self._choose)
        buttons.addWidget(other)
        leave = QPushButton("退出")
        leave.clicked.connect(self.reject)
        buttons.addWidget(leave)
        layout.addLayout(buttons)

    def _choose(self) -> None:
        start = self.folders[0] if self.folders else Path.home()
        self._pick(choose_backup_file(self, start))

    def _pick(self, info: BackupInfo | None) -> None:
        if info is not None and confirm_restore(self, info):
            self.chosen = info
            self.accept()


def restore_now(parent: QWidget | None, db_path: Path, info: BackupInfo, keep: Path) -> bool:
    """Run the restore (the database closed); say how it went."""
    try:
        kept = backup.restore(db_path, info.path, keep, dt.datetime.now())
    except backup.BackupError as failure:
        QMessageBox.critical(parent, "恢复没有完成", failure.message)
        return False
    QMessageBox.information(
        parent, "已恢复", f"已用 {describe(info)} 恢复。恢复前的数据另存为：{kept}"
    )
    return True
