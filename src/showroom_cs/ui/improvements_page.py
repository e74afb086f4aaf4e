"""改进措施: what the showroom promised itself to change, followed through to
done (seeds 000, 001); each item links back to the cases it came from, and
the recurring causes of the last months say what to fix first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..errors import ShowroomError
from ..permissions import Action
from ..stats import causes_by_month
from . import theme
from .gate import gate, refusal
from .session import Session

CAUSE_MONTHS = 3
COLUMNS = ("改进措施", "负责人", "期限", "状态", "关联案件")


class ImprovementsPage(QWidget):
    """Signals: caseRequested(int): open a linked case."""

    caseRequested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.items: list[op.Improvement] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel("改进措施")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        bar = QHBoxLayout()
        self.show_open = QRadioButton("进行中")
        self.show_open.setObjectName("showOpen")
        self.show_open.setChecked(True)
        self.show_done = QRadioButton("已完成")
        self.show_done.setObjectName("showDone")
        group = QButtonGroup(self)
        for button in (self.show_open, self.show_done):
            group.addButton(button)
            bar.addWidget(button)
            button.toggled.connect(self.refresh)
        bar.addStretch(1)
        self.complete_button = QPushButton("标记完成…")
        self.complete_button.setObjectName("completeImprovement")
        self.complete_button.clicked.connect(self.complete_selected)
        self.reassign_button = QPushButton("改派或延期…")
        self.reassign_button.setObjectName("reassignImprovement")
        self.reassign_button.clicked.connect(self.reassign_selected)
        bar.addWidget(self.complete_button)
        bar.addWidget(self.reassign_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("improvementTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 80), (2, 110), (3, 110), (4, 90)):
            self.table.setColumnWidth(column, width)
        self.table.itemSelectionChanged.connect(self._show_cases)
        self.empty = QLabel()
        self.empty.setObjectName("emptyState")
        self.empty.setWordWrap(True)
        below = QWidget()
        below_layout = QHBoxLayout(below)
        below_layout.setContentsMargins(0, 0, 0, 0)
        cases_box = QVBoxLayout()
        cases_box.addWidget(QLabel("关联案件（双击打开）"))
        self.cases = QListWidget()
        self.cases.setObjectName("linkedCases")
        self.cases.itemActivated.connect(self._open_case)
        self.cases.itemDoubleClicked.connect(self._open_case)
        cases_box.addWidget(self.cases)
        below_layout.addLayout(cases_box, 1)
        causes_box = QVBoxLayout()
        causes_box.addWidget(QLabel(f"近 {CAUSE_MONTHS} 个月反复出现的原因（结案时选定）"))
        self.causes = QLabel()
        self.causes.setObjectName("recurringCauses")
        self.causes.setWordWrap(True)
        self.causes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        causes_box.addWidget(self.causes, 1)
        below_layout.addLayout(causes_box, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table)
        top_layout.addWidget(self.empty)
        split.addWidget(top)
        split.addWidget(below)
        split.setSizes([420, 200])
        layout.addWidget(split, 1)
        self.refresh()

    def refresh(self) -> None:
        store = self.session.store
        done = self.show_done.isChecked()
        self.items = op.improvements(store, done=done)
        names = {s.id: s.name for s in store.all_staff()}
        numbers = self._case_numbers()
        today = self.session.clock.now().date()
        self.table.setRowCount(len(self.items))
        for row, item in enumerate(self.items):
            if item.done_at is not None:
                state = f"{item.done_at:%m-%d} 完成"
            else:
                state = "已逾期" if item.overdue(today) else "进行中"
            linked = "、".join(numbers.get(i, "") for i in item.case_ids[:3])
            more = f" 等 {len(item.case_ids)} 件" if len(item.case_ids) > 3 else ""
            values = (
                item.text,
                names.get(item.owner_id, ""),
                f"{item.due_date:%Y-%m-%d}",
                state,
                f"{len(item.case_ids)} 件",
            )
            for column, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(item.text if column == 0 else linked + more)
                if column == 3 and item.overdue(today):
                    cell.setForeground(QColor(theme.OVERDUE))
                self.table.setItem(row, column, cell)
        self.table.setVisible(bool(self.items))
        self.empty.setVisible(not self.items)
        self.empty.setText(
            "还没有完成的改进措施。"
            if done
            else "没有进行中的改进措施。结案时写下的改进措施会出现在这里，直到负责人标记完成。"
        )
        if self.items:
            self.table.selectRow(0)
        self._show_cases()
        self._show_causes()

    def _gate_buttons(self) -> None:
        """Decided on every refresh and selection: whoever unlocks the window may
        hold another role, and completing depends on whose item it is."""
        item = self.selected()
        ready = item is not None and item.done_at is None
        why = "请先在表格中选一项进行中的改进措施"
        mine = item is not None and item.owner_id == self.session.staff.id
        gate(
            self.complete_button,
            refusal(self.session, Action.COMPLETE_IMPROVEMENT, owns=mine),
            ready=ready,
            not_ready=why,
        )
        gate(
            self.reassign_button,
            refusal(self.session, Action.MANAGE_IMPROVEMENTS),
            ready=ready,
            not_ready=why,
        )

    def _case_numbers(self) -> dict[int, str]:
        ids = sorted({i for item in self.items for i in item.case_ids})
        return {case.id: case.case_no for case in self.session.store.cases(ids)}

    def selected(self) -> op.Improvement | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows else None

    def _show_cases(self) -> None:
        self._gate_buttons()
        self.cases.clear()
        item = self.selected()
        if item is None:
            return
        settings = self.session.store.settings()
        for case in self.session.store.cases(list(item.case_ids)):
            cause = settings.label_of("cause", case.cause_key) if case.cause_key else ""
            row = QListWidgetItem(
                f"{case.case_no}  {settings.label_of('category', case.category)}"
                + (f" · {cause}" if cause else "")
                + f"  {case.closing_cause[:30]}"
            )
            row.setData(Qt.ItemDataRole.UserRole, case.id)
            self.cases.addItem(row)

    def _show_causes(self) -> None:
        today = self.session.clock.now().date()
        first = today.replace(day=1)
        for _ in range(CAUSE_MONTHS - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        months = causes_by_month(self.session.store, first, CAUSE_MONTHS)
        lines = [
            f"<b>{month}</b>：" + "、".join(f"{label} {count}" for label, count in top[:4])
            for month, top in months
        ]
        self.causes.setText("<br>".join(lines) or "这几个月还没有选定原因类别的结案。")

    def _open_case(self, row: QListWidgetItem) -> None:
        self.caseRequested.emit(int(row.data(Qt.ItemDataRole.UserRole)))

    def complete_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        note, given = QInputDialog.getMultiLineText(
            self, "标记完成", f"「{item.text[:40]}」做了什么、结果如何："
        )
        if not given:
            return
        self._apply(lambda: op.complete_improvement(self.session.ctx(), item.id, note))

    def reassign_selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        dialog = ReassignDialog(self.session, item, self)
        if dialog.exec():
            self._apply(
                lambda: op.reassign_improvement(
                    self.session.ctx(), item.id, owner_id=dialog.owner_id(), due=dialog.due()
                )
            )

    def _apply(self, change: Callable[[], object]) -> None:
        try:
            change()
        except ShowroomError as refusal:
            QMessageBox.warning(self, "不能操作", refusal.message)
            return
        self.refresh()


class ReassignDialog(QDialog):
    """Another owner, another due date."""

    def __init__(self, session: Session, item: op.Improvement, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("改派或延期")
        form = QFormLayout(self)
        self.owner = QComboBox()
        self.owner.setObjectName("owner")
        for member in session.store.all_staff(active_only=True):
            self.owner.addItem(member.name, member.id)
        self.owner.setCurrentIndex(max(self.owner.findData(item.owner_id), 0))
        form.addRow("负责人", self.owner)
        self.due_edit = QDateEdit(QDate(item.due_date.year, item.due_date.month, item.due_date.day))
        self.due_edit.setObjectName("due")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        form.addRow("完成期限", self.due_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def owner_id(self) -> int:
        return int(self.owner.currentData())

    def due(self) -> dt.date:
        day = self.due_edit.date()
        return dt.date(day.year(), day.month(), day.day())
