"""A realistic demo database: staff, settings and N cases walked through the real
operations, deterministic for a given seed.

Each case lives a scripted life (register, assign, call, visit, solve,
rectify, review, follow up, close) with random but plausible delays; the
script stops at "now", so recent cases are spread over the open stages and
old ones are mostly closed. Because every step is a real operation, the
demo data obeys every workflow rule and has a complete timeline.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from . import sla
from .clock import FixedClock
from .demo_history import IDENTITY, copy_case, make_history, read_original
from .domain import (
    AccountabilityMeasure,
    Case,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    Responsibility,
    ReviewItem,
    Role,
    Severity,
    SolutionKind,
    Staff,
)
from .errors import RuleError
from .operations import (
    CaseDraft,
    Context,
    OnSpotSolution,
    add_staff,
    assign,
    check_clocks,
    close_case,
    complete_improvement,
    complete_visit,
    decide_approval,
    judge_invalid,
    propose_solution,
    record_accountability,
    record_contact,
    record_rectification,
    register_case,
    report_progress,
    review_case,
    revise_solution,
    schedule_visit,
    suggest_route,
    void_case,
)
from .settings import Settings
from .store import Store

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞建国志海燕晨晓东雪梅宇浩然子涵欣怡佳琪思远文博嘉欣俊杰雨轩"
COMMUNITIES = (
    "幸福里小区",
    "阳光花园",
    "锦绣华庭",
    "翠湖天地",
    "滨江名苑",
    "金色家园",
    "碧桂园",
    "万科城",
    "龙湖春江郦城",
    "保利香槟国际",
    "绿地世纪城",
    "恒大御景半岛",
    "中海国际社区",
    "招商雍景湾",
    "华润二十四城",
    "融创玖玺台",
    "世茂云图",
    "金地褐石公馆",
    "东方明珠苑",
    "紫薇花园",
)
PRODUCTS: dict[str, tuple[tuple[str, str], ...]] = {
    "橱柜": (("欧派", "整体橱柜"), ("志邦", "U型橱柜"), ("金牌", "石英石台面橱柜")),
    "衣柜": (("索菲亚", "趟门衣柜"), ("尚品宅配", "定制衣柜"), ("好莱客", "平开门衣柜")),
    "木门": (("TATA", "静音木门"), ("梦天", "实木复合门"), ("盼盼", "套装门")),
    "门窗": (("皇派", "断桥铝窗"), ("新豪轩", "推拉门"), ("派雅", "系统窗")),
    "地板": (("圣象", "强化复合地板"), ("大自然", "实木地板"), ("德尔", "三层实木地板")),
    "瓷砖": (("马可波罗", "仿古砖"), ("东鹏", "大理石瓷砖"), ("诺贝尔", "通体砖")),
    "卫浴": (("九牧", "智能马桶"), ("箭牌", "浴室柜"), ("恒洁", "淋浴花洒"), ("科勒", "台下盆")),
    "窗帘": (("如鸿", "电动窗帘"), ("金蝉", "遮光布帘")),
    "墙纸墙布": (("玉兰", "无缝墙布"), ("柔然", "壁纸")),
    "家具": (("顾家", "布艺沙发"), ("芝华仕", "功能沙发"), ("林氏", "实木餐桌")),
    "灯具": (("欧普", "吸顶灯"), ("雷士", "筒灯"), ("飞利浦", "智能灯带")),
    "五金": (("海福乐", "铰链"), ("百隆", "抽屉滑轨"), ("悍高", "拉篮")),
}
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "177",
    "180",
    "181",
    "186",
    "187",
    "188",
    "189",
    "199",
)
ROOMS = ("主卧", "次卧", "客厅", "厨房", "卫生间", "书房", "儿童房", "阳台", "餐厅")
PROBLEMS: dict[str, tuple[str, ...]] = {
    "产品质量": (
        "{room}{product}使用{months}个月后出现开裂，裂缝约 {mm}cm",
        "{room}{product}表面起泡、掉漆，面积约手掌大小",
        "{room}{product}有明显色差，与样品不一致",
        "{room}{product}漏水，柜体底板已经泡胀",
        "{room}{product}异响，开关时吱吱作响",
    ),
    "安装施工": (
        "{room}{product}安装后关不严，缝隙约 {mm}mm",
        "{room}{product}安装不水平，一侧高出约 {mm}mm",
        "安装师傅施工时划伤了{room}地面，未做保护",
        "{room}{product}打孔位置错误，墙面留下多个孔洞",
        "{room}{product}密封胶打得不均匀，有漏水痕迹",
    ),
    "配送物流": (
        "{product}送货比约定时间晚了 {days} 天，未提前通知",
        "{product}送到时外包装破损，{room}配件缺少两件",
        "送货人员未按约定送上楼，{product}放在楼下",
    ),
    "设计问题": (
        "{room}{product}尺寸与设计图不符，差了约 {mm}mm",
        "{room}{product}设计时未考虑插座位置，柜体挡住插座",
        "效果图与实际安装的{product}颜色差别较大",
    ),
    "销售承诺": (
        "购买{product}时承诺赠送的配件未兑现",
        "销售承诺的{product}安装日期一再推迟",
        "销售说{product}可以免费上门测量，后来又要收费",
    ),
    "服务态度": (
        "打电话咨询{product}维修进度，客服态度冷淡",
        "安装师傅在{room}抽烟，客户提醒后态度不好",
        "到店咨询{product}时导购不理不睬",
    ),
    "售后维修": (
        "{room}{product}报修一周无人上门",
        "{product}维修后同样的问题又出现了",
        "售后上门维修{product}未带配件，白跑一趟",
    ),
    "价格收费": (
        "{product}结算价格比合同多收了 {amount} 元",
        "{product}安装时额外收取了辅材费，事先未说明",
    ),
    "其他": ("希望了解{product}的保养方法，说明书看不懂", "对{product}的保修条款有疑问"),
}
DEMANDS_BY_CATEGORY = {
    "产品质量": ("维修", "更换"),
    "安装施工": ("维修",),
    "配送物流": ("道歉", "赔偿"),
    "设计问题": ("维修", "更换"),
    "销售承诺": ("解释说明", "赔偿"),
    "服务态度": ("道歉",),
    "售后维修": ("维修",),
    "价格收费": ("退货退款", "解释说明"),
    "其他": ("解释说明",),
}
SOLUTION_BY_CATEGORY = {
    "产品质量": (SolutionKind.REPLACE, SolutionKind.REPAIR, SolutionKind.COMPENSATION),
    "安装施工": (SolutionKind.REWORK, SolutionKind.REPAIR),
    "配送物流": (SolutionKind.GIFT, SolutionKind.APOLOGY),
    "设计问题": (SolutionKind.REWORK, SolutionKind.REPLACE),
    "销售承诺": (SolutionKind.GIFT, SolutionKind.APOLOGY, SolutionKind.COMPENSATION),
    "服务态度": (SolutionKind.APOLOGY, SolutionKind.GIFT),
    "售后维修": (SolutionKind.REPAIR,),
    "价格收费": (SolutionKind.REFUND, SolutionKind.APOLOGY),
    "其他": (SolutionKind.APOLOGY,),
}
CATEGORY_WEIGHTS = {
    "产品质量": 26,
    "安装施工": 24,
    "配送物流": 10,
    "设计问题": 8,
    "销售承诺": 8,
    "服务态度": 7,
    "售后维修": 10,
    "价格收费": 4,
    "其他": 3,
}
CHANNEL_WEIGHTS = {
    "到店": 35,
    "来电": 30,
    "微信": 15,
    "客服中心": 8,
    "短信": 2,
    "邮件": 1,
    "信函": 1,
    "回访中发现": 6,
    "其他": 2,
}
DEMO_STAFF = (
    ("周建国", Role.OWNER),
    ("刘洋", Role.GENERAL_MANAGER),
    ("陈静", Role.STORE_MANAGER),
    ("李强", Role.INSTALL_MANAGER),
    ("赵敏", Role.SUPERVISOR),
    ("王芳", Role.CLERK),
    ("孙丽", Role.CLERK),
    ("黄磊", Role.INSTALL_MANAGER),
)
# Every demo staff member logs in with this PIN (shown on the demo's login screen).
DEMO_PIN = "1234"
DEMO_SETTINGS = dataclasses.replace(
    Settings(),
    showroom_name="幸福家居建材广场（示范店）",
    showroom_code="SH001",
    showroom_address="上海市闵行区七莘路 1888 号 幸福家居建材广场 1 楼",
    showroom_phone="021-6488 1234",
)


T = TypeVar("T")


@dataclass
class DemoResult:
    cases: int
    staff: int
    seconds: float


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# How often the demo's staff keep each time limit; the rest are done late, an
# hour to a day after it fell due. With these 统计 shows 85–97 % of each limit
# kept, and few cases go up twice (tests/test_demo_figures.py holds them).
KEEP_RATE = {
    ClockKind.FIRST_CONTACT: 0.96,
    ClockKind.HOME_VISIT: 0.94,
    ClockKind.FEEDBACK: 0.91,
    ClockKind.PROGRESS_CALL: 0.90,
    ClockKind.REVIEW_FIX: 0.92,
    ClockKind.FOLLOW_UP_CALL: 0.94,
}
# Once a case has slipped, its new manager watches it: it rarely slips again.
KEEP_RATE_WATCHED = 0.985
# Promises made while the work goes on, kept by whoever owes them whenever the
# work runs past their due time: the written feedback and the progress call.
INTERIM = (ClockKind.FEEDBACK, ClockKind.PROGRESS_CALL)
# Who registers complaints: mostly the two clerks at the counter.
REGISTRARS = {Role.CLERK: 80, Role.SUPERVISOR: 15, Role.STORE_MANAGER: 5}
# Who reviews a rectification: the store manager or the supervisor; the
# general manager now and then.
REVIEWERS = {Role.STORE_MANAGER: 50, Role.SUPERVISOR: 48, Role.GENERAL_MANAGER: 2}
# What a gift or compensation costs, in fen: mostly small; a whole kitchen
# now and then, beyond the general manager's limit.
COSTS_FEN = {200_00: 30, 500_00: 25, 800_00: 20, 1500_00: 15, 3000_00: 8, 25_000_00: 2}


class _Life:
    """Walks one case through its scripted life, stopping at `now`."""

    def __init__(self, store: Store, rng: random.Random, staff: list[Staff], now: dt.datetime):
        self.store = store
        self.settings = store.settings()
        self.rng = rng
        self.staff = staff
        self.now = now
        self.clock = FixedClock(now)
        self.by_role: dict[Role, list[Staff]] = {}
        self.customers: list[dict[str, str]] = []
        for member in staff:
            self.by_role.setdefault(member.role, []).append(member)
        self.case_id = 0
        self.clerk = staff[0]
        self.interim_at: dict[int, dt.datetime] = {}  # clock id → when it is kept
        self.slipped = False  # this case has missed (or will miss) a limit

    def anyone(self, *roles: Role) -> Staff:
        pool = [m for r in roles for m in self.by_role.get(r, [])]
        return self.rng.choice(pool)

    def someone(self, weights: dict[Role, int], *, besides: int | None = None) -> Staff:
        roles = [r for r in weights if any(m.id != besides for m in self.by_role.get(r, []))]
        role = self.rng.choices(roles, weights=[weights[r] for r in roles])[0]
        return self.rng.choice([m for m in self.by_role[role] if m.id != besides])

    # ---------------------------------------------------------------- time

    def in_hours(self, moment: dt.datetime) -> dt.datetime:
        """People work while the showroom is open: a step that would fall after
        closing waits for the next opening day, a little after opening."""
        if sla.is_open(moment, self.settings):
            return moment
        opens = self.settings.opening_hours[0]
        day = moment.date() if moment.time() < opens else moment.date() + dt.timedelta(days=1)
        day = sla.next_opening_day(day, self.settings)
        return dt.datetime.combine(day, opens) + dt.timedelta(minutes=self.rng.randrange(5, 50))

    def later(self, moment: dt.datetime, low_h: float, high_h: float, slow: float) -> dt.datetime:
        hours = self.rng.uniform(low_h, high_h) * slow
        return self.in_hours(moment + dt.timedelta(hours=hours))

    def call_time(self, day: dt.date) -> dt.datetime:
        """A moment in one of the calling windows of `day` (or the next opening day)."""
        day = sla.next_opening_day(day, self.settings)
        start, end = self.rng.choice(self.settings.calling_windows)
        minutes = (end.hour - start.hour) * 60 + end.minute - start.minute
        return dt.datetime.combine(day, start) + dt.timedelta(minutes=self.rng.randrange(minutes))

    def due(self, kind: ClockKind) -> tuple[int, dt.datetime] | None:
        """The case's open limit of `kind`: (clock id, due time)."""
        row = self.store.query_one(
            "SELECT id, due_at FROM clocks WHERE case_id = ? AND kind = ? AND met_at IS NULL "
            "AND cancelled_at IS NULL ORDER BY id DESC LIMIT 1",
            (self.case_id, kind.value),
        )
        return None if row is None else (row["id"], dt.datetime.fromisoformat(row["due_at"]))

    def timed(self, kind: ClockKind, natural: dt.datetime, *, call: bool = False) -> dt.datetime:
        """When the step that meets the open limit `kind` is done: at its natural
        time if that keeps the limit; otherwise, mostly, in time after all; now
        and then late."""
        open_limit = self.due(kind)
        if open_limit is None:
            return natural
        due = open_limit[1]
        earliest = self.clock.now()
        natural = max(natural, earliest)
        keep = KEEP_RATE_WATCHED if self.slipped else KEEP_RATE[kind]
        if self.rng.random() < keep:
            if natural <= due or earliest >= due:
                return natural
            if call:  # in a calling window of the last day, if one is still ahead
                moment = self.call_time(due.date())
                if earliest < moment <= due:
                    return moment
            return earliest + (due - earliest) * self.rng.uniform(0.2, 0.95)
        self.slipped = True
        if natural > due:
            return natural
        late = due + dt.timedelta(hours=self.rng.uniform(0.5, 20))
        return (
            self.call_time(late.date())
            if call and late.date() > due.date()
            else self.in_hours(late)
        )

    # ---------------------------------------------------------------- steps

    def at(
        self, moment: dt.datetime, actor: Staff, step: Callable[..., object], *args: Any, **kw: Any
    ) -> bool:
        """Run `step(ctx, *args, **kw)` as `actor` at `moment`, unless that is in
        the future; the interim promises falling due before it are kept first.

        The time-limit sweep runs first, as it would have in the open app.
        """
        self.keep_interim_promises(min(max(moment, self.clock.now()), self.now))
        return self._run(moment, actor, step, *args, **kw)

    def _run(
        self, moment: dt.datetime, actor: Staff, step: Callable[..., object], *args: Any, **kw: Any
    ) -> bool:
        moment = max(moment, self.clock.now())  # time only runs forward
        if moment > self.now:
            return False
        self.clock.set(moment)
        check_clocks(Context(self.store, self.clock, None), self.case_id)
        step(Context(self.store, self.clock, actor.id), *args, **kw)
        return True

    def keep_interim_promises(self, until: dt.datetime) -> None:
        """The written feedback and the progress call whose limits fall due
        before `until` (the next step of the work), each done once at the time
        chosen when it was first seen to be needed (seed 002)."""
        while True:
            pending = []
            for kind in INTERIM:
                open_limit = self.due(kind)
                if open_limit is None:
                    continue
                clock_id, due = open_limit
                if clock_id not in self.interim_at:
                    if due >= until:  # the work itself will keep it
                        continue
                    natural = (
                        self.call_time(due.date())
                        if kind == ClockKind.PROGRESS_CALL
                        else self.in_hours(due - dt.timedelta(hours=self.rng.uniform(2, 20)))
                    )
                    self.interim_at[clock_id] = self.timed(
                        kind, natural, call=kind == ClockKind.PROGRESS_CALL
                    )
                if self.interim_at[clock_id] < until:
                    pending.append((self.interim_at[clock_id], kind))
            if not pending:
                return
            moment, kind = min(pending)
            case = self.store.case(self.case_id)
            if kind == ClockKind.FEEDBACK:
                owner = self.store.staff_member(case.owner_id) if case.owner_id else self.clerk
                done = {"done": "已联系厂家备货", "outstanding": "等待配件到货"}
                ran = self._run(moment, owner, report_progress, self.case_id, **done)
            else:
                ran = self._run(
                    moment,
                    self.clerk,
                    record_contact,
                    self.case_id,
                    method=ContactMethod.PHONE,
                    purpose=ContactPurpose.PROGRESS,
                    reached=True,
                    customer_words="知道了，请尽快",
                )
            if not ran:
                return

    def call(
        self,
        moment: dt.datetime,
        clerk: Staff,
        purpose: ContactPurpose,
        words: str,
        satisfaction: int | None = None,
    ) -> bool:
        """A phone call that reached the customer, recorded at `moment`."""
        return self.at(
            moment,
            clerk,
            record_contact,
            self.case_id,
            method=ContactMethod.PHONE,
            purpose=purpose,
            reached=True,
            satisfaction=satisfaction,
            customer_words=words,
        )

    def live(self, received_at: dt.datetime) -> None:
        rng = self.rng
        category = _pick(rng, CATEGORY_WEIGHTS)
        product_category = rng.choice(list(PRODUCTS))
        brand, model = rng.choice(PRODUCTS[product_category])
        product = f"{brand}{model}"
        description = rng.choice(PROBLEMS[category]).format(
            room=rng.choice(ROOMS),
            product=product,
            months=rng.randint(1, 24),
            mm=rng.randint(2, 15),
            days=rng.randint(2, 10),
            amount=rng.choice((200, 380, 500, 860)),
        )
        severity = rng.choices(list(Severity), weights=(60, 30, 10))[0]
        needs_visit = (
            category in ("产品质量", "安装施工", "设计问题", "售后维修") and rng.random() < 0.7
        )
        purchase = received_at.date() - dt.timedelta(days=rng.randint(20, 400))
        who = _identity(rng, purchase)
        if self.customers and rng.random() < RETURNING_SHARE:
            # A returning customer (客户档案): same person, a new order.
            who = {**rng.choice(self.customers), "order_no": who["order_no"]}
        else:
            who["customer_title"] = rng.choice(("先生", "女士", "先生", "女士", ""))
            self.customers.append(who)
        draft = CaseDraft(
            customer_name=who["customer_name"],
            customer_title=who["customer_title"],
            customer_phone=who["customer_phone"],
            category=category,
            description=description,
            channel=_pick(rng, CHANNEL_WEIGHTS),
            severity=severity,
            demands=DEMANDS_BY_CATEGORY[category][: rng.randint(1, 2)],
            customer_address=who["customer_address"],
            order_no=who["order_no"],
            purchase_date=purchase,
            install_date=purchase + dt.timedelta(days=rng.randint(5, 30)),
            product_category=product_category,
            brand_model=f"{brand} · {model}",
            subject=product,
            needs_visit=needs_visit,
            received_at=received_at,
        )
        self.slipped = False
        clerk = self.someone(REGISTRARS)
        # The calls are the counter's work: a manager who took a complaint
        # hands its calls to a clerk.
        self.clerk = clerk if clerk.role == Role.CLERK else self.anyone(Role.CLERK)
        # Most cases move briskly; some drag on (waiting for parts, a busy fitter).
        slow = rng.choice((0.5, 1.0, 1.0, 1.5)) if rng.random() < 0.92 else 4.0
        self.clock.set(received_at)
        ctx = Context(self.store, self.clock, clerk.id)
        if category in ("服务态度", "其他", "价格收费") and rng.random() < 0.3:
            spot = OnSpotSolution(SolutionKind.APOLOGY, "当场向客户道歉并解释说明")
            self.case_id = register_case(ctx, draft, on_spot=spot).after.id
            if self._follow_up_and_close(received_at, self.clerk) is False:
                # Not settled after all: the clerk who owns it sees it redone.
                kind = SolutionKind.APOLOGY
                self._rectify_until_closed(self.clock.now(), clerk, kind, slow, first=2)
            return
        self.case_id = register_case(ctx, draft).after.id
        if rng.random() < 0.01:
            t = self.later(received_at, 0.1, 2, 1)
            self.at(t, self.anyone(Role.SUPERVISOR), void_case, self.case_id, "重复登记")
            return
        t = self.later(received_at, 0.1, 1.5, slow)
        department, routed = suggest_route(self.store.settings(), self.staff, category)
        # The clerk shares the work among the people of the routed role.
        role = next((s.role for s in self.staff if s.id == routed), None)
        owner = self.anyone(role) if role is not None else clerk
        if not self.at(t, clerk, assign, self.case_id, owner_id=owner.id, department=department):
            return
        t = self.timed(ClockKind.FIRST_CONTACT, self.later(t, 0.2, 2, slow))
        if not self.call(t, owner, ContactPurpose.FIRST_CONTACT, "希望尽快上门处理"):
            return
        if needs_visit:
            t = self.timed(ClockKind.HOME_VISIT, self.later(t, 0.2, 6, slow))
            start = self.in_hours(self.later(t, 16, 40, 1))
            visitor = self.anyone(Role.INSTALL_MANAGER, Role.STORE_MANAGER)
            end = start + dt.timedelta(hours=1)
            if not self.at(
                t,
                owner,
                schedule_visit,
                self.case_id,
                staff_id=visitor.id,
                starts_at=start,
                ends_at=end,
            ):
                return
            appointment_id = self.store.appointments(self.case_id)[-1].id
            if not self.at(
                end, visitor, complete_visit, appointment_id, note="已现场查看，拍照取证"
            ):
                return
            # The day after a visit the clerk asks how it went (seed 004).
            t = self.timed(
                ClockKind.FOLLOW_UP_CALL,
                self.call_time(end.date() + dt.timedelta(days=1)),
                call=True,
            )
            if not self.call(t, self.clerk, ContactPurpose.FOLLOW_UP, "师傅看过了，等方案"):
                return
        t = self.later(t, 1, 20, slow)
        if rng.random() < 0.06:
            self.at(
                t,
                owner,
                judge_invalid,
                self.case_id,
                reason="经现场查看，属于正常使用痕迹，不属于质量问题",
                explanation="已向客户说明产品保养方法，客户表示理解",
            )
            return
        kind = rng.choice(SOLUTION_BY_CATEGORY[category])
        cost = _pick(rng, COSTS_FEN) if kind.needs_approval else 0
        if not self.at(
            t,
            owner,
            propose_solution,
            self.case_id,
            validity_reason="经核实问题属实",
            kind=kind,
            steps=f"{kind.label}：安排师傅处理并拍照留存",
            due_date=t.date() + dt.timedelta(days=3),
            cost_fen=cost,
            cause_analysis="现场核实问题属实",
            responsibility=rng.choice(list(Responsibility)[:3]),
        ):
            return
        if kind.needs_approval:
            t = self.later(t, 0.5, 8, slow)
            approval_id = self.store.approvals(self.case_id)[-1].id
            if not self.at(
                t, self._approver(cost, owner), decide_approval, approval_id, approve=True
            ):
                return
        self._rectify_until_closed(t, owner, kind, slow)

    def _rectify_until_closed(
        self, t: dt.datetime, owner: Staff, kind: SolutionKind, slow: float, *, first: int = 1
    ) -> None:
        """Rectification, review, follow-up call and closing; a failed review or
        an unhappy customer sends it round again (three rounds at most)."""
        rng = self.rng
        for round_no in range(first, 4):
            if round_no == 1:
                t = self.later(t, 6, 40, slow)
            else:  # rework after a failed review happens the same day (seed 002)
                t = self.timed(ClockKind.REVIEW_FIX, self.later(t, 0.5, 3, 1))
            if round_no > 1 and kind.needs_approval:
                # The money or gift was handed over once; what is left is rework.
                kind = SolutionKind.REWORK
                if not self.at(
                    t,
                    owner,
                    revise_solution,
                    self.case_id,
                    kind=kind,
                    steps="返工整改遗留问题",
                    due_date=max(t, self.clock.now()).date() + dt.timedelta(days=1),
                    cost_fen=0,
                    reason="复核未通过或客户不满意，返工整改",
                ):
                    return
            skip = kind.may_skip_review
            if not self.at(
                t,
                owner,
                record_rectification,
                self.case_id,
                result="已按方案处理完毕，现场拍照确认",
                skip_review=skip,
            ):
                return
            if not skip:
                t = self.later(t, 1, 6, slow)
                passed = rng.random() < 0.9 or round_no == 3
                items = [
                    ReviewItem("问题部位已处理", passed, "" if passed else "仍有缝隙"),
                    ReviewItem("现场已清理", True),
                ]
                problems = "" if passed else "左侧门板仍有约 2mm 缝隙，需重新调整"
                if not self.at(
                    t,
                    self.someone(REVIEWERS, besides=owner.id),
                    review_case,
                    self.case_id,
                    items=items,
                    passed=passed,
                    open_problems=problems,
                ):
                    return
                if not passed:
                    continue
            if self._follow_up_and_close(t, self.clerk, settled=round_no == 3) is not False:
                return

    def _approver(self, cost_fen: int, requester: Staff) -> Staff:
        """The first person up the line whose limit covers the cost (not the requester)."""
        for role in (Role.STORE_MANAGER, Role.GENERAL_MANAGER, Role.OWNER):
            limit = self.settings.approval_limit_fen(role)
            people = [m for m in self.by_role.get(role, []) if m.id != requester.id]
            if people and (limit is None or cost_fen <= limit):
                return self.rng.choice(people)
        return self.anyone(Role.OWNER)

    def _follow_up_and_close(
        self, t: dt.datetime, clerk: Staff, *, settled: bool = False
    ) -> bool | None:
        """Follow-up call then closing; False when the customer was not satisfied
        (never after the third round: by then it is `settled`)."""
        rng = self.rng
        t = self.timed(
            ClockKind.FOLLOW_UP_CALL,
            self.call_time(t.date() + dt.timedelta(days=1)),
            call=True,
        )
        scores = (5, 4, 3) if settled else (5, 4, 3, 2, 1)
        satisfaction = rng.choices(scores, weights=(50, 35, 11, 3, 1)[: len(scores)])[0]
        words = "处理得挺及时的，谢谢" if satisfaction >= 3 else "问题还是没解决好"
        if not self.call(t, clerk, ContactPurpose.FOLLOW_UP, words, satisfaction):
            return None
        if satisfaction <= 2:
            return False
        t = self.later(t, 0.1, 3, 1)
        case = self.store.case(self.case_id)
        cause, improvement = rng.choice(CAUSES_BY_CATEGORY[case.category])
        # The case's owner writes the closing summary (a clerk closes only
        # what was settled at the counter, which they own).
        closer = self.store.staff_member(case.owner_id) if case.owner_id else clerk
        closed = self.at(
            t,
            closer,
            close_case,
            self.case_id,
            cause="经核实：" + cause,
            actions="按方案处理并回访确认",
            improvement=improvement,
            cause_key=cause,
            improvement_id=self._open_improvement(t, improvement),
        )
        if closed and case.valid and rng.random() < 0.5:
            self._find_responsibility(self.later(t, 0.5, 24, 1), case)
        return True

    def _open_improvement(self, t: dt.datetime, text: str) -> int | None:
        """A closer joins the open item of the same measure, as staff would; one
        past its due date is first marked done by its owner."""
        row = self.store.query_one(
            "SELECT id, owner_id, due_date FROM improvements WHERE text = ? AND done_at IS NULL",
            (text,),
        )
        if row is None:
            return None
        if dt.date.fromisoformat(row["due_date"]) >= t.date():
            return int(row["id"])
        owner = self.store.staff_member(row["owner_id"])
        self.at(t, owner, complete_improvement, row["id"], "已落实并在部门例会上通报")
        return None

    def _find_responsibility(self, t: dt.datetime, case: Case) -> None:
        """The store manager's 责任认定 on about half the closed valid cases."""
        rng = self.rng
        measure = rng.choices(list(AccountabilityMeasure), weights=(40, 25, 15, 10, 5, 5))[0]
        self.at(
            t,
            self.anyone(Role.STORE_MANAGER),
            record_accountability,
            case.id,
            responsibility=case.responsibility or Responsibility.COMPANY,
            department=case.department,
            person=rng.choice(("安装师傅老张", "安装师傅小刘", "导购小陈", "配送司机老王", "")),
            measure=measure,
            measure_note="" if measure != AccountabilityMeasure.OTHER else "部门例会上复盘",
            amount_fen=rng.choice((50_00, 100_00, 200_00))
            if measure == AccountabilityMeasure.DEDUCTION
            else 0,
        )


