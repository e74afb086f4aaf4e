"""Step 2 of 导入旧台账: how each row will be stored and what is wrong with
it, and the dry run's counts (import / merged customers / refused)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...domain import Stage
from ...ledger import Fate, Plan, PlannedRow
from ...phone import format_phone
from ...settings import Settings
from .. import theme

COLUMNS = ("行号", "结果", "受理时间", "客户", "联系电话", "类别 · 品类", "导入后", "说明")
WIDTHS = (52, 76, 132, 92, 124, 150, 166)
# The rows each view shows: the first ones as the ledger has them, or those of one kind.
SHOWN = 1000
VIEWS = (
    ("all", "前 200 行"),
    ("refused", "被拒绝的行"),
    ("notes", "有提示的行"),
    ("already", "已导入过的行"),
)
FIRST_ROWS = 200
_FATE_COLOURS = {Fate.REFUSED: theme.OVERDUE, Fate.ALREADY: theme.MUTED}
Index = QModelIndex | QPersistentModelIndex


class PreviewModel(QAbstractTableModel):
    """The planned rows of a dry run (all, or only those with something to say)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[PlannedRow] = []
        self.settings = Settings()

    def show(self, plan: Plan | None, settings: Settings, view: str = "all") -> int:
        """Show one view of the plan; returns how many rows it has in all."""
        self.beginResetModel()
        self.settings = settings
        every = list(plan.rows) if plan is not None else []
        if view == "all":
            wanted = every
            self.rows = every[:FIRST_ROWS]
        else:
            wanted = [r for r in every if _in_view(r, view)]
            self.rows = wanted[:SHOWN]
        self.endResetModel()
        return len(wanted)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        planned = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(planned, index.column())
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(COLUMNS) - 1:
            return self._text(planned, index.column())
        if role == Qt.ItemDataRole.ForegroundRole and index.column() in (1, 7):
            colour = _FATE_COLOURS.get(planned.fate)
            return QColor(colour) if colour else None
        return None

    def _text(self, planned: PlannedRow, column: int) -> str:
        values = planned.row.values
        if column == 0:
            return str(planned.number)
        if column == 1:
            return planned.fate.label
        if column == 2:
            moment = values.get("received_at")
            return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}".removesuffix(" 00:00")
        if column == 3:
            return str(values.get("customer_name", ""))
        if column == 4:
            phone = str(values.get("customer_phone", ""))
            return format_phone(phone) if phone else ""
        if column == 5:
            category = self.settings.label_of("category", str(values.get("category", "")))
            product = self.settings.label_of(
                "product_category", str(values.get("product_category", ""))
            )
            return " · ".join(p for p in (category, product) if p)
        if column == 6:
            return self._stage_text(planned)
        return self._notes(planned)

    @staticmethod
    def _stage_text(planned: PlannedRow) -> str:
        if planned.fate != Fate.IMPORT or planned.row.stage is None:
            return ""
        stage = planned.row.stage
        closed = planned.row.values.get("closed_at")
        if stage in (Stage.CLOSED, Stage.INVALID) and closed is not None:
            return f"{stage.label}（{closed:%Y-%m-%d}）"
        return stage.label

    @staticmethod
    def _notes(planned: PlannedRow) -> str:
        if planned.fate != Fate.IMPORT:
            return planned.reason
        notes = list(planned.row.notes)
        if planned.known_customer:
            notes.insert(0, f"并入已有客户「{planned.known_customer}」")
        if planned.row.ledger_no:
            notes.insert(0, f"原编号 {planned.row.ledger_no}")
        return "；".join(notes)


def _in_view(planned: PlannedRow, view: str) -> bool:
    if view == "refused":
        return planned.fate == Fate.REFUSED
    if view == "already":
        return planned.fate == Fate.ALREADY
    return planned.fate == Fate.IMPORT and bool(planned.row.notes)


class PreviewPage(QWidget):
    """No signals: the dialog reads `model` and drives it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = QLabel("正在检查每一行…")
        self.summary.setObjectName("ledgerSummary")
        self.summary.setWordWrap(True)
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.summary.setFont(font)
        layout.addWidget(self.summary)
        self.earlier = QLabel()
        self.earlier.setObjectName("banner")
        self.earlier.setWordWrap(True)
        self.earlier.hide()
        layout.addWidget(self.earlier)
        self.closest = QLabel()
        self.closest.setObjectName("muted")
        self.closest.setWordWrap(True)
        layout.addWidget(self.closest)
        rules = QLabel(
            "已结案和不成立的案件保持结束，不产生回访、待办或超时；未结案的放在看板相应的列，"
            "暂不计时限，下一步操作后按正常时限计时。客户按电话号码并入已有的客户档案。"
        )
        rules.setObjectName("muted")
        rules.setWordWrap(True)
        layout.addWidget(rules)
        row = QHBoxLayout()
        self.shown = QLabel()
        self.shown.setObjectName("muted")
        self.view = QComboBox()
        self.view.setObjectName("previewView")
        for key, label in VIEWS:
            self.view.addItem(label, key)
        row.addWidget(QLabel("显示"))
        row.addWidget(self.view)
        row.addWidget(self.shown, 1)
        layout.addLayout(row)
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setObjectName("ledgerPreview")
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        # The notes wrap: each row as tall as its text, whatever the column's width.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            header.resizeSection(column, width)
        layout.addWidget(self.table, 1)
        self.plan: Plan | None = None
        self.settings = Settings()
        self.view.currentIndexChanged.connect(lambda _index: self._fill())

    def show_view(self, key: str) -> None:
        self.view.setCurrentIndex([k for k, _ in VIEWS].index(key))

    def checking(self) -> None:
        self.plan = None
        self.summary.setText("正在检查每一行…")
        self.earlier.hide()
        self.closest.setText("")
        self._fill()

    def show_plan(self, plan: Plan, settings: Settings) -> None:
        self.plan, self.settings = plan, settings
        self.summary.setText(plan.summary())
        if plan.earlier_imports:
            self.earlier.setText(
                f"这个文件以前导入过（{'、'.join(plan.earlier_imports)}）：已导入的行不会再导入。"
            )
            self.earlier.show()
        else:
            self.earlier.hide()
        closest = plan.closest_text()
        self.closest.setText(f"按最接近的选项记：{closest}" if closest else "")
        self.closest.setToolTip(plan.closest_text(shown=100))
        self.closest.setVisible(bool(closest))
        self._fill()

    def _fill(self) -> None:
        view = str(self.view.currentData())
        total = self.model.show(self.plan, self.settings, view)
        shown = len(self.model.rows)
        every = len(self.plan.rows) if self.plan else 0
        if not every:
            self.shown.setText("")
        elif view == "all":
            self.shown.setText(f"共 {every} 行，这里是前 {shown} 行")
        else:
            first = f"，这里是前 {shown} 行" if shown < total else ""
            self.shown.setText(f"共 {total} 行{first}")
