"""Unsaved form drafts on disk, so a crash or power cut mid-typing loses nothing.

A draft is a small JSON file written whole (temporary file, then rename),
offered back on the next start and removed once the case is saved.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any


def save_draft(path: Path, values: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    os.replace(partial, path)


def load_draft(path: Path) -> dict[str, Any] | None:
    """The saved draft, or None when there is none (or it is unreadable)."""
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return values if isinstance(values, dict) and any(values.values()) else None


def discard_draft(path: Path) -> None:
    path.unlink(missing_ok=True)
