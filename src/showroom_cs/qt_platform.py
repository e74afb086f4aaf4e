"""Whether Qt can open a window here, asked before Qt is loaded.

Qt chooses its platform plugin inside the QApplication constructor, and when
that plugin cannot load (a system library missing) or cannot reach the
display, it aborts the process (qFatal, SIGABRT): Python never sees an
exception and the person sees nothing useful. So the app asks first, the way
Qt will decide: which platform (QT_QPA_PLATFORM, else Wayland when a Wayland
display is set, else X11/xcb), whether the xcb plugin's libraries load and
whether the X display answers. When not, `CannotOpenWindow` says in Chinese
what is missing and how to install it.

Linux only: on Windows (platform `windows`) and macOS the platform is part of
the system, and the check does nothing. It costs a few milliseconds: the
libraries it loads are the ones Qt loads next anyway.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import shutil
import struct
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import ShowroomError

# What the xcb plugin (libqxcb.so and libQt6XcbQpa.so.6) needs from the
# system, by file name, with the Debian/Ubuntu package that ships it (what the
# message tells to install; the plugin's own list is read from the files too).
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    # Also named by the plugin; Qt's other platforms need them as well.
    "libGL.so.1": "libgl1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
}

Loader = Callable[[str], str | None]


class CannotOpenWindow(ShowroomError):
    """Qt could not show a window here; the message says why and what to install."""


def _load(name: str) -> str | None:
    """None when the shared library loads (by file name or path), else why not."""
    try:
        ctypes.CDLL(name)
    except OSError as exc:
        return str(exc)
    return None


def _needed(path: Path) -> list[str]:
    """The shared libraries an ELF file asks for (its DT_NEEDED entries), read
    from its dynamic section without loading it; [] when it cannot be read."""
    try:
        with path.open("rb") as elf:
            head = elf.read(64)
            if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                return []  # only 64-bit little-endian files (x86-64, arm64)
            (shoff,) = struct.unpack_from("<Q", head, 0x28)
            shentsize, shnum = struct.unpack_from("<HH", head, 0x3A)
            elf.seek(shoff)
            table = elf.read(shentsize * shnum)
            sections = [
                struct.unpack_from("<IIQQQQIIQQ", table, i * shentsize) for i in range(shnum)
            ]
            dynamic = next((sec for sec in sections if sec[1] == 6), None)  # SHT_DYNAMIC
            if dynamic is None:
                return []
            elf.seek(dynamic[4])
            entries = elf.read(dynamic[5])
            strings = sections[dynamic[6]]
            elf.seek(strings[4])
            names = elf.read(strings[5])
    except (OSError, struct.error, IndexError):
        return []
    needed = []
    for offset in range(0, len(entries) - 15, 16):
        tag, value = struct.unpack_from("<qQ", entries, offset)
        if tag == 0:  # DT_NULL
            break
        if tag == 1:  # DT_NEEDED
            needed.append(names[value : names.index(b"\0", value)].decode())
    return needed


def _plugin_folder(env: Mapping[str, str]) -> Path | None:
    """Where Qt looks for its platform plugins: PySide6's own folder (in the
    virtual environment or the frozen bundle) unless the environment says."""
    if env.get("QT_QPA_PLATFORM_PLUGIN_PATH"):
        return Path(env["QT_QPA_PLATFORM_PLUGIN_PATH"])
    try:
        spec = importlib.util.find_spec("PySide6")  # finds the package without importing it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)), "Qt", "plugins", "platforms")


def _candidates(env: Mapping[str, str]) -> list[str]:
    """The platforms Qt will try, in its order (qguiapplication.cpp)."""
    chosen = env.get("QT_QPA_PLATFORM", "")
    if chosen:
        return [part.split(":")[0] for part in chosen.split(";") if part]
    wayland = env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland"
    return ["wayland", "xcb"] if wayland else ["xcb"]


def _wayland_ready(env: Mapping[str, str]) -> bool:
    """A Wayland compositor's socket is there. (Its plugin is not loaded to
    check: that would load Qt's libraries before their time.)"""
    display = env.get("WAYLAND_DISPLAY", "")
    if not display:
        return False
    runtime = Path(env.get("XDG_RUNTIME_DIR", "/nonexistent"))
    return (Path(display) if display.startswith("/") else runtime / display).exists()


