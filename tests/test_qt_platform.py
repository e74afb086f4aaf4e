"""Where Qt cannot show a window, the app says why in Chinese and exits, instead
of Qt aborting the process (SIGABRT) inside the QApplication constructor."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from showroom_cs import qt_platform
from showroom_cs.qt_platform import XCB_LIBRARIES, window_problem

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Qt's xcb is Linux's")
HIDDEN = ("libxcb-icccm.so.4", "libxcb-keysyms.so.1")


def hiding(*names: str) -> qt_platform.Loader:
    """A library loader that finds everything except `names`."""
    return lambda name: f"{name}: cannot open shared object file" if name in names else None


@linux
def test_missing_xcb_libraries_are_named_with_the_command_that_installs_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    problem = window_problem({"DISPLAY": ":0"}, load=hiding(*HIDDEN))
    assert problem is not None
    assert "缺少以下系统库：libxcb-icccm.so.4、libxcb-keysyms.so.1。" in problem
    assert "apt-get install libxcb-icccm4 libxcb-keysyms1" in problem
    monkeypatch.setattr(shutil, "which", lambda name: None)  # not Debian: the packages' names
    problem = window_problem({"DISPLAY": ":0"}, load=hiding("libxkbcommon-x11.so.0"))
    assert problem is not None and "软件包管理器" in problem and "libxkbcommon-x11-0" in problem


@linux
def test_the_platform_qt_will_pick_decides_what_is_checked(tmp_path: Path) -> None:
    every = hiding(*XCB_LIBRARIES)  # nothing of X11 on this machine
    assert window_problem({"QT_QPA_PLATFORM": "offscreen"}, load=every) is None
    assert window_problem({"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"}, load=every) is None
    no_display = window_problem({}, load=hiding())
    assert no_display is not None and "没有设置 DISPLAY" in no_display
    (tmp_path / "wayland-0").touch()
    wayland = {"WAYLAND_DISPLAY": "wayland-0", "XDG_RUNTIME_DIR": str(tmp_path)}
    assert window_problem(wayland, load=every) is None
    gone = window_problem({**wayland, "QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "w-9"})
    assert gone is not None and "Wayland" in gone
    # A Wayland display that is not there: Qt goes on to X11, and so does the check.
    fallback = window_problem({"WAYLAND_DISPLAY": "w-9", "DISPLAY": ":0"}, load=every)
    assert fallback is not None and "libxcb-icccm.so.4" in fallback


def test_on_windows_and_macos_nothing_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    for system in ("win32", "darwin"):
        monkeypatch.setattr(sys, "platform", system)
        assert window_problem({}, load=hiding(*XCB_LIBRARIES)) is None


@linux
def test_the_plugins_own_library_list_is_read_from_the_file() -> None:
    plugins = qt_platform._plugin_folder({})
    if plugins is None or not (plugins / "libqxcb.so").exists():
        pytest.skip("no PySide6 xcb plugin here")
    needed = qt_platform._needed(plugins / "libqxcb.so")
    assert "libxcb.so.1" in needed and "libQt6XcbQpa.so.6" in needed
    # Every library this plugin needs has its package named in the message.
    assert set(qt_platform._xcb_libraries(plugins)) == set(XCB_LIBRARIES)
    assert qt_platform._needed(Path(__file__)) == []  # not an ELF file


def unused_display() -> str:
    number = next(
        n
        for n in range(170, 230)
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists()
    )
    return f":{number}"


def start_app(tmp_path: Path, code: str = "") -> subprocess.CompletedProcess[str]:
    """`showroom-cs --db …` in a fresh process, as a desktop shortcut starts it."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")
    }
    env |= {"DISPLAY": unused_display(), "XDG_STATE_HOME": str(tmp_path / "state")}
    script = f"import sys\n{code}\nfrom showroom_cs.cli import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", script, "--db", str(tmp_path / "cases.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@linux
def test_an_unreachable_display_is_explained_instead_of_an_abort(tmp_path: Path) -> None:
    done = start_app(tmp_path)
    assert done.returncode == 2, done.stderr  # not -6 (SIGABRT)
    assert "无法打开窗口" in done.stderr
    # Here: the display is not there; on a machine without Qt's X11 libraries, those.
    assert "DISPLAY=:" in done.stderr or "缺少以下系统库" in done.stderr
    log = (tmp_path / "state" / "showroom-cs" / "log" / "showroom-cs.log").read_text("utf-8")
    assert "无法打开窗口" in log
    assert not (tmp_path / "cases.db").exists()  # nothing was started


@linux
def test_a_missing_library_is_named_by_the_app(tmp_path: Path) -> None:
    done = start_app(
        tmp_path,
        "import showroom_cs.qt_platform as q\n"
        "found = q._load\n"
        "q._load = lambda name: 'hidden' if name == 'libxcb-icccm.so.4' else found(name)",
    )
    assert done.returncode == 2, done.stderr
    assert "缺少以下系统库：libxcb-icccm.so.4" in done.stderr
    assert "libxcb-icccm4" in done.stderr
