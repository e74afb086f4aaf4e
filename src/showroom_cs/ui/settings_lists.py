"""设置 · 选项列表: the intake form's lists, and which department a category goes to.

Cases store an entry's key, so renaming changes what every case shows
without touching the cases; an entry in use is retired (hidden from new
cases), never deleted. Solution kinds and responsibility findings are fixed:
the approval and review rules and the head-office file depend on them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain import Responsibility, Role, SolutionKind
from ..settings import LIST_TITLES, ListEntry, Route
from ..store import Store
from .session import Session
from .settings_tab import SettingsTab

FIXED_LISTS = {
    "方案类型（固定）": [kind.label for kind in SolutionKind],
    "责任认定（固定）": [finding.label for finding in Responsibility],
}
# Which case column holds each list's key (demands: a JSON list of keys).
_COLUMNS = {
    "channel": "channel",
    "category": "category",
    "product_category": "product_category",
    "department": "department",
}


def entry_use(store: Store, list_name: str) -> dict[str, int]:
    """How many cases use each key of a list."""
    if list_name == "demand":
        sql = "SELECT j.value, COUNT(*) FROM cases, json_each(cases.demands) j GROUP BY j.value"
    else:
        sql = f"SELECT {_COLUMNS[list_name]}, COUNT(*) FROM cases GROUP BY 1"
    return {row[0]: row[1] for row in store.query(sql)}


class ListsTab(SettingsTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        row = QHBoxLayout()
        self.names = QListWidget()
        self.names.setObjectName("listNames")
        self.names.setFixedWidth(180)
        for title in [*LIST_TITLES.values(), *FIXED_LISTS]:
            self.names.addItem(title)
        self.names.currentRowChanged.connect(self.show_list)
        row.addWidget(self.names)
        right = QVBoxLayout()
        self.entries = QTableWidget(0, 3)
        self.entries.setObjectName("listEntries")
        self.entries.setHorizontalHeaderLabels(("名称", "状态", "使用的案件"))
        self.entries.verticalHeader().setVisible(False)
        self.entries.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.entries.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.entries.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.entries.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.entries.itemSelectionChanged.connect(self._buttons_follow)
        right.addWidget(self.entries, 1)
        buttons = QHBoxLayout()
        self.add_button = self._button("添加…", "addEntry", self.add_entry)
        self.rename_button = self._button("改名…", "renameEntry", self.rename_entry)
        self.retire_button = self._button("停用", "retireEntry", self.toggle_retired)
        for button in (self.add_button, self.rename_button, self.retire_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right.addLayout(buttons)
        self.list_hint = QLabel()
        self.list_hint.setObjectName("muted")
        self.list_hint.setWordWrap(True)
        right.addWidget(self.list_hint)
        row.addLayout(right, 1)
        self.layout_.addLayout(row, 3)
        routing_title = QLabel(
            "默认分派：登记时按投诉类别建议的责任部门和责任人角色（可在分派时修改）"
        )
        self.layout_.addWidget(routing_title)
        self.routing = QTableWidget(0, 3)
        self.routing.setObjectName("routingTable")
        self.routing.setHorizontalHeaderLabels(("投诉类别", "责任部门", "责任人角色"))
        self.routing.verticalHeader().setVisible(False)
        self.routing.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.layout_.addWidget(self.routing, 2)
        self.finish(self.save, "保存默认分派")
        self.names.setCurrentRow(0)
        self._fill_routing()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    # the lists -----------------------------------------------------------

    def list_name(self) -> str | None:
        """The key of the shown list; None for a fixed one."""
        row = self.names.currentRow()
        keys = list(LIST_TITLES)
        return keys[row] if 0 <= row < len(keys) else None

    def show_list(self) -> None:
        name = self.list_name()
        if name is None:
            fixed = FIXED_LISTS[self.names.currentItem().text()]
            self._fill_entries([(label, "固定", "") for label in fixed])
            self.list_hint.setText(
                "方案类型和责任认定决定审批、复核规则和总部周报的分类，不能修改。"
            )
        else:
            use = entry_use(self.session.store, name)
            self._fill_entries(
                [
                    (e.label, "已停用" if e.retired else "在用", str(use.get(e.key, 0)))
                    for e in self.session.store.settings().lists[name]
                ]
            )
            self.list_hint.setText(
                "改名后，已有案件也显示新名称；停用的项目不再出现在登记表上，但已有案件照常显示。"
            )
        self._buttons_follow()

    def _fill_entries(self, rows: list[tuple[str, str, str]]) -> None:
        self.entries.setRowCount(len(rows))
        for number, values in enumerate(rows):
            for column, value in enumerate(values):
                self.entries.setItem(number, column, QTableWidgetItem(value))

    def selected_entry(self) -> ListEntry | None:
        name = self.list_name()
        rows = self.entries.selectionModel().selectedRows()
        if name is None or not rows:
            return None
        return self.session.store.settings().lists[name][rows[0].row()]

    def _buttons_follow(self) -> None:
        editable = self.may_edit and self.list_name() is not None
        entry = self.selected_entry()
        self.add_button.setEnabled(editable)
        self.rename_button.setEnabled(editable and entry is not None)
        self.retire_button.setEnabled(editable and entry is not None)
        self.retire_button.setText("恢复" if entry is not None and entry.retired else "停用")

    def _save_list(self, name: str, entries: tuple[ListEntry, ...]) -> None:
        settings = self.session.store.settings()
        lists = {**settings.lists, name: entries}
        row = self.entries.currentRow()
        if self.apply(dataclasses.replace(settings, lists=lists)):
            self.show_list()
            self._fill_routing()
            self.entries.selectRow(min(row, self.entries.rowCount() - 1))

    def add_entry(self) -> None:
        name = self.list_name()
        if name is None:
            return
        label, ok = QInputDialog.getText(self, "添加", f"新的{LIST_TITLES[name]}名称：")
        if not ok:
            return
        label = label.strip()
        entries = self.session.store.settings().lists[name]
        key = label
        while any(e.key == key for e in entries):  # a renamed entry may hold the name as key
            key += "＋"
        self._save_list(name, (*entries, ListEntry(key, label)))

    def rename_entry(self) -> None:
        name, entry = self.list_name(), self.selected_entry()
        if name is None or entry is None:
            return
        label, ok = QInputDialog.getText(self, "改名", "新名称：", text=entry.label)
        if not ok:
            return
        entries = tuple(
            dataclasses.replace(e, label=label.strip()) if e.key == entry.key else e
            for e in self.session.store.settings().lists[name]
        )
        self._save_list(name, entries)

    def toggle_retired(self) -> None:
        name, entry = self.list_name(), self.selected_entry()
        if name is None or entry is None:
            return
        entries = tuple(
            dataclasses.replace(e, retired=not e.retired) if e.key == entry.key else e
            for e in self.session.store.settings().lists[name]
        )
        self._save_list(name, entries)

    # routing -------------------------------------------------------------

    def _fill_routing(self) -> None:
        settings = self.session.store.settings()
        categories = settings.active_entries("category")
        departments = settings.active_entries("department")
        self.routing.setRowCount(len(categories))
        for number, category in enumerate(categories):
            self.routing.setItem(number, 0, QTableWidgetItem(category.label))
            route = settings.routing.get(category.key)
            department = QComboBox()
            department.addItem("（不预设）", "")
            for entry in departments:
                department.addItem(entry.label, entry.key)
            department.setCurrentIndex(
                max(department.findData(route.department if route else ""), 0)
            )
            role = QComboBox()
            for option in Role:
                role.addItem(option.label, option)
            role.setCurrentIndex(role.findData(route.owner_role if route else Role.STORE_MANAGER))
            for combo in (department, role):
                combo.setEnabled(self.may_edit)
            self.routing.setCellWidget(number, 1, department)
            self.routing.setCellWidget(number, 2, role)

    def save(self) -> None:
        settings = self.session.store.settings()
        routing = dict(settings.routing)
        for number, category in enumerate(settings.active_entries("category")):
            department = self.routing.cellWidget(number, 1)
            role = self.routing.cellWidget(number, 2)
            assert isinstance(department, QComboBox) and isinstance(role, QComboBox)
            if department.currentData():
                routing[category.key] = Route(department.currentData(), Role(role.currentData()))
            else:
                routing.pop(category.key, None)
        self.apply(dataclasses.replace(settings, routing=routing))
