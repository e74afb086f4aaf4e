"""Who is at the command line: a staff member and their PIN, checked by the
same rule as the window's login (the wait after wrong PINs included).

The PIN is typed at a hidden prompt or, for a scheduled job (Task
Scheduler, cron), read from a file only its owner may read, named by
--pin-file or SHOWROOM_CS_PIN_FILE. Never from the command line itself: the
shell's history and the process list would keep it.
"""

from __future__ import annotations

import getpass
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import permissions
from .errors import ShowroomError
from .permissions import Action

if TYPE_CHECKING:
    from .clock import Clock
    from .domain import Staff
    from .store import Store

PIN_FILE_ENV = "SHOWROOM_CS_PIN_FILE"
HOW_TO_GIVE_A_PIN = (
    "请在提示时输入 PIN（输入时不显示）；定时任务请用 --pin-file 文件 "
    f"（或环境变量 {PIN_FILE_ENV}）指定一个只有本人能读取的文件，里面只写 PIN。"
)


class CliRefused(ShowroomError):
    """The command line cannot go on: who, or how the PIN was given."""


def pin_on_command_line() -> CliRefused:
    return CliRefused(
        f"不能在命令行里直接写 PIN（会留在命令历史和进程列表里）。{HOW_TO_GIVE_A_PIN}"
    )


def identify(
    store: Store,
    clock: Clock,
    name: str | None,
    pin_file: Path | None,
    action: Action,
    *,
    ask: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> Staff:
    """The person named by --as, after their PIN, allowed to do `action`."""
    if not name:
        who = "、".join(role.label for role in permissions.allowed_roles(action))
        raise CliRefused(
            f"「{permissions.label(action)}」需要登录：请用 --as 姓名 指定一位{who}，再输入其 PIN。"
        )
    from .domain import Door
    from .operations import log_in_by_name  # the store and rules load when a command runs

    pin = read_pin(pin_file, ask=ask, interactive=interactive)
    staff = log_in_by_name(store, clock, name, pin, Door.CLI)
    permissions.require(staff, action)
    return staff


def read_pin(
    pin_file: Path | None,
    *,
    ask: Callable[[str], str] | None = None,
    interactive: bool | None = None,
) -> str:
    """The PIN from the owner-only file, or typed at a hidden prompt."""
    named = pin_file or (Path(os.environ[PIN_FILE_ENV]) if os.environ.get(PIN_FILE_ENV) else None)
    if named is not None:
        return _pin_from_file(named)
    if interactive is None:
        interactive = sys.stdin is not None and sys.stdin.isatty()
    if not interactive:
        raise CliRefused(f"需要 PIN，但没有可以输入的终端。{HOW_TO_GIVE_A_PIN}")
    return (ask or getpass.getpass)("PIN（输入时不显示）：")


def _pin_from_file(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        raise CliRefused(f"找不到 PIN 文件「{path}」。{HOW_TO_GIVE_A_PIN}") from None
    if not stat.S_ISREG(info.st_mode):
        raise CliRefused(f"「{path}」不是一个文件。{HOW_TO_GIVE_A_PIN}")
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise CliRefused(f"PIN 文件「{path}」其他人也能读取，不能使用。请执行：chmod 600 {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise CliRefused(f"无法读取 PIN 文件「{path}」。{HOW_TO_GIVE_A_PIN}") from None
    return text.strip().splitlines()[0].strip() if text.strip() else ""
