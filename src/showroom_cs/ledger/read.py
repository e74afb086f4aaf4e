"""Reading a ledger file: .xlsx, .xls (the old binary format), .ods and CSV.

Spreadsheets are read with python-calamine. A CSV is decoded as UTF-8 (with
or without BOM), else as GBK (GB18030, what Excel and WPS on a Chinese
Windows write), else refused: an encoding is never guessed silently, and the
one used is shown. The header is found among the first rows: the row, or two
rows (a merged group header over its sub-headers), whose cells match the
most known column names; a title row above it and blank rows are skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .fields import Field, LedgerError, is_column_name, match_header

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

Cell = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
# A merged area as calamine gives it: ((top, left), (bottom, right)), 0-based.
Merged = list[tuple[tuple[int, int], tuple[int, int]]]

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_FILES = (".csv", ".txt")
# The header is looked for in this many rows from the top.
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data row as the file has it; `number` is the row number a
    spreadsheet shows (a CSV's record number, counting the header)."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class LedgerTable:
    """One sheet of a ledger: its column headers and its data rows."""

    path: Path
    sheet: str  # "" for a CSV
    sheets: tuple[str, ...]
    headers: tuple[str, ...]
    header_rows: tuple[int, int]  # first and last header row (1-based)
    rows: tuple[SourceRow, ...]
    blank_rows: int
    encoding: str  # how a CSV was decoded, for the preview; "" for a spreadsheet
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def where(self) -> str:
        """`台账.xls「2025年」`: the file, and the sheet when it has sheets."""
        return f"{self.name}「{self.sheet}」" if self.sheet else self.name

    def describe(self) -> str:
        first, last = self.header_rows
        head = f"第 {first} 行" if first == last else f"第 {first}–{last} 行"
        text = f"表头在{head}，共 {len(self.rows)} 行数据"
        if self.blank_rows:
            text += f"（另有 {self.blank_rows} 个空行已跳过）"
        if self.encoding:
            text += f"；文字编码：{self.encoding}"
        return text


def sheet_names(path: Path) -> tuple[str, ...]:
    """The sheets of a spreadsheet (visible ones first); () for a CSV."""
    if _kind(path) == "csv":
        return ()
    book = _open_book(path)
    try:
        return _sheets(book)
    finally:
        book.close()


def read_table(path: Path, sheet: str | None = None) -> LedgerTable:
    """The sheet (default: the first whose header is recognised) as a table."""
    kind = _kind(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerError(f"无法读取文件「{path}」：{exc.strerror or exc}。") from None
    digest = hashlib.sha256(data).hexdigest()
    if kind == "csv":
        text, encoding = decode_text(data, path.name)
        grid = _csv_grid(text)
        return _table(path, "", (), grid, None, encoding, digest)
    book = _open_book(path)
    try:
        names = _sheets(book)
        if not names:
            raise LedgerError(f"「{path.name}」里没有工作表。")
        if sheet is not None and sheet not in names:
            shown = "、".join(f"「{n}」" for n in names)
            raise LedgerError(f"「{path.name}」里没有名为「{sheet}」的工作表。工作表有：{shown}")
        chosen = sheet or _first_with_header(book, names)
        grid, merged = _sheet_grid(book, chosen, path)
    finally:
        book.close()
    return _table(path, chosen, names, grid, merged, "", digest)


# ----------------------------------------------------------------- files


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        return "sheet"
    if suffix in TEXT_FILES:
        return "csv"
    raise LedgerError(
        f"「{path.name}」不是能导入的台账文件：请选择 Excel（.xlsx、.xls）、WPS 或 "
        "LibreOffice 表格（.ods），或 CSV 文件。"
    )


def _open_book(path: Path) -> CalamineWorkbook:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    if not path.is_file():
        raise LedgerError(f"找不到文件「{path}」。")
    try:
        return CalamineWorkbook.from_path(str(path))
    except PasswordError:
        raise LedgerError(
            f"「{path.name}」设置了打开密码：请在 Excel 或 WPS 中去掉密码另存一份，再导入那一份。"
        ) from None
    except (CalamineError, ValueError, OSError) as exc:
        raise LedgerError(
            f"无法打开「{path.name}」：文件已损坏，或不是它的扩展名所说的格式（{exc}）。"
            "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入。"
        ) from None


def _sheets(book: CalamineWorkbook) -> tuple[str, ...]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    visible: list[str] = []
    hidden: list[str] = []
    for meta in book.sheets_metadata:
        if meta.typ not in (SheetTypeEnum.WorkSheet,):
            continue
        (visible if meta.visible == SheetVisibleEnum.Visible else hidden).append(meta.name)
    return tuple(visible + hidden)


def _sheet_grid(
    book: CalamineWorkbook, name: str, path: Path
) -> tuple[list[list[Cell]], Merged | None]:
    from python_calamine import CalamineError

    try:
        sheet = book.get_sheet_by_name(name)
        grid = [list[Cell](row) for row in sheet.to_python(skip_empty_area=False)]
        merged = sheet.merged_cell_ranges
    except (CalamineError, ValueError) as exc:
        raise LedgerError(f"无法读取「{path.name}」的工作表「{name}」：{exc}") from None
    return grid, merged


def _first_with_header(book: CalamineWorkbook, names: Sequence[str]) -> str:
    """The first sheet whose top rows hold recognised column names."""
    best, best_score = names[0], 0
    for name in names:
        try:
            top = book.get_sheet_by_name(name).to_python(
                skip_empty_area=False, nrows=HEADER_SEARCH_ROWS
            )
        except Exception:  # an odd sheet is skipped; the chosen one reports its own trouble
            continue
        score = max((_score(_texts(list[Cell](row))) for row in top), default=0)
        if score >= 3:
            return name
        if score > best_score:
            best, best_score = name, score
    return best


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV and the encoding it was read in; refused when neither
    UTF-8 nor GBK reads it cleanly."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            pass
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            pass
        else:
            if "\x00" not in text:
                return text, "GBK"
    raise LedgerError(
        f"无法识别「{name}」的文字编码：它既不是 UTF-8，也不是 GBK，导入会出现乱码。"
        "请在 Excel 或 WPS 中打开它，另存为 .xlsx（或「CSV UTF-8」）后再导入。"
    )


def _csv_grid(text: str) -> list[list[Cell]]:
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]


# ---------------------------------------------------------------- header


def _texts(row: Sequence[Cell]) -> list[str]:
    return [cell_text(cell) for cell in row]


def cell_text(cell: Cell) -> str:
    """A cell as the ledger shows it: 15.0 → "15", a date → 2026-11-03."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ", timespec="minutes").removesuffix(" 00:00")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


