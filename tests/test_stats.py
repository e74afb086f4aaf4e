"""Figures of a period, checked against cases whose story the test wrote."""

from __future__ import annotations

import datetime as dt

import pytest

from showroom_cs import operations as op
from showroom_cs.domain import Severity, Stage
from showroom_cs.stats import period_bounds, summarise

from .conftest import Desk
from .walk import follow_up, to_closed, to_follow_up


def test_period_bounds() -> None:
    sunday = dt.date(2026, 11, 29)
    assert period_bounds("this_week", sunday) == (
        dt.datetime(2026, 11, 23),
        dt.datetime(2026, 11, 30),
    )
    assert period_bounds("last_week", sunday)[0] == dt.datetime(2026, 11, 16)
    assert period_bounds("this_month", sunday) == (
        dt.datetime(2026, 11, 1),
        dt.datetime(2026, 12, 1),
    )
    assert period_bounds("last_month", dt.date(2026, 1, 5)) == (
        dt.datetime(2025, 12, 1),
        dt.datetime(2026, 1, 1),
    )


def test_summary_counts_rates_and_satisfaction(desk: Desk) -> None:
    kept = to_closed(desk, desk.register())  # satisfaction 4
    late = desk.register(
        severity=Severity.URGENT, category="服务态度", customer_phone="13912345678"
    )
    voided = desk.register(customer_phone="13712345678")
    op.void_case(desk.as_("赵敏"), voided.id, "重复登记")
    other = to_follow_up(desk, desk.register(customer_phone="13612345678"))
    follow_up(desk, other, satisfaction=5)
    op.close_case(
        desk.as_("赵敏"), other.id, cause="c", actions="a", improvement="i", cause_key="其他"
    )
    desk.clock.advance(hours=3)  # the urgent first contact is now missed
    op.check_clocks(desk.system)
    start, end = period_bounds("this_week", desk.clock.now().date())
    summary = summarise(desk.store, start, end, desk.clock.now())
    assert summary.received == 3  # the voided one does not count
    assert summary.closed == 2 and summary.invalid == 0
    assert summary.satisfaction == 4.5
    assert summary.overdue_now == 1
    assert dict(summary.by_category) == {"安装施工": 2, "服务态度": 1}
    assert dict(summary.by_stage) == {Stage.CLOSED: 2, Stage.REGISTERED: 1}
    # Kept in time, for each of the two closed cases: feedback (the rectification),
    # the follow-up call, and first contact (met by that call). Missed: the
    # urgent case's first contact. The voided case's clocks were called off.
    assert summary.on_time_rate == 6 / 7
    assert kept.id != late.id


def test_range_report_rates_percentiles_and_dimensions(desk: Desk) -> None:
    from showroom_cs.domain import ClockKind, ContactMethod, ContactPurpose
    from showroom_cs.stats import report

    from .walk import to_investigating

    quick = desk.register(category="安装施工", product_category="衣柜")
    op.record_contact(
        desk.as_("王芳"),
        quick.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    )
    desk.clock.advance(hours=4)
    slow = desk.register(category="产品质量", product_category="地板", customer_phone="13912345678")
    desk.clock.advance(hours=10)
    op.record_contact(
        desk.as_("王芳"),
        slow.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    )
    invalid = to_investigating(desk, desk.register(customer_phone="13712345678"))
    op.judge_invalid(desk.as_("李强"), invalid.id, reason="误会", explanation="已解释")
    closed = to_closed(desk, desk.register(customer_phone="13612345678", brand_model="圣象 · 地板"))
    start, end = period_bounds("this_week", desk.clock.now().date())
    result = report(desk.store, start, end, desk.clock.now())
    assert dict(result.counts["category"]) == {"安装施工": 3, "产品质量": 1}
    assert dict(result.counts["product_category"])["地板"] == 1
    assert result.valid_rate == 0.5  # one 成立 (the closed case), one 不成立
    assert result.first_contact_hours is not None
    median, p90 = result.first_contact_hours
    # 0 h (at once), 10 h, and 0 h for the closed case reached by its follow-up call.
    assert median == 0.0 and p90 == pytest.approx(8.0)
    assert result.satisfaction == [(4, 1)]
    assert result.reopen_rate == 0.0
    assert result.top_brands[0] == ("索菲亚 · 趟门衣柜", 3)
    kinds = {kind: (kept, missed) for kind, kept, missed in result.on_time_by_clock}
    assert kinds[ClockKind.FIRST_CONTACT][0] >= 2
    assert closed.id != quick.id


def test_a_voided_entry_does_not_count_as_a_missed_time_limit(desk: Desk) -> None:
    from showroom_cs.domain import ClockKind
    from showroom_cs.stats import report

    mistake = desk.register()
    desk.register(customer_phone="13912345678")
    desk.clock.advance(days=2, hours=7)  # both first calls (24 opening hours) are now late
    op.check_clocks(desk.system)
    op.void_case(desk.as_("赵敏"), mistake.id, "重复登记")
    start, end = period_bounds("this_week", desk.clock.now().date())
    result = report(desk.store, start, end, desk.clock.now())
    kinds = {kind: (kept, missed) for kind, kept, missed in result.on_time_by_clock}
    assert kinds[ClockKind.FIRST_CONTACT] == (0, 1)  # only the real case's late call
