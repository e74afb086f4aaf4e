"""回访话术: the script for each kind of call, filled from the case and the caller."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.call_script import (
    DEFAULT_SCRIPT,
    CallKind,
    call_kind,
    fill,
    form_of_address,
    script_for,
    values_for,
)
from showroom_cs.domain import ContactMethod, ContactPurpose, Stage
from showroom_cs.errors import RuleError

from .conftest import Desk
from .walk import to_follow_up, to_in_progress


def test_the_customer_is_addressed_by_surname_and_title() -> None:
    assert form_of_address("张伟", "先生") == "张先生"
    assert form_of_address("欧阳娜娜", "女士") == "欧阳女士"  # a two-character surname
    assert form_of_address("李娜", "") == "李娜"  # no title recorded: the full name
    assert form_of_address("John Smith", "先生") == "John Smith先生"


@pytest.mark.parametrize(
    ("stage", "purpose", "kind", "question"),
    [
        (Stage.IN_PROGRESS, ContactPurpose.PROGRESS, CallKind.PROGRESS, "目前的处理进度"),
        (Stage.IN_PROGRESS, ContactPurpose.FOLLOW_UP, CallKind.AFTER_FIX, "师傅已经上门处理"),
        (Stage.FOLLOW_UP, ContactPurpose.FOLLOW_UP, CallKind.SATISFACTION, "打个分"),
    ],
)
def test_each_kind_of_call_gets_its_questions_with_the_case_filled_in(
    desk: Desk, stage: Stage, purpose: ContactPurpose, kind: CallKind, question: str
) -> None:
    case = desk.register(customer_name="张伟", customer_title="先生", brand_model="索菲亚 趟门衣柜")
    case = to_in_progress(desk, case) if stage == Stage.IN_PROGRESS else to_follow_up(desk, case)
    assert call_kind(case, purpose) == kind
    settings = desk.store.settings()
    parts = script_for(settings.call_script, kind, values_for(case, settings, "王芳"))
    text = "\n".join(part.text for part in parts)
    assert parts[0].title == "开场白" and parts[-1].title == "结束语"
    assert f"请问是张先生吗？我是{settings.showroom_name}的客服代表王芳" in text
    assert question in text
    assert "{" not in text and "}" not in text
    if kind != CallKind.SATISFACTION:
        assert case.case_no in text
    if kind == CallKind.PROGRESS:
        due = case.solution_due
        assert due is not None and f"{due.month}月{due.day}日前处理好" in text
    assert "衣柜 索菲亚 趟门衣柜" in text or kind == CallKind.PROGRESS


def test_a_first_contact_call_has_greeting_and_closing_only(desk: Desk) -> None:
    case = desk.register()
    assert call_kind(case, ContactPurpose.FIRST_CONTACT) is None
    settings = desk.store.settings()
    parts = script_for(settings.call_script, None, values_for(case, settings, "王芳"))
    assert [p.title for p in parts] == ["开场白", "客户不方便时", "客户不满意时", "结束语"]


def test_an_unknown_placeholder_is_reported_not_read_out(desk: Desk) -> None:
    with pytest.raises(RuleError, match=r"\{客户生日\} 不认识"):
        fill("祝{客户生日}快乐", {"门店": "x"})
    settings = desk.store.settings()
    edited = dict(settings.call_script, closing="祝您{节日}愉快！")
    with pytest.raises(RuleError) as refused:
        op.change_settings(desk.as_("陈静"), dataclasses.replace(settings, call_script=edited))
    assert "话术「结束语」里的 {节日} 不认识" in refused.value.message
    assert "{客户称呼}" in refused.value.message  # says what may be used
    assert desk.store.settings().call_script["closing"] == DEFAULT_SCRIPT["closing"]


def test_an_edited_script_is_kept_logged_and_used(desk: Desk) -> None:
    settings = desk.store.settings()
    edited = dict(settings.call_script, opening="{客户称呼}您好，这里是{门店}。")
    op.change_settings(desk.as_("陈静"), dataclasses.replace(settings, call_script=edited))
    case = desk.register(customer_name="王磊", customer_title="先生")
    now = desk.store.settings()
    (opening, *_) = script_for(now.call_script, None, values_for(case, now, "孙丽"))
    assert opening.text == f"王先生您好，这里是{now.showroom_name}。"
    (entry, *_) = op.settings_history(desk.as_("陈静"))
    assert entry.item == "回访话术" and entry.what == "修改了「开场白」"


def test_a_part_the_manager_emptied_is_left_out(desk: Desk) -> None:
    settings = desk.store.settings()
    edited = dict(settings.call_script, busy="  ")
    case = desk.register()
    parts = script_for(edited, None, values_for(case, settings, "王芳"))
    assert [p.title for p in parts] == ["开场白", "客户不满意时", "结束语"]


def test_a_title_outside_the_two_is_refused(desk: Desk) -> None:
    with pytest.raises(RuleError, match="称呼请选「先生」或「女士」"):
        desk.register(customer_title="老板")


def test_a_busy_customer_is_called_back_when_they_asked(desk: Desk) -> None:
    case = to_in_progress(desk, desk.register())
    op.record_contact(  # the first contact was made: only the postponed call is pending
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    )
    wanted = dt.datetime(2026, 11, 24, 19, 30)  # after hours: the customer's choice
    op.postpone_call(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.PROGRESS,
        preferred_at=wanted,
    )
    contact = desk.store.contacts(case.id)[-1]
    assert not contact.reached and "11-24 19:30 再打来" in contact.customer_words
    pending = [c for c in desk.store.clocks(case.id) if c.met_at is None and c.cancelled_at is None]
    assert wanted in [c.planned_at for c in pending]
    notes = [e.note for e in desk.store.events(case.id)]
    assert any("改约" in n and "19:30" in n for n in notes)
    # Not late before the customer's time: the sweep the next day leaves it be.
    desk.clock.set(dt.datetime(2026, 11, 24, 19, 0))
    op.check_clocks(desk.system)
    assert not desk.case(case.id).overdue
    desk.clock.set(dt.datetime(2026, 11, 24, 20, 45))
    op.check_clocks(desk.system)
    assert desk.case(case.id).overdue
    with pytest.raises(RuleError, match="只有进度告知和回访可以"):
        op.postpone_call(
            desk.as_("王芳"),
            case.id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.FIRST_CONTACT,
            preferred_at=wanted,
        )
