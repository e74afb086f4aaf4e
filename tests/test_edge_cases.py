"""Sequences and inputs that once slipped past the rules; each must stay refused or sound."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from showroom_cs import operations as op
from showroom_cs.domain import (
    AppointmentStatus,
    ApprovalStatus,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from showroom_cs.errors import RuleError
from showroom_cs.search import search_case_ids
from showroom_cs.store import CannotOpen, Store

from .conftest import Desk
from .invariants import all_problems
from .walk import follow_up, to_follow_up, to_in_progress, to_investigating, to_under_review


def test_each_approval_pays_out_once(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register(), kind=SolutionKind.GIFT, cost_fen=300_00)
    op.decide_approval(desk.as_("刘洋"), desk.store.approvals(case.id)[0].id, approve=True)
    case = op.record_rectification(desk.as_("李强"), case.id, result="已送清洁套装").after
    case = op.review_case(
        desk.as_("陈静"), case.id, items=[ReviewItem("礼品送达", True)], passed=True
    ).after
    case = follow_up(desk, case, satisfaction=1)  # 二次处理
    assert case.stage == Stage.IN_PROGRESS
    with pytest.raises(RuleError, match="还没有可执行的审批"):
        op.record_rectification(desk.as_("李强"), case.id, result="再送一套")
    op.revise_solution(
        desk.as_("李强"),
        case.id,
        kind=SolutionKind.GIFT,
        steps="再送一套",
        reason="客户仍不满意",
        due_date=desk.clock.now().date(),
        cost_fen=300_00,
    )
    op.decide_approval(desk.as_("刘洋"), desk.store.approvals(case.id)[-1].id, approve=True)
    assert op.record_rectification(desk.as_("李强"), case.id, result="已再送").after.stage == (
        Stage.UNDER_REVIEW
    )
    used = [a.carried_out_at is not None for a in desk.store.approvals(case.id)]
    assert used == [True, True]
    assert all_problems(desk.store) == {}


def test_no_reassignment_while_under_review(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    with pytest.raises(RuleError, match="不能改派"):
        op.assign(desk.as_("李强"), case.id, owner_id=desk.staff["陈静"].id, department="销售部")


def test_an_unreached_follow_up_is_due_again_the_next_calling_day(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        reached=False,
    )
    calls = [
        c for c in desk.store.clocks(case.id, open_only=True) if c.kind == ClockKind.FOLLOW_UP_CALL
    ]
    assert [c.due_at for c in calls] == [dt.datetime(2026, 11, 24, 17, 30)]
    # called at 10:00, before the windows: tried again in this morning's first slot
    assert [c.planned_at for c in calls] == [dt.datetime(2026, 11, 23, 10, 30)]
    assert "11-23 10:30 再打" in desk.store.events(case.id)[-1].note


def test_switching_needs_visit_back_on_after_a_visit_starts_no_clock(desk: Desk) -> None:
    case = desk.register(needs_visit=True)
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=dt.datetime(2026, 11, 24, 9),
        ends_at=dt.datetime(2026, 11, 24, 10),
    )
    op.edit_case(desk.as_("王芳"), case.id, {"needs_visit": False})
    op.edit_case(desk.as_("王芳"), case.id, {"needs_visit": True})
    desk.clock.advance(days=5)
    op.check_clocks(desk.system)
    notes = " ".join(e.note for e in desk.store.events(case.id))
    assert "上门超时" not in notes


def test_lowering_severity_clears_a_breach_that_is_no_longer_late(desk: Desk) -> None:
    case = desk.register(severity=Severity.URGENT)
    desk.clock.advance(hours=3)
    op.check_clocks(desk.system)
    assert desk.case(case.id).overdue
    case = op.edit_case(desk.as_("王芳"), case.id, {"severity": Severity.NORMAL}).after
    assert not case.overdue
    assert case.escalation_level == 1  # what happened stays on the record


def test_finishing_a_case_ends_waiting_requests_and_visits(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register(), kind=SolutionKind.COMPENSATION, cost_fen=500_00)
    op.schedule_visit(
        desk.as_("李强"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=dt.datetime(2026, 11, 24, 9),
        ends_at=dt.datetime(2026, 11, 24, 10),
    )
    op.void_case(desk.as_("赵敏"), case.id, "客户撤诉")
    assert [a.status for a in desk.store.approvals(case.id)] == [ApprovalStatus.WITHDRAWN]
    assert [a.status for a in desk.store.appointments(case.id)] == [AppointmentStatus.CANCELLED]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"demands": None, "demand_note": ""}, "demands"),
        ({"demands": 5}, "demands"),
        ({"purchase_date": "昨天"}, "purchase_date"),
        ({"severity": "很严重"}, "severity"),
        ({"received_at": "今天"}, "received_at"),
        ({"received_at": dt.datetime(2016, 1, 1, 9)}, "received_at"),
    ],
)
def test_wrong_types_and_far_dates_are_refused_in_chinese(
    desk: Desk, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(RuleError) as refused:
        desk.register(**overrides)
    assert field in refused.value.missing
    assert refused.value.message.isascii() is False


def test_friendly_types_are_accepted(desk: Desk) -> None:
    aware = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    case = desk.register(
        demands="维修",
        purchase_date=dt.datetime(2026, 8, 15, 10),
        received_at=aware,
        customer_name="李\ud800娜",
    )
    assert case.demands == ("维修",) and case.purchase_date == dt.date(2026, 8, 15)
    assert case.customer_name == "李娜"
    assert case.received_at.tzinfo is None


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"kind": "修理"}, "请选择方案类型"),
        ({"cost_fen": "100"}, "请填写数字金额"),
        ({"cost_fen": 10**20}, "超出范围"),
        ({"cost_fen": -1}, "不能为负数"),
    ],
)
def test_bad_solution_fields_are_refused(desk: Desk, kwargs: dict[str, object], words: str) -> None:
    case = to_investigating(desk, desk.register())
    values: dict[str, object] = {
        "validity_reason": "属实",
        "kind": SolutionKind.REPAIR,
        "steps": "修",
        "due_date": desk.clock.now().date(),
        "cost_fen": 0,
    }
    values.update(kwargs)
    with pytest.raises(RuleError, match=words):
        op.propose_solution(desk.as_("李强"), case.id, **values)  # type: ignore[arg-type]
    fixed = {**values, "kind": "repair", "cost_fen": 0}
    assert op.propose_solution(desk.as_("李强"), case.id, **fixed).after.solution_kind == (  # type: ignore[arg-type]
        SolutionKind.REPAIR
    )


def test_a_call_before_the_complaint_was_received_is_refused(desk: Desk) -> None:
    case = desk.register()
    with pytest.raises(RuleError, match="联系时间不能早于"):
        op.record_contact(
            desk.as_("王芳"),
            case.id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.FIRST_CONTACT,
            reached=True,
            at=dt.datetime(1990, 1, 1),
        )


def test_an_edit_cannot_empty_the_demand(desk: Desk) -> None:
    case = desk.register()
    with pytest.raises(RuleError, match="客户诉求不能为空"):
        op.edit_case(desk.as_("王芳"), case.id, {"demands": ()})


def test_search_finds_phones_however_typed_and_survives_odd_input(desk: Desk) -> None:
    mobile = desk.register()
    landline = desk.register(customer_name="王芳", customer_phone="021-61234567")
    for typed in ("+86 138 0013 8000", "+8613800138000", "138-0013-8000"):
        assert search_case_ids(desk.store, typed) == [mobile.id], typed
    for typed in ("(021)61234567", "(021) 6123 4567", "6123"):
        assert search_case_ids(desk.store, typed) == [landline.id], typed
    assert search_case_ids(desk.store, "\x00张") == [mobile.id]
    assert search_case_ids(desk.store, "\x00abc") == []
    assert search_case_ids(desk.store, " ".join(f"词{i}" for i in range(2000))) == []


def test_opening_a_folder_or_a_path_under_a_file_says_so_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(CannotOpen, match="无法打开"):
        Store.open(tmp_path)
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(CannotOpen, match="无法打开"):
        Store.open(blocker / "cases.db")


def test_the_same_photo_twice_is_refused_and_the_first_copy_kept(tmp_path: Path) -> None:
    from showroom_cs.clock import FixedClock

    from .conftest import START, make_desk

    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    case = desk.register()
    photo = tmp_path / "门板.jpg"
    photo.write_bytes(b"\xff\xd8jpeg" * 100)
    op.add_attachment(desk.as_("王芳"), case.id, photo)
    with pytest.raises(RuleError, match="不必重复添加"):
        op.add_attachment(desk.as_("王芳"), case.id, photo)
    (kept,) = desk.store.attachments(case.id)
    assert (tmp_path / "cases-attachments" / kept.stored_name).read_bytes() == photo.read_bytes()
