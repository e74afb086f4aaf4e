"""Single-case save time under each commit setting, on a real file.

    .venv/bin/python benchmarks/save_durability.py [--saves 300] [--dir DIR]

Registers cases one by one through the real operation (case row, timeline
event, clocks, FTS index, commit) with synchronous=FULL and NORMAL in WAL
mode, and prints the median and 90th percentile per save next to the raw
floor (one INSERT + COMMIT on a bare table with the same setting).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from showroom_cs.clock import FixedClock
from showroom_cs.domain import Role
from showroom_cs.operations import CaseDraft, Context, add_staff, register_case
from showroom_cs.store import Store


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.9)]


def app_saves(folder: Path, synchronous: str, saves: int) -> list[float]:
    store = Store.open(folder / f"app-{synchronous}.db")
    store.db.execute(f"PRAGMA synchronous = {synchronous}")
    clock = FixedClock(dt.datetime(2026, 11, 23, 10, 0))
    clerk = add_staff(Context(store, clock, None), "王芳", Role.OWNER)
    ctx = Context(store, clock, clerk.id)
    times = []
    for i in range(saves):
        draft = CaseDraft(
            customer_name="张伟",
            customer_phone=f"1380013{i % 10000:04d}",
            category="安装施工",
            description="主卧衣柜左侧门板安装后关不严，缝隙约 5mm",
            demands=("维修",),
        )
        started = time.perf_counter()
        register_case(ctx, draft)
        times.append(time.perf_counter() - started)
    store.close()
    return times


def floor_saves(folder: Path, synchronous: str, saves: int) -> list[float]:
    conn = sqlite3.connect(folder / f"floor-{synchronous}.db", isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute(f"PRAGMA synchronous = {synchronous}")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
    times = []
    for _ in range(saves):
        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (body) VALUES ('主卧衣柜左侧门板安装后关不严')")
        conn.execute("COMMIT")
        times.append(time.perf_counter() - started)
    conn.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        folder = Path(tmp)
        print(f"{'setting':<8} {'app median':>11} {'app p90':>9} {'floor median':>13} {'ratio':>6}")
        for synchronous in ("FULL", "NORMAL"):
            app_median, app_p90 = _percentiles(app_saves(folder, synchronous, args.saves))
            floor_median, _ = _percentiles(floor_saves(folder, synchronous, args.saves))
            print(
                f"{synchronous:<8} {app_median * 1000:>9.2f}ms {app_p90 * 1000:>7.2f}ms "
                f"{floor_median * 1000:>11.3f}ms {app_median / floor_median:>6.1f}"
            )


if __name__ == "__main__":
    main()
