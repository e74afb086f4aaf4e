"""Logging in (pick a name, type the PIN) and the first start of a showroom."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..clock import Clock
from ..domain import MANAGER_ROLES, Door, Role, Staff
from ..errors import ShowroomError
from ..store import Store


def _pin_edit(name: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(8)
    edit.setPlaceholderText("4–8 位数字")
    return edit


def _error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setWordWrap(True)
    label.hide()
    return label


class LoginDialog(QDialog):
    """Pick yourself, type your PIN. `staff` holds who logged in.

    Someone without a PIN yet (new, or after a reset) sets one here. After
    too many wrong PINs the person waits (the core's rule, the same at every
    door): the dialog says how long and keeps 登录 disabled until then,
    counting down without blocking the window.
    """

    def __init__(
        self,
        store: Store,
        clock: Clock,
        hint: str = "",
        parent: QWidget | None = None,
        *,
        door: Door = Door.WINDOW,
        preselect: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.door = door
        self.staff: Staff | None = None
        self.setWindowTitle(f"登录 · {store.settings().showroom_name}")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        title = QLabel(store.settings().showroom_name)
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        form = QFormLayout()
        self.who = QComboBox()
        self.who.setObjectName("who")
        for member in store.all_staff(active_only=True):
            self.who.addItem(f"{member.name}（{member.role.label}）", member.id)
        if preselect is not None and self.who.findData(preselect) >= 0:
            self.who.setCurrentIndex(self.who.findData(preselect))
        self.pin = _pin_edit("pin")
        self.new_pin = _pin_edit("new_pin")
        self.new_pin.setPlaceholderText("第一次登录请设置 PIN")
        form.addRow("员工", self.who)
        form.addRow("PIN", self.pin)
        self.new_pin_label = QLabel("设置新 PIN")
        form.addRow(self.new_pin_label, self.new_pin)
        layout.addLayout(form)
        if hint:
            note = QLabel(hint)
            note.setObjectName("muted")
            note.setWordWrap(True)
            layout.addWidget(note)
        self.error = _error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("登录")
        self.ok.setObjectName("logIn")
        self.ok.setProperty("primary", True)
        buttons.accepted.connect(self.submit)
        layout.addWidget(buttons)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self._show_wait)
        self.who.currentIndexChanged.connect(self._who_changed)
        self._who_changed()
        self.pin.setFocus()

    def _who_changed(self) -> None:
        needs_pin = not self.store.pin_hash(self.who.currentData() or 0)
        self.pin.setVisible(not needs_pin)
        self.new_pin.setVisible(needs_pin)
        self.new_pin_label.setVisible(needs_pin)
        self.error.hide()
        self._show_wait()

    def _show_wait(self, *, say: bool = True) -> None:
        """While this person must wait: say how long (unless the refusal just
        did), 登录 disabled, ticking down."""
        left = op.wait_left(self.store, self.clock, self.who.currentData() or 0)
        self.ok.setEnabled(left == 0)
        self.pin.setEnabled(left == 0)
        if left:
            if say:
                self.error.setText(f"PIN 连续输错次数过多，请 {op.describe_wait(left)}后再试。")
            self.error.show()
            self.ok.setToolTip("等待结束后才能再试")
            if self.isVisible():  # ticks only while someone can see it
                self.countdown.start()
        else:
            self.countdown.stop()
            self.ok.setToolTip("")
            if "后再试" in self.error.text():
                self.error.hide()
                self.pin.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._show_wait()

    def hideEvent(self, event: QHideEvent) -> None:
        self.countdown.stop()  # nothing to count down for once the dialog is gone
        super().hideEvent(event)

    def submit(self) -> None:
        staff_id = self.who.currentData()
        try:
            if self.new_pin.isVisible():
                op.set_own_pin(self.store, self.clock, staff_id, self.new_pin.text())
                pin = self.new_pin.text()
            else:
                pin = self.pin.text()
            self.staff = op.log_in(self.store, self.clock, staff_id, pin, self.door)
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            self.pin.clear()
            self._show_wait(say=False)
            return
        self.accept()


class SetupDialog(QDialog):
    """The very first start: the showroom's name and code, and its first manager."""

    def __init__(self, store: Store, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.clock = clock
        self.staff: Staff | None = None
        self.setWindowTitle("建立门店")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        intro = QLabel("第一次使用：请填写门店信息，并建立第一位管理人员（之后由他添加其他同事）。")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setObjectName("showroom_name")
        self.code = QLineEdit()
        self.code.setObjectName("showroom_code")
        self.code.setPlaceholderText("字母或数字，如 SH001（用于周报文件名）")
        self.manager = QLineEdit()
        self.manager.setObjectName("manager_name")
        self.role = QComboBox()
        self.role.setObjectName("manager_role")
        for role in MANAGER_ROLES:
            self.role.addItem(role.label, role)
        self.pin = _pin_edit("pin")
        self.pin_again = _pin_edit("pin_again")
        form.addRow("门店名称", self.name)
        form.addRow("门店编码", self.code)
        form.addRow("管理人员姓名", self.manager)
        form.addRow("角色", self.role)
        form.addRow("PIN", self.pin)
        form.addRow("再输一次 PIN", self.pin_again)
        layout.addLayout(form)
        self.error = _error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("建立门店")
        ok.setProperty("primary", True)
        buttons.accepted.connect(self.submit)
        layout.addWidget(buttons)

    def submit(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.error.setText("两次输入的 PIN 不一致，请重新输入。")
            self.error.show()
            return
        role: Role = self.role.currentData()
        try:
            self.staff = op.create_showroom(
                self.store,
                self.clock,
                showroom_name=self.name.text(),
                showroom_code=self.code.text(),
                manager_name=self.manager.text(),
                manager_role=role,
                pin=self.pin.text(),
            )
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            return
        self.accept()
