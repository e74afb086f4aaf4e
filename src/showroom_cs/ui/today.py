"""今日待办: the start page; the logged-in person's overdue and due-today items."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..privacy import mask_name
from ..queries import todo_items, todo_line
from . import theme
from .session import Session

CASE_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class TodayPage(QWidget):
    """Signals:
    caseRequested(int): open the case of an item.
    """

    caseRequested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.title.setToolTip(
            "你要做的事项：交给你的案件、你负责的时限、你要打的回访、等你分派、复核或审批的。"
            "一件案件可能有几项；全店的超时案件数见窗口底部。"
        )
        layout.addWidget(self.title)
        self.items = QListWidget()
        self.items.setObjectName("todo")
        self.items.itemActivated.connect(self._open)
        self.items.itemDoubleClicked.connect(self._open)
        layout.addWidget(self.items, 1)
        self.empty = QLabel("今天没有到期或超时的事项。可以在「案件看板」查看各阶段的案件。")
        self.empty.setObjectName("emptyState")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.empty, 1)
        self.refresh()

    def refresh(self) -> None:
        now = self.session.clock.now()
        todo = todo_items(self.session.store, self.session.staff, now)
        overdue = sum(item.overdue for item in todo)
        self.title.setText(
            f"今日待办 · 我的 {len(todo)} 项" + (f"（{overdue} 项已超时）" if overdue else "")
        )
        cases = {c.id: c for c in self.session.store.cases([item.case_id for item in todo])}
        self.items.clear()
        for item in todo:
            case = cases.get(item.case_id)
            if case is None:
                continue
            row = QListWidgetItem(todo_line(item, case.case_no, mask_name(case.customer_name)))
            row.setData(CASE_ID_ROLE, case.id)
            if item.new:  # stays marked until they open the case
                font = row.font()
                font.setBold(True)
                row.setFont(font)
                row.setToolTip("这件案件刚交给你（升级或分派），打开查看后不再标为新")
            if item.overdue:
                row.setForeground(QColor(theme.OVERDUE))
            self.items.addItem(row)
        self.items.setVisible(bool(todo))
        self.empty.setVisible(not todo)

    def focus_start(self) -> None:
        """The first item, ready for Enter to open it."""
        if self.items.count():
            self.items.setFocus()
            if self.items.currentRow() < 0:
                self.items.setCurrentRow(0)

    def _open(self, item: QListWidgetItem) -> None:
        self.caseRequested.emit(int(item.data(CASE_ID_ROLE)))
