"""Searches run off the UI thread: the window keeps painting while a slow
search walks the table, shows that it is looking, and only the newest
search's answer is shown."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer

from showroom_cs.clock import FixedClock
from showroom_cs.domain import Stage
from showroom_cs.search import search_case_ids
from showroom_cs.store import Store
from showroom_cs.ui import finder
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import START, Desk, make_desk


@pytest.fixture
def file_desk(tmp_path: Path) -> Desk:
    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    desk.register(customer_name="张伟", description="浴室柜漏水")
    desk.register(customer_name="李娜", description="浴室柜门板开裂")
    desk.register(customer_name="王磊", description="地板起拱")
    return desk


def _window(qtbot, desk: Desk) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(window)
    window.show()
    return window


def _slow_search(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The core's search, as slow as a walk of years of cases on an old PC."""

    def slow(store: Store, text: str, **kwargs: object) -> list[int]:
        time.sleep(seconds)
        return search_case_ids(store, text, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(finder, "search_case_ids", slow)


def test_a_slow_search_leaves_the_window_responsive_and_then_narrows_the_board(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    _slow_search(monkeypatch, 0.4)
    window = _window(qtbot, file_desk)
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    window.search.setText("浴室 柜")
    window.run_search()
    assert "正在查找「浴室 柜」" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.finder.job.done, timeout=5000):  # type: ignore[union-attr]
        pass
    timer.stop()
    # The timer kept ticking through the 0.4 s search: the UI thread was free.
    assert len(ticks) >= 10
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 0.2
    assert window.pages.currentWidget() is window.kanban
    assert window.kanban.text.text() == "浴室 柜"
    assert window.kanban.models[Stage.REGISTERED].ids == [2, 1]


def test_the_case_list_is_greyed_while_looking_and_shows_only_the_newest_search(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, file_desk)
    page = window.case_list
    _slow_search(monkeypatch, 0.3)
    page.search.setText("地板")
    page._search()
    first = page.finder.job
    assert not page.table.isEnabled() and page.count.text() == "正在查找「地板」…"
    page.search.setText("漏水")
    page._search()  # typed again before the first answer came
    with qtbot.waitSignal(page.finder.job.done, timeout=5000):  # type: ignore[union-attr]
        pass
    qtbot.waitUntil(lambda: page.table.isEnabled())
    assert first is not page.finder.job
    qtbot.wait(400)  # the superseded answer arrives too, and must be ignored
    assert page.count.text() == "共 1 件"
    assert page.model.index(0, 0).data() == file_desk.case(1).case_no


def test_a_failed_background_search_is_logged_and_shown_not_swallowed(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, file_desk)
    seen: list[BaseException] = []
    monkeypatch.setattr("sys.excepthook", lambda kind, error, tb: seen.append(error))

    def broken(store: Store, text: str, **kwargs: object) -> list[int]:
        raise RuntimeError("disk went away")

    monkeypatch.setattr(finder, "search_case_ids", broken)
    window.case_list.search.setText("漏水")
    window.case_list._search()
    qtbot.waitUntil(lambda: bool(seen))
    assert str(seen[0]) == "disk went away"
    assert window.case_list.table.isEnabled()  # not left greyed out


def test_clearing_the_box_drops_the_search_under_way(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, file_desk)
    page = window.case_list
    _slow_search(monkeypatch, 0.3)
    page.search.setText("地板")
    page._search()
    job = page.finder.job
    page.search.setText("")  # cleared before the answer came
    assert page.table.isEnabled() and page.count.text() == "共 3 件"
    with qtbot.waitSignal(job.done, timeout=5000):  # type: ignore[union-attr]
        pass
    qtbot.wait(50)
    assert page.count.text() == "共 3 件"  # the late answer changed nothing
    board = window.kanban
    board.text.setText("地板")
    board.reload()
    job = board.finder.job
    board.text.setText("")
    with qtbot.waitSignal(job.done, timeout=5000):  # type: ignore[union-attr]
        pass
    qtbot.wait(50)
    assert len(board.models[Stage.REGISTERED].ids) == 3 and not board.busy.isVisible()


def test_a_refresh_during_a_search_keeps_the_newer_search(  # type: ignore[no-untyped-def]
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, file_desk)
    page = window.case_list
    page.search.setText("地板")
    page._search()
    qtbot.waitUntil(lambda: page.count.text() == "共 1 件")
    _slow_search(monkeypatch, 0.2)
    page.search.setText("浴室柜")
    page._search()
    window.refresh()  # the minute sweep comes while 浴室柜 is being looked for
    qtbot.waitUntil(lambda: page.table.isEnabled(), timeout=5000)
    qtbot.wait(300)
    assert page.count.text() == "共 2 件"
