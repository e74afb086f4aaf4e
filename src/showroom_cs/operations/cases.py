"""Registering, editing, voiding, reopening and escalating cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import permissions, workflow
from ..domain import (
    CUSTOMER_TITLES,
    ClockKind,
    Door,
    EscalationLevel,
    Handover,
    Severity,
    SolutionKind,
    Stage,
)
from ..errors import RuleError
from ..permissions import Action
from ..phone import normalize_phone
from ..pinyin_keys import name_keys
from ..settings import Settings
from ..store.rows import db_time
from ._common import (
    MAX_LONG_TEXT,
    MAX_SHORT_TEXT,
    CaseChange,
    Context,
    append_event,
    as_date,
    as_enum,
    as_moment,
    cancel_clocks,
    clean_text,
    commit,
    db_value,
    enter_stage,
    escalation,
    load_case,
    meet_clocks,
    recompute_due_times,
    require_active,
    require_fields,
    start_clock,
)

# A clerk may back-date a complaint (a letter read the next morning, a call
# taken on the road), not post-date it. Older complaints are registered
# today with the real date in the description.
_FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_BACKDATE = dt.timedelta(days=30)


@dataclass(frozen=True, slots=True)
class CaseDraft:
    """What the intake form collects (客户投诉登记表)."""

    customer_name: str
    customer_phone: str
    category: str
    description: str
    channel: str = "到店"
    severity: Severity = Severity.NORMAL
    demands: tuple[str, ...] = ()
    demand_note: str = ""
    customer_address: str = ""
    customer_title: str = ""  # 先生 / 女士, for the call script; "" when not asked
    order_no: str = ""
    purchase_date: dt.date | str | None = None  # a date, or typed as 2026-08-15
    install_date: dt.date | str | None = None
    product_category: str = ""
    brand_model: str = ""
    subject: str = ""
    needs_visit: bool = False
    received_at: dt.datetime | None = None  # default: now


@dataclass(frozen=True, slots=True)
class OnSpotSolution:
    """当场解决: what was done at the counter."""

    kind: SolutionKind
    steps: str


def _validated_fields(ctx: Context, draft: CaseDraft) -> dict[str, Any]:
    now = ctx.now()
    require_fields(
        "请填写：",
        {
            "customer_name": ("客户姓名", draft.customer_name),
            "customer_phone": ("联系电话", draft.customer_phone),
            "channel": ("受理渠道", draft.channel),
            "category": ("投诉类别", draft.category),
            "description": ("投诉内容", draft.description),
            "demands": ("客户诉求", draft.demands or draft.demand_note),
        },
    )
    received_at = as_moment(
        draft.received_at or now,
        "受理时间",
        "received_at",
        not_before=now - MAX_BACKDATE,
        now=now + _FUTURE_TOLERANCE,
    )
    fields = _validated_editable(
        ctx, {column: getattr(draft, column) for column in EDITABLE}, received_at.date()
    )
    if not fields.get("demands") and not fields.get("demand_note"):
        # Blank entries and invisible characters are dropped by the cleaning above.
        raise RuleError("请填写：客户诉求。", missing=("demands",))
    fields["received_at"] = received_at
    return fields


# The intake fields a clerk may correct later, with their names on the form.
FIELD_LABELS = {
    "customer_name": "客户姓名",
    "customer_title": "称呼",
    "customer_phone": "联系电话",
    "customer_address": "地址",
    "order_no": "订单/合同号",
    "purchase_date": "购买日期",
    "install_date": "送货/安装日期",
    "product_category": "产品品类",
    "brand_model": "品牌/型号",
    "subject": "投诉对象",
    "category": "投诉类别",
    "description": "投诉内容",
    "demands": "客户诉求",
    "demand_note": "诉求补充说明",
    "severity": "严重程度",
    "needs_visit": "需要上门",
    "channel": "受理渠道",
}
EDITABLE = tuple(FIELD_LABELS)
_TEXT_LIMITS = {
    "customer_name": 40,
    "customer_address": 500,
    "demand_note": 500,
    "order_no": MAX_SHORT_TEXT,
    "brand_model": MAX_SHORT_TEXT,
    "subject": MAX_SHORT_TEXT,
    "description": MAX_LONG_TEXT,
}
_REQUIRED_TEXT = ("customer_name", "description")
_LIST_FIELDS = ("category", "channel", "product_category")


def _validated_field(settings: Settings, column: str, value: Any) -> Any:
    label = FIELD_LABELS.get(column)
    if label is None:
        raise RuleError(f"「{column}」不能在这里修改。")
    if column == "customer_phone":
        return normalize_phone(str(value or ""))
    if column == "customer_title":
        title = str(value or "").strip()
        if title and title not in CUSTOMER_TITLES:
            raise RuleError("称呼请选「先生」或「女士」，不确定可以不选。", missing=(column,))
        return title
    if column in _TEXT_LIMITS:
        return clean_text(
            value,
            label,
            required=column in _REQUIRED_TEXT,
            max_len=_TEXT_LIMITS[column],
            field=column,
        )
    if column in _LIST_FIELDS:
        key = str(value or "").strip()
        if column == "product_category" and not key:
            return ""
        if not settings.has_key(column, key):
            raise RuleError(f"{label}「{key[:20]}」不在列表中，请从列表中选择。", missing=(column,))
        return key
    if column == "demands":
        if value is None:
            value = ()
        elif isinstance(value, str):
            value = (value,)
        elif not isinstance(value, tuple | list | set | frozenset):
            raise RuleError("请从列表中选择客户诉求。", missing=(column,))
        demands = tuple(dict.fromkeys(str(d).strip() for d in value if str(d).strip()))
        unknown = [d for d in demands if not settings.has_key("demand", d)]
        if unknown:
            raise RuleError(f"客户诉求「{unknown[0][:20]}」不在列表中。", missing=(column,))
        return demands
    if column == "severity":
        return as_enum(Severity, value, "严重程度（一般、重要或紧急）", column)
    if column == "needs_visit":
        return bool(value)
    # purchase_date, install_date
    return as_date(value, label, column)


def _validated_editable(
    ctx: Context, values: Mapping[str, Any], received_day: dt.date
) -> dict[str, Any]:
    """Validate intake fields (all or some of EDITABLE); returns stored values."""
    settings = ctx.settings
    out = {column: _validated_field(settings, column, value) for column, value in values.items()}
    purchase = out.get("purchase_date")
    if purchase is not None and purchase > received_day:
        raise RuleError("购买日期不能晚于受理日期。", missing=("purchase_date",))
    install = out.get("install_date")
    if purchase is not None and install is not None and install < purchase:
        raise RuleError("送货/安装日期不能早于购买日期。", missing=("install_date",))
    return out


def next_case_no(ctx: Context, day: dt.date) -> str:
    """TS-YYYYMMDD-NNN, inside the caller's transaction: a rollback returns the
    number unused, a commit makes it taken forever (counters never go down)."""
    return reserve_case_nos(ctx, day, 1)[0]


def reserve_case_nos(ctx: Context, day: dt.date, count: int) -> list[str]:
    """`count` consecutive numbers of one day from the same counter (an import
    takes a day's numbers at once), inside the caller's transaction."""
    last = ctx.store.query_one(
        "INSERT INTO case_no_counters (day, last_seq) VALUES (?, ?) "
        "ON CONFLICT(day) DO UPDATE SET last_seq = last_seq + excluded.last_seq "
        "RETURNING last_seq",
        (day.isoformat(), count),
    )
    assert last is not None
    return [f"TS-{day:%Y%m%d}-{seq:03d}" for seq in range(last[0] - count + 1, last[0] + 1)]


def register_case(
    ctx: Context, draft: CaseDraft, *, on_spot: OnSpotSolution | None = None
) -> CaseChange:
    """Register a complaint (已登记), or with `on_spot` one solved at the counter
    (当场解决, straight to 待回访 with the solution recorded)."""
    actor = require_active(ctx)
    permissions.require(actor, Action.REGISTER)
    fields = _validated_fields(ctx, draft)
    steps = ""
    spot_kind: SolutionKind | None = None
    if on_spot is not None:
        spot_kind = as_enum(SolutionKind, on_spot.kind, "当场处理的方案类型", "solution_kind")
        if spot_kind.needs_approval:
            raise RuleError("赠礼或赔偿需要审批，不能当场解决：请先登记，再确定方案并提交审批。")
        steps = clean_text(on_spot.steps, "当场处理经过", required=True, field="solution_steps")
    now = ctx.now()
    received_at: dt.datetime = fields["received_at"]
    severity: Severity = fields["severity"]
    with ctx.store.transaction():
        case_no = next_case_no(ctx, received_at.date())
        pinyin, initials = name_keys(fields["customer_name"])
        case_id = ctx.store.insert(
            "cases",
            {
                **{k: db_value(v) for k, v in fields.items()},
                "case_no": case_no,
                "received_by": actor.id,
                "stage": Stage.REGISTERED.value,
                "updated_at": db_time(now),
                "name_pinyin": pinyin,
                "name_initials": initials,
            },
        )
        start_clock(ctx, case_id, ClockKind.FIRST_CONTACT, received_at, severity)
        start_clock(ctx, case_id, ClockKind.PROGRESS_CALL, received_at, severity)
        if fields["needs_visit"]:
            start_clock(ctx, case_id, ClockKind.HOME_VISIT, received_at, severity)
        values: dict[str, Any] = {}
        note = f"登记投诉 {case_no}"
        if spot_kind is not None:
            values = {
                "stage": Stage.FOLLOW_UP,
                "on_spot": True,
                # Whoever solved it at the counter owns it, should it come back.
                "owner_id": actor.id,
                "department": _on_spot_department(ctx, fields["category"]),
                "assigned_at": now,
                "valid": True,
                "first_contact_at": now,
                "solution_kind": spot_kind,
                "solution_steps": steps,
                "rectification_result": steps,
                "rectified_by": actor.id,
                "rectified_at": now,
            }
            note += f"，当场解决：{spot_kind.label}"
            # The customer was at the counter: first contact made, a visit moot.
            meet_clocks(ctx, case_id, [ClockKind.FIRST_CONTACT, ClockKind.HOME_VISIT], now)
            enter_stage(ctx, case_id, Stage.FOLLOW_UP)
            start_clock(ctx, case_id, ClockKind.FOLLOW_UP_CALL, now, severity)
        return commit(ctx, case_id, None, "register", note, values, registering=True)


def edit_case(ctx: Context, case_id: int, changes: Mapping[str, Any], note: str = "") -> CaseChange:
    """Correct intake fields of an open case; a new severity moves its due times."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "edit")
    fields = _validated_editable(ctx, changes, before.received_at.date())
    demands = fields.get("demands", before.demands)
    if not demands and not fields.get("demand_note", before.demand_note):
        raise RuleError("客户诉求不能为空：请至少选择一项，或填写补充说明。", missing=("demands",))
    purchase = fields.get("purchase_date", before.purchase_date)
    install = fields.get("install_date", before.install_date)
    if purchase and install and install < purchase:
        raise RuleError("送货/安装日期不能早于购买日期。", missing=("install_date",))
    note = clean_text(note, "修改说明", max_len=500)
    severity: Severity = fields.get("severity", before.severity)
    with ctx.store.transaction():
        if "customer_name" in fields:
            pinyin, initials = name_keys(fields["customer_name"])
            ctx.store.update("cases", case_id, {"name_pinyin": pinyin, "name_initials": initials})
        started = None
        if fields.get("needs_visit", before.needs_visit) != before.needs_visit:
            if not fields["needs_visit"]:
                cancel_clocks(ctx, case_id, [ClockKind.HOME_VISIT])
            elif not _visit_arranged(ctx, case_id):
                started = start_clock(
                    ctx, case_id, ClockKind.HOME_VISIT, before.received_at, severity
                )
        if severity != before.severity:
            recompute_due_times(ctx, case_id, severity)
        return commit(
            ctx, case_id, before, "edit", note or "修改登记信息", fields, started=[started]
        )


def _on_spot_department(ctx: Context, category: str) -> str:
    route = ctx.settings.routing.get(category)
    return route.department if route is not None else "客服部"


def _visit_arranged(ctx: Context, case_id: int) -> bool:
    return bool(
        ctx.store.scalar(
            "SELECT 1 FROM appointments WHERE case_id = ? AND kind = 'visit' "
            "AND status != 'cancelled' UNION SELECT 1 FROM clocks WHERE case_id = ? "
            "AND kind = 'home_visit' AND met_at IS NOT NULL",
            (case_id, case_id),
        )
    )


def void_case(ctx: Context, case_id: int, reason: str) -> CaseChange:
    """作废: a wrong entry leaves every list but stays in the file, with its reason."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "void")
    reason = clean_text(reason, "作废理由", required=True, max_len=500, field="void_reason")
    with ctx.store.transaction():
        enter_stage(ctx, case_id, Stage.VOIDED)
        return commit(
            ctx,
            case_id,
            before,
            "void",
            f"作废：{reason}",
            {"stage": Stage.VOIDED, "void_reason": reason},
        )


def reopen_case(ctx: Context, case_id: int, reason: str) -> CaseChange:
    """A closed case goes back to 处理中; a 不成立 one back to 调查中."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "reopen")
    reason = clean_text(reason, "重新打开的理由", required=True, max_len=500, field="reason")
    target = Stage.INVESTIGATING if before.stage == Stage.INVALID else Stage.IN_PROGRESS
    values: dict[str, Any] = {
        "stage": target,
        "closed_at": None,
        "satisfaction": None,
        "reopen_count": before.reopen_count + 1,
    }
    if target == Stage.INVESTIGATING:
        values["valid"] = None
    with ctx.store.transaction():
        # The customer is owed news of the renewed handling within the feedback limit.
        started = start_clock(ctx, case_id, ClockKind.FEEDBACK, ctx.now(), before.severity)
        return commit(
            ctx, case_id, before, "reopen", f"重新打开：{reason}", values, started=[started]
        )


def escalate(ctx: Context, case_id: int, reason: str) -> CaseChange:
    """Escalate by hand one level, with a reason (seed 000, case c)."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "escalate")
    reason = clean_text(reason, "升级理由", required=True, max_len=500, field="reason")
    if before.escalation_level >= EscalationLevel.OWNER:
        raise RuleError("案件已升级到最高级别（老板），不能再升级。")
    values, note = escalation(before, f"手动升级：{reason}")
    with ctx.store.transaction():
        return commit(ctx, case_id, before, "escalate", note, values)


def reject_solution(ctx: Context, case_id: int, customer_words: str) -> CaseChange:
    """The customer does not accept the solution: escalate (seed 000, case a)."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "reject_solution")
    words = clean_text(customer_words, "客户的意见", required=True, max_len=1000, field="words")
    values, note = escalation(before, f"客户不接受方案：{words}")
    with ctx.store.transaction():
        return commit(ctx, case_id, before, "reject_solution", note, values)


def reveal_phone(ctx: Context, case_id: int, *, purpose: str = "") -> str:
    """The customer's full number, shown on demand (显示 in the case view, the
    number to dial in the call dialog); who looked, when and why goes on the
    timeline (lists and forms on screen show it masked)."""
    actor = require_active(ctx)
    case = load_case(ctx, case_id)
    workflow.check(actor, case, "add_note")
    permissions.require(actor, Action.REVEAL_PHONE)
    why = f"（{purpose}）" if purpose else ""
    with ctx.store.transaction():
        append_event(ctx, case_id, "phone_revealed", f"{actor.name}查看了客户的完整电话{why}")
    return case.customer_phone


def mark_seen(ctx: Context, case_id: int) -> bool:
    """The person opened the case: the notices that handed it to them are seen,
    and the first opening goes on the timeline. False when nothing was new."""
    if ctx.actor_id is None:
        return False
    rows = ctx.store.query(
        "SELECT DISTINCT reason FROM notices WHERE case_id = ? AND staff_id = ? "
        "AND seen_at IS NULL AND ended_at IS NULL ORDER BY reason",
        (case_id, ctx.actor_id),
    )
    if not rows:
        return False
    actor = ctx.actor()
    what = "、".join(Handover(row["reason"]).notice_label for row in rows)
    with ctx.store.transaction():
        ctx.store.execute(
            "UPDATE notices SET seen_at = ? WHERE case_id = ? AND staff_id = ? "
            "AND seen_at IS NULL AND ended_at IS NULL",
            (db_time(ctx.now()), case_id, ctx.actor_id),
        )
        append_event(ctx, case_id, "seen", f"{actor.name}已查看{what}", data={"seen_by": actor.id})
    return True


def record_output(
    ctx: Context,
    case_id: int,
    form_title: str,
    *,
    pages: int | None = None,
    file_name: str = "",
) -> CaseChange:
    """A form printed (`pages` sent to the printer) or saved as a PDF
    (`file_name`): who, when and by which door, on the case's timeline — the
    papers carry the customer's full details."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "add_note")
    permissions.require(actor, Action.PRINT_FORM)
    if pages is not None:
        kind, note = "print", f"打印{form_title}（{pages} 页）"
    else:
        kind, note = "export", f"导出{form_title} PDF：{file_name}"
    if ctx.door == Door.CLI:
        note = f"从命令行{note}"
    data = {"form": form_title, "pages": pages, "file": file_name}
    with ctx.store.transaction():
        return commit(ctx, case_id, before, kind, note, data=data)


def add_note(ctx: Context, case_id: int, text: str, kind: str = "note") -> CaseChange:
    """A free note, or a record that the case was printed or exported."""
    actor = require_active(ctx)
    before = load_case(ctx, case_id)
    workflow.check(actor, before, "add_note")
    text = clean_text(text, "备注", required=True, field="note")
    with ctx.store.transaction():
        return commit(ctx, case_id, before, kind, text)
