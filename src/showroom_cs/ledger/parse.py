"""Each ledger row as the case it will become, or why it cannot.

A row is read through the column matches (fields.py) and the cell readers
(values.py), then checked by the same rules as the counter's form
(`operations.cases`): a refused row says every reason at once, in Chinese.
What the ledger says that has no field of its own — columns nobody matched,
a second phone number, a name that is not one of the staff — goes into the
complaint text, so nothing typed in the ledger is lost; `notes` tell the
manager each such decision in the preview.

Where a row lands (documented in docs/ledger-import.md):
- 已结案 / 不成立 when the status says so; without a status, when it has a
  closing date, a satisfaction or a result. Closed ones keep their result
  (处理经过), cause, improvement and satisfaction where the ledger has them;
  without a closing date they are dated on the day received.
- Open ones in the stage the status names (已登记 when it names none),
  owned by the staff member the ledger names, else by whoever imports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..domain import Severity, Staff, Stage
from ..errors import RuleError
from ..operations._common import Context
from ..operations.cases import _validated_editable as validated_intake
from ..settings import Settings
from .fields import JOINED, Field
from .read import Cell, LedgerTable, SourceRow, cell_text
from .values import (
    Closest,
    Unreadable,
    closest_entry,
    pick_phone,
    read_date,
    read_phones,
    read_satisfaction,
    read_severity,
    read_stage,
    read_time,
    shown_phone,
    title_of,
)

Progress = Callable[[str, int, int], None]
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_DEMAND_SPLIT = re.compile(r"[、,，/／;；\s]+")
# A short date (11月3日) more than this far before the row above is in the next year.
_YEAR_TURN = dt.timedelta(days=60)
MAX_LEDGER_NO = 100


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One ledger row read: the case's columns (`values`, Python values as the
    core takes them), or `problems` saying why it cannot be imported."""

    source: SourceRow
    values: dict[str, Any]
    stage: Stage | None
    ledger_no: str
    key: str  # how a later import recognises the row (see row_key)
    content_sha256: str
    notes: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    # (field, the ledger's word, the list entry it became) for each word taken
    # as the closest entry of the showroom's list.
    closest: tuple[tuple[str, str, str], ...] = ()

    @property
    def number(self) -> int:
        return self.source.number

    @property
    def refusal(self) -> str:
        return "；".join(self.problems)


@dataclass
class _Reading:
    """What one row's reading collects on the way."""

    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # 【台账其他列】 lines
    closest: list[tuple[str, str, str]] = field(default_factory=list)


