"""The installed Qt binding does not wear the interpreter down over a working day."""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QLabel


def test_calling_qt_does_not_use_up_none(qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None on every call of
    a method returning nothing (setText, drawLine, …): a busy window aborted the
    process after a while. On a good binding the count stays where it was."""
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for number in range(2000):
        label.setText(str(number))
    assert sys.getrefcount(None) >= before - 50
