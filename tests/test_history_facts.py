"""A case's history is what happened: each seen wrong on release 0.1.0.

1. a 复核意见书 of round N shows round N's facts forever;
2. a step that starts a limit leaves exactly one open item of its kind;
3. an escalation or assignment reaches its people until they open the case;
4. a missed limit is dated when it fell due, not when the sweep noticed it;
5. case numbers past 999 a day sort as issued;
8. no doubled word in what people read.
(6, the role × action table: test_permission_table.py; 7, the command line's
trace: test_cli_doors.py.)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs.cli import main
from showroom_cs.clock import FixedClock
from showroom_cs.daily import daily_summary
from showroom_cs.demo import generate
from showroom_cs.domain import (
    ClockKind,
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from showroom_cs.errors import RuleError
from showroom_cs.export import HEADER, build_all, build_week, parse_week_file
from showroom_cs.forms import field_values, review_values
from showroom_cs.operations import Context, check_clocks
from showroom_cs.pdf import render
from showroom_cs.queries import case_list_ids, todo_items
from showroom_cs.stats import report
from showroom_cs.store import Store

from .conftest import START, Desk, make_desk
from .walk import follow_up, to_follow_up, to_in_progress, to_investigating, to_under_review
from .wording import doubled


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def rows_by_case(data: bytes) -> dict[str, dict[str, str]]:
    """A weekly file's case rows (checked, its closing row left out), by case number."""
    rows = parse_week_file("week.csv", data).rows
    return {row[3]: dict(zip(HEADER, row, strict=True)) for row in rows}


def open_clocks(desk: Desk, case_id: int, kind: ClockKind) -> list[dt.datetime]:
    return [c.due_at for c in desk.store.clocks(case_id, open_only=True) if c.kind == kind]


# ------------------------------------------------------------ 1. review rounds


def test_each_review_round_prints_what_it_reviewed_forever(tmp_path: Path, pin_file: Path) -> None:
    path = tmp_path / "cases.db"
    store = Store.open(path)
    desk = make_desk(store, FixedClock(START), pins=True)
    case = to_under_review(desk, desk.register())  # 李强: 已更换铰链，门板闭合正常
    desk.clock.set(START.replace(hour=15))
    op.review_case(
        desk.as_("陈静"),
        case.id,
        items=[ReviewItem("门板闭合", False, "铰链型号与门板不配")],
        passed=False,
        open_problems="左门仍有 3mm 缝隙",
    )
    desk.clock.set(START.replace(hour=17))
    op.revise_solution(
        desk.as_("李强"),
        case.id,
        kind=SolutionKind.REPLACE,
        steps="更换整扇门板",
        due_date=START.date() + dt.timedelta(days=1),
        cost_fen=0,
        reason="铰链调整无效",
    )
    op.record_rectification(
        desk.as_("李强"),
        case.id,
        result="更换整扇门板，缝隙 1mm 以内",
        done_by=desk.staff["刘洋"].id,
    )
    desk.clock.set(START.replace(hour=18))
    op.review_case(desk.as_("陈静"), case.id, items=[ReviewItem("门板闭合", True)], passed=True)
    case = desk.case(case.id)

    first = pdf_text(render(store, case, "review", review_round=1))
    assert "第 1 次复核" in first
    assert "已更换铰链，门板闭合正常" in first and "更换整扇门板，缝隙" not in first
    assert "维修：上门调整铰链" in first and "更换：" not in first
    assert "李强" in first and "2026-11-23 10:00" in first  # rectified by, and when
    assert "左门仍有 3mm 缝隙" in first and "铰链型号与门板不配" in first and "第 2 次" not in first
    assert "陈静" in first and "2026-11-23 15:00" in first  # the reviewer, and when
    second = pdf_text(render(store, case, "review", review_round=2))
    assert "更换整扇门板，缝隙 1mm 以内" in second and "已更换铰链，门板闭合正常" not in second
    assert "刘洋" in second and "2026-11-23 17:00" in second and "第 2 次复核" in second
    # The same from the command line.
    store.close()
    out = tmp_path / "round1.pdf"
    args = ["print", "--db", str(path), case.case_no, "--form", "review", "--round", "1"]
    args += ["--as", "王芳", "--pin-file", str(pin_file)]
    assert main([*args, "--out", str(out)]) == 0
    again = pdf_text(out.read_bytes())
    assert "已更换铰链，门板闭合正常" in again and "更换整扇门板，缝隙" not in again


