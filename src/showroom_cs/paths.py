"""Where things live: the OS user-data and log folders, and shipped resources."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

APP_NAME = "showroom-cs"


def data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def default_db_path() -> Path:
    return data_dir() / "cases.db"


def demo_db_path() -> Path:
    """The demo database sits beside the real one, never in its place."""
    return data_dir() / "demo.db"


def resource_root() -> Path:
    """The folder holding `resources/` and `forms/`: the checkout, or the frozen bundle."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    return Path(frozen_root) if frozen_root else Path(__file__).resolve().parents[2]


def resource_path(*parts: str) -> Path:
    """A file under `resources/`, from a source checkout or a frozen bundle."""
    return resource_root().joinpath("resources", *parts)
