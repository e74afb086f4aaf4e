"""Every legal transition of the spec's workflow, and every illegal one refused in Chinese."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs import workflow
from showroom_cs.domain import (
    ApprovalStatus,
    ContactMethod,
    ContactPurpose,
    EscalationLevel,
    ReviewItem,
    SolutionKind,
    Stage,
)
from showroom_cs.errors import PermissionDenied, RuleError

from .conftest import Desk
from .invariants import all_problems
from .walk import (
    TO_STAGE,
    follow_up,
    to_closed,
    to_follow_up,
    to_in_progress,
    to_investigating,
    to_under_review,
)


def test_happy_path_walks_every_stage_and_records_each_step(desk: Desk) -> None:
    case = desk.register()
    assert case.case_no == "TS-20261123-001"
    assert case.stage == Stage.REGISTERED
    seen = [case.stage]
    for step in (to_investigating, to_in_progress, to_under_review, to_follow_up, to_closed):
        case = step(desk, desk.case(case.id))
        seen.append(case.stage)
    assert seen == [
        Stage.REGISTERED,
        Stage.INVESTIGATING,
        Stage.IN_PROGRESS,
        Stage.UNDER_REVIEW,
        Stage.FOLLOW_UP,
        Stage.CLOSED,
    ]
    kinds = [e.kind for e in desk.store.events(case.id)]
    assert kinds == [
        "register",
        "assign",
        "propose_solution",
        "rectification",
        "review",
        "contact",
        "close",
    ]
    assert case.satisfaction == 4 and case.closed_at == desk.clock.now()
    assert all_problems(desk.store) == {}


def test_case_numbers_count_per_day_and_are_never_reused(desk: Desk) -> None:
    first = desk.register()
    second = desk.register(customer_name="李娜", customer_phone="13912345678")
    op.void_case(desk.as_("赵敏"), first.id, "登记错误")
    third = desk.register(customer_name="王磊", customer_phone="13712345678")
    desk.clock.advance(days=1)
    next_day = desk.register()
    assert [c.case_no for c in (first, second, third, next_day)] == [
        "TS-20261123-001",
        "TS-20261123-002",
        "TS-20261123-003",
        "TS-20261124-001",
    ]


def test_a_refused_registration_uses_no_number(desk: Desk) -> None:
    with pytest.raises(RuleError):
        desk.register(customer_phone="12345")
    assert desk.register().case_no == "TS-20261123-001"


@pytest.mark.parametrize(
    ("overrides", "missing", "words"),
    [
        ({"customer_name": " "}, "customer_name", "客户姓名"),
        ({"customer_phone": ""}, "customer_phone", "联系电话"),
        ({"description": ""}, "description", "投诉内容"),
        ({"category": ""}, "category", "投诉类别"),
        ({"demands": (), "demand_note": ""}, "demands", "客户诉求"),
        ({"customer_phone": "12345"}, "customer_phone", "不是有效的号码"),
        ({"category": "天气不好"}, "category", "不在列表中"),
        ({"description": "漏" * 5001}, "description", "太长"),
        ({"purchase_date": dt.date(2026, 12, 1)}, "purchase_date", "购买日期不能晚于受理日期"),
    ],
)
def test_registration_refuses_bad_input_naming_the_field(
    desk: Desk, overrides: dict[str, object], missing: str, words: str
) -> None:
    with pytest.raises(RuleError) as refused:
        desk.register(**overrides)
    assert missing in refused.value.missing
    assert words in refused.value.message
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == 0


def test_emoji_and_rare_characters_are_kept_exactly(desk: Desk) -> None:
    case = desk.register(customer_name="𠮷野家", description="门板裂了😭，请尽快处理")
    assert desk.case(case.id).customer_name == "𠮷野家"
    assert desk.case(case.id).description == "门板裂了😭，请尽快处理"


# ------------------------------------------------------------ illegal moves

ALL_ACTIONS = {
    "assign": lambda d, c: op.assign(
        d.as_("赵敏"), c.id, owner_id=d.staff["李强"].id, department="安装部"
    ),
    "judge_invalid": lambda d, c: op.judge_invalid(
        d.as_("赵敏"), c.id, reason="r", explanation="e"
    ),
    "propose_solution": lambda d, c: op.propose_solution(
        d.as_("赵敏"),
        c.id,
        validity_reason="r",
        kind=SolutionKind.REPAIR,
        steps="s",
        due_date=dt.date(2026, 11, 30),
        cost_fen=0,
    ),
    "record_rectification": lambda d, c: op.record_rectification(d.as_("赵敏"), c.id, result="r"),
    "review": lambda d, c: op.review_case(
        d.as_("赵敏"), c.id, items=[ReviewItem("x", True)], passed=True
    ),
    "close": lambda d, c: op.close_case(
        d.as_("赵敏"), c.id, cause="c", actions="a", improvement="i", cause_key="其他"
    ),
    "reopen": lambda d, c: op.reopen_case(d.as_("赵敏"), c.id, "r"),
}


def _legal_stages(action: str) -> frozenset[Stage]:
    stages = workflow.RULES[action].stages
    # op.assign is 改派 (reassign) once the case is past 已登记.
    return stages | workflow.RULES["reassign"].stages if action == "assign" else stages


ILLEGAL = [
    (stage, action)
    for stage in TO_STAGE
    for action in ALL_ACTIONS
    if stage not in _legal_stages(action)
]


@pytest.mark.parametrize(("stage", "action"), ILLEGAL)
def test_actions_outside_their_stages_are_refused_with_the_reason(
    desk: Desk, stage: Stage, action: str
) -> None:
    case = TO_STAGE[stage](desk, desk.register())
    assert case.stage == stage
    events_before = len(desk.store.events(case.id))
    with pytest.raises(RuleError) as refused:
        ALL_ACTIONS[action](desk, case)
    assert f"案件当前为「{case.stage.label}」" in refused.value.message
    assert desk.case(case.id).stage == case.stage
    assert len(desk.store.events(case.id)) == events_before


def test_kanban_moves_map_to_actions_and_skips_are_refused() -> None:
    assert workflow.action_for_move(Stage.REGISTERED, Stage.INVESTIGATING) == "assign"
    assert workflow.action_for_move(Stage.UNDER_REVIEW, Stage.IN_PROGRESS) == "review"
    with pytest.raises(RuleError, match="不能从「已登记」直接移到「已结案」"):
        workflow.action_for_move(Stage.REGISTERED, Stage.CLOSED)


# ------------------------------------------------------------- who may do it


def test_a_clerk_may_not_judge_solve_or_review_but_the_owner_may(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    with pytest.raises(PermissionDenied, match="客服专员不能判定不成立"):
        op.judge_invalid(desk.as_("孙丽"), case.id, reason="r", explanation="e")
    reason = workflow.why_not(desk.staff["孙丽"], case, "propose_solution")
    assert reason is not None and "只有对自己负责的案件才能确定处理方案" in reason
    # A clerk who owns the case may handle it.
    op.assign(desk.as_("赵敏"), case.id, owner_id=desk.staff["孙丽"].id, department="客服部")
    assert workflow.why_not(desk.staff["孙丽"], desk.case(case.id), "propose_solution") is None


def test_review_by_the_owner_or_the_rectifier_is_refused(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    with pytest.raises(PermissionDenied, match="复核人不能是本案的责任人或整改人"):
        op.review_case(desk.as_("李强"), case.id, items=[ReviewItem("门板", True)], passed=True)
    with pytest.raises(PermissionDenied, match="客服专员不能复核"):
        op.review_case(desk.as_("王芳"), case.id, items=[ReviewItem("门板", True)], passed=True)
    assert desk.case(case.id).stage == Stage.UNDER_REVIEW


def test_a_deactivated_staff_member_cannot_act(desk: Desk) -> None:
    case = desk.register()
    with desk.store.transaction():
        desk.store.write_staff({"active": 0}, desk.staff["王芳"].id)
    with pytest.raises(PermissionDenied, match="王芳已停用"):
        op.escalate(desk.as_("王芳"), case.id, "客户情绪激动")


# ---------------------------------------------------------- required data


def test_assign_needs_owner_and_department(desk: Desk) -> None:
    case = desk.register()
    with pytest.raises(RuleError, match="请选择责任人"):
        op.assign(desk.as_("王芳"), case.id, owner_id=None, department="安装部")
    with pytest.raises(RuleError, match="请选择责任部门"):
        op.assign(desk.as_("王芳"), case.id, owner_id=desk.staff["李强"].id, department="")


def test_default_routing_follows_seed_000(desk: Desk) -> None:
    staff = desk.store.all_staff()
    settings = desk.store.settings()
    assert op.suggest_route(settings, staff, "安装施工") == ("安装部", desk.staff["李强"].id)
    assert op.suggest_route(settings, staff, "设计问题") == ("设计部", desk.staff["陈静"].id)
    assert op.suggest_route(settings, staff, "服务态度") == ("客服部", desk.staff["赵敏"].id)


def test_invalid_needs_reason_and_explanation_and_closes(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    with pytest.raises(RuleError) as refused:
        op.judge_invalid(desk.as_("李强"), case.id, reason="", explanation=" ")
    assert refused.value.missing == ("validity_reason", "invalid_explanation")
    assert "不成立的理由、对客户的解释" in refused.value.message
    case = op.judge_invalid(
        desk.as_("李强"), case.id, reason="正常使用痕迹", explanation="已说明保养方法"
    ).after
    assert case.stage == Stage.INVALID and case.valid is False and case.closed_at is not None
    assert desk.store.clocks(case.id, open_only=True) == []


def test_solution_needs_kind_steps_date_and_cost(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    with pytest.raises(RuleError) as refused:
        op.propose_solution(
            desk.as_("李强"),
            case.id,
            validity_reason="属实",
            kind=None,
            steps="",
            due_date=None,
            cost_fen=None,
        )
    assert "方案类型、处理步骤、预计完成日期、费用" in refused.value.message
    with pytest.raises(RuleError, match="投诉成立的理由"):
        op.propose_solution(
            desk.as_("李强"),
            case.id,
            validity_reason="",
            kind=SolutionKind.REPAIR,
            steps="修",
            due_date=dt.date(2026, 11, 25),
            cost_fen=0,
        )
    with pytest.raises(RuleError, match="预计完成日期不能早于今天"):
        op.propose_solution(
            desk.as_("李强"),
            case.id,
            validity_reason="属实",
            kind=SolutionKind.REPAIR,
            steps="修",
            due_date=dt.date(2026, 11, 1),
            cost_fen=0,
        )


def test_rectification_needs_a_result(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register())
    with pytest.raises(RuleError, match="请填写整改结果"):
        op.record_rectification(desk.as_("李强"), case.id, result="  ")


def test_failed_review_needs_open_problems_and_goes_back_same_day(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    with pytest.raises(RuleError, match="请列出具体的遗留问题"):
        op.review_case(desk.as_("陈静"), case.id, items=[ReviewItem("门板", False)], passed=False)
    with pytest.raises(RuleError, match="有未通过的复核项目"):
        op.review_case(desk.as_("陈静"), case.id, items=[ReviewItem("门板", False)], passed=True)
    case = op.review_case(
        desk.as_("陈静"),
        case.id,
        items=[ReviewItem("门板", False, "仍有缝隙")],
        passed=False,
        open_problems="左门仍有 2mm 缝隙",
    ).after
    assert case.stage == Stage.IN_PROGRESS and case.review_round == 1
    fix = [c for c in desk.store.clocks(case.id, open_only=True) if c.kind.value == "review_fix"]
    assert fix and fix[0].due_at == dt.datetime(2026, 11, 23, 18, 0)
    # Second round passes.
    case = to_under_review(desk, case)
    case = to_follow_up(desk, case)
    assert case.review_round == 2
    assert [r.passed for r in desk.store.reviews(case.id)] == [False, True]


def test_closing_needs_a_satisfied_follow_up_and_the_summary(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    with pytest.raises(RuleError, match="结案前需要回访客户并记录满意度"):
        op.close_case(
            desk.as_("李强"), case.id, cause="c", actions="a", improvement="i", cause_key="其他"
        )
    with pytest.raises(RuleError, match="请记录客户满意度"):
        op.record_contact(
            desk.as_("王芳"),
            case.id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.FOLLOW_UP,
            reached=True,
        )
    follow_up(desk, case, satisfaction=5)
    with pytest.raises(RuleError) as refused:
        op.close_case(desk.as_("李强"), case.id, cause="c", actions="", improvement="")
    assert "处理经过、改进措施、问题原因类别" in refused.value.message


def test_not_satisfied_goes_back_for_second_handling_and_escalates(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    case = follow_up(desk, case, satisfaction=2)
    assert case.stage == Stage.IN_PROGRESS
    assert case.escalation_level == EscalationLevel.SUPERVISOR
    last = desk.store.events(case.id)[-1]
    assert last.kind == "second_handling"
    assert last.changes["stage"] == ("follow_up", "in_progress")
    assert "升级至客服主管" in last.note


def test_unreached_follow_up_keeps_the_case_waiting(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    case = op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        reached=False,
        next_action="明天 10:30 再打",
    ).after
    assert case.stage == Stage.FOLLOW_UP and case.satisfaction is None
    with pytest.raises(RuleError, match="没有联系上客户，不能记录满意度"):
        op.record_contact(
            desk.as_("王芳"),
            case.id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.FOLLOW_UP,
            reached=False,
            satisfaction=5,
        )


def test_apology_and_refund_may_skip_review_others_may_not(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register(), kind=SolutionKind.APOLOGY)
    case = op.record_rectification(
        desk.as_("李强"), case.id, result="已当面道歉", skip_review=True
    ).after
    assert case.stage == Stage.FOLLOW_UP
    other = to_in_progress(desk, desk.register(customer_phone="13912345678"))
    with pytest.raises(RuleError, match="可以不经复核"):
        op.record_rectification(desk.as_("李强"), other.id, result="已修", skip_review=True)


def test_on_spot_solution_goes_straight_to_follow_up(desk: Desk, make_draft) -> None:
    case = op.register_case(
        desk.as_("王芳"),
        make_draft(category="服务态度"),
        on_spot=op.OnSpotSolution(SolutionKind.APOLOGY, "当场道歉并说明"),
    ).after
    assert case.stage == Stage.FOLLOW_UP and case.on_spot and case.valid is True
    assert [e.kind for e in desk.store.events(case.id)] == ["register"]
    with pytest.raises(RuleError, match="赠礼或赔偿需要审批，不能当场解决"):
        op.register_case(
            desk.as_("王芳"),
            make_draft(),
            on_spot=op.OnSpotSolution(SolutionKind.GIFT, "送一套清洁剂"),
        )
    assert to_closed(desk, case).stage == Stage.CLOSED


def test_reopen_and_void(desk: Desk) -> None:
    closed = to_closed(desk, desk.register())
    with pytest.raises(PermissionDenied, match="客服专员不能重新打开"):
        op.reopen_case(desk.as_("王芳"), closed.id, "客户说又坏了")
    reopened = op.reopen_case(desk.as_("赵敏"), closed.id, "客户说又坏了").after
    assert reopened.stage == Stage.IN_PROGRESS
    assert reopened.reopen_count == 1 and reopened.closed_at is None
    assert reopened.satisfaction is None
    with pytest.raises(RuleError, match="请填写作废理由"):
        op.void_case(desk.as_("赵敏"), reopened.id, "")
    voided = op.void_case(desk.as_("赵敏"), reopened.id, "重复登记").after
    assert voided.stage == Stage.VOIDED and voided.void_reason == "重复登记"
    with pytest.raises(RuleError, match="不能作废"):
        op.void_case(desk.as_("赵敏"), voided.id, "再次作废")
    assert all_problems(desk.store) == {}


def test_invalid_case_reopens_to_investigation(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    op.judge_invalid(desk.as_("李强"), case.id, reason="误会", explanation="已解释")
    case = op.reopen_case(desk.as_("陈静"), case.id, "客户提供了新照片").after
    assert case.stage == Stage.INVESTIGATING and case.valid is None


# -------------------------------------------------------------- approvals


def test_gift_needs_approval_by_a_role_with_enough_limit(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register(), kind=SolutionKind.COMPENSATION, cost_fen=800_00)
    approval = desk.store.approvals(case.id)[0]
    assert approval.status == ApprovalStatus.PENDING and approval.amount_fen == 800_00
    with pytest.raises(RuleError, match="还没有可执行的审批"):
        op.record_rectification(desk.as_("李强"), case.id, result="已赔偿")
    with pytest.raises(PermissionDenied, match="店长的审批额度为 500 元"):
        op.decide_approval(desk.as_("陈静"), approval.id, approve=True)
    with pytest.raises(PermissionDenied, match="客服主管的审批额度为 0 元"):
        op.decide_approval(desk.as_("赵敏"), approval.id, approve=True)
    op.decide_approval(desk.as_("刘洋"), approval.id, approve=True, note="同意")
    assert desk.store.approval(approval.id).status == ApprovalStatus.APPROVED
    case = op.record_rectification(desk.as_("李强"), case.id, result="已赔偿 800 元").after
    assert case.stage == Stage.UNDER_REVIEW
    assert all_problems(desk.store) == {}


def test_nobody_approves_their_own_request_and_rejection_needs_a_reason(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(), owner="刘洋")
    op.propose_solution(
        desk.as_("刘洋"),
        case.id,
        validity_reason="属实",
        kind=SolutionKind.GIFT,
        steps="赠送清洁套装",
        due_date=dt.date(2026, 11, 24),
        cost_fen=300_00,
    )
    approval = desk.store.approvals(case.id)[0]
    with pytest.raises(PermissionDenied, match="不能审批自己提交的申请"):
        op.decide_approval(desk.as_("刘洋"), approval.id, approve=True)
    with pytest.raises(RuleError, match="驳回时请写明理由"):
        op.decide_approval(desk.as_("周建国"), approval.id, approve=False)
    op.decide_approval(desk.as_("周建国"), approval.id, approve=False, note="改为道歉即可")
    with pytest.raises(RuleError, match="已驳回，不能再审批"):
        op.decide_approval(desk.as_("周建国"), approval.id, approve=True)


def test_revising_the_solution_withdraws_the_pending_approval(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register(), kind=SolutionKind.GIFT, cost_fen=200_00)
    op.revise_solution(
        desk.as_("李强"),
        case.id,
        kind=SolutionKind.REPAIR,
        steps="改为上门维修",
        due_date=dt.date(2026, 11, 25),
        cost_fen=0,
        reason="客户只要维修",
    )
    statuses = [a.status for a in desk.store.approvals(case.id)]
    assert statuses == [ApprovalStatus.WITHDRAWN]
    assert op.record_rectification(desk.as_("李强"), case.id, result="已修").after.stage == (
        Stage.UNDER_REVIEW
    )


# ------------------------------------------------------------- escalation


def test_manual_escalation_needs_a_reason_and_stops_at_the_owner(desk: Desk) -> None:
    case = desk.register()
    with pytest.raises(RuleError, match="请填写升级理由"):
        op.escalate(desk.as_("赵敏"), case.id, "")
    for expected in ("客服主管", "总经理", "老板"):
        case = op.escalate(desk.as_("赵敏"), case.id, "客户要求领导出面").after
        assert case.escalation_level.label == expected
    with pytest.raises(RuleError, match="已升级到最高级别"):
        op.escalate(desk.as_("赵敏"), case.id, "再升")


def test_customer_rejecting_the_solution_escalates(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register())
    case = op.reject_solution(desk.as_("李强"), case.id, "不要维修，要换新").after
    assert case.escalation_level == EscalationLevel.SUPERVISOR
    assert case.stage == Stage.IN_PROGRESS


def test_edit_records_old_and_new_and_rejects_closed_cases(desk: Desk) -> None:
    case = desk.register()
    op.edit_case(
        desk.as_("王芳"), case.id, {"customer_address": "阳光花园 5栋 801"}, "客户更正地址"
    )
    last = desk.store.events(case.id)[-1]
    assert last.changes == {"customer_address": ("幸福里小区 3栋 1202", "阳光花园 5栋 801")}
    assert last.note == "客户更正地址"
    closed = to_closed(desk, desk.case(case.id))
    with pytest.raises(RuleError, match="不能修改登记信息"):
        op.edit_case(desk.as_("王芳"), closed.id, {"customer_address": "x"})
