"""One story per seed in ../shared/seeds/, lived through the core day by day.

Each is that seed's own case — its people, products and outcome — moved
along a controlled clock across real calendar days (the PC switched off at
night and over a Sunday, a showroom that closes on Wednesdays), asserting at
each step what each person sees: their to-do list, the open limits and calls
with their due times, every printed form of every round read back from its
PDF, the week each event is reported in, and the final statistics.

Staff are the demo showroom's: 周建国 老板, 刘洋 总经理, 陈静 店长, 李强 and
黄磊 安装部经理, 赵敏 客服主管, 王芳 and 孙丽 客服专员.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from showroom_cs import operations as op
from showroom_cs.domain import (
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from showroom_cs.operations import CaseDraft

from .scenario import Story


def _call(
    story: Story,
    who: str,
    case_id: int,
    purpose: ContactPurpose,
    *,
    reached: bool = True,
    satisfaction: int | None = None,
    words: str = "",
) -> None:
    op.record_contact(
        story.as_(who),
        case_id,
        method=ContactMethod.PHONE,
        purpose=purpose,
        reached=reached,
        satisfaction=satisfaction,
        customer_words=words,
    )


# --------------------------------------------------------------------- seed 000


def test_seed_000_curtains_made_short_a_gift_approved_by_the_general_manager(
    tmp_path: Path,
) -> None:
    """软装窗帘: a valid complaint, a home visit, a gift as apology that the
    general manager approves (提交主管，由主管向商场总经理申请获准后执行), a
    missed feedback limit over a Sunday escalating to the supervisor, and the
    customer satisfied in the end."""
    s = Story.open(tmp_path, "2026-11-19 16:20")  # a Thursday afternoon
    case = s.register(
        "王芳",
        CaseDraft(
            customer_name="林晓",
            customer_phone="139 1234 5678",
            channel="来电",
            category="设计问题",
            product_category="窗帘",
            brand_model="定制遮光帘 · 主卧",
            description="主卧遮光窗帘做短了，离地约 8cm，拉上后漏光",
            demands=("更换",),
            severity=Severity.IMPORTANT,
            customer_address="江南花园 7幢 1502",
            needs_visit=True,
        ),
    )
    no, cid = case.case_no, case.id
    assert no == "TS-20261119-001"
    # In opening hours (09:00–18:00): 1h40 on Thursday, the rest from Friday 09:00.
    assert s.limits(cid) == [
        "首次响应 11-20 15:20",
        "进度回访 11-23 17:30（约 11-23 10:30 打）",
        "上门 11-25 10:20",
    ]
    assert s.todo("王芳") == [f"今天 · 待分派 · {no} · 林**"]
    printed = s.form(cid, "registration")
    for text in ("受理时间2026-11-1916:20", "来电", "受理人王芳", "设计问题", "重要", "林晓"):
        assert text in printed, text
    assert "13912345678" in printed and "江南花园7幢1502" in printed
    assert "我们将在营业时间8小时内与您联系，并在3个营业日内反馈处理结果。" in printed

    s.at("2026-11-19 16:30")
    op.assign(s.as_("王芳"), cid, owner_id=s.staff["陈静"].id, department="设计部")
    assert s.todo("王芳") == []
    assert s.todo("陈静") == [f"新 · 新分派给你 · {no} · 林**"]

    s.at("2026-11-19 16:40")
    s.open_case("陈静", cid)
    _call(s, "陈静", cid, ContactPurpose.FIRST_CONTACT, words="希望尽快重做")
    op.schedule_visit(
        s.as_("陈静"),
        cid,
        staff_id=s.staff["陈静"].id,
        starts_at=dt.datetime(2026, 11, 20, 10),
        ends_at=dt.datetime(2026, 11, 20, 11),
    )
    assert s.todo("陈静") == []
    assert s.limits(cid) == ["整改反馈 11-22 16:30", "进度回访 11-23 17:30（约 11-23 10:30 打）"]

    s.switch_off()
    s.switch_on("2026-11-20 09:00")  # Friday
    assert s.todo("陈静") == [f"今天 · 上门 10:00 · {no} · 林** 11-20 10:00 前"]
    s.at("2026-11-20 11:00")
    (visit,) = s.store.appointments(cid)
    op.complete_visit(s.as_("陈静"), visit.id, note="窗帘短 8cm，测量单录入错误")
    op.propose_solution(
        s.as_("陈静"),
        cid,
        validity_reason="测量单录入错误，责任在我方",
        kind=SolutionKind.GIFT,
        steps="重新测量制作主卧窗帘，并赠送一对窗帘绑带致歉",
        due_date=dt.date(2026, 11, 24),
        cost_fen=300_00,
    )
    assert s.limits(cid) == [
        "回访 11-21 17:30（约 11-21 10:30 打）",
        "整改反馈 11-22 16:30",
        "进度回访 11-23 17:30（约 11-23 10:30 打）",
    ]
    # 店长 may approve 500 元 but not her own request; the general manager and
    # the owner are asked, the supervisor (no limit) is not.
    assert s.todo("刘洋") == [f"今天 · 待审批：赠礼致歉 · {no} · 林**"]
    assert s.todo("周建国") == [f"今天 · 待审批：赠礼致歉 · {no} · 林**"]
    assert s.todo("陈静") == s.todo("赵敏") == []

    s.switch_off()
    s.switch_on("2026-11-21 10:00")  # Saturday
    assert s.todo("王芳") == [f"今天 · 回访（约 10:30 打） · {no} · 林** 11-21 17:30 前"]
    s.at("2026-11-21 10:35")
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, words="等新窗帘")
    assert s.limits(cid) == ["整改反馈 11-22 16:30", "进度回访 11-23 17:30（约 11-23 10:30 打）"]

    s.switch_off()  # nobody switches the PC on over Sunday
    s.switch_on("2026-11-23 09:00")  # Monday: the sweep finds Sunday's miss
    assert s.timeline(cid)[-1] == (
        "11-23 09:00 系统 整改反馈超时（应于 11-22 16:30 前完成），升级至客服主管，已通知赵敏"
    )
    assert s.todo("赵敏") == [
        f"新 · 升级给你 · {no} · 林**",
        f"超时 · 整改反馈 · {no} · 林** 11-22 16:30 前",
    ]
    assert s.todo("陈静") == [f"超时 · 整改反馈 · {no} · 林** 11-22 16:30 前"]
    assert s.todo("王芳") == [f"今天 · 进度回访（约 10:30 打） · {no} · 林** 11-23 17:30 前"]
    assert s.overdue_on("2026-11-22") == [f"{no} 整改反馈 11-22 16:30"]

    s.at("2026-11-23 09:30")
    (approval,) = s.store.approvals(cid)
    op.decide_approval(s.as_("刘洋"), approval.id, approve=True)
    op.report_progress(s.as_("陈静"), cid, done="已下单重做窗帘", outstanding="周二上门安装")
    s.at("2026-11-23 09:50")
    s.open_case("赵敏", cid)
    assert s.todo("赵敏") == [] and s.todo("刘洋") == []
    assert s.timeline(cid)[-1] == "11-23 09:50 赵敏 赵敏已查看升级通知"
    s.at("2026-11-23 10:30")
    _call(s, "王芳", cid, ContactPurpose.PROGRESS, words="知道了，周二在家")
    assert s.limits(cid) == []

    s.switch_off()
    s.switch_on("2026-11-24 09:00")
    s.at("2026-11-24 15:00")
    op.record_rectification(s.as_("陈静"), cid, result="新窗帘已安装，离地 1cm；绑带已送到")
    assert s.timeline(cid)[-1].endswith("，请赵敏复核")
    assert s.todo("赵敏") == [f"新 · 请你复核 · {no} · 林**", f"今天 · 待复核 · {no} · 林**"]
    s.at("2026-11-24 16:00")
    s.open_case("赵敏", cid)
    op.review_case(
        s.as_("赵敏"),
        cid,
        items=[ReviewItem("窗帘长度", True, "离地 1cm"), ReviewItem("赠品送达", True)],
        passed=True,
        opinion="安装到位，客户认可",
    )
    assert s.todo("赵敏") == []
    assert s.limits(cid) == ["回访 11-25 17:30（约 11-25 10:30 打）"]
    review = s.form(cid, "review", 1)
    for text in (
        "第1次复核",
        "赠礼致歉300元：重新测量制作主卧窗帘，并赠送一对窗帘绑带致歉（预计2026-11-24完成）",
        "新窗帘已安装，离地1cm；绑带已送到",
        "整改人陈静",
        "整改时间2026-11-2415:00",
        "复核人赵敏",
        "复核时间2026-11-2416:00",
        "■通过—通知客户验收",
        "安装到位，客户认可",
    ):
        assert text in review, text

    s.switch_off()
    s.switch_on("2026-11-25 09:00")
    assert s.todo("王芳") == [f"今天 · 回访（约 10:30 打） · {no} · 林** 11-25 17:30 前"]
    s.at("2026-11-25 10:30")
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, satisfaction=5, words="新窗帘很好")
    assert s.todo("陈静") == [f"今天 · 待结案 · {no} · 林**"]
    s.at("2026-11-25 11:00")
    op.close_case(
        s.as_("陈静"),
        cid,
        cause="下单时把测量尺寸录错",
        actions="上门复尺，重做窗帘并赠送绑带",
        improvement="测量单双人核对后再下单",
        cause_key="设计或测量失误",
    )
    assert s.case(cid).stage == Stage.CLOSED
    assert s.todo("陈静") == [] and s.limits(cid) == []

    # Head office: the Sunday miss belongs to week 47, though noticed on Monday.
    w47 = s.week("2026-W47")[no]
    assert (w47["当前阶段"], w47["是否超时"], w47["超时环节"]) == ("处理中", "是", "整改反馈")
    assert w47["升级级别"] == "客服专员"  # escalated only when noticed, on Monday
    w48 = s.week("2026-W48")[no]
    assert (w48["当前阶段"], w48["满意度"], w48["升级级别"]) == ("已结案", "非常满意", "客服主管")
    assert (w48["首次响应时间"], w48["首次响应用时(小时)"]) == ("2026-11-19 16:40", "0.3")
    assert (w48["结案用时(天)"], w48["处理方案"], w48["赔偿金额"]) == ("5.8", "赠礼致歉", "300.00")
    assert (w48["客户姓名"], w48["联系电话"]) == ("林**", "139****5678")
    week48 = s.stats("2026-11-23 00:00", "2026-11-30 00:00")
    assert (week48.summary.closed, week48.summary.satisfaction) == (1, 5.0)
    on_time = {kind.label: (kept, missed) for kind, kept, missed in week48.on_time_by_clock}
    assert on_time["进度回访"] == (1, 0) and on_time["回访"] == (1, 0)
    week47 = s.stats("2026-11-16 00:00", "2026-11-23 00:00")
    on_time = {kind.label: (kept, missed) for kind, kept, missed in week47.on_time_by_clock}
    assert on_time["整改反馈"] == (0, 1) and on_time["首次响应"] == (1, 0)


# --------------------------------------------------------------------- seed 001


def test_seed_001_a_rude_salesman_classified_routed_and_apologised_for(tmp_path: Path) -> None:
    """客戶問題反饋處理流程: the complaint is classified (服務態度) and routed to
    the customer-service department's supervisor; an apology needs no
    review; the follow-up call is not answered, is tried again in the next
    calling window, and the customer is satisfied. The customer wrote in
    traditional characters; the form prints them as written."""
    s = Story.open(tmp_path, "2026-11-23 11:05")  # Monday
    words = "週六到店看沙發，導購小周態度冷淡，問價格不理人"
    case = s.register(
        "孙丽",
        CaseDraft(
            customer_name="鄭美玲",
            customer_phone="137 0021 4455",
            channel="微信",
            category="服务态度",
            subject="导购 小周",
            product_category="家具",
            description=words,
            demands=("道歉",),
        ),
    )
    no, cid = case.case_no, case.id
    department, owner = op.suggest_route(s.store.settings(), s.store.all_staff(), "服务态度")
    assert (department, s.store.staff_member(owner or 0).name) == ("客服部", "赵敏")
    assert words in s.form(cid, "registration")
    s.at("2026-11-23 11:10")
    op.assign(s.as_("孙丽"), cid, owner_id=owner, department=department)
    assert s.todo("赵敏") == [f"新 · 新分派给你 · {no} · 鄭**"]
    assert s.limits(cid) == [
        "首次响应 11-25 17:05",  # 24 opening hours
        "整改反馈 11-26 11:10",
        "进度回访 11-27 17:30（约 11-27 10:30 打）",
    ]

    s.at("2026-11-23 14:00")
    s.open_case("赵敏", cid)
    _call(s, "赵敏", cid, ContactPurpose.FIRST_CONTACT, words="希望店长道歉")
    op.investigate(s.as_("赵敏"), cid, notes="调取监控并与导购面谈，情况属实")
    op.propose_solution(
        s.as_("赵敏"),
        cid,
        validity_reason="监控显示导购未回应客户",
        kind=SolutionKind.APOLOGY,
        steps="店长致电道歉，导购书面检讨",
        due_date=dt.date(2026, 11, 24),
        cost_fen=0,
    )
    s.at("2026-11-24 10:00")
    op.record_rectification(
        s.as_("赵敏"), cid, result="店长已致电道歉，导购已交书面检讨", skip_review=True
    )
    assert s.case(cid).stage == Stage.FOLLOW_UP
    assert s.limits(cid) == ["回访 11-25 17:30（约 11-25 10:30 打）"]

    s.at("2026-11-25 10:30")
    assert s.todo("孙丽") == [f"今天 · 回访（约 10:30 打） · {no} · 鄭** 11-25 17:30 前"]
    _call(s, "孙丽", cid, ContactPurpose.FOLLOW_UP, reached=False)
    assert s.timeline(cid)[-1].endswith("回访（电话，未联系上），11-25 15:00 再打")
    assert s.limits(cid) == ["回访 11-26 17:30（约 11-25 15:00 打）"]
    s.at("2026-11-25 14:50")
    assert s.todo("孙丽") == [f"今天 · 回访（约 15:00 打） · {no} · 鄭** 11-26 17:30 前"]
    s.at("2026-11-25 15:00")
    _call(s, "孙丽", cid, ContactPurpose.FOLLOW_UP, satisfaction=4, words="店长道歉了，可以")
    assert s.todo("赵敏") == [f"今天 · 待结案 · {no} · 鄭**"]
    op.close_case(
        s.as_("赵敏"),
        cid,
        cause="导购服务意识不足",
        actions="店长道歉，导购检讨",
        improvement="导购接待规范培训",
        cause_key="服务沟通不到位",
    )
    row = s.week("2026-W48")[no]
    assert (row["当前阶段"], row["处理方案"], row["满意度"], row["是否超时"]) == (
        "已结案",
        "道歉解释",
        "满意",
        "否",
    )
    assert row["责任部门"] == "客服部" and row["受理渠道"] == "微信"
    week = s.stats("2026-11-23 00:00", "2026-11-30 00:00")
    assert (week.summary.received, week.summary.closed, week.valid_rate) == (1, 1, 1.0)
    on_time = {kind.label: (kept, missed) for kind, kept, missed in week.on_time_by_clock}
    # Both calls count as made in time, the unanswered one too: the limit
    # measures the showroom's promptness, and the retry had its own.
    assert on_time["首次响应"] == (1, 0) and on_time["回访"] == (2, 0)


# --------------------------------------------------------------------- seed 002


def test_seed_002_a_leaking_vanity_fails_review_and_is_fixed_the_same_day(
    tmp_path: Path,
) -> None:
    """售后服务投诉处理流程: feedback within 3 days whether finished or not, the
    customer called on day 5, the rectification reviewed (复核意见书) and
    failed with its open problems to be handled the same day, reviewed again
    and passed; each round's 复核意见书 keeps its own facts."""
    s = Story.open(tmp_path, "2026-11-19 10:00")  # Thursday: day 1
    case = s.register(
        "王芳",
        CaseDraft(
            customer_name="何建华",
            customer_phone="138 6677 2200",
            category="安装施工",
            product_category="卫浴",
            brand_model="箭牌 · 浴室柜 80cm",
            description="主卫浴室柜台面与墙面缝隙渗水，柜体底板发胀",
            demands=("维修",),
            severity=Severity.IMPORTANT,
            customer_address="滨江花园 3幢 602",
            needs_visit=True,
        ),
    )
    no, cid = case.case_no, case.id
    s.at("2026-11-19 10:10")
    op.assign(s.as_("王芳"), cid, owner_id=s.staff["李强"].id, department="安装部")
    s.at("2026-11-19 10:30")
    s.open_case("李强", cid)
    _call(s, "李强", cid, ContactPurpose.FIRST_CONTACT)
    op.schedule_visit(
        s.as_("李强"),
        cid,
        staff_id=s.staff["李强"].id,
        starts_at=dt.datetime(2026, 11, 20, 14),
        ends_at=dt.datetime(2026, 11, 20, 15),
    )
    s.at("2026-11-20 15:00")
    (visit,) = s.store.appointments(cid)
    op.complete_visit(s.as_("李强"), visit.id, note="台面后挡水条未打胶")
    op.propose_solution(
        s.as_("李强"),
        cid,
        validity_reason="安装时挡水条漏打胶",
        kind=SolutionKind.REPAIR,
        steps="重新打胶，更换柜体底板",
        due_date=dt.date(2026, 11, 24),
        cost_fen=0,
    )
    assert s.limits(cid) == [
        "回访 11-21 17:30（约 11-21 10:30 打）",
        "整改反馈 11-22 10:10",
        "进度回访 11-23 17:30（约 11-23 10:30 打）",
    ]
    s.at("2026-11-21 10:30")
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, words="希望尽快")
    # 3 日内反馈, finished or not: Sunday morning, before 10:10.
    s.at("2026-11-22 09:30")
    op.report_progress(s.as_("李强"), cid, done="已订柜体底板", outstanding="底板周二到货")
    # 第5日: the clerk calls to explain.
    s.at("2026-11-23 10:00")
    assert s.todo("王芳") == [f"今天 · 进度回访（约 10:30 打） · {no} · 何** 11-23 17:30 前"]
    s.at("2026-11-23 10:30")
    _call(s, "王芳", cid, ContactPurpose.PROGRESS, words="理解，周二等师傅")
    assert s.limits(cid) == []

    s.at("2026-11-24 11:00")
    op.record_rectification(
        s.as_("李强"), cid, result="已重新打胶，更换底板", reviewer_id=s.staff["陈静"].id
    )
    assert s.todo("陈静") == [f"新 · 请你复核 · {no} · 何**", f"今天 · 待复核 · {no} · 何**"]
    s.at("2026-11-24 14:00")
    op.review_case(
        s.as_("陈静"),
        cid,
        items=[
            ReviewItem("台面打胶", True),
            ReviewItem("柜体底板", False, "底板边缘未封边"),
        ],
        passed=False,
        open_problems="底板边缘未封边，仍可能吸水",
    )
    assert s.case(cid).stage == Stage.IN_PROGRESS
    assert s.limits(cid) == ["复核问题整改 11-24 18:00"]
    assert s.todo("李强") == [f"今天 · 复核问题整改 · {no} · 何** 11-24 18:00 前"]
    s.at("2026-11-24 17:00")
    op.record_rectification(s.as_("李强"), cid, result="底板四边封边完成")
    assert s.case(cid).reviewer_id == s.staff["陈静"].id  # the same reviewer again
    s.at("2026-11-24 17:30")
    op.review_case(s.as_("陈静"), cid, items=[ReviewItem("底板封边", True)], passed=True)
    assert s.limits(cid) == ["回访 11-25 17:30（约 11-25 10:30 打）"]
    assert s.overdue_on("2026-11-24") == []  # fixed the same day

    first, second = s.form(cid, "review", 1), s.form(cid, "review", 2)
    assert "第1次复核" in first and "已重新打胶，更换底板" in first
    assert "■未通过—遗留问题如下，要求当日处理：" in first
    assert "底板边缘未封边，仍可能吸水" in first and "底板四边封边完成" not in first
    assert "第2次复核" in second and "底板四边封边完成" in second
    assert "■通过—通知客户验收" in second and "已重新打胶，更换底板" not in second
    assert "整改时间2026-11-2411:00" in first and "整改时间2026-11-2417:00" in second

    s.at("2026-11-25 10:30")
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, satisfaction=5, words="不渗了")
    op.close_case(
        s.as_("李强"),
        cid,
        cause="挡水条漏打胶",
        actions="重新打胶，更换并封边底板",
        improvement="浴室柜安装后做淋水检查",
        cause_key="安装施工不规范",
    )
    rows = (s.week("2026-W47")[no], s.week("2026-W48")[no])
    assert [(r["当前阶段"], r["是否超时"]) for r in rows] == [("处理中", "否"), ("已结案", "否")]
    week = s.stats("2026-11-23 00:00", "2026-11-30 00:00")
    on_time = {kind.label: (kept, missed) for kind, kept, missed in week.on_time_by_clock}
    assert on_time["复核问题整改"] == (1, 0) and on_time["进度回访"] == (1, 0)
    assert week.summary.closed == 1


