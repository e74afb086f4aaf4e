"""责任认定 (seeds 002, 003): after a valid case is closed, a manager records
whose responsibility it was, the department and person, and any internal
measure (training, warning, deduction…). Kept in its own append-only log
and shown to managers only: the case timeline, read by every clerk, says
just that a finding was recorded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import permissions
from ..domain import AccountabilityMeasure, Responsibility, Staff, Stage
from ..errors import RuleError
from ..permissions import Action
from ..store.rows import db_time
from ._common import Context, append_event, as_enum, clean_text, load_case, require_active

MAX_AMOUNT_FEN = 10_000_000  # 十万元: beyond any internal deduction


@dataclass(frozen=True, slots=True)
class Finding:
    case_id: int
    at: dt.datetime
    by_id: int
    responsibility: Responsibility
    department: str
    person: str
    measure: AccountabilityMeasure
    measure_note: str
    amount_fen: int


def _require_manager(ctx: Context) -> Staff:
    actor = require_active(ctx)
    permissions.require(actor, Action.RECORD_FINDING)
    return actor


def record_accountability(
    ctx: Context,
    case_id: int,
    *,
    responsibility: Responsibility,
    department: str,
    person: str = "",
    measure: AccountabilityMeasure = AccountabilityMeasure.NONE,
    measure_note: str = "",
    amount_fen: int = 0,
) -> Finding:
    """A finding on a closed, valid case; a later one supersedes (both are kept)."""
    actor = _require_manager(ctx)
    case = load_case(ctx, case_id)
    if case.stage != Stage.CLOSED or case.valid is not True:
        raise RuleError("责任认定在成立的投诉结案后记录。")
    responsibility = as_enum(Responsibility, responsibility, "责任认定", "responsibility")
    measure = as_enum(AccountabilityMeasure, measure, "内部处理措施", "measure")
    if not ctx.settings.has_key("department", department, include_retired=True):
        raise RuleError("请从列表中选择责任部门。", missing=("department",))
    person = clean_text(person, "责任人", max_len=40, field="person")
    measure_note = clean_text(measure_note, "措施说明", max_len=500, field="measure_note")
    if not isinstance(amount_fen, int) or not 0 <= amount_fen <= MAX_AMOUNT_FEN:
        raise RuleError("扣罚金额请填 0 到 100000 元。", missing=("amount_fen",))
    if amount_fen and measure != AccountabilityMeasure.DEDUCTION:
        raise RuleError("只有「扣罚」需要填写金额。", missing=("amount_fen",))
    if measure == AccountabilityMeasure.DEDUCTION and not amount_fen:
        raise RuleError("扣罚请填写金额。", missing=("amount_fen",))
    if measure == AccountabilityMeasure.OTHER and not measure_note:
        raise RuleError("选了「其他」措施，请写明是什么。", missing=("measure_note",))
    now = ctx.now()
    with ctx.store.transaction():
        ctx.store.insert(
            "accountability",
            {
                "case_id": case_id,
                "at": db_time(now),
                "by_id": actor.id,
                "responsibility": responsibility.value,
                "department": department,
                "person": person,
                "measure": measure.value,
                "measure_note": measure_note,
                "amount_fen": amount_fen,
            },
        )
        append_event(ctx, case_id, "accountability", "记录了责任认定（仅管理人员可见）")
    finding = accountability_of(ctx, case_id)
    assert finding is not None
    return finding


def accountability_of(ctx: Context, case_id: int) -> Finding | None:
    """The finding in force (the latest), for managers; None when none is recorded."""
    _require_manager(ctx)
    row = ctx.store.query_one(
        "SELECT * FROM accountability WHERE case_id = ? ORDER BY id DESC LIMIT 1", (case_id,)
    )
    if row is None:
        return None
    return Finding(
        case_id=row["case_id"],
        at=dt.datetime.fromisoformat(row["at"]),
        by_id=row["by_id"],
        responsibility=Responsibility(row["responsibility"]),
        department=row["department"],
        person=row["person"],
        measure=AccountabilityMeasure(row["measure"]),
        measure_note=row["measure_note"],
        amount_fen=row["amount_fen"],
    )


@dataclass(frozen=True, slots=True)
class DepartmentFindings:
    department: str
    total: int
    by_responsibility: dict[Responsibility, int]


def findings_by_department(
    ctx: Context, start: dt.datetime, end: dt.datetime
) -> list[DepartmentFindings]:
    """For 统计 (managers only): the findings in force on cases closed in
    [start, end), counted per department, most first."""
    _require_manager(ctx)
    rows = ctx.store.query(
        "SELECT a.department, a.responsibility, COUNT(*) AS n FROM accountability a "
        "JOIN (SELECT MAX(id) AS id FROM accountability GROUP BY case_id) latest "
        "ON latest.id = a.id JOIN cases c ON c.id = a.case_id "
        "WHERE c.stage = 'closed' AND c.closed_at >= ? AND c.closed_at < ? "
        "GROUP BY a.department, a.responsibility",
        (db_time(start), db_time(end)),
    )
    counts: dict[str, dict[Responsibility, int]] = {}
    for row in rows:
        counts.setdefault(row["department"], {})[Responsibility(row["responsibility"])] = row["n"]
    found = [DepartmentFindings(d, sum(c.values()), c) for d, c in counts.items()]
    return sorted(found, key=lambda f: (-f.total, f.department))
