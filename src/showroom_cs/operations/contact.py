"""Talking to the customer: calls, visits, the follow-up (回访) and closing."""

from __future__ import annotations

import datetime as dt

from .. import call_plan, sla, workflow
from ..domain import (
    NOT_SATISFIED_MAX,
    SATISFACTION_LABELS,
    AppointmentKind,
    AppointmentStatus,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    Stage,
)
from ..errors import RuleError
from ..store.rows import db_time
from ._common import (
    CaseChange,
    Context,
    StartedClock,
    as_enum,
    as_moment,
    clean_text,
    commit,
    enter_stage,
    escalation,
    load_case,
    meet_clocks,
    require_active,
    require_fields,
    start_clock,
)
from .improve import DEFAULT_IMPROVEMENT_DAYS, join_improvement, start_improvement

# A call postponed to the customer's time is due this long after that time.
POSTPONED_GRACE = dt.timedelta(hours=1)

# Which time limit a call of each purpose keeps. A call about progress or a
# follow-up counts when it is made, answered or not (the clock measures the
# showroom's promptness); first contact needs the customer really reached.
_MEETS = {
    ContactPurpose.PROGRESS: ClockKind.PROGRESS_CALL,
    ContactPurpose.FOLLOW_UP: ClockKind.FOLLOW_UP_CALL,
}


def record_contact(
    ctx: Context,
    case_id: int,
    *,
    method: ContactMethod,
    purpose: ContactPurpose,
    reached: bool,
    satisfaction: int | None = None,
    customer_words: str = "",
    next_action: str = "",
    at: dt.datetime | None = None,
) -> CaseChange:
    """Record a call, message or visit talk (联系/回访记录).

    In 待回访, a reached follow-up must carry satisfaction (1–5). Not
    satisfied (≤ 2) sends the case back to 处理中 for second handling and
    escalates it one level.
    """
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "record_contact")
    method = as_enum(ContactMethod, method, "联系方式（电话、微信或上门）", "method")
    purpose = as_enum(ContactPurpose, purpose, "联系目的", "purpose")
    now = ctx.now()
    at = as_moment(at or now, "联系时间", "at", not_before=before.received_at, now=now)
    if satisfaction is not None:
        valid = isinstance(satisfaction, int) and not isinstance(satisfaction, bool)
        if not valid or satisfaction not in SATISFACTION_LABELS:
            raise RuleError(
                "满意度请选 1（非常不满意）到 5（非常满意）。", missing=("satisfaction",)
            )
        if not reached:
            raise RuleError("没有联系上客户，不能记录满意度。", missing=("satisfaction",))
        if purpose != ContactPurpose.FOLLOW_UP:
            raise RuleError("满意度只在回访时记录。", missing=("satisfaction",))
    is_closing_follow_up = (
        before.stage == Stage.FOLLOW_UP and purpose == ContactPurpose.FOLLOW_UP and reached
    )
    if is_closing_follow_up and satisfaction is None:
        raise RuleError("回访联系上客户时，请记录客户满意度。", missing=("satisfaction",))
    words = clean_text(customer_words, "客户原话", field="customer_words")
    next_action = clean_text(next_action, "下一步", max_len=500, field="next_action")
    with ctx.store.transaction():
        ctx.store.insert(
            "contacts",
            {
                "case_id": case_id,
                "at": db_time(at),
                "by_id": actor.id,
                "method": method.value,
                "purpose": purpose.value,
                "reached": int(reached),
                "satisfaction": satisfaction,
                "customer_words": words,
                "next_action": next_action,
            },
        )
        outcome = "已联系上" if reached else "未联系上"
        note = f"{purpose.label}（{method.label}，{outcome}）"
        if satisfaction is not None:
            note += f"，满意度：{SATISFACTION_LABELS[satisfaction]}"
        if words:
            note += f"。客户说：{words[:60]}"
        started: list[StartedClock] = []
        if reached:
            meet_clocks(ctx, case_id, [ClockKind.FIRST_CONTACT], at)
        if purpose in _MEETS:
            meets = [_MEETS[purpose]]
            if before.stage != Stage.FOLLOW_UP:
                # While the work goes on, any call about it also answers a
                # pending callback or the day-after-visit check.
                meets.append(ClockKind.FOLLOW_UP_CALL)
            meet_clocks(ctx, case_id, meets, at)
        if purpose in _MEETS and not reached:
            # Unreached calls are tried again in the next calling window and
            # are due by the end of the next calling day.
            again = start_clock(
                ctx,
                case_id,
                ClockKind.FOLLOW_UP_CALL,
                at,
                before.severity,
                call_from=sla.end_of_calling_window(at, ctx.settings),
            )
            started.append(again)
            assert again.planned_at is not None  # a call always gets a slot
            note += f"，{again.planned_at:%m-%d %H:%M} 再打"
        values: dict[str, object] = {}
        if reached and (before.first_contact_at is None or at < before.first_contact_at):
            values["first_contact_at"] = at
        kind = "contact"
        if is_closing_follow_up and satisfaction is not None:
            values["satisfaction"] = satisfaction
            if satisfaction <= NOT_SATISFIED_MAX:
                kind = "second_handling"
                escalated, note = escalation(before, note + "；客户不满意，退回二次处理")
                values.update(escalated, stage=Stage.IN_PROGRESS)
                started.append(start_clock(ctx, case_id, ClockKind.FEEDBACK, now, before.severity))
        return commit(ctx, case_id, before, kind, note, values, started=started)


