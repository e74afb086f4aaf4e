"""导出周报: pick the week, check its figures, save the head-office file; the history below."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import Staff
from ..errors import ShowroomError
from ..export import (
    CsvFile,
    export_all_cases,
    export_week,
    last_complete_week,
    week_bounds,
    week_label,
)
from ..permissions import Action
from ..stats import summarise
from ..store import Store
from .background import run_in_background
from .gate import gate, refusal
from .session import Session

WEEKS_OFFERED = 12


def _export_all_on_own_connection(
    path: Path, actor: Staff, folder: Path, now: dt.datetime, full: bool
) -> tuple[Path, CsvFile]:
    store = Store.open(path)  # a Store belongs to one thread
    try:
        return export_all_cases(store, actor, folder, now=now, full=full)
    finally:
        store.close()


class ExportDialog(QDialog):
    """The weekly export. `saved` holds the last file written."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.saved: Path | None = None
        self.job: object | None = None  # the running all-cases export's signals, for tests
        self.setWindowTitle("导出周报（总部）")
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.week = QComboBox()
        self.week.setObjectName("week")
        today = session.clock.now().date()
        latest = week_bounds(last_complete_week(today))[0].date()
        for back in range(WEEKS_OFFERED):
            label = week_label(latest - dt.timedelta(weeks=back))
            start, end = week_bounds(label)
            self.week.addItem(
                f"{label}（{start:%m-%d} 至 {end - dt.timedelta(days=1):%m-%d}）", label
            )
        self.week.currentIndexChanged.connect(self.refresh)
        form.addRow("周次", self.week)
        self.summary = QLabel()
        self.summary.setObjectName("weekSummary")
        self.summary.setWordWrap(True)
        form.addRow("本周概况", self.summary)
        self.full = QCheckBox("包含完整的客户姓名和电话")
        self.full.setObjectName("full")
        gate(self.full, refusal(session, Action.EXPORT_FULL))
        form.addRow("", self.full)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.message = QLabel()
        self.message.setObjectName("exportMessage")
        self.message.setWordWrap(True)
        save = QPushButton("选择文件夹并导出")
        save.setObjectName("exportButton")
        save.setProperty("primary", True)
        save.clicked.connect(self.choose_and_export)
        self.save_all = QPushButton("导出全部案件…")
        self.save_all.setObjectName("exportAllButton")
        self.save_all.setToolTip(
            "每件案件一行，按现在的状态（含已结案和已作废），用于存档或自己做表格分析；"
            "不是发给总部的周报"
        )
        self.save_all.clicked.connect(self.choose_and_export_all)
        row.addWidget(self.message, 1)
        row.addWidget(self.save_all)
        row.addWidget(save)
        if session.read_only:  # an export is done when it is recorded too
            for button in (save, self.save_all):
                gate(button, session.read_only)
        layout.addLayout(row)
        layout.addWidget(QLabel("导出记录"))
        self.history = QTableWidget(0, 6)
        self.history.setObjectName("exportHistory")
        self.history.setHorizontalHeaderLabels(
            ("周次", "导出时间", "导出人", "客户信息", "件数", "校验码")
        )
        self.history.verticalHeader().setVisible(False)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.history)
        self.refresh()

    def refresh(self) -> None:
        store = self.session.store
        start, end = week_bounds(self.week.currentData())
        summary = summarise(store, start, end, self.session.clock.now())
        settings = store.settings()
        categories = (
            "、".join(f"{settings.label_of('category', k)} {n}" for k, n in summary.by_category)
            or "无"
        )
        stages = "、".join(f"{stage.label} {n}" for stage, n in summary.by_stage) or "无"
        on_time = "—" if summary.on_time_rate is None else f"{summary.on_time_rate:.0%}"
        satisfaction = "—" if summary.satisfaction is None else f"{summary.satisfaction:.1f}"
        self.summary.setText(
            f"新登记 {summary.received} 件，结案 {summary.closed} 件，不成立 {summary.invalid} 件；"
            f"按时率 {on_time}，平均满意度 {satisfaction}。\n按类别：{categories}\n按阶段：{stages}"
        )
        names = {s.id: s.name for s in store.all_staff()}
        rows = store.query("SELECT * FROM exports ORDER BY id DESC LIMIT 20")
        self.history.setRowCount(len(rows))
        for number, row in enumerate(rows):
            values = (
                row["week"],
                row["exported_at"][:16],
                names.get(row["by_id"], ""),
                "完整" if row["full"] else "已遮盖",
                str(row["rows"]),
                row["sha256"][:12],
            )
            for column, value in enumerate(values):
                self.history.setItem(number, column, QTableWidgetItem(value))

    def export_to(self, folder: Path) -> Path | None:
        try:
            path, export = export_week(
                self.session.store,
                self.session.staff,
                self.week.currentData(),
                folder,
                full=self.full.isChecked(),
                now=self.session.clock.now(),
            )
        except (ShowroomError, OSError) as failure:
            self._failed(failure, folder)
            return None
        self.saved = path
        self.message.setText(f"已导出 {export.rows} 件：{path}")
        self.refresh()
        return path

    def export_all_to(self, folder: Path) -> None:
        """Every case: thousands of rows, so written off the UI thread."""
        store, staff = self.session.store, self.session.staff
        now, full = self.session.clock.now(), self.full.isChecked()
        if store.path is None:  # an in-memory database lives on this thread only
            try:
                self._all_done(export_all_cases(store, staff, folder, now=now, full=full))
            except (ShowroomError, OSError) as failure:
                self._failed(failure, folder)
            return
        path = store.path
        self.save_all.setEnabled(False)
        self.save_all.setText("正在导出…")
        self.message.setText("正在导出全部案件，请稍候…")
        self.job = run_in_background(
            self,
            lambda: _export_all_on_own_connection(path, staff, folder, now, full),
            self._all_done,
            lambda failure: self._failed(failure, folder),
        )

    def _all_done(self, result: tuple[Path, CsvFile]) -> None:
        path, export = result
        self._all_finished()
        self.saved = path
        self.message.setText(f"已导出全部 {export.rows} 件：{path}")
        self.refresh()

    def _failed(self, failure: Exception, folder: Path) -> None:
        self._all_finished()
        if isinstance(failure, ShowroomError):
            self.message.setText(failure.message)
        elif isinstance(failure, OSError):
            reason = failure.strerror or failure
            self.message.setText(f"无法保存到「{folder}」：{reason}。请换一个文件夹。")
        else:  # unexpected: the error hook logs it and says so in Chinese
            self.message.setText("导出没有完成。")
            sys.excepthook(type(failure), failure, failure.__traceback__)

    def _all_finished(self) -> None:
        self.save_all.setEnabled(True)
        self.save_all.setText("导出全部案件…")

    def choose_and_export(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "选择保存周报的文件夹", str(Path.home()))
        if folder:
            self.export_to(Path(folder))

    def choose_and_export_all(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "选择保存全部案件的文件夹", str(Path.home())
        )
        if folder:
            self.export_all_to(Path(folder))
