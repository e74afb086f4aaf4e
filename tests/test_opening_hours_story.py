"""A week of limits counted in opening hours, lived day by day.

The showroom opens 09:00–18:00, closes on Wednesdays, and closes on Friday
4 December for stock-taking (盘点). 首次响应 counts opening hours (the
default); the manager has put 上门 on the wall clock, because a leak cannot
wait for the morning. Five complaints of week 49 (30 Nov – 6 Dec 2026): one
taken the evening before the closed Wednesday, one across the stock-taking
day, one due exactly at closing time and one taken in the last half hour,
due in the next opening day's first hours. The weekly file, 统计 and the
每日汇总单 must tell the same story of which limits were missed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from showroom_cs import operations as op
from showroom_cs.domain import ClockKind, ContactMethod, ContactPurpose, Severity
from showroom_cs.operations import CaseDraft

from .scenario import Story


def _complaint(name: str, phone: str, severity: Severity, *, visit: bool = False) -> CaseDraft:
    return CaseDraft(
        customer_name=name,
        customer_phone=phone,
        channel="来电",
        category="产品质量",
        product_category="卫浴",
        description="浴室柜台盆下方渗水",
        demands=("维修",),
        severity=severity,
        customer_address="滨江花园 2幢 801",
        needs_visit=visit,
    )


def _reach(
    story: Story, who: str, case_id: int, purpose: ContactPurpose = ContactPurpose.FIRST_CONTACT
) -> None:
    op.record_contact(
        story.as_(who),
        case_id,
        method=ContactMethod.PHONE,
        purpose=purpose,
        reached=True,
        customer_words="已了解情况",
    )


def test_a_week_of_limits_in_opening_hours(tmp_path: Path) -> None:
    s = Story.open(tmp_path, "2026-11-30 08:50")  # Monday
    settings = s.store.settings()
    op.change_settings(
        s.as_("陈静"),
        dataclasses.replace(
            settings,
            closed_weekdays=frozenset({2}),
            closed_dates=frozenset({dt.date(2026, 12, 4)}),
            opening_hours_limits=settings.opening_hours_limits - {ClockKind.HOME_VISIT},
        ),
    )

    # Monday 16:00, 紧急: two opening hours end exactly at closing time.
    s.at("2026-11-30 16:00")
    due_at_closing = s.register("王芳", _complaint("郑一", "13900000001", Severity.URGENT))
    assert s.limits(due_at_closing.id)[0] == "首次响应 11-30 18:00"
    s.at("2026-11-30 17:45")
    assert s.todo("王芳")[0] == f"今天 · 首次响应 · {due_at_closing.case_no} · 郑** 11-30 18:00 前"
    s.switch_off()  # the clerk leaves; nobody called
    s.switch_on("2026-12-01 08:55")  # Tuesday: the sweep finds the miss at its due time
    assert s.timeline(due_at_closing.id)[-1] == (
        "12-01 08:55 系统 首次响应超时（应于 11-30 18:00 前完成），升级至客服主管，已通知赵敏"
    )
    s.at("2026-12-01 09:30")
    _reach(s, "赵敏", due_at_closing.id)

    # Tuesday 16:00, 紧急 leak: 首次响应 at closing time, 上门 around the clock.
    s.at("2026-12-01 16:00")
    leak = s.register("王芳", _complaint("钱二", "13900000002", Severity.URGENT, visit=True))
    assert s.limits(leak.id)[:2] == ["首次响应 12-01 18:00", "上门 12-02 16:00"]

    # Tuesday 17:00, 重要: one hour today, Wednesday closed, seven on Thursday.
    s.at("2026-12-01 17:00")
    before_closed_day = s.register("王芳", _complaint("孙三", "13900000003", Severity.IMPORTANT))
    assert s.limits(before_closed_day.id)[0] == "首次响应 12-03 16:00"
    s.at("2026-12-01 17:50")  # the leak is called back just before closing
    _reach(s, "王芳", leak.id)
    s.switch_off()
    # Wednesday, shop closed: the installer still goes to the leak.
    s.switch_on("2026-12-02 10:00")
    op.assign(s.as_("赵敏"), leak.id, owner_id=s.staff["李强"].id, department="安装部")
    op.schedule_visit(
        s.as_("李强"),
        leak.id,
        staff_id=s.staff["李强"].id,
        starts_at=dt.datetime(2026, 12, 2, 10),
        ends_at=dt.datetime(2026, 12, 2, 11),
    )
    s.at("2026-12-02 11:00")
    (visit,) = s.store.appointments(leak.id)
    op.complete_visit(s.as_("李强"), visit.id, note="更换台盆下水管")
    assert s.limits(before_closed_day.id)[0] == "首次响应 12-03 16:00"  # still paused
    s.switch_off()

    # Thursday: the day-before case is answered in time.
    s.switch_on("2026-12-03 08:55")
    s.at("2026-12-03 10:00")
    _reach(s, "王芳", before_closed_day.id)
    s.at("2026-12-03 10:30")  # the call the day after the leak's visit
    op.record_contact(
        s.as_("王芳"),
        leak.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        reached=True,
        satisfaction=5,
        customer_words="不漏了",
    )
    # Thursday 15:00, 重要: three hours today, Friday stock-taking, five on Saturday.
    s.at("2026-12-03 15:00")
    across_stock_taking = s.register("王芳", _complaint("李四", "13900000004", Severity.IMPORTANT))
    assert s.limits(across_stock_taking.id)[0] == "首次响应 12-05 14:00"
    # Thursday 17:30, 紧急: half an hour today, the rest on Saturday morning.
    s.at("2026-12-03 17:30")
    last_half_hour = s.register("王芳", _complaint("周五", "13900000005", Severity.URGENT))
    assert s.limits(last_half_hour.id)[0] == "首次响应 12-05 10:30"
    s.switch_off()

    # Saturday: nothing was missed while the shop was shut.
    s.switch_on("2026-12-05 08:55")
    assert all(
        "超时" not in line
        for case in (across_stock_taking, last_half_hour)
        for line in s.timeline(case.id)
    )
    # Monday's progress call fell on the stock-taking day: it moved to Saturday.
    first, second, third = due_at_closing.case_no, leak.case_no, before_closed_day.case_no
    assert s.todo("王芳")[:5] == [
        f"今天 · 进度回访（约 10:30 打） · {first} · 郑** 12-05 17:30 前",
        f"今天 · 首次响应 · {last_half_hour.case_no} · 周** 12-05 10:30 前",
        f"今天 · 进度回访（约 10:40 打） · {second} · 钱** 12-05 17:30 前",
        f"今天 · 进度回访（约 10:50 打） · {third} · 孙** 12-05 17:30 前",
        f"今天 · 首次响应 · {across_stock_taking.case_no} · 李** 12-05 14:00 前",
    ]
    s.at("2026-12-05 09:10")
    _reach(s, "王芳", last_half_hour.id)
    for minute, case in ((30, due_at_closing), (40, leak), (50, before_closed_day)):
        s.at(f"2026-12-05 10:{minute}")
        _reach(s, "王芳", case.id, ContactPurpose.PROGRESS)
    # 整改反馈 (3 opening days from Wednesday's assignment: Thursday, Saturday, Sunday).
    assert s.limits(leak.id)[0] == "整改反馈 12-06 18:00"
    op.report_progress(s.as_("李强"), leak.id, done="已更换台盆下水管", outstanding="")
    s.at("2026-12-05 14:01")  # the stock-taking case was forgotten
    assert s.timeline(across_stock_taking.id)[-1].startswith(
        "12-05 14:01 系统 首次响应超时（应于 12-05 14:00 前完成）"
    )
    s.switch_off()
    s.switch_on("2026-12-07 09:00")  # Monday of the next week
    _reach(s, "赵敏", across_stock_taking.id)

    missed = {due_at_closing.case_no, across_stock_taking.case_no}
    kept = {leak.case_no, before_closed_day.case_no, last_half_hour.case_no}
    rows = s.week("2026-W49")
    assert {no: rows[no]["是否超时"] for no in missed | kept} == {
        **{no: "是" for no in missed},
        **{no: "否" for no in kept},
    }
    assert {rows[no]["超时环节"] for no in missed} == {"首次响应"}
    week = s.stats("2026-11-30 00:00", "2026-12-07 00:00")
    on_time = {kind: (k, m) for kind, k, m in week.on_time_by_clock}
    assert on_time[ClockKind.FIRST_CONTACT] == (3, 2)
    assert on_time[ClockKind.HOME_VISIT] == (1, 0)
    assert week.escalated == 2
    week_days = [f"{dt.date(2026, 11, 30) + dt.timedelta(days=n)}" for n in range(7)]
    sheets = {day: s.overdue_on(day) for day in week_days}
    assert sheets == {
        "2026-11-30": [f"{due_at_closing.case_no} 首次响应 11-30 18:00"],
        "2026-12-01": [],
        "2026-12-02": [],
        "2026-12-03": [],
        "2026-12-04": [],
        "2026-12-05": [f"{across_stock_taking.case_no} 首次响应 12-05 14:00"],
        "2026-12-06": [f"{across_stock_taking.case_no} 首次响应 12-05 14:00"],
    }
