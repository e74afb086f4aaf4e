"""Who may do what: every operation a person performs, called on the core once per role.

The expected outcome of each (operation, actor) pair is written out by hand in
`OPS` below, from the spec (domain.md: roles, "permissions are enforced in the
core", the reviewer is not the owner, clerk → supervisor submits → general
manager approves within thresholds) and from the wording of `workflow.RULES`
and docs/permissions.md (任何在职员工 / 本案责任人 / named roles). It is
deliberately never computed by asking `permissions` or `workflow` itself.

Each case is first walked to a stage where the action is allowed, so the only
thing that varies is who acts. Allowed: the call succeeds and its effect is
visible. Refused: `PermissionDenied` with a Chinese message, and the database
is byte-for-byte what it was (every table, and the files beside it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from showroom_cs import operations as op
from showroom_cs import workflow
from showroom_cs.clock import FixedClock
from showroom_cs.domain import (
    AccountabilityMeasure,
    AppointmentStatus,
    ApprovalStatus,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    Responsibility,
    ReviewItem,
    Role,
    SolutionKind,
    Staff,
    Stage,
)
from showroom_cs.errors import PermissionDenied
from showroom_cs.export import export_all_cases, export_week
from showroom_cs.operations import Context
from showroom_cs.store import Store

from .conftest import START, Desk, draft, make_desk
from .walk import follow_up, to_closed, to_follow_up, to_in_progress, to_investigating

# ------------------------------------------------------------------ actors


@dataclass(frozen=True, slots=True)
class Actor:
    staff: str  # who acts
    case_owner: str  # the case's 责任人 in this scenario


# One per role, plus the same role as the case's owner where ownership matters
# (本案责任人或主管以上角色), and a deactivated member of the most powerful role.
ACTORS: dict[str, Actor] = {
    "owner": Actor("周建国", "李强"),
    "general_manager": Actor("刘洋", "李强"),
    "store_manager": Actor("陈静", "李强"),
    "install_manager-case_owner": Actor("李强", "李强"),
    "install_manager": Actor("黄磊", "李强"),
    "supervisor": Actor("赵敏", "李强"),
    "clerk-case_owner": Actor("王芳", "王芳"),
    "clerk": Actor("孙丽", "李强"),
    "owner-deactivated": Actor("钱进", "李强"),
}
CASE_ACTORS = tuple(ACTORS)
# For operations not on a case, owning a case means nothing.
ROLE_ACTORS = tuple(a for a in ACTORS if not a.endswith("-case_owner"))
EXTRA_STAFF = (("黄磊", Role.INSTALL_MANAGER), ("钱进", Role.OWNER))
DEACTIVATED = "钱进"

# ------------------------------------------------------ refusal fragments

GONE = "已停用"  # a deactivated member may do nothing at all
HANDLER = "只有对自己负责的案件才能"
SUPERVISOR_UP = "只有客服主管、店长、安装部经理、总经理或老板可以"
REVIEW_ROLE = "客服专员不能复核"
NOT_OWN_WORK = "复核人不能是本案的责任人或整改人"
APPROVE_ROLE = "客服专员不能审批"
OVER_LIMIT = "审批额度"
MANAGERS_ONLY = "只有店长、总经理或老板可以"
IMPROVEMENT_OWNER = "只有对自己负责的事项才能标记改进措施完成"


def denied(refusals: Mapping[str, str] | None = None) -> dict[str, str]:
    """Refusals for the named actors; the deactivated member is always refused."""
    return {**(refusals or {}), "owner-deactivated": GONE}


EVERYONE = denied()
# 本案责任人或主管以上角色: the clerk who owns the case may, another clerk may not.
HANDLERS = denied({"clerk": HANDLER})
SUPERVISORS = denied({"clerk": SUPERVISOR_UP, "clerk-case_owner": SUPERVISOR_UP})
# 主管以上角色, and never the case's owner or whoever did the rectification.
REVIEWERS = denied(
    {
        "clerk": REVIEW_ROLE,
        "clerk-case_owner": REVIEW_ROLE,
        "install_manager-case_owner": NOT_OWN_WORK,
    }
)
# A 300 yuan gift requested by 李强: clerk → supervisor submits → general manager
# approves; default limits: store manager 500, general manager 20,000, owner no
# limit, supervisor and install manager none at all.
APPROVERS_SMALL = denied(
    {
        "clerk": APPROVE_ROLE,
        "clerk-case_owner": APPROVE_ROLE,
        "supervisor": OVER_LIMIT,
        "install_manager": OVER_LIMIT,
        "install_manager-case_owner": OVER_LIMIT,
    }
)
APPROVERS_LARGE = {**APPROVERS_SMALL, "store_manager": OVER_LIMIT}  # 5,000 yuan
MANAGERS = denied(
    {"clerk": MANAGERS_ONLY, "supervisor": MANAGERS_ONLY, "install_manager": MANAGERS_ONLY}
)

# ------------------------------------------------------------------ scenes

TOMORROW = START.date() + dt.timedelta(days=1)
VISIT_START = dt.datetime.combine(TOMORROW, dt.time(14, 0))
SMALL_GIFT = 300_00
LARGE_GIFT = 5_000_00


@dataclass
class Scene:
    """What an operation acts on, prepared before the actor steps in."""

    case_owner: str
    tmp: Path
    ids: Mapping[str, int]  # staff ids by name
    case_id: int = 0
    ref: int = 0  # appointment, approval, clock or attachment id
    result: object = None  # what the operation returned, for the effect check

    @property
    def photo(self) -> Path:
        path = self.tmp / "camera" / "左门缝隙.jpg"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(bytes(range(256)) * 8)
        return path


def _registered(desk: Desk, s: Scene) -> None:
    s.case_id = desk.register().id


def _investigating(desk: Desk, s: Scene) -> None:
    s.case_id = to_investigating(desk, desk.register(), s.case_owner).id


def _in_progress(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    to_in_progress(desk, desk.case(s.case_id))


def _gift_pending(amount: int) -> Callable[[Desk, Scene], None]:
    def prepare(desk: Desk, s: Scene) -> None:
        _investigating(desk, s)
        to_in_progress(desk, desk.case(s.case_id), SolutionKind.GIFT, amount)
        (approval,) = desk.store.approvals(s.case_id)
        assert approval.requested_by == desk.staff["李强"].id
        s.ref = approval.id

    return prepare


def _under_review(desk: Desk, s: Scene) -> None:
    _in_progress(desk, s)
    op.record_rectification(desk.as_("李强"), s.case_id, result="已更换铰链，门板闭合正常")


def _under_review_rectified_by_store_manager(desk: Desk, s: Scene) -> None:
    _in_progress(desk, s)
    op.record_rectification(
        desk.as_("李强"), s.case_id, result="已更换门板", done_by=desk.staff["陈静"].id
    )


def _follow_up_called(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    follow_up(desk, to_follow_up(desk, desk.case(s.case_id)))


def _closed(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    to_closed(desk, desk.case(s.case_id))


def _visit_planned(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    op.schedule_visit(
        desk.as_("王芳"),
        s.case_id,
        staff_id=desk.staff["李强"].id,
        starts_at=VISIT_START,
        ends_at=VISIT_START + dt.timedelta(hours=1),
    )
    (appointment,) = desk.store.appointments(s.case_id)
    s.ref = appointment.id


def _call_pending(desk: Desk, s: Scene) -> None:
    _registered(desk, s)
    (call,) = [c for c in desk.store.clocks(s.case_id) if c.kind == ClockKind.PROGRESS_CALL]
    s.ref = call.id


def _photo_taken(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    assert s.photo.is_file()


def _photo_attached(desk: Desk, s: Scene) -> None:
    _investigating(desk, s)
    op.add_attachment(desk.as_("王芳"), s.case_id, s.photo)
    (attachment,) = desk.store.attachments(s.case_id)
    s.ref = attachment.id


def _nothing(desk: Desk, s: Scene) -> None:
    pass


def _improvement_open(desk: Desk, s: Scene) -> None:
    """A closed case whose improvement measure its owner follows through."""
    _closed(desk, s)
    (item,) = op.improvements_of_case(desk.store, s.case_id)
    assert item.owner_id == desk.staff[s.case_owner].id
    s.ref = item.id


# ------------------------------------------------------------ the table


Run = Callable[[Context, Scene], object]
Effect = Callable[[Desk, Scene, Staff], None]


@dataclass(frozen=True)
class Op:
    name: str  # the test id's first half
    calls: str  # the public function exercised
    rules: tuple[str, ...]  # the workflow.RULES entries that govern it
    refused: Mapping[str, str]  # actor → fragment of the Chinese refusal; all others may
    prepare: Callable[[Desk, Scene], None]
    run: Run
    effect: Effect
    event: str | None = None  # kind of the timeline event an allowed call writes
    files: bool = False  # needs a database on disk (attachments)
    actors: tuple[str, ...] = field(default=CASE_ACTORS)


def _case(desk: Desk, s: Scene) -> Any:
    return desk.case(s.case_id)


def _stage_is(stage: Stage) -> Effect:
    def effect(desk: Desk, s: Scene, actor: Staff) -> None:
        assert _case(desk, s).stage == stage

    return effect


def _call_postponed(desk: Desk, s: Scene, actor: Staff) -> None:
    planned = [c.planned_at for c in desk.store.clocks(s.case_id) if c.planned_at is not None]
    assert dt.datetime.combine(TOMORROW, dt.time(15, 10)) in planned


def _accountability_recorded(desk: Desk, s: Scene, actor: Staff) -> None:
    finding = op.accountability_of(desk.as_("陈静"), s.case_id)
    assert finding is not None and finding.by_id == actor.id and finding.department == "安装部"


def _improvement_done(desk: Desk, s: Scene, actor: Staff) -> None:
    item = op.improvement(desk.store, s.ref)
    assert item.done and item.done_by == actor.id


def _improvement_moved(desk: Desk, s: Scene, actor: Staff) -> None:
    assert op.improvement(desk.store, s.ref).owner_id == desk.staff["陈静"].id


def _assigned(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.INVESTIGATING and case.owner_id == desk.staff["李强"].id


def _reassigned(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.INVESTIGATING and case.owner_id == desk.staff["陈静"].id
    assert case.department == "销售部"


def _edited(desk: Desk, s: Scene, actor: Staff) -> None:
    assert _case(desk, s).customer_address == "幸福里小区 5栋 301"


def _investigated(desk: Desk, s: Scene, actor: Staff) -> None:
    assert _case(desk, s).investigation_notes == "上门查看，左门铰链松动"


def _proposed(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.IN_PROGRESS and case.valid is True


def _revised(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.IN_PROGRESS and case.solution_kind == SolutionKind.REPLACE


def _approved(desk: Desk, s: Scene, actor: Staff) -> None:
    approval = desk.store.approval(s.ref)
    assert approval.status == ApprovalStatus.APPROVED and approval.decided_by == actor.id


def _rectified(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.UNDER_REVIEW and case.rectified_by == actor.id


def _reviewed(desk: Desk, s: Scene, actor: Staff) -> None:
    (review,) = desk.store.reviews(s.case_id)
    assert review.reviewer_id == actor.id and review.passed
    assert _case(desk, s).stage == Stage.FOLLOW_UP


def _visit_scheduled(desk: Desk, s: Scene, actor: Staff) -> None:
    (appointment,) = desk.store.appointments(s.case_id)
    assert appointment.staff_id == desk.staff["李强"].id
    assert appointment.status == AppointmentStatus.PLANNED


def _visit_moved(desk: Desk, s: Scene, actor: Staff) -> None:
    assert desk.store.appointment(s.ref).starts_at == VISIT_START + dt.timedelta(days=1)


def _visit_status(status: AppointmentStatus) -> Effect:
    def effect(desk: Desk, s: Scene, actor: Staff) -> None:
        assert desk.store.appointment(s.ref).status == status

    return effect


def _call_moved(desk: Desk, s: Scene, actor: Staff) -> None:
    (call,) = [c for c in desk.store.clocks(s.case_id) if c.id == s.ref]
    assert call.planned_at == dt.datetime.combine(TOMORROW, dt.time(15, 10))


def _contact_recorded(desk: Desk, s: Scene, actor: Staff) -> None:
    (contact,) = desk.store.contacts(s.case_id)
    assert contact.by_id == actor.id and contact.reached
    assert _case(desk, s).first_contact_at == START


def _reopened(desk: Desk, s: Scene, actor: Staff) -> None:
    case = _case(desk, s)
    assert case.stage == Stage.IN_PROGRESS and case.reopen_count == 1


def _escalated(desk: Desk, s: Scene, actor: Staff) -> None:
    assert _case(desk, s).escalation_level == 1


def _noted(desk: Desk, s: Scene, actor: Staff) -> None:
    assert desk.store.events(s.case_id)[-1].note == "客户下午三点后方便接电话"


def _printed(desk: Desk, s: Scene, actor: Staff) -> None:
    assert desk.store.events(s.case_id)[-1].note == "打印客户投诉登记表（2 页）"


def _phone_revealed(desk: Desk, s: Scene, actor: Staff) -> None:
    assert s.result == _case(desk, s).customer_phone == "13800138000"
    assert desk.store.events(s.case_id)[-1].note == f"{actor.name}查看了客户的完整电话"


def _attached(desk: Desk, s: Scene, actor: Staff) -> None:
    (attachment,) = desk.store.attachments(s.case_id)
    assert attachment.added_by == actor.id
    folder = desk.store.attachment_folder
    assert folder is not None and (folder / attachment.stored_name).is_file()


def _attachment_voided(desk: Desk, s: Scene, actor: Staff) -> None:
    attachment = desk.store.query_one(
        "SELECT voided_at, void_reason FROM attachments WHERE id = ?", (s.ref,)
    )
    assert attachment is not None and attachment["voided_at"] is not None
    assert attachment["void_reason"] == "拍错了案件"


def _registered_by(desk: Desk, s: Scene, actor: Staff) -> None:
    row = desk.store.query_one("SELECT id, received_by FROM cases ORDER BY id DESC LIMIT 1")
    assert row is not None and row["received_by"] == actor.id
    assert desk.store.events(row["id"])[0].kind == "register"


def _staff_added(desk: Desk, s: Scene, actor: Staff) -> None:
    (new,) = [m for m in desk.store.all_staff() if m.name == "吴新"]
    assert new.role == Role.CLERK and new.active


def _settings_changed(desk: Desk, s: Scene, actor: Staff) -> None:
    assert desk.store.settings().idle_lock_minutes == 15
    assert desk.store.scalar("SELECT by_id FROM settings_log ORDER BY id DESC") == actor.id


def _staff_edited(desk: Desk, s: Scene, actor: Staff) -> None:
    member = desk.store.staff_member(s.ids["孙丽"])
    assert (member.name, member.role) == ("孙丽丽", Role.SUPERVISOR)


def _staff_deactivated(desk: Desk, s: Scene, actor: Staff) -> None:
    assert not desk.store.staff_member(s.ids["王芳"]).active


def _pin_reset(desk: Desk, s: Scene, actor: Staff) -> None:
    assert desk.store.pin_hash(s.ids["王芳"]) is None
    assert "王芳" in desk.store.scalar("SELECT new FROM settings_log ORDER BY id DESC")


def _sun_li_locked_out(desk: Desk, s: Scene) -> None:
    op.set_own_pin(desk.store, desk.clock, s.ids["孙丽"], "2468")
    for _ in range(desk.store.settings().pin_tries):
        with pytest.raises(op.PinRefused):
            op.log_in(desk.store, desk.clock, s.ids["孙丽"], "0000")
    assert op.wait_left(desk.store, desk.clock, s.ids["孙丽"]) == 60


def _wait_cleared(desk: Desk, s: Scene, actor: Staff) -> None:
    assert op.wait_left(desk.store, desk.clock, s.ids["孙丽"]) == 0
    assert desk.store.scalar("SELECT detail FROM audit_log ORDER BY id DESC") == "解除孙丽的等待"


def _exported(desk: Desk, s: Scene, actor: Staff) -> None:
    row = desk.store.query_one("SELECT by_id, full, file_name FROM exports")
    assert row is not None and row["by_id"] == actor.id and row["full"] == 1
    assert (s.tmp / "exports" / row["file_name"]).is_file()


def _contact(ctx: Context, s: Scene) -> object:
    return op.record_contact(
        ctx,
        s.case_id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
        customer_words="希望尽快上门",
    )


def _solution(**extra: Any) -> dict[str, Any]:
    return {
        "steps": "上门更换左侧门板",
        "due_date": START.date() + dt.timedelta(days=3),
        "cost_fen": 0,
        **extra,
    }


OPS: tuple[Op, ...] = (
    Op(
        "assign",
        "assign",
        ("assign",),
        EVERYONE,
        _registered,
        lambda c, s: op.assign(c, s.case_id, owner_id=s.ids["李强"], department="安装部"),
        _assigned,
        "assign",
    ),
    Op(
        "reassign",
        "assign",
        ("reassign",),
        HANDLERS,
        _investigating,
        lambda c, s: op.assign(c, s.case_id, owner_id=s.ids["陈静"], department="销售部"),
        _reassigned,
        "reassign",
    ),
    Op(
        "edit_case",
        "edit_case",
        ("edit",),
        EVERYONE,
        _investigating,
        lambda c, s: op.edit_case(c, s.case_id, {"customer_address": "幸福里小区 5栋 301"}),
        _edited,
        "edit",
    ),
    Op(
        "investigate",
        "investigate",
        ("investigate",),
        HANDLERS,
        _investigating,
        lambda c, s: op.investigate(c, s.case_id, notes="上门查看，左门铰链松动"),
        _investigated,
        "investigate",
    ),
    Op(
        "judge_invalid",
        "judge_invalid",
        ("judge_invalid",),
        SUPERVISORS,  # telling a customer "no" is for someone senior
        _investigating,
        lambda c, s: op.judge_invalid(
            c, s.case_id, reason="门缝在标准范围内", explanation="已向客户说明国标允许的缝隙"
        ),
        _stage_is(Stage.INVALID),
        "judge_invalid",
    ),
    Op(
        "propose_solution",
        "propose_solution",
        ("propose_solution",),
        HANDLERS,
        _investigating,
        lambda c, s: op.propose_solution(
            c,
            s.case_id,
            validity_reason="现场核实门板变形",
            kind=SolutionKind.REPAIR,
            **_solution(),
        ),
        _proposed,
        "propose_solution",
    ),
    Op(
        "revise_solution",
        "revise_solution",
        ("revise_solution",),
        HANDLERS,
        _in_progress,
        lambda c, s: op.revise_solution(
            c, s.case_id, kind=SolutionKind.REPLACE, reason="维修后仍变形", **_solution()
        ),
        _revised,
        "revise_solution",
    ),
    Op(
        "decide_approval",
        "decide_approval",
        ("decide_approval",),
        APPROVERS_SMALL,
        _gift_pending(SMALL_GIFT),
        lambda c, s: op.decide_approval(c, s.ref, approve=True),
        _approved,
        "approval",
    ),
    Op(
        "decide_approval_large",
        "decide_approval",
        ("decide_approval",),
        APPROVERS_LARGE,
        _gift_pending(LARGE_GIFT),
        lambda c, s: op.decide_approval(c, s.ref, approve=True),
        _approved,
        "approval",
    ),
    Op(
        "report_progress",
        "report_progress",
        ("report_progress",),
        HANDLERS,
        _in_progress,
        lambda c, s: op.report_progress(c, s.case_id, done="已订门板", outstanding="待上门安装"),
        lambda desk, s, a: None,
        "progress",
    ),
    Op(
        "record_rectification",
        "record_rectification",
        ("record_rectification",),
        HANDLERS,
        _in_progress,
        lambda c, s: op.record_rectification(c, s.case_id, result="已更换门板，闭合正常"),
        _rectified,
        "rectification",
    ),
    Op(
        "review_case",
        "review_case",
        ("review",),
        REVIEWERS,
        _under_review,
        lambda c, s: op.review_case(
            c, s.case_id, items=[ReviewItem("门板闭合", True)], passed=True
        ),
        _reviewed,
        "review",
    ),
    Op(
        # The rectifier (陈静, store manager) may not review her own work either.
        "review_case_rectified_by_store_manager",
        "review_case",
        ("review",),
        {**REVIEWERS, "store_manager": NOT_OWN_WORK},
        _under_review_rectified_by_store_manager,
        lambda c, s: op.review_case(
            c, s.case_id, items=[ReviewItem("门板闭合", True)], passed=True
        ),
        _reviewed,
        "review",
    ),
    Op(
        "schedule_visit",
        "schedule_visit",
        ("schedule_visit",),
        EVERYONE,
        _investigating,
        lambda c, s: op.schedule_visit(
            c,
            s.case_id,
            staff_id=s.ids["李强"],
            starts_at=VISIT_START,
            ends_at=VISIT_START + dt.timedelta(hours=1),
        ),
        _visit_scheduled,
        "appointment",
    ),
    Op(
        "reschedule_appointment",
        "reschedule_appointment",
        ("schedule_visit",),
        EVERYONE,
        _visit_planned,
        lambda c, s: op.reschedule_appointment(
            c,
            s.ref,
            starts_at=VISIT_START + dt.timedelta(days=1),
            ends_at=VISIT_START + dt.timedelta(days=1, hours=1),
        ),
        _visit_moved,
        "appointment_moved",
    ),
    Op(
        "cancel_appointment",
        "cancel_appointment",
        ("schedule_visit",),
        EVERYONE,
        _visit_planned,
        lambda c, s: op.cancel_appointment(c, s.ref, reason="客户临时出差"),
        _visit_status(AppointmentStatus.CANCELLED),
        "appointment_cancelled",
    ),
    Op(
        "complete_visit",
        "complete_visit",
        ("schedule_visit",),
        EVERYONE,
        _visit_planned,
        lambda c, s: op.complete_visit(c, s.ref, note="已查看，左门板变形"),
        _visit_status(AppointmentStatus.DONE),
        "visit_done",
    ),
    Op(
        "move_call",
        "move_call",
        ("record_contact",),
        EVERYONE,
        _call_pending,
        lambda c, s: op.move_call(
            c, s.ref, planned_at=dt.datetime.combine(TOMORROW, dt.time(15, 10))
        ),
        _call_moved,
        "call_moved",
    ),
    Op(
        "record_contact",
        "record_contact",
        ("record_contact",),
        EVERYONE,
        _registered,
        _contact,
        _contact_recorded,
        "contact",
    ),
    Op(
        "close_case",
        "close_case",
        ("close",),
        HANDLERS,  # a clerk closes only what they own (settled at the counter)
        _follow_up_called,
        lambda c, s: op.close_case(
            c,
            s.case_id,
            cause="铰链未调好",
            actions="上门更换铰链",
            improvement="安装后逐扇检查",
            cause_key="安装施工不规范",
        ),
        _stage_is(Stage.CLOSED),
        "close",
    ),
    Op(
        "postpone_call",
        "postpone_call",
        ("record_contact",),
        EVERYONE,
        _registered,
        lambda c, s: op.postpone_call(
            c,
            s.case_id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.PROGRESS,
            preferred_at=dt.datetime.combine(TOMORROW, dt.time(15, 10)),
        ),
        _call_postponed,
    ),
    Op(
        "record_accountability",
        "record_accountability",
        (),
        MANAGERS,
        _closed,
        lambda c, s: op.record_accountability(
            c,
            s.case_id,
            responsibility=Responsibility.COMPANY,
            department="安装部",
            person="安装师傅老张",
            measure=AccountabilityMeasure.TRAINING,
        ),
        _accountability_recorded,
        "accountability",
        actors=ROLE_ACTORS,
    ),
    Op(
        "complete_improvement",
        "complete_improvement",
        (),
        denied(
            {
                "clerk": IMPROVEMENT_OWNER,
                "supervisor": IMPROVEMENT_OWNER,
                "install_manager": IMPROVEMENT_OWNER,
            }
        ),
        _improvement_open,
        lambda c, s: op.complete_improvement(c, s.ref, "已组织安装部培训，逐扇检查写进验收单"),
        _improvement_done,
        "improvement_done",
    ),
    Op(
        "reassign_improvement",
        "reassign_improvement",
        (),
        MANAGERS,
        _improvement_open,
        lambda c, s: op.reassign_improvement(
            c, s.ref, owner_id=s.ids["陈静"], due=TOMORROW + dt.timedelta(days=30)
        ),
        _improvement_moved,
        "improvement_moved",
        actors=ROLE_ACTORS,
    ),
    Op(
        "reopen_case",
        "reopen_case",
        ("reopen",),
        SUPERVISORS,
        _closed,
        lambda c, s: op.reopen_case(c, s.case_id, "客户反映门板又关不严"),
        _reopened,
        "reopen",
    ),
    Op(
        "void_case",
        "void_case",
        ("void",),
        SUPERVISORS,
        _registered,
        lambda c, s: op.void_case(c, s.case_id, "重复登记"),
        _stage_is(Stage.VOIDED),
        "void",
    ),
    Op(
        "escalate",
        "escalate",
        ("escalate",),
        SUPERVISORS,  # a clerk asks their supervisor, who escalates
        _registered,
        lambda c, s: op.escalate(c, s.case_id, "客户情绪激动，要求主管出面"),
        _escalated,
        "escalate",
    ),
    Op(
        "reject_solution",
        "reject_solution",
        ("reject_solution",),
        HANDLERS,
        _in_progress,
        lambda c, s: op.reject_solution(c, s.case_id, "只修不行，要换新的"),
        _escalated,
        "reject_solution",
    ),
    Op(
        "record_output",
        "record_output",
        ("add_note",),
        EVERYONE,
        _registered,
        lambda c, s: op.record_output(c, s.case_id, "客户投诉登记表", pages=2),
        _printed,
        "print",
    ),
    Op(
        "add_note",
        "add_note",
        ("add_note",),
        EVERYONE,
        _investigating,
        lambda c, s: op.add_note(c, s.case_id, "客户下午三点后方便接电话"),
        _noted,
        "note",
    ),
    Op(
        "reveal_phone",
        "reveal_phone",
        ("add_note",),
        EVERYONE,
        _investigating,
        lambda c, s: op.reveal_phone(c, s.case_id),
        _phone_revealed,
        "phone_revealed",
    ),
    Op(
        "add_attachment",
        "add_attachment",
        ("attach",),
        EVERYONE,
        _photo_taken,
        lambda c, s: op.add_attachment(c, s.case_id, s.photo),
        _attached,
        "attachment",
        files=True,
    ),
    Op(
        "void_attachment",
        "void_attachment",
        ("void_attachment",),
        EVERYONE,
        _photo_attached,
        lambda c, s: op.void_attachment(c, s.ref, "拍错了案件"),
        _attachment_voided,
        "attachment_voided",
        files=True,
    ),
    # Not on a case: who may register, add staff, export full customer data.
    Op(
        "register_case",
        "register_case",
        (),
        EVERYONE,
        _nothing,
        lambda c, s: op.register_case(c, draft()),
        _registered_by,
        actors=ROLE_ACTORS,
    ),
    Op(
        "add_staff",
        "add_staff",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: op.add_staff(c, "吴新", Role.CLERK),
        _staff_added,
        actors=ROLE_ACTORS,
    ),
    Op(
        "change_settings",
        "change_settings",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: op.change_settings(
            c, dataclasses.replace(c.store.settings(), idle_lock_minutes=15)
        ),
        _settings_changed,
        actors=ROLE_ACTORS,
    ),
    Op(
        "edit_staff",
        "edit_staff",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: op.edit_staff(c, s.ids["孙丽"], name="孙丽丽", role=Role.SUPERVISOR),
        _staff_edited,
        actors=ROLE_ACTORS,
    ),
    Op(
        "set_staff_active",
        "set_staff_active",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: op.set_staff_active(c, s.ids["王芳"], False),
        _staff_deactivated,
        actors=ROLE_ACTORS,
    ),
    Op(
        "reset_pin",
        "reset_pin",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: op.reset_pin(c, s.ids["王芳"]),
        _pin_reset,
        actors=ROLE_ACTORS,
    ),
    Op(
        "clear_wait",
        "clear_wait",
        (),
        MANAGERS,
        _sun_li_locked_out,
        lambda c, s: op.clear_wait(c, s.ids["孙丽"]),
        _wait_cleared,
        actors=ROLE_ACTORS,
    ),
    Op(
        "export_week_full",
        "export_week",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: export_week(
            c.store, c.actor(), "2026-W47", s.tmp / "exports", full=True, now=c.now()
        ),
        _exported,
        actors=ROLE_ACTORS,
    ),
    Op(
        "export_all_cases_full",
        "export_all_cases",
        (),
        MANAGERS,
        _nothing,
        lambda c, s: export_all_cases(
            c.store, c.actor(), s.tmp / "exports", full=True, now=c.now()
        ),
        _exported,
        actors=ROLE_ACTORS,
    ),
)

# Public operations that no staff member performs as such: they need no row.
NOT_PERSON_ACTIONS = frozenset(
    {
        "Finding",
        "Improvement",
        "DepartmentFindings",
        "accountability_of",  # reads only (managers only: test_accountability.py)
        "findings_by_department",  # reads only (managers only: test_accountability.py)
        "improvement",  # reads only
        "improvements",  # reads only
        "improvements_of_case",  # reads only
        "SettingsChange",
        "logo_from_file",  # checks an image file, changes nothing
        "settings_history",  # reads only (managers only: test_settings_ops.py)
        "CaseChange",
        "CaseDraft",
        "Context",
        "OnSpotSolution",
        "format_yuan",
        "suggest_route",
        "suggest_reviewer",  # reads only
        "needs_setup",
        "log_in",  # reads only
        "create_showroom",  # the very first start, before anyone exists
        "set_own_pin",  # one's own PIN, no role involved
        "check_clocks",  # the system's time-limit sweep (actor None)
        "approval_refusal",  # reads only (the window disables 审批 with it)
        "Audit",
        "AuditEntry",
        "PinRefused",
        "audit_history",  # reads only (managers only: test_access.py)
        "describe_wait",
        "log_in_by_name",  # the command line's login, a door not a role (test_access.py)
        "wait_left",  # reads only
        "mark_seen",  # one's own notices of a case handed to them, no role involved
    }
)

# ------------------------------------------------------------------ helpers


def _desk(store: Store) -> Desk:
    desk = make_desk(store, FixedClock(START))
    boss = desk.as_("周建国")
    for name, role in EXTRA_STAFF:
        desk.staff[name] = op.add_staff(boss, name, role)
    return desk


def _snapshot(store: Store, tmp: Path) -> dict[str, Any]:
    """Every row of every table, and every file written beside the database."""
    tables = [
        row["name"]
        for row in store.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    ]
    rows: dict[str, Any] = {
        t: [tuple(r) for r in store.query(f"SELECT * FROM {t}")] for t in tables
    }
    rows["files"] = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if p.is_file())
    return rows


def _case_row(store: Store, case_id: int) -> tuple[Any, ...] | None:
    row = store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    return None if row is None else tuple(row)


def _event_count(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM events"))


def _chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def _params() -> Iterator[Any]:
    for operation in OPS:
        for actor in operation.actors:
            yield pytest.param(operation, actor, id=f"{operation.name}-{actor}")


# ------------------------------------------------------------------- tests


@pytest.mark.parametrize(("operation", "actor_key"), list(_params()))
def test_permission(operation: Op, actor_key: str, tmp_path: Path) -> None:
    actor = ACTORS[actor_key]
    store = Store.open(tmp_path / "data" / "cases.db") if operation.files else Store.in_memory()
    try:
        desk = _desk(store)
        scene = Scene(
            actor.case_owner, tmp_path, {name: member.id for name, member in desk.staff.items()}
        )
        operation.prepare(desk, scene)
        with store.transaction():  # deactivated after the scene is set
            store.write_staff({"active": 0}, desk.staff[DEACTIVATED].id)
        me = store.staff_member(desk.staff[actor.staff].id)
        ctx = desk.as_(actor.staff)
        before = _snapshot(store, tmp_path)
        case_before = _case_row(store, scene.case_id)
        events_before = _event_count(store)
        refusal = operation.refused.get(actor_key)

        if refusal is None:
            scene.result = operation.run(ctx, scene)
            operation.effect(desk, scene, me)
            if operation.event is not None:
                assert _event_count(store) == events_before + 1
                last = store.events(scene.case_id)[-1]
                assert (last.kind, last.actor_id) == (operation.event, me.id)
            else:
                assert _snapshot(store, tmp_path) != before
            return

        with pytest.raises(PermissionDenied) as refused:
            operation.run(ctx, scene)
        message = refused.value.message
        assert _chinese(message), message
        assert refusal in message, message
        assert _case_row(store, scene.case_id) == case_before
        assert _event_count(store) == events_before
        assert _snapshot(store, tmp_path) == before
    finally:
        store.close()


def test_every_workflow_rule_has_permission_rows() -> None:
    covered = {rule for operation in OPS for rule in operation.rules}
    assert set(workflow.RULES) - covered == set(), "a workflow action without permission rows"
    assert covered - set(workflow.RULES) == set(), "rows for an action workflow no longer has"


def test_every_public_operation_has_permission_rows() -> None:
    called = {operation.calls for operation in OPS}
    missing = set(op.__all__) - NOT_PERSON_ACTIONS - called
    assert missing == set(), f"public operations without permission rows: {sorted(missing)}"


def test_every_row_names_known_actors() -> None:
    for operation in OPS:
        assert set(operation.refused) <= set(ACTORS), operation.name
        assert set(operation.actors) <= set(ACTORS), operation.name
        # Somebody may do it, and the deactivated member may not.
        assert set(operation.actors) - set(operation.refused), operation.name
        assert operation.refused["owner-deactivated"] == GONE, operation.name
