"""The core's search, run off the UI thread.

Short terms cannot use the trigram index and walk the cases table: two
two-character terms that match nothing take ~0.1 s at 100,000 cases, longer
on an old PC. The walk runs on the thread pool with its own connection, so
the window keeps painting and a newer search simply replaces an older one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from ..search import search_case_ids
from ..store import Store
from .background import run_in_background
from .session import Session

Found = Callable[[list[int]], None]


def _search_on_own_connection(path: str, text: str, limit: int, include_voided: bool) -> list[int]:
    store = Store.open(path)  # a Store belongs to one thread
    try:
        return search_case_ids(store, text, limit=limit, include_voided=include_voided)
    finally:
        store.close()


class Finder(QObject):
    """Signals: busyChanged(bool) while a search is under way."""

    busyChanged = Signal(bool)

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._generation = 0
        self.job: QObject | None = None  # the running search's signals, for tests

    def cancel(self) -> None:
        """Forget the search under way (the box was cleared, or an answer came
        from elsewhere): its answer, when it comes, is dropped."""
        self._generation += 1
        self.busyChanged.emit(False)

    def find(self, text: str, *, limit: int, include_voided: bool, on_found: Found) -> None:
        """Call `on_found(ids)` on the UI thread; a later call supersedes this one."""
        self._generation += 1
        generation = self._generation
        path = self.session.store.path
        if path is None:  # an in-memory database lives on this thread only
            on_found(
                search_case_ids(
                    self.session.store, text, limit=limit, include_voided=include_voided
                )
            )
            return

        def done(ids: list[int]) -> None:
            if generation == self._generation:
                self.busyChanged.emit(False)
                on_found(ids)

        def failed(error: Exception) -> None:
            if generation == self._generation:
                self.busyChanged.emit(False)
                sys.excepthook(type(error), error, error.__traceback__)

        self.busyChanged.emit(True)
        self.job = run_in_background(
            self,
            lambda: _search_on_own_connection(str(path), text, limit, include_voided),
            done,
            failed,
        )
