"""The reminder strip above the pages: what has just fallen due for the person
logged in, without a dialog in the way of the customer at the counter."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from ..agenda import AgendaItem, ItemKind
from ..privacy import mask_name


class ReminderBar(QFrame):
    """Shows the first waiting reminder and how many more; hidden when none wait.

    Signals:
    caseRequested(int): 打开 on a reminder.
    """

    caseRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.waiting: list[AgendaItem] = []
        self.at_start = False
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 4, 6, 4)
        self.text = QLabel()
        self.text.setWordWrap(True)
        row.addWidget(self.text, 1)
        self.open_button = QPushButton("打开")
        self.open_button.setToolTip("打开这件事所属的案件")
        self.open_button.clicked.connect(self._open)
        row.addWidget(self.open_button)
        self.dismiss_button = QPushButton("知道了")
        self.dismiss_button.setToolTip("关掉这条提醒，显示下一条")
        self.dismiss_button.clicked.connect(self.dismiss)
        row.addWidget(self.dismiss_button)
        self.hide()

    def add(self, items: list[AgendaItem], *, at_start: bool = False) -> None:
        known = {(i.kind, i.case_id, i.starts_at) for i in self.waiting}
        fresh = [i for i in items if (i.kind, i.case_id, i.starts_at) not in known]
        self.waiting.extend(fresh)
        self.at_start = at_start
        self._show_first()

    def clear(self) -> None:
        self.waiting = []
        self._show_first()

    def dismiss(self) -> None:
        if self.waiting:
            self.waiting.pop(0)
        self.at_start = False
        self._show_first()

    def _open(self) -> None:
        if self.waiting:
            case_id = self.waiting[0].case_id
            self.dismiss()
            self.caseRequested.emit(case_id)

    def _show_first(self) -> None:
        if not self.waiting:
            self.hide()
            return
        item = self.waiting[0]
        when = f"{item.starts_at:%m-%d %H:%M}"
        if item.kind == ItemKind.HANDOVER:
            what = "，请查看"
        elif item.kind in (ItemKind.VISIT, ItemKind.REINSPECTION):
            what = "上门时间到了"
        elif item.clock_id is not None:
            what = "该打电话了"
        else:
            what = "已到期"
        if item.overdue and item.ends_at is None:
            what = "已超时"
        # The strip faces the counter like 今日待办: the customer's name is masked.
        title = item.title.replace(item.customer, mask_name(item.customer))
        text = f"提醒：{when} {title}（{item.case_no}）{what}"
        if len(self.waiting) > 1:
            text += f"　另有 {len(self.waiting) - 1} 条提醒"
        if self.at_start:
            text = "上次关闭后到期的事项 — " + text
        self.text.setText(text)
        self.show()
