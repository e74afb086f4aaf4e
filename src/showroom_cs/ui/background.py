"""Slow work off the UI thread: a daily backup, a database check.

The function runs on Qt's thread pool with its own database connection (a
`Store` is not shared between threads); its result or exception comes back
on the UI thread through a signal, so the window keeps painting meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Outcome(QObject):
    """Signals: done(object) with the result; failed(object) with the exception."""

    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], outcome: _Outcome) -> None:
        super().__init__()
        self.work = work
        self.outcome = outcome

    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # handed to the UI thread, which reports it
            self._hand_over("failed", exc)
        else:
            self._hand_over("done", result)

    def _hand_over(self, signal: str, value: object) -> None:
        try:
            getattr(self.outcome, signal).emit(value)
        except RuntimeError:
            # The window that asked was closed meanwhile (its signals object went
            # with it): there is nobody left to tell.
            log.info("background work finished after its window closed")


def run_in_background(
    parent: QObject,
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[Exception], None],
) -> QObject:
    """Start `work` on the pool; the callbacks run on the UI thread. The returned
    object (kept alive by `parent`) carries the signals, for tests to wait on."""
    outcome = _Outcome(parent)
    outcome.done.connect(on_done)
    outcome.failed.connect(on_failed)
    outcome.done.connect(outcome.deleteLater)
    outcome.failed.connect(outcome.deleteLater)
    QThreadPool.globalInstance().start(_Job(work, outcome))
    return outcome
