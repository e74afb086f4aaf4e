"""The vocabulary of the complaint desk: stages, roles, severities, and the
frozen records the store hands out.

Codes (the enum values) are what the database stores and never change;
Chinese labels are what people see. Both live here so that a label can be
reworded without a migration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any


class Stage(StrEnum):
    """Where a case stands; the kanban columns plus the closed and void ends."""

    REGISTERED = "registered"
    INVESTIGATING = "investigating"
    IN_PROGRESS = "in_progress"
    UNDER_REVIEW = "under_review"
    FOLLOW_UP = "follow_up"
    CLOSED = "closed"
    INVALID = "invalid"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]

    @property
    def is_open(self) -> bool:
        return self not in CLOSED_STAGES


_STAGE_LABELS = {
    Stage.REGISTERED: "已登记",
    Stage.INVESTIGATING: "调查中",
    Stage.IN_PROGRESS: "处理中",
    Stage.UNDER_REVIEW: "待复核",
    Stage.FOLLOW_UP: "待回访",
    Stage.CLOSED: "已结案",
    Stage.INVALID: "不成立",
    Stage.VOIDED: "已作废",
}
CLOSED_STAGES = frozenset({Stage.CLOSED, Stage.INVALID, Stage.VOIDED})
# The kanban's working columns, in workflow order.
OPEN_STAGES = (
    Stage.REGISTERED,
    Stage.INVESTIGATING,
    Stage.IN_PROGRESS,
    Stage.UNDER_REVIEW,
    Stage.FOLLOW_UP,
)


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    STORE_MANAGER = "store_manager"
    INSTALL_MANAGER = "install_manager"
    GENERAL_MANAGER = "general_manager"
    OWNER = "owner"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.CLERK: "客服专员",
    Role.SUPERVISOR: "客服主管",
    Role.STORE_MANAGER: "店长",
    Role.INSTALL_MANAGER: "安装部经理",
    Role.GENERAL_MANAGER: "总经理",
    Role.OWNER: "老板",
}
# Roles that handle cases beyond the counter: judge, solve, review, reopen, void.
HANDLER_ROLES = frozenset(Role) - {Role.CLERK}
# Roles that run the showroom: staff, settings, backups and restores.
MANAGER_ROLES = (Role.STORE_MANAGER, Role.GENERAL_MANAGER, Role.OWNER)


class Severity(StrEnum):
    NORMAL = "normal"
    IMPORTANT = "important"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return {"normal": "一般", "important": "重要", "urgent": "紧急"}[self.value]


class EscalationLevel(IntEnum):
    """Who a case has been escalated to (seed 000); each step is +1."""

    CLERK = 0
    SUPERVISOR = 1
    GENERAL_MANAGER = 2
    OWNER = 3

    @property
    def label(self) -> str:
        return ("客服专员", "客服主管", "总经理", "老板")[self.value]

    @property
    def role(self) -> Role:
        return (Role.CLERK, Role.SUPERVISOR, Role.GENERAL_MANAGER, Role.OWNER)[self.value]


class SolutionKind(StrEnum):
    REPAIR = "repair"
    REPLACE = "replace"
    REFUND = "refund"
    COMPENSATION = "compensation"
    GIFT = "gift"
    APOLOGY = "apology"
    REWORK = "rework"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _SOLUTION_LABELS[self]

    @property
    def needs_approval(self) -> bool:
        """Money or goods leave the shop: approval before it is carried out (seed 000)."""
        return self in (SolutionKind.COMPENSATION, SolutionKind.GIFT)

    @property
    def may_skip_review(self) -> bool:
        """Nothing physical changes, so there is nothing for a reviewer to inspect."""
        return self in (SolutionKind.APOLOGY, SolutionKind.REFUND)


_SOLUTION_LABELS = {
    SolutionKind.REPAIR: "维修",
    SolutionKind.REPLACE: "更换",
    SolutionKind.REFUND: "退货退款",
    SolutionKind.COMPENSATION: "赔偿",
    SolutionKind.GIFT: "赠礼致歉",
    SolutionKind.APOLOGY: "道歉解释",
    SolutionKind.REWORK: "返工整改",
    SolutionKind.OTHER: "其他",
}


class Responsibility(StrEnum):
    COMPANY = "company"
    SUPPLIER = "supplier"
    THIRD_PARTY = "third_party"
    MISUNDERSTANDING = "misunderstanding"

    @property
    def label(self) -> str:
        return {
            "company": "公司责任",
            "supplier": "供应商责任",
            "third_party": "第三方",
            "misunderstanding": "客户误解",
        }[self.value]


class ContactMethod(StrEnum):
    PHONE = "phone"
    WECHAT = "wechat"
    VISIT = "visit"

    @property
    def label(self) -> str:
        return {"phone": "电话", "wechat": "微信", "visit": "上门"}[self.value]


class ContactPurpose(StrEnum):
    """Why staff contacted the customer; decides which time limit it meets."""

    FIRST_CONTACT = "first_contact"
    PROGRESS = "progress"
    FOLLOW_UP = "follow_up"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "first_contact": "首次联系",
            "progress": "进度告知",
            "follow_up": "回访",
            "other": "其他",
        }[self.value]


# How the call script addresses the customer (张先生 / 王女士).
CUSTOMER_TITLES = ("先生", "女士")


class AccountabilityMeasure(StrEnum):
    """The internal measure taken after a finding of company responsibility (seed 002)."""

    NONE = "none"
    TRAINING = "training"
    WARNING = "warning"
    DEDUCTION = "deduction"
    NOTICE = "notice"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "none": "无",
            "training": "培训",
            "warning": "警告",
            "deduction": "扣罚",
            "notice": "通报批评",
            "other": "其他",
        }[self.value]


SATISFACTION_LABELS = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
# At or below this the customer is not satisfied: second handling and escalation.
NOT_SATISFIED_MAX = 2


class ClockKind(StrEnum):
    """The time limits of the SLA table (domain spec, 'Time limits')."""

    FIRST_CONTACT = "first_contact"
    HOME_VISIT = "home_visit"
    FEEDBACK = "feedback"
    PROGRESS_CALL = "progress_call"
    REVIEW_FIX = "review_fix"
    FOLLOW_UP_CALL = "follow_up_call"

    @property
    def label(self) -> str:
        return _CLOCK_LABELS[self]


_CLOCK_LABELS = {
    ClockKind.FIRST_CONTACT: "首次响应",
    ClockKind.HOME_VISIT: "上门",
    ClockKind.FEEDBACK: "整改反馈",
    ClockKind.PROGRESS_CALL: "进度回访",
    ClockKind.REVIEW_FIX: "复核问题整改",
    ClockKind.FOLLOW_UP_CALL: "回访",
}


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "pending": "待审批",
            "approved": "已批准",
            "rejected": "已驳回",
            "withdrawn": "已撤回",
        }[self.value]


class AppointmentKind(StrEnum):
    VISIT = "visit"
    REINSPECTION = "reinspection"

    @property
    def label(self) -> str:
        return {"visit": "上门", "reinspection": "客户验收"}[self.value]


class AttachmentKind(StrEnum):
    PHOTO = "photo"
    SIGNED_FORM = "signed_form"
    DOCUMENT = "document"

    @property
    def label(self) -> str:
        return {"photo": "现场照片", "signed_form": "签字登记表", "document": "其他文件"}[
            self.value
        ]


class AppointmentStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    CANCELLED = "cancelled"


class Door(StrEnum):
    """Where someone came in: the same rules and PIN at every one."""

    WINDOW = "window"
    UNLOCK = "unlock"
    CLI = "cli"
    PIN_CHANGE = "pin_change"

    @property
    def label(self) -> str:
        return {
            "window": "窗口登录",
            "unlock": "解锁",
            "cli": "命令行",
            "pin_change": "修改 PIN",
        }[self.value]


class Handover(StrEnum):
    """Why a case reached someone's to-do list as new to them."""

    ESCALATED = "escalated"
    ASSIGNED = "assigned"
    REASSIGNED = "reassigned"
    REVIEW = "review"

    @property
    def todo_label(self) -> str:
        return {
            "escalated": "升级给你",
            "assigned": "新分派给你",
            "reassigned": "改派给你",
            "review": "请你复核",
        }[self.value]

    @property
    def notice_label(self) -> str:
        return {
            "escalated": "升级通知",
            "assigned": "分派通知",
            "reassigned": "改派通知",
            "review": "复核请求",
        }[self.value]