def close_case(
    ctx: Context,
    case_id: int,
    *,
    cause: str,
    actions: str,
    improvement: str,
    cause_key: str = "",
    improvement_owner_id: int | None = None,
    improvement_due: dt.date | None = None,
    improvement_id: int | None = None,
) -> CaseChange:
    """待回访 → 已结案: needs the satisfied follow-up and the closing summary.

    The improvement measure becomes an item to follow through: a new one
    (owner: `improvement_owner_id`, default the case's owner; due:
    `improvement_due`, default two weeks) or, with `improvement_id`, the open
    item this case shares its root with.
    """
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "close")  # includes: a satisfied follow-up is recorded
    require_fields(
        "结案总结还缺：",
        {
            "closing_cause": ("问题原因", cause),
            "closing_actions": ("处理经过", actions),
            "closing_improvement": ("改进措施", improvement),
            "cause_key": ("问题原因类别", cause_key),
        },
    )
    cause_key = str(cause_key or "").strip()
    if not ctx.settings.has_key("cause", cause_key):
        raise RuleError(
            f"问题原因类别「{cause_key[:20]}」不在列表中，请从列表中选择。", missing=("cause_key",)
        )
    values = {
        "stage": Stage.CLOSED,
        "closing_cause": clean_text(cause, "问题原因", required=True),
        "closing_actions": clean_text(actions, "处理经过", required=True),
        "closing_improvement": clean_text(improvement, "改进措施", required=True),
        "cause_key": cause_key,
        "closed_at": ctx.now(),
    }
    with ctx.store.transaction():
        if improvement_id is not None:
            item = join_improvement(ctx, case_id, improvement_id)
            owner = ctx.store.staff_member(item.owner_id)
            due = item.due_date
            follow = f"改进措施并入已有一项（{owner.name}负责，{due:%m-%d} 前完成）"
        else:
            owner = ctx.store.staff_member(improvement_owner_id or before.owner_id or actor.id)
            due = improvement_due or ctx.now().date() + dt.timedelta(days=DEFAULT_IMPROVEMENT_DAYS)
            start_improvement(
                ctx, case_id, str(values["closing_improvement"]), owner_id=owner.id, due=due
            )
            follow = f"改进措施列入跟进（{owner.name}负责，{due:%m-%d} 前完成）"
        enter_stage(ctx, case_id, Stage.CLOSED)
        return commit(ctx, case_id, before, "close", f"结案；{follow}", values)


