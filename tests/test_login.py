"""First start, PINs and logging in (the core side of the login screen)."""

from __future__ import annotations

import pytest

from showroom_cs import operations as op
from showroom_cs.auth import hash_pin, verify_pin
from showroom_cs.clock import FixedClock
from showroom_cs.domain import Role
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.store import Store

from .conftest import START, Desk


def test_pins_are_stored_as_salted_hashes() -> None:
    first, second = hash_pin("2468"), hash_pin("2468")
    assert first != second and "2468" not in first and first.startswith("scrypt$")
    assert verify_pin("2468", first) and not verify_pin("2469", first)
    assert not verify_pin("2468", None) and not verify_pin("2468", "garbage")


@pytest.mark.parametrize("pin", ["", "123", "123456789", "12a4", "１２３４"])
def test_pins_must_be_four_to_eight_digits(pin: str) -> None:
    with pytest.raises(RuleError, match="4 到 8 位数字"):
        hash_pin(pin)


def test_first_start_creates_the_showroom_and_its_manager() -> None:
    store = Store.in_memory()
    clock = FixedClock(START)
    assert op.needs_setup(store)
    with pytest.raises(RuleError, match="门店编码"):
        op.create_showroom(
            store,
            clock,
            showroom_name="幸福家居",
            showroom_code="上海一店",
            manager_name="陈静",
            manager_role=Role.STORE_MANAGER,
            pin="2468",
        )
    with pytest.raises(RuleError, match="第一位员工须是店长、总经理或老板"):
        op.create_showroom(
            store,
            clock,
            showroom_name="幸福家居",
            showroom_code="SH01",
            manager_name="王芳",
            manager_role=Role.CLERK,
            pin="2468",
        )
    assert op.needs_setup(store)  # refusals left nothing behind
    manager = op.create_showroom(
        store,
        clock,
        showroom_name="幸福家居",
        showroom_code="sh01",
        manager_name="陈静",
        manager_role=Role.STORE_MANAGER,
        pin="2468",
    )
    assert store.settings().showroom_code == "SH01"
    assert store.settings().showroom_name == "幸福家居"
    assert op.log_in(store, clock, manager.id, "2468") == manager
    with pytest.raises(RuleError, match="门店已经建立"):
        op.create_showroom(
            store,
            clock,
            showroom_name="x",
            showroom_code="XX",
            manager_name="y",
            manager_role=Role.OWNER,
            pin="1111",
        )


def test_log_in_refuses_a_wrong_pin_a_missing_pin_and_a_deactivated_person(desk: Desk) -> None:
    clerk = desk.staff["王芳"]
    with pytest.raises(RuleError, match="还没有设置 PIN"):
        op.log_in(desk.store, desk.clock, clerk.id, "1234")
    op.set_own_pin(desk.store, desk.clock, clerk.id, "1357")
    with pytest.raises(RuleError, match="PIN 不正确"):
        op.log_in(desk.store, desk.clock, clerk.id, "7531")
    assert op.log_in(desk.store, desk.clock, clerk.id, "1357").name == "王芳"
    with pytest.raises(RuleError, match="原 PIN 不正确"):
        op.set_own_pin(desk.store, desk.clock, clerk.id, "2468", old_pin="0000")
    op.set_own_pin(desk.store, desk.clock, clerk.id, "2468", old_pin="1357")
    assert op.log_in(desk.store, desk.clock, clerk.id, "2468")
    with desk.store.transaction():
        desk.store.write_staff({"active": 0}, clerk.id)
    with pytest.raises(RuleError, match="已停用，不能登录"):
        op.log_in(desk.store, desk.clock, clerk.id, "2468")


def test_only_managers_add_staff(desk: Desk) -> None:
    with pytest.raises(PermissionDenied, match="客服专员不能管理员工"):
        op.add_staff(desk.as_("王芳"), "新人", Role.CLERK)
    assert op.add_staff(desk.as_("陈静"), "新人", Role.CLERK, pin="1111").role == Role.CLERK
