"""责任认定: recorded by managers on closed valid cases, seen by managers only,
counted per department, and never in the head-office file."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.domain import AccountabilityMeasure, Responsibility
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.export import build_all, build_week

from .conftest import START, Desk
from .walk import to_closed, to_in_progress

MONTH = (dt.datetime(2026, 11, 1), dt.datetime(2026, 12, 1))


def _finding(desk: Desk, case_id: int, who: str = "陈静", **overrides: object) -> op.Finding:
    values: dict[str, object] = {
        "responsibility": Responsibility.COMPANY,
        "department": "安装部",
        "person": "安装师傅老张",
        "measure": AccountabilityMeasure.DEDUCTION,
        "measure_note": "未按规范调试铰链",
        "amount_fen": 200_00,
    }
    values.update(overrides)
    return op.record_accountability(desk.as_(who), case_id, **values)  # type: ignore[arg-type]


def test_a_manager_records_the_finding_and_the_timeline_tells_only_that(desk: Desk) -> None:
    case = to_closed(desk, desk.register())
    finding = _finding(desk, case.id)
    assert (finding.person, finding.amount_fen) == ("安装师傅老张", 200_00)
    assert op.accountability_of(desk.as_("刘洋"), case.id) == finding
    last = desk.store.events(case.id)[-1]
    assert last.note == "记录了责任认定（仅管理人员可见）" and not last.changes
    # Every word of it stays off the timeline that clerks read.
    timeline = " ".join(e.note + str(e.changes) for e in desk.store.events(case.id))
    assert "老张" not in timeline and "未按规范" not in timeline
    # A later finding supersedes; both are kept.
    _finding(desk, case.id, who="刘洋", measure=AccountabilityMeasure.TRAINING, amount_fen=0)
    now_in_force = op.accountability_of(desk.as_("陈静"), case.id)
    assert now_in_force is not None and now_in_force.measure == AccountabilityMeasure.TRAINING
    assert desk.store.scalar("SELECT COUNT(*) FROM accountability") == 2


@pytest.mark.parametrize("who", ["王芳", "赵敏", "李强"])
def test_clerks_supervisors_and_department_heads_can_neither_record_nor_read_it(
    desk: Desk, who: str
) -> None:
    case = to_closed(desk, desk.register())
    _finding(desk, case.id)
    with pytest.raises(
        PermissionDenied, match="不能查看和记录责任认定：只有店长、总经理或老板可以"
    ):
        _finding(desk, case.id, who=who)
    with pytest.raises(PermissionDenied):
        op.accountability_of(desk.as_(who), case.id)
    with pytest.raises(PermissionDenied):
        op.findings_by_department(desk.as_(who), *MONTH)
    assert desk.store.scalar("SELECT COUNT(*) FROM accountability") == 1


def test_only_closed_valid_cases_and_sensible_measures(desk: Desk) -> None:
    open_case = to_in_progress(desk, desk.register())
    with pytest.raises(RuleError, match="成立的投诉结案后"):
        _finding(desk, open_case.id)
    closed = to_closed(desk, desk.register(customer_phone="13912345678"))
    with pytest.raises(RuleError, match="扣罚请填写金额"):
        _finding(desk, closed.id, amount_fen=0)
    with pytest.raises(RuleError, match="只有「扣罚」需要填写金额"):
        _finding(desk, closed.id, measure=AccountabilityMeasure.WARNING)
    with pytest.raises(RuleError, match="请从列表中选择责任部门"):
        _finding(desk, closed.id, department="火星部")
    with pytest.raises(RuleError, match="写明是什么"):
        _finding(
            desk, closed.id, measure=AccountabilityMeasure.OTHER, amount_fen=0, measure_note=""
        )


def test_statistics_count_findings_per_department(desk: Desk) -> None:
    for number, (department, responsibility) in enumerate(
        (
            ("安装部", Responsibility.COMPANY),
            ("安装部", Responsibility.SUPPLIER),
            ("配送部", Responsibility.COMPANY),
        )
    ):
        case = to_closed(desk, desk.register(customer_phone=f"1391234000{number}"))
        _finding(desk, case.id, department=department, responsibility=responsibility)
    by_department = op.findings_by_department(desk.as_("陈静"), *MONTH)
    assert [(f.department, f.total) for f in by_department] == [("安装部", 2), ("配送部", 1)]
    assert by_department[0].by_responsibility == {
        Responsibility.COMPANY: 1,
        Responsibility.SUPPLIER: 1,
    }
    later = (START + dt.timedelta(days=60), START + dt.timedelta(days=90))
    assert op.findings_by_department(desk.as_("陈静"), *later) == []


def test_the_head_office_files_carry_none_of_it(desk: Desk) -> None:
    case = to_closed(desk, desk.register())
    _finding(desk, case.id, person="安装师傅老张", measure_note="扣当月绩效")
    for data in (
        build_week(desk.store, "2026-W48").data,
        build_all(desk.store, desk.clock.now()).data,
    ):
        text = data.decode("utf-8-sig")
        assert case.case_no in text
        assert "老张" not in text and "扣当月绩效" not in text and "200" not in text