class RowReader:
    """Reads the rows of one table with one set of column matches, in order
    (a date without a year takes its year from the rows above)."""

    def __init__(
        self, ctx: Context, table: LedgerTable, mapping: Sequence[Field], importer: Staff
    ) -> None:
        self.ctx = ctx
        self.settings: Settings = ctx.settings
        self.table = table
        self.mapping = tuple(mapping)
        self.importer = importer
        self.today = ctx.now()
        self.columns: dict[Field, list[int]] = {}
        for column, matched in enumerate(self.mapping):
            self.columns.setdefault(matched, []).append(column)
        staff = ctx.store.all_staff()
        # An active person first: a former employee may share the name.
        self.staff: dict[str, Staff] = {}
        for member in sorted(staff, key=lambda s: (s.active, -s.id)):
            self.staff[member.name] = member
        named = _YEAR.search(f"{table.sheet} {table.path.stem}")
        self.year_hint: int | None = int(named.group(1)) if named else None
        self.previous: dt.date | None = None
        self._entries: dict[tuple[str, str], Closest | None] = {}

    def mapped(self, wanted: Field) -> bool:
        return wanted in self.columns

    # ---------------------------------------------------------- cells

    def _cells(self, row: SourceRow, wanted: Field) -> list[Cell]:
        return [row.cells[i] for i in self.columns.get(wanted, ()) if cell_text(row.cells[i]) != ""]

    def _text(self, row: SourceRow, wanted: Field) -> str:
        texts = [cell_text(c) for c in self._cells(row, wanted)]
        if wanted in JOINED:
            return "；".join(dict.fromkeys(texts))
        return texts[0] if texts else ""

    # ------------------------------------------------------------ rows

    def read_all(self, progress: Progress | None = None) -> list[ParsedRow]:
        out = []
        total = len(self.table.rows)
        for index, row in enumerate(self.table.rows):
            out.append(self.read(row))
            if progress is not None and (index % 500 == 499 or index + 1 == total):
                progress("检查", index + 1, total)
        return out

    def read(self, row: SourceRow) -> ParsedRow:
        r = _Reading()
        received = self._received(row, r)
        name = self._text(row, Field.CUSTOMER_NAME)
        if not name:
            r.problems.append("缺少客户姓名")
        phone, other_phones = self._phone(row, r)
        description = self._text(row, Field.DESCRIPTION)
        if not description:
            r.problems.append("缺少投诉内容")
        ledger_no = self._text(row, Field.LEDGER_NO)[:MAX_LEDGER_NO]
        category = self._entry(row, Field.CATEGORY, "category", r)
        values: dict[str, Any] = {
            "customer_name": name,
            "customer_title": title_of(name),
            "customer_phone": phone,
            "customer_address": self._text(row, Field.CUSTOMER_ADDRESS),
            "order_no": self._text(row, Field.ORDER_NO),
            "purchase_date": self._side_date(row, Field.PURCHASE_DATE, r),
            "install_date": self._side_date(row, Field.INSTALL_DATE, r),
            "product_category": self._entry(row, Field.PRODUCT_CATEGORY, "product_category", r),
            "brand_model": self._text(row, Field.BRAND_MODEL),
            "subject": self._text(row, Field.SUBJECT),
            "category": category,
            "channel": self._entry(row, Field.CHANNEL, "channel", r),
            "severity": self._severity(row, r),
            "needs_visit": False,
            **self._demands(row),
        }
        stage = self._stage(row, r)
        received_by = self._person(row, Field.RECEIVED_BY, r) or self.importer
        handling: dict[str, Any] = {}
        if received is not None and stage is not None:
            handling = self._handling(row, stage, received, category, r)
        for column, header in enumerate(self.table.headers):
            if self.mapping[column] == Field.OTHER and cell_text(row.cells[column]):
                r.extra.append(f"{header}：{cell_text(row.cells[column])}")
        values["description"] = self._description(description, other_phones, r.extra)
        if received is not None:
            values.update(self._checked(values, received.date(), r))
        values.update(handling)
        values["received_at"] = received
        values["received_by"] = received_by.id
        values["ledger_no"] = ledger_no
        return ParsedRow(
            source=row,
            values=values,
            stage=stage,
            ledger_no=ledger_no,
            key=row_key(ledger_no, received, phone, name, description),
            content_sha256=content_hash(row.cells),
            notes=tuple(r.notes),
            problems=tuple(r.problems),
            closest=tuple(r.closest),
        )

    def _checked(self, values: dict[str, Any], day: dt.date, r: _Reading) -> dict[str, Any]:
        """The counter form's own checks (lengths, lists, dates in order) on the
        fields read without trouble; each refusal is one more problem."""
        empty = {"customer_name", "description"}
        # The phone was read by the same rule (phone.normalize_phone) already.
        fields = {
            k: v for k, v in values.items() if k != "customer_phone" and not (k in empty and not v)
        }
        for _ in range(len(fields)):
            try:
                return validated_intake(self.ctx, fields, day)
            except RuleError as refused:
                r.problems.append(refused.message.rstrip("。"))
                if not refused.missing or not set(refused.missing) & set(fields):
                    return {}
                for name in refused.missing:
                    fields.pop(name, None)
        return {}

    # ---------------------------------------------------------- fields

    def _received(self, row: SourceRow, r: _Reading) -> dt.datetime | None:
        cells = self._cells(row, Field.RECEIVED_AT)
        times = [t for t in (read_time(c) for c in cells) if t is not None]
        dates = [c for c in cells if read_time(c) is None]
        if not dates:
            r.problems.append("缺少受理日期")
            return None
        hint = self.year_hint
        try:
            read = read_date(dates[0], hint if hint is not None else self.today.year, "受理日期")
            moment = read.moment
            if read.guessed_year:
                if hint is None and moment.date() > self.today.date():
                    moment = moment.replace(year=moment.year - 1)  # last year's, not next
                elif self.previous is not None and moment.date() < self.previous - _YEAR_TURN:
                    moment = moment.replace(year=moment.year + 1)  # the ledger went past New Year
        except (Unreadable, ValueError) as bad:  # ValueError: 2月29日 in the wrong year
            r.problems.append(str(bad) if isinstance(bad, Unreadable) else "受理日期不是有效的日期")
            return None
        if read.guessed_year:
            r.notes.append(f"受理日期没有写年份，记为 {moment:%Y-%m-%d}")
        if not read.has_time and times:
            moment = dt.datetime.combine(moment.date(), times[0])
        if moment.date() > self.today.date() or moment > self.today + dt.timedelta(minutes=5):
            r.problems.append(f"受理日期 {moment:%Y-%m-%d} 晚于今天")
            return None
        self.previous = moment.date()
        self.year_hint = moment.year
        return moment

    def _phone(self, row: SourceRow, r: _Reading) -> tuple[str, list[str]]:
        text = "/".join(cell_text(c) for c in self._cells(row, Field.CUSTOMER_PHONE))
        if not text:
            r.problems.append("缺少联系电话")
            return "", []
        numbers = read_phones(text)
        if not numbers:
            r.problems.append(
                f"联系电话「{text[:30]}」不是有效的号码（应为 11 位手机号或带区号的固定电话）"
            )
            return "", []
        chosen, others = pick_phone(numbers)
        if others:
            shown = "、".join(shown_phone(n) for n in others)
            r.notes.append(
                f"电话有 {len(numbers)} 个号码：取 {shown_phone(chosen)}，{shown} 记入投诉内容"
            )
        return chosen, others

    def _closest(self, list_name: str, text: str) -> Closest | None:
        """closest_entry, remembered: a ledger writes the same words thousands of times."""
        key = (list_name, text)
        if key not in self._entries:
            self._entries[key] = closest_entry(self.settings, list_name, text)
        return self._entries[key]

    def _entry(self, row: SourceRow, wanted: Field, list_name: str, r: _Reading) -> str:
        text = self._text(row, wanted)
        label = wanted.label
        if not text and list_name == "product_category":
            return ""
        found = self._closest(list_name, text or "其他")
        if found is None:  # a list without 其他: its first entry, said so
            entry = self.settings.active_entries(list_name)[0]
            found = Closest(entry.key, entry.label, False)
        # Said once for the file (Plan.closest_words), not on every row.
        if not text:
            if self.mapped(wanted):
                r.closest.append((label, "（未填）", found.label))
        elif not found.exact:
            r.closest.append((label, text[:20], found.label))
            if found.label == "其他":
                r.extra.append(f"{label}：{text}")
        return found.key

    def _severity(self, row: SourceRow, r: _Reading) -> Severity:
        text = self._text(row, Field.SEVERITY)
        if not text:
            return Severity.NORMAL
        code = read_severity(text)
        if code is None:
            r.notes.append(f"严重程度「{text[:20]}」无法识别，记为「一般」")
            r.extra.append(f"严重程度：{text}")
            return Severity.NORMAL
        return Severity(code)

    def _demands(self, row: SourceRow) -> dict[str, Any]:
        text = self._text(row, Field.DEMANDS)
        keys: list[str] = []
        rest: list[str] = []
        for word in (w for w in _DEMAND_SPLIT.split(text) if w):
            found = self._closest("demand", word)
            if found is not None and (found.exact or found.label != "其他"):
                keys.append(found.key)
            else:
                rest.append(word)
        note = "；".join(rest) if rest else ""
        if keys and rest:
            note = text  # the customer's own words beside the entries they became
        return {"demands": tuple(dict.fromkeys(keys)), "demand_note": note[:500]}

    def _side_date(self, row: SourceRow, wanted: Field, r: _Reading) -> dt.date | None:
        cells = self._cells(row, wanted)
        if not cells:
            return None
        try:
            return read_date(cells[0], self.year_hint, wanted.label).moment.date()
        except Unreadable as bad:
            r.notes.append(f"{bad}，原文记入投诉内容")
            r.extra.append(f"{wanted.label}：{cell_text(cells[0])}")
            return None

    def _person(self, row: SourceRow, wanted: Field, r: _Reading) -> Staff | None:
        name = self._text(row, wanted)
        if not name:
            return None
        member = self.staff.get(name)
        if member is None:
            r.notes.append(f"{wanted.label}「{name[:10]}」不是本店员工，记入投诉内容")
            r.extra.append(f"{wanted.label}：{name}")
        return member

    def _stage(self, row: SourceRow, r: _Reading) -> Stage | None:
        status = self._text(row, Field.STATUS)
        if status:
            stage = read_stage(status)
            if stage is not None:
                return stage
            r.notes.append(f"处理状态「{status[:20]}」无法识别")
            r.extra.append(f"处理状态：{status}")
        finished = any(
            self._text(row, f) for f in (Field.CLOSED_AT, Field.SATISFACTION, Field.OUTCOME)
        )
        if status or self.mapped(Field.STATUS):
            shown = "已结案（有处理结果或结案日期）" if finished else "已登记"
            r.notes.append(f"按{shown}导入")
        return Stage.CLOSED if finished else Stage.REGISTERED

    def _handling(
        self, row: SourceRow, stage: Stage, received: dt.datetime, category: str, r: _Reading
    ) -> dict[str, Any]:
        """The columns of a case that has gone past 已登记, as the ledger tells."""
        values: dict[str, Any] = {"stage": stage}
        if stage == Stage.REGISTERED:
            return values
        outcome = self._text(row, Field.OUTCOME)
        owner = self._person(row, Field.OWNER, r) or self.importer
        values |= {
            "owner_id": owner.id,
            "department": self._department(row, category, r),
            "assigned_at": received,
        }
        satisfaction = self._satisfaction(row, stage, r)
        if stage in (Stage.CLOSED, Stage.INVALID):
            closed_at = self._closed_at(row, received, r)
            if closed_at is None:
                return values
            values["closed_at"] = closed_at
        if stage == Stage.CLOSED:
            cause = self._text(row, Field.CAUSE)
            cause_key = ""
            if cause:
                found = self._closest("cause", cause)
                cause_key = found.key if found else ""
            return values | {
                "valid": True,
                "satisfaction": satisfaction,
                "closing_actions": outcome,
                "closing_cause": cause,
                "closing_improvement": self._text(row, Field.IMPROVEMENT),
                "cause_key": cause_key,
            }
        if stage == Stage.INVALID:
            status = self._text(row, Field.STATUS) or "不成立"
            said = f"旧台账记为「{status}」"
            return values | {
                "valid": False,
                "validity_reason": self._text(row, Field.CAUSE) or outcome or said,
                "invalid_explanation": outcome or said,
            }
        if stage in (Stage.IN_PROGRESS, Stage.UNDER_REVIEW, Stage.FOLLOW_UP):
            values["valid"] = True
        if outcome:
            if stage == Stage.FOLLOW_UP:
                values["rectification_result"] = outcome
            else:
                values["investigation_notes"] = f"旧台账处理情况：{outcome}"
        return values

    def _department(self, row: SourceRow, category: str, r: _Reading) -> str:
        text = self._text(row, Field.DEPARTMENT)
        if text:
            found = self._closest("department", text)
            if found is not None and found.label != "其他":
                if not found.exact:
                    r.closest.append(("责任部门", text[:20], found.label))
                return found.key
            r.extra.append(f"责任部门：{text}")
        route = self.settings.routing.get(category)
        if route is not None:
            return route.department
        return self.settings.active_entries("department")[0].key

    def _satisfaction(self, row: SourceRow, stage: Stage, r: _Reading) -> int | None:
        cells = self._cells(row, Field.SATISFACTION)
        if not cells:
            return None
        text = cell_text(cells[0])
        try:
            score = read_satisfaction(cells[0])
        except Unreadable as bad:
            r.notes.append(f"{bad}，原文记入投诉内容")
            r.extra.append(f"满意度：{text}")
            return None
        if stage != Stage.CLOSED:
            r.notes.append("满意度只记在已结案的案件上，原文记入投诉内容")
            r.extra.append(f"满意度：{text}")
            return None
        return score

    def _closed_at(self, row: SourceRow, received: dt.datetime, r: _Reading) -> dt.datetime | None:
        cells = [c for c in self._cells(row, Field.CLOSED_AT) if read_time(c) is None]
        if not cells:
            if self.mapped(Field.CLOSED_AT):
                r.notes.append("结案日期未填，按受理日期计")
            return received
        try:
            read = read_date(cells[0], received.year, "结案日期")
        except Unreadable as bad:
            r.problems.append(str(bad))
            return None
        closed = read.moment
        if read.guessed_year and closed.date() < received.date():
            closed = closed.replace(year=closed.year + 1)
        if closed.date() < received.date():
            r.problems.append(f"结案日期 {closed:%Y-%m-%d} 早于受理日期 {received:%Y-%m-%d}")
            return None
        if closed.date() > self.today.date():
            r.problems.append(f"结案日期 {closed:%Y-%m-%d} 晚于今天")
            return None
        return max(closed, received)

    @staticmethod
    def _description(text: str, other_phones: Sequence[str], extra: Sequence[str]) -> str:
        parts = [text]
        if other_phones:
            parts.append("【其他联系电话】" + "、".join(shown_phone(n) for n in other_phones))
        if extra:
            parts.append("【台账其他列】" + "；".join(extra))
        return "\n".join(p for p in parts if p)


# ---------------------------------------------------------------- identity


def row_key(
    ledger_no: str, received: dt.datetime | None, phone: str, name: str, description: str
) -> str:
    """How a later import knows the row: its ledger number and receipt date (a
    ledger that numbers from 1 each year repeats its numbers), else a hash of
    who complained when about what — not of the result or status, so a row
    closed in the ledger since is not taken a second time."""
    day = received.date().isoformat() if received else ""
    if ledger_no:
        return f"no:{' '.join(ledger_no.split()).upper()}|{day}"
    core = "\x1f".join((day, phone, "".join(name.split()), " ".join(description.split())))
    return "sha:" + hashlib.sha256(core.encode("utf-8")).hexdigest()


def content_hash(cells: Sequence[Cell]) -> str:
    """The row's whole content, for the record of what was imported."""
    text = "\x1f".join(cell_text(cell) for cell in cells)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
