"""The role × action table walked whole, cell by cell.

docs/permissions.md shows the same table as `permissions.TABLE`; the core
refuses each "no" with a sentence naming the roles that may; the window
disables the control the user would reach for, with that same sentence as its
tooltip — never enabled, then refusing. (test_permissions.py calls every
operation for every actor with expectations written by hand; this one proves
the table, the docs and the window agree.)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QWidget

from showroom_cs import operations as op
from showroom_cs import permissions, workflow
from showroom_cs.clock import FixedClock
from showroom_cs.domain import Role, SolutionKind, Stage
from showroom_cs.errors import PermissionDenied
from showroom_cs.permissions import Action, Grant
from showroom_cs.store import Store
from showroom_cs.ui.case_view import ACTIONS, CaseView
from showroom_cs.ui.export_dialog import ExportDialog
from showroom_cs.ui.improvements_page import ImprovementsPage
from showroom_cs.ui.intake import IntakePage
from showroom_cs.ui.session import Session
from showroom_cs.ui.settings_data import DataTab
from showroom_cs.ui.settings_profile import ProfileTab
from showroom_cs.ui.settings_staff import StaffTab

from .conftest import START, Desk, make_desk
from .walk import follow_up, to_closed, to_follow_up, to_in_progress, to_investigating

DOCS = Path(__file__).parents[1] / "docs" / "permissions.md"
CELLS = {"✓": Grant.YES, "本人负责的": Grant.OWN, "—": Grant.NO}
# One person per role, none of them the walked cases' owner (李强) or rectifier.
PEOPLE = {
    Role.CLERK: "孙丽",
    Role.SUPERVISOR: "赵敏",
    Role.STORE_MANAGER: "陈静",
    Role.INSTALL_MANAGER: "黄磊",
    Role.GENERAL_MANAGER: "刘洋",
    Role.OWNER: "周建国",
}
CASE_OWNER = "李强"
CASE_ACTIONS = tuple(workflow.RULES)


def test_the_docs_show_the_table_the_code_enforces() -> None:
    rows = {}
    header: list[str] = []
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| 操作 |"):
            header = cells[1:]
        elif header and line.startswith("| ") and not line.startswith("|---"):
            rows[cells[0]] = tuple(CELLS[c] for c in cells[1:])
    assert header == [role.label for role in permissions.ROLES]
    assert rows == {label: grants for label, grants in permissions.TABLE.values()}


def test_every_case_action_and_operation_is_in_the_table() -> None:
    assert set(CASE_ACTIONS) <= {a.value for a in Action}
    # The case view offers every action on a case; photos have their own strip.
    assert set(CASE_ACTIONS) - set(ACTIONS) == {"attach", "void_attachment"}


# ------------------------------------------------------------------ scenes


def _desk(store: Store) -> Desk:
    desk = make_desk(store, FixedClock(START))
    extra = op.add_staff(desk.as_("周建国"), "黄磊", Role.INSTALL_MANAGER)
    desk.staff["黄磊"] = extra
    return desk


def _case_for(desk: Desk, action: str, owner: str = CASE_OWNER) -> int:
    """A case in a stage where `action` may be taken, owned by `owner`."""
    case = desk.register()
    if action == "assign":
        return case.id
    case = to_investigating(desk, case, owner)
    if action in ("revise_solution", "report_progress", "record_rectification", "reject_solution"):
        return to_in_progress(desk, case).id
    if action == "decide_approval":  # a 300 yuan gift requested by the owner
        case = to_in_progress(desk, case, SolutionKind.GIFT, 300_00)
        return case.id
    if action == "review":
        case = to_in_progress(desk, case)
        return op.record_rectification(desk.as_(owner), case.id, result="已处理").after.id
    if action == "close":
        follow_up(desk, to_follow_up(desk, case))
        return case.id
    if action == "reopen":
        return to_closed(desk, case).id
    return case.id


def _expected(role: Role, action: str, *, owns: bool) -> bool:
    grant = permissions.grant(role, action)
    return grant == Grant.YES or (grant == Grant.OWN and owns)


def _cells() -> Iterator[object]:
    for action in CASE_ACTIONS:
        for role in permissions.ROLES:
            yield pytest.param(action, role, id=f"{action}-{role.value}")


# ------------------------------------------------------------------ core


@pytest.mark.parametrize(("action", "role"), list(_cells()))
def test_the_core_enforces_each_cell(action: str, role: Role) -> None:
    store = Store.in_memory()
    desk = _desk(store)
    case = desk.case(_case_for(desk, action))
    actor = desk.staff[PEOPLE[role]]
    if _expected(role, action, owns=False):
        workflow.check(actor, case, action)
    else:
        with pytest.raises(PermissionDenied) as refused:
            workflow.check(actor, case, action)
        message = refused.value.message
        assert message == permissions.refusal(actor, action)
        assert message.startswith(role.label)
        for allowed in permissions.allowed_roles(action):
            assert allowed.label in message, message
    if permissions.grant(role, action) == Grant.OWN:  # their own case: allowed
        owned = desk.case(_case_for(desk, action, owner=PEOPLE[role]))
        workflow.check(actor, owned, action)
    store.close()


def test_the_showroom_actions_are_enforced_by_their_operations(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "cases.db")
    desk = _desk(store)
    closed = to_closed(desk, desk.register())
    (item,) = op.improvements_of_case(store, closed.id)
    calls: dict[Action, Callable[[op.Context], object]] = {
        Action.EXPORT_FULL: lambda c: op_export(c, tmp_path, full=True),
        Action.MANAGE_STAFF: lambda c: op.add_staff(c, "吴新", Role.CLERK),
        Action.CHANGE_SETTINGS: lambda c: op.settings_history(c),
        Action.BACKUP: lambda c: _copy(c, Action.BACKUP),
        Action.RESTORE: lambda c: _copy(c, Action.RESTORE),
        Action.IMPORT_LEDGER: lambda c: _dry_run(c, tmp_path),
        Action.RECORD_FINDING: lambda c: op.accountability_of(c, closed.id),
        Action.MANAGE_IMPROVEMENTS: lambda c: op.reassign_improvement(
            c, item.id, owner_id=desk.staff["陈静"].id, due=START.date() + dt.timedelta(days=30)
        ),
    }
    for action, call in calls.items():
        for role, name in PEOPLE.items():
            if _expected(role, action, owns=False):
                continue
            with pytest.raises(PermissionDenied) as refused:
                call(desk.as_(name))
            assert refused.value.message == permissions.refusal(desk.staff[name], action)
    store.close()


def op_export(ctx: op.Context, folder: Path, *, full: bool) -> object:
    from showroom_cs.export import export_week

    return export_week(ctx.store, ctx.actor(), "2026-W48", folder, full=full)


def _dry_run(ctx: op.Context, folder: Path) -> object:
    from showroom_cs.ledger import match_columns, plan_import, read_table

    ledger = folder / "台账.csv"
    ledger.write_text("投诉日期,客户姓名,联系电话,投诉内容\n2026.11.1,钱女士,13700002222,异味\n")
    table = read_table(ledger)
    return plan_import(ctx, table, match_columns(table.headers))


def _copy(ctx: op.Context, action: Action) -> None:
    from showroom_cs.backup import check_may_copy

    check_may_copy(ctx.actor(), action)


# ------------------------------------------------------------------ window


def _state(control: QPushButton | QAction) -> tuple[bool, str]:
    return control.isEnabled(), control.toolTip()


@pytest.mark.parametrize("action", ACTIONS)
def test_the_case_view_disables_each_refused_action_with_the_cores_words(
    qtbot, action: str
) -> None:  # type: ignore[no-untyped-def]
    store = Store.in_memory()
    desk = _desk(store)
    case = desk.case(_case_for(desk, action))
    for role, name in PEOPLE.items():
        view = CaseView(Session(store, desk.clock, desk.staff[name]))
        qtbot.addWidget(view)
        view.show_case(case.id)
        enabled, tip = _state(view.control(action))
        core = workflow.why_not(desk.staff[name], case, action)
        if core is None and action == "decide_approval":
            core = op.approval_refusal(store, desk.staff[name], case.id)
        assert enabled == (core is None), (role, tip)
        if core is not None:
            assert tip == core  # the core's own sentence
        if not _expected(role, action, owns=False):
            assert tip == permissions.refusal(desk.staff[name], action)
    store.close()


def test_approving_needs_the_role_and_the_limit_and_the_window_says_which(qtbot) -> None:  # type: ignore[no-untyped-def]
    store = Store.in_memory()
    desk = _desk(store)
    case = desk.case(_case_for(desk, "decide_approval"))
    states = {}
    for role, name in PEOPLE.items():
        view = CaseView(Session(store, desk.clock, desk.staff[name]))
        qtbot.addWidget(view)
        view.show_case(case.id)
        states[role] = _state(view.control("decide_approval"))
    assert {r for r, (enabled, _) in states.items() if enabled} == {
        Role.STORE_MANAGER,
        Role.GENERAL_MANAGER,
        Role.OWNER,
    }
    assert "客服专员不能审批赠礼/赔偿" in states[Role.CLERK][1]
    assert "客服主管的审批额度为 0 元" in states[Role.SUPERVISOR][1]
    store.close()


def _controls(session: Session, case_id: int) -> tuple[dict[Action, QWidget], tuple[QWidget, ...]]:
    """Where each showroom-level action lives in the window, and the windows."""
    export = ExportDialog(session)
    staff = StaffTab(session)
    profile = ProfileTab(session)
    data = DataTab(session)
    improvements = ImprovementsPage(session)
    intake = IntakePage(session, draft_folder=None)
    view = CaseView(session)
    view.show_case(case_id)
    widgets = (export, staff, profile, data, improvements, intake, view)
    controls: dict[Action, QWidget] = {
        Action.EXPORT_WEEK: export.findChild(QPushButton, "exportButton"),
        Action.EXPORT_FULL: export.full,
        Action.MANAGE_STAFF: staff.add_button,
        Action.CHANGE_SETTINGS: profile.findChild(QPushButton, "saveSettings"),
        Action.BACKUP: data.backup_button,
        Action.RESTORE: data.findChild(QPushButton, "restoreBackup"),
        Action.IMPORT_LEDGER: data.import_button,
        Action.MANAGE_IMPROVEMENTS: improvements.reassign_button,
        Action.COMPLETE_IMPROVEMENT: improvements.complete_button,
        Action.REGISTER: intake.save_button,
        Action.PRINT_FORM: view.print_buttons["print_registration"],
        Action.ATTACH: view.attachments.add_button,
    }
    return controls, widgets


@pytest.mark.parametrize("role", permissions.ROLES, ids=lambda r: r.value)
def test_the_window_disables_each_refused_showroom_action(
    qtbot, tmp_path: Path, role: Role
) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "cases.db")
    desk = _desk(store)
    closed = to_closed(desk, desk.register())  # its improvement item is 李强's
    name = PEOPLE[role]
    session = Session(store, desk.clock, desk.staff[name])
    controls, widgets = _controls(session, closed.id)
    for widget in widgets:
        qtbot.addWidget(widget)
    for action, control in controls.items():
        allowed = _expected(role, action, owns=False)
        assert control.isEnabled() == allowed, (action, control.toolTip())
        if not allowed:
            assert control.toolTip().startswith(
                permissions.refusal(desk.staff[name], action) or "?"
            )
    # 责任认定 is the managers' own: not shown at all to anyone else.
    view = CaseView(session)
    qtbot.addWidget(view)
    view.show_case(closed.id)
    labels = [
        view.handling.itemAt(row, view.handling.ItemRole.LabelRole)
        for row in range(view.handling.rowCount())
    ]
    shown = any(label is not None and label.widget().text() == "责任认定" for label in labels)
    assert shown == _expected(role, Action.RECORD_FINDING, owns=False)
    store.close()


def test_the_owner_of_an_improvement_item_may_complete_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "cases.db")
    desk = _desk(store)
    to_closed(desk, desk.register())
    page = ImprovementsPage(Session(store, desk.clock, desk.staff[CASE_OWNER]))
    qtbot.addWidget(page)
    assert page.complete_button.isEnabled()
    other = ImprovementsPage(Session(store, desk.clock, desk.staff["黄磊"]))
    qtbot.addWidget(other)
    assert not other.complete_button.isEnabled()
    assert re.search("只有对自己负责的事项才能标记改进措施完成", other.complete_button.toolTip())
    assert Stage.CLOSED  # the case closed, its item open
    store.close()
