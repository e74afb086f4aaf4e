"""Make a database file as a release left it, for the migration tests.

`release-0.1.0.db.gz` was made by release 0.1.0 (schema 8) with this script
and is kept exactly as made: later code would make a later file. To keep a
fixture of a later release, run this with that release and save it under its
own name.

It holds a demo showroom (200 cases, a fixed clock) plus one case whose
rectification changed between three review rounds (two failed, one passed),
and cases with open time limits of every kind, some already missed.

    python tests/data/make_release_db.py OUT.db
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.demo import generate
from showroom_cs.domain import ReviewItem, Severity, SolutionKind
from showroom_cs.operations import CaseDraft, Context, check_clocks
from showroom_cs.store import Store

NOW = dt.datetime(2026, 11, 27, 16, 0)  # a Friday afternoon


def main(out: Path) -> None:
    store = Store.open(out)
    generate(store, 200, seed=3, now=NOW - dt.timedelta(days=1))
    staff = {s.name: s for s in store.all_staff()}
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 30))

    def as_(name: str) -> Context:
        return Context(store, clock, staff[name].id)

    clerk, fitter, reviewer = "王芳", "李强", "陈静"
    case = op.register_case(
        as_(clerk),
        CaseDraft(
            customer_name="周晓梅",
            customer_phone="139 0571 2288",
            category="安装施工",
            description="厨房吊柜柜门下垂，关不上，缝隙约 8mm",
            demands=("维修",),
            severity=Severity.IMPORTANT,
            customer_address="钱江花园 5幢 802",
            product_category="橱柜",
            brand_model="欧派 · 吊柜",
        ),
    ).after
    clock.advance(minutes=20)
    op.assign(as_(clerk), case.id, owner_id=staff[fitter].id, department="安装部")
    clock.advance(hours=2)
    op.propose_solution(
        as_(fitter),
        case.id,
        validity_reason="现场查看，铰链螺丝松动",
        kind=SolutionKind.REPAIR,
        steps="上门紧固铰链并调平柜门",
        due_date=dt.date(2026, 11, 25),
        cost_fen=0,
    )
    results = ("第一次：紧固了左侧铰链", "第二次：更换两只铰链", "第三次：更换柜门并调平")
    for number, result in enumerate(results, start=1):
        day = dt.date(2026, 11, 23 + number)
        clock.set(dt.datetime.combine(day, dt.time(10, 0)))
        op.record_rectification(as_(fitter), case.id, result=result)
        clock.set(dt.datetime.combine(day, dt.time(14, 0)))
        passed = number == len(results)
        op.review_case(
            as_(reviewer),
            case.id,
            items=[ReviewItem("柜门闭合", passed, "" if passed else f"第 {number} 次仍有缝隙")],
            passed=passed,
            open_problems="" if passed else f"柜门仍下垂（第 {number} 次）",
        )
    # Open limits of every kind, some of them missed by the Friday sweep.
    for severity in Severity:
        clock.set(NOW - dt.timedelta(days=2, hours=3))
        op.register_case(
            as_(clerk),
            CaseDraft(
                customer_name="吴磊",
                customer_phone="137 1234 5678",
                category="产品质量",
                description=f"木地板起拱（{severity.label}）",
                demands=("更换",),
                severity=severity,
                customer_address="滨江一号 2幢 1101",
                needs_visit=True,
            ),
        )
    clock.set(NOW)
    check_clocks(Context(store, clock, None))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
