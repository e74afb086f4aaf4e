"""Photos and scans as thumbnails: added by drag and drop or a file dialog.

Before a case is saved the strip holds the chosen files; once it has a case
it shows that case's attachments and adds files to it at once.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent, QIcon, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..errors import ShowroomError
from ..operations.attachments import ALLOWED_SUFFIXES
from . import theme
from .gate import gate
from .session import Session

THUMB = QSize(96, 72)
PATH_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def _thumbnail(path: Path) -> QIcon:
    if path.suffix.lower() == ".pdf":
        return theme.icon("file-pdf-box", theme.OVERDUE)
    pixmap = QPixmap(str(path))
    if pixmap.isNull():
        return theme.icon("image-broken-variant")
    return QIcon(
        pixmap.scaled(
            THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
    )


class AttachmentStrip(QWidget):
    """Signals:
    changed(): files were added or voided (the case's timeline has news).
    """

    changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case_id: int | None = None
        self.pending: list[Path] = []
        self.setAcceptDrops(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setObjectName("attachments")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setFixedHeight(THUMB.height() + 44)
        self.list.setWrapping(False)
        self.list.setFlow(QListWidget.Flow.LeftToRight)
        self.list.itemDoubleClicked.connect(self.open_item)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.add_button = QPushButton(theme.icon("paperclip"), "添加照片/扫描件")
        self.add_button.setObjectName("addAttachment")
        self.add_button.setToolTip("也可以把照片直接拖到这里")
        self.add_button.clicked.connect(self.choose_files)
        if session.read_only:
            gate(self.add_button, session.read_only)
        self.void_button = QPushButton("作废所选附件")
        self.void_button.setObjectName("voidAttachment")
        self.void_button.clicked.connect(self.void_selected)
        self.message = QLabel()
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        row.addWidget(self.add_button)
        row.addWidget(self.void_button)
        row.addWidget(self.message, 1)
        layout.addLayout(row)
        self._refresh()

    def show_case(self, case_id: int | None) -> None:
        self.case_id = case_id
        self.pending = []
        self.message.clear()
        self._refresh()

    def add_files(self, paths: list[Path]) -> None:
        """Attach files (to the case, or keep them until the case is saved)."""
        self.message.clear()
        wanted = [p for p in paths if p.suffix.lower() in ALLOWED_SUFFIXES]
        if len(wanted) < len(paths):
            self.message.setText("只能添加照片（jpg、png、heic 等）或 PDF 扫描件，其他文件已略过。")
        if self.case_id is None:
            self.pending.extend(p for p in wanted if p not in self.pending)
        else:
            for path in wanted:
                try:
                    op.add_attachment(self.session.ctx(), self.case_id, path)
                except ShowroomError as refusal:
                    self.message.setText(refusal.message)
            self.changed.emit()
        self._refresh()

    def attach_pending(self, case_id: int) -> list[str]:
        """After saving a new case: attach what was chosen; returns the refusals."""
        problems = []
        for path in self.pending:
            try:
                op.add_attachment(self.session.ctx(), case_id, path)
            except ShowroomError as refusal:
                problems.append(refusal.message)
        self.pending = []
        self._refresh()
        return problems

    def choose_files(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in sorted(ALLOWED_SUFFIXES))
        names, _ = QFileDialog.getOpenFileNames(
            self, "选择照片或扫描件", str(Path.home()), f"照片和扫描件 ({patterns})"
        )
        if names:
            self.add_files([Path(name) for name in names])

    def void_selected(self) -> None:
        item = self.list.currentItem()
        if item is None:
            self.message.setText("请先选中一个附件。")
            return
        if self.case_id is None:
            self.pending.remove(item.data(PATH_ROLE))
            self._refresh()
            return
        reason, ok = QInputDialog.getText(self, "作废附件", "作废理由：")
        if not ok:
            return
        try:
            op.void_attachment(self.session.ctx(), int(item.data(ID_ROLE)), reason)
        except ShowroomError as refusal:
            self.message.setText(refusal.message)
            return
        self.changed.emit()
        self._refresh()

    def _refresh(self) -> None:
        self.list.clear()
        folder = self.session.store.attachment_folder
        if self.case_id is None:
            for path in self.pending:
                item = QListWidgetItem(_thumbnail(path), path.name)
                item.setData(PATH_ROLE, path)
                self.list.addItem(item)
        elif folder is not None:
            for attachment in self.session.store.attachments(self.case_id):
                stored = folder / attachment.stored_name
                missing = not stored.exists()
                label = attachment.file_name
                if attachment.voided_at is not None:
                    label = f"（已作废）{label}"
                elif missing:
                    label = f"（文件缺失）{label}"
                icon = theme.icon("file-alert-outline") if missing else _thumbnail(stored)
                item = QListWidgetItem(icon, label)
                item.setData(ID_ROLE, attachment.id)
                item.setToolTip(
                    attachment.void_reason
                    or f"{attachment.kind.label} · {attachment.added_at:%m-%d %H:%M}"
                )
                if attachment.voided_at is not None:
                    item.setForeground(Qt.GlobalColor.gray)
                self.list.addItem(item)
        gate(
            self.void_button,
            self.session.read_only,
            ready=self.list.count() > 0,
            not_ready="这个案件还没有附件",
        )
        # An empty list is no place for Tab to stop.
        self.list.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if self.list.count() else Qt.FocusPolicy.NoFocus
        )

    def open_item(self, item: QListWidgetItem) -> None:
        """Show the photo or scan in the system's viewer; a file gone missing is
        explained (the record stays: evidence is never silently dropped)."""
        pending = item.data(PATH_ROLE)
        if pending is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(pending)))
            return
        folder = self.session.store.attachment_folder
        attachment_id = item.data(ID_ROLE)
        if folder is None or attachment_id is None or self.case_id is None:
            return
        attachment = next(
            a for a in self.session.store.attachments(self.case_id) if a.id == attachment_id
        )
        stored = folder / attachment.stored_name
        if not stored.exists():
            QMessageBox.warning(
                self,
                "附件文件不见了",
                f"「{attachment.file_name}」的记录还在，但文件不在应在的位置：\n{stored}\n\n"
                "可能被移动或删除了。请从备份（U盘或备份文件夹中的附件）找回后放回这个位置，"
                "或重新添加这张照片。",
            )
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(stored)))

    # -- drag and drop from the file manager

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.add_files(paths)
            event.acceptProposedAction()