def _xcb_libraries(plugins: Path | None) -> list[str]:
    """The system libraries the xcb plugin needs: the known list, and whatever
    else the plugin and its Qt support library name (a newer Qt may add one).
    Qt's own libraries come with PySide6 and are not looked for."""
    names = list(XCB_LIBRARIES)
    if plugins is not None:
        for library in (
            plugins / "libqxcb.so",
            plugins.parent.parent / "lib" / "libQt6XcbQpa.so.6",
        ):
            names += [name for name in _needed(library) if name not in names]
    return [name for name in names if not name.startswith(("libQt6", "libc.so", "libm.so"))]


def _install_hint(missing: list[str]) -> str:
    packages = " ".join(dict.fromkeys(XCB_LIBRARIES.get(name, name) for name in missing))
    if shutil.which("apt-get"):
        sudo = "" if os.geteuid() == 0 else "sudo "
        hint = f"请安装后再启动：\n    {sudo}apt-get install {packages}"
    else:
        hint = f"请用系统的软件包管理器安装提供这些库的软件包（Debian/Ubuntu 上是：{packages}）。"
    if not getattr(sys, "frozen", False):
        hint += "\n（从源代码运行时，也可以用 scripts/setup --gui 安装。）"
    return hint


def _xcb_problem(env: Mapping[str, str], plugins: Path | None, load: Loader) -> str | None:
    """Why the xcb platform cannot show a window, or None."""
    display = env.get("DISPLAY", "")
    if not display:
        return (
            "无法打开窗口：没有可用的显示器（没有设置 DISPLAY）。\n"
            "请在图形桌面里启动本程序；没有显示器的电脑上可以使用命令行功能"
            "（如 showroom-cs selftest --no-window）。"
        )
    missing = [name for name in _xcb_libraries(plugins) if load(name) is not None]
    if missing:
        return (
            "无法打开窗口：图形界面（X11/xcb）缺少以下系统库："
            + "、".join(missing)
            + "。\n"
            + _install_hint(missing)
        )
    if not _x_display_answers(display):
        return (
            f"无法打开窗口：连接不上显示器 DISPLAY={display}"
            "（X 服务器没有运行，或不允许本用户连接）。\n"
            "请在图形桌面里启动本程序，或检查 DISPLAY 的设置。"
        )
    return None


def _x_display_answers(display: str) -> bool:
    """Connect to the X server the way Qt will (libxcb), then hang up."""
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return bool(connection) and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)


def window_problem(env: Mapping[str, str] | None = None, load: Loader | None = None) -> str | None:
    """Why Qt could not open a window in this environment, in Chinese; None
    when it can (or when this is not Linux, where nothing is checked)."""
    if not sys.platform.startswith("linux"):
        return None
    env = os.environ if env is None else env
    load = load or _load
    plugins = _plugin_folder(env)
    problem = None
    for platform in _candidates(env):
        if platform == "wayland" or platform.startswith("wayland-"):
            if _wayland_ready(env):
                return None
            problem = (
                "无法打开窗口：连接不上 Wayland 显示器"
                f"（WAYLAND_DISPLAY={env.get('WAYLAND_DISPLAY', '')}）。\n"
                "请在图形桌面里启动本程序，或检查 WAYLAND_DISPLAY 和 QT_QPA_PLATFORM 的设置。"
            )
            continue
        if platform != "xcb":
            return None  # offscreen, vnc, eglfs…: no display server to look for
        problem = _xcb_problem(env, plugins, load)
        if problem is None:
            return None
    return problem


def check_window(env: Mapping[str, str] | None = None) -> None:
    """Raise CannotOpenWindow, with what to install, when Qt would abort."""
    problem = window_problem(env)
    if problem is not None:
        raise CannotOpenWindow(problem)
