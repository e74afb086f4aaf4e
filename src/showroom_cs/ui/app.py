"""Application start-up: Qt application, shipped font, error reporting, main window."""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ..clock import Clock, SystemClock
from ..domain import Staff
from ..errors import ShowroomError
from ..operations import Context, check_clocks, needs_setup
from ..paths import resource_path
from ..store import Store
from . import theme
from .login import LoginDialog, SetupDialog
from .main_window import MainWindow
from .session import Session

log = logging.getLogger(__name__)
APP_FONT_FILE = "wqy-microhei.ttc"


def load_app_font(app: QApplication) -> str:
    """Use the shipped CJK font, so Chinese shows on a PC without Chinese fonts."""
    font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", APP_FONT_FILE)))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        log.warning("shipped font %s could not be loaded", APP_FONT_FILE)
        return app.font().family()
    app.setFont(QFont(families[0], theme.BASE_POINT_SIZE))
    return str(families[0])


def load_qt_chinese(app: QApplication) -> bool:
    """Qt's own words (OK, Cancel, the file dialog) in Simplified Chinese."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder
    ):
        app.installTranslator(translator)
        return True
    log.warning("Qt's Chinese translation was not found in %s", folder)
    return False


def install_excepthook() -> None:
    """An unexpected error is logged and shown in Chinese; the window stays open."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, error, tb)))
        message = (
            error.message
            if isinstance(error, ShowroomError)
            else "程序遇到了意外错误，刚才的操作可能没有完成。已保存的数据不受影响。"
            "详细信息已写入日志文件，请联系技术支持。"
        )
        QMessageBox.critical(None, "门店客诉台", message)

    sys.excepthook = hook


def prepare_app() -> QApplication:
    """The application with the shipped font, the one stylesheet and error reporting."""
    app = QApplication.instance() or QApplication(sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("门店客诉台")
    app.setStyle("Fusion")
    load_qt_chinese(app)
    load_app_font(app)
    app.setStyleSheet(theme.STYLESHEET)
    install_excepthook()
    return app


def sign_in(store: Store, clock: Clock, hint: str = "") -> Staff | None:
    """The first start's setup, or the login; None when the person cancels."""
    dialog: SetupDialog | LoginDialog = (
        SetupDialog(store, clock) if needs_setup(store) else LoginDialog(store, hint)
    )
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.staff


def run(db_path: Path, *, hint: str = "") -> int:
    app = prepare_app()
    try:
        store = Store.open(db_path)
    except ShowroomError as exc:
        log.error("cannot open %s: %s", db_path, exc.message)
        QMessageBox.critical(None, "门店客诉台", exc.message)
        return 2
    clock = SystemClock()
    try:
        check_clocks(Context(store, clock, None))
        staff = sign_in(store, clock, hint)
        if staff is None:
            return 0
        window = MainWindow(Session(store, clock, staff))
        window.show()
        return app.exec()
    finally:
        store.close()
