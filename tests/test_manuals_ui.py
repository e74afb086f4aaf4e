"""The manuals' practices in the window: the call script beside the call
dialog, closing into a tracked improvement, the manager-only 责任认定, the
改进措施 page, and the script in 设置."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QMessageBox, QPushButton

from showroom_cs import operations as op
from showroom_cs.domain import AccountabilityMeasure, ContactPurpose, Stage
from showroom_cs.ui import improvements_page
from showroom_cs.ui.accountability_dialog import AccountabilityDialog
from showroom_cs.ui.action_dialog import ActionDialog
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import Desk
from .walk import follow_up, to_closed, to_follow_up, to_in_progress


def _session(desk: Desk, who: str) -> Session:
    return Session(desk.store, desk.clock, desk.staff[who])


def _window(qtbot, desk: Desk, who: str) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(_session(desk, who))
    qtbot.addWidget(window)
    window.show()
    return window


def _choose(combo: QComboBox, data: object) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_the_call_dialog_shows_the_script_for_the_call_and_reschedules_a_busy_customer(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk
) -> None:
    case = to_in_progress(desk, desk.register(customer_title="先生"))
    dialog = ActionDialog(_session(desk, "王芳"), case, "record_contact")
    qtbot.addWidget(dialog)
    assert dialog.script is not None
    purpose = dialog.inputs["purpose"]
    assert isinstance(purpose, QComboBox)
    _choose(purpose, ContactPurpose.PROGRESS)
    text = dialog.script.script.toPlainText()
    assert "请问是张先生吗？" in text and "客服代表王芳" in text and "目前的处理进度" in text
    assert "不要作出未经批准的承诺" in text and "祝您生活愉快" in text
    _choose(purpose, ContactPurpose.FOLLOW_UP)
    assert "师傅已经上门处理" in dialog.script.script.toPlainText()
    _choose(purpose, ContactPurpose.FIRST_CONTACT)
    postpone = dialog.findChild(QPushButton, "postponeButton")
    assert postpone is not None and not postpone.isEnabled()  # a first call is not postponed
    _choose(purpose, ContactPurpose.PROGRESS)
    dialog.script.postpone.click()
    assert dialog.result() == dialog.DialogCode.Accepted
    planned = dialog.script.preferred_at()
    pending = [c.planned_at for c in desk.store.clocks(case.id) if c.met_at is None]
    assert planned in pending


def test_closing_makes_a_tracked_improvement_or_joins_an_open_one(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    first = to_closed(desk, desk.register())
    second = to_follow_up(desk, desk.register(customer_phone="13912345678"))
    follow_up(desk, second)
    dialog = ActionDialog(_session(desk, "李强"), desk.case(second.id), "close")
    qtbot.addWidget(dialog)
    (existing,) = op.improvements_of_case(desk.store, first.id)
    joined = dialog.inputs["improvement_id"]
    assert isinstance(joined, QComboBox) and joined.itemText(0) == "新建一项改进措施"
    assert dialog.inputs["improvement_owner"].isEnabled()
    _choose(joined, existing.id)
    assert not dialog.inputs["improvement_owner"].isEnabled()  # the item keeps its owner
    dialog.inputs["cause"].setPlainText("铰链未调好")  # type: ignore[attr-defined]
    dialog.inputs["improvement"].setPlainText("安装后逐扇检查门板")  # type: ignore[attr-defined]
    dialog.submit()  # no cause category chosen: nobody's guess is recorded
    assert "问题原因类别" in dialog.error.text() and desk.case(second.id).stage == Stage.FOLLOW_UP
    _choose(dialog.inputs["cause_key"], "安装施工不规范")  # type: ignore[arg-type]
    dialog.inputs["cause"].setPlainText("铰链未调好")  # type: ignore[attr-defined]
    dialog.inputs["improvement"].setPlainText("安装后逐扇检查门板")  # type: ignore[attr-defined]
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert desk.case(second.id).stage == Stage.CLOSED
    assert op.improvement(desk.store, existing.id).case_ids == (first.id, second.id)
    assert desk.case(second.id).cause_key == "安装施工不规范"


def test_only_managers_see_and_record_the_finding(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_closed(desk, desk.register())
    clerk = _window(qtbot, desk, "王芳")
    clerk.open_case(case.id)
    labels = " ".join(label.text() for label in clerk.case_view.findChildren(QLabel))
    assert not clerk.case_view.accountability_button.isVisible()
    assert "责任认定" not in labels
    manager = _window(qtbot, desk, "陈静")
    manager.open_case(case.id)
    button = manager.case_view.accountability_button
    assert button.isVisible() and button.isEnabled()
    dialog = AccountabilityDialog(_session(desk, "陈静"), case)
    qtbot.addWidget(dialog)
    assert not dialog.amount.isEnabled()
    _choose(dialog.measure, AccountabilityMeasure.DEDUCTION)
    assert dialog.amount.isEnabled()
    dialog.submit()  # a deduction without an amount
    assert "扣罚请填写金额" in dialog.error.text()
    dialog.amount.setValue(200)
    dialog.person.setText("安装师傅老张")
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    manager.case_view.show_case(case.id)
    labels = " ".join(label.text() for label in manager.case_view.findChildren(QLabel))
    assert "公司责任 · 安装部 · 安装师傅老张 · 扣罚 200 元" in labels
    clerk.case_view.show_case(case.id)
    labels = " ".join(label.text() for label in clerk.case_view.findChildren(QLabel))
    assert "老张" not in labels and "扣罚" not in labels


def test_the_improvements_page_lists_completes_and_opens_cases(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = to_closed(desk, desk.register())
    window = _window(qtbot, desk, "李强")  # the improvement's owner: the case owner
    window.go_to(window.improvements_page)
    page = window.improvements_page
    assert page.table.rowCount() == 1
    assert page.table.item(0, 0).text() == "安装后逐扇检查门板"
    assert page.table.item(0, 1).text() == "李强" and page.table.item(0, 3).text() == "进行中"
    # An install manager does not reassign: the button says so instead of refusing later.
    assert not page.reassign_button.isEnabled()
    assert "安装部经理不能改派改进措施或调整期限" in page.reassign_button.toolTip()
    assert page.complete_button.isEnabled()  # but completes his own item
    assert page.cases.count() == 1 and page.cases.item(0).text().startswith(case.case_no)
    with qtbot.waitSignal(page.caseRequested) as opened:
        page.cases.itemDoubleClicked.emit(page.cases.item(0))
    assert opened.args == [case.id]
    monkeypatch.setattr(
        improvements_page.QInputDialog,
        "getMultiLineText",
        lambda *args: ("组织安装部培训", True),
    )
    page.complete_selected()
    assert page.table.rowCount() == 0 and "没有进行中的改进措施" in page.empty.text()
    page.show_done.setChecked(True)
    assert page.table.rowCount() == 1 and page.table.item(0, 3).text().endswith("完成")
    desk.clock.set(dt.datetime(2026, 12, 20, 10))
    assert op.improvements(desk.store, done=False) == []


def test_a_clerk_cannot_complete_someone_elses_item_and_is_told_why(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    to_closed(desk, desk.register())
    window = _window(qtbot, desk, "孙丽")
    page = window.improvements_page
    told: list[str] = []
    monkeypatch.setattr(
        improvements_page.QInputDialog, "getMultiLineText", lambda *args: ("做完了", True)
    )
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: told.append(text))
    page.complete_selected()
    assert told and "由李强负责" in told[0]
    assert page.table.rowCount() == 1


def test_statistics_show_recurring_causes_and_findings_to_managers_only(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_closed(desk, desk.register())
    op.record_accountability(
        desk.as_("陈静"),
        case.id,
        responsibility=case.responsibility or "company",
        department="安装部",
    )
    manager = _window(qtbot, desk, "陈静")
    manager.go_to(manager.stats)
    findings = manager.stats.cards["findings"]
    assert findings.isVisible() and manager.stats.cards["causes"].isVisible()
    findings.toggle()  # as a table
    assert findings.table.item(0, 0).text() == "安装部" and findings.table.item(0, 1).text() == "1"
    clerk = _window(qtbot, desk, "王芳")
    clerk.go_to(clerk.stats)
    assert not clerk.stats.cards["findings"].isVisible()
    # The manager's window locks and a clerk unlocks it: the chart goes, no error.
    manager.session.staff = desk.staff["王芳"]
    manager.refresh()
    assert not findings.isVisible() and findings.table.rowCount() == 0


def test_the_script_is_edited_in_settings_and_a_bad_placeholder_is_refused(
    qtbot, desk: Desk
) -> None:  # type: ignore[no-untyped-def]
    window = _window(qtbot, desk, "陈静")
    window.go_to(window.settings_page)
    tab = window.settings_page.script
    tab.parts.setCurrentRow(list(tab.keys).index("closing"))
    tab.editor.setPlainText("祝您{节日}快乐！")
    assert "不认识的占位符：{节日}" in tab.check.text()
    tab.save()
    assert "不认识" in tab.error.text()
    tab.editor.setPlainText("祝您和{客户称呼}的家人生活愉快！")
    tab.save()
    assert desk.store.settings().call_script["closing"] == "祝您和{客户称呼}的家人生活愉快！"
    clerk = _window(qtbot, desk, "王芳")
    clerk.go_to(clerk.settings_page)
    assert clerk.settings_page.script.editor.isReadOnly()


def test_a_manager_closing_a_valid_case_goes_on_to_the_finding(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = to_follow_up(desk, desk.register())
    follow_up(desk, case)

    def close_with_summary(dialog: ActionDialog) -> int:
        _choose(dialog.inputs["cause_key"], "安装施工不规范")  # type: ignore[arg-type]
        dialog.inputs["cause"].setPlainText("铰链未调好")  # type: ignore[attr-defined]
        dialog.inputs["improvement"].setPlainText("安装后逐扇检查门板")  # type: ignore[attr-defined]
        dialog.submit()
        return int(dialog.result())

    offered: list[str] = []
    monkeypatch.setattr(ActionDialog, "exec", close_with_summary)
    monkeypatch.setattr(
        AccountabilityDialog, "exec", lambda dialog: offered.append(dialog.windowTitle()) or 0
    )
    manager = _window(qtbot, desk, "陈静")
    manager.open_case(case.id)
    manager.case_view._run("close")
    assert desk.case(case.id).stage == Stage.CLOSED
    assert offered == [f"责任认定 · {case.case_no}"]
    other = to_follow_up(desk, desk.register(customer_phone="13912345678"))
    follow_up(desk, other)
    owner = _window(qtbot, desk, "李强")  # the case's owner, not a manager
    owner.open_case(other.id)
    owner.case_view._run("close")
    assert desk.case(other.id).stage == Stage.CLOSED and len(offered) == 1  # not for him


def test_a_reopened_case_closing_again_stays_with_its_improvement_item(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_closed(desk, desk.register())
    (item,) = op.improvements_of_case(desk.store, case.id)
    op.reopen_case(desk.as_("赵敏"), case.id, "客户反映门板又关不严")
    again = to_follow_up(desk, desk.case(case.id))
    follow_up(desk, again)
    dialog = ActionDialog(_session(desk, "王芳"), desk.case(case.id), "close")
    qtbot.addWidget(dialog)
    assert dialog.values()["improvement_id"] == item.id
    assert not dialog.inputs["improvement_owner"].isEnabled()