def _score(labels: Sequence[str]) -> int:
    """How many cells read as known column names (each field once)."""
    fields = {match_header(label) for label in labels if label}
    return len(fields - {Field.OTHER})


def _fill_across(rows: list[list[Cell]], merged: Merged | None) -> None:
    """In the header rows, a merged cell's value in every cell it covers (序号
    merged over two header rows, a group name over its columns)."""
    for (top, left), (bottom, right) in merged or ():
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value


def _fill_down(grid: list[list[Cell]], merged: Merged | None, first_data: int) -> None:
    """In the data rows, a cell merged over several rows (one date for a day's
    complaints, one customer over their rows) counts for each of them."""
    for (top, left), (bottom, _right) in merged or ():
        if bottom < first_data or top == bottom or top >= len(grid) or left >= len(grid[top]):
            continue
        value = grid[top][left]
        for r in range(max(top + 1, first_data), min(bottom, len(grid) - 1) + 1):
            if left < len(grid[r]):
                grid[r][left] = value


def _header(grid: list[list[Cell]], merged: Merged | None) -> tuple[int, int, list[str]]:
    """(first, last) header row index and the column labels.

    Tried: each row alone, and each pair of rows read as one (the lower cell,
    or the upper one where the lower is empty or repeats a merged cell above).
    The most recognised names win; on a tie a single row, then the higher one.
    """
    top = [list(row) for row in grid[: HEADER_SEARCH_ROWS + 1]]
    _fill_across(top, merged)
    texts = [_texts(row) for row in top]
    best: tuple[tuple[int, int, int], int, int, list[str]] | None = None
    for index, labels in enumerate(texts):
        if not any(labels):
            continue
        candidates = [(index, index, labels)]
        if index + 1 < len(texts) and any(texts[index + 1]):
            candidates.append((index, index + 1, _two_rows(labels, texts[index + 1])))
        for first, last, joined in candidates:
            rank = (_score(joined), first == last, -first)
            if best is None or rank > best[0]:
                best = (rank, first, last, joined)
    if best is None:
        raise LedgerError("这个工作表是空的：没有任何数据。")
    _, first, last, labels = best
    # A header cell merged down from the row above starts the header there.
    above = [top for (top, _), (bottom, _) in merged or () if top < first <= bottom]
    return min([first, *above]), last, labels


