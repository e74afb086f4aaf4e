"""The busiest corners a counter meets, added to a demo database: what the
screenshots and the screen-size checks are taken on.

- the longest texts the forms take: a 30-character customer (a fit-out
  company's project department), a 2,000-character complaint, a long brand
  and model, a long address;
- a case three review rounds deep, with 40 events on its timeline;
- one day (the next opening day) with 8 visits and 12 calls.

Everything goes through the real operations, as staff would have done it
over the last days, so every rule holds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from . import operations as op
from . import sla
from .clock import FixedClock
from .domain import ContactMethod, ContactPurpose, ReviewItem, Severity, SolutionKind, Staff
from .operations import CaseDraft, Context
from .store import Store

LONG_NAME = "上海幸福里装饰工程有限公司闵行七莘路项目部采购组"  # 24 characters
LONGEST_NAME = (LONG_NAME + "王经理收")[:30]
LONG_BRAND = "索菲亚 · 米兰系列 2400 高四门趟门衣柜（含顶柜、LED 感应灯带与内置抽屉组合）"
LONG_ADDRESS = "上海市闵行区七莘路 3388 弄 幸福里小区 三期 27 号楼 2 单元 1502 室（东边电梯上 15 楼左手第二户）"
_SENTENCE = (
    "主卧衣柜左侧两扇趟门自安装之日起就关不严，门缝上宽下窄，最宽处约 5mm；"
    "师傅第一次上门调过滑轮后好了三天，之后又出现同样的问题，而且推拉时有明显的咔哒声；"
    "客户担心柜体本身不水平，要求派技术主管上门复测，并希望更换整套滑轨。"
)


@dataclass(frozen=True)
class BusyCases:
    long_text: int  # 30-character name, 2,000-character complaint
    three_rounds: int  # three review rounds, 40 events
    busy_day: dt.date  # 8 visits and 12 calls
    busy_day_cases: tuple[int, ...]


def long_description(length: int = 2000) -> str:
    text = ""
    number = 1
    while len(text) < length:
        text += f"{number}. {_SENTENCE}\n"
        number += 1
    return text[:length]


def add_busy_corners(store: Store, now: dt.datetime) -> BusyCases:
    """Add the busy corners to a demo database (its staff by the demo's names)."""
    staff = {s.name: s for s in store.all_staff(active_only=True)}
    settings = store.settings()
    start = dt.datetime.combine(
        now.date() - dt.timedelta(days=3), settings.opening_hours[0]
    ) + dt.timedelta(hours=1)
    clock = FixedClock(start)
    steps = _Steps(store, clock, staff, now)
    long_text = steps.long_text()
    three_rounds = steps.three_rounds()
    day = sla.next_opening_day(now.date() + dt.timedelta(days=1), settings)
    busy = steps.busy_day(day)
    return BusyCases(long_text, three_rounds, day, busy)


@dataclass
class _Steps:
    store: Store
    clock: FixedClock
    staff: dict[str, Staff]
    now: dt.datetime

    def as_(self, name: str, *, minutes: int = 7) -> Context:
        """Acting as `name`, a few minutes after the last step (never past now)."""
        self.clock.set(min(self.clock.now() + dt.timedelta(minutes=minutes), self.now))
        return Context(self.store, self.clock, self.staff[name].id)

    def register(self, name: str, phone: str, **values: object) -> int:
        draft = CaseDraft(
            customer_name=name,
            customer_phone=phone,
            category="安装施工",
            description=str(values.pop("description", "衣柜门板关不严，需要上门调整")),
            demands=("维修",),
            severity=Severity.NORMAL,
            customer_address=str(values.pop("customer_address", "幸福里小区 3栋 1202")),
            product_category="衣柜",
            brand_model=str(values.pop("brand_model", "索菲亚 · 趟门衣柜")),
            needs_visit=bool(values.pop("needs_visit", False)),
        )
        return op.register_case(self.as_("王芳"), draft).after.id

    def assign(self, case_id: int, owner: str = "李强") -> None:
        op.assign(self.as_("王芳"), case_id, owner_id=self.staff[owner].id, department="安装部")

    def first_call(self, case_id: int, owner: str = "李强") -> None:
        op.record_contact(
            self.as_(owner),
            case_id,
            method=ContactMethod.PHONE,
            purpose=ContactPurpose.FIRST_CONTACT,
            reached=True,
            customer_words="请尽快安排师傅上门",
        )

    def long_text(self) -> int:
        case_id = self.register(
            LONGEST_NAME,
            "021 6488 1234",
            description=long_description(),
            customer_address=LONG_ADDRESS,
            brand_model=LONG_BRAND,
        )
        self.assign(case_id)
        self.first_call(case_id)
        return case_id

    def three_rounds(self) -> int:
        case_id = self.register("欧阳晓梅", "13916880001", needs_visit=True)
        self.assign(case_id)
        self.first_call(case_id)
        op.propose_solution(
            self.as_("李强"),
            case_id,
            validity_reason="现场核实：滑轨变形，柜体不水平",
            kind=SolutionKind.REPAIR,
            steps="更换滑轨，调平柜体，调整门缝",
            due_date=self.clock.now().date() + dt.timedelta(days=2),
            cost_fen=0,
        )
        for round_no, passed in ((1, False), (2, False), (3, True)):
            op.record_rectification(
                self.as_("李强", minutes=90),
                case_id,
                result=f"第 {round_no} 次整改：更换滑轨并调平，门缝已调到 1mm 以内",
            )
            problems = "" if passed else "左门下沿仍有约 2mm 缝隙，推拉有异响"
            op.review_case(
                self.as_("陈静", minutes=60),
                case_id,
                items=[ReviewItem("门缝均匀", passed, problems), ReviewItem("现场已清理", True)],
                passed=passed,
                open_problems=problems,
            )
        while len(self.store.events(case_id)) < 40:
            op.add_note(self.as_("赵敏", minutes=3), case_id, "客户来电询问进度，已解释")
        return case_id

    def busy_day(self, day: dt.date) -> tuple[int, ...]:
        """8 visits by the two fitters, overlapping in the morning; 12 calls
        the customers asked for, bunched in the calling windows."""
        visits = ("09:00", "09:00", "09:30", "10:00", "11:00", "13:30", "14:00", "15:30")
        morning = ("10:30", "10:30", "10:40", "10:50", "11:00", "11:10")
        calls = (*morning, "15:00", "15:00", "15:10", "15:20", "16:00", "17:00")
        cases = []
        for number in range(12):
            case_id = self.register(
                f"客户{'甲乙丙丁戊己庚辛壬癸子丑'[number]}",
                f"1391688{number:04d}",
                needs_visit=True,
            )
            fitter = "李强" if number % 2 == 0 else "黄磊"
            self.assign(case_id, fitter)
            self.first_call(case_id, fitter)
            if number < len(visits):
                starts = dt.datetime.combine(day, dt.time.fromisoformat(visits[number]))
                op.schedule_visit(
                    self.as_(fitter),
                    case_id,
                    staff_id=self.staff[fitter].id,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=1),
                )
            preferred = dt.datetime.combine(day, dt.time.fromisoformat(calls[number]))
            op.postpone_call(
                self.as_("王芳"),
                case_id,
                method=ContactMethod.PHONE,
                purpose=ContactPurpose.PROGRESS,
                preferred_at=preferred,
            )
            cases.append(case_id)
        return tuple(cases)