# ------------------------------------------------------------ case numbers

# TS-20261122-003: the day of receipt and its sequence, three digits or more.
# Past 999 a day the text no longer sorts as issued ("-1000" before "-101"):
# the date part, then the length, then the text does.
_CASE_NO_DAY = len("TS-20261122-")
CASE_NO_ORDER_SQL = (f"substr(case_no, 1, {_CASE_NO_DAY})", "length(case_no)", "case_no")


def case_no_key(case_no: str) -> tuple[str, int, str]:
    """Sorts case numbers as issued, at any count a day (as CASE_NO_ORDER_SQL)."""
    return (case_no[:_CASE_NO_DAY], len(case_no), case_no)


# ---------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class Staff:
    id: int
    name: str
    role: Role
    active: bool

    @property
    def escalation_level(self) -> int | None:
        """The escalation level this person answers for, if any."""
        for level in EscalationLevel:
            if level.role == self.role:
                return int(level)
        return None


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    case_no: str
    received_at: dt.datetime
    received_by: int
    channel: str
    customer_name: str
    customer_title: str  # 先生 / 女士, or "" when not asked
    customer_phone: str
    customer_address: str
    order_no: str
    purchase_date: dt.date | None
    install_date: dt.date | None
    product_category: str
    brand_model: str
    subject: str
    category: str
    description: str
    demands: tuple[str, ...]
    demand_note: str
    severity: Severity
    needs_visit: bool
    stage: Stage
    owner_id: int | None
    department: str
    assigned_at: dt.datetime | None
    valid: bool | None
    validity_reason: str
    invalid_explanation: str
    investigation_notes: str
    cause_analysis: str
    responsibility: Responsibility | None
    solution_kind: SolutionKind | None
    solution_steps: str
    solution_due: dt.date | None
    solution_cost_fen: int
    rectification_result: str
    rectified_by: int | None
    rectified_at: dt.datetime | None
    review_round: int
    satisfaction: int | None
    closing_cause: str
    closing_actions: str
    closing_improvement: str
    cause_key: str  # the cause category found at closing (settings list "cause")
    closed_at: dt.datetime | None
    escalation_level: EscalationLevel
    overdue: bool
    reopen_count: int
    void_reason: str
    on_spot: bool
    first_contact_at: dt.datetime | None
    next_due_at: dt.datetime | None
    next_due_kind: ClockKind | None
    # Who the rectification was handed to for review (anyone eligible may review).
    reviewer_id: int | None = None
    # The case's number in the showroom's old ledger, when it was imported from it.
    ledger_no: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One line of a case's timeline: who did what when, and every case column
    it changed as `changes[column] = (old, new)` (values as stored)."""

    id: int
    case_id: int
    at: dt.datetime
    actor_id: int | None
    kind: str
    note: str
    changes: Mapping[str, tuple[Any, Any]]
    # Facts for programs to read (which limits were missed and when they fell
    # due, who was told); `note` is the same in words, for people.
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Clock:
    id: int
    case_id: int
    kind: ClockKind
    started_at: dt.datetime
    due_at: dt.datetime
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    planned_at: dt.datetime | None = None  # calls: the slot proposed for making it
    superseded_by: int | None = None  # ended because this newer clock of its kind replaced it

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


@dataclass(frozen=True, slots=True)
class Approval:
    id: int
    case_id: int
    kind: SolutionKind
    amount_fen: int
    requested_by: int
    requested_at: dt.datetime
    status: ApprovalStatus
    decided_by: int | None
    decided_at: dt.datetime | None
    note: str
    carried_out_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    case_id: int
    round: int
    reviewer_id: int
    at: dt.datetime
    passed: bool
    items: tuple[ReviewItem, ...]
    open_problems: str
    # What this round reviewed, as it stood then: a later round's rectification
    # or a revised solution never changes an earlier round's 复核意见书.
    solution_kind: SolutionKind | None = None
    solution_steps: str = ""
    solution_due: dt.date | None = None
    solution_cost_fen: int = 0
    rectification_result: str = ""
    rectified_by: int | None = None
    rectified_at: dt.datetime | None = None
    owner_id: int | None = None
    opinion: str = ""  # the reviewer's words beside the verdict


# The case columns a review round keeps as they stood when it was written.
REVIEW_FACTS = (
    "solution_kind",
    "solution_steps",
    "solution_due",
    "solution_cost_fen",
    "rectification_result",
    "rectified_by",
    "rectified_at",
    "owner_id",
)


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One row of the 复核意见书 checklist: 项目 / 结果 / 说明."""

    item: str
    passed: bool
    remark: str = ""


@dataclass(frozen=True, slots=True)
class Contact:
    """A call, message or visit with the customer (首次联系, 进度告知, 回访)."""

    id: int
    case_id: int
    at: dt.datetime
    by_id: int
    method: ContactMethod
    purpose: ContactPurpose
    reached: bool
    satisfaction: int | None
    customer_words: str
    next_action: str


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    case_id: int
    kind: AppointmentKind
    staff_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    address: str
    status: AppointmentStatus
    note: str


@dataclass(frozen=True, slots=True)
class Attachment:
    """A photo or scan kept with a case; `stored_name` is the file in the attachment folder."""

    id: int
    case_id: int
    kind: AttachmentKind
    file_name: str
    stored_name: str
    size: int
    sha256: str
    added_at: dt.datetime
    added_by: int
    voided_at: dt.datetime | None
    void_reason: str
