"""Many hands on one file at once: several processes writing the same
database, as the window, a command-line export and the automatic backup may.

`run_writers` starts the processes (`python -m showroom_cs.bench_writers`),
each doing its own kind of write many times — counter work (register a case,
record a call), exports, notes with a backup every hundred writes — and
returns, per writer, how long each write waited for the file. Every write
leaves a row only it makes, so a caller can check each committed exactly once.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .operations import CaseDraft

KINDS = ("counter", "counter", "export", "notes")


@dataclass(frozen=True)
class Writer:
    kind: str
    waits_ms: list[float]  # per write: the time spent waiting for the write lock
    seconds: float  # the writer's whole run

    @property
    def slowest_ms(self) -> float:
        return max(self.waits_ms, default=0.0)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.waits_ms) if self.waits_ms else 0.0


def prepare(db: Path) -> None:
    """A showroom with its staff and one case for the notes to go on."""
    from . import operations as op
    from .clock import SystemClock
    from .demo import DEMO_STAFF
    from .operations import Context
    from .store import Store

    store = Store.open(db)
    try:
        clock = SystemClock()
        first = op.add_staff(Context(store, clock, None), *DEMO_STAFF[0])
        for name, role in DEMO_STAFF[1:]:
            op.add_staff(Context(store, clock, first.id), name, role)
        op.register_case(Context(store, clock, first.id), _draft("备注用"))
    finally:
        store.close()


def _draft(name: str) -> CaseDraft:
    from .operations import CaseDraft

    return CaseDraft(
        customer_name=name,
        customer_phone="13800138000",
        category="安装施工",
        description="并发写入测试",
        demands=("维修",),
    )


def run_writers(db: Path, *, writes: int, kinds: tuple[str, ...] = KINDS) -> list[Writer]:
    """Start one process per kind on `db` (prepared), all at once; their results."""
    go = time.time() + 1.5  # every process is started and waiting before the first write
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "showroom_cs.bench_writers",
                str(db),
                kind,
                str(n),
                str(writes),
                str(go),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n, kind in enumerate(kinds)
    ]
    writers = []
    for process, kind in zip(processes, kinds, strict=True):
        out, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"writer {kind} failed ({process.returncode})")
        result = json.loads(out.strip().splitlines()[-1])
        writers.append(Writer(kind, result["waits_ms"], result["seconds"]))
    return writers


def _work(db: Path, kind: str, number: int, writes: int, go: float) -> dict[str, object]:
    from . import operations as op
    from .backup import take_backup
    from .clock import SystemClock
    from .domain import ContactMethod, ContactPurpose
    from .export import export_week, week_label
    from .operations import Context
    from .store import Store

    store = Store.open(db)
    clock = SystemClock()
    staff = store.all_staff(active_only=True)
    me = staff[number % len(staff)]
    ctx = Context(store, clock, me.id)
    note_case = int(store.scalar("SELECT MIN(id) FROM cases"))
    folder = db.parent / f"out-{number}"
    week = week_label(dt.date.today())
    waits: list[float] = []
    time.sleep(max(0.0, go - time.time()))
    began = time.perf_counter()
    case_id = None
    for seq in range(writes):
        if kind == "counter":
            if seq % 2 == 0:
                case_id = op.register_case(ctx, _draft(f"W{number}-{seq}")).after.id
            else:
                assert case_id is not None
                op.record_contact(
                    ctx,
                    case_id,
                    method=ContactMethod.PHONE,
                    purpose=ContactPurpose.FIRST_CONTACT,
                    reached=True,
                    customer_words=f"W{number}-{seq}",
                )
        elif kind == "export":
            export_week(store, None, week, folder)
        else:
            op.add_note(ctx, note_case, f"W{number}-{seq}")
            if seq % 100 == 99:
                take_backup(db, folder, "manual", dt.datetime.now())
        waits.append(store.last_write_wait * 1000)
    seconds = time.perf_counter() - began
    store.close()
    return {"waits_ms": waits, "seconds": seconds}


if __name__ == "__main__":
    path, which, index, count, start = sys.argv[1:6]
    print(json.dumps(_work(Path(path), which, int(index), int(count), float(start))))


def spread(writers: list[Writer]) -> float:
    """How much longer the most-waiting writer waited on average than the least."""
    means = [w.mean_ms for w in writers]
    return max(means) / max(min(means), 0.001)
