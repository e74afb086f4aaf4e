"""From assignment to review: 分派, 调查, 不成立, 方案, 审批, 整改, 复核."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .. import permissions, workflow
from ..domain import (
    REVIEW_FACTS,
    Approval,
    ApprovalStatus,
    Case,
    ClockKind,
    Handover,
    Responsibility,
    ReviewItem,
    Role,
    SolutionKind,
    Staff,
    Stage,
)
from ..errors import PermissionDenied, RuleError
from ..permissions import Action
from ..settings import Settings
from ..store import Store
from ..store.rows import db_time
from . import handover
from ._common import (
    CaseChange,
    Context,
    as_amount,
    as_date,
    as_enum,
    as_moment,
    clean_text,
    commit,
    db_value,
    enter_stage,
    load_case,
    meet_clocks,
    require_active,
    require_fields,
    start_clock,
)


def _owner(ctx: Context, owner_id: int) -> Staff:
    owner = ctx.store.staff_member(owner_id)
    if not owner.active:
        raise RuleError(f"{owner.name}已停用，不能担任责任人。", missing=("owner_id",))
    return owner


def _department(ctx: Context, department: str) -> str:
    department = (department or "").strip()
    if not department:
        raise RuleError("请选择责任部门。", missing=("department",))
    if not ctx.settings.has_key("department", department):
        raise RuleError(f"责任部门「{department[:20]}」不在列表中。", missing=("department",))
    return department


def suggest_route(
    settings: Settings, staff: Sequence[Staff], category: str
) -> tuple[str, int | None]:
    """Default department and owner for a category (seed 000); the clerk may override."""
    route = settings.routing.get(category)
    if route is None:
        return "", None
    owner = next((s.id for s in staff if s.active and s.role == route.owner_role), None)
    return route.department, owner


def assign(ctx: Context, case_id: int, *, owner_id: int | None, department: str) -> CaseChange:
    """分派 (已登记 → 调查中) or 改派 in a later open stage."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    action = "assign" if before.stage == Stage.REGISTERED else "reassign"
    workflow.check(actor, before, action)
    if owner_id is None:
        raise RuleError("请选择责任人。", missing=("owner_id",))
    owner = _owner(ctx, owner_id)
    department = _department(ctx, department)
    now = ctx.now()
    values: dict[str, object] = {"owner_id": owner.id, "department": department}
    if action == "assign":
        values.update(stage=Stage.INVESTIGATING, assigned_at=now)
    verb = "分派给" if action == "assign" else "改派给"
    with ctx.store.transaction():
        started = (
            start_clock(ctx, case_id, ClockKind.FEEDBACK, now, before.severity)
            if action == "assign"
            else None
        )
        return commit(
            ctx,
            case_id,
            before,
            action,
            f"{verb} {owner.name}（{department}）",
            values,
            started=[started],
        )


def investigate(
    ctx: Context,
    case_id: int,
    *,
    notes: str | None = None,
    cause_analysis: str | None = None,
    responsibility: Responsibility | None = None,
) -> CaseChange:
    """Record the investigation: notes, cause analysis, responsibility (责任认定)."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "investigate")
    values: dict[str, object] = {}
    if notes is not None:
        values["investigation_notes"] = clean_text(notes, "调查记录", field="investigation_notes")
    if cause_analysis is not None:
        values["cause_analysis"] = clean_text(cause_analysis, "原因分析", field="cause_analysis")
    if responsibility is not None:
        values["responsibility"] = as_enum(
            Responsibility, responsibility, "责任认定", "responsibility"
        )
    if not values:
        raise RuleError("请填写调查记录、原因分析或责任认定。")
    with ctx.store.transaction():
        return commit(ctx, case_id, before, "investigate", "记录调查", values)


def judge_invalid(ctx: Context, case_id: int, *, reason: str, explanation: str) -> CaseChange:
    """调查中 → 不成立: closed, but counted in statistics."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "judge_invalid")
    require_fields(
        "判定不成立需要：",
        {
            "validity_reason": ("不成立的理由", reason),
            "invalid_explanation": ("对客户的解释", explanation),
        },
    )
    reason = clean_text(reason, "不成立的理由", required=True, field="validity_reason")
    explanation = clean_text(
        explanation, "对客户的解释", required=True, field="invalid_explanation"
    )
    values = {
        "stage": Stage.INVALID,
        "valid": False,
        "validity_reason": reason,
        "invalid_explanation": explanation,
        "closed_at": ctx.now(),
    }
    with ctx.store.transaction():
        enter_stage(ctx, case_id, Stage.INVALID)
        return commit(ctx, case_id, before, "judge_invalid", f"判定不成立：{reason}", values)


