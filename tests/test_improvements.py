"""改进措施: the measure written at closing is followed through to done, links
back to its cases, and recurring causes are counted per month."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.stats import causes_by_month

from .conftest import Desk
from .walk import follow_up, to_follow_up


def _close(desk: Desk, phone: str, **extra: object) -> int:
    case = to_follow_up(desk, desk.register(customer_phone=phone))
    follow_up(desk, case)
    op.close_case(
        desk.as_("李强"),  # the case's owner writes the summary
        case.id,
        cause="铰链未调好",
        actions="上门更换铰链",
        improvement="安装后逐扇检查门板",
        **{"cause_key": "安装施工不规范", **extra},  # type: ignore[arg-type]
    )
    return case.id


def test_closing_creates_an_item_with_owner_and_due_date(desk: Desk) -> None:
    case_id = _close(desk, "13800138000", cause_key="安装施工不规范")
    (item,) = op.improvements(desk.store, done=False)
    assert item.text == "安装后逐扇检查门板" and item.case_ids == (case_id,)
    assert item.owner_id == desk.staff["李强"].id  # the case's owner, unless chosen
    assert item.due_date == desk.clock.now().date() + dt.timedelta(days=14)
    assert "改进措施列入跟进（李强负责" in desk.store.events(case_id)[-1].note
    assert desk.case(case_id).cause_key == "安装施工不规范"


def test_an_item_is_completed_by_its_owner_and_its_cases_say_so(desk: Desk) -> None:
    first = _close(
        desk,
        "13800138000",
        improvement_owner_id=desk.staff["赵敏"].id,
        improvement_due=dt.date(2026, 12, 31),
    )
    (item,) = op.improvements_of_case(desk.store, first)
    second = _close(desk, "13912345678", improvement_id=item.id)  # the same root cause
    assert op.improvement(desk.store, item.id).case_ids == (first, second)
    assert op.improvements(desk.store) == [op.improvement(desk.store, item.id)]  # one item
    with pytest.raises(PermissionDenied, match="由赵敏负责"):
        op.complete_improvement(desk.as_("王芳"), item.id, "已培训")
    with pytest.raises(RuleError, match="完成情况"):
        op.complete_improvement(desk.as_("赵敏"), item.id, "  ")
    done = op.complete_improvement(desk.as_("赵敏"), item.id, "全员培训，验收单加上逐扇检查")
    assert done.done and done.done_by == desk.staff["赵敏"].id
    assert op.improvements(desk.store, done=False) == []
    assert op.improvements(desk.store, done=True) == [done]
    for case_id in (first, second):
        assert desk.store.events(case_id)[-1].note.startswith("改进措施已完成：全员培训")
    with pytest.raises(RuleError, match="已经完成"):
        _close(desk, "13712345678", improvement_id=item.id)


def test_a_manager_hands_an_item_over_or_gives_it_time(desk: Desk) -> None:
    case_id = _close(desk, "13800138000")
    (item,) = op.improvements_of_case(desk.store, case_id)
    moved = op.reassign_improvement(
        desk.as_("陈静"), item.id, owner_id=desk.staff["孙丽"].id, due=dt.date(2027, 1, 15)
    )
    assert (moved.owner_id, moved.due_date) == (desk.staff["孙丽"].id, dt.date(2027, 1, 15))
    with pytest.raises(RuleError, match="不能早于今天"):
        op.reassign_improvement(
            desk.as_("陈静"), item.id, owner_id=desk.staff["孙丽"].id, due=dt.date(2026, 1, 1)
        )
    assert moved.overdue(dt.date(2027, 1, 16)) and not moved.overdue(dt.date(2027, 1, 15))


def test_recurring_causes_are_counted_per_month_most_first(desk: Desk) -> None:
    for phone, cause in (
        ("13800138000", "安装施工不规范"),
        ("13912345678", "安装施工不规范"),
        ("13712345678", "配送搬运损坏"),
    ):
        _close(desk, phone, cause_key=cause)
    desk.clock.set(dt.datetime(2026, 12, 2, 10))
    _close(desk, "13612345678", cause_key="配送搬运损坏")
    assert causes_by_month(desk.store, dt.date(2026, 11, 1), 2) == [
        ("2026-12", [("配送搬运损坏", 1)]),
        ("2026-11", [("安装施工不规范", 2), ("配送搬运损坏", 1)]),
    ]
    with pytest.raises(RuleError, match="问题原因类别「天气」不在列表中"):
        _close(desk, "13512345678", cause_key="天气")