def schedule_visit(
    ctx: Context,
    case_id: int,
    *,
    staff_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    address: str | None = None,
    kind: AppointmentKind = AppointmentKind.VISIT,
    note: str = "",
) -> CaseChange:
    """上门预约 or 客户验收 appointment; arranging a visit keeps the 上门 limit."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "schedule_visit")
    kind = as_enum(AppointmentKind, kind, "预约类型", "kind")
    visitor = ctx.store.staff_member(staff_id)
    if not visitor.active:
        raise RuleError(f"{visitor.name}已停用，不能安排上门。", missing=("staff_id",))
    if not isinstance(starts_at, dt.datetime) or not isinstance(ends_at, dt.datetime):
        raise RuleError("请填写上门的开始和结束时间。", missing=("starts_at",))
    if ends_at <= starts_at:
        raise RuleError("结束时间必须晚于开始时间。", missing=("ends_at",))
    place = clean_text(
        address if address is not None else before.customer_address, "上门地址", max_len=500
    )
    if kind == AppointmentKind.VISIT and not place:
        raise RuleError("上门需要客户地址：请先填写地址。", missing=("customer_address",))
    note = clean_text(note, "备注", max_len=500)
    now = ctx.now()
    with ctx.store.transaction():
        ctx.store.insert(
            "appointments",
            {
                "case_id": case_id,
                "kind": kind.value,
                "staff_id": visitor.id,
                "starts_at": db_time(starts_at),
                "ends_at": db_time(ends_at),
                "address": place,
                "note": note,
            },
        )
        text = f"{kind.label}预约 {starts_at:%m-%d %H:%M}–{ends_at:%H:%M}，{visitor.name}"
        if kind == AppointmentKind.VISIT:
            meet_clocks(ctx, case_id, [ClockKind.HOME_VISIT], now)
        return commit(ctx, case_id, before, "appointment", text)


def complete_visit(
    ctx: Context, appointment_id: int, *, note: str, at: dt.datetime | None = None
) -> CaseChange:
    """The visit happened: the customer was met, and a follow-up call is due next day."""
    actor = require_active(ctx)
    appointment = ctx.store.appointment(appointment_id)
    before = load_case(ctx, appointment.case_id)
    workflow.check(actor, before, "schedule_visit")
    if appointment.status != AppointmentStatus.PLANNED:
        raise RuleError("这个预约已完成或已取消。")
    note = clean_text(note, "上门情况", required=True, field="note")
    now = ctx.now()
    at = as_moment(at or now, "完成时间", "at", not_before=before.received_at, now=now)
    with ctx.store.transaction():
        ctx.store.update("appointments", appointment.id, {"status": AppointmentStatus.DONE.value})
        meet_clocks(ctx, appointment.case_id, [ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT], at)
        started = (
            start_clock(ctx, appointment.case_id, ClockKind.FOLLOW_UP_CALL, at, before.severity)
            if appointment.kind == AppointmentKind.VISIT
            else None
        )
        values: dict[str, object] = {}
        if before.first_contact_at is None or at < before.first_contact_at:
            values["first_contact_at"] = at
        return commit(
            ctx,
            appointment.case_id,
            before,
            "visit_done",
            f"{appointment.kind.label}完成：{note[:60]}",
            values,
            started=[started],
        )


def reschedule_appointment(
    ctx: Context,
    appointment_id: int,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    staff_id: int | None = None,
) -> CaseChange:
    """Move a planned visit to another time (or person); the timeline keeps both times."""
    actor = require_active(ctx)
    appointment = ctx.store.appointment(appointment_id)
    before = load_case(ctx, appointment.case_id)
    workflow.check(actor, before, "schedule_visit")
    if appointment.status != AppointmentStatus.PLANNED:
        raise RuleError("这个预约已完成或已取消，不能改期。")
    if ends_at <= starts_at:
        raise RuleError("结束时间必须晚于开始时间。", missing=("ends_at",))
    visitor = ctx.store.staff_member(staff_id if staff_id is not None else appointment.staff_id)
    if not visitor.active:
        raise RuleError(f"{visitor.name}已停用，不能安排上门。", missing=("staff_id",))
    old = f"{appointment.starts_at:%m-%d %H:%M}–{appointment.ends_at:%H:%M}"
    new = f"{starts_at:%m-%d %H:%M}–{ends_at:%H:%M}"
    text = f"{appointment.kind.label}改期：{old} → {new}"
    if visitor.id != appointment.staff_id:
        text += f"，改由{visitor.name}"
    with ctx.store.transaction():
        ctx.store.update(
            "appointments",
            appointment.id,
            {"starts_at": db_time(starts_at), "ends_at": db_time(ends_at), "staff_id": visitor.id},
        )
        return commit(ctx, appointment.case_id, before, "appointment_moved", text)


def move_call(ctx: Context, clock_id: int, *, planned_at: dt.datetime) -> CaseChange:
    """Plan a pending call for another time (the customer asked for it, or the
    day got busy); its due time stays, and the timeline keeps both times."""
    actor = require_active(ctx)
    row = ctx.store.query_one("SELECT * FROM clocks WHERE id = ?", (clock_id,))
    if row is None or row["kind"] not in call_plan.CALL_CLOCKS:
        raise RuleError("找不到这个回访。")
    before = load_case(ctx, row["case_id"])
    workflow.check(actor, before, "record_contact")
    if row["met_at"] is not None or row["cancelled_at"] is not None:
        raise RuleError("这个回访已经打过或已取消，不能改约。")
    now = ctx.now()
    if planned_at < now - dt.timedelta(minutes=5):
        raise RuleError("不能把回访改约到已经过去的时间。", missing=("planned_at",))
    kind = ClockKind(row["kind"])
    old = row["planned_at"] or row["due_at"]
    text = (
        f"{kind.label}改约：{dt.datetime.fromisoformat(old):%m-%d %H:%M} → {planned_at:%m-%d %H:%M}"
    )
    if not sla.in_calling_window(planned_at, ctx.settings):
        text += "（回访时段以外，按客户方便的时间）"
    with ctx.store.transaction():
        ctx.store.update("clocks", clock_id, {"planned_at": db_time(planned_at)})
        return commit(ctx, before.id, before, "call_moved", text)


def cancel_appointment(ctx: Context, appointment_id: int, *, reason: str) -> CaseChange:
    actor = require_active(ctx)
    appointment = ctx.store.appointment(appointment_id)
    before = load_case(ctx, appointment.case_id)
    workflow.check(actor, before, "schedule_visit")
    if appointment.status != AppointmentStatus.PLANNED:
        raise RuleError("这个预约已完成或已取消。")
    reason = clean_text(reason, "取消理由", required=True, max_len=500, field="reason")
    with ctx.store.transaction():
        ctx.store.update(
            "appointments", appointment.id, {"status": AppointmentStatus.CANCELLED.value}
        )
        return commit(
            ctx,
            appointment.case_id,
            before,
            "appointment_cancelled",
            f"取消{appointment.kind.label} {appointment.starts_at:%m-%d %H:%M}：{reason}",
        )


def postpone_call(
    ctx: Context,
    case_id: int,
    *,
    method: ContactMethod,
    purpose: ContactPurpose,
    preferred_at: dt.datetime,
) -> CaseChange:
    """客户现在不方便 (seed 004): the call is noted as not held, and the next try
    is planned for the time the customer asked for, not the next free slot."""
    purpose = as_enum(ContactPurpose, purpose, "联系目的", "purpose")
    if purpose not in _MEETS:
        raise RuleError("只有进度告知和回访可以按客户方便的时间改约。", missing=("purpose",))
    with ctx.store.transaction():
        record_contact(
            ctx,
            case_id,
            method=method,
            purpose=purpose,
            reached=False,
            customer_words=f"现在不方便，请 {preferred_at:%m-%d %H:%M} 再打来",
        )
        retry = ctx.store.query_one(
            "SELECT id, due_at FROM clocks WHERE case_id = ? AND kind = ? AND met_at IS NULL "
            "AND cancelled_at IS NULL ORDER BY id DESC LIMIT 1",
            (case_id, ClockKind.FOLLOW_UP_CALL.value),
        )
        assert retry is not None  # record_contact starts it for an unreached call
        # The customer chose the time: the call is not late before it, and the
        # clerk has the hour after it to get through.
        due = max(dt.datetime.fromisoformat(retry["due_at"]), preferred_at + POSTPONED_GRACE)
        ctx.store.update("clocks", retry["id"], {"due_at": db_time(due)})
        return move_call(ctx, retry["id"], planned_at=preferred_at)
