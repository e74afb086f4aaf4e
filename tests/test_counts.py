"""Each count in the window means one thing, is the same number wherever it
is shown, and says what it counts: 今日新登记 and 超时案件 in the status bar,
统计's tiles, the board's 只看超时 columns, 今日待办's title and the reminder
strip — each equal to the one query that defines it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from showroom_cs.agenda import reminders
from showroom_cs.clock import FixedClock
from showroom_cs.demo import generate
from showroom_cs.domain import Stage
from showroom_cs.queries import overdue_cases, received_between, todo_items
from showroom_cs.stats import period_bounds
from showroom_cs.store import Store
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

NOW = dt.datetime(2026, 11, 27, 16, 30)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(Path(tmp_path_factory.mktemp("busy")) / "cases.db")
    generate(store, 1200, seed=7, now=NOW)
    return store


def _by_hand(store: Store) -> int:
    """超时案件 counted the long way: open cases with a missed limit not yet done."""
    count = 0
    for (case_id,) in store.query("SELECT id FROM cases"):
        case = store.case(case_id)
        missed = [c for c in store.clocks(case_id, open_only=True) if c.breached_at is not None]
        count += case.stage.is_open and bool(missed)
    return count


def test_every_count_is_the_one_query_that_defines_it(qtbot, busy: Store) -> None:  # type: ignore[no-untyped-def]
    overdue = overdue_cases(busy)
    assert overdue == _by_hand(busy) and overdue > 0
    manager = next(s for s in busy.all_staff() if s.name == "陈静")
    window = MainWindow(Session(busy, FixedClock(NOW), manager))
    qtbot.addWidget(window)
    window.show()

    today = dt.datetime.combine(NOW.date(), dt.time())
    new_today = received_between(busy, today, today + dt.timedelta(days=1))
    status = window.status_text
    assert f"今日新登记 {new_today} · 超时案件 {overdue}" in status.text()
    assert "有时限已超时、还没办完的未结案件" in status.toolTip()

    window.go_to(window.stats)
    tiles = window.stats.tiles
    assert tiles["overdue"].text() == str(overdue)
    start, end = period_bounds("this_week", NOW.date())
    assert tiles["received"].text() == str(received_between(busy, start, end))
    assert "作废的不算" in tiles["received"].parentWidget().toolTip()

    window.go_to(window.kanban)
    window.kanban.overdue.setChecked(True)
    shown = {stage: model.total for stage, model in window.kanban.models.items()}
    assert sum(shown.values()) == overdue
    assert shown[Stage.CLOSED] == shown[Stage.INVALID] == 0

    todo = todo_items(busy, manager, NOW)
    late = sum(item.overdue for item in todo)
    assert window.today.title.text() == f"今日待办 · 我的 {len(todo)} 项" + (
        f"（{late} 项已超时）" if late else ""
    )

    waiting = reminders(busy, manager.id, None, NOW)
    bar = window.reminder_bar.text.text()
    if len(waiting) > 1:
        assert f"另有 {len(waiting) - 1} 条提醒" in bar
