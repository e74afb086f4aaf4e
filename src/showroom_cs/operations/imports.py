"""导入旧台账: the rows of a showroom's old complaint ledger become cases.

All or nothing: a backup of the database is taken first, then every case of
the file is written in one transaction (a failure anywhere leaves the file
as it was). Each case is written as it stood in the ledger, through the same
checks as the counter's form (`ledger.parse`) and numbered by the same
per-day counter as `register_case` (TS-<date received>-NNN), and gets one
timeline event, its registration, naming the file and row it came from — so
the timeline rebuilds it like any other case.

History makes no work: an imported case starts no time limit, plans no call,
hands nothing over and opens no improvement item. A finished one stays
finished; an open one waits in its stage (a case in 已登记 is on the
importer's 待分派 list) until someone takes its next step, which starts the
limits as usual. Cases are written in bulk (`executemany`), 20,000 rows in a
few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backup import take_backup
from ..domain import Door
from ..ledger.fields import LedgerError
from ..ledger.parse import Progress
from ..ledger.plan import Fate, Plan, PlannedRow, check_may_import, imported_keys
from ..ledger.report import report_name, write_refused
from ..pinyin_keys import name_keys
from ..store.rows import db_time
from ._common import DERIVED_COLUMNS, Context, db_value
from .access import Audit, record
from .cases import reserve_case_nos

_CHUNK = 500
# Columns an imported case may have beyond the intake form's, with the value
# of a case that never reached them.
_HANDLING_DEFAULTS: dict[str, Any] = {
    "owner_id": None,
    "department": "",
    "assigned_at": None,
    "valid": None,
    "validity_reason": "",
    "invalid_explanation": "",
    "investigation_notes": "",
    "rectification_result": "",
    "satisfaction": None,
    "closing_cause": "",
    "closing_actions": "",
    "closing_improvement": "",
    "cause_key": "",
    "closed_at": None,
}
_FORM_COLUMNS = (
    "received_at",
    "received_by",
    "channel",
    "customer_name",
    "customer_title",
    "customer_phone",
    "customer_address",
    "order_no",
    "purchase_date",
    "install_date",
    "product_category",
    "brand_model",
    "subject",
    "category",
    "description",
    "demands",
    "demand_note",
    "severity",
    "needs_visit",
    "stage",
    "ledger_no",
)


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import did. `report`: the workbook of refused rows, if any."""

    imported: int
    refused: int
    already: int
    case_ids: tuple[int, ...]
    backup: Path | None
    report: Path | None
    seconds: float
    import_id: int | None = None


def import_ledger(
    ctx: Context,
    plan: Plan,
    *,
    backup_folder: Path | None,
    report_folders: Sequence[Path] = (),
    progress: Progress | None = None,
) -> ImportResult:
    """Import the rows `plan` would import; write its refused rows as a workbook
    into the first of `report_folders` that takes it."""
    started = time.perf_counter()
    check_may_import(ctx)
    actor = ctx.actor()
    now = ctx.now()
    report = write_report(plan, report_folders, now) if plan.refused and report_folders else None
    rows = plan.to_import
    already = len(plan.of(Fate.ALREADY))
    if not rows:
        return ImportResult(
            0, len(plan.refused), already, (), None, report, time.perf_counter() - started
        )
    backup = None
    path = ctx.store.path
    if path is not None and backup_folder is not None:
        if progress is not None:
            progress("备份", 0, 1)
        backup = take_backup(path, backup_folder, "before-import", now)
    with ctx.store.transaction():
        # Another import may have taken some rows since the dry run.
        taken = imported_keys(ctx.store, (r.row.key for r in rows))
        fresh = [r for r in rows if r.row.key not in taken]
        already += len(rows) - len(fresh)
        if not fresh:
            return ImportResult(
                0, len(plan.refused), already, (), backup, report, time.perf_counter() - started
            )
        import_id = ctx.store.insert(
            "ledger_imports",
            {
                "at": db_time(now),
                "by_id": actor.id,
                "door": ctx.door.value,
                "file_name": plan.table.name,
                "sheet": plan.table.sheet,
                "file_sha256": plan.table.sha256,
                "rows_read": len(plan.rows),
                "imported": len(fresh),
                "refused": len(plan.refused),
                "already": already,
                "backup": str(backup or ""),
                "report": str(report or ""),
            },
        )
        case_ids = _write_cases(ctx, plan, fresh, import_id, now, progress)
        detail = f"从{plan.table.where}导入 {len(fresh)} 件，拒绝 {len(plan.refused)} 行"
        if already:
            detail += f"，已导入过 {already} 行"
        if backup is not None:
            detail += f"；导入前备份：{backup}"
        record(ctx, Audit.IMPORT_LEDGER, detail)
    return ImportResult(
        len(fresh),
        len(plan.refused),
        already,
        tuple(case_ids),
        backup,
        report,
        time.perf_counter() - started,
        import_id,
    )


