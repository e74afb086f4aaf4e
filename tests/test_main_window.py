"""The desktop window driven like a clerk would: log in, the board, moving cards, a case."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QByteArray, QMimeData, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMessageBox

from showroom_cs import operations as op
from showroom_cs.domain import Role, Severity, Stage
from showroom_cs.errors import PermissionDenied
from showroom_cs.ui.action_dialog import ActionDialog
from showroom_cs.ui.app import load_app_font
from showroom_cs.ui.case_models import CASE_MIME
from showroom_cs.ui.login import LoginDialog, SetupDialog
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session

from .conftest import Desk
from .walk import to_in_progress, to_investigating


def _window(qtbot, desk: Desk, who: str = "王芳") -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Session(desk.store, desk.clock, desk.staff[who]))
    qtbot.addWidget(window)
    window.show()
    return window


def _drop(window: MainWindow, case_id: int, target: Stage) -> None:
    """What Qt does when a card is released over a column (on the board page)."""
    window.go_to(window.kanban)
    mime = QMimeData()
    mime.setData(CASE_MIME, QByteArray(str(case_id).encode()))
    model = window.kanban.models[target]
    model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, model.index(0).parent())


@dataclass
class Answers:
    """The action dialogs a test saw, and how to fill each action's form."""

    opened: list[ActionDialog] = field(default_factory=list)
    fill: dict[str, Callable[[ActionDialog], None]] = field(default_factory=dict)


@pytest.fixture
def answer_dialogs(monkeypatch: pytest.MonkeyPatch) -> Answers:
    """Action dialogs are answered with their defaults plus what a test fills in."""
    answers = Answers()

    def exec_(dialog: ActionDialog) -> int:
        answers.opened.append(dialog)
        answers.fill.get(dialog.action, lambda d: None)(dialog)
        dialog.submit()
        return int(dialog.result())

    monkeypatch.setattr(ActionDialog, "exec", exec_)
    return answers


