"""The window's icons load from the shipped PNGs, in the colour asked for."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor

from showroom_cs.ui import theme


@pytest.mark.parametrize("name", theme.ICON_NAMES)
def test_every_icon_is_shipped_and_takes_the_colour_asked_for(qtbot, name: str) -> None:  # type: ignore[no-untyped-def]
    image = theme.icon(name, theme.OVERDUE).pixmap(32, 32).toImage()
    assert not image.isNull()
    inked = [
        image.pixelColor(x, y)
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() == 255
    ]
    assert len(inked) > 40, "the shape is missing"
    assert all(colour.rgb() == QColor(theme.OVERDUE).rgb() for colour in inked)


def test_an_unknown_icon_is_blank_instead_of_a_crash(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert theme.icon("no-such-icon").isNull()
