"""The window half of `showroom-cs selftest`: Qt, its platform plugin, the
shipped font, the icons and the main window all load from the bundle."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from ..clock import SystemClock
from ..store import Store
from . import theme
from .app import prepare_app
from .main_window import MainWindow
from .session import Session


def window_check(db: Path) -> str:
    """Open the main window on `db` as its first manager, paint it, close it."""
    app = prepare_app()
    store = Store.open(db)
    try:
        staff = store.all_staff(active_only=True)[0]
        window = MainWindow(Session(store, SystemClock(), staff))
        window.show()
        QApplication.processEvents()
        image = window.grab()
        family = app.font().family()
        window.close()
        window.deleteLater()
        QApplication.processEvents()
    finally:
        store.close()
    if image.isNull() or image.width() < 800:
        raise AssertionError("主窗口没有画出来")
    if "WenQuanYi" not in family and "文泉驿" not in family:
        raise AssertionError(f"没有加载随软件附带的中文字体（当前：{family}）")
    # A missing icon file shows as a blank space, not an error: look for each.
    missing = [name for name in theme.ICON_NAMES if theme.icon(name).isNull()]
    if missing:
        raise AssertionError("缺少图标文件：" + "、".join(missing))
    return f"{QApplication.platformName()} 平台，字体 {family}，{image.width()}×{image.height()}"
