"""The call dialog as the clerk who must dial: who to call and the full
number with a copy button (a reveal on the timeline), the purpose of the
call the case waits on, and satisfaction asked only when it is needed."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLabel

from showroom_cs import operations as op
from showroom_cs.domain import ContactMethod, ContactPurpose
from showroom_cs.ui.action_dialog import ActionDialog
from showroom_cs.ui.session import Session

from .conftest import Desk
from .walk import to_follow_up, to_in_progress, to_investigating


def _dialog(qtbot, desk: Desk, case_id: int, who: str = "王芳") -> ActionDialog:  # type: ignore[no-untyped-def]
    dialog = ActionDialog(
        Session(desk.store, desk.clock, desk.staff[who]), desk.case(case_id), "record_contact"
    )
    qtbot.addWidget(dialog)
    return dialog


def test_the_clerk_sees_who_to_call_and_the_number_to_dial(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register(customer_name="林晓", customer_title="女士", customer_phone="13912345678")
    dialog = _dialog(qtbot, desk, case.id)
    assert dialog.findChild(QLabel, "callCustomer").text() == "客户：林晓女士"
    assert dialog.number.text() == "139 1234 5678"
    qtbot.mouseClick(dialog.copy_number, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "13912345678"
    assert "Ctrl+Shift+C" in dialog.copy_number.toolTip()
    last = desk.store.events(case.id)[-1]
    assert (last.kind, last.note) == (
        "phone_revealed",
        "王芳查看了客户的完整电话（拨打回访电话前）",
    )


def test_the_purpose_is_the_call_the_case_waits_on(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_investigating(desk, desk.register())
    purpose = _dialog(qtbot, desk, case.id).inputs["purpose"]
    assert isinstance(purpose, QComboBox)
    assert purpose.currentData() == ContactPurpose.FIRST_CONTACT  # not the day-5 progress call
    op.record_contact(
        desk.as_("李强"),
        case.id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FIRST_CONTACT,
        reached=True,
    )
    purpose = _dialog(qtbot, desk, case.id).inputs["purpose"]
    assert isinstance(purpose, QComboBox)
    assert purpose.currentData() == ContactPurpose.PROGRESS


def test_satisfaction_is_asked_for_when_the_follow_up_reaches_the_customer(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk
) -> None:
    case = to_follow_up(desk, to_in_progress(desk, desk.register()))
    dialog = _dialog(qtbot, desk, case.id)
    satisfaction = dialog.inputs["satisfaction"]
    assert isinstance(satisfaction, QComboBox)
    assert satisfaction.currentText() == "（请选择）"
    labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "满意度（结案回访联系上时必填）" in labels
    reached = dialog.inputs["reached"]
    assert isinstance(reached, QCheckBox) and reached.isChecked()
    reached.setChecked(False)  # nobody answered
    assert not satisfaction.isEnabled()
    dialog.submit()
    assert dialog.error.isHidden() and dialog.change is not None
