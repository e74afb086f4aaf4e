"""The call script beside the follow-up dialog (回访话术, seed 004), and the
way out when the customer cannot talk now: note their time and call then."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, QTime, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from ..call_script import call_kind, script_for, values_for
from ..domain import Case, ContactPurpose
from ..errors import RuleError
from .session import Session


class CallScriptPanel(QWidget):
    """Signals: postponeRequested(object): the datetime the customer asked to be called."""

    postponeRequested = Signal(object)

    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case = case
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("回访话术")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.script = QTextBrowser()
        self.script.setObjectName("callScript")
        self.script.setMinimumWidth(360)
        layout.addWidget(self.script, 1)
        busy = QHBoxLayout()
        busy.addWidget(QLabel("客户现在不方便，约"))
        tomorrow = session.clock.now().date() + dt.timedelta(days=1)
        self.day = QDateEdit(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        self.day.setObjectName("postponeDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("MM-dd")
        self.time = QTimeEdit(QTime(15, 0))
        self.time.setObjectName("postponeTime")
        self.time.setDisplayFormat("HH:mm")
        self.postpone = QPushButton("改约")
        self.postpone.setObjectName("postponeButton")
        self.postpone.setToolTip("记下这通电话没谈成，回访改到客户说的时间")
        self.postpone.clicked.connect(self._postpone)
        for widget in (self.day, self.time, self.postpone):
            busy.addWidget(widget)
        busy.addStretch(1)
        layout.addLayout(busy)

    def show_for(self, purpose: ContactPurpose) -> None:
        """The script for a call of `purpose` on this case, filled in."""
        settings = self.session.store.settings()
        kind = call_kind(self.case, purpose)
        self.postpone.setEnabled(purpose in (ContactPurpose.PROGRESS, ContactPurpose.FOLLOW_UP))
        try:
            parts = script_for(
                settings.call_script, kind, values_for(self.case, settings, self.session.staff.name)
            )
        except RuleError as broken:
            self.script.setHtml(f"<p style='color:#c62828'>{html.escape(broken.message)}</p>")
            return
        blocks = [
            f"<p><b>{html.escape(part.title)}</b><br>"
            + html.escape(part.text).replace("\n", "<br>")
            + "</p>"
            for part in parts
        ]
        heading = f"<p style='color:#607d8b'>{kind.label}</p>" if kind else ""
        self.script.setHtml(heading + "".join(blocks))

    def preferred_at(self) -> dt.datetime:
        day, time = self.day.date(), self.time.time()
        return dt.datetime(day.year(), day.month(), day.day(), time.hour(), time.minute())

    def _postpone(self) -> None:
        self.postponeRequested.emit(self.preferred_at())
