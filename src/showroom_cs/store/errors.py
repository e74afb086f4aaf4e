"""Failures of the environment around the database, told apart from bugs.

Each carries a Chinese message that says what happened and what to do; the
UI shows it as it is. `translate()` turns sqlite3's exceptions into these.
"""

from __future__ import annotations

import errno
import sqlite3

from ..errors import ShowroomError


class StoreError(ShowroomError):
    """The database could not be used; nothing was written by the failed step."""


class DatabaseLocked(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "数据库正被另一个程序占用（可能在另一个窗口中打开了本软件）。"
            "请关闭其他窗口后重试；刚才的操作没有保存。"
        )


class DatabaseReadOnly(StoreError):
    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "数据库文件是只读的，无法保存。请检查文件或文件夹的权限"
            "（或U盘是否写保护），然后重试；刚才的操作没有保存。"
        )


class DiskFull(StoreError):
    def __init__(self) -> None:
        super().__init__(
            "磁盘空间已满，无法保存。请清理磁盘空间后重试；已保存的数据没有受到影响，刚才的操作没有保存。"
        )


class NotADatabase(StoreError):
    def __init__(self, path: str = "") -> None:
        where = f"「{path}」" if path else "所选文件"
        super().__init__(
            f"{where}不是本软件的数据库，或已损坏。请选择正确的数据库文件，或从备份恢复。"
        )


class EmptyDatabase(NotADatabase):
    """A database file of 0 bytes: what a cut copy, a sync tool or a full disk leaves."""

    def __init__(self, path: str = "") -> None:
        StoreError.__init__(
            self,
            f"数据库文件「{path}」是空的（0 字节），可能是复制中断、同步软件出错或磁盘写满造成的。"
            "本软件没有改动它，也不会把它当作新门店；请从备份恢复。",
        )


class CannotCreate(StoreError):
    """No database yet, and its folder cannot be written: nothing to start with."""

    def __init__(self, folder: str) -> None:
        super().__init__(
            f"无法在「{folder}」里建立数据库：这个文件夹不能写入（只读的磁盘，或没有权限）。"
            "请用 --db 指定一个可以写入的文件夹里的文件，或请管理这台电脑的人给这个文件夹写入权限。"
        )


class CannotOpen(StoreError):
    def __init__(self, path: str = "") -> None:
        where = f"「{path}」" if path else "数据库"
        super().__init__(f"无法打开{where}：文件夹不存在或没有写入权限。请检查路径与权限后重试。")


class DiskTrouble(StoreError):
    def __init__(self, path: str = "") -> None:
        where = f"「{path}」" if path else "数据库文件"
        super().__init__(
            f"读写{where}时磁盘出错（可能是U盘被拔出、网络盘断开或磁盘损坏）。"
            "请检查磁盘后重试；刚才的操作没有保存。"
        )


class UnknownStoreError(StoreError):
    """A failure of the database that has no message of its own yet."""

    def __init__(self, code_name: str) -> None:
        super().__init__(
            f"数据库出错（{code_name}），刚才的操作没有保存。请重试；"
            "如果再次出现，请把日志文件发给技术支持（详情已记入日志）。"
        )
        self.code_name = code_name


class NewerSchema(StoreError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"这个数据库由更新版本的软件创建（数据版本 {found}，本软件只认识到 {known}）。"
            "请升级软件后再打开，数据没有被改动。"
        )


def is_busy(exc: sqlite3.Error) -> bool:
    """Another program holds the file (SQLITE_BUSY or SQLITE_LOCKED, any variant)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def translate(exc: BaseException, path: str = "") -> StoreError | None:
    """The StoreError for a sqlite3 or OS failure, told by its error code (never
    by the English text, which varies with versions and platforms), or None
    for what is a bug (a misused connection, a constraint our own code broke)."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return None  # raised by Python's module itself: a programming error
        primary = code & 0xFF
        if primary in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            return DatabaseLocked()
        if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH):
            return DatabaseReadOnly()
        if primary == sqlite3.SQLITE_FULL:
            return DiskFull()
        if primary == sqlite3.SQLITE_CANTOPEN:
            return CannotOpen(path)
        if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT):
            return NotADatabase(path)
        if primary == sqlite3.SQLITE_IOERR:
            return DiskFull() if _disk_is_full(path) else DiskTrouble(path)
        if primary in _BUGS:
            return None
        return UnknownStoreError(getattr(exc, "sqlite_errorname", str(code)))
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFull()
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return DatabaseReadOnly()
        return CannotOpen(path)
    return None


# Codes that mean our own code is wrong, not the PC: they stay bugs (logged,
# and shown by the window's error handler in Chinese).
_BUGS = frozenset(
    {
        sqlite3.SQLITE_ERROR,  # SQL the code wrote wrongly
        sqlite3.SQLITE_CONSTRAINT,  # a rule of the schema the code broke
        sqlite3.SQLITE_MISUSE,
        sqlite3.SQLITE_RANGE,
        sqlite3.SQLITE_MISMATCH,
        sqlite3.SQLITE_TOOBIG,
    }
)


def _disk_is_full(path: str) -> bool:
    import shutil
    from pathlib import Path

    try:
        folder = Path(path).parent if path else Path.cwd()
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False
