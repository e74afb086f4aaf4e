"""The chain report as a workbook: one sheet per table, numbers as numbers.

openpyxl in write-only mode: rows stream to the file, and the same library
reads the sheets back (head office's own checks, our tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from .report import ChainReport, Table, pivot

_FORMATS = {"int": "0", "pct": "0.0%", "num1": "0.0", "num2": "0.00"}
_HEAD_FILL = PatternFill("solid", fgColor="DDE6EE")


def tables(report: ChainReport) -> list[Table]:
    """The report's tables in sheet order (categories and causes with every key)."""
    return [
        report.regions,
        report.showrooms,
        report.weekly,
        pivot(report.categories, report.weeks),
        pivot(report.causes, report.weeks),
        report.missing,
    ]


def write_xlsx(report: ChainReport, path: Path) -> Path:
    book = Workbook(write_only=True)
    about = book.create_sheet("概况")
    about.append([f"连锁客诉汇总 {report.first_week} 至 {report.last_week}"])
    about.append(["生成时间", report.made_at.isoformat(sep=" ", timespec="minutes")])
    for label, value in report.headline:
        about.append([label, value])
    for table in tables(report):
        _sheet(book.create_sheet(table.name), table)
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)
    return path


def _sheet(sheet: Any, table: Table) -> None:
    sheet.freeze_panes = "B2"
    for number, column in enumerate(table.columns):
        letter = _letter(number)
        sheet.column_dimensions[letter].width = max(9, min(24, len(column) * 2 + 2))
    head = []
    for column in table.columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = Font(bold=True)
        cell.fill = _HEAD_FILL
        head.append(cell)
    sheet.append(head)
    for row in table.rows:
        cells = []
        for value, kind in zip(row, table.formats, strict=True):
            cell = WriteOnlyCell(sheet, value=value)
            if kind in _FORMATS and value is not None:
                cell.number_format = _FORMATS[kind]
            cells.append(cell)
        sheet.append(cells)


def _letter(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
