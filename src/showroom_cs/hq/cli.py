"""`showroom-cs hq …`: head office's commands.

showroom-cs hq load DIR --db hq.duckdb [--regions FILE.csv] [--allow-full]
showroom-cs hq report --db hq.duckdb --weeks 2026-W40..2026-W52 --out DIR [--regions FILE.csv]
showroom-cs hq regions FILE.csv --db hq.duckdb
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..errors import ShowroomError
from .load import STATUS_LABELS, connect, load, set_regions


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="showroom-cs hq", description="总部：连锁各门店的周报")
    commands = parser.add_subparsers(dest="command", required=True)
    loading = commands.add_parser("load", help="载入文件夹里的周报（只载入新的和改过的）")
    loading.add_argument("folder", type=Path, help="放周报 CSV 的文件夹（含子文件夹）")
    loading.add_argument("--db", type=Path, required=True, help="总部的 DuckDB 数据库文件")
    loading.add_argument("--regions", type=Path, default=None, help="区域表 CSV：门店编码,区域")
    loading.add_argument(
        "--allow-full", action="store_true", help="也载入含完整客户信息（未遮盖）的文件"
    )
    report = commands.add_parser("report", help="生成连锁汇总报告（PDF 和 Excel）")
    report.add_argument("--db", type=Path, required=True)
    report.add_argument("--weeks", required=True, help="如 2026-W40..2026-W52（含两端）")
    report.add_argument("--out", type=Path, required=True, help="保存报告的文件夹")
    report.add_argument("--regions", type=Path, default=None, help="先更新区域表")
    regions = commands.add_parser("regions", help="更新门店所属区域（门店编码,区域）")
    regions.add_argument("file", type=Path)
    regions.add_argument("--db", type=Path, required=True)
    return parser


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "load":
            return _load(args.folder, args.db, args.regions, allow_full=args.allow_full)
        if args.command == "report":
            return _report(args.db, args.weeks, args.out, args.regions)
        return _regions(args.file, args.db)
    except ShowroomError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2


class ProgressBar:
    """One line on a terminal, redrawn: what is done, a bar, files per second.
    Silent when the stream is not a terminal (a log, a pipe)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.began = time.perf_counter()
        self.phase = ""

    def __call__(self, done: int, total: int, phase: str) -> None:
        if not self.live:
            return
        if phase != self.phase:
            if self.phase:
                self.stream.write("\n")
            self.phase, self.began = phase, time.perf_counter()
        elapsed = max(time.perf_counter() - self.began, 1e-6)
        filled = 30 * done // max(total, 1)
        self.stream.write(
            f"\r{phase} [{'#' * filled}{'-' * (30 - filled)}] {done}/{total} 个文件，"
            f"{done / elapsed:,.0f} 个/秒 "
        )
        self.stream.flush()

    def close(self) -> None:
        if self.live and self.phase:
            self.stream.write("\n")
            self.stream.flush()


def _load(folder: Path, db: Path, regions: Path | None, *, allow_full: bool) -> int:
    if not folder.is_dir():
        print(f"错误：找不到文件夹 {folder}", file=sys.stderr)
        return 2
    began = time.perf_counter()
    con = connect(db)
    try:
        if regions is not None:
            print(f"区域表：{set_regions(con, regions)} 个门店")
        bar = ProgressBar(sys.stderr)
        try:
            result = load(con, folder, today=dt.date.today(), allow_full=allow_full, progress=bar)
        finally:
            bar.close()
    finally:
        con.close()
    for item in result.files:
        root = folder.resolve()
        where = item.path.relative_to(root) if item.path.is_relative_to(root) else item.path
        detail = f"：{item.detail}" if item.detail else ""
        print(f"[{STATUS_LABELS[item.status]}] {where}{detail}")
    seconds = time.perf_counter() - began
    counts = "，".join(f"{label} {result.count(key)}" for key, label in STATUS_LABELS.items())
    total = len(result.files)
    print(
        f"共 {total} 个文件：{counts}；用时 {seconds:.1f} 秒（{total / max(seconds, 1e-6):,.0f} 个/秒）"
    )
    return 1 if result.count("refused") else 0


def _report(db: Path, weeks: str, out: Path, regions: Path | None) -> int:
    # The report's writers (reportlab, openpyxl) load only for a report.
    from .report import chain_report, parse_weeks
    from .report_pdf import render_report
    from .xlsx import write_xlsx

    if not db.exists():
        print(f"错误：找不到数据库文件 {db}", file=sys.stderr)
        return 2
    first, last = parse_weeks(weeks)
    if regions is not None:
        con = connect(db)
        try:
            print(f"区域表：{set_regions(con, regions)} 个门店")
        finally:
            con.close()
    con = connect(db, read_only=True)
    try:
        now = dt.datetime.now().replace(microsecond=0)
        report = chain_report(con, first, last, today=now.date(), now=now)
    finally:
        con.close()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"连锁汇总_{first}_{last}"
    pdf = out / f"{stem}.pdf"
    partial = pdf.with_name(pdf.name + ".part")
    partial.write_bytes(render_report(report))
    partial.replace(pdf)
    xlsx = write_xlsx(report, out / f"{stem}.xlsx")
    headline = "，".join(f"{label} {value}" for label, value in report.headline)
    print(f"已生成连锁汇总 {first} 至 {last}：{headline}")
    print(f"PDF：{pdf}")
    print(f"Excel：{xlsx}")
    return 0


def _regions(file: Path, db: Path) -> int:
    con = connect(db)
    try:
        count = set_regions(con, file)
    finally:
        con.close()
    print(f"已更新区域表：{count} 个门店（未列出的门店归入「未分区」）")
    return 0