@dataclass(frozen=True, slots=True)
class _Solution:
    kind: SolutionKind
    cost_fen: int
    values: dict[str, object]


def _solution(
    ctx: Context,
    kind: SolutionKind | str | None,
    steps: str,
    due_date: dt.date | None,
    cost_fen: int | None,
) -> _Solution:
    """The checked solution fields (方案类型/处理步骤/预计完成日期/费用)."""
    require_fields(
        "处理方案还缺：",
        {
            "solution_kind": ("方案类型", kind),
            "solution_steps": ("处理步骤", steps),
            "solution_due": ("预计完成日期", due_date),
            "solution_cost_fen": ("费用（没有费用请填 0）", cost_fen),
        },
    )
    checked_kind = as_enum(SolutionKind, kind, "方案类型", "solution_kind")
    cost = as_amount(cost_fen, "费用", "solution_cost_fen") or 0
    due = as_date(due_date, "预计完成日期", "solution_due")
    assert due is not None
    if checked_kind.needs_approval and cost == 0:
        raise RuleError(
            f"「{checked_kind.label}」需要填写金额，以便按额度审批。",
            missing=("solution_cost_fen",),
        )
    if due < ctx.now().date():
        raise RuleError("预计完成日期不能早于今天。", missing=("solution_due",))
    values: dict[str, object] = {
        "solution_kind": checked_kind,
        "solution_steps": clean_text(steps, "处理步骤", required=True, field="solution_steps"),
        "solution_due": due,
        "solution_cost_fen": cost,
    }
    return _Solution(checked_kind, cost, values)


def _request_approval(ctx: Context, case_id: int, kind: SolutionKind, amount_fen: int) -> str:
    """Submit a gift/compensation for approval; returns the words for the timeline."""
    assert ctx.actor_id is not None
    ctx.store.insert(
        "approvals",
        {
            "case_id": case_id,
            "kind": kind.value,
            "amount_fen": amount_fen,
            "requested_by": ctx.actor_id,
            "requested_at": db_time(ctx.now()),
        },
    )
    return f"，提交审批：{kind.label} {format_yuan(amount_fen)}"


def _withdraw_pending(ctx: Context, case_id: int) -> None:
    ctx.store.execute(
        "UPDATE approvals SET status = ?, decided_at = ?, note = '方案已修改' "
        "WHERE case_id = ? AND status = ?",
        (ApprovalStatus.WITHDRAWN.value, db_time(ctx.now()), case_id, ApprovalStatus.PENDING.value),
    )


def propose_solution(
    ctx: Context,
    case_id: int,
    *,
    validity_reason: str,
    kind: SolutionKind | None,
    steps: str,
    due_date: dt.date | None,
    cost_fen: int | None,
    cause_analysis: str | None = None,
    responsibility: Responsibility | None = None,
) -> CaseChange:
    """调查中 → 处理中: the complaint is valid and a solution is agreed.

    A gift or compensation is submitted for approval at the same time.
    """
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "propose_solution")
    reason = clean_text(validity_reason, "投诉成立的理由", required=True, field="validity_reason")
    solution = _solution(ctx, kind, steps, due_date, cost_fen)
    values = {
        **solution.values,
        "stage": Stage.IN_PROGRESS,
        "valid": True,
        "validity_reason": reason,
    }
    if cause_analysis is not None:
        values["cause_analysis"] = clean_text(cause_analysis, "原因分析", field="cause_analysis")
    if responsibility is not None:
        values["responsibility"] = as_enum(
            Responsibility, responsibility, "责任认定", "responsibility"
        )
    note = f"投诉成立，方案：{solution.kind.label}"
    with ctx.store.transaction():
        if solution.kind.needs_approval:
            note += _request_approval(ctx, case_id, solution.kind, solution.cost_fen)
        return commit(ctx, case_id, before, "propose_solution", note, values)


