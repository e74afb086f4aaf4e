"""Living a seed's story day by day: a clock moved across real calendar days,
the window's minute sweep run whenever the PC is on, and what each person
sees — their to-do list, a case's open limits and calls, the printed forms
read back from their PDFs, the weekly file's rows, the statistics."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.daily import daily_summary
from showroom_cs.demo import DEMO_STAFF
from showroom_cs.domain import Case, Staff
from showroom_cs.export import HEADER, build_week, parse_week_file
from showroom_cs.operations import CaseDraft, Context, check_clocks
from showroom_cs.pdf import render
from showroom_cs.privacy import mask_name
from showroom_cs.queries import todo_items, todo_line
from showroom_cs.stats import RangeReport, report
from showroom_cs.store import Store

from .wording import doubled


def moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@dataclass
class Story:
    store: Store
    clock: FixedClock
    staff: dict[str, Staff]
    pc_on: bool = True

    @classmethod
    def open(cls, folder: Path, start: str) -> Story:
        """The demo showroom's eight people on a new file, at `start`."""
        store = Store.open(folder / "cases.db")
        clock = FixedClock(moment(start))
        first = op.add_staff(Context(store, clock, None), *DEMO_STAFF[0])
        staff = {first.name: first}
        for name, role in DEMO_STAFF[1:]:
            staff[name] = op.add_staff(Context(store, clock, first.id), name, role)
        return cls(store, clock, staff)

    # -------------------------------------------------------------- time

    def at(self, when: str) -> dt.datetime:
        """Time moves on to `when` (never back); with the PC on, the window's
        minute sweep has run by then."""
        target = moment(when)
        assert target >= self.clock.now(), f"time runs forward: {when}"
        self.clock.set(target)
        if self.pc_on:
            check_clocks(Context(self.store, self.clock, None))
        return target

    def switch_off(self) -> None:
        """Closing time: nobody sweeps until the PC is switched on again."""
        self.pc_on = False

    def switch_on(self, when: str) -> dt.datetime:
        self.pc_on = True
        return self.at(when)

    # -------------------------------------------------------------- acts

    def as_(self, name: str) -> Context:
        return Context(self.store, self.clock, self.staff[name].id)

    def register(self, by: str, draft: CaseDraft) -> Case:
        return op.register_case(self.as_(by), draft).after

    def case(self, case_id: int) -> Case:
        return self.store.case(case_id)

    def open_case(self, name: str, case_id: int) -> None:
        """What opening the case view does for this person."""
        op.mark_seen(self.as_(name), case_id)

    # -------------------------------------------------------------- what people see

    def todo(self, name: str) -> list[str]:
        """今日待办 of `name`, line by line as the page shows it (names masked)."""
        items = todo_items(self.store, self.staff[name], self.clock.now())
        cases = {c.id: c for c in self.store.cases([item.case_id for item in items])}
        lines = []
        for item in items:
            case = cases[item.case_id]
            lines.append(todo_line(item, case.case_no, mask_name(case.customer_name)))
        for line in lines:
            assert doubled(line) is None, line
        return lines

    def limits(self, case_id: int) -> list[str]:
        """The case's open time limits and calls: `首次响应 11-20 00:20`,
        `回访 11-21 17:30（约 11-21 10:30 打）`, in due order."""
        out = []
        for clock in sorted(self.store.clocks(case_id, open_only=True), key=lambda c: c.due_at):
            text = f"{clock.kind.label} {clock.due_at:%m-%d %H:%M}"
            if clock.planned_at is not None:
                text += f"（约 {clock.planned_at:%m-%d %H:%M} 打）"
            out.append(text)
        return out

    def timeline(self, case_id: int) -> list[str]:
        names = {s.id: s.name for s in self.store.all_staff()}
        lines = [
            f"{e.at:%m-%d %H:%M} {names.get(e.actor_id or 0, '系统')} {e.note}"
            for e in self.store.events(case_id)
        ]
        for line in lines:
            assert doubled(line) is None, line
        return lines

    def form(self, case_id: int, form: str, review_round: int | None = None) -> str:
        """A printed form's text, read back from its PDF, without line breaks."""
        data = render(
            self.store, self.case(case_id), form, review_round=review_round, now=self.clock.now()
        )
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert doubled(text) is None, doubled(text)
        return re.sub(r"\s+", "", text)

    def week(self, week: str) -> dict[str, dict[str, str]]:
        """The weekly head-office file's rows, by case number."""
        rows = parse_week_file(f"{week}.csv", build_week(self.store, week).data).rows
        return {row[3]: dict(zip(HEADER, row, strict=True)) for row in rows}

    def stats(self, start: str, end: str) -> RangeReport:
        return report(self.store, moment(start), moment(end), self.clock.now())

    def overdue_on(self, day: str) -> list[str]:
        """The 每日汇总单's overdue list of `day`, as read now."""
        sheet = daily_summary(self.store, dt.date.fromisoformat(day), self.clock.now())
        return [f"{row.case_no} {row.kind.label} {row.due_at:%m-%d %H:%M}" for row in sheet.overdue]
