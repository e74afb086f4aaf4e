"""What every 设置 tab shares: saving through the core, and saying how it went.

A tab builds a new `Settings` from the current one and its widgets and hands
it to `operations.change_settings`, which checks who may and whether the
values make sense; a refusal is shown in the tab in Chinese and nothing is
saved. Non-managers see the same tabs, read-only, with a note why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..errors import ShowroomError
from ..permissions import Action
from ..settings import Settings
from .gate import gate, refusal
from .session import Session


def compact(box: QAbstractSpinBox, width: int = 110) -> QAbstractSpinBox:
    """Numbers and times are short: no stretching across the tab."""
    box.setMaximumWidth(width)
    return box


class SettingsTab(QWidget):
    """Signals: saved(): the settings changed (every tab shows them anew)."""

    saved = Signal()
    # What editing this tab is, in the role × action table.
    action = Action.CHANGE_SETTINGS

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(12, 12, 12, 12)
        if not self.may_edit:
            note = QLabel(f"{self.refusal}这里显示的是当前生效的设置，不能修改。")
            note.setObjectName("banner")
            note.setWordWrap(True)
            self.layout_.addWidget(note)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        self.notice = QLabel()
        self.notice.setObjectName("muted")
        self.notice.setWordWrap(True)
        self.notice.hide()

    @property
    def refusal(self) -> str | None:
        """Why this person may not edit the tab (the core's words), or None."""
        return refusal(self.session, self.action)

    @property
    def may_edit(self) -> bool:
        return self.refusal is None

    def finish(self, save: Callable[[], None], save_text: str = "保存") -> QPushButton:
        """The message lines and the save button (running `save`), at the bottom."""
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.notice)
        button = QPushButton(save_text)
        button.setObjectName("saveSettings")
        button.setProperty("primary", True)
        button.setMinimumWidth(140)
        gate(button, self.refusal)
        button.clicked.connect(save)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        self.layout_.addLayout(row)
        self.layout_.addStretch(1)
        return button

    def apply(self, new: Settings) -> bool:
        try:
            change = op.change_settings(self.session.ctx(), new)
        except ShowroomError as refusal:
            self.say_error(refusal.message)
            return False
        self.error.hide()
        if not change.items:
            self.say("没有改动。")
            return True
        text = "已保存，立即生效。"
        if change.cases_moved:
            text += f"{change.cases_moved} 件未结案件的截止时间已按新设置重新计算，并记在各自的时间线上。"
        self.say(text)
        self.saved.emit()
        return True

    def say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def say_error(self, text: str) -> None:
        self.notice.hide()
        self.error.setText(text)
        self.error.show()
