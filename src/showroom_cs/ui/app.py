"""Application start-up: Qt application, shipped font, error reporting, main window."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from ..backup import BackupInfo, backup_folder, record_restored
from ..clock import Clock, SystemClock
from ..domain import Door, Staff
from ..errors import ShowroomError
from ..instance import AlreadyOpen, InstanceLock
from ..operations import Context, check_clocks, needs_setup
from ..paths import resource_path
from ..store import NotADatabase, Store, quick_check
from . import theme
from .login import LoginDialog, SetupDialog
from .main_window import MainWindow
from .recovery import DamagedDialog, restore_now
from .session import Session
from .single_instance import SecondStartListener, knock

log = logging.getLogger(__name__)
APP_FONT_FILE = "wqy-microhei.ttc"
# Set (to anything) to leave as soon as the first window has been painted.
STARTUP_PROBE = "SHOWROOM_CS_EXIT_AFTER_FIRST_PAINT"


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
    app.setWindowIcon(QIcon(str(resource_path("icons", "app.png"))))
    app.setStyle("Fusion")
    load_qt_chinese(app)
    load_app_font(app)
    app.setStyleSheet(theme.STYLESHEET)
    install_excepthook()
    return app


def sign_in(store: Store, clock: Clock, hint: str = "") -> Staff | None:
    """The first start's setup, or the login; None when the person cancels."""
    dialog: SetupDialog | LoginDialog = (
        SetupDialog(store, clock) if needs_setup(store) else LoginDialog(store, clock, hint)
    )
    if os.environ.get(STARTUP_PROBE):
        # Measuring start-up (scripts/build): the first window is painted, leave.
        dialog.show()
        dialog.grab()
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.staff


def run(db_path: Path, *, hint: str = "") -> int:
    """The app on one database: one window per file, checked at every start,
    started again on the restored data after a restore."""
    app = prepare_app()
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
    except AlreadyOpen as busy:
        if not knock(db_path):
            QMessageBox.information(None, "门店客诉台", busy.message)
        return 0
    except ShowroomError as cannot:
        log.error("cannot use %s: %s", db_path, cannot.message)
        QMessageBox.critical(None, "门店客诉台", cannot.message)
        return 2
    listener = SecondStartListener(db_path)
    try:
        while True:
            outcome = _run_once(app, db_path, hint, listener)
            if not isinstance(outcome, tuple):
                return outcome
            info, staff_id = outcome
            if restore_now(None, db_path, info, _backup_folders(db_path)[0]):
                record_restored(db_path, staff_id, Door.WINDOW, info.path, dt.datetime.now())
                hint = "数据已恢复，请重新登录。"
    finally:
        lock.release()


def _run_once(
    app: QApplication, db_path: Path, hint: str, listener: SecondStartListener
) -> int | tuple[BackupInfo, int | None]:
    """One start: check, open, log in, work. Returns the exit code, or the
    backup to restore before starting again (and who asked for it)."""
    # The check reads the whole file: it runs while the person logs in.
    checking = ThreadPoolExecutor(max_workers=1)
    check = checking.submit(quick_check, db_path) if db_path.exists() else None
    checking.shutdown(wait=False)
    try:
        store = Store.open(db_path)
    except NotADatabase as damaged:
        log.error("cannot open %s: %s", db_path, damaged.message)
        return _offer_restore(db_path, damaged.message)
    except ShowroomError as exc:
        log.error("cannot open %s: %s", db_path, exc.message)
        QMessageBox.critical(None, "门店客诉台", exc.message)
        return 2
    clock = SystemClock()
    try:
        if store.read_only:
            # Said before anyone starts work that could not be saved.
            log.warning("%s opened read-only: %s", db_path, store.read_only)
            hint = (
                f"数据库只能读取：{store.read_only}可以登录查看和打印，但不能保存新的投诉或修改。"
            )
        else:
            check_clocks(Context(store, clock, None))
        staff = sign_in(store, clock, hint)
        if staff is None:
            return 0
        problems = _finished_check(check)
        if problems != ["ok"]:
            log.error("quick_check of %s failed: %s", db_path, problems[:10])
            store.close()
            return _offer_restore(db_path, "；".join(problems[:5]))
        window = MainWindow(Session(store, clock, staff))
        listener.showRequested.connect(window.come_forward)
        window.show()
        app.exec()
        listener.showRequested.disconnect(window.come_forward)
        # Its timers stop before its database closes (a restart keeps the process).
        window.close()
        window.deleteLater()
        if window.restore_from is None:
            return 0
        return window.restore_from, window.restored_by
    finally:
        store.close()


def _finished_check(check: Future[list[str]] | None) -> list[str]:
    if check is None:
        return ["ok"]  # a new, empty database
    if not check.done():
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return check.result()
        finally:
            QApplication.restoreOverrideCursor()
    return check.result()


def _backup_folders(db_path: Path) -> list[Path]:
    """Where backups of this database may be: beside it, and the set folder."""
    folders = [backup_folder(db_path, "")]
    try:
        store = Store.open(db_path)
        try:
            configured = store.settings().backup_dir
        finally:
            store.close()
    except ShowroomError:
        return folders  # damaged: the settings are out of reach
    if configured.strip():
        folders.insert(0, backup_folder(db_path, configured))
    return folders


def _offer_restore(db_path: Path, problem: str) -> int | tuple[BackupInfo, int | None]:
    """A damaged file, before anyone logged in: a restore chosen here names nobody."""
    dialog = DamagedDialog(db_path, problem, _backup_folders(db_path))
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
        return 2
    return dialog.chosen, None