def _two_rows(upper: Sequence[str], lower: Sequence[str]) -> list[str]:
    width = max(len(upper), len(lower))
    out = []
    for column in range(width):
        above = upper[column] if column < len(upper) else ""
        below = lower[column] if column < len(lower) else ""
        if below and below != above and match_header(below) != Field.OTHER:
            out.append(below)
        elif below and below != above and match_header(above) == Field.OTHER and above:
            out.append(f"{above}·{below}")
        else:
            out.append(below or above)
    return out


def _table(
    path: Path,
    sheet: str,
    names: tuple[str, ...],
    grid: list[list[Cell]],
    merged: Merged | None,
    encoding: str,
    digest: str,
) -> LedgerTable:
    first, last, labels = _header(grid, merged)
    _fill_down(grid, merged, last + 1)
    width = max((len(row) for row in grid[last + 1 :] if any(cell_text(c) for c in row)), default=0)
    width = max(width, len(labels))
    # Columns with neither a header nor data at the right edge are dropped.
    while width and not (labels[width - 1] if width - 1 < len(labels) else ""):
        if any(cell_text(row[width - 1]) for row in grid[last + 1 :] if width - 1 < len(row)):
            break
        width -= 1
    headers = []
    for column in range(width):
        label = labels[column] if column < len(labels) else ""
        headers.append(label or f"第 {_column_letter(column)} 列")
    rows: list[SourceRow] = []
    blank = 0
    for index in range(last + 1, len(grid)):
        raw = grid[index]
        cells = tuple(_clean(raw[column]) if column < len(raw) else None for column in range(width))
        texts = [cell_text(cell) for cell in cells]
        if not any(texts):
            blank += 1
            continue
        if _repeats_header(texts):  # pasted with a new month's rows under the old
            continue
        rows.append(SourceRow(index + 1, cells))
    # Blank rows after the last data row are not worth a mention.
    if rows:
        blank = sum(
            1
            for index in range(last + 1, rows[-1].number)
            if not any(cell_text(c) for c in grid[index])
        )
    else:
        blank = 0
    return LedgerTable(
        path=path,
        sheet=sheet,
        sheets=names,
        headers=tuple(headers),
        header_rows=(first + 1, last + 1),
        rows=tuple(rows),
        blank_rows=blank,
        encoding=encoding,
        sha256=digest,
    )


def _repeats_header(texts: Sequence[str]) -> bool:
    """A header row again in the data: three or more cells are column names
    and none holds a phone number."""
    if sum(1 for text in texts if text and is_column_name(text)) < 3:
        return False
    from .values import read_phones  # rarely needed: only for rows like a header

    return not any(read_phones(text) for text in texts if any(ch.isdigit() for ch in text))


def _clean(cell: Cell) -> Cell:
    if isinstance(cell, str):
        text = cell.strip()
        return text or None
    return cell


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
