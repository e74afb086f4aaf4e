"""导入旧台账 (设置 → 数据与备份): three steps in one dialog.

1. the file, its sheet, and what each column becomes; 2. the preview of how
each row will be stored and what is wrong with it, with the dry run's
counts; 3. the import, with a progress bar, then what it did. Reading the
file, the dry run and the import run off the UI thread, each on its own
database connection (a `Store` belongs to one thread), so the window keeps
painting; an in-memory database (tests) is worked on in place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...backup import backup_folder
from ...domain import Door
from ...errors import ShowroomError
from ...ledger import (
    Field,
    LedgerTable,
    Plan,
    match_columns,
    plan_import,
    read_table,
)
from ...operations import Context
from ...operations.imports import ImportResult, import_ledger
from ...permissions import Action
from ...store import Store
from ..background import run_in_background
from ..gate import refusal
from ..session import Session
from .columns import ColumnsPage
from .preview import PreviewPage
from .progress import ImportPage

STEPS = ("选择文件，核对列的对应", "预览与试运行", "导入")
FILE_FILTER = "客诉台账 (*.xlsx *.xlsm *.xls *.ods *.csv *.txt);;所有文件 (*)"


class _Relay(QObject):
    """Signals: progressed(str, int, int): phase, done, total — emitted from the
    worker thread, delivered on the UI thread."""

    progressed = Signal(str, int, int)


class LedgerImportDialog(QDialog):
    """Signals: imported(object): the ImportResult of an import that wrote cases."""

    imported = Signal(object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.table: LedgerTable | None = None
        self.plan: Plan | None = None
        self.outcome: ImportResult | None = None
        self.job: QObject | None = None  # the running work's signals, for tests to wait on
        self.busy = False
        self.setWindowTitle("导入旧台账")
        self.setObjectName("ledgerImport")
        layout = QVBoxLayout(self)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        layout.addWidget(self.title)
        self.stack = QStackedWidget()
        self.columns = ColumnsPage()
        self.preview = PreviewPage()
        self.progress = ImportPage()
        for page in (self.columns, self.preview, self.progress):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.back = QPushButton("上一步")
        self.back.setObjectName("ledgerBack")
        self.cancel = QPushButton("取消")
        self.cancel.setObjectName("ledgerCancel")
        self.next = QPushButton()
        self.next.setObjectName("ledgerNext")
        self.next.setProperty("primary", True)
        self.next.setMinimumWidth(150)
        buttons.addWidget(self.back)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel)
        buttons.addWidget(self.next)
        layout.addLayout(buttons)
        self.back.clicked.connect(self.go_back)
        self.cancel.clicked.connect(self.reject)
        self.next.clicked.connect(self.go_next)
        self.columns.chooseRequested.connect(self.choose_file)
        self.columns.sheetChosen.connect(self._sheet_chosen)
        self.columns.mappingChanged.connect(self._update_buttons)
        self.progress.startRequested.connect(self.start_import)
        self.relay = _Relay(self)
        self._fit_screen()
        self.show_step(0)
        refused = refusal(session, Action.IMPORT_LEDGER)
        if refused is not None:  # the button is disabled; said here too, should it be reached
            self.columns.failed(refused)
            self.columns.setEnabled(False)

    def _fit_screen(self) -> None:
        """As large as useful, never larger than the screen (1366×768 at a counter)."""
        width, height = 1180, 690
        screen = self.screen()
        if screen is not None:
            area = screen.availableGeometry()
            width = min(width, area.width() - 40)
            height = min(height, area.height() - 70)
        self.resize(width, height)

    # ---------------------------------------------------------------- steps

    def show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.title.setText(f"导入旧台账 · 第 {step + 1} 步（共 3 步）：{STEPS[step]}")
        self._update_buttons()

    def _update_buttons(self) -> None:
        step = self.stack.currentIndex()
        self.back.setVisible(step in (1, 2) and self.outcome is None)
        self.back.setEnabled(not self.busy)
        self.cancel.setVisible(self.outcome is None)
        self.cancel.setEnabled(not self.busy)
        self.next.setVisible(step < 2 or self.outcome is not None)
        if step == 0:
            self.next.setText("下一步：预览")
            self.next.setEnabled(not self.busy and self.columns.complete)
        elif step == 1:
            self.next.setText("下一步：导入")
            # Refused rows alone are worth the last step: their workbook, to fix.
            wanted = self.plan is not None and bool(self.plan.to_import or self.plan.refused)
            self.next.setEnabled(not self.busy and wanted)
        else:
            self.next.setText("完成")
            self.next.setEnabled(not self.busy)

    def go_next(self) -> None:
        step = self.stack.currentIndex()
        if step == 0:
            self.show_step(1)
            self.dry_run()
        elif step == 1 and self.plan is not None:
            path = self.session.store.path
            folder = backup_folder(path, self.session.store.settings().backup_dir) if path else None
            self.progress.ready(
                len(self.plan.to_import), folder, self.plan.summary(), len(self.plan.refused)
            )
            self.show_step(2)
        else:
            self.accept()

    def go_back(self) -> None:
        if not self.busy:
            self.show_step(max(0, self.stack.currentIndex() - 1))

    def reject(self) -> None:
        if self.busy:  # an import is all or nothing: it is not left halfway
            self.progress.phase.setText("正在处理，请等完成后再关闭。")
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.busy:
            event.ignore()
            self.progress.phase.setText("正在处理，请等完成后再关闭。")
            return
        super().closeEvent(event)

    # ----------------------------------------------------------------- file

    def choose_file(self) -> None:
        start = str(self.table.path.parent) if self.table else str(Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self, "选择客诉台账", start, FILE_FILTER)
        if chosen:
            self.load_file(Path(chosen))

    def load_file(self, path: Path, sheet: str | None = None) -> None:
        """Read the file (the sheet, or the first whose header is recognised)."""
        self.columns.reading(str(path))
        self.plan = None
        self._start(lambda: read_table(path, sheet), self._loaded, self.columns.failed)

    def _sheet_chosen(self, sheet: str) -> None:
        if self.table is not None and sheet != self.table.sheet:
            self.load_file(self.table.path, sheet)

    def _loaded(self, table: LedgerTable) -> None:
        self.table = table
        self.columns.show_table(table, match_columns(table.headers))
        self._update_buttons()

    # -------------------------------------------------------------- dry run

    def dry_run(self) -> None:
        table, mapping = self.table, self.columns.mapping()
        if table is None:
            return
        self.plan = None
        self.preview.checking()
        relay = _Relay(self)
        relay.progressed.connect(self._checking)
        self._start_on_store(
            lambda ctx: plan_import(ctx, table, mapping, relay.progressed.emit),
            self._planned,
            self._plan_failed,
        )

    def _checking(self, _phase: str, done: int, total: int) -> None:
        self.preview.summary.setText(f"正在检查每一行：{done}/{total}…")

    def _planned(self, plan: Plan) -> None:
        self.plan = plan
        self.preview.show_plan(plan, self.session.store.settings())
        self._update_buttons()

    def _plan_failed(self, message: str) -> None:
        self.preview.summary.setText(message)
        self._update_buttons()

    # --------------------------------------------------------------- import

    def start_import(self) -> None:
        plan = self.plan
        if plan is None or self.busy:
            return
        store = self.session.store
        path = store.path
        folder = backup_folder(path, store.settings().backup_dir) if path else None
        reports = [plan.table.path.parent, *([path.parent] if path else [])]
        self.progress.running()
        relay = _Relay(self)
        relay.progressed.connect(self.progress.progressed)
        self._start_on_store(
            lambda ctx: import_ledger(
                ctx,
                plan,
                backup_folder=folder,
                report_folders=reports,
                progress=relay.progressed.emit,
            ),
            self._imported,
            self.progress.failed,
        )

    def _imported(self, result: ImportResult) -> None:
        self.outcome = result
        self.progress.finished(result)
        self._update_buttons()
        if result.imported:
            self.imported.emit(result)

    # ----------------------------------------------------------- background

    def _start(
        self, work: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[str], None]
    ) -> None:
        self.busy = True
        self._update_buttons()

        def finish(result: Any) -> None:
            self.busy = False
            done(result)
            self._update_buttons()

        def fail(failure: Exception) -> None:
            self.busy = False
            failed(self._message(failure))
            self._update_buttons()

        if self.session.store.path is None:  # in memory: this thread's own
            try:
                result = work()
            except Exception as failure:
                fail(failure)
            else:
                finish(result)
            return
        self.job = run_in_background(self, work, finish, fail)

    def _start_on_store(
        self,
        work: Callable[[Context], Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        """`work` with a Context of its own connection (the store's, in memory)."""
        session = self.session
        path = session.store.path

        def on_own_connection() -> Any:
            if path is None:
                return work(session.ctx())
            store = Store.open(path)
            try:
                return work(Context(store, session.clock, session.staff.id, Door.WINDOW))
            finally:
                store.close()

        self._start(on_own_connection, done, failed)

    @staticmethod
    def _message(failure: Exception) -> str:
        if isinstance(failure, ShowroomError):
            return failure.message
        if isinstance(failure, OSError):
            return f"无法读写文件：{failure.strerror or failure}"
        sys.excepthook(type(failure), failure, failure.__traceback__)  # logged, said in Chinese
        return "出现了意外的错误，已记录在日志中。"

    def mapping(self) -> tuple[Field, ...]:
        return self.columns.mapping()
