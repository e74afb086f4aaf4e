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
    def __init__(self) -> None:
        super().__init__(
            "数据库文件是只读的，无法保存。请检查文件或文件夹的权限"
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


class CannotOpen(StoreError):
    def __init__(self, path: str = "") -> None:
        where = f"「{path}」" if path else "数据库"
        super().__init__(f"无法打开{where}：文件夹不存在或没有写入权限。请检查路径与权限后重试。")


class NewerSchema(StoreError):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(
            f"这个数据库由更新版本的软件创建（数据版本 {found}，本软件只认识到 {known}）。"
            "请升级软件后再打开，数据没有被改动。"
        )


def translate(exc: BaseException, path: str = "") -> StoreError | None:
    """The StoreError matching a sqlite3 or OS failure, or None for anything else."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in text or "busy" in text:
            return DatabaseLocked()
        if "readonly" in text or "read-only" in text:
            return DatabaseReadOnly()
        if "disk is full" in text or "database or disk is full" in text:
            return DiskFull()
        if "unable to open" in text:
            return CannotOpen(path)
        if "disk i/o error" in text:
            return DiskFull() if _disk_is_full(path) else CannotOpen(path)
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "encrypted" in text
    ):
        return NotADatabase(path)
    if isinstance(exc, OSError):
        if exc.errno == errno.ENOSPC:
            return DiskFull()
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return DatabaseReadOnly()
        return CannotOpen(path)
    return None


def _disk_is_full(path: str) -> bool:
    import shutil
    from pathlib import Path

    try:
        folder = Path(path).parent if path else Path.cwd()
        return shutil.disk_usage(folder).free < 1024 * 1024
    except OSError:
        return False
