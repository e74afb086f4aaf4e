"""Photos and scans kept with a case: copied in whole, voided but never deleted."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
from pathlib import Path

from .. import workflow
from ..domain import AttachmentKind
from ..errors import RuleError
from ..store.errors import DiskFull, StoreError
from ..store.rows import db_time
from ._common import CaseChange, Context, clean_text, commit, load_case, require_active

MAX_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".webp", ".bmp", ".pdf"})
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def add_attachment(
    ctx: Context, case_id: int, source: Path, kind: AttachmentKind = AttachmentKind.PHOTO
) -> CaseChange:
    """Copy `source` into the attachment folder and record it on the case.

    The file is copied to a temporary name and renamed only when complete;
    if the database write then fails, the copy is removed again.
    """
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "attach")
    folder = ctx.store.attachment_folder
    if folder is None:
        raise RuleError("这个数据库不在磁盘上，不能保存附件。")
    if not source.is_file():
        raise RuleError(f"找不到文件「{source.name}」，请重新选择。")
    if source.suffix.lower() not in ALLOWED_SUFFIXES:
        raise RuleError("只能添加照片（jpg、png、heic 等）或 PDF 扫描件。")
    size = source.stat().st_size
    if size > MAX_BYTES:
        raise RuleError(f"文件太大（{size / 1024 / 1024:.1f} MB），最大 20 MB；请压缩后再添加。")
    if size == 0:
        raise RuleError(f"文件「{source.name}」是空的，请重新选择。")
    digest = _sha256(source)
    stored_name = f"{before.case_no}/{digest[:12]}-{_safe(source.name)}"
    if ctx.store.scalar("SELECT 1 FROM attachments WHERE stored_name = ?", (stored_name,)):
        raise RuleError(f"「{source.name}」已经添加到这个案件，不必重复添加。")
    target = folder / stored_name
    if target.exists():
        # A file left by an earlier, interrupted save: it is ours to replace.
        target.unlink()
    _copy_whole(source, target, folder)
    try:
        with ctx.store.transaction():
            ctx.store.insert(
                "attachments",
                {
                    "case_id": case_id,
                    "kind": kind.value,
                    "file_name": clean_text(source.name, "文件名", max_len=200),
                    "stored_name": stored_name,
                    "size": size,
                    "sha256": digest,
                    "added_at": db_time(ctx.now()),
                    "added_by": actor.id,
                },
            )
            return commit(ctx, case_id, before, "attachment", f"添加{kind.label}：{source.name}")
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def void_attachment(ctx: Context, attachment_id: int, reason: str) -> CaseChange:
    """A wrong attachment is voided with a reason; the file stays as evidence."""
    actor = require_active(ctx)
    attachment = ctx.store.attachment(attachment_id)
    before = load_case(ctx, attachment.case_id)
    workflow.check(actor, before, "void_attachment")
    if attachment.voided_at is not None:
        raise RuleError("这个附件已经作废。")
    reason = clean_text(reason, "作废理由", required=True, max_len=500, field="reason")
    with ctx.store.transaction():
        ctx.store.update(
            "attachments", attachment.id, {"voided_at": db_time(ctx.now()), "void_reason": reason}
        )
        return commit(
            ctx,
            attachment.case_id,
            before,
            "attachment_voided",
            f"作废附件「{attachment.file_name}」：{reason}",
        )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _safe(name: str) -> str:
    """A file name that is safe on every file system, keeping Chinese letters."""
    stem, suffix = os.path.splitext(name)
    return (_UNSAFE.sub("_", stem)[:60] or "file") + suffix.lower()


def _copy_whole(source: Path, target: Path, folder: Path) -> None:
    partial = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise DiskFull() from exc
        raise StoreError(
            f"无法把附件保存到「{folder}」（{exc.strerror or exc}）。"
            "请检查磁盘和文件夹权限后重试；案件本身没有改动。"
        ) from exc
