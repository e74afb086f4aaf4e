"""The dry run: what importing a ledger would do, row by row, writing nothing.

Each row is to be imported, was imported before (an earlier import of this
file or of a shorter version of it took it), or is refused with its reason
(a row the same as one above it in the file is refused too, naming that
row). Customers are merged by phone number with those the showroom already
has: the counts say how many are known and how many new.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .. import permissions
from ..domain import Stage
from ..operations._common import Context, require_active
from ..permissions import Action
from ..store import Store
from .fields import Field, LedgerError, missing_required
from .parse import ParsedRow, Progress, RowReader
from .read import LedgerTable

_CHUNK = 500


class Fate(StrEnum):
    IMPORT = "import"
    ALREADY = "already"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"import": "导入", "already": "已导入过", "refused": "拒绝"}[self.value]


@dataclass(frozen=True, slots=True)
class PlannedRow:
    row: ParsedRow
    fate: Fate
    reason: str = ""  # why refused (or which import took it before)
    known_customer: str = ""  # the name the showroom has for this phone, when it has one

    @property
    def number(self) -> int:
        return self.row.number


@dataclass(frozen=True, slots=True)
class Plan:
    """What an import of `table` read with `mapping` would do."""

    table: LedgerTable
    mapping: tuple[Field, ...]
    rows: tuple[PlannedRow, ...]
    earlier_imports: tuple[str, ...]  # this very file imported before: "2026-11-20 陈静"

    def of(self, fate: Fate) -> list[PlannedRow]:
        return [row for row in self.rows if row.fate == fate]

    @property
    def to_import(self) -> list[PlannedRow]:
        return self.of(Fate.IMPORT)

    @property
    def refused(self) -> list[PlannedRow]:
        return self.of(Fate.REFUSED)

    def stage_counts(self) -> tuple[int, int, int]:
        """(closed, invalid, open) among the rows to import."""
        stages = [row.row.stage for row in self.to_import]
        closed = stages.count(Stage.CLOSED)
        invalid = stages.count(Stage.INVALID)
        return closed, invalid, len(stages) - closed - invalid

    def customer_counts(self) -> tuple[int, int]:
        """(known, new): distinct customers (phones) among the rows to import."""
        known = {r.row.values["customer_phone"] for r in self.to_import if r.known_customer}
        every = {r.row.values["customer_phone"] for r in self.to_import}
        return len(known), len(every - known)

    def closest_words(self) -> list[tuple[tuple[str, str, str], int]]:
        """The ledger's words taken as the closest list entry, most rows first:
        ((field, word, entry), rows)."""
        counted = Counter(pair for r in self.to_import for pair in r.row.closest)
        return counted.most_common()

    def closest_text(self, shown: int = 8) -> str:
        """`投诉类别「安装问题」→「安装施工」120 行；…` (the most frequent)."""
        words = self.closest_words()
        parts = [f"{f}「{word}」→「{entry}」{n} 行" for (f, word, entry), n in words[:shown]]
        if len(words) > shown:
            parts.append(f"另有 {len(words) - shown} 种")
        return "；".join(parts)

    def summary(self) -> str:
        closed, invalid, still_open = self.stage_counts()
        known, new = self.customer_counts()
        text = (
            f"共 {len(self.rows)} 行：将导入 {len(self.to_import)} 件"
            f"（已结案 {closed}、不成立 {invalid}、未结案 {still_open}），"
            f"并入已有客户 {known} 位、新客户 {new} 位；拒绝 {len(self.refused)} 行"
        )
        already = len(self.of(Fate.ALREADY))
        if already:
            text += f"；已导入过 {already} 行（不再导入）"
        return text + "。"


def check_may_import(ctx: Context) -> None:
    permissions.require(require_active(ctx), Action.IMPORT_LEDGER)


def plan_import(
    ctx: Context,
    table: LedgerTable,
    mapping: Sequence[Field],
    progress: Progress | None = None,
) -> Plan:
    """Read every row and say what would become of it; writes nothing."""
    check_may_import(ctx)
    if len(mapping) != len(table.headers):
        raise LedgerError("列的对应和表头的列数不一致，请重新选择文件。")
    missing = missing_required(mapping)
    if missing:
        names = "、".join(f.label for f in missing)
        raise LedgerError(f"还没有为这些必填项选择台账的列：{names}。")
    parsed = RowReader(ctx, table, mapping, ctx.actor()).read_all(progress)
    taken = imported_keys(ctx.store, (row.key for row in parsed if not row.problems))
    customers = known_customers(
        ctx.store, {row.values["customer_phone"] for row in parsed if not row.problems}
    )
    seen: dict[str, int] = {}
    planned = []
    for row in parsed:
        if row.problems:
            planned.append(PlannedRow(row, Fate.REFUSED, row.refusal))
        elif row.key in taken:
            planned.append(PlannedRow(row, Fate.ALREADY, taken[row.key]))
        elif row.key in seen:
            same = "原编号和受理日期" if row.ledger_no else "客户、电话、日期和投诉内容"
            planned.append(
                PlannedRow(row, Fate.REFUSED, f"与第 {seen[row.key]} 行的{same}相同（重复录入？）")
            )
        else:
            seen[row.key] = row.number
            phone = row.values["customer_phone"]
            planned.append(PlannedRow(row, Fate.IMPORT, known_customer=customers.get(phone, "")))
    return Plan(table, tuple(mapping), tuple(planned), earlier_imports(ctx.store, table.sha256))


def imported_keys(store: Store, keys: Iterable[str]) -> dict[str, str]:
    """Which of `keys` earlier imports took: key → "第 N 行，2026-11-20 导入"."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            "SELECT r.row_key, r.row_no, i.at, i.file_name, c.case_no FROM ledger_rows r "
            "JOIN ledger_imports i ON i.id = r.import_id JOIN cases c ON c.id = r.case_id "
            f"WHERE r.row_key IN ({marks})",
            chunk,
        ):
            at = dt.datetime.fromisoformat(row["at"])
            found[row["row_key"]] = (
                f"{at:%Y-%m-%d} 已从「{row['file_name']}」第 {row['row_no']} 行导入为 {row['case_no']}"
            )
    return found


def known_customers(store: Store, phones: Iterable[str]) -> dict[str, str]:
    """The showroom's customers among `phones`: phone → the name on their newest case."""
    wanted = [p for p in dict.fromkeys(phones) if p]
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        for row in store.query(
            "SELECT customer_phone, customer_name FROM cases "
            f"WHERE customer_phone IN ({marks}) ORDER BY received_at",
            chunk,
        ):
            found[row["customer_phone"]] = row["customer_name"]
    return found


def earlier_imports(store: Store, sha256: str) -> tuple[str, ...]:
    names = {s.id: s.name for s in store.all_staff()}
    return tuple(
        f"{row['at'][:16]} {names.get(row['by_id'], '')}"
        for row in store.query(
            "SELECT at, by_id FROM ledger_imports WHERE file_sha256 = ? ORDER BY id", (sha256,)
        )
    )
