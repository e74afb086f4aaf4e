"""Screenshots of every page, for looking at what the app shows.

    .venv/bin/python scripts/screenshots.py --db demo.db --out shots/ [--staff 王芳]

Run it under a real display (Xvfb) or with QT_QPA_PLATFORM=offscreen. It
logs in as the named staff member without a PIN (a developer tool: it never
ships), prints how long the window and the board took, and writes one PNG
per page.
"""

from __future__ import annotations

import time

SCRIPT_START = time.perf_counter()  # before Qt and the app are imported

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QScrollArea

from showroom_cs.clock import SystemClock
from showroom_cs.store import Store
from showroom_cs.ui.accountability_dialog import AccountabilityDialog
from showroom_cs.ui.action_dialog import ActionDialog
from showroom_cs.ui.app import prepare_app
from showroom_cs.ui.customer_view import CustomerRecordDialog
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--staff", default="王芳")
    args = parser.parse_args()
    started = time.perf_counter()
    prepare_app()
    store = Store.open(args.db)
    staff = next(s for s in store.all_staff() if s.name == args.staff)
    window = MainWindow(Session(store, SystemClock(), staff))
    window.resize(1440, 900)
    window.show()
    QApplication.processEvents()
    print(
        f"window shown and painted {time.perf_counter() - SCRIPT_START:.2f} s after the script "
        f"started ({time.perf_counter() - started:.2f} s after the imports)"
    )
    args.out.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        QApplication.processEvents()
        window.grab().save(str(args.out / f"{name}.png"))

    for page, name in (
        (window.today, "today"),
        (window.intake, "intake"),
        (window.kanban, "kanban"),
        (window.case_list, "case-list"),
        (window.calendar, "calendar"),
        (window.daily, "daily"),
        (window.improvements_page, "improvements"),
        (window.stats, "stats"),
        (window.settings_page, "settings"),
    ):
        window.go_to(page)
        shot(name)
    window.go_to(window.stats)
    scroll = window.stats.findChild(QScrollArea)
    if scroll is not None:
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        shot("stats-bottom")
    tabs = window.settings_page.tabs
    window.go_to(window.settings_page)
    for number in range(tabs.count()):
        tabs.setCurrentIndex(number)
        shot(f"settings-{number + 1}")
    tabs.setCurrentIndex(0)
    window.go_to(window.calendar)
    for mode, name in ((0, "calendar-month"), (2, "calendar-day")):
        window.calendar.set_mode(mode)
        shot(name)
    window.calendar.set_mode(1)
    window.go_to(window.kanban)
    for column in window.kanban.columns.values():
        column.header.setChecked(True)
    shot("kanban-expanded")
    busy = store.scalar("SELECT id FROM cases WHERE stage = 'in_progress' ORDER BY id DESC LIMIT 1")
    if busy is not None:
        window.open_case(busy)
        shot("case")
        case = store.case(busy)
        for action in ("record_rectification", "record_contact"):
            dialog = ActionDialog(window.session, case, action, parent=window)
            dialog.show()
            QApplication.processEvents()
            dialog.grab().save(str(args.out / f"dialog-{action}.png"))
            dialog.close()
    follow = store.scalar("SELECT id FROM cases WHERE stage = 'follow_up' ORDER BY id DESC LIMIT 1")
    if follow is not None:
        case = store.case(follow)
        for action in ("record_contact", "close"):
            dialog = ActionDialog(window.session, case, action, parent=window)
            dialog.show()
            QApplication.processEvents()
            dialog.grab().save(str(args.out / f"dialog-{action}-follow-up.png"))
            dialog.close()
    closed = store.scalar(
        "SELECT case_id FROM accountability ORDER BY id DESC LIMIT 1"
    ) or store.scalar("SELECT id FROM cases WHERE stage = 'closed' ORDER BY id DESC LIMIT 1")
    if closed is not None:
        window.open_case(closed)
        shot("case-closed")
        if window.case_view.accountability_button.isVisible():
            found = AccountabilityDialog(window.session, store.case(closed), parent=window)
            found.show()
            QApplication.processEvents()
            found.grab().save(str(args.out / "dialog-accountability.png"))
            found.close()
    returning = store.scalar(
        "SELECT customer_phone FROM cases GROUP BY customer_phone ORDER BY COUNT(*) DESC LIMIT 1"
    )
    if returning is not None:
        record = CustomerRecordDialog(window.session, returning, parent=window)
        record.show()
        for number in range(record.tabs.count()):
            record.tabs.setCurrentIndex(number)
            QApplication.processEvents()
            record.grab().save(str(args.out / f"customer-{number + 1}.png"))
        record.close()
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
