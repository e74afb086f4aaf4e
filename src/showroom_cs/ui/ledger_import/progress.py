"""Step 3 of 导入旧台账: the import with its progress, then what it did."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...operations.imports import ImportResult
from .. import theme

# Where each phase of the import sits on the one bar (start, share of it).
PHASES = {
    "备份": (0, 10),
    "写入案件": (10, 60),
    "写入时间线": (70, 30),
}


class ImportPage(QWidget):
    """Signals: startRequested(): the manager confirmed the import."""

    startRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.about = QLabel()
        self.about.setObjectName("ledgerAbout")
        self.about.setWordWrap(True)
        layout.addWidget(self.about)
        self.start = QPushButton("开始导入")
        self.start.setObjectName("startImport")
        self.start.setProperty("primary", True)
        self.start.setMinimumWidth(160)
        self.start.clicked.connect(self.startRequested)
        row = QHBoxLayout()
        row.addWidget(self.start)
        row.addStretch(1)
        layout.addLayout(row)
        self.bar = QProgressBar()
        self.bar.setObjectName("importProgress")
        self.bar.setRange(0, 100)
        self.bar.setValue(0)
        self.bar.setFormat("%p%")
        layout.addWidget(self.bar)
        self.phase = QLabel()
        self.phase.setObjectName("muted")
        layout.addWidget(self.phase)
        # Long paths wrap anywhere and can be copied.
        self.result = QPlainTextEdit()
        self.result.setObjectName("importResult")
        self.result.setReadOnly(True)
        self.result.setWordWrapMode(QTextOption.WrapMode.WrapAnywhere)
        self.result.setFrameShape(QFrame.Shape.NoFrame)
        self.result.setMaximumHeight(150)
        self.result.hide()
        layout.addWidget(self.result)
        self.open_folder = QPushButton("打开未导入行所在的文件夹")
        self.open_folder.setObjectName("openReportFolder")
        self.open_folder.hide()
        self.open_folder.clicked.connect(self._open_folder)
        row = QHBoxLayout()
        row.addWidget(self.open_folder)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)
        self.report: Path | None = None

    def ready(
        self, count: int, backup_folder: Path | None, summary: str = "", refused: int = 0
    ) -> None:
        self.bar.setValue(0)
        self.phase.setText("")
        self.result.clear()
        self.result.hide()
        self.open_folder.hide()
        where = f"备份到「{breakable(backup_folder)}」，" if backup_folder is not None else ""
        head = summary + "\n" if summary else ""
        if count:
            self.about.setText(
                head + f"导入前会先把数据库{where}然后一次写入全部 {count} 件："
                "中途出错时一件也不写入。数据较多时需要几秒到几十秒，期间可以继续使用主窗口。"
            )
            self.start.setText(f"开始导入 {count} 件")
        else:
            self.about.setText(
                head + f"没有可以导入的行。可以把未导入的 {refused} 行和原因保存成表格，"
                "改好后再导入那个表格；数据库不会改动。"
            )
            self.start.setText(f"保存未导入的 {refused} 行")
        self.start.setEnabled(bool(count or refused))
        self.start.show()

    def running(self) -> None:
        self.start.setEnabled(False)
        self.phase.setText("正在准备…")

    def progressed(self, phase: str, done: int, total: int) -> None:
        first, share = PHASES.get(phase, (0, 100))
        self.bar.setValue(first + share * done // max(total, 1))
        self.phase.setText(f"{phase}：{done}/{total}" if phase != "备份" else "正在备份数据库…")

    def finished(self, result: ImportResult) -> None:
        self.bar.setValue(100)
        self.start.hide()
        self.phase.setText(f"用时 {result.seconds:.1f} 秒")
        lines = [f"已导入 {result.imported} 件。" if result.imported else "没有导入任何案件。"]
        if result.already:
            lines.append(f"已导入过的 {result.already} 行没有再导入。")
        if result.report is not None:
            lines.append(
                f"未导入 {result.refused} 行，每行的原因和原来的内容在：{result.report}"
                "（改好后可以再导入这个文件）。"
            )
        if result.backup is not None:
            lines.append(f"导入前的备份：{result.backup}")
        self.result.setPlainText("\n".join(lines))
        self.result.setStyleSheet("")
        self.result.show()
        self.report = result.report
        self.open_folder.setVisible(result.report is not None)

    def failed(self, message: str) -> None:
        self.bar.setValue(0)
        self.phase.setText("")
        self.result.setPlainText(f"导入没有完成，数据库没有改动：{message}")
        self.result.setStyleSheet(f"color: {theme.OVERDUE};")
        self.result.show()
        self.start.setEnabled(True)

    def _open_folder(self) -> None:
        if self.report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.report.parent)))


def breakable(path: object) -> str:
    """A path a label may wrap after each folder (a label wraps only at spaces)."""
    return str(path).replace("/", "/\u200b").replace("\\", "\\\u200b")
