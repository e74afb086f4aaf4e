"""Head office at a chain's scale: `showroom-cs hq` next to its floors.

Generates 500 showrooms × 52 weeks (26,000 weekly files, format 2, from the
app's own writer) in a temporary folder, then times, each as the command a
person runs (a fresh process; peak memory from the OS):

- the floor: DuckDB's `read_csv` over the same files with explicit column
  types, counting rows (and, for reference, CREATE TABLE AS into a new
  on-disk database);
- `hq load` of all 26,000 files into a new database;
- `hq load` again after one new week arrived (500 files);
- `hq load` with nothing new;
- `hq report` over 13 weeks (PDF and xlsx);
- `merge-weeks` over the 26,000 files.

    .venv/bin/python benchmarks/hq_load.py [--showrooms 500] [--weeks 52] [--repeats 3] [--dir DIR]

Targets (the issue's): full load within 2x the read_csv floor, one new week
under 5 s, the report under 10 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from showroom_cs.hq.chain import make_showrooms, weeks_from, write_week
from showroom_cs.hq.schema import COLUMN_TYPES

PYTHON = sys.executable
FIRST_WEEK = "2025-W49"  # 52 weeks end with 2026-W48; the new week is 2026-W49


# Runs the command and reports its own peak memory (the OS's high-water mark
# of its children: here, just the one command).
_WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.run(sys.argv[1:]).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(rc)"
)


def run(command: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Seconds and peak MiB of one command in a fresh process."""
    began = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "-c", _WRAPPER, *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    seconds = time.perf_counter() - began
    if done.returncode not in (0, 1):
        sys.exit(f"{command[:4]} failed:\n{done.stderr[-2000:]}")
    return seconds, int(done.stderr.split()[-1]) / 1024


def floor_script(folder: Path, into: Path | None) -> list[str]:
    columns = ", ".join(f"'{k}': '{t}'" for k, t in COLUMN_TYPES.items())
    source = (
        f"read_csv('{folder}/*/*.csv', columns = {{{columns}}}, header = true, "
        "auto_detect = false, timestampformat = '%Y-%m-%d %H:%M')"
    )
    if into is None:
        sql, db = f"SELECT count(*) FROM {source}", ""
    else:
        sql, db = f"CREATE TABLE t AS SELECT * FROM {source}", str(into)
    code = f"import duckdb; duckdb.connect({db!r}).execute({sql!r}).fetchall()"
    return [PYTHON, "-c", code]


def cli(*args: str) -> list[str]:
    return [PYTHON, "-m", "showroom_cs", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--showrooms", type=int, default=500)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=None)
    parser.add_argument("--no-merge", action="store_true", help="skip merge-weeks (slow)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hq-bench-", dir=args.dir))
    try:
        measure(root, args)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def measure(root: Path, args: argparse.Namespace) -> None:
    chain, later = root / "chain", root / "next"
    weeks = weeks_from(FIRST_WEEK, args.weeks + 1)
    began = time.perf_counter()
    rooms = make_showrooms(args.showrooms, seed=1)
    for week in weeks[:-1]:
        write_week(chain, rooms, week)
    write_week(later, rooms, weeks[-1])
    files = sorted(chain.rglob("*.csv"))
    size = sum(p.stat().st_size for p in files)
    print(
        f"生成 {len(files)} 个周报文件（{args.showrooms} 个门店 × {args.weeks} 周，"
        f"{size / 1e6:.0f} MB）用时 {time.perf_counter() - began:.0f} 秒",
        flush=True,
    )
    results: dict[str, tuple[list[float], float]] = {}

    def timed(
        name: str,
        make: list[str],
        before: Callable[[], None] | None = None,
        repeats: int = args.repeats,
        cwd: Path | None = None,
    ) -> None:
        times, peak = [], 0.0
        for _ in range(repeats):
            if before is not None:
                before()
            seconds, mib = run(make, cwd)
            times.append(seconds)
            peak = max(peak, mib)
        results[name] = (times, peak)
        print(f"  {name}: {statistics.median(times):.2f} s", flush=True)

    run(floor_script(chain, None))  # warm the page cache
    ctas = root / "floor.duckdb"
    db = root / "hq.duckdb"
    # The floors and the full load take turns, so a busy machine slows all alike.
    rounds = {
        "floor: read_csv count": (floor_script(chain, None), None),
        "floor: CREATE TABLE AS": (floor_script(chain, ctas), lambda: ctas.unlink(missing_ok=True)),
        "hq load (all)": (
            cli("hq", "load", str(chain), "--db", str(db)),
            lambda: db.unlink(missing_ok=True),
        ),
    }
    for name in rounds:
        results[name] = ([], 0.0)
    for _ in range(args.repeats):
        for name, (command, before) in rounds.items():
            if before is not None:
                before()
            seconds, mib = run(command)
            times, peak = results[name]
            results[name] = ([*times, seconds], max(peak, mib))
    for name in rounds:
        print(f"  {name}: {statistics.median(results[name][0]):.2f} s", flush=True)
    saved = root / "saved.duckdb"
    shutil.copy(db, saved)
    target = chain / weeks[-1]

    def fresh_week() -> None:
        shutil.copy(saved, db)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(later / weeks[-1], target)

    timed("hq load (one new week)", cli("hq", "load", str(chain), "--db", str(db)), fresh_week)
    timed("hq load (nothing new)", cli("hq", "load", str(chain), "--db", str(db)))
    report_weeks = f"{weeks[max(0, len(weeks) - 14)]}..{weeks[-2]}"
    timed(
        "hq report (13 weeks)",
        cli(
            "hq", "report", "--db", str(db), "--weeks", report_weeks, "--out", str(root / "report")
        ),
    )
    if not args.no_merge:
        merged = root / "merged.csv"
        # Paths relative to the chain's folder keep the command line short.
        names = [str(p.relative_to(chain)) for p in files]
        timed("merge-weeks", cli("merge-weeks", *names, "--out", str(merged)), repeats=1, cwd=chain)
    print()
    floor = statistics.median(results["floor: read_csv count"][0])
    targets = {
        "hq load (all)": ("≤ 2x floor", 2 * floor),
        "hq load (one new week)": ("< 5 s", 5.0),
        "hq report (13 weeks)": ("< 10 s", 10.0),
    }
    print(f"{'':26}{'median':>9}{'min':>9}{'max':>9}{'peak MiB':>10}{'x floor':>9}  target")
    met = 0
    for name, (times, peak) in results.items():
        median = statistics.median(times)
        goal, limit = targets.get(name, ("", 0.0))
        verdict = ("ok" if median <= limit else "OVER") if goal else ""
        met += verdict == "ok"
        print(
            f"{name:26}{median:9.2f}{min(times):9.2f}{max(times):9.2f}{peak:10.0f}"
            f"{median / floor:9.2f}  {goal} {verdict}"
        )
    print(f"bench: {met}/{len(targets)} within target")
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