# What a closed case came down to, by complaint category: (cause category, improvement).
CAUSES_BY_CATEGORY: dict[str, tuple[tuple[str, str], ...]] = {
    "产品质量": (
        ("产品质量缺陷", "到货开箱逐件检查，问题批次反馈供应商"),
        ("供应商交期延误", "与供应商约定补件时限，超期按合同扣款"),
    ),
    "安装施工": (("安装施工不规范", "安装后逐扇检查门板，每单拍照留档"),),
    "配送物流": (("配送搬运损坏", "配送前加装护角，签收时当面验货"),),
    "设计问题": (("设计或测量失误", "复尺由第二位设计师核对"),),
    "销售承诺": (("销售承诺不符", "合同附页写明赠品和交期，导购培训"),),
    "服务态度": (("服务沟通不到位", "客服话术培训，每周抽听回访录音"),),
    "售后维修": (
        ("安装施工不规范", "维修后当场试用并请客户确认"),
        ("客户使用不当", "交付时讲解保养要点并留保养卡"),
    ),
    "价格收费": (("销售承诺不符", "报价单逐项列明，收费前请客户签字"),),
    "其他": (("其他", "每月复盘一次其他类投诉"), ("客户使用不当", "交付时讲解保养要点")),
}


# About one complaint in ten comes from someone who complained before.
RETURNING_SHARE = 0.1