def test_columns_show_counts_and_cards_in_chinese(qtbot, desk: Desk, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    desk.register(severity=Severity.URGENT)
    to_in_progress(desk, desk.register(customer_name="李娜", customer_phone="13912345678"))
    window = _window(qtbot, desk)
    window.go_to(window.kanban)
    headers = {s: window.kanban.columns[s].header.text() for s in (Stage.REGISTERED, Stage.CLOSED)}
    assert headers[Stage.REGISTERED] == "已登记  1"
    assert headers[Stage.CLOSED] == "▸ 已结案\n0"  # finished columns start collapsed
    model = window.kanban.models[Stage.IN_PROGRESS]
    qtmodeltester.check(model)
    assert model.rowCount() == 1 and model.data(model.index(0)).startswith("TS-20261123-002")
    image = window.kanban.columns[Stage.REGISTERED].view.grab()
    assert not image.isNull()


def test_a_legal_drop_runs_the_transition_and_the_timeline_shows_it(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    case = desk.register()
    window = _window(qtbot, desk)
    _drop(window, case.id, Stage.INVESTIGATING)
    (dialog,) = answer_dialogs.opened
    assert dialog.windowTitle() == f"分派 · {case.case_no}"
    moved = desk.case(case.id)
    assert moved.stage == Stage.INVESTIGATING
    assert moved.owner_id == desk.staff["李强"].id  # the default routing of 安装施工
    assert window.kanban.models[Stage.INVESTIGATING].ids == [case.id]
    assert window.kanban.models[Stage.REGISTERED].ids == []
    window.open_case(case.id)
    first = window.case_view.timeline.item(0).text()
    assert "王芳" in first and "分派给 李强（安装部）" in first


def test_an_illegal_drop_is_refused_with_its_reason_and_changes_nothing(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    case = desk.register()
    window = _window(qtbot, desk)
    events = len(desk.store.events(case.id))
    _drop(window, case.id, Stage.CLOSED)
    assert answer_dialogs.opened == []
    assert window.kanban.banner.isVisible()
    assert window.kanban.banner.text() == "案件不能从「已登记」直接移到「已结案」。"
    assert desk.case(case.id).stage == Stage.REGISTERED
    assert len(desk.store.events(case.id)) == events


def test_a_role_without_permission_sees_why_and_the_core_refuses_too(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    case = to_investigating(desk, desk.register())
    window = _window(qtbot, desk, "孙丽")  # a clerk who does not own the case
    _drop(window, case.id, Stage.IN_PROGRESS)
    assert answer_dialogs.opened == []
    assert "客服专员只有对自己负责的案件才能确定处理方案" in window.kanban.banner.text()
    window.open_case(case.id)
    button = window.case_view.next_button
    assert button.text() == "确定处理方案" and not button.isEnabled()
    assert "其他案件只有客服主管、店长、安装部经理、总经理或老板可以" in button.toolTip()
    with pytest.raises(PermissionDenied):
        op.propose_solution(
            desk.as_("孙丽"),
            case.id,
            validity_reason="属实",
            kind="repair",
            steps="修",
            due_date=desk.clock.now().date(),
            cost_fen=0,
        )


def test_a_refused_dialog_stays_open_with_the_message(qtbot, desk: Desk, answer_dialogs) -> None:  # type: ignore[no-untyped-def]
    case = to_investigating(desk, desk.register())
    window = _window(qtbot, desk, "李强")
    _drop(window, case.id, Stage.INVALID)  # 判定不成立, but nothing typed
    (dialog,) = answer_dialogs.opened
    assert dialog.result() == 0 and dialog.error.isVisibleTo(dialog)
    assert "不成立的理由、对客户的解释" in dialog.error.text()
    assert desk.case(case.id).stage == Stage.INVESTIGATING


def test_the_case_view_walks_a_case_to_the_next_step(qtbot, desk: Desk, answer_dialogs) -> None:  # type: ignore[no-untyped-def]
    case = to_investigating(desk, desk.register())
    window = _window(qtbot, desk, "李强")
    window.open_case(case.id)

    def solution(dialog: ActionDialog) -> None:
        dialog.inputs["validity_reason"].setPlainText("铰链未调好")  # type: ignore[attr-defined]
        dialog.inputs["steps"].setPlainText("上门调整铰链")  # type: ignore[attr-defined]

    answer_dialogs.fill["propose_solution"] = solution
    qtbot.mouseClick(window.case_view.next_button, Qt.MouseButton.LeftButton)
    assert desk.case(case.id).stage == Stage.IN_PROGRESS
    assert window.case_view.title.text().startswith(f"{case.case_no} · 处理中")
    assert window.case_view.next_button.text() == "记录整改结果"


def test_search_box_opens_a_scanned_case_number(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register()
    second = desk.register(customer_name="李娜", customer_phone="13912345678")
    window = _window(qtbot, desk)
    search = window.findChild(QLineEdit, "globalSearch")
    qtbot.keyClicks(search, second.case_no)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.pages.currentWidget() is window.case_view
    assert window.case_view.case is not None and window.case_view.case.id == second.id
    search.setText("不存在的词")  # QTest types ASCII only; Chinese comes from the IME
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert "没有找到「不存在的词」" in window.statusBar().currentMessage()


def test_today_lists_my_overdue_items_first(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register(severity=Severity.URGENT)
    desk.register(severity=Severity.NORMAL, customer_phone="13912345678")
    desk.clock.advance(hours=3)
    window = _window(qtbot, desk)
    window.sweep()
    todo = window.today.items
    assert todo.count() == 3  # the normal one's first contact is due tomorrow
    assert todo.item(0).text().startswith("超时 · 首次响应 · TS-20261123-001 · 张**")
    # Both still wait for the clerk who registered them to assign them.
    assert [todo.item(i).text() for i in (1, 2)] == [
        "今天 · 待分派 · TS-20261123-001 · 张**",
        "今天 · 待分派 · TS-20261123-002 · 张**",
    ]
    assert window.today.title.text() == "今日待办 · 我的 3 项（1 项已超时）"
    assert "超时案件 1" in window.status_text.text()
    assert window.user.text() == "王芳 · 客服专员"


def test_login_refuses_a_wrong_pin_then_accepts_the_right_one(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    op.set_own_pin(desk.store, desk.clock, desk.staff["王芳"].id, "2468")
    dialog = LoginDialog(desk.store, desk.clock)
    qtbot.addWidget(dialog)
    who = dialog.findChild(QComboBox, "who")
    who.setCurrentIndex(who.findData(desk.staff["王芳"].id))
    qtbot.keyClicks(dialog.pin, "1111")
    dialog.submit()
    assert dialog.error.text() == "PIN 不正确，请重新输入。" and dialog.staff is None
    qtbot.keyClicks(dialog.pin, "2468")
    dialog.submit()
    assert dialog.staff is not None and dialog.staff.name == "王芳"


def test_first_start_sets_up_the_showroom(qtbot) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from showroom_cs.clock import FixedClock
    from showroom_cs.store import Store

    store = Store.in_memory()
    dialog = SetupDialog(store, FixedClock(dt.datetime(2026, 11, 23, 9)))
    qtbot.addWidget(dialog)
    dialog.name.setText("幸福家居")  # Chinese arrives through the input method, not QTest
    qtbot.keyClicks(dialog.code, "SH01")
    dialog.manager.setText("陈静")
    qtbot.keyClicks(dialog.pin, "2468")
    qtbot.keyClicks(dialog.pin_again, "2460")
    dialog.submit()
    assert "两次输入的 PIN 不一致" in dialog.error.text()
    dialog.pin_again.clear()
    qtbot.keyClicks(dialog.pin_again, "2468")
    dialog.submit()
    assert dialog.staff is not None and dialog.staff.role == Role.STORE_MANAGER
    assert store.settings().showroom_name == "幸福家居"


def test_the_idle_lock_hides_cases_until_someone_logs_in(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = _window(qtbot, desk)
    assert window.idle.timer.interval() == 10 * 60_000 and window.idle.timer.isActive()
    seen: list[bool] = []

    def log_in_as_chen(dialog: LoginDialog) -> int:
        seen.append(window.body.isVisible())
        dialog.staff = desk.staff["陈静"]
        return 1

    monkeypatch.setattr(LoginDialog, "exec", log_in_as_chen)
    window.idle.timer.timeout.emit()
    assert seen == [False]
    assert window.body.isVisible() and window.user.text() == "陈静 · 店长"


def test_the_minute_sweep_turns_a_missed_limit_red_on_the_board(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register(severity=Severity.URGENT)
    window = _window(qtbot, desk)
    assert window.sweep_timer.interval() == 60_000
    desk.clock.advance(hours=2, minutes=30)
    window.sweep()
    refreshed = window.kanban.models[Stage.REGISTERED].case_at(0)
    assert refreshed is not None and refreshed.overdue and refreshed.escalation_level == 1
    assert desk.case(case.id).escalation_level == 1


def test_a_limit_falling_due_shows_a_reminder_that_opens_the_case(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = desk.register(customer_name="刘洋")
    window = _window(qtbot, desk)
    assert not window.reminder_bar.isVisible()  # nothing due yet
    desk.clock.advance(days=2, hours=6)  # 24 opening hours later
    window.sweep()
    bar = window.reminder_bar
    assert bar.isVisible()
    assert "首次响应截止 · 刘*" in bar.text.text() and case.case_no in bar.text.text()
    assert "刘洋" not in bar.text.text()  # the strip faces the counter, as 今日待办 does
    qtbot.mouseClick(bar.open_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.case_view
    assert window.case_view.case is not None and window.case_view.case.id == case.id
    assert not bar.isVisible()
    window.sweep()  # the same item is not reminded twice
    assert not bar.isVisible()


def test_what_fell_due_while_the_app_was_closed_shows_at_start(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register(customer_name="刘洋")
    desk.register(customer_name="陈晨", customer_phone="13912345678")
    desk.clock.advance(days=3)
    window = _window(qtbot, desk)
    bar = window.reminder_bar
    assert bar.isVisible()
    assert bar.text.text().startswith("上次关闭后到期的事项") and "另有 1 条提醒" in bar.text.text()
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert bar.isVisible() and "另有" not in bar.text.text()
    qtbot.mouseClick(bar.dismiss_button, Qt.MouseButton.LeftButton)
    assert not bar.isVisible()


def test_the_shipped_chinese_font_is_used(qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    family = load_app_font(app)
    assert "WenQuanYi" in family
    assert app.font().family() == family


def test_an_unexpected_error_is_logged_and_shown_in_chinese(
    qtbot,
    tmp_path,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    import logging
    import sys

    from showroom_cs.logs import setup_logging
    from showroom_cs.ui import app as app_module

    log_file = setup_logging(tmp_path)
    shown: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: shown.append(text)
    )
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    app_module.install_excepthook()
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        sys.excepthook(*sys.exc_info())
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "程序遇到了意外错误" in shown[0] and "日志" in shown[0]
    text = log_file.read_text(encoding="utf-8")
    assert "ZeroDivisionError: boom" in text and "Traceback" in text
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "baseFilename", None) == str(log_file):
            root.removeHandler(handler)
            handler.close()


def test_the_case_list_sorts_and_searches_in_sql(qtbot, desk: Desk, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    desk.register(severity=Severity.NORMAL)
    desk.register(
        customer_name="李娜",
        customer_phone="13912345678",
        severity=Severity.URGENT,
        description="卫生间花洒漏水",
    )
    desk.register(customer_name="王磊", customer_phone="13712345678", severity=Severity.IMPORTANT)
    window = _window(qtbot, desk)
    window.go_to(window.case_list)
    page = window.case_list
    model = page.model
    qtmodeltester.check(model)
    assert page.count.text() == "共 3 件"
    assert [model.index(r, 0).data() for r in range(3)] == [
        "TS-20261123-003",
        "TS-20261123-002",
        "TS-20261123-001",
    ]
    page.table.sortByColumn(5, Qt.SortOrder.AscendingOrder)  # 严重程度: most urgent first
    assert [model.index(r, 5).data() for r in range(3)] == ["紧急", "重要", "一般"]
    assert model.index(0, 2).data() == "李**"
    page.search.setText("漏水")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.count.text() == "共 1 件" and model.index(0, 0).data() == "TS-20261123-002"
    page.table.doubleClicked.emit(model.index(0, 0))
    assert window.pages.currentWidget() is window.case_view
    page.search.setText("没有这个人")
    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.empty.isVisibleTo(page) and page.count.text() == "共 0 件"


def test_case_view_edits_fields_books_a_visit_and_decides_an_approval(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    from showroom_cs.domain import SolutionKind

    case = to_in_progress(desk, desk.register(), kind=SolutionKind.GIFT, cost_fen=300_00)
    window = _window(qtbot, desk, "刘洋")  # the general manager approves gifts
    window.open_case(case.id)
    view = window.case_view
    answer_dialogs.fill["edit"] = lambda d: d.inputs["customer_address"].setText("阳光花园 5栋 801")  # type: ignore[attr-defined]
    qtbot.mouseClick(view.buttons["edit"], Qt.MouseButton.LeftButton)
    assert desk.case(case.id).customer_address == "阳光花园 5栋 801"
    qtbot.mouseClick(view.buttons["schedule_visit"], Qt.MouseButton.LeftButton)
    (visit,) = desk.store.appointments(case.id)
    assert visit.starts_at.hour == 10 and visit.address == "阳光花园 5栋 801"
    assert view.buttons["decide_approval"].isEnabled()
    qtbot.mouseClick(view.buttons["decide_approval"], Qt.MouseButton.LeftButton)
    assert desk.store.approvals(case.id)[0].status.value == "approved"
    assert not view.buttons["decide_approval"].isEnabled()
    assert "没有待审批" in view.buttons["decide_approval"].toolTip()
    notes = [view.timeline.item(i).text() for i in range(3)]
    assert "已批准赠礼致歉 300 元" in notes[0] and "上门预约" in notes[1]


def test_booking_a_visit_over_another_asks_first(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs, monkeypatch
) -> None:
    from showroom_cs.ui import action_dialog

    first = to_investigating(desk, desk.register())
    second = to_investigating(desk, desk.register(customer_phone="13912345678"))
    tomorrow_10 = dt.datetime.combine(desk.clock.now().date() + dt.timedelta(days=1), dt.time(10))
    op.schedule_visit(
        desk.as_("李强"),
        first.id,
        staff_id=desk.staff["李强"].id,
        starts_at=tomorrow_10,
        ends_at=tomorrow_10 + dt.timedelta(hours=1),
    )
    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]
    monkeypatch.setattr(
        action_dialog.QMessageBox, "question", lambda p, t, text: asked.append(text) or answer[0]
    )
    window = _window(qtbot, desk, "李强")
    window.open_case(second.id)
    qtbot.mouseClick(window.case_view.buttons["schedule_visit"], Qt.MouseButton.LeftButton)
    assert "李强在" in asked[0] and "10:00–11:00 已有安排" in asked[0]
    assert desk.store.appointments(second.id) == []  # said no: nothing booked
    answer[0] = QMessageBox.StandardButton.Yes
    qtbot.mouseClick(window.case_view.buttons["schedule_visit"], Qt.MouseButton.LeftButton)
    assert len(desk.store.appointments(second.id)) == 1


def test_photos_attach_from_the_form_and_the_case_view(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QImage

    from showroom_cs.clock import FixedClock
    from showroom_cs.store import Store
    from showroom_cs.ui.intake import IntakePage

    from .conftest import START, make_desk

    desk = make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))
    photo = tmp_path / "门板缝隙.png"
    image = QImage(120, 90, QImage.Format.Format_RGB32)
    image.fill(QColor("#c62828"))
    assert image.save(str(photo))
    notes = tmp_path / "说明.txt"
    notes.write_text("x", encoding="utf-8")
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.attachments.add_files([photo, notes])
    assert page.attachments.list.count() == 1
    assert "只能添加照片" in page.attachments.message.text()
    page.fields["customer_phone"].setText("13800138000")
    page.fields["customer_name"].setText("张伟")
    page.fields["description"].setPlainText("门板缝隙")
    page.demand_boxes["维修"].setChecked(True)
    page.fields["category"].setCurrentText("安装施工")
    case_id = page.save()
    assert case_id is not None
    (saved,) = desk.store.attachments(case_id)
    assert saved.file_name == "门板缝隙.png"
    window = _window(qtbot, desk)
    window.open_case(case_id)
    strip = window.case_view.attachments
    assert strip.list.count() == 1 and not strip.list.item(0).icon().isNull()
    second = tmp_path / "现场.png"
    image.save(str(second))
    strip.add_files([second])
    assert strip.list.count() == 2
    assert "添加现场照片：现场.png" in window.case_view.timeline.item(0).text()


def test_statistics_and_settings_pages_show_the_figures_in_force(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel, QTableWidget

    from .walk import to_closed

    to_closed(desk, desk.register())
    desk.register(customer_phone="13912345678", category="服务态度")
    window = _window(qtbot, desk)
    window.go_to(window.stats)
    assert window.stats.findChild(QLabel, "tile_received").text() == "2"
    assert window.stats.findChild(QLabel, "tile_closed").text() == "1"
    assert window.stats.findChild(QLabel, "tile_satisfaction").text() == "4.0 / 5"
    assert window.stats.range.text() == "2026-11-23 至 2026-11-29"
    window.go_to(window.settings_page)
    sla = window.settings_page.findChild(QTableWidget, "slaTable")
    assert sla.item(0, 0).text() == "首次响应（小时）" and sla.cellWidget(0, 1).value() == 2
    staff = window.settings_page.findChild(QTableWidget, "staffTable")
    assert staff.rowCount() == 7 and staff.item(5, 1).text() == "客服专员"


def test_changing_my_pin(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui.settings_page import PinDialog

    op.set_own_pin(desk.store, desk.clock, desk.staff["王芳"].id, "1357")
    dialog = PinDialog(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.old, "0000")
    qtbot.keyClicks(dialog.new, "2468")
    qtbot.keyClicks(dialog.again, "2468")
    dialog.submit()
    assert dialog.error.text() == "原 PIN 不正确。"
    dialog.old.setText("1357")
    dialog.submit()
    assert op.log_in(desk.store, desk.clock, desk.staff["王芳"].id, "2468").name == "王芳"


def test_today_lists_my_visits_booked_for_today(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    case = desk.register(customer_phone="13912345678")
    op.schedule_visit(
        desk.as_("王芳"),
        case.id,
        staff_id=desk.staff["李强"].id,
        starts_at=dt.datetime(2026, 11, 23, 15),
        ends_at=dt.datetime(2026, 11, 23, 16),
    )
    window = _window(qtbot, desk, "李强")
    texts = [window.today.items.item(i).text() for i in range(window.today.items.count())]
    assert any(t.startswith("今天 · 上门 15:00 · TS-20261123-001") for t in texts)


def test_the_severity_filter_narrows_the_board(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register(severity=Severity.URGENT)
    desk.register(severity=Severity.NORMAL, customer_phone="13912345678")
    window = _window(qtbot, desk)
    window.go_to(window.kanban)
    severity = window.kanban.severity
    severity.setCurrentIndex(severity.findText("紧急"))
    assert window.kanban.models[Stage.REGISTERED].ids == [1]
    window.kanban.overdue.setChecked(True)
    assert window.kanban.models[Stage.REGISTERED].ids == []
    window.sweep()  # the minute refresh keeps the filter and does not fail


def test_punctuation_only_searches_find_nothing_and_break_nothing(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register()
    window = _window(qtbot, desk)
    for text in ("-", "()", "--", "+"):
        window.search.setText(text)
        window.run_search()
        assert "没有找到" in window.statusBar().currentMessage()
        window.case_list.search.setText(text)
        window.case_list._search()
        assert window.case_list.count.text() == "共 0 件"
    window.refresh()


def test_lock_closes_open_dialogs_once_and_follows_the_new_person(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from showroom_cs.ui.settings_page import PinDialog

    window = _window(qtbot, desk)
    open_dialog = PinDialog(window.session, window)
    open_dialog.show()
    locks: list[LoginDialog] = []

    def unlock(dialog: LoginDialog) -> int:
        locks.append(dialog)
        window.idle.timer.timeout.emit()  # the idle timer firing again meanwhile
        dialog.staff = desk.staff["李强"]
        return 1

    monkeypatch.setattr(LoginDialog, "exec", unlock)
    window.idle.timer.timeout.emit()
    assert len(locks) == 1 and not open_dialog.isVisible()
    assert window.user.text() == "李强 · 安装部经理"
    assert window.intake.draft_path is None or "intake-4" in str(window.intake.draft_path)
    texts = [label.text() for label in window.settings_page.findChildren(QLabel)]
    assert "李强 · 安装部经理" in texts


def test_close_is_offered_only_after_a_satisfied_follow_up(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    from .walk import follow_up, to_follow_up

    case = to_follow_up(desk, desk.register())
    window = _window(qtbot, desk, "李强")  # the case's owner
    window.open_case(case.id)
    close = window.case_view.buttons["close"]
    assert not close.isEnabled() and "需要回访客户并记录满意度" in close.toolTip()
    _drop(window, case.id, Stage.CLOSED)
    assert answer_dialogs.opened == []
    assert "需要回访客户并记录满意度" in window.kanban.banner.text()
    follow_up(desk, desk.case(case.id), satisfaction=5)
    window.open_case(case.id)
    assert window.case_view.buttons["close"].isEnabled()


def test_qt_speaks_chinese_and_the_case_view_fits_a_counter_screen(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    from showroom_cs.ui.app import load_qt_chinese

    assert load_qt_chinese(QApplication.instance())
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
    case = desk.register()
    window = _window(qtbot, desk)
    window.open_case(case.id)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 740, (hint.width(), hint.height())


def test_a_clerk_sees_the_settings_but_cannot_change_them(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QAbstractItemView, QPushButton, QTableWidget

    window = _window(qtbot, desk)  # 王芳, a clerk
    page = window.settings_page
    staff = page.findChild(QTableWidget, "staffTable")
    assert staff.editTriggers() == QAbstractItemView.EditTrigger.NoEditTriggers
    sla = page.findChild(QTableWidget, "slaTable")
    assert not sla.cellWidget(0, 1).isEnabledTo(page)
    saves = page.findChildren(QPushButton, "saveSettings")
    assert saves and not any(button.isEnabled() for button in saves)
    assert not page.findChild(QPushButton, "addStaff").isEnabled()


def test_sorting_arrow_stays_on_a_sortable_column(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    desk.register()
    window = _window(qtbot, desk)
    header = window.case_list.table.horizontalHeader()
    window.case_list.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # 电话: not sortable
    assert header.sortIndicatorSection() == 1  # still 受理时间
    assert window.case_list.model.sort_key == "received_at"


def test_a_capped_search_says_so(qtbot, desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs import queries
    from showroom_cs.ui import case_list

    for phone in ("13812340001", "13812340002", "13812340003"):
        desk.register(customer_phone=phone)
    monkeypatch.setattr(queries, "TEXT_FILTER_LIMIT", 2)
    monkeypatch.setattr(case_list, "TEXT_FILTER_LIMIT", 2)
    window = _window(qtbot, desk)
    window.case_list.search.setText("张")
    window.case_list._search()
    assert window.case_list.count.text().startswith("找到 2 件以上，只列出最新的 2 件")


def test_statistics_charts_switch_to_tables_and_save_as_png(qtbot, desk: Desk, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QImage

    from .walk import to_closed

    to_closed(desk, desk.register())
    desk.register(customer_phone="13912345678", category="服务态度", severity=Severity.URGENT)
    window = _window(qtbot, desk)
    window.go_to(window.stats)
    page = window.stats
    card = page.cards["category"]
    assert card.chart.series()[0].barSets()[0].count() == 2
    qtbot.mouseClick(card.switch, Qt.MouseButton.LeftButton)
    assert card.table.item(0, 0).text() == "安装施工" and card.table.item(0, 1).text() == "1"
    assert page.findChild(QLabel, "tile_valid").text() == "100%"
    assert "首次响应用时" in page.metrics.text()
    assert page.cards["severity"].table.rowCount() == 2
    image = tmp_path / "类别.png"
    assert card.save_to(image) and not QImage(str(image)).isNull()
    page.period.setCurrentIndex(page.period.findData("custom"))
    assert page.since.isVisible() and page.range.text().startswith("2026-11-01")


def test_the_follow_up_record_dialog_retries_unanswered_calls_and_reopens_on_dissatisfaction(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, answer_dialogs
) -> None:
    from .walk import to_follow_up

    case = to_follow_up(desk, desk.register())
    desk.clock.set(dt.datetime(2026, 11, 24, 10, 41))  # in Tuesday's morning window
    window = _window(qtbot, desk)
    window.open_case(case.id)

    def not_reached(dialog: ActionDialog) -> None:
        assert dialog.inputs["by"].text() == "王芳"  # type: ignore[attr-defined]
        assert dialog.inputs["purpose"].currentText() == "回访"  # type: ignore[attr-defined]
        satisfaction = dialog.inputs["satisfaction"]
        labels = [satisfaction.itemText(i) for i in range(satisfaction.count())]  # type: ignore[attr-defined]
        assert labels[1:] == ["5 非常满意", "4 满意", "3 一般", "2 不满意", "1 非常不满意"]
        dialog.inputs["reached"].setChecked(False)  # type: ignore[attr-defined]
        dialog.inputs["next_action"].setPlainText("下午再打")  # type: ignore[attr-defined]

    answer_dialogs.fill["record_contact"] = not_reached
    qtbot.mouseClick(window.case_view.buttons["record_contact"], Qt.MouseButton.LeftButton)
    assert desk.store.events(case.id)[-1].note == "回访（电话，未联系上），11-24 15:00 再打"
    assert "11-24 15:00 再打" in window.case_view.timeline.item(0).text()  # newest first
    assert desk.case(case.id).stage == Stage.FOLLOW_UP

    def unhappy(dialog: ActionDialog) -> None:
        satisfaction = dialog.inputs["satisfaction"]
        satisfaction.setCurrentIndex(satisfaction.findData(1))  # type: ignore[attr-defined]
        dialog.inputs["words"].setPlainText("门还是关不严")  # type: ignore[attr-defined]

    desk.clock.set(dt.datetime(2026, 11, 24, 15, 2))
    answer_dialogs.fill["record_contact"] = unhappy
    window.open_case(case.id)
    qtbot.mouseClick(window.case_view.buttons["record_contact"], Qt.MouseButton.LeftButton)
    after = desk.case(case.id)
    assert after.stage == Stage.IN_PROGRESS and after.escalation_level == 1
    assert "客户不满意，退回二次处理" in desk.store.events(case.id)[-1].note


def test_the_window_carries_the_app_icon(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui.app import prepare_app

    app = prepare_app()
    window = _window(qtbot, desk)
    assert not app.windowIcon().isNull() and not window.windowIcon().isNull()


def test_every_page_fits_a_1366_pixel_screen_even_with_all_columns_open(qtbot, desk: Desk) -> None:  # type: ignore[no-untyped-def]
    case = to_in_progress(desk, desk.register())
    window = _window(qtbot, desk, "陈静")
    window.go_to(window.kanban)
    for column in window.kanban.columns.values():
        column.header.setChecked(True)
    pages = (window.kanban, window.daily, window.improvements_page, window.stats, window.calendar)
    for page in pages:
        window.go_to(page)
        assert window.minimumSizeHint().width() <= 1366, type(page).__name__
    window.open_case(case.id)
    assert window.minimumSizeHint().width() <= 1366
