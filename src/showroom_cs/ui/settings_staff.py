"""设置 · 员工与角色: add, edit, deactivate (never delete) staff, reset PINs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..domain import Role, Staff
from ..errors import ShowroomError
from ..permissions import Action
from .gate import gate
from .session import Session
from .settings_tab import SettingsTab


class StaffTab(SettingsTab):
    action = Action.MANAGE_STAFF

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels(("姓名", "角色", "状态", "PIN"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.layout_.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.add_button = self._button("添加员工…", "addStaff", self.add)
        self.edit_button = self._button("修改…", "editStaff", self.edit)
        self.active_button = self._button("停用", "toggleStaff", self.toggle_active)
        self.pin_button = self._button("重置 PIN", "resetPin", self.reset_pin)
        self.clear_button = self._button("解除等待", "clearWait", self.clear_wait)
        buttons = (self.add_button, self.edit_button, self.active_button, self.pin_button)
        for button in (*buttons, self.clear_button):
            row.addWidget(button)
        row.addStretch(1)
        self.layout_.addLayout(row)
        hint = QLabel(
            "员工不会被删除：停用后不能再登录，但历史记录里仍显示其姓名。重置 PIN 后，本人下次登录时设置新 PIN。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        self.layout_.addWidget(hint)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.notice)
        self.members: list[Staff] = []
        self.reload()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(name)
        button.clicked.connect(slot)
        gate(button, self.refusal)
        return button

    def reload(self) -> None:
        store = self.session.store
        self.members = store.all_staff()
        self.table.setRowCount(len(self.members))
        for number, member in enumerate(self.members):
            values = (
                member.name,
                member.role.label,
                "在职" if member.active else "已停用",
                self._pin_state(member),
            )
            for column, value in enumerate(values):
                self.table.setItem(number, column, QTableWidgetItem(value))
        self._selection_changed()

    def _pin_state(self, member: Staff) -> str:
        store, clock = self.session.store, self.session.clock
        if not store.pin_hash(member.id):
            return "待本人设置"
        waiting = op.wait_left(store, clock, member.id)
        return f"输错过多，等待 {op.describe_wait(waiting)}" if waiting else "已设置"

    def selected(self) -> Staff | None:
        rows = self.table.selectionModel().selectedRows()
        return self.members[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        member = self.selected()
        for button in (self.edit_button, self.active_button, self.pin_button):
            gate(button, self.refusal, ready=member is not None, not_ready="请先在表格中选一位员工")
        waiting = member is not None and op.wait_left(
            self.session.store, self.session.clock, member.id
        )
        gate(
            self.clear_button,
            self.refusal,
            ready=bool(waiting),
            tip="让这位员工现在就可以再输入 PIN（会记入安全记录）",
            not_ready="所选员工没有因 PIN 输错而在等待",
        )
        self.active_button.setText("恢复" if member is not None and not member.active else "停用")

    def _run(self, action: Callable[[], object]) -> bool:
        try:
            action()
        except ShowroomError as refusal:
            self.say_error(refusal.message)
            return False
        self.error.hide()
        self.notice.hide()
        self.reload()
        self.saved.emit()
        return True

    def add(self) -> None:
        dialog = StaffDialog(self, "添加员工")
        if dialog.exec():
            name, role = dialog.values()
            if self._run(lambda: op.add_staff(self.session.ctx(), name, role)):
                self.say(f"已添加{name.strip()}；请本人第一次登录时设置 PIN。")

    def edit(self) -> None:
        member = self.selected()
        if member is None:
            return
        dialog = StaffDialog(self, f"修改 · {member.name}", member)
        if dialog.exec():
            name, role = dialog.values()
            self._run(lambda: op.edit_staff(self.session.ctx(), member.id, name=name, role=role))

    def toggle_active(self) -> None:
        member = self.selected()
        if member is None:
            return
        if member.active:
            answer = QMessageBox.question(
                self, "停用员工", f"停用{member.name}？停用后不能登录，历史记录里仍保留其姓名。"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._run(lambda: op.set_staff_active(self.session.ctx(), member.id, not member.active))

    def reset_pin(self) -> None:
        member = self.selected()
        if member is None:
            return
        answer = QMessageBox.question(
            self, "重置 PIN", f"重置{member.name}的 PIN？本人下次登录时需要设置新 PIN。"
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._run(lambda: op.reset_pin(self.session.ctx(), member.id))

    def clear_wait(self) -> None:
        member = self.selected()
        if member is not None:
            self._run(lambda: op.clear_wait(self.session.ctx(), member.id))


class StaffDialog(QDialog):
    """Name and role of a new or existing staff member."""

    def __init__(self, parent: QWidget, title: str, member: Staff | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(360)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit(member.name if member else "")
        self.name.setObjectName("staffName")
        self.name.setMaxLength(40)
        self.role = QComboBox()
        self.role.setObjectName("staffRole")
        for role in Role:
            self.role.addItem(role.label, role)
        if member is not None:
            self.role.setCurrentIndex(self.role.findData(member.role))
        form.addRow("姓名", self.name)
        form.addRow("角色", self.role)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("确定")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> tuple[str, Role]:
        return self.name.text(), Role(self.role.currentData())