# The most recent weeks are walked through the real operations; anything
# older is copied from finished walked cases (demo_history.py).
WALKED_DAYS = 120
# One busy showroom: about eight complaints a day, so the demo's 3,000 cases
# are a year of them.
COMPLAINTS_PER_DAY = 8
# When complaints come in: weekends bring the most visitors (Monday first);
# the renovation seasons (金三银四, 金九银十) the most work; the Spring
# Festival and high summer the least; the counter is busiest mid-morning
# and mid-afternoon.
WEEKDAY_WEIGHTS = (1.0, 0.85, 0.85, 0.9, 1.0, 1.5, 1.4)
MONTH_WEIGHTS = (0.8, 0.55, 1.0, 1.15, 1.1, 0.95, 0.8, 0.8, 1.05, 1.25, 1.25, 1.0)
HOUR_WEIGHTS = {9: 0.5, 10: 1.3, 11: 1.3, 12: 0.7, 13: 0.9, 14: 1.3, 15: 1.3, 16: 1.1, 17: 0.6}


def generate(
    store: Store,
    cases: int,
    *,
    seed: int = 1,
    now: dt.datetime | None = None,
    walked_days: int = WALKED_DAYS,
    per_day: int = COMPLAINTS_PER_DAY,
) -> DemoResult:
    """Fill an empty database with demo staff, settings and `cases` cases,
    about `per_day` a day up to now."""
    started = time.perf_counter()
    if store.scalar("SELECT COUNT(*) FROM cases"):
        raise RuleError("演示数据只能写入空数据库，请换一个新的文件名。")
    rng = random.Random(seed)
    now = (now or dt.datetime.now()).replace(second=0, microsecond=0)
    span_days = max(walked_days, cases // per_day)
    moments = _arrivals(rng, cases, span_days, now)
    walked_from = now.date() - dt.timedelta(days=walked_days - 1)
    older = [m for m in moments if m.date() < walked_from]
    recent = moments[len(older) :]
    staff = _set_up(store)
    if not older:
        _walk(store, rng, staff, recent, now)
    else:
        # Walk the recent weeks aside, then write history (oldest first) and
        # the walked cases after it, so ids follow the order of receipt.
        scratch = Store.in_memory()
        _walk(scratch, rng, _set_up(scratch), recent, now)
        walked = [row[0] for row in scratch.query("SELECT id FROM cases ORDER BY id")]
        finished = [
            read_original(scratch, case_id)
            for (case_id,) in scratch.query(
                "SELECT id FROM cases WHERE stage IN ('closed', 'invalid') ORDER BY id"
            )
        ]
        make_history(store, finished, older, rng, lambda purchase: _identity(rng, purchase))
        with store.transaction():
            for case_id in walked:
                original = read_original(scratch, case_id)
                identity = {column: original.case[column] for column in IDENTITY}
                copy_case(
                    store, original, days=0, case_no=original.case["case_no"], identity=identity
                )
            for day, last in scratch.query("SELECT day, last_seq FROM case_no_counters"):
                store.execute(
                    "INSERT INTO case_no_counters (day, last_seq) VALUES (?, ?)", (day, last)
                )
        scratch.close()
    return DemoResult(cases=cases, staff=len(staff), seconds=time.perf_counter() - started)


def _arrivals(
    rng: random.Random, cases: int, span_days: int, now: dt.datetime
) -> list[dt.datetime]:
    """Times of receipt over the last `span_days` days, none later than now,
    all in opening hours: more at weekends and in the renovation seasons, more
    mid-morning and mid-afternoon."""
    opens, closes = DEMO_SETTINGS.opening_hours
    days = [now.date() - dt.timedelta(days=n) for n in range(span_days)]
    weights = [WEEKDAY_WEIGHTS[day.weekday()] * MONTH_WEIGHTS[day.month - 1] for day in days]
    hours = list(range(opens.hour, closes.hour))
    hour_weights = [HOUR_WEIGHTS.get(hour, 1.0) for hour in hours]
    moments: list[dt.datetime] = []
    while len(moments) < cases:
        for day in rng.choices(days, weights=weights, k=cases - len(moments)):
            hour = rng.choices(hours, weights=hour_weights)[0]
            moment = dt.datetime.combine(day, dt.time(hour, rng.randrange(60)))
            if moment < now:  # today's complaints so far
                moments.append(moment)
    return sorted(moments)


def _set_up(store: Store) -> list[Staff]:
    """Demo settings and staff (the same ids in every demo database)."""
    clock = FixedClock(dt.datetime(2016, 1, 1, 9, 0))
    with store.transaction():
        store.write_settings(DEMO_SETTINGS)
        first = add_staff(Context(store, clock, None), *DEMO_STAFF[0], pin=DEMO_PIN)
        for name, role in DEMO_STAFF[1:]:
            add_staff(Context(store, clock, first.id), name, role, pin=DEMO_PIN)
    return store.all_staff(active_only=True)


def _walk(
    store: Store,
    rng: random.Random,
    staff: list[Staff],
    moments: list[dt.datetime],
    now: dt.datetime,
) -> None:
    life = _Life(store, rng, staff, now)
    for first_index in range(0, len(moments), 500):
        with store.transaction():
            for received in moments[first_index : first_index + 500]:
                life.live(received)
    with store.transaction():
        check_clocks(Context(store, FixedClock(now), None))


def _identity(rng: random.Random, purchase: dt.date) -> dict[str, str]:
    """A new customer: name, mobile, address, and an order number of that purchase day."""
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return {
        "customer_name": name,
        "customer_phone": rng.choice(MOBILE_PREFIXES)
        + "".join(rng.choice("0123456789") for _ in range(8)),
        "customer_address": f"{rng.choice(COMMUNITIES)} {rng.randint(1, 30)}栋"
        f"{rng.randint(1, 4)}单元{rng.randint(2, 33)}{rng.randint(1, 4):02d}",
        "order_no": f"HT-{purchase:%Y%m%d}-{rng.randint(1, 999):03d}",
    }


__all__ = ["DEMO_PIN", "DEMO_SETTINGS", "DEMO_STAFF", "DemoResult", "generate"]
