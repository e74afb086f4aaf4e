"""案件看板: one column per stage, cards painted by a delegate, drag to move a case.

A drop never moves a card by itself: it asks the core which action the move
means, says why when it is not allowed, and otherwise opens that action's
dialog; only a saved action changes the columns.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from .. import workflow
from ..domain import OPEN_STAGES, Case, Severity, Staff, Stage
from ..errors import RuleError
from ..privacy import mask_name
from ..queries import TEXT_FILTER_LIMIT, CaseFilter
from ..sla import describe_remaining, describe_remaining_short
from . import theme
from .action_dialog import ActionDialog
from .case_models import CASE_ROLE, CaseCache, StageColumnModel
from .finder import Finder
from .session import Session

CARD_HEIGHT = 104
FINISHED_WEEKS = 8
COLUMN_STAGES = (*OPEN_STAGES, Stage.CLOSED, Stage.INVALID)


class CardDelegate(QStyledItemDelegate):
    """Paints a case as a card: severity bar, number, customer, owner, nearest clock."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.names = {s.id: s.name for s in session.store.all_staff()}

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(160, CARD_HEIGHT)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        case = index.data(CASE_ROLE)
        if not isinstance(case, Case):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = option.rect.adjusted(6, 4, -6, -4)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(QColor(theme.ACCENT if selected else theme.BORDER), 1))
        painter.setBrush(QColor("white"))
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.severity_colour(case.severity))
        painter.drawRoundedRect(QRect(rect.left(), rect.top(), 5, rect.height()), 2, 2)
        self._text(painter, case, rect.adjusted(14, 6, -8, -6))
        painter.restore()

    def _text(self, painter: QPainter, case: Case, rect: QRect) -> None:
        base = QFont(painter.font())
        metrics = painter.fontMetrics()
        line = rect.height() // 4
        rows = [QRect(rect.left(), rect.top() + i * line, rect.width(), line) for i in range(4)]
        now = self.session.clock.now()
        settings = self.session.store.settings()
        # 1: number, and the severity word when there is room (the bar shows it anyway)
        bold = QFont(base)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor(theme.TEXT))
        number_width = painter.fontMetrics().horizontalAdvance(case.case_no)
        painter.drawText(rows[0], Qt.AlignmentFlag.AlignLeft, case.case_no)
        painter.setFont(base)
        if case.severity != Severity.NORMAL:
            word = case.severity.label
            if number_width + metrics.horizontalAdvance(word) + 8 <= rect.width():
                painter.setPen(theme.severity_colour(case.severity))
                painter.drawText(rows[0], Qt.AlignmentFlag.AlignRight, word)
        # 2: customer (masked on the shared board), product, category
        product = settings.label_of("product_category", case.product_category) or "—"
        category = settings.label_of("category", case.category)
        who = f"{mask_name(case.customer_name)} · {product} · {category}"
        painter.setPen(QColor(theme.TEXT))
        _elided(painter, rows[1], who)
        # 3: owner, and the escalation badge on the right
        badge = ""
        if case.escalation_level:
            badge = f"⬆{int(case.escalation_level)} {case.escalation_level.label}"
        badge_width = metrics.horizontalAdvance(badge) + 6 if badge else 0
        owner = self.names.get(case.owner_id or 0, "未分派")
        room = rows[2].adjusted(0, 0, -badge_width, 0)
        if metrics.horizontalAdvance(f"责任人 {owner}") <= room.width():
            owner = f"责任人 {owner}"
        painter.setPen(QColor(theme.MUTED))
        _elided(painter, room, owner)
        if badge:
            painter.setPen(QColor(theme.ESCALATION))
            painter.drawText(rows[2], Qt.AlignmentFlag.AlignRight, badge)
        # 4: the nearest clock, red once missed
        if case.next_due_at is not None and case.next_due_kind is not None:
            late = case.next_due_at <= now
            painter.setPen(QColor(theme.OVERDUE if late else theme.MUTED))
            text = f"⏱ {case.next_due_kind.label} {describe_remaining(case.next_due_at, now)}"
            if metrics.horizontalAdvance(text) > rows[3].width():
                short = describe_remaining_short(case.next_due_at, now)
                text = f"{case.next_due_kind.label} {short}"
            _elided(painter, rows[3], text)
        elif case.stage in (Stage.CLOSED, Stage.INVALID) and case.closed_at is not None:
            painter.setPen(QColor(theme.MUTED))
            _elided(painter, rows[3], f"{case.stage.label} {case.closed_at:%m-%d}")


