"""门店客诉台 — the complaint desk of one furniture and building-material showroom.

This package is the Qt-free core; `showroom_cs.ui` is the only part that
imports PySide6, and nothing in the core imports it.
"""


def __getattr__(name: str) -> str:
    """`__version__`, read from the installed metadata only when asked: importing
    importlib.metadata costs ~35 ms of every start."""
    if name != "__version__":
        raise AttributeError(name)
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("showroom-cs")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0.0.0"
