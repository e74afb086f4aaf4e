"""设置 → 回访话术: the call script's parts, edited as text with placeholders
(seed 004), previewed on a sample case before saving."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..call_script import DEFAULT_SCRIPT, PART_TITLES, PLACEHOLDERS, unknown_placeholders
from .session import Session
from .settings_tab import SettingsTab


class ScriptTab(SettingsTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.texts = dict(session.store.settings().call_script)
        intro = QLabel(
            "回访时对话框旁边显示的话术。左边选一段，右边修改；花括号里的占位符会自动换成"
            "本案的内容。"
        )
        intro.setWordWrap(True)
        intro.setObjectName("muted")
        self.layout_.addWidget(intro)
        body = QHBoxLayout()
        self.parts = QListWidget()
        self.parts.setObjectName("scriptParts")
        self.parts.setFixedWidth(220)
        self.keys = list(PART_TITLES)
        self.parts.addItems(list(PART_TITLES.values()))
        self.parts.currentRowChanged.connect(self._show_part)
        body.addWidget(self.parts)
        right = QVBoxLayout()
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("scriptText")
        self.editor.setReadOnly(not self.may_edit)
        self.editor.setMinimumHeight(150)
        self.editor.textChanged.connect(self._keep_text)
        right.addWidget(self.editor)
        self.check = QLabel()
        self.check.setObjectName("error")  # red; empty while the text is fine
        self.check.setWordWrap(True)
        right.addWidget(self.check)
        row = QHBoxLayout()
        reset = QPushButton("恢复这一段的默认话术")
        reset.setObjectName("resetPart")
        reset.setEnabled(self.may_edit)
        reset.clicked.connect(self._reset_part)
        row.addWidget(reset)
        row.addStretch(1)
        right.addLayout(row)
        help_text = "　".join(f"{{{name}}} {meaning}" for name, meaning in PLACEHOLDERS.items())
        placeholders = QLabel("可用的占位符：" + help_text)
        placeholders.setObjectName("muted")
        placeholders.setWordWrap(True)
        right.addWidget(placeholders)
        body.addLayout(right, 1)
        self.layout_.addLayout(body)
        self.finish(self.save)
        self.parts.setCurrentRow(0)

    def _key(self) -> str:
        return self.keys[max(self.parts.currentRow(), 0)]

    def _show_part(self, row: int) -> None:
        if row < 0:
            return
        self.editor.blockSignals(True)
        self.editor.setPlainText(self.texts.get(self.keys[row], ""))
        self.editor.blockSignals(False)
        self._check()

    def _keep_text(self) -> None:
        self.texts[self._key()] = self.editor.toPlainText()
        self._check()

    def _check(self) -> None:
        unknown = unknown_placeholders(self.editor.toPlainText())
        self.check.setText(f"不认识的占位符：{{{unknown[0]}}}（保存时会被拒绝）" if unknown else "")

    def _reset_part(self) -> None:
        self.editor.setPlainText(DEFAULT_SCRIPT[self._key()])

    def save(self) -> None:
        current = self.session.store.settings()
        self.apply(dataclasses.replace(current, call_script=dict(self.texts)))
