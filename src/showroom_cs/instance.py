"""One program at a time per database file.

Two windows on one file would each believe their screen is current, and a
restore under a running window would pull the file from under it. The app
holds an OS lock on `<database>.lock` for as long as it runs; the OS drops
the lock when the process ends, however it ends, so a crash never leaves a
stale lock behind (a lock file that merely exists means nothing).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import IO

from .errors import ShowroomError
from .store.errors import CannotOpen, translate


class AlreadyOpen(ShowroomError):
    def __init__(self, db_path: Path) -> None:
        super().__init__(
            f"数据库「{db_path}」已经在另一个门店客诉台窗口中打开（可能在本机，也可能在另一台电脑上）。"
            "请切换到那个窗口继续使用；同一个数据库同时只能由一个窗口使用。"
        )


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    """Held while the app (or a restore) uses the database; see the module doc."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyOpen; never waits."""
        path = lock_path(self.db_path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = path.open("a+", encoding="ascii")
        except OSError as exc:  # a folder that cannot be written, or is a file
            raise translate(exc, str(self.db_path)) or CannotOpen(str(self.db_path)) from exc
        try:
            _lock(handle)
        except OSError:
            handle.close()
            raise AlreadyOpen(self.db_path) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()  # closing the handle drops the OS lock
            self._handle = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


if sys.platform == "win32":
    import msvcrt

    def _lock(handle: IO[str]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[str]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