# --------------------------------------------------------------------- seed 003


def test_seed_003_cracked_tiles_an_unanswered_complaint_reaches_the_general_manager(
    tmp_path: Path,
) -> None:
    """如何有效處理客戶投訴: respond at once; when nobody did, the missed limit
    escalates to the supervisor, who responds; the customer rejects the
    solution and senior management steps in (由中高層主管出面), approving a
    compensation."""
    s = Story.open(tmp_path, "2026-11-23 09:15")  # Monday
    case = s.register(
        "王芳",
        CaseDraft(
            customer_name="吴国强",
            customer_phone="186 1010 2323",
            channel="来电",
            category="安装施工",
            product_category="瓷砖",
            description="客厅地砖铺贴两周后三块空鼓开裂，客户情绪激动",
            demands=("更换", "赔偿"),
            severity=Severity.URGENT,
            customer_address="锦绣家园 1幢 301",
            needs_visit=True,
        ),
    )
    no, cid = case.case_no, case.id
    assert "我们将在营业时间2小时内与您联系" in s.form(cid, "registration")
    s.at("2026-11-23 09:20")
    op.assign(s.as_("王芳"), cid, owner_id=s.staff["李强"].id, department="安装部")
    assert s.limits(cid)[:2] == ["首次响应 11-23 11:15", "上门 11-25 15:15"]
    s.at("2026-11-23 11:16")  # nobody called back in time
    assert s.timeline(cid)[-1] == (
        "11-23 11:16 系统 首次响应超时（应于 11-23 11:15 前完成），升级至客服主管，已通知赵敏"
    )
    assert s.todo("赵敏")[:2] == [
        f"新 · 升级给你 · {no} · 吴**",
        f"超时 · 首次响应 · {no} · 吴** 11-23 11:15 前",
    ]
    s.at("2026-11-23 11:30")
    s.open_case("赵敏", cid)
    _call(s, "赵敏", cid, ContactPurpose.FIRST_CONTACT, words="要求马上派人")
    op.schedule_visit(
        s.as_("赵敏"),
        cid,
        staff_id=s.staff["李强"].id,
        starts_at=dt.datetime(2026, 11, 23, 14),
        ends_at=dt.datetime(2026, 11, 23, 15),
    )
    s.at("2026-11-23 15:00")
    (visit,) = s.store.appointments(cid)
    op.complete_visit(s.as_("李强"), visit.id, note="三块砖空鼓，水泥砂浆不饱满")
    op.propose_solution(
        s.as_("李强"),
        cid,
        validity_reason="铺贴砂浆不饱满",
        kind=SolutionKind.REPLACE,
        steps="更换三块地砖",
        due_date=dt.date(2026, 11, 25),
        cost_fen=0,
    )
    s.at("2026-11-23 15:30")
    op.reject_solution(s.as_("李强"), cid, "只换砖不行，要赔偿误工")
    assert s.timeline(cid)[-1].endswith("升级至总经理，已通知刘洋")
    assert s.todo("刘洋") == [f"新 · 升级给你 · {no} · 吴**"]
    s.at("2026-11-23 16:00")
    s.open_case("刘洋", cid)
    op.revise_solution(
        s.as_("李强"),
        cid,
        kind=SolutionKind.COMPENSATION,
        steps="更换三块地砖并赔偿误工 2000 元",
        due_date=dt.date(2026, 11, 25),
        cost_fen=2_000_00,
        reason="客户要求赔偿误工，总经理同意",
    )
    assert s.todo("刘洋") == [f"今天 · 待审批：赔偿 · {no} · 吴**"]
    s.at("2026-11-23 16:30")
    (approval,) = [a for a in s.store.approvals(cid) if a.status.value == "pending"]
    op.decide_approval(s.as_("刘洋"), approval.id, approve=True, note="尽快处理")
    s.at("2026-11-24 10:30")  # the call the day after the visit
    assert s.todo("王芳") == [f"今天 · 回访（约 10:30 打） · {no} · 吴** 11-24 17:30 前"]
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, words="等明天换砖")
    s.at("2026-11-25 10:00")
    op.record_rectification(s.as_("李强"), cid, result="三块地砖已更换，赔偿已转账")
    s.at("2026-11-25 14:00")
    op.review_case(s.as_("赵敏"), cid, items=[ReviewItem("地砖铺贴", True)], passed=True)
    s.at("2026-11-26 10:30")
    _call(s, "王芳", cid, ContactPurpose.FOLLOW_UP, satisfaction=4, words="处理得还行")
    op.close_case(
        s.as_("李强"),
        cid,
        cause="铺贴砂浆不饱满",
        actions="更换地砖，赔偿误工",
        improvement="铺贴后敲击检查空鼓",
        cause_key="安装施工不规范",
    )
    row = s.week("2026-W48")[no]
    assert (row["是否超时"], row["超时环节"], row["升级级别"]) == ("是", "首次响应", "总经理")
    assert (row["处理方案"], row["赔偿金额"], row["满意度"]) == ("赔偿", "2000.00", "满意")
    assert (row["首次响应时间"], row["首次响应用时(小时)"]) == ("2026-11-23 11:30", "2.2")
    week = s.stats("2026-11-23 00:00", "2026-11-30 00:00")
    on_time = {kind.label: (kept, missed) for kind, kept, missed in week.on_time_by_clock}
    assert on_time["首次响应"] == (0, 1) and on_time["上门"] == (1, 0)
    assert week.escalated == 1


