"""Walk a case along the happy path, one stage at a time, as the real staff would."""

from __future__ import annotations

import datetime as dt

from showroom_cs import operations as op
from showroom_cs.domain import (
    Case,
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    SolutionKind,
    Stage,
)

from .conftest import Desk


def to_investigating(desk: Desk, case: Case, owner: str = "李强") -> Case:
    return op.assign(
        desk.as_("王芳"), case.id, owner_id=desk.staff[owner].id, department="安装部"
    ).after


def to_in_progress(
    desk: Desk, case: Case, kind: SolutionKind = SolutionKind.REPAIR, cost_fen: int = 0
) -> Case:
    if case.stage == Stage.REGISTERED:
        case = to_investigating(desk, case)
    return op.propose_solution(
        desk.as_("李强"),
        case.id,
        validity_reason="现场核实，门板铰链未调好",
        kind=kind,
        steps="上门调整铰链，必要时更换门板",
        due_date=desk.clock.now().date() + dt.timedelta(days=2),
        cost_fen=cost_fen,
    ).after


def to_under_review(desk: Desk, case: Case) -> Case:
    if case.stage != Stage.IN_PROGRESS:
        case = to_in_progress(desk, case)
    return op.record_rectification(
        desk.as_("李强"), case.id, result="已更换铰链，门板闭合正常"
    ).after


def to_follow_up(desk: Desk, case: Case) -> Case:
    if case.stage != Stage.UNDER_REVIEW:
        case = to_under_review(desk, case)
    return op.review_case(
        desk.as_("陈静"), case.id, items=[ReviewItem("门板闭合", True)], passed=True
    ).after


def follow_up(desk: Desk, case: Case, satisfaction: int = 4) -> Case:
    return op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        reached=True,
        satisfaction=satisfaction,
        customer_words="满意",
    ).after


def to_closed(desk: Desk, case: Case) -> Case:
    if case.stage != Stage.FOLLOW_UP:
        case = to_follow_up(desk, case)
    follow_up(desk, case)
    owner = desk.store.staff_member(case.owner_id).name if case.owner_id else "赵敏"
    return op.close_case(
        desk.as_(owner),
        case.id,
        cause="铰链未调好",
        actions="上门更换铰链",
        improvement="安装后逐扇检查门板",
        cause_key="安装施工不规范",
    ).after


TO_STAGE = {
    Stage.REGISTERED: lambda desk, case: case,
    Stage.INVESTIGATING: to_investigating,
    Stage.IN_PROGRESS: to_in_progress,
    Stage.UNDER_REVIEW: to_under_review,
    Stage.FOLLOW_UP: to_follow_up,
    Stage.CLOSED: to_closed,
}
