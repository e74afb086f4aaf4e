"""The window rows of `showroom-cs bench`, each run in a fresh process.

    python -m showroom_cs.ui.bench_probe app|search|floor DB PIN

`app`: the real start — shipped font and style, the database opened and
checked as at the counter, the first manager logged in with the PIN, the
main window on the kanban painted. `floor`: a bare QMainWindow showing a
200-row table read from the same SQLite file. Each prints its memory (RSS)
as JSON once painted and leaves at once; the parent times the whole process.
`search`: the painted app runs a search that walks every case while a timer
ticks, and prints the timer's longest pause.
"""

from __future__ import annotations

import json
import os
import sys
from types import TracebackType
from typing import TYPE_CHECKING

# Nothing of the app is imported at module level: the floor process must load
# only Qt and sqlite3.
if TYPE_CHECKING:
    from .main_window import MainWindow


def _rss_mib() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # not Linux: the peak is the best the standard library offers

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fail(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    import traceback

    traceback.print_exception(kind, error, tb)
    sys.stderr.flush()
    os._exit(3)


def _done() -> None:
    print(json.dumps({"rss_mib": _rss_mib()}), flush=True)
    os._exit(0)  # the figures are taken: tearing Qt down is not part of them


def _painted_window(db: str, pin: str) -> MainWindow:
    from PySide6.QtWidgets import QApplication

    from ..clock import SystemClock
    from ..domain import MANAGER_ROLES
    from ..operations import Context, check_clocks, log_in
    from ..store import Store
    from .app import prepare_app
    from .main_window import MainWindow
    from .session import Session

    prepare_app()
    sys.excepthook = _fail  # a modal error box would wait for a click forever
    store = Store.open(db)
    check_clocks(Context(store, SystemClock(), None))
    manager = next(s for s in store.all_staff(active_only=True) if s.role in MANAGER_ROLES)
    staff = log_in(store, SystemClock(), manager.id, pin)
    window = MainWindow(Session(store, SystemClock(), staff))
    window.go_to(window.kanban)
    window.show()
    QApplication.processEvents()
    window.kanban.grab()
    return window


def app(db: str, pin: str) -> None:
    _painted_window(db, pin)
    _done()


# Two two-character terms found nowhere: the search walks every case.
UNMATCHED_SHORT_TERMS = "甲乙 丙丁"


def search(db: str, pin: str) -> None:
    """Type a slow search into the search box while a 10 ms timer ticks; print
    the timer's longest pause and how long the search took."""
    import itertools
    import time

    from PySide6.QtCore import QEventLoop, QTimer

    from ..bench import TICK_MS

    window = _painted_window(db, pin)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(TICK_MS)
    loop = QEventLoop()
    began = time.perf_counter()
    ticks.append(began)
    window.search.setText(UNMATCHED_SHORT_TERMS)
    window.run_search()
    job = window.finder.job
    if job is not None:  # it may already be done (and deleted) on a tiny file
        job.destroyed.connect(loop.quit)
        loop.exec()
    took = time.perf_counter() - began
    ticks.append(time.perf_counter())
    gap = max(b - a for a, b in itertools.pairwise(ticks))
    print(json.dumps({"gap_ms": gap * 1000, "search_ms": took * 1000}), flush=True)
    os._exit(0)


def floor(db: str) -> None:
    import sqlite3

    from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

    qt = QApplication(sys.argv)
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT case_no, customer_name, stage, description FROM cases ORDER BY id DESC LIMIT 200"
    ).fetchall()
    window = QMainWindow()
    table = QTableWidget(len(rows), 4)
    for number, row in enumerate(rows):
        for column, value in enumerate(row):
            table.setItem(number, column, QTableWidgetItem(str(value)))
    window.setCentralWidget(table)
    window.resize(1366, 768)
    window.show()
    qt.processEvents()
    window.grab()
    _done()


if __name__ == "__main__":
    mode, database, given_pin = sys.argv[1:4]
    if mode == "app":
        app(database, given_pin)
    elif mode == "search":
        search(database, given_pin)
    else:
        floor(database)
