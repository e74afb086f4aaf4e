"""门店客诉台 — the complaint desk of one furniture and building-material showroom.

This package is the Qt-free core; `showroom_cs.ui` is the only part that
imports PySide6, and nothing in the core imports it.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("showroom-cs")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"
