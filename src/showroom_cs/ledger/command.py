"""`showroom-cs import-ledger FILE --db PATH [--sheet NAME] [--map MAP.json] [--dry-run]`:
what the command prints, once `cli.py` knows who is at the keyboard.

The dry run reads and checks every row and prints what an import would do,
writing nothing. The import takes a backup, writes every case in one
transaction and saves the refused rows beside the ledger (or beside the
database when that folder cannot be written).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from ..backup import backup_folder
from ..operations._common import Context
from .fields import Field, apply_overrides, match_columns, read_map_file
from .plan import Plan, plan_import
from .read import LedgerTable, read_table

# Refused rows listed on the terminal; the workbook has them all.
SHOWN_REFUSALS = 20


class Progress:
    """One line on a terminal, redrawn; silent into a log or a pipe."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.phase = ""
        self.began = time.perf_counter()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.live:
            return
        if phase != self.phase:
            if self.phase:
                self.stream.write("\n")
            self.phase, self.began = phase, time.perf_counter()
        filled = 30 * done // max(total, 1)
        self.stream.write(f"\r{phase} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total} 行 ")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.phase:
            self.stream.write("\n")
            self.stream.flush()


def describe_mapping(table: LedgerTable, mapping: tuple[Field, ...]) -> str:
    pairs = [f"{h} → {f.label}" for h, f in zip(table.headers, mapping, strict=True)]
    text = "；".join(pairs)
    unmatched = [f.label for f in (Field.CHANNEL, Field.CATEGORY) if f not in mapping]
    if unmatched:
        text += f"。没有对应列的{'、'.join(unmatched)}记为「其他」"
    return text


def run_import(
    ctx: Context,
    file: Path,
    *,
    sheet: str | None,
    map_file: Path | None,
    dry_run: bool,
    out: TextIO | None = None,
) -> int:
    from ..operations.imports import import_ledger

    out = out or sys.stdout
    table = read_table(file, sheet)
    mapping = match_columns(table.headers)
    if map_file is not None:
        mapping = apply_overrides(table.headers, mapping, read_map_file(map_file))
    print(f"读取：{table.where}，{table.describe()}", file=out)
    print(f"列的对应：{describe_mapping(table, mapping)}", file=out)
    progress = Progress(sys.stderr)
    try:
        plan = plan_import(ctx, table, mapping, progress)
    finally:
        progress.close()
    _print_plan(plan, out)
    if dry_run:
        print("试运行：没有写入任何数据。", file=out)
        return 0
    store = ctx.store
    assert store.path is not None
    folders = [file.resolve().parent, store.path.resolve().parent]
    progress = Progress(sys.stderr)
    try:
        result = import_ledger(
            ctx,
            plan,
            backup_folder=backup_folder(store.path, store.settings().backup_dir),
            report_folders=folders,
            progress=progress,
        )
    finally:
        progress.close()
    if result.imported:
        print(f"已导入 {result.imported} 件（用时 {result.seconds:.1f} 秒）。", file=out)
    else:
        print("没有需要导入的行，数据库没有改动。", file=out)
    if result.backup is not None:
        print(f"导入前的备份：{result.backup}", file=out)
    if result.report is not None:
        print(f"未导入的 {result.refused} 行及原因：{result.report}", file=out)
    return 0


def _print_plan(plan: Plan, out: TextIO) -> None:
    if plan.earlier_imports:
        print(f"这个文件以前导入过：{'、'.join(plan.earlier_imports)}", file=out)
    print(plan.summary(), file=out)
    if plan.closest_words():
        print(f"按最接近的选项记：{plan.closest_text()}", file=out)
    refused = plan.refused
    for row in refused[:SHOWN_REFUSALS]:
        print(f"  第 {row.number} 行：{row.reason}", file=out)
    if len(refused) > SHOWN_REFUSALS:
        print(f"  ……另有 {len(refused) - SHOWN_REFUSALS} 行，原因见未导入行的表格", file=out)