def test_the_reviewer_s_opinion_is_kept_with_its_round(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    op.review_case(
        desk.as_("陈静"), case.id, items=[ReviewItem("门板", True)], passed=True, opinion="整改到位"
    )
    (review,) = desk.store.reviews(case.id)
    assert review.opinion == "整改到位"
    text = pdf_text(render(desk.store, desk.case(case.id), "review"))
    assert "复核意见：" in text and "整改到位" in text


def test_the_case_view_lists_each_round_with_its_own_rectification(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    op.review_case(
        desk.as_("陈静"),
        case.id,
        items=[ReviewItem("门板", False)],
        passed=False,
        open_problems="缝",
    )
    op.record_rectification(desk.as_("李强"), case.id, result="第二次整改")
    (first,) = desk.store.reviews(case.id)
    values = review_values(desk.store, desk.case(case.id), first)
    assert values["rectification_result"] == "已更换铰链，门板闭合正常"
    assert field_values(desk.store, desk.case(case.id))["rectification_result"] == "第二次整改"


# ---------------------------------------------------- 2. one open item per kind


def test_a_passed_review_plans_the_call_while_the_visit_call_is_open(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(needs_visit=True))
    visit = dt.datetime(2026, 11, 24, 9, 30)
    op.schedule_visit(
        desk.as_("王芳"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=visit,
        ends_at=visit + dt.timedelta(hours=1),
    )
    (appointment,) = desk.store.appointments(case.id)
    desk.clock.set(visit + dt.timedelta(hours=1))
    op.complete_visit(desk.as_("李强"), appointment.id, note="左门铰链松动")
    assert open_clocks(desk, case.id, ClockKind.FOLLOW_UP_CALL) == [
        dt.datetime(2026, 11, 25, 17, 30)
    ]
    to_in_progress(desk, desk.case(case.id))
    desk.clock.set(dt.datetime(2026, 11, 25, 10, 0))  # the visit's call is still open
    op.record_rectification(desk.as_("李强"), case.id, result="已更换铰链")
    desk.clock.set(dt.datetime(2026, 11, 25, 14, 0))
    op.review_case(desk.as_("陈静"), case.id, items=[ReviewItem("门板", True)], passed=True)
    # Exactly one call, the day after the review; the visit's call ended, and said so.
    assert open_clocks(desk, case.id, ClockKind.FOLLOW_UP_CALL) == [
        dt.datetime(2026, 11, 26, 17, 30)
    ]
    old = [c for c in desk.store.clocks(case.id) if c.superseded_by is not None]
    assert len(old) == 1 and old[0].due_at == dt.datetime(2026, 11, 25, 17, 30)
    last = desk.store.events(case.id)[-1]
    assert "原定 11-25 17:30 前的回访由新的回访取代" in last.note
    assert last.data["superseded"][0]["clock_id"] == old[0].id
    # The clerk who calls back sees it on the 26th, not the superseded one.
    desk.clock.set(dt.datetime(2026, 11, 26, 9, 0))
    calls = [
        i for i in todo_items(desk.store, desk.staff["王芳"], desk.clock.now()) if "回访" in i.what
    ]
    assert [(i.case_id, i.due_at) for i in calls] == [(case.id, dt.datetime(2026, 11, 26, 17, 30))]


# ------------------------------------------------- 3. escalations reach someone


def test_an_escalation_reaches_the_supervisor_until_she_opens_it(desk: Desk) -> None:
    case = to_follow_up(desk, desk.register())
    desk.clock.set(dt.datetime(2026, 11, 24, 15, 0))
    follow_up(desk, case, satisfaction=1)  # not satisfied: second handling, up to 客服主管
    last = desk.store.events(case.id)[-1]
    assert "升级至客服主管" in last.note and "已通知赵敏" in last.note
    desk.clock.set(dt.datetime(2026, 11, 25, 9, 0))
    (first, *_) = todo_items(desk.store, desk.staff["赵敏"], desk.clock.now())
    assert (first.case_id, first.what, first.new) == (case.id, "升级给你", True)
    assert not any(i.new for i in todo_items(desk.store, desk.staff["陈静"], desk.clock.now()))

    assert op.mark_seen(desk.as_("赵敏"), case.id)
    assert not any(i.new for i in todo_items(desk.store, desk.staff["赵敏"], desk.clock.now()))
    seen = desk.store.events(case.id)[-1]
    assert (seen.kind, seen.note, seen.at) == ("seen", "赵敏已查看升级通知", desk.clock.now())
    assert not op.mark_seen(desk.as_("赵敏"), case.id)  # only the first opening


def test_a_missed_limit_and_a_reassignment_reach_their_people(desk: Desk) -> None:
    case = to_investigating(desk, desk.register(severity=Severity.URGENT))
    assert [i.what for i in todo_items(desk.store, desk.staff["李强"], START) if i.new] == [
        "新分派给你"
    ]
    desk.clock.set(dt.datetime(2026, 11, 26, 11, 0))  # first contact and feedback both missed
    check_clocks(Context(desk.store, desk.clock, None))
    assert desk.case(case.id).escalation_level == 2
    assert "已通知刘洋" in desk.store.events(case.id)[-1].note
    assert [
        i.case_id for i in todo_items(desk.store, desk.staff["刘洋"], desk.clock.now()) if i.new
    ] == [case.id]
    op.assign(desk.as_("赵敏"), case.id, owner_id=desk.staff["陈静"].id, department="销售部")
    mine = todo_items(desk.store, desk.staff["陈静"], desk.clock.now())
    assert [(i.case_id, i.what) for i in mine if i.new] == [(case.id, "改派给你")]


def test_nobody_is_told_of_their_own_step(desk: Desk) -> None:
    case = desk.register()
    op.assign(desk.as_("李强"), case.id, owner_id=desk.staff["李强"].id, department="安装部")
    op.escalate(desk.as_("赵敏"), case.id, "客户要求主管出面")  # to 客服主管: herself
    assert not [i for i in todo_items(desk.store, desk.staff["李强"], START) if i.new]
    assert not [i for i in todo_items(desk.store, desk.staff["赵敏"], START) if i.new]
    assert "已通知" not in desk.store.events(case.id)[-1].note


# -------------------------------------------- 4. a miss is dated when it fell due


def test_a_friday_miss_noticed_on_monday_is_reported_in_fridays_week(desk: Desk) -> None:
    desk.clock.set(dt.datetime(2026, 11, 20, 10, 0))  # W47; its day-5 call falls due in W48
    earlier = desk.register(customer_phone="13912345678")
    friday = dt.datetime(2026, 11, 27, 15, 0)
    desk.clock.set(friday)
    case = desk.register(severity=Severity.URGENT)  # first contact due 17:00
    desk.clock.set(dt.datetime(2026, 11, 30, 9, 0))  # no sweep since: the PC was off
    check_clocks(Context(desk.store, desk.clock, None))
    (missed,) = [c for c in desk.store.clocks(case.id) if c.breached_at is not None]
    assert missed.due_at == dt.datetime(2026, 11, 27, 17, 0)
    assert missed.breached_at == desk.clock.now()  # noticed on Monday
    event = desk.store.events(case.id)[-1]
    assert event.at == desk.clock.now()
    assert event.data["missed"] == [{"clock": "first_contact", "due_at": "2026-11-27 17:00:00"}]

    week = rows_by_case(build_week(desk.store, "2026-W48").data)
    row = week[desk.case(case.id).case_no]
    assert (row["是否超时"], row["超时环节"]) == ("是", "首次响应")
    row = week[desk.case(earlier.id).case_no]  # nothing else happened to it in W48
    assert (row["是否超时"], row["超时环节"]) == ("是", "首次响应、进度回访")
    # 统计 and the daily sheet agree: each miss belongs to the day it fell due.
    w48 = (dt.datetime(2026, 11, 23), dt.datetime(2026, 11, 30))
    missed_in_w48 = {
        k: n for k, _, n in report(desk.store, *w48, desk.clock.now()).on_time_by_clock
    }
    assert missed_in_w48[ClockKind.FIRST_CONTACT] == missed_in_w48[ClockKind.PROGRESS_CALL] == 1
    friday_sheet = daily_summary(desk.store, friday.date(), desk.clock.now())
    assert desk.case(case.id).case_no in {row.case_no for row in friday_sheet.overdue}


# ------------------------------------------------ 5. numbers past 999 a day


def test_case_numbers_past_999_a_day_sort_as_issued(desk: Desk) -> None:
    numbers = []
    for counter in (None, 99, 998):
        if counter is not None:  # a busy day, a thousand complaints on
            with desk.store.transaction():
                desk.store.execute(
                    "UPDATE case_no_counters SET last_seq = ? WHERE day = ?",
                    (counter, START.date().isoformat()),
                )
        for _ in range(3):
            numbers.append(desk.register().case_no)
    assert numbers[-2:] == ["TS-20261123-1000", "TS-20261123-1001"]
    issued = sorted(numbers, key=lambda n: int(n.rsplit("-", 1)[1]))
    listed = case_list_ids(desk.store, sort="case_no", descending=False)
    assert [desk.case(i).case_no for i in listed] == issued
    newest = case_list_ids(desk.store, sort="case_no", descending=True)
    assert [desk.case(i).case_no for i in newest] == issued[::-1]
    every = csv.reader(io.StringIO(build_all(desk.store, START).data.decode("utf-8-sig")))
    assert [row[3] for row in every if row[3].startswith("TS-")] == issued
    assert list(rows_by_case(build_week(desk.store, "2026-W48").data)) == issued
    plan = desk.store.query(
        "EXPLAIN QUERY PLAN SELECT id FROM cases ORDER BY "
        "substr(case_no, 1, 12), length(case_no), case_no LIMIT 10"
    )
    assert "cases_case_no_order" in " ".join(str(tuple(row)) for row in plan)


# ------------------------------------------------------------ 8. doubled words


def test_refusing_a_second_approval_says_it_once(desk: Desk) -> None:
    case = to_in_progress(desk, to_investigating(desk, desk.register()), SolutionKind.GIFT, 300_00)
    (approval,) = desk.store.approvals(case.id)
    op.decide_approval(desk.as_("刘洋"), approval.id, approve=True)
    with pytest.raises(RuleError) as refused:
        op.decide_approval(desk.as_("刘洋"), approval.id, approve=True)
    assert refused.value.message == "这笔申请已批准，不能再审批。"


def test_steps_typed_with_their_kind_do_not_print_it_twice(desk: Desk) -> None:
    case = to_investigating(desk, desk.register())
    op.propose_solution(
        desk.as_("李强"),
        case.id,
        validity_reason="门板变形",
        kind=SolutionKind.REWORK,
        steps="返工整改：重新安装左门",
        due_date=START.date(),
        cost_fen=0,
    )
    shown = field_values(desk.store, desk.case(case.id))["solution"]
    assert shown == "返工整改：重新安装左门（预计 2026-11-23 完成）"


def test_no_doubled_word_on_any_timeline_or_form_of_the_demo() -> None:
    store = Store.in_memory()
    generate(store, 400, seed=5, now=dt.datetime(2026, 11, 27, 17, 0))
    names = {s.id: s.name for s in store.all_staff()}
    found = []
    for (case_id,) in store.query("SELECT id FROM cases"):
        case = store.case(case_id)
        texts = [
            f"{e.at:%m-%d %H:%M}  {names.get(e.actor_id or 0, '系统')}  {e.note}"
            for e in store.events(case_id)
        ]
        texts += field_values(store, case).values()
        for review in store.reviews(case_id):
            texts += review_values(store, case, review).values()
        found += [(case.case_no, text) for text in texts if doubled(text)]
    for staff_id in names:
        for item in todo_items(store, store.staff_member(staff_id), dt.datetime(2026, 11, 27, 17)):
            if doubled(item.what):
                found.append(("今日待办", item.what))
    assert found == []


def test_the_doubled_word_check_finds_what_it_should() -> None:
    assert doubled("已已批准赔偿 500 元") == "已已"
    assert doubled("处理方案：返工整改：返工整改：重新安装") == "返工整改：返工整改："
    assert doubled("客户张婷婷说谢谢，已批准赔偿") is None


def test_unreached_call_retry_names_its_slot(desk: Desk) -> None:
    case = desk.register()
    desk.clock.set(dt.datetime(2026, 11, 23, 10, 40))
    op.record_contact(
        desk.as_("王芳"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.PROGRESS,
        reached=False,
    )
    assert desk.store.events(case.id)[-1].note.endswith("，11-23 15:00 再打")
    assert desk.case(case.id).stage == Stage.REGISTERED
