"""Item models over SQL that keep only ids and fetch cases as they are shown.

A kanban column at 100,000 cases holds a page of ids; more are fetched when
the view scrolls (`canFetchMore`/`fetchMore`), and the Case rows behind the
visible ids are read in batches into a small cache.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ..domain import Case, Stage
from ..queries import CaseFilter, column_count, column_page
from ..store import Store

CASE_ROLE = Qt.ItemDataRole.UserRole + 1
CASE_MIME = "application/x-showroom-case-id"
PAGE = 100
Index = QModelIndex | QPersistentModelIndex


class CaseCache:
    """Cases by id, read in batches; cleared when cases change."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._cases: dict[int, Case] = {}

    def get(self, case_id: int, neighbours: Callable[[], list[int]]) -> Case | None:
        if case_id not in self._cases:
            wanted = [i for i in neighbours() if i not in self._cases] or [case_id]
            for case in self.store.cases(wanted):
                self._cases[case.id] = case
        return self._cases.get(case_id)

    def forget(self, case_ids: list[int] | None = None) -> None:
        if case_ids is None:
            self._cases.clear()
        for case_id in case_ids or ():
            self._cases.pop(case_id, None)


class StageColumnModel(QAbstractListModel):
    """The cards of one kanban column: ids from SQL, a page at a time.

    Signals:
        dropRequested(int, str): a card (case id) was dropped here (target stage code).
    """

    dropRequested = Signal(int, str)

    def __init__(
        self, store: Store, cache: CaseCache, stage: Stage, now: Callable[[], dt.datetime]
    ) -> None:
        super().__init__()
        self.store = store
        self.cache = cache
        self.stage = stage
        self.now = now
        self.filter = CaseFilter()
        self.ids: list[int] = []
        self.total = 0

    def reload(self, flt: CaseFilter | None = None) -> None:
        """Re-run the column's query (filters changed, or cases moved)."""
        # Query first, reset after: a failed query leaves the column as it was.
        flt = flt if flt is not None else self.filter
        now = self.now()
        total = column_count(self.store, self.stage, flt, now)
        ids = column_page(self.store, self.stage, flt, now, offset=0, limit=PAGE)
        self.beginResetModel()
        self.filter, self.total, self.ids = flt, total, ids
        self.endResetModel()

    # -- lazy loading

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self.ids) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = column_page(
            self.store, self.stage, self.filter, self.now(), offset=len(self.ids), limit=PAGE
        )
        if not more:
            self.total = len(self.ids)
            return
        first = len(self.ids)
        self.beginInsertRows(QModelIndex(), first, first + len(more) - 1)
        self.ids.extend(more)
        self.endInsertRows()

    # -- reading

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.ids)

    def case_at(self, row: int) -> Case | None:
        if not 0 <= row < len(self.ids):
            return None
        return self.cache.get(self.ids[row], lambda: self.ids[row : row + 30])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        case = self.case_at(index.row())
        if case is None:
            return None
        if role == CASE_ROLE:
            return case
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{case.case_no} {case.severity.label}"
        return None

    # -- drag and drop: a drop asks for the transition, it never moves rows itself

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        return (
            base
            | Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | (Qt.ItemFlag.ItemIsDragEnabled)
        )

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [CASE_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:  # type: ignore[override]
        mime = QMimeData()
        if indexes:
            mime.setData(CASE_MIME, QByteArray(str(self.ids[indexes[0].row()]).encode()))
        return mime

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        return data.hasFormat(CASE_MIME)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: Index
    ) -> bool:
        if not data.hasFormat(CASE_MIME):
            return False
        case_id = int(bytes(data.data(CASE_MIME).data()).decode())
        if case_id in self.ids:
            return False  # dropped back where it was
        self.dropRequested.emit(case_id, self.stage.value)
        # The move happens (or not) through the transition dialog; the source
        # must not delete its row on its own.
        return False