def revise_solution(
    ctx: Context,
    case_id: int,
    *,
    kind: SolutionKind | None,
    steps: str,
    due_date: dt.date | None,
    cost_fen: int | None,
    reason: str,
) -> CaseChange:
    """Change the solution while 处理中; a pending approval is withdrawn."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "revise_solution")
    reason = clean_text(reason, "修改方案的理由", required=True, max_len=500, field="reason")
    solution = _solution(ctx, kind, steps, due_date, cost_fen)
    note = f"修改方案为{solution.kind.label}：{reason}"
    with ctx.store.transaction():
        _withdraw_pending(ctx, case_id)
        if solution.kind.needs_approval:
            note += _request_approval(ctx, case_id, solution.kind, solution.cost_fen)
        return commit(ctx, case_id, before, "revise_solution", note, solution.values)


def decide_approval(ctx: Context, approval_id: int, *, approve: bool, note: str = "") -> CaseChange:
    """Approve or reject a gift/compensation. The approver's role must cover the
    amount, and nobody approves their own request (except the owner, who has
    nobody above)."""
    actor = require_active(ctx)
    approval = ctx.store.approval(approval_id)
    before = load_case(ctx, approval.case_id)
    workflow.check(actor, before, "decide_approval")
    if approval.status != ApprovalStatus.PENDING:
        raise RuleError(f"这笔申请{approval.status.label}，不能再审批。")
    refused = _may_not_decide(ctx.settings, actor, approval)
    if refused is not None:
        raise PermissionDenied(refused)
    note = clean_text(note, "审批意见", max_len=500)
    if not approve and not note:
        raise RuleError("驳回时请写明理由。", missing=("note",))
    status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    with ctx.store.transaction():
        ctx.store.update(
            "approvals",
            approval.id,
            {
                "status": status.value,
                "decided_by": actor.id,
                "decided_at": db_time(ctx.now()),
                "note": note,
            },
        )
        text = f"{status.label}{approval.kind.label} {format_yuan(approval.amount_fen)}"
        return commit(
            ctx, approval.case_id, before, "approval", text + (f"：{note}" if note else "")
        )


def _may_not_decide(settings: Settings, actor: Staff, approval: Approval) -> str | None:
    """Beyond the role table: the amount within the role's 审批额度, and nobody
    approving their own request (except the owner, who has nobody above)."""
    limit = settings.approval_limit_fen(actor.role)
    if limit is not None and approval.amount_fen > limit:
        return (
            f"{actor.role.label}的审批额度为 {format_yuan(limit)}，"
            f"这笔 {format_yuan(approval.amount_fen)} 需要更高级别审批。"
        )
    if approval.requested_by == actor.id and actor.role != Role.OWNER:
        return "不能审批自己提交的申请，请由另一位有额度的同事审批。"
    return None


def approval_refusal(store: Store, actor: Staff, case_id: int) -> str | None:
    """Why `actor` has no pending request of this case to decide (the window
    disables 审批 with it), or None when there is one they may decide."""
    pending = [a for a in store.approvals(case_id) if a.status == ApprovalStatus.PENDING]
    if not pending:
        return "这个案件没有待审批的赠礼或赔偿申请。"
    reasons = [_may_not_decide(store.settings(), actor, approval) for approval in pending]
    return None if None in reasons else reasons[0]


def report_progress(ctx: Context, case_id: int, *, done: str, outstanding: str) -> CaseChange:
    """反馈整改进度 (seed 002: within 3 days, finished or not, in writing)."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "report_progress")
    done = clean_text(done, "已完成事项", required=True, field="done")
    outstanding = clean_text(outstanding, "未完成事项", field="outstanding")
    text = f"进度反馈：已完成 {done}" + (f"；未完成 {outstanding}" if outstanding else "")
    with ctx.store.transaction():
        meet_clocks(ctx, case_id, [ClockKind.FEEDBACK], ctx.now())
        return commit(ctx, case_id, before, "progress", text)