def _elided(painter: QPainter, rect: QRect, text: str) -> None:
    """Draw one line, shortened with … when the card is narrow; never overlapping."""
    shown = painter.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)


OPEN_COLUMN_MIN = 156


class StageColumn(QFrame):
    """A column: its header with the count, and the list of cards (or collapsed)."""

    def __init__(self, model: StageColumnModel, delegate: CardDelegate, collapsed: bool) -> None:
        super().__init__()
        self.model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.header = QPushButton()
        self.header.setObjectName(f"header_{model.stage.value}")
        self.header.setFlat(True)
        self.header.setCheckable(True)
        self.header.setChecked(not collapsed)
        self.header.toggled.connect(self._set_open)
        self.header.setToolTip("点击收起或展开这一列")
        layout.addWidget(self.header)
        self.view = QListView()
        self.view.setObjectName("column")
        self.view.setModel(model)
        self.view.setItemDelegate(delegate)
        self.view.setUniformItemSizes(True)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.view, 1)
        model.modelReset.connect(self._update_header)
        self._set_open(not collapsed)

    def _update_header(self) -> None:
        if self.header.isChecked():
            self.header.setText(f"{self.model.stage.label}  {self.model.total}")
        else:
            self.header.setText(f"▸ {self.model.stage.label}\n{self.model.total}")

    def _set_open(self, opened: bool) -> None:
        self.view.setVisible(opened)
        # All seven columns open still fit a 1366-pixel counter screen
        # (7 × 156 + spacing + the sidebar); the cards shorten their text.
        self.setMinimumWidth(OPEN_COLUMN_MIN if opened else 84)
        self.setMaximumWidth(16777215 if opened else 96)
        self._update_header()


