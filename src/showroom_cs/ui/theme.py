"""The one look of the app: palette, stylesheet, severity colours, icons.

Domain values become colours and icons only here (the core knows none).
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from ..domain import Severity
from ..paths import resource_path

BASE_POINT_SIZE = 11
ACCENT = "#1565c0"
TEXT = "#263238"
MUTED = "#607d8b"
BORDER = "#d9dee5"
PANEL = "#f5f7fa"
OVERDUE = "#c62828"
SEVERITY = {
    Severity.URGENT: "#c62828",
    Severity.IMPORTANT: "#ef6c00",
    Severity.NORMAL: "#78909c",
}
ESCALATION = "#6a1b9a"

STYLESHEET = f"""
QWidget {{ color: {TEXT}; }}
QMainWindow, QDialog {{ background: white; }}
#sidePanel {{ background: {PANEL}; border-right: 1px solid {BORDER}; }}
#sidebar {{ background: transparent; border: none; outline: none; }}
#sidebar::item {{ padding: 10px 14px; border-radius: 6px; margin: 2px 8px; }}
#sidebar::item:selected {{ background: #e3eefc; color: {ACCENT}; }}
#todo::item {{ padding: 8px 6px; border-bottom: 1px solid {BORDER}; }}
#timeline::item {{ padding: 4px 2px; }}
#brand {{ font-size: 15pt; font-weight: 600; padding: 14px 16px 6px 16px; }}
#pageTitle {{ font-size: 16pt; font-weight: 600; }}
#muted {{ color: {MUTED}; }}
#banner {{ background: #fff3e0; border: 1px solid #ffcc80; border-radius: 6px; padding: 8px; }}
#error {{ color: {OVERDUE}; }}
#emptyState {{ color: {MUTED}; font-size: 12pt; }}
QLineEdit, QComboBox, QDateEdit, QDateTimeEdit, QSpinBox, QPlainTextEdit, QTextEdit {{
    border: 1px solid {BORDER}; border-radius: 4px; padding: 4px 6px; background: white; }}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus {{ border-color: {ACCENT}; }}
QAbstractSpinBox:focus {{ border-color: {ACCENT}; }}
QAbstractSpinBox {{ border: 1px solid {BORDER}; border-radius: 4px; padding: 4px 6px;
                    background: white; }}
/* Under a border the platform's arrows draw broken; numbers and times are typed
   (or stepped with the wheel and the arrow keys). */
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {{ width: 0px; border: none; }}
QPushButton {{ border: 1px solid {BORDER}; border-radius: 4px; padding: 6px 14px;
               background: white; }}
QPushButton:hover {{ background: #eef3f8; }}
QPushButton:checked {{ background: #e3eefc; color: {ACCENT}; border-color: {ACCENT}; }}
QPushButton[primary="true"] {{ background: {ACCENT}; color: white; border-color: {ACCENT}; }}
QPushButton[primary="true"]:disabled {{ background: #b0bec5; border-color: #b0bec5; }}
QDialogButtonBox {{ dialogbuttonbox-buttons-have-icons: 0; }}
QPushButton:disabled {{ color: #9aa5ad; }}
QListView#column {{ background: {PANEL}; border: 1px solid {BORDER}; border-radius: 6px; }}
QHeaderView::section {{ background: {PANEL}; border: none;
                        border-bottom: 1px solid {BORDER}; padding: 4px 6px; }}
QStatusBar {{ background: {PANEL}; border-top: 1px solid {BORDER}; }}
"""


# The window's icons (Material Design Icons, Apache 2.0), stored as black
# shapes in resources/icons/mdi/ by scripts/make_icons.py.
ICON_NAMES = (
    "account-box-outline",
    "calendar-check",
    "calendar-month",
    "chart-bar",
    "clipboard-text-clock-outline",
    "cog-outline",
    "file-alert-outline",
    "file-document-edit-outline",
    "file-pdf-box",
    "image-broken-variant",
    "lightbulb-on-outline",
    "paperclip",
    "printer",
    "table-search",
    "view-column",
)
ICON_PIXELS = 64


@functools.cache
def icon(name: str, colour: str = MUTED) -> QIcon:
    """One of ICON_NAMES in `colour` (an unknown or missing one is blank, not a crash)."""
    shape = QPixmap(str(resource_path("icons", "mdi", f"{name}.png")))
    if shape.isNull():
        return QIcon()
    tinted = QPixmap(shape.size())
    tinted.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tinted)
    painter.drawPixmap(0, 0, shape)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(tinted.rect(), QColor(colour))
    painter.end()
    return QIcon(tinted)


def severity_colour(severity: Severity) -> QColor:
    return QColor(SEVERITY[severity])