def record_rectification(
    ctx: Context,
    case_id: int,
    *,
    result: str,
    done_by: int | None = None,
    done_at: dt.datetime | None = None,
    skip_review: bool = False,
    reviewer_id: int | None = None,
) -> CaseChange:
    """处理中 → 待复核 (or straight to 待回访 for 道歉解释 / 退货退款).

    The rectification is handed to a reviewer (`reviewer_id`, by default the
    last round's reviewer or the 客服主管), who finds it on their to-do list;
    anyone else eligible may still review it."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "record_rectification")
    result = clean_text(result, "整改结果", required=True, field="rectification_result")
    kind = before.solution_kind
    assert kind is not None  # 处理中 always has a solution
    approval_id = None
    if kind.needs_approval:
        # Each approval pays out once: a second handling or a reopened case
        # needs a new request (修改方案) and a new approval.
        approval_id = ctx.store.scalar(
            "SELECT id FROM approvals WHERE case_id = ? AND status = ? AND kind = ? "
            "AND amount_fen = ? AND carried_out_at IS NULL ORDER BY id DESC LIMIT 1",
            (case_id, ApprovalStatus.APPROVED.value, kind.value, before.solution_cost_fen),
        )
        if approval_id is None:
            raise RuleError(
                f"「{kind.label}」{format_yuan(before.solution_cost_fen)}还没有可执行的审批："
                "请先请有额度的同事审批。每次审批只能执行一次，再次执行请修改方案重新提交。"
            )
    if skip_review and not kind.may_skip_review:
        raise RuleError("只有「道歉解释」「退货退款」的方案可以不经复核，直接回访。")
    now = ctx.now()
    done_at = as_moment(
        done_at or now,
        "整改完成时间",
        "rectified_at",
        not_before=before.assigned_at or before.received_at,
        now=now,
    )
    rectifier = _owner(ctx, done_by) if done_by is not None else actor
    target = Stage.FOLLOW_UP if skip_review else Stage.UNDER_REVIEW
    values: dict[str, object] = {
        "stage": target,
        "rectification_result": result,
        "rectified_by": rectifier.id,
        "rectified_at": done_at,
    }
    if target == Stage.UNDER_REVIEW:
        values["reviewer_id"] = _reviewer(ctx, before, rectifier.id, reviewer_id).id
    if target == Stage.FOLLOW_UP:
        values["satisfaction"] = None
    with ctx.store.transaction():
        if approval_id is not None:
            ctx.store.update("approvals", approval_id, {"carried_out_at": db_time(done_at)})
        meet_clocks(ctx, case_id, [ClockKind.FEEDBACK, ClockKind.REVIEW_FIX], now)
        enter_stage(ctx, case_id, target)
        started = (
            start_clock(ctx, case_id, ClockKind.FOLLOW_UP_CALL, done_at, before.severity)
            if skip_review
            else None
        )
        return commit(
            ctx,
            case_id,
            before,
            "rectification",
            f"整改结果：{result[:60]}",
            values,
            started=[started],
        )


def suggest_reviewer(store: Store, case: Case, rectifier_id: int | None) -> Staff | None:
    """Who checks the work by default: the last round's reviewer, else a 客服主管,
    店长, 总经理, 老板 or 安装部经理 — never the owner or the rectifier."""
    staff = store.all_staff(active_only=True)
    order = [Role.SUPERVISOR, Role.STORE_MANAGER, Role.GENERAL_MANAGER, Role.OWNER]
    order.append(Role.INSTALL_MANAGER)
    last = store.reviews(case.id)[-1].reviewer_id if case.review_round else None
    ranked = sorted(
        staff, key=lambda s: (s.id != last, order.index(s.role) if s.role in order else 9)
    )
    for member in ranked:
        if _reviewer_refusal(member, case, rectifier_id) is None:
            return member
    return None


def _reviewer_refusal(member: Staff, case: Case, rectifier_id: int | None) -> str | None:
    if not member.active:
        return f"{member.name}已停用，不能复核。"
    refused = permissions.refusal(member, Action.REVIEW)
    if refused is not None:
        return f"不能请{member.name}复核：{refused}"
    if member.id in (case.owner_id, rectifier_id):
        return f"不能请{member.name}复核：复核人不能是本案的责任人或整改人。"
    return None


def _reviewer(ctx: Context, case: Case, rectifier_id: int, wanted: int | None) -> Staff:
    if wanted is None:
        found = suggest_reviewer(ctx.store, case, rectifier_id)
        if found is None:
            raise RuleError("没有可以复核的同事（复核人不能是责任人或整改人），请先在设置中添加。")
        return found
    member = ctx.store.staff_member(wanted)
    refused = _reviewer_refusal(member, case, rectifier_id)
    if refused is not None:
        raise RuleError(refused, missing=("reviewer_id",))
    return member


def review_case(
    ctx: Context,
    case_id: int,
    *,
    items: Sequence[ReviewItem],
    passed: bool,
    open_problems: str = "",
    opinion: str = "",
) -> CaseChange:
    """复核 (seed 002): pass → 待回访 and the customer is asked to re-inspect;
    fail → back to 处理中 with the open problems, to be handled the same day.

    The round keeps what it reviewed (solution, rectification, who rectified
    and when, the owner) and the reviewer's opinion: its 复核意见书 prints the
    same however the case goes on."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "review")
    if not items:
        raise RuleError("请至少填写一个复核项目。", missing=("items",))
    cleaned = tuple(
        ReviewItem(
            clean_text(i.item, "复核项目", required=True, max_len=MAX_ITEM, field="items"),
            bool(i.passed),
            clean_text(i.remark, "说明", max_len=500),
        )
        for i in items
    )
    problems = clean_text(open_problems, "遗留问题", field="open_problems")
    opinion = clean_text(opinion, "复核意见", max_len=1000, field="opinion")
    if passed and not all(i.passed for i in cleaned):
        raise RuleError("有未通过的复核项目，结论不能为「通过」。", missing=("passed",))
    if not passed and not problems:
        raise RuleError("复核未通过时，请列出具体的遗留问题。", missing=("open_problems",))
    now = ctx.now()
    round_no = before.review_round + 1
    target = Stage.FOLLOW_UP if passed else Stage.IN_PROGRESS
    with ctx.store.transaction():
        handover.end(ctx, case_id, Handover.REVIEW)  # whoever was asked: it is reviewed
        ctx.store.insert(
            "reviews",
            {
                "case_id": case_id,
                "round": round_no,
                "reviewer_id": actor.id,
                "at": db_time(now),
                "passed": int(passed),
                "items": json.dumps([asdict(i) for i in cleaned], ensure_ascii=False),
                "open_problems": problems,
                "opinion": opinion,
                **{column: db_value(getattr(before, column)) for column in REVIEW_FACTS},
            },
        )
        # The request is answered: the next rectification asks (and tells) anew.
        values: dict[str, object] = {"stage": target, "review_round": round_no, "reviewer_id": None}
        if passed:
            values["satisfaction"] = None
            note = f"第 {round_no} 次复核通过，通知客户验收"
            # The rectification is confirmed: the customer is called the next day.
            started = start_clock(ctx, case_id, ClockKind.FOLLOW_UP_CALL, now, before.severity)
        else:
            note = f"第 {round_no} 次复核未通过：{problems[:60]}（当日处理）"
            started = start_clock(ctx, case_id, ClockKind.REVIEW_FIX, now, before.severity)
        enter_stage(ctx, case_id, target)
        return commit(ctx, case_id, before, "review", note, values, started=[started])


MAX_ITEM = 100


def format_yuan(fen: int) -> str:
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d} 元" if cents else f"{yuan:,} 元"