class KanbanPage(QWidget):
    """The board. Signals:
    caseRequested(int): open a case (double-click on a card).
    casesChanged(): an action here changed cases (other pages refresh).
    """

    caseRequested = Signal(int)
    casesChanged = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.cache = CaseCache(session.store)
        self.finder = Finder(session, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel("案件看板")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        layout.addLayout(self._filter_bar())
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        layout.addWidget(self.banner)
        delegate = CardDelegate(session, self)
        self.models: dict[Stage, StageColumnModel] = {}
        self.columns: dict[Stage, StageColumn] = {}
        board = QHBoxLayout()
        board.setSpacing(8)
        for stage in COLUMN_STAGES:
            model = StageColumnModel(session.store, self.cache, stage, session.clock.now)
            model.dropRequested.connect(self.move_case)
            column = StageColumn(model, delegate, collapsed=stage in (Stage.CLOSED, Stage.INVALID))
            column.view.doubleClicked.connect(self._open)
            self.models[stage] = model
            self.columns[stage] = column
            board.addWidget(column, 1)
        layout.addLayout(board, 1)
        self.reload()

    def _filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.owner = QComboBox()
        self.owner.setObjectName("filter_owner")
        self.owner.addItem("全部责任人", None)
        for member in self.session.store.all_staff(active_only=True):
            self.owner.addItem(member.name, member.id)
        self.category = QComboBox()
        self.category.setObjectName("filter_category")
        self.category.addItem("全部类别", None)
        for entry in self.session.store.settings().active_entries("category"):
            self.category.addItem(entry.label, entry.key)
        self.severity = QComboBox()
        self.severity.setObjectName("filter_severity")
        self.severity.addItem("全部严重程度", None)
        for severity in (Severity.URGENT, Severity.IMPORTANT, Severity.NORMAL):
            self.severity.addItem(severity.label, severity)
        self.overdue = QCheckBox("只看超时")
        self.overdue.setObjectName("filter_overdue")
        self.text = QLineEdit()
        self.text.setObjectName("filter_text")
        self.text.setPlaceholderText("筛选：编号 / 姓名 / 电话 / 拼音 / 内容")
        self.text.setClearButtonEnabled(True)
        for combo in (self.owner, self.category, self.severity):
            combo.currentIndexChanged.connect(self.reload)
        self.overdue.toggled.connect(self.reload)
        self.text.returnPressed.connect(self.reload)
        self.text.textChanged.connect(self._text_cleared)
        for widget in (self.owner, self.category, self.severity, self.overdue):
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        self.busy = QLabel("正在查找…")
        self.busy.setObjectName("muted")
        self.busy.hide()
        bar.addWidget(self.busy)
        self.finder.busyChanged.connect(self.busy.setVisible)
        return bar

    def _text_cleared(self, text: str) -> None:
        if not text:
            self.reload()

    def current_filter(self) -> CaseFilter:
        now = self.session.clock.now()
        severity = self.severity.currentData()  # Qt hands the enum back as a plain str
        return CaseFilter(
            owner_id=self.owner.currentData(),
            category=self.category.currentData(),
            severity=Severity(severity) if severity else None,
            overdue_only=self.overdue.isChecked(),
            text=self.text.text(),
            finished_since=now - dt.timedelta(weeks=FINISHED_WEEKS),
        )

    def reload_filters(self) -> None:
        """The owner and category choices as 设置 now has them."""
        for combo, first, options in (
            (self.owner, "全部责任人", [(m.name, m.id) for m in self._active_staff()]),
            (
                self.category,
                "全部类别",
                [
                    (e.label, e.key)
                    for e in self.session.store.settings().active_entries("category")
                ],
            ),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for label, value in options:
                combo.addItem(label, value)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
            combo.blockSignals(False)

    def _active_staff(self) -> list[Staff]:
        return self.session.store.all_staff(active_only=True)

    def reload(self) -> None:
        """Re-run every column's query (filters changed or cases moved); a text
        filter is searched first, off the UI thread."""
        flt = self.current_filter()
        if not flt.text.strip():
            self.finder.cancel()
            self._show(flt)
            return
        self.finder.find(
            flt.text,
            limit=TEXT_FILTER_LIMIT,
            include_voided=False,
            on_found=lambda ids: self._show(flt.with_matches(ids)),
        )

    def show_found(self, text: str, ids: list[int]) -> None:
        """The board narrowed to what the search box already found for `text`."""
        self.finder.cancel()  # the board's own search, if any, is overtaken
        self.text.blockSignals(True)
        self.text.setText(text)
        self.text.blockSignals(False)
        self._show(self.current_filter().with_matches(ids))

    def _show(self, flt: CaseFilter) -> None:
        self.cache.forget()
        for model in self.models.values():
            model.reload(flt)

    def _open(self, index: QModelIndex) -> None:
        case = index.data(CASE_ROLE)
        if isinstance(case, Case):
            self.caseRequested.emit(case.id)

    def show_refusal(self, message: str) -> None:
        self.banner.setText(message)
        self.banner.show()

    def move_case(self, case_id: int, target_code: str) -> None:
        """A card was dropped on another column: run that column's transition."""
        self.banner.hide()
        if self.session.read_only:
            self.show_refusal(self.session.read_only)
            return
        case = self.session.store.case(case_id)
        target = Stage(target_code)
        try:
            action = workflow.action_for_move(case.stage, target)
        except RuleError as refusal:
            self.show_refusal(refusal.message)
            return
        reason = workflow.why_not(self.session.staff, case, action)
        if reason is not None:
            self.show_refusal(reason)
            return
        dialog = ActionDialog(self.session, case, action, target, self)
        dialog.setObjectName("actionDialog")
        if dialog.exec() and dialog.change is not None:
            if dialog.change.after.stage != target:
                self.show_refusal(f"已保存，案件现在为「{dialog.change.after.stage.label}」。")
            self.reload()
            self.casesChanged.emit()
