"""案件查询: every case in a sortable table, searched with the core's search.

The model keeps ids only and fetches a page at a time as the view scrolls;
sorting re-runs the query in SQL instead of sorting rows in Python.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QLabel, QLineEdit, QTableView, QVBoxLayout, QWidget

from ..domain import Case
from ..privacy import mask_name, mask_phone
from ..queries import TEXT_FILTER_LIMIT, case_list_count, case_list_ids
from ..sla import describe_remaining
from . import theme
from .case_models import CASE_ROLE, CaseCache
from .finder import Finder
from .session import Session

PAGE = 200
Index = QModelIndex | QPersistentModelIndex
# (header, sort key in queries.SORTABLE or None when not sortable)
COLUMNS = (
    ("投诉编号", "case_no"),
    ("受理时间", "received_at"),
    ("客户", "customer"),
    ("电话", None),
    ("类别", "category"),
    ("严重程度", "severity"),
    ("阶段", "stage"),
    ("责任人", None),
    ("最近时限", "next_due_at"),
)


class CaseTableModel(QAbstractTableModel):
    """All cases as rows; ids from SQL a page at a time. Signals: none beyond Qt's."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.cache = CaseCache(session.store)
        self.names = {s.id: s.name for s in session.store.all_staff()}
        self.text = ""
        self.matches: list[int] | None = None  # the search's ids; None lists every case
        self.sort_key = "received_at"
        self.descending = True
        self.ids: list[int] = []
        self.total = 0

    def show_matches(self, text: str, matches: list[int] | None) -> None:
        """List only `matches` (what `text` found), or every case when None."""
        self.text, self.matches = text, matches
        self.reload()

    def reload(self) -> None:
        # Query first, reset after: a failed query leaves the table as it was.
        store = self.session.store
        total = case_list_count(store, matches=self.matches)
        ids = case_list_ids(
            store, matches=self.matches, sort=self.sort_key, descending=self.descending, limit=PAGE
        )
        self.beginResetModel()
        self.cache.forget()
        self.total, self.ids = total, ids
        self.endResetModel()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.ids) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = case_list_ids(
            self.session.store,
            matches=self.matches,
            sort=self.sort_key,
            descending=self.descending,
            offset=len(self.ids),
            limit=PAGE,
        )
        if not more:
            self.total = len(self.ids)
            return
        self.beginInsertRows(QModelIndex(), len(self.ids), len(self.ids) + len(more) - 1)
        self.ids.extend(more)
        self.endInsertRows()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        # Roles not handled here return None (tech-notes: calling super() crashes PySide6).
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0] if 0 <= section < len(COLUMNS) else None
        return None

    def case_at(self, row: int) -> Case | None:
        if not 0 <= row < len(self.ids):
            return None
        return self.cache.get(self.ids[row], lambda: self.ids[row : row + 60])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        case = self.case_at(index.row())
        if case is None:
            return None
        if role == CASE_ROLE:
            return case
        now = self.session.clock.now()
        column = index.column()
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5:
                return theme.severity_colour(case.severity)
            late = case.next_due_at is not None and case.next_due_at <= now
            return QColor(theme.OVERDUE) if column == 8 and late else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        settings = self.session.store.settings()
        if column == 0:
            return case.case_no
        if column == 1:
            return f"{case.received_at:%Y-%m-%d %H:%M}"
        if column == 2:
            return mask_name(case.customer_name)
        if column == 3:
            return mask_phone(case.customer_phone)
        if column == 4:
            return settings.label_of("category", case.category)
        if column == 5:
            return case.severity.label
        if column == 6:
            return case.stage.label
        if column == 7:
            return self.names.get(case.owner_id or 0, "")
        if column == 8 and case.next_due_at is not None and case.next_due_kind is not None:
            return f"{case.next_due_kind.label} {describe_remaining(case.next_due_at, now)}"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = COLUMNS[column][1] if 0 <= column < len(COLUMNS) else None
        if key is None:
            return
        self.sort_key = key
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class CaseListPage(QWidget):
    """Signals:
    caseRequested(int): open a case (double-click or Enter on a row).
    """

    caseRequested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        title = QLabel("案件查询")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.search = QLineEdit()
        self.search.setObjectName("listSearch")
        self.search.setPlaceholderText(
            "按编号、姓名、电话、拼音首字母或内容查找，回车搜索；留空显示全部"
        )
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(self._search)
        self.search.textChanged.connect(self._cleared)
        layout.addWidget(self.search)
        self.count = QLabel()
        self.count.setObjectName("muted")
        layout.addWidget(self.count)
        self.empty = QLabel("没有找到符合条件的案件。换个关键词，或清空搜索框查看全部。")
        self.empty.setObjectName("emptyState")
        self.empty.hide()
        self.model: CaseTableModel = CaseTableModel(session)
        self.finder = Finder(session, self)
        self.finder.busyChanged.connect(self._busy)
        self.query = ""
        self.model.modelReset.connect(self._update_count)
        self.table = QTableView()
        self.table.setObjectName("caseTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open)
        self.table.activated.connect(self._open)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        # Sorting re-runs the query; the first sort also fills the table (newest first).
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._keep_sort_indicator)
        for column, width in enumerate((150, 140, 70, 110, 90, 70, 70, 70)):
            self.table.setColumnWidth(column, width)

    def _search(self) -> None:
        self._find(self.search.text())

    def _cleared(self, text: str) -> None:
        if not text:
            self._find("")

    def refresh(self) -> None:
        """Cases moved or arrived: search again (if searching) and re-read the rows."""
        self._find(self.query)

    def _find(self, text: str) -> None:
        self.query = text  # what is asked, answered or not (model.text: answered)
        if not text.strip():
            self.finder.cancel()
            self.model.show_matches("", None)
            return
        self.count.setText(f"正在查找「{text.strip()}」…")
        self.finder.find(
            text,
            limit=TEXT_FILTER_LIMIT,
            include_voided=True,
            on_found=lambda ids: self.model.show_matches(text, ids),
        )

    def _busy(self, busy: bool) -> None:
        self.table.setEnabled(not busy)  # rows of the last search must not be opened meanwhile

    def _update_count(self) -> None:
        total = self.model.total
        if self.model.text.strip() and total >= TEXT_FILTER_LIMIT:
            self.count.setText(
                f"找到 {TEXT_FILTER_LIMIT} 件以上，只列出最新的 {TEXT_FILTER_LIMIT} 件；请再加一个关键词缩小范围"
            )
        else:
            self.count.setText(f"共 {total} 件")
        self.empty.setVisible(total == 0)

    def _keep_sort_indicator(self, column: int, order: Qt.SortOrder) -> None:
        """Columns that cannot be sorted leave the arrow where the sort really is."""
        if COLUMNS[column][1] is None:
            current = next(i for i, (_, key) in enumerate(COLUMNS) if key == self.model.sort_key)
            real = (
                Qt.SortOrder.DescendingOrder
                if self.model.descending
                else (Qt.SortOrder.AscendingOrder)
            )
            header = self.table.horizontalHeader()
            header.blockSignals(True)
            header.setSortIndicator(current, real)
            header.blockSignals(False)

    def _open(self, index: QModelIndex) -> None:
        case = index.data(CASE_ROLE)
        if isinstance(case, Case):
            self.caseRequested.emit(case.id)
