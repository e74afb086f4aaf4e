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

from . import permissions
from .domain import Case, Staff, Stage
from .errors import PermissionDenied, RuleError


@dataclass(frozen=True, slots=True)
class ActionRule:
    """When an action may be taken on a case (its name and who may take it
    are the role × action table in `permissions`)."""

    stages: frozenset[Stage]
    requires: str
    # The stage the action moves the case to, when it always moves it.
    target: Stage | None = None


_OPEN = frozenset(
    {Stage.REGISTERED, Stage.INVESTIGATING, Stage.IN_PROGRESS, Stage.UNDER_REVIEW, Stage.FOLLOW_UP}
)
_HANDLING = _OPEN - {Stage.REGISTERED}

RULES: dict[str, ActionRule] = {
    "assign": ActionRule(frozenset({Stage.REGISTERED}), "责任人与责任部门", Stage.INVESTIGATING),
    # Not while under review: the reviewer must not be someone who owned the work.
    "reassign": ActionRule(_HANDLING - {Stage.UNDER_REVIEW}, "新的责任人与责任部门"),
    "edit": ActionRule(_OPEN, "要修改的内容"),
    "investigate": ActionRule(
        frozenset({Stage.INVESTIGATING, Stage.IN_PROGRESS}),
        "调查记录、原因分析或责任认定",
    ),
    "judge_invalid": ActionRule(
        frozenset({Stage.INVESTIGATING}),
        "不成立的理由，以及对客户的解释",
        Stage.INVALID,
    ),
    "propose_solution": ActionRule(
        frozenset({Stage.INVESTIGATING}),
        "成立的理由，方案类型、处理步骤、预计完成日期与费用",
        Stage.IN_PROGRESS,
    ),
    "revise_solution": ActionRule(
        frozenset({Stage.IN_PROGRESS}),
        "方案类型、处理步骤、预计完成日期与费用",
    ),
    "decide_approval": ActionRule(
        frozenset({Stage.IN_PROGRESS}),
        "审批额度足够的角色，且不是申请人本人",
    ),
    "report_progress": ActionRule(
        frozenset({Stage.INVESTIGATING, Stage.IN_PROGRESS}),
        "已完成与未完成的事项",
    ),
    "record_rectification": ActionRule(
        frozenset({Stage.IN_PROGRESS}),
        "整改结果；赠礼或赔偿须已审批",
        Stage.UNDER_REVIEW,
    ),
    "review": ActionRule(
        frozenset({Stage.UNDER_REVIEW}),
        "复核项目与结论；未通过时列出遗留问题",
    ),
    "record_contact": ActionRule(_OPEN, "联系方式、是否联系上"),
    "close": ActionRule(
        frozenset({Stage.FOLLOW_UP}),
        "回访满意度，以及结案总结：原因、处理经过、改进措施",
        Stage.CLOSED,
    ),
    "reject_solution": ActionRule(frozenset({Stage.IN_PROGRESS}), "客户的原话或理由"),
    "escalate": ActionRule(_OPEN, "升级理由"),
    "schedule_visit": ActionRule(_OPEN, "上门人员、时间与地址"),
    "reopen": ActionRule(frozenset({Stage.CLOSED, Stage.INVALID}), "重新打开的理由"),
    "void": ActionRule(frozenset(Stage) - {Stage.VOIDED}, "作废理由", Stage.VOIDED),
    "add_note": ActionRule(frozenset(Stage), "备注内容"),
    "attach": ActionRule(frozenset(Stage) - {Stage.VOIDED}, "照片或扫描件（20 MB 以内）"),
    "void_attachment": ActionRule(_OPEN, "作废理由"),
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
    return _refusal(actor, case, action)[0]


def check(actor: Staff, case: Case, action: str) -> None:
    """Raise the matching error when `why_not` has a reason: PermissionDenied
    when it is who acts, RuleError when it is the case's state."""
    reason, by_role = _refusal(actor, case, action)
    if reason is not None:
        raise (PermissionDenied if by_role else RuleError)(reason)


def _refusal(actor: Staff, case: Case, action: str) -> tuple[str | None, bool]:
    rule = RULES[action]
    if not actor.active:
        return f"{actor.name}已停用，不能操作案件。", False
    if case.stage not in rule.stages:
        what = permissions.label(action)
        return (
            f"案件当前为「{case.stage.label}」，不能{what}"
            f"（只能在{_stage_text(rule.stages)}阶段{what}）。"
        ), False
    reason = permissions.refusal(actor, action, owns=case.owner_id == actor.id)
    if reason is not None:
        return reason, True
    if action == "review" and actor.id in (case.owner_id, case.rectified_by):
        return "复核人不能是本案的责任人或整改人，请另请一位同事复核。", True
    if action == "close" and case.satisfaction is None:
        return "结案前需要回访客户并记录满意度：请先「记录联系/回访」。", False
    return None, False
