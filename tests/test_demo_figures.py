"""The demo showroom looks like one that works: its own 统计 shows most limits
kept, a handful of cases overdue today, escalations to the top rare,
complaints taken only while the shop is open, in the rhythm of the week and
the year, and the work shared out as the staff's roles say.

The figures are printed (pytest -s) so they can be quoted."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from showroom_cs import sla
from showroom_cs.cli import DEMO_CASES
from showroom_cs.demo import generate
from showroom_cs.domain import EscalationLevel, Role
from showroom_cs.stats import report, summarise
from showroom_cs.store import Store

NOW = dt.datetime(2026, 11, 27, 16, 30)  # a Friday afternoon


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store.open(Path(tmp_path_factory.mktemp("demo")) / "demo.db")
    generate(store, DEMO_CASES, seed=1, now=NOW)
    return store


def test_most_limits_are_kept_and_few_cases_are_overdue_today(demo: Store) -> None:
    first = dt.datetime.fromisoformat(demo.scalar("SELECT MIN(received_at) FROM cases"))
    full = report(demo, first, NOW, NOW)
    print()
    for kind, kept, missed in full.on_time_by_clock:
        rate = kept / (kept + missed)
        print(f"{kind.label}：按时 {kept}，超时 {missed}，按时率 {rate:.1%}")
        assert 0.85 <= rate <= 0.97, kind.label
    overdue = summarise(demo, NOW - dt.timedelta(days=7), NOW, NOW).overdue_now
    print(f"今天超时的案件：{overdue}")
    assert 1 <= overdue <= 10


def test_escalations_to_the_top_are_rare(demo: Store) -> None:
    total = demo.scalar("SELECT COUNT(*) FROM cases")
    shares = {}
    for level in (
        EscalationLevel.SUPERVISOR,
        EscalationLevel.GENERAL_MANAGER,
        EscalationLevel.OWNER,
    ):
        count = demo.scalar("SELECT COUNT(*) FROM cases WHERE escalation_level >= ?", (int(level),))
        shares[level] = count / total
        print(f"升级至{level.label}及以上：{count} 件（{count / total:.1%}）")
    assert shares[EscalationLevel.GENERAL_MANAGER] <= 0.03
    assert shares[EscalationLevel.OWNER] <= 0.01


def test_complaints_come_in_opening_hours_in_the_rhythm_of_week_and_year(demo: Store) -> None:
    settings = demo.settings()
    received = [
        dt.datetime.fromisoformat(text) for (text,) in demo.query("SELECT received_at FROM cases")
    ]
    assert all(sla.is_open(moment, settings) for moment in received)
    days = (NOW.date() - min(received).date()).days + 1
    print(f"{len(received)} 件，{days} 天，每天平均 {len(received) / days:.1f} 件")
    by_weekday = Counter(moment.weekday() for moment in received)
    weekend = (by_weekday[5] + by_weekday[6]) / 2
    weekdays = sum(by_weekday[d] for d in range(5)) / 5
    print(f"周末每天 {weekend / (days / 7):.1f} 件，工作日每天 {weekdays / (days / 7):.1f} 件")
    assert weekend >= 1.25 * weekdays
    whole_months = Counter(
        f"{moment:%Y-%m}" for moment in received if moment.date() < NOW.date().replace(day=1)
    )
    del whole_months[min(whole_months)]  # the first month is only partly covered
    busiest, quietest = max(whole_months.values()), min(whole_months.values())
    print(f"最忙的月份 {busiest} 件，最闲的月份 {quietest} 件")
    assert busiest >= 1.6 * quietest


def test_the_work_is_shared_out_as_the_roles_say(demo: Store) -> None:
    staff = {s.id: s for s in demo.all_staff()}
    registered = Counter(
        staff[actor].role for (actor,) in demo.query("SELECT received_by FROM cases")
    )
    total = sum(registered.values())
    print("登记：" + "，".join(f"{r.label} {n}" for r, n in registered.most_common()))
    assert registered[Role.CLERK] / total >= 0.7
    fitters = Counter(
        staff[owner].name
        for (owner,) in demo.query(
            "SELECT owner_id FROM cases WHERE department IN ('安装部', '售后部')"
        )
    )
    print("安装与售后的负责人：" + "，".join(f"{n} {c}" for n, c in fitters.most_common()))
    assert len(fitters) == 2 and min(fitters.values()) >= 0.35 * sum(fitters.values())
    deciders = Counter(
        staff[actor].role
        for (actor,) in demo.query("SELECT actor_id FROM events WHERE kind = 'approval'")
    )
    print("审批：" + "，".join(f"{r.label} {n}" for r, n in deciders.most_common()))
    assert deciders[Role.OWNER] <= 0.03 * sum(deciders.values())
    reviewers = Counter(
        staff[actor].role
        for (actor,) in demo.query("SELECT actor_id FROM events WHERE kind = 'review'")
    )
    print("复核：" + "，".join(f"{r.label} {n}" for r, n in reviewers.most_common()))
    front_line = reviewers[Role.STORE_MANAGER] + reviewers[Role.SUPERVISOR]
    assert front_line >= 0.9 * sum(reviewers.values())
    callers = Counter(
        staff[actor].role
        for (actor,) in demo.query(
            "SELECT e.actor_id FROM events e JOIN contacts c ON c.case_id = e.case_id "
            "AND c.at = e.at WHERE e.kind IN ('contact', 'second_handling') "
            "AND c.purpose IN ('progress', 'follow_up')"
        )
    )
    print("进度回访与回访：" + "，".join(f"{r.label} {n}" for r, n in callers.most_common()))
    assert callers[Role.CLERK] >= 0.9 * sum(callers.values())
