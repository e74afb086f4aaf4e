"""Many hands at once: four programs writing one file — two at the counter,
one exporting, one adding notes and taking a backup every hundred writes —
500 writes each. Every write is committed exactly once and the file stays
whole; the waits are printed (figures belong to the benchmark, not to
assertions)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from showroom_cs.bench_writers import prepare, run_writers, spread

WRITES = 500


def test_four_programs_writing_at_once_lose_and_double_nothing(tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    prepare(db)
    writers = run_writers(db, writes=WRITES)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for number, writer in enumerate(writers):
            assert len(writer.waits_ms) == WRITES, writer.kind
            if writer.kind == "counter":
                names = conn.execute(
                    "SELECT customer_name FROM cases WHERE customer_name LIKE ?", (f"W{number}-%",)
                ).fetchall()
                calls = conn.execute(
                    "SELECT customer_words FROM contacts WHERE customer_words LIKE ?",
                    (f"W{number}-%",),
                ).fetchall()
                expected = {f"W{number}-{seq}" for seq in range(WRITES)}
                got = [row[0] for row in names + calls]
                assert sorted(got) == sorted(expected)  # each once, none missing
            elif writer.kind == "export":
                assert conn.execute("SELECT COUNT(*) FROM exports").fetchone() == (WRITES,)
            else:
                notes = conn.execute(
                    "SELECT COUNT(DISTINCT note), COUNT(*) FROM events WHERE note LIKE ?",
                    (f"W{number}-%",),
                ).fetchone()
                assert notes == (WRITES, WRITES)
        backups = list((tmp_path / f"out-{len(writers) - 1}").glob("*.db"))
        assert backups  # taken while the others wrote
    finally:
        conn.close()
    slowest = max(w.slowest_ms for w in writers)
    print(f"\nslowest wait {slowest:.0f} ms; spread of mean waits {spread(writers):.1f}x")
    for writer in writers:
        print(f"  {writer.kind:8} {writer.seconds:5.1f} s, mean wait {writer.mean_ms:.1f} ms")
