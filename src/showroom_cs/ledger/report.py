"""The refused rows as a workbook the manager can fix and import again.

One row per refused ledger row: why first (未导入原因), the row number it had
(原行号), then the ledger's own columns with its cells as they were. Importing
the corrected workbook takes those rows (the two added columns are left out
by their names), and a later import of the whole ledger still skips every
row already taken.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path

from .plan import PlannedRow
from .read import Cell, LedgerTable, cell_text

REASON = "未导入原因"
ROW_NO = "原行号"


def report_name(table: LedgerTable, now: dt.datetime) -> str:
    return f"{table.path.stem}-未导入的行-{now:%Y%m%d-%H%M%S}.xlsx"


def write_refused(
    path: Path, table: LedgerTable, rows: Sequence[PlannedRow], *, sheet_title: str = "未导入的行"
) -> Path:
    """Write the workbook to `path` (via a temporary file: never half a file)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_title[:31]
    sheet.append([REASON, ROW_NO, *table.headers])
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    warn = PatternFill("solid", fgColor="FCE4D6")
    for planned in rows:
        sheet.append(
            [planned.reason, planned.number, *(_value(c) for c in planned.row.source.cells)]
        )
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # the ledger's text, never a formula
        sheet.cell(sheet.max_row, 1).fill = warn
        sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 48
    sheet.column_dimensions["B"].width = 8
    for index, header in enumerate(table.headers, start=3):
        longest = max(
            [len(header), *(len(cell_text(r.row.source.cells[index - 3])) for r in rows[:200])]
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest * 1.6), 50)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    try:
        book.save(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _value(cell: Cell) -> object:
    """What openpyxl can write: dates stay dates, a time span becomes text."""
    if isinstance(cell, dt.timedelta):
        return cell_text(cell)
    return cell
