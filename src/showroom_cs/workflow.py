"""The workflow rules: which action is allowed in which stage, and for whom.

The operations call `check()` before writing anything; the UI calls
`why_not()` to grey out a button *and say why*, and `action_for_move()` to
turn a kanban drag into the right dialog. What data each action requires is
checked by the operation itself (it has the data), with the same error type.

```
 已登记 ──► 调查中 ──► 处理中 ──► 待复核 ──► 待回访 ──► 已结案
                │  ▲         ▲   │ fail │        │ not satisfied
                │  └─────────┴───┘◄─────┘◄───────┘ (二次处理, escalate)
                └──► 不成立
```
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .domain import HANDLER_ROLES, Case, Staff, Stage
from .errors import PermissionDenied, RuleError


class Who(Enum):
    """Who may perform an action on a case."""

    ANYONE = "任何在职员工"
    HANDLER = "本案责任人或主管以上角色"
    REVIEWER = "主管以上角色（不能是本案责任人或整改人）"
    SUPERVISOR_UP = "主管以上角色"


@dataclass(frozen=True, slots=True)
class ActionRule:
    label: str
    stages: frozenset[Stage]
    who: Who
    requires: str
    # The stage the action moves the case to, when it always moves it.
    target: Stage | None = None


_OPEN = frozenset(
    {Stage.REGISTERED, Stage.INVESTIGATING, Stage.IN_PROGRESS, Stage.UNDER_REVIEW, Stage.FOLLOW_UP}
)
_HANDLING = _OPEN - {Stage.REGISTERED}

RULES: dict[str, ActionRule] = {
    "assign": ActionRule(
        "分派", frozenset({Stage.REGISTERED}), Who.ANYONE, "责任人与责任部门", Stage.INVESTIGATING
    ),
    # Not while under review: the reviewer must not be someone who owned the work.
    "reassign": ActionRule(
        "改派", _HANDLING - {Stage.UNDER_REVIEW}, Who.HANDLER, "新的责任人与责任部门"
    ),
    "edit": ActionRule("修改登记信息", _OPEN, Who.ANYONE, "要修改的内容"),
    "investigate": ActionRule(
        "记录调查",
        frozenset({Stage.INVESTIGATING, Stage.IN_PROGRESS}),
        Who.HANDLER,
        "调查记录、原因分析或责任认定",
    ),
    "judge_invalid": ActionRule(
        "判定不成立",
        frozenset({Stage.INVESTIGATING}),
        Who.HANDLER,
        "不成立的理由，以及对客户的解释",
        Stage.INVALID,
    ),
    "propose_solution": ActionRule(
        "确定处理方案",
        frozenset({Stage.INVESTIGATING}),
        Who.HANDLER,
        "成立的理由，方案类型、处理步骤、预计完成日期与费用",
        Stage.IN_PROGRESS,
    ),
    "revise_solution": ActionRule(
        "修改处理方案",
        frozenset({Stage.IN_PROGRESS}),
        Who.HANDLER,
        "方案类型、处理步骤、预计完成日期与费用",
    ),
    "decide_approval": ActionRule(
        "审批赠礼/赔偿",
        frozenset({Stage.IN_PROGRESS}),
        Who.SUPERVISOR_UP,
        "审批额度足够的角色，且不是申请人本人",
    ),
    "report_progress": ActionRule(
        "反馈整改进度",
        frozenset({Stage.INVESTIGATING, Stage.IN_PROGRESS}),
        Who.HANDLER,
        "已完成与未完成的事项",
    ),
    "record_rectification": ActionRule(
        "记录整改结果",
        frozenset({Stage.IN_PROGRESS}),
        Who.HANDLER,
        "整改结果；赠礼或赔偿须已审批",
        Stage.UNDER_REVIEW,
    ),
    "review": ActionRule(
        "复核",
        frozenset({Stage.UNDER_REVIEW}),
        Who.REVIEWER,
        "复核项目与结论；未通过时列出遗留问题",
    ),
    "record_contact": ActionRule("记录联系/回访", _OPEN, Who.ANYONE, "联系方式、是否联系上"),
    "close": ActionRule(
        "结案",
        frozenset({Stage.FOLLOW_UP}),
        Who.ANYONE,
        "回访满意度，以及结案总结：原因、处理经过、改进措施",
        Stage.CLOSED,
    ),
    "reject_solution": ActionRule(
        "客户不接受方案", frozenset({Stage.IN_PROGRESS}), Who.ANYONE, "客户的原话或理由"
    ),
    "escalate": ActionRule("手动升级", _OPEN, Who.ANYONE, "升级理由"),
    "schedule_visit": ActionRule("上门预约", _OPEN, Who.ANYONE, "上门人员、时间与地址"),
    "reopen": ActionRule(
        "重新打开", frozenset({Stage.CLOSED, Stage.INVALID}), Who.SUPERVISOR_UP, "重新打开的理由"
    ),
    "void": ActionRule(
        "作废", frozenset(Stage) - {Stage.VOIDED}, Who.SUPERVISOR_UP, "作废理由", Stage.VOIDED
    ),
    "add_note": ActionRule("添加备注", frozenset(Stage), Who.ANYONE, "备注内容"),
    "attach": ActionRule(
        "添加附件", frozenset(Stage) - {Stage.VOIDED}, Who.ANYONE, "照片或扫描件（20 MB 以内）"
    ),
    "void_attachment": ActionRule("作废附件", _OPEN, Who.ANYONE, "作废理由"),
}

# Kanban drag and drop: (from, to) -> the action whose dialog opens.
MOVES: dict[tuple[Stage, Stage], str] = {
    (Stage.REGISTERED, Stage.INVESTIGATING): "assign",
    (Stage.INVESTIGATING, Stage.IN_PROGRESS): "propose_solution",
    (Stage.INVESTIGATING, Stage.INVALID): "judge_invalid",
    (Stage.IN_PROGRESS, Stage.UNDER_REVIEW): "record_rectification",
    (Stage.IN_PROGRESS, Stage.FOLLOW_UP): "record_rectification",
    (Stage.UNDER_REVIEW, Stage.FOLLOW_UP): "review",
    (Stage.UNDER_REVIEW, Stage.IN_PROGRESS): "review",
    (Stage.FOLLOW_UP, Stage.CLOSED): "close",
    (Stage.FOLLOW_UP, Stage.IN_PROGRESS): "record_contact",
    (Stage.CLOSED, Stage.IN_PROGRESS): "reopen",
    (Stage.INVALID, Stage.INVESTIGATING): "reopen",
}


def action_for_move(source: Stage, target: Stage) -> str:
    """The action a kanban drop from `source` to `target` means, or RuleError why not."""
    action = MOVES.get((source, target))
    if action is None:
        raise RuleError(f"案件不能从「{source.label}」直接移到「{target.label}」。")
    return action


def _stage_text(stages: frozenset[Stage]) -> str:
    order = list(Stage)
    return "、".join(f"「{s.label}」" for s in sorted(stages, key=order.index))


def why_not(actor: Staff, case: Case, action: str) -> str | None:
    """Why `actor` may not do `action` on `case` now, in Chinese; None if allowed."""
    rule = RULES[action]
    if not actor.active:
        return f"{actor.name}已停用，不能操作案件。"
    if case.stage not in rule.stages:
        return (
            f"案件当前为「{case.stage.label}」，不能{rule.label}"
            f"（只能在{_stage_text(rule.stages)}阶段{rule.label}）。"
        )
    if rule.who == Who.HANDLER and not (actor.role in HANDLER_ROLES or case.owner_id == actor.id):
        return f"{actor.role.label}不能{rule.label}：只有{rule.who.value}可以。"
    if rule.who in (Who.SUPERVISOR_UP, Who.REVIEWER) and actor.role not in HANDLER_ROLES:
        return f"{actor.role.label}不能{rule.label}：只有{rule.who.value}可以。"
    if rule.who == Who.REVIEWER and actor.id in (case.owner_id, case.rectified_by):
        return "复核人不能是本案的责任人或整改人，请另请一位同事复核。"
    if action == "close" and case.satisfaction is None:
        return "结案前需要回访客户并记录满意度：请先「记录联系/回访」。"
    return None


def check(actor: Staff, case: Case, action: str) -> None:
    """Raise the matching error when `why_not` has a reason."""
    reason = why_not(actor, case, action)
    if reason is None:
        return
    stage_ok = case.stage in RULES[action].stages
    role_refused = stage_ok and actor.active and _role_refuses(actor, case, RULES[action])
    raise (PermissionDenied if role_refused else RuleError)(reason)


def _role_refuses(actor: Staff, case: Case, rule: ActionRule) -> bool:
    if rule.who == Who.HANDLER:
        return not (actor.role in HANDLER_ROLES or case.owner_id == actor.id)
    if rule.who in (Who.SUPERVISOR_UP, Who.REVIEWER):
        return actor.role not in HANDLER_ROLES or (
            rule.who == Who.REVIEWER and actor.id in (case.owner_id, case.rectified_by)
        )
    return False
