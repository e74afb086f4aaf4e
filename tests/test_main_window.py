"""The first window: it shows what the database holds, in Chinese, with the shipped font."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication, QLabel, QTableWidget

from showroom_cs.domain import Severity, Stage
from showroom_cs.ui.app import load_app_font
from showroom_cs.ui.main_window import MainWindow

from .conftest import Desk
from .walk import to_in_progress


def test_window_shows_stage_counts_and_masked_open_cases(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register(severity=Severity.URGENT)
    to_in_progress(desk, desk.register(customer_name="李娜", customer_phone="13912345678"))
    window = MainWindow(desk.store, desk.clock)
    qtbot.addWidget(window)
    window.show()
    count = window.findChild(QLabel, f"count_{Stage.REGISTERED.value}")
    assert count is not None and count.text() == "1"
    assert window.findChild(QLabel, f"count_{Stage.IN_PROGRESS.value}").text() == "1"
    table = window.findChild(QTableWidget, "recent_cases")
    assert table.rowCount() == 2
    shown = {table.item(row, 2).text() for row in range(2)}
    assert shown == {"张**", "李**"}
    assert table.item(0, 3).text() in {"138****8000", "139****5678"}
    assert "首次响应 剩" in table.item(1, 7).text() or "首次响应 剩" in table.item(0, 7).text()
    assert "超时 0" in window.statusBar().currentMessage()


def test_the_shipped_chinese_font_is_used(qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    family = load_app_font(app)
    assert "WenQuanYi" in family
    assert app.font().family() == family


def test_the_minute_sweep_turns_a_missed_limit_red_and_escalates(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register(severity=Severity.URGENT)
    window = MainWindow(desk.store, desk.clock)
    qtbot.addWidget(window)
    assert window.sweep_timer.isActive() and window.sweep_timer.interval() == 60_000
    table = window.findChild(QTableWidget, "recent_cases")
    assert table.item(0, 7).text() == "首次响应 剩 2小时"
    desk.clock.advance(hours=2, minutes=30)
    window.sweep()
    assert table.item(0, 7).text() == "首次响应 超时 30分"
    assert table.item(0, 7).foreground().color().name() == "#c62828"
    assert "超时 1" in window.statusBar().currentMessage()
    assert desk.case(case.id).escalation_level == 1


def test_an_unexpected_error_is_logged_and_shown_in_chinese(
    qtbot,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import logging
    import sys

    from showroom_cs.logs import setup_logging
    from showroom_cs.ui import app as app_module

    log_file = setup_logging(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text)
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_excepthook()
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "程序遇到了意外错误" in shown[0] and "日志" in shown[0]
    text = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError: boom" in text and "Traceback" in text
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", None) == str(log_file):
            root.removeHandler(handler)
            handler.close()