def write_report(plan: Plan, folders: Sequence[Path], now: dt.datetime) -> Path:
    """The refused rows' workbook, in the first folder that can be written."""
    name = report_name(plan.table, now)
    failure: OSError | None = None
    for folder in folders:
        try:
            return write_refused(folder / name, plan.table, plan.refused)
        except OSError as exc:
            failure = exc
    where = "、".join(f"「{f}」" for f in folders)
    raise LedgerError(
        f"无法保存未导入的行（{name}）：{where}都不能写入"
        f"（{failure.strerror if failure else ''}）。请换个位置存放台账文件后再试；没有导入任何数据。"
    )


def _write_cases(
    ctx: Context,
    plan: Plan,
    rows: list[PlannedRow],
    import_id: int,
    now: dt.datetime,
    progress: Progress | None,
) -> list[int]:
    store = ctx.store
    numbers = _case_numbers(ctx, rows)
    first_id = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM cases")) + 1
    ids = list(range(first_id, first_id + len(rows)))
    stamp = db_time(now)
    columns = ["id", "case_no", *_FORM_COLUMNS, *_HANDLING_DEFAULTS, "updated_at"]
    columns += ["name_pinyin", "name_initials"]
    sql = f"INSERT INTO cases ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    total = len(rows)
    for start in range(0, total, _CHUNK):
        batch = []
        for offset, planned in enumerate(rows[start : start + _CHUNK]):
            values = {**_HANDLING_DEFAULTS, **planned.row.values}
            batch.append(
                (
                    ids[start + offset],
                    numbers[start + offset],
                    *(db_value(values[c]) for c in _FORM_COLUMNS),
                    *(db_value(values[c]) for c in _HANDLING_DEFAULTS),
                    stamp,
                    *name_keys(values["customer_name"]),
                )
            )
        store.execute_many(sql, batch)
        if progress is not None:
            progress("写入案件", min(start + _CHUNK, total), total)
    # The registration event holds every column as stored (defaults included),
    # read back so the timeline rebuilds each case exactly.
    where = plan.table.where
    event_sql = (
        "INSERT INTO events (case_id, at, actor_id, kind, note, changes, data) "
        "VALUES (?, ?, ?, 'register', ?, ?, ?)"
    )
    stored_rows = store.query(
        "SELECT * FROM cases WHERE id BETWEEN ? AND ? ORDER BY id", (ids[0], ids[-1])
    )
    events = []
    for planned, stored in zip(rows, stored_rows, strict=True):
        row = dict(stored)
        changes = {k: [None, v] for k, v in row.items() if k not in DERIVED_COLUMNS}
        number = planned.number
        note = f"从旧台账导入：{where}{'' if plan.table.sheet else ' '}第 {number} 行"
        if planned.row.ledger_no:
            note += f"，原编号 {planned.row.ledger_no}"
        data: dict[str, Any] = {
            "ledger": {
                "import_id": import_id,
                "file": plan.table.name,
                "sheet": plan.table.sheet,
                "row": number,
                "ledger_no": planned.row.ledger_no,
            }
        }
        if ctx.door not in (Door.WINDOW, Door.UNLOCK):
            data["door"] = ctx.door.value
        events.append(
            (
                row["id"],
                db_time(now),
                ctx.actor_id,
                note,
                json.dumps(changes, ensure_ascii=False),
                json.dumps(data, ensure_ascii=False),
            )
        )
    for start in range(0, total, _CHUNK):
        store.execute_many(event_sql, events[start : start + _CHUNK])
        if progress is not None:
            progress("写入时间线", min(start + _CHUNK, total), total)
    store.execute_many(
        "INSERT INTO ledger_rows (row_key, case_id, import_id, row_no, content_sha256) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (planned.row.key, case_id, import_id, planned.number, planned.row.content_sha256)
            for planned, case_id in zip(rows, ids, strict=True)
        ],
    )
    return ids


def _case_numbers(ctx: Context, rows: list[PlannedRow]) -> list[str]:
    """TS-<date received>-NNN from the per-day counter, in order of receipt
    within each day (a day's numbers are taken at once)."""
    by_day: dict[dt.date, list[int]] = {}
    for index, planned in enumerate(rows):
        by_day.setdefault(planned.row.values["received_at"].date(), []).append(index)
    out = [""] * len(rows)
    for day in sorted(by_day):
        indexes = sorted(
            by_day[day], key=lambda i: (rows[i].row.values["received_at"], rows[i].number)
        )
        for index, number in zip(indexes, reserve_case_nos(ctx, day, len(indexes)), strict=True):
            out[index] = number
    return out
