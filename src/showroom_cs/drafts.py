"""Unsaved form drafts on disk, so a crash or power cut mid-typing loses nothing.

A draft is a small JSON file written whole (temporary file, then rename),
offered back on the next start and removed once the case is saved. When the
disk is full (or the folder cannot be written) the last good draft stays as
it was, the partial file is removed, and the caller is told in Chinese.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from .errors import ShowroomError, disk_full, os_error_text


class DraftNotKept(ShowroomError):
    """This draft could not be written; the previous one (if any) is intact."""


def save_draft(path: Path, values: dict[str, Any]) -> None:
    partial = path.with_name(path.name + ".part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise DraftNotKept(_why(exc, path.parent)) from exc


def _why(exc: OSError, folder: Path) -> str:
    kept = "之前自动保存的草稿还在。" if any(folder.glob("*.json")) else ""
    if disk_full(exc):
        return (
            f"磁盘已满，正在填写的登记表没能自动保存到「{folder}」。{kept}"
            "请尽快保存这件投诉，或清理磁盘空间；在此之前如果程序意外关闭，最近输入的内容会丢失。"
        )
    return (
        f"正在填写的登记表没能自动保存：「{folder}」不能写入（{os_error_text(exc)}）。{kept}"
        "请尽快保存这件投诉；在此之前如果程序意外关闭，最近输入的内容会丢失。"
    )


def load_draft(path: Path) -> dict[str, Any] | None:
    """The saved draft, or None when there is none (or it is unreadable)."""
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return values if isinstance(values, dict) and any(values.values()) else None


def discard_draft(path: Path) -> None:
    path.unlink(missing_ok=True)
