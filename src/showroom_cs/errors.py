"""Errors the core raises for people, each carrying a Chinese message.

`RuleError` is the one type for "this operation is refused": a missing field,
an illegal stage move, a role that may not do it. The UI shows `message` as
it is. Environment failures of the database live in `store.errors`.
"""

from __future__ import annotations

import errno


class ShowroomError(Exception):
    """Base of every error whose message is meant for the person at the counter."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleError(ShowroomError):
    """An operation refused by a workflow rule, a validation or a permission.

    `missing` names the fields (codes) whose absence caused the refusal, so a
    form can mark them.
    """

    def __init__(self, message: str, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


class PermissionDenied(RuleError):
    """The acting staff member's role may not do this."""


class NotFound(ShowroomError):
    """A case, staff member or record that the caller named does not exist."""


_OS_ERRORS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘空间配额已用完",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘是只读的（例如写保护的U盘）",
    errno.ENOENT: "找不到这个文件或文件夹",
    errno.EEXIST: "这个位置已经有一个同名的文件，不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
}


def os_error_text(exc: OSError) -> str:
    """What the system refused, in Chinese (its English words are for the log)."""
    return _OS_ERRORS.get(exc.errno or 0, "系统拒绝了这次读写")


def disk_full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)
