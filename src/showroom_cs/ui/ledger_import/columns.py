"""Step 1 of 导入旧台账: the file, its sheet, and what each column becomes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...ledger import Field, LedgerTable
from ...ledger.fields import missing_required
from ...ledger.read import cell_text

# The fields offered in each column's combo, in the order a ledger reads.
CHOICES = tuple(Field)
SAMPLES = 3


class ColumnsPage(QWidget):
    """Signals:
    chooseRequested(): the manager wants to pick a file.
    sheetChosen(str): another sheet of the workbook.
    mappingChanged(): a column's match was changed.
    """

    chooseRequested = Signal()
    sheetChosen = Signal(str)
    mappingChanged = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setObjectName("ledgerPath")
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(
            "Excel（.xlsx、.xls）、WPS、LibreOffice 表格（.ods）或 CSV 文件"
        )
        choose = QPushButton("选择文件…")
        choose.setObjectName("chooseLedger")
        choose.clicked.connect(self.chooseRequested)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(choose)
        form.addRow("台账文件", row)
        self.sheet = QComboBox()
        self.sheet.setObjectName("ledgerSheet")
        self.sheet.setMinimumWidth(200)
        self.sheet.setEnabled(False)
        self.sheet.activated.connect(lambda _index: self.sheetChosen.emit(self.sheet.currentText()))
        self.info = QLabel("请选择台账文件。")
        self.info.setObjectName("muted")
        self.info.setWordWrap(True)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet)
        sheet_row.addWidget(self.info, 1)
        form.addRow("工作表", sheet_row)
        layout.addLayout(form)
        hint = QLabel(
            "每一列按表头自动对应到本软件的字段，可以逐列修改；没有对应的列记入投诉内容"
            "（【台账其他列】），不会丢失。选「不导入」的列不导入。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("ledgerColumns")
        self.table.setHorizontalHeaderLabels(("台账的列", "前几行的内容", "导入为"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(2, 250)
        layout.addWidget(self.table, 1)
        self.missing = QLabel()
        self.missing.setObjectName("muted")
        self.missing.setWordWrap(True)
        layout.addWidget(self.missing)
        self.combos: list[QComboBox] = []

    # ------------------------------------------------------------ showing

    def reading(self, path: str) -> None:
        self.path.setText(path)
        self.info.setObjectName("muted")
        self.info.setText("正在读取…")
        self._restyle(self.info)

    def failed(self, message: str) -> None:
        self.info.setObjectName("error")
        self.info.setText(message)
        self._restyle(self.info)
        self.table.setRowCount(0)
        self.combos = []
        self.missing.setText("")

    def show_table(self, table: LedgerTable, mapping: Sequence[Field]) -> None:
        self.path.setText(str(table.path))
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.addItems(list(table.sheets))
        self.sheet.setCurrentText(table.sheet)
        self.sheet.setEnabled(len(table.sheets) > 1)
        self.sheet.blockSignals(False)
        self.info.setObjectName("muted")
        self.info.setText(table.describe() + "。")
        self._restyle(self.info)
        self.table.setRowCount(len(table.headers))
        self.combos = []
        for column, (header, matched) in enumerate(zip(table.headers, mapping, strict=True)):
            self.table.setItem(column, 0, QTableWidgetItem(header))
            samples = [cell_text(row.cells[column]) for row in table.rows[:50]]
            shown = " / ".join([s for s in samples if s][:SAMPLES])
            item = QTableWidgetItem(shown)
            item.setToolTip(shown)
            self.table.setItem(column, 1, item)
            combo = QComboBox()
            combo.setObjectName(f"match{column}")
            for choice in CHOICES:
                combo.addItem(choice.label + ("（必填）" if choice.required else ""), choice)
            combo.setCurrentIndex(CHOICES.index(matched))
            combo.currentIndexChanged.connect(self._changed)
            self.table.setCellWidget(column, 2, combo)
            self.combos.append(combo)
        self._show_missing()

    def mapping(self) -> tuple[Field, ...]:
        return tuple(Field(combo.currentData()) for combo in self.combos)

    def set_match(self, column: int, field: Field) -> None:
        self.combos[column].setCurrentIndex(CHOICES.index(field))

    @property
    def complete(self) -> bool:
        return bool(self.combos) and not missing_required(self.mapping())

    def _changed(self) -> None:
        self._show_missing()
        self.mappingChanged.emit()

    def _show_missing(self) -> None:
        mapping = self.mapping()
        missing = missing_required(mapping)
        if missing:
            self.missing.setObjectName("error")
            names = "、".join(f.label for f in missing)
            self.missing.setText(f"还缺必填项：{names}。请在「导入为」里为它们选择台账的列。")
        else:
            self.missing.setObjectName("muted")
            absent = [f.label for f in (Field.CHANNEL, Field.CATEGORY) if f not in mapping]
            text = "必填项都已对应。"
            if absent:
                text += f"台账没有{'、'.join(absent)}，记为「其他」。"
            if Field.STATUS not in mapping:
                text += "没有处理状态列：有处理结果、结案日期或满意度的行按已结案导入。"
            self.missing.setText(text)
        self._restyle(self.missing)

    @staticmethod
    def _restyle(label: QLabel) -> None:
        label.style().unpolish(label)
        label.style().polish(label)
