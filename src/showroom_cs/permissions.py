"""Who may do what: one table of role × action.

Read from the domain spec's roles (the clerk receives, registers and calls
back; the supervisor is the first escalation level and submits gift
requests; the store and installation managers own, visit and review; the
general manager approves; the owner is the last level) and, where the spec
is silent, decided as a showroom would (docs/permissions.md says why, and a
test holds that page to this table).

The core enforces it (`workflow.check` for actions on a case, `require` for
the showroom's own actions); the window reads the same table to disable a
button with the same sentence as its tooltip.
"""

from __future__ import annotations

from enum import Enum, StrEnum

from .domain import Role, Staff
from .errors import PermissionDenied


class Action(StrEnum):
    """Everything a person can be allowed or refused. The values of the
    actions on a case are the keys of `workflow.RULES`."""

    REGISTER = "register"
    ASSIGN = "assign"
    REASSIGN = "reassign"
    EDIT = "edit"
    INVESTIGATE = "investigate"
    JUDGE_INVALID = "judge_invalid"
    PROPOSE_SOLUTION = "propose_solution"
    REVISE_SOLUTION = "revise_solution"
    DECIDE_APPROVAL = "decide_approval"
    REPORT_PROGRESS = "report_progress"
    RECORD_RECTIFICATION = "record_rectification"
    REVIEW = "review"
    RECORD_CONTACT = "record_contact"
    CLOSE = "close"
    REJECT_SOLUTION = "reject_solution"
    ESCALATE = "escalate"
    SCHEDULE_VISIT = "schedule_visit"
    REOPEN = "reopen"
    VOID = "void"
    ADD_NOTE = "add_note"
    ATTACH = "attach"
    VOID_ATTACHMENT = "void_attachment"
    PRINT_FORM = "print_form"
    REVEAL_PHONE = "reveal_phone"
    EXPORT_WEEK = "export_week"
    EXPORT_FULL = "export_full"
    MANAGE_STAFF = "manage_staff"
    CHANGE_SETTINGS = "change_settings"
    BACKUP = "backup"
    RESTORE = "restore"
    IMPORT_LEDGER = "import_ledger"
    RECORD_FINDING = "record_finding"
    MANAGE_IMPROVEMENTS = "manage_improvements"
    COMPLETE_IMPROVEMENT = "complete_improvement"


class Grant(Enum):
    YES = "可以"
    OWN = "本人负责的"  # the case (or improvement item) is theirs to own
    NO = "不可以"


Y, OWN, N = Grant.YES, Grant.OWN, Grant.NO
# The columns, in this order.
ROLES = (
    Role.CLERK,
    Role.SUPERVISOR,
    Role.STORE_MANAGER,
    Role.INSTALL_MANAGER,
    Role.GENERAL_MANAGER,
    Role.OWNER,
)

