"""Wrong PINs: one rule at every door, counted in the file, recorded for managers.

After 5 wrong PINs in a row a person waits 1 minute, each further wrong PIN
doubles the wait up to 30 minutes, and the right PIN resets the count. The
window's login and unlock show the wait and keep 登录 disabled until it ends.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QComboBox

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.domain import Door
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.operations import PinRefused
from showroom_cs.store import Store
from showroom_cs.ui.login import LoginDialog

from .conftest import PIN, START, Desk, make_desk


@pytest.fixture
def pins(desk: Desk) -> Desk:
    with desk.store.transaction():
        for member in desk.staff.values():
            desk.store.write_staff({"pin_hash": _hash()}, member.id)
    return desk


def _hash() -> str:
    from .conftest import _pin_hash

    return _pin_hash()


def _wrong(desk: Desk, name: str = "王芳", door: Door = Door.WINDOW) -> PinRefused:
    with pytest.raises(PinRefused) as refused:
        op.log_in(desk.store, desk.clock, desk.staff[name].id, "0000", door)
    return refused.value


def test_five_wrong_pins_make_even_the_right_one_wait_a_minute(pins: Desk) -> None:
    for _ in range(4):
        assert _wrong(pins).message == "PIN 不正确，请重新输入。"
    fifth = _wrong(pins)
    assert fifth.message == "PIN 已连续输错 5 次，请 1 分钟后再试。" and fifth.wait == 60
    with pytest.raises(PinRefused) as waiting:
        op.log_in(pins.store, pins.clock, pins.staff["王芳"].id, PIN)
    assert waiting.value.message == "PIN 连续输错次数过多，请 1 分钟后再试。"
    pins.clock.advance(seconds=45)
    assert op.wait_left(pins.store, pins.clock, pins.staff["王芳"].id) == 15
    pins.clock.advance(seconds=15)
    assert op.log_in(pins.store, pins.clock, pins.staff["王芳"].id, PIN).name == "王芳"
    # The right PIN reset the count: four wrong ones do not lock again.
    for _ in range(4):
        assert _wrong(pins).wait == 0


def test_each_further_wrong_pin_doubles_the_wait_up_to_half_an_hour(pins: Desk) -> None:
    waits = []
    for _ in range(10):
        refused = _wrong(pins)
        waits.append(refused.wait)
        pins.clock.advance(seconds=refused.wait)
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 960, 1800]
    assert _wrong(pins).wait == 1800  # capped


def test_the_numbers_are_settings(pins: Desk) -> None:
    settings = dataclasses.replace(
        pins.store.settings(), pin_tries=3, pin_first_wait_minutes=5, pin_longest_wait_minutes=10
    )
    op.change_settings(pins.as_("陈静"), settings)
    assert [_wrong(pins).wait for _ in range(3)] == [0, 0, 300]
    pins.clock.advance(minutes=5)
    assert _wrong(pins).wait == 600
    pins.clock.advance(minutes=10)
    assert _wrong(pins).wait == 600
    with pytest.raises(RuleError, match="最长等待"):
        op.change_settings(
            pins.as_("陈静"), dataclasses.replace(settings, pin_longest_wait_minutes=2)
        )


def test_a_second_program_on_the_same_file_sees_the_same_wait(tmp_path: Path) -> None:
    path = tmp_path / "cases.db"
    first = Store.open(path)
    desk = make_desk(first, FixedClock(START), pins=True)
    second = Store.open(path)
    clock = FixedClock(START)
    for store in (first, second, first, second, first):
        with pytest.raises(PinRefused):
            op.log_in(store, clock, desk.staff["王芳"].id, "0000")
    assert op.wait_left(second, clock, desk.staff["王芳"].id) == 60
    reopened = Store.open(path)  # a restart does not reset it either
    with pytest.raises(PinRefused, match="1 分钟后再试"):
        op.log_in(reopened, clock, desk.staff["王芳"].id, PIN)
    for store in (first, second, reopened):
        store.close()


def test_a_manager_clears_the_wait_and_the_log_says_so(pins: Desk) -> None:
    for _ in range(5):
        _wrong(pins)
    with pytest.raises(PermissionDenied, match="客服主管不能管理员工"):
        op.clear_wait(pins.as_("赵敏"), pins.staff["王芳"].id)
    op.clear_wait(pins.as_("陈静"), pins.staff["王芳"].id)
    assert op.log_in(pins.store, pins.clock, pins.staff["王芳"].id, PIN).name == "王芳"
    log = op.audit_history(pins.as_("陈静"))
    assert [(e.by, e.door.label, e.action.label, e.detail) for e in log[:3]] == [
        ("陈静", "窗口登录", "解除等待", "解除王芳的等待"),
        ("王芳", "窗口登录", "暂停登录", "王芳，等待 1 分钟"),
        ("王芳", "窗口登录", "PIN 输错", "王芳，连续第 5 次"),
    ]
    with pytest.raises(PermissionDenied):
        op.audit_history(pins.as_("王芳"))


def test_every_door_counts_towards_the_same_wait(pins: Desk) -> None:
    member = pins.staff["王芳"]
    _wrong(pins, door=Door.WINDOW)
    _wrong(pins, door=Door.UNLOCK)
    with pytest.raises(PinRefused):
        op.log_in_by_name(pins.store, pins.clock, "王芳", "0000")  # the command line
    with pytest.raises(PinRefused, match="原 PIN 不正确"):
        op.set_own_pin(pins.store, pins.clock, member.id, "2468", old_pin="0000")
    refused = _wrong(pins, door=Door.UNLOCK)
    assert refused.wait == 60
    doors = [e.door for e in op.audit_history(pins.as_("陈静")) if e.action == op.Audit.PIN_FAILED]
    assert doors[::-1] == [Door.WINDOW, Door.UNLOCK, Door.CLI, Door.PIN_CHANGE, Door.UNLOCK]


def test_a_typed_name_never_tells_whether_the_person_exists(pins: Desk) -> None:
    with pins.store.transaction():
        pins.store.write_staff({"pin_hash": None}, pins.staff["孙丽"].id)
    answers = set()
    for name in ("王芳", "不存在的人", "孙丽"):  # a real one, nobody, one without a PIN
        with pytest.raises(PinRefused) as refused:
            op.log_in_by_name(pins.store, pins.clock, name, "0000")
        answers.add(refused.value.message)
    assert answers == {"姓名或 PIN 不正确。"}
    for _ in range(4):  # nobody of that name waits like anyone else
        with pytest.raises(PinRefused):
            op.log_in_by_name(pins.store, pins.clock, "不存在的人", "0000")
    with pytest.raises(PinRefused, match="1 分钟后再试"):
        op.log_in_by_name(pins.store, pins.clock, "不存在的人", "0000")


# ---------------------------------------------------------------- the window


def test_the_login_shows_the_wait_and_disables_the_button_until_it_ends(qtbot, pins: Desk) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(pins.store, pins.clock)
    qtbot.addWidget(dialog)
    dialog.show()
    who = dialog.findChild(QComboBox, "who")
    who.setCurrentIndex(who.findData(pins.staff["王芳"].id))
    for _ in range(5):
        qtbot.keyClicks(dialog.pin, "0000")
        dialog.submit()
    assert dialog.error.text() == "PIN 已连续输错 5 次，请 1 分钟后再试。"
    assert not dialog.ok.isEnabled() and not dialog.pin.isEnabled()
    assert dialog.countdown.isActive()  # ticks down, the window stays responsive
    pins.clock.advance(seconds=30)
    dialog.countdown.timeout.emit()
    assert dialog.error.text() == "PIN 连续输错次数过多，请 30 秒后再试。"
    # Someone else may log in meanwhile.
    who.setCurrentIndex(who.findData(pins.staff["孙丽"].id))
    assert dialog.ok.isEnabled() and not dialog.error.isVisible()
    who.setCurrentIndex(who.findData(pins.staff["王芳"].id))
    assert not dialog.ok.isEnabled()
    pins.clock.advance(seconds=30)
    dialog.countdown.timeout.emit()
    assert dialog.ok.isEnabled() and not dialog.countdown.isActive()
    qtbot.keyClicks(dialog.pin, PIN)
    dialog.submit()
    assert dialog.staff is not None and dialog.staff.name == "王芳"
    assert not dialog.countdown.isActive()


def test_unlocking_preselects_who_locked_and_follows_the_same_rule(qtbot, pins: Desk) -> None:  # type: ignore[no-untyped-def]
    dialog = LoginDialog(pins.store, pins.clock, door=Door.UNLOCK, preselect=pins.staff["李强"].id)
    qtbot.addWidget(dialog)
    assert dialog.who.currentData() == pins.staff["李强"].id
    for _ in range(5):
        qtbot.keyClicks(dialog.pin, "9999")
        dialog.submit()
    assert not dialog.ok.isEnabled()
    entries = op.audit_history(pins.as_("陈静"))
    assert {e.door for e in entries} == {Door.UNLOCK}
    assert op.wait_left(pins.store, pins.clock, pins.staff["李强"].id) == 60
    dialog.reject()  # the countdown stops with the dialog
    assert not dialog.countdown.isActive()


def test_managers_see_each_attempt_and_clear_a_wait_in_the_settings(qtbot, pins: Desk) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui.session import Session
    from showroom_cs.ui.settings_page import SettingsPage

    for _ in range(5):
        _wrong(pins, "孙丽", Door.UNLOCK)
    page = SettingsPage(Session(pins.store, pins.clock, pins.staff["陈静"]))
    qtbot.addWidget(page)
    log = page.security.table
    first = [log.item(0, column).text() for column in range(5)]
    assert first == ["2026-11-23 10:00", "孙丽", "解锁", "暂停登录", "孙丽，等待 1 分钟"]
    staff = page.staff
    row = next(i for i, m in enumerate(staff.members) if m.name == "孙丽")
    assert staff.table.item(row, 3).text() == "输错过多，等待 1 分钟"
    staff.table.selectRow(row)
    assert staff.clear_button.isEnabled()
    staff.clear_button.click()
    assert op.wait_left(pins.store, pins.clock, pins.staff["孙丽"].id) == 0
    assert page.security.table.item(0, 4).text() == "解除孙丽的等待"
    assert staff.table.item(row, 3).text() == "已设置" and not staff.clear_button.isEnabled()
    clerk = SettingsPage(Session(pins.store, pins.clock, pins.staff["王芳"]))
    qtbot.addWidget(clerk)
    assert not clerk.security.table.isVisible()
    assert "安全记录也只有他们可以查看" in clerk.security.note.text()
