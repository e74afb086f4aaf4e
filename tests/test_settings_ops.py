"""设置 in the core: who may change what, what is refused, what a change does
to open cases, and the record of every change."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest

from showroom_cs import operations as op
from showroom_cs.domain import ClockKind, Role, Severity, Stage
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.forms import field_values
from showroom_cs.settings import ListEntry, Settings

from .conftest import Desk
from .walk import to_closed, to_investigating


def _with(desk: Desk, **changes: object) -> Settings:
    return dataclasses.replace(desk.store.settings(), **changes)  # type: ignore[arg-type]


def _sla(desk: Desk, clock: ClockKind, severity: Severity, value: int) -> Settings:
    table = {k: dict(v) for k, v in desk.store.settings().sla.items()}
    table[clock][severity] = value
    return _with(desk, sla=table)


def _feedback_due(desk: Desk, case_id: int) -> dt.datetime | None:
    return next(
        (
            c.due_at
            for c in desk.store.clocks(case_id, open_only=True)
            if c.kind == ClockKind.FEEDBACK
        ),
        None,
    )


def test_changing_a_time_limit_moves_open_cases_and_records_it(desk: Desk) -> None:
    working = to_investigating(desk, desk.register())  # feedback due in 3 days
    finished = to_closed(desk, desk.register(customer_phone="13912345678"))
    closed_clocks = desk.store.clocks(finished.id)
    assert _feedback_due(desk, working.id) == dt.datetime(2026, 11, 26, 10, 0)
    desk.clock.advance(hours=1)
    change = op.change_settings(
        desk.as_("陈静"), _sla(desk, ClockKind.FEEDBACK, Severity.NORMAL, 5)
    )
    assert change.items == ("sla",) and change.cases_moved == 1
    assert _feedback_due(desk, working.id) == dt.datetime(2026, 11, 28, 10, 0)
    assert desk.case(working.id).next_due_at is not None
    event = desk.store.events(working.id)[-1]
    assert event.note == "时限设置调整：整改反馈 11-26 10:00 → 11-28 10:00"
    assert event.actor_id == desk.staff["陈静"].id
    assert desk.store.clocks(finished.id) == closed_clocks  # held to the old limits
    entry = op.settings_history(desk.as_("陈静"))[0]
    assert (entry.by, entry.item, entry.what) == ("陈静", "时限", "整改反馈·一般 3 → 5")


def _logged(desk: Desk) -> int:
    return int(desk.store.scalar("SELECT COUNT(*) FROM settings_log"))


def test_unchanged_settings_record_nothing(desk: Desk) -> None:
    logged = _logged(desk)  # the desk's staff were added on the record
    change = op.change_settings(desk.as_("陈静"), desk.store.settings())
    assert change.items == () and _logged(desk) == logged


def test_a_retired_category_leaves_the_form_but_old_cases_keep_it_and_renames_follow(
    desk: Desk,
) -> None:
    old = desk.register(category="销售承诺")
    lists = dict(desk.store.settings().lists)
    lists["category"] = tuple(
        dataclasses.replace(e, retired=True)
        if e.key == "销售承诺"
        else dataclasses.replace(e, label="安装质量")
        if e.key == "安装施工"
        else e
        for e in lists["category"]
    )
    op.change_settings(desk.as_("陈静"), _with(desk, lists=lists))
    settings = desk.store.settings()
    offered = [e.label for e in settings.active_entries("category")]
    assert "销售承诺" not in offered and "安装质量" in offered and "安装施工" not in offered
    assert desk.case(old.id).category == "销售承诺"
    assert field_values(desk.store, desk.case(old.id))["category"] == "销售承诺"
    with pytest.raises(RuleError, match="投诉类别"):
        desk.register(category="销售承诺", customer_phone="13912345678")  # not for new cases
    renamed = desk.register(category="安装施工", customer_phone="13912345679")
    assert field_values(desk.store, renamed)["category"] == "安装质量"  # same key, new name
    entry = op.settings_history(desk.as_("陈静"))[0]
    assert entry.what == "投诉类别「安装施工」改名为「安装质量」；投诉类别停用「销售承诺」"


def test_the_last_manager_cannot_be_deactivated_or_demoted(desk: Desk) -> None:
    boss = desk.as_("周建国")
    for name in ("刘洋", "陈静"):  # leave the owner as the only manager
        op.set_staff_active(boss, desk.staff[name].id, False)
    owner = desk.staff["周建国"]
    with pytest.raises(RuleError, match="最后一位在职的管理人员"):
        op.edit_staff(boss, owner.id, name=owner.name, role=Role.CLERK)
    with pytest.raises(RuleError, match="不能停用自己"):
        op.set_staff_active(boss, owner.id, False)
    assert desk.store.staff_member(owner.id).role == Role.OWNER
    # With a second manager back, the owner may step down; then she is the last.
    op.set_staff_active(boss, desk.staff["陈静"].id, True)
    op.edit_staff(boss, owner.id, name=owner.name, role=Role.SUPERVISOR)
    assert desk.store.staff_member(owner.id).role == Role.SUPERVISOR
    manager = desk.staff["陈静"]
    with pytest.raises(RuleError, match="陈静是最后一位在职的管理人员"):
        op.edit_staff(desk.as_("陈静"), manager.id, name=manager.name, role=Role.CLERK)


def test_deactivated_staff_stay_on_old_timelines_and_cannot_log_in(desk: Desk) -> None:
    case = desk.register(by="孙丽")
    op.set_staff_active(desk.as_("陈静"), desk.staff["孙丽"].id, False)
    assert desk.store.staff_member(desk.staff["孙丽"].id).name == "孙丽"
    assert desk.store.events(case.id)[0].actor_id == desk.staff["孙丽"].id
    with pytest.raises(RuleError, match="已停用"):
        op.log_in(desk.store, desk.clock, desk.staff["孙丽"].id, "1234")
    history = op.settings_history(desk.as_("陈静"))
    assert history[0].what == "孙丽（客服专员，在职） → 孙丽（客服专员，已停用）"


def test_a_reset_pin_is_set_anew_at_the_next_login(desk: Desk) -> None:
    member = desk.staff["王芳"]
    op.set_own_pin(desk.store, desk.clock, member.id, "2468")
    op.reset_pin(desk.as_("陈静"), member.id)
    with pytest.raises(RuleError, match="还没有设置 PIN"):
        op.log_in(desk.store, desk.clock, member.id, "2468")
    op.set_own_pin(desk.store, desk.clock, member.id, "1357")  # no old PIN asked after a reset
    assert op.log_in(desk.store, desk.clock, member.id, "1357").id == member.id


@pytest.mark.parametrize(
    "call",
    [
        lambda d: op.change_settings(d.as_("王芳"), d.store.settings()),
        lambda d: op.edit_staff(d.as_("王芳"), d.staff["孙丽"].id, name="孙丽", role=Role.OWNER),
        lambda d: op.set_staff_active(d.as_("李强"), d.staff["孙丽"].id, False),
        lambda d: op.reset_pin(d.as_("赵敏"), d.staff["孙丽"].id),
        lambda d: op.settings_history(d.as_("王芳")),
    ],
    ids=[
        "settings-clerk",
        "edit-clerk",
        "deactivate-install-manager",
        "reset-supervisor",
        "log-clerk",
    ],
)
def test_only_managers_change_rules_or_staff(desk: Desk, call) -> None:  # type: ignore[no-untyped-def]
    logged = _logged(desk)
    with pytest.raises(PermissionDenied, match="只有店长、总经理或老板可以"):
        call(desk)
    assert _logged(desk) == logged


def _windows(*pairs: tuple[int, int, int, int]) -> tuple[tuple[dt.time, dt.time], ...]:
    return tuple((dt.time(a, b), dt.time(c, d)) for a, b, c, d in pairs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"showroom_code": "上海一店"}, "门店编码请用 2–16 位字母或数字"),
        ({"showroom_name": "  "}, "请填写门店名称"),
        ({"opening_hours": (dt.time(18), dt.time(9))}, "营业时间的开始必须早于结束"),
        ({"calling_windows": _windows((8, 0, 9, 30))}, "超出了营业时间"),
        ({"calling_windows": _windows((10, 0, 11, 0), (10, 30, 12, 0))}, "回访时段之间不能重叠"),
        ({"calling_windows": ()}, "至少需要一个回访时段"),
        ({"closed_weekdays": frozenset(range(7))}, "每周至少要有一天营业"),
        ({"call_minutes": 0}, "每通回访预留的时间"),
        ({"idle_lock_minutes": 0}, "自动锁屏时间"),
        ({"keep_daily": 0}, "每日备份请保留"),
        ({"approval_limits_fen": {Role.STORE_MANAGER: -1}}, "审批额度不能为负数"),
    ],
)
def test_invalid_values_are_refused_with_their_message(
    desk: Desk, changes: dict[str, object], message: str
) -> None:
    before = desk.store.settings()
    with pytest.raises(RuleError, match=message):
        op.change_settings(desk.as_("陈静"), _with(desk, **changes))
    assert desk.store.settings() == before


def test_negative_hours_and_broken_lists_are_refused(desk: Desk) -> None:
    with pytest.raises(RuleError, match="不能为负数"):
        op.change_settings(desk.as_("陈静"), _sla(desk, ClockKind.HOME_VISIT, Severity.URGENT, -2))
    lists = dict(desk.store.settings().lists)
    lists["channel"] = (*lists["channel"], ListEntry("抖音", "到店"))
    with pytest.raises(RuleError, match="「受理渠道」里「到店」重复了"):
        op.change_settings(desk.as_("陈静"), _with(desk, lists=lists))
    lists["channel"] = tuple(dataclasses.replace(e, retired=True) for e in lists["channel"][:-1])
    with pytest.raises(RuleError, match="「受理渠道」至少要保留一项在用"):
        op.change_settings(desk.as_("陈静"), _with(desk, lists=lists))


def test_a_logo_is_checked_scaled_and_printed_on_the_forms(desk: Desk, tmp_path: Path) -> None:
    from PIL import Image
    from pypdf import PdfReader

    from showroom_cs.pdf import render

    big = tmp_path / "logo.jpg"
    Image.new("RGB", (2400, 800), (200, 30, 30)).save(big)
    stored = op.logo_from_file(big)
    shrunk = Image.open(io.BytesIO(__import__("base64").b64decode(stored)))
    assert shrunk.size == (600, 200)
    op.change_settings(desk.as_("陈静"), _with(desk, logo_png=stored))
    pdf = render(desk.store, desk.register(), "registration")
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert len(page.images) >= 1
    text_file = tmp_path / "logo.png"
    text_file.write_text("not an image")
    with pytest.raises(RuleError, match="不是能识别的图片"):
        op.logo_from_file(text_file)
    assert op.settings_history(desk.as_("陈静"))[0].what == "更换了标志"


def test_an_added_staff_member_is_on_the_record(desk: Desk) -> None:
    op.add_staff(desk.as_("陈静"), "钱多多", Role.CLERK)
    assert op.settings_history(desk.as_("陈静"))[0].what == "新增 钱多多（客服专员，在职）"
    assert desk.store.staff_member(desk.store.all_staff()[-1].id).name == "钱多多"


def test_closed_cases_are_not_touched_by_hour_changes(desk: Desk) -> None:
    finished = to_closed(desk, desk.register())
    events = len(desk.store.events(finished.id))
    change = op.change_settings(
        desk.as_("陈静"), _with(desk, opening_hours=(dt.time(8, 30), dt.time(20, 0)))
    )
    assert change.items == ("opening_hours",)
    assert len(desk.store.events(finished.id)) == events
    assert desk.case(finished.id).stage == Stage.CLOSED