# --------------------------------------------------------------------- seed 004


def test_seed_004_a_wardrobe_call_back_at_the_customers_time_and_a_second_handling(
    tmp_path: Path,
) -> None:
    """客服中心管理制度: calls only in the calling windows (10:30–11:30,
    15:00–17:30) and never on the showroom's closed day; a customer who cannot
    talk is called at the time they ask; not satisfied means second handling
    and the supervisor is told; the customer's name stays masked wherever the
    counter can see it."""
    s = Story.open(tmp_path, "2026-11-23 15:40")  # Monday
    with s.store.transaction():  # this showroom closes on Wednesdays
        s.store.write_settings(
            dataclasses.replace(s.store.settings(), closed_weekdays=frozenset({2}))
        )
    case = s.register(
        "孙丽",
        CaseDraft(
            customer_name="周文静",
            customer_phone="138 0013 5678",
            category="售后维修",
            product_category="衣柜",
            brand_model="欧派 · 移门衣柜",
            description="衣柜移门滑轨异响，推拉费力",
            demands=("维修",),
            customer_address="翠湖苑 9幢 2101",
        ),
    )
    no, cid = case.case_no, case.id
    s.at("2026-11-23 15:45")
    op.assign(s.as_("孙丽"), cid, owner_id=s.staff["李强"].id, department="售后部")
    s.at("2026-11-23 16:00")
    _call(s, "李强", cid, ContactPurpose.FIRST_CONTACT)
    op.propose_solution(
        s.as_("李强"),
        cid,
        validity_reason="滑轮磨损",
        kind=SolutionKind.REPAIR,
        steps="更换移门滑轮",
        due_date=dt.date(2026, 11, 24),
        cost_fen=0,
    )
    s.at("2026-11-24 14:00")
    op.record_rectification(s.as_("李强"), cid, result="已更换滑轮")
    s.at("2026-11-24 16:00")
    op.review_case(s.as_("赵敏"), cid, items=[ReviewItem("移门推拉", True)], passed=True)
    # The next day is a Wednesday, the closed day: the call moves to Thursday.
    assert s.limits(cid) == ["回访 11-26 17:30（约 11-26 10:30 打）"]
    s.switch_off()
    s.switch_on("2026-11-26 10:30")
    assert s.todo("孙丽") == [f"今天 · 回访（约 10:30 打） · {no} · 周** 11-26 17:30 前"]
    op.postpone_call(
        s.as_("孙丽"),
        cid,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        preferred_at=dt.datetime(2026, 11, 26, 15, 10),
    )
    assert s.limits(cid) == ["回访 11-27 17:30（约 11-26 15:10 打）"]
    s.at("2026-11-26 15:10")
    _call(s, "孙丽", cid, ContactPurpose.FOLLOW_UP, satisfaction=2, words="还是有点响")
    assert s.case(cid).stage == Stage.IN_PROGRESS
    assert s.timeline(cid)[-1].endswith("客户不满意，退回二次处理，升级至客服主管，已通知赵敏")
    assert s.todo("赵敏") == [f"新 · 升级给你 · {no} · 周**"]
    assert s.limits(cid) == ["整改反馈 11-29 15:10"]
    s.at("2026-11-27 10:00")
    op.record_rectification(s.as_("李强"), cid, result="更换滑轨并调整移门")
    assert s.todo("赵敏") == [f"新 · 请你复核 · {no} · 周**", f"今天 · 待复核 · {no} · 周**"]
    s.at("2026-11-27 11:00")
    s.open_case("赵敏", cid)
    op.review_case(s.as_("赵敏"), cid, items=[ReviewItem("移门推拉", True)], passed=True)
    assert s.limits(cid) == ["回访 11-28 17:30（约 11-28 10:30 打）"]
    s.at("2026-11-28 10:30")
    _call(s, "孙丽", cid, ContactPurpose.FOLLOW_UP, satisfaction=5, words="不响了")
    op.close_case(
        s.as_("李强"),
        cid,
        cause="滑轮与滑轨磨损",
        actions="更换滑轮和滑轨",
        improvement="移门衣柜安装满一年回访检查",
        cause_key="产品质量缺陷",
    )
    second, third = s.form(cid, "review", 1), s.form(cid, "review", 2)
    assert "已更换滑轮" in second and "更换滑轨并调整移门" in third
    row = s.week("2026-W48")[no]
    assert (row["客户姓名"], row["联系电话"]) == ("周**", "138****5678")
    assert (row["满意度"], row["升级级别"], row["当前阶段"]) == ("非常满意", "客服主管", "已结案")
    satisfaction = dict(s.stats("2026-11-23 00:00", "2026-11-30 00:00").satisfaction)
    assert satisfaction == {5: 1}  # the closing one; the earlier 2 was a call, not a close