# action: (label, grants per role in ROLES order)
TABLE: dict[Action, tuple[str, tuple[Grant, ...]]] = {
    Action.REGISTER: ("登记投诉", (Y, Y, Y, Y, Y, Y)),
    Action.ASSIGN: ("分派", (Y, Y, Y, Y, Y, Y)),
    Action.REASSIGN: ("改派", (OWN, Y, Y, Y, Y, Y)),
    Action.EDIT: ("修改登记信息", (Y, Y, Y, Y, Y, Y)),
    Action.INVESTIGATE: ("记录调查", (OWN, Y, Y, Y, Y, Y)),
    Action.JUDGE_INVALID: ("判定不成立", (N, Y, Y, Y, Y, Y)),
    Action.PROPOSE_SOLUTION: ("确定处理方案", (OWN, Y, Y, Y, Y, Y)),
    Action.REVISE_SOLUTION: ("修改处理方案", (OWN, Y, Y, Y, Y, Y)),
    Action.DECIDE_APPROVAL: ("审批赠礼/赔偿", (N, Y, Y, Y, Y, Y)),
    Action.REPORT_PROGRESS: ("反馈整改进度", (OWN, Y, Y, Y, Y, Y)),
    Action.RECORD_RECTIFICATION: ("记录整改结果", (OWN, Y, Y, Y, Y, Y)),
    Action.REVIEW: ("复核", (N, Y, Y, Y, Y, Y)),
    Action.RECORD_CONTACT: ("记录联系/回访", (Y, Y, Y, Y, Y, Y)),
    Action.CLOSE: ("结案", (OWN, Y, Y, Y, Y, Y)),
    Action.REJECT_SOLUTION: ("记录客户不接受方案", (OWN, Y, Y, Y, Y, Y)),
    Action.ESCALATE: ("手动升级", (N, Y, Y, Y, Y, Y)),
    Action.SCHEDULE_VISIT: ("上门预约", (Y, Y, Y, Y, Y, Y)),
    Action.REOPEN: ("重新打开", (N, Y, Y, Y, Y, Y)),
    Action.VOID: ("作废", (N, Y, Y, Y, Y, Y)),
    Action.ADD_NOTE: ("添加备注", (Y, Y, Y, Y, Y, Y)),
    Action.ATTACH: ("添加附件", (Y, Y, Y, Y, Y, Y)),
    Action.VOID_ATTACHMENT: ("作废附件", (Y, Y, Y, Y, Y, Y)),
    Action.PRINT_FORM: ("打印或导出登记表、复核意见书", (Y, Y, Y, Y, Y, Y)),
    Action.REVEAL_PHONE: ("查看完整电话", (Y, Y, Y, Y, Y, Y)),
    Action.EXPORT_WEEK: ("导出周报（客户信息遮盖）", (Y, Y, Y, Y, Y, Y)),
    Action.EXPORT_FULL: ("导出完整的客户信息", (N, N, Y, N, Y, Y)),
    Action.MANAGE_STAFF: ("管理员工", (N, N, Y, N, Y, Y)),
    Action.CHANGE_SETTINGS: ("修改设置", (N, N, Y, N, Y, Y)),
    Action.BACKUP: ("手动备份", (N, N, Y, N, Y, Y)),
    Action.RESTORE: ("恢复备份", (N, N, Y, N, Y, Y)),
    Action.IMPORT_LEDGER: ("导入旧台账", (N, N, Y, N, Y, Y)),
    Action.RECORD_FINDING: ("查看和记录责任认定", (N, N, Y, N, Y, Y)),
    Action.MANAGE_IMPROVEMENTS: ("改派改进措施或调整期限", (N, N, Y, N, Y, Y)),
    Action.COMPLETE_IMPROVEMENT: ("标记改进措施完成", (OWN, OWN, Y, OWN, Y, Y)),
}


def label(action: Action | str) -> str:
    return TABLE[Action(action)][0]


def grant(role: Role, action: Action | str) -> Grant:
    return TABLE[Action(action)][1][ROLES.index(role)]


def allowed_roles(action: Action | str) -> tuple[Role, ...]:
    """The roles that may always do it, in the table's order."""
    return tuple(role for role in ROLES if grant(role, action) == Grant.YES)


def _who_may(action: Action | str, *, owner_too: bool = True) -> str:
    """店长、总经理或老板; 本案责任人、客服主管、店长…或老板."""
    labels = [role.label for role in allowed_roles(action)]
    if owner_too and any(grant(role, action) == Grant.OWN for role in ROLES):
        labels.insert(0, "本案责任人" if _on_a_case(action) else "负责人")
    if len(labels) == 1:
        return labels[0]
    return "、".join(labels[:-1]) + "或" + labels[-1]


def _on_a_case(action: Action | str) -> bool:
    return Action(action) != Action.COMPLETE_IMPROVEMENT


def refusal(actor: Staff, action: Action | str, *, owns: bool = False) -> str | None:
    """Why the table refuses `actor` (in Chinese, naming who may), or None.

    `owns`: the case (or improvement item) is the actor's own to handle.
    """
    if not actor.active:
        return f"{actor.name}已停用，不能操作。"
    given = grant(actor.role, action)
    if given == Grant.YES or (given == Grant.OWN and owns):
        return None
    what = label(action)
    if given == Grant.OWN:
        mine = "案件" if _on_a_case(action) else "事项"
        others = _who_may(action, owner_too=False)
        return f"{actor.role.label}只有对自己负责的{mine}才能{what}：其他{mine}只有{others}可以。"
    return f"{actor.role.label}不能{what}：只有{_who_may(action)}可以。"


def require(actor: Staff, action: Action | str, *, owns: bool = False) -> None:
    """Raise PermissionDenied with `refusal`'s sentence when the table says no."""
    reason = refusal(actor, action, owns=owns)
    if reason is not None:
        raise PermissionDenied(reason)
