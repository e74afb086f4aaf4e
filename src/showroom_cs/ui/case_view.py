"""Case view: every field, the timeline (newest first) and the stage actions.

Each action is a button; one the role or stage does not allow stays visible,
disabled, with the core's reason as its tooltip. The most likely next step
is the big button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from .. import permissions, workflow
from ..domain import SATISFACTION_LABELS, Case, Stage
from ..errors import ShowroomError
from ..forms import field_values
from ..permissions import Action
from ..phone import format_phone
from ..privacy import mask_phone
from . import theme
from .accountability_dialog import AccountabilityDialog, describe
from .action_dialog import ActionDialog
from .attachments import AttachmentStrip
from .customer_view import CustomerRecordDialog
from .gate import gate, refusal
from .printing import export_form, print_form
from .session import Session

# Every action of the case view, in workflow order (the 更多操作 menu's order).
ACTIONS = (
    "assign",
    "reassign",
    "schedule_visit",
    "investigate",
    "propose_solution",
    "revise_solution",
    "decide_approval",
    "reject_solution",
    "judge_invalid",
    "report_progress",
    "record_rectification",
    "review",
    "record_contact",
    "close",
    "edit",
    "add_note",
    "escalate",
    "reopen",
    "void",
)
# The most likely next step per stage: the big button.
NEXT_STEP = {
    Stage.REGISTERED: "assign",
    Stage.INVESTIGATING: "propose_solution",
    Stage.IN_PROGRESS: "record_rectification",
    Stage.UNDER_REVIEW: "review",
    Stage.FOLLOW_UP: "record_contact",
}
# What else a stage usually needs, as buttons beside it; the rest is in 更多操作.
COMMON = {
    Stage.REGISTERED: ("schedule_visit", "record_contact", "edit"),
    Stage.INVESTIGATING: ("schedule_visit", "investigate", "judge_invalid", "record_contact"),
    Stage.IN_PROGRESS: ("report_progress", "decide_approval", "revise_solution", "record_contact"),
    Stage.UNDER_REVIEW: ("schedule_visit", "record_contact"),
    Stage.FOLLOW_UP: ("close", "schedule_visit"),
    Stage.CLOSED: ("reopen",),
    Stage.INVALID: ("reopen",),
}


class CaseView(QWidget):
    """One case. Signals:
    casesChanged(): an action here changed the case.
    caseRequested(int): open another case (from the customer's record).
    """

    casesChanged = Signal()
    caseRequested = Signal(int)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case: Case | None = None
        self.revealed: int | None = None  # the case whose full phone number is shown
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        top = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        top.addWidget(self.title, 1)
        # Rebuilt with their rows on every fill (beside the name, beside 责任认定).
        self.customer_button = QPushButton()
        self.accountability_button = QPushButton()
        self.print_buttons: dict[str, QPushButton] = {}
        for key, text, form, export in (
            ("print_registration", "打印登记表", "registration", False),
            ("print_review", "打印复核意见书", "review", False),
            ("export_registration", "导出登记表PDF", "registration", True),
            ("export_review", "导出复核意见书PDF", "review", True),
        ):
            button = QPushButton(text)
            button.setObjectName(key)
            button.clicked.connect(lambda _=False, f=form, e=export: self._print(f, e))
            self.print_buttons[key] = button
            top.addWidget(button)
        layout.addLayout(top)
        body = QHBoxLayout()
        # The fields scroll, so actions stay on screen at 1366×768.
        left_widget = QWidget()
        left = QVBoxLayout(left_widget)
        left.setContentsMargins(0, 0, 6, 0)
        self.customer = self._group("客户与订单", left)
        self.complaint = self._group("投诉信息", left)
        self.handling = self._group("处理", left)
        attachments_box = QGroupBox("附件")
        attachments_layout = QVBoxLayout(attachments_box)
        self.attachments = AttachmentStrip(session)
        self.attachments.changed.connect(self._attachments_changed)
        attachments_layout.addWidget(self.attachments)
        left.addWidget(attachments_box)
        left.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(left_widget)
        body.addWidget(scroll, 3)
        timeline_box = QGroupBox("时间线")
        timeline_layout = QVBoxLayout(timeline_box)
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setWordWrap(True)
        timeline_layout.addWidget(self.timeline)
        body.addWidget(timeline_box, 4)
        layout.addLayout(body, 1)
        self.next_button = QPushButton()
        self.next_button.setObjectName("nextAction")
        self.next_button.setProperty("primary", True)
        self.next_button.setMinimumHeight(40)
        self.next_button.clicked.connect(lambda: self._run(self.next_button.property("action")))
        actions = QHBoxLayout()
        actions.addWidget(QLabel("下一步："))
        actions.addWidget(self.next_button)
        actions.addSpacing(24)
        # The stage's usual actions as buttons; every action, greyed with its
        # reason when not possible, in the 更多操作 menu.
        self.buttons: dict[str, QPushButton] = {}
        self.menu_actions: dict[str, QAction] = {}
        self.more = QToolButton()
        self.more.setObjectName("moreActions")
        self.more.setText("更多操作")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.more.setMinimumHeight(32)
        menu = QMenu(self.more)
        menu.setToolTipsVisible(True)
        for action in ACTIONS:
            button = QPushButton(permissions.label(action))
            button.setObjectName(f"action_{action}")
            button.clicked.connect(lambda _=False, a=action: self._run(a))
            self.buttons[action] = button
            button.hide()  # shown per stage (COMMON)
            actions.addWidget(button)
            item = menu.addAction(permissions.label(action))
            item.setObjectName(f"menu_{action}")
            item.triggered.connect(lambda _=False, a=action: self._run(a))
            self.menu_actions[action] = item
        self.more.setMenu(menu)
        actions.addWidget(self.more)
        actions.addStretch(1)
        layout.addLayout(actions)

    def _group(self, title: str, into: QVBoxLayout) -> QFormLayout:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        into.addWidget(box)
        return form

    def show_case(self, case_id: int) -> None:
        if self.attachments.case_id != case_id:
            self.attachments.show_case(case_id)
            self.revealed = None
        # A case handed to this person is theirs now: its notice is seen.
        if not self.session.read_only and op.mark_seen(self.session.ctx(), case_id):
            self.casesChanged.emit()
        self.case = self.session.store.case(case_id)
        self._fill()

    def _add_reveal_button(self) -> None:
        """A small 显示 beside the masked number (row 1 of the customer group)."""
        reveal = QPushButton("显示完整号码")
        reveal.setObjectName("revealPhone")
        # Who looked must go on the timeline: no look when it cannot be written.
        gate(reveal, refusal(self.session, Action.REVEAL_PHONE), tip="查看会记录在时间线上")
        reveal.clicked.connect(self.reveal_phone)
        _beside(self.customer, 1, reveal)

    def reveal_phone(self) -> None:
        """The full number, for calling the customer; the timeline records who looked."""
        if self.case is None:
            return
        try:
            op.reveal_phone(self.session.ctx(), self.case.id)
        except ShowroomError as refusal:
            QMessageBox.warning(self, "不能查看", refusal.message)
            return
        self.revealed = self.case.id
        self._fill()

    def _attachments_changed(self) -> None:
        if self.case is not None:
            self.case = self.session.store.case(self.case.id)
            self._fill()
            self.casesChanged.emit()

    def _fill(self) -> None:
        case = self.case
        assert case is not None
        store = self.session.store
        names = {s.id: s.name for s in store.all_staff()}
        escalated = f" · 升级：{case.escalation_level.label}" if case.escalation_level else ""
        self.title.setText(
            f"{case.case_no} · {case.stage.label} · {case.severity.label}{escalated}"
        )
        # The same wording as the printed forms.
        shown = field_values(store, case)
        dates = " · ".join(
            f"{label} {shown[key]}"
            for label, key in (("购买", "purchase_date"), ("安装", "install_date"))
            if shown[key]
        )
        _set_rows(
            self.customer,
            [
                ("姓名", case.customer_name),
                (
                    "联系电话",
                    format_phone(case.customer_phone)
                    if self.revealed == case.id
                    else mask_phone(case.customer_phone),
                ),
                ("地址", case.customer_address),
                ("订单/合同号", " · ".join(x for x in (case.order_no, dates) if x)),
                ("产品", shown["product"]),
            ],
        )
        if self.revealed != case.id and case.customer_phone:
            self._add_reveal_button()
        self.customer_button = QPushButton("客户档案")
        self.customer_button.setObjectName("customerRecord")
        self.customer_button.setToolTip("这位客户的全部投诉、上门、回访和满意度")
        self.customer_button.clicked.connect(self.show_customer)
        _beside(self.customer, 0, self.customer_button)
        received = f"{shown['received_at']} · {shown['channel']} · {shown['received_by']}"
        if case.ledger_no:  # imported from the old ledger: its number there, too
            received += f" · 原台账编号 {case.ledger_no}"
        _set_rows(
            self.complaint,
            [
                ("受理", received),
                (
                    "类别",
                    f"{shown['category']} · {shown['severity']}"
                    + (f" · 对象：{case.subject}" if case.subject else "")
                    + (" · 需要上门" if case.needs_visit else ""),
                ),
                ("投诉内容", case.description),
                ("客户诉求", shown["demands"]),
            ],
        )
        verdict = {None: "未判定", True: "成立", False: "不成立"}[case.valid]
        solution = shown["solution"] or "—"
        reviews = store.reviews(case.id)
        review_text = "；".join(
            f"第 {r.round} 次{'通过' if r.passed else '未通过：' + r.open_problems}"
            for r in reviews
        )
        closing = "；".join(
            x for x in (case.closing_cause, case.closing_actions, case.closing_improvement) if x
        )
        if case.cause_key:
            closing += f"（{store.settings().label_of('cause', case.cause_key)}）"
        _set_rows(
            self.handling,
            [
                ("责任人", f"{names.get(case.owner_id or 0, '未分派')} {case.department}".strip()),
                (
                    "是否成立",
                    verdict
                    + (f"：{case.validity_reason}" if case.validity_reason else "")
                    + (
                        f"；对客户的解释：{case.invalid_explanation}"
                        if case.invalid_explanation
                        else ""
                    ),
                ),
                (
                    "原因分析",
                    case.cause_analysis
                    + (f"（{case.responsibility.label}）" if case.responsibility else ""),
                ),
                ("方案", solution),
                ("整改结果", case.rectification_result),
                ("复核", review_text),
                ("满意度", SATISFACTION_LABELS.get(case.satisfaction or 0, "")),
                ("结案总结", closing),
                ("改进跟进", self._improvement_text(case.id, names)),
                *self._accountability_row(case),
            ],
        )
        if refusal(self.session, Action.RECORD_FINDING) is None:
            _beside(self.handling, self.handling.rowCount() - 1, self.accountability_button)
        self.timeline.clear()
        for event in reversed(store.events(case.id)):
            who = names.get(event.actor_id or 0, "系统")
            item = QListWidgetItem(f"{event.at:%m-%d %H:%M}  {who}  {event.note}")
            self.timeline.addItem(item)
        reviewed = bool(reviews)
        for key in ("print_review", "export_review"):
            self.print_buttons[key].setEnabled(reviewed)
            self.print_buttons[key].setToolTip("" if reviewed else "案件还没有复核记录。")
        staff = self.session.staff
        for action, button in self.buttons.items():
            reason = self.session.read_only or workflow.why_not(staff, case, action)
            if reason is None and action == "decide_approval":
                reason = op.approval_refusal(store, staff, case.id)
            gate(button, reason, tip=workflow.RULES[action].requires)
            entry = self.menu_actions[action]
            entry.setEnabled(button.isEnabled())
            entry.setToolTip(button.toolTip())
        next_action = NEXT_STEP.get(case.stage)
        if next_action is None:
            self.next_button.hide()
        else:
            self.next_button.show()
            self.next_button.setText(permissions.label(next_action))
            self.next_button.setProperty("action", next_action)
            gate(
                self.next_button,
                self.session.read_only or workflow.why_not(staff, case, next_action),
                tip=workflow.RULES[next_action].requires,
            )
        common = COMMON.get(case.stage, ())
        for action, button in self.buttons.items():
            button.setVisible(action in common)
            self.menu_actions[action].setVisible(action != next_action and action not in common)

    def control(self, action: str) -> QPushButton | QAction:
        """Where the user finds `action` now: the big button, a button beside
        it, or an entry of 更多操作."""
        if not self.next_button.isHidden() and self.next_button.property("action") == action:
            return self.next_button
        button = self.buttons[action]
        return button if not button.isHidden() else self.menu_actions[action]

    def _print(self, form: str, export: bool) -> None:
        if self.case is None:
            return
        review_round = None
        if form == "review":
            review_round = self._choose_round()
            if review_round is None:
                return
        try:
            if export:
                export_form(self.session, self.case, form, self, review_round=review_round)
            else:
                print_form(self.session, self.case, form, self, review_round=review_round)
        except ShowroomError as refusal:
            QMessageBox.warning(self, "无法打印", refusal.message)
            return
        self.case = self.session.store.case(self.case.id)
        self._fill()

    def _choose_round(self) -> int | None:
        """Which round's 复核意见书: the latest, unless the person picks an earlier one."""
        assert self.case is not None
        reviews = self.session.store.reviews(self.case.id)
        if len(reviews) <= 1:
            return reviews[0].round if reviews else None
        names = {s.id: s.name for s in self.session.store.all_staff()}
        choices = [
            f"第 {r.round} 次复核（{r.at:%m-%d %H:%M} {names.get(r.reviewer_id, '')}，"
            f"{'通过' if r.passed else '未通过'}）"
            for r in reversed(reviews)
        ]
        chosen, ok = QInputDialog.getItem(
            self, "复核意见书", "打印哪一次的复核意见书：", choices, 0, False
        )
        return reviews[len(reviews) - 1 - choices.index(chosen)].round if ok else None

    def _improvement_text(self, case_id: int, names: dict[int, str]) -> str:
        today = self.session.clock.now().date()
        lines = []
        for item in op.improvements_of_case(self.session.store, case_id):
            if item.done_at is not None:
                state = f"{item.done_at:%m-%d} 已完成"
            else:
                state = f"{item.due_date:%m-%d} 前完成" + (
                    "，已逾期" if item.overdue(today) else ""
                )
            lines.append(f"{item.text}（{names.get(item.owner_id, '')}负责，{state}）")
        return "；".join(lines)

    def _accountability_row(self, case: Case) -> list[tuple[str, str]]:
        """Managers see the finding (or that none is recorded yet); others see no
        row at all: the findings are the managers' own (docs/permissions.md)."""
        if refusal(self.session, Action.RECORD_FINDING) is not None:
            return []
        finding = op.accountability_of(self.session.ctx(), case.id)
        closed_valid = case.stage == Stage.CLOSED and case.valid is True
        self.accountability_button = QPushButton("修改" if finding else "记录")
        self.accountability_button.setObjectName("accountability")
        self.accountability_button.clicked.connect(self.record_accountability)
        self.accountability_button.setEnabled(closed_valid)
        self.accountability_button.setToolTip(
            "记录责任部门、责任人和内部处理（仅管理人员可见）"
            if closed_valid
            else "成立的投诉结案后才能做责任认定。"
        )
        return [("责任认定", describe(finding) if finding else "")]

    def show_customer(self) -> None:
        """客户档案 of this case's customer; a case picked there opens here."""
        if self.case is None:
            return
        dialog = CustomerRecordDialog(self.session, self.case.customer_phone, self)
        dialog.caseRequested.connect(self.caseRequested.emit)
        dialog.exec()

    def record_accountability(self) -> None:
        if self.case is None:
            return
        dialog = AccountabilityDialog(self.session, self.case, self)
        if dialog.exec():
            self._fill()
            self.casesChanged.emit()

    def _run(self, action: str) -> None:
        if self.case is None:
            return
        dialog = ActionDialog(self.session, self.case, action, parent=self)
        dialog.setObjectName("actionDialog")
        if dialog.exec() and dialog.change is not None:
            self.case = dialog.change.after
            self._fill()
            self.casesChanged.emit()
            manager = refusal(self.session, Action.RECORD_FINDING) is None
            if action == "close" and self.case.valid and manager:
                self.record_accountability()  # a manager closing goes on to the finding


def _beside(form: QFormLayout, row: int, button: QPushButton) -> None:
    """A small button after the value of `row` (the value keeps its wrapping)."""
    item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
    value = item.widget() if item is not None else None
    if value is None:
        return
    form.removeWidget(value)
    line = QHBoxLayout()
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(value, 1)
    line.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
    holder = QWidget()
    holder.setLayout(line)
    form.setWidget(row, QFormLayout.ItemRole.FieldRole, holder)


def _set_rows(form: QFormLayout, rows: list[tuple[str, str]]) -> None:
    while form.rowCount():
        form.removeRow(0)
    for label, value in rows:
        text = QLabel(value or "—")
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if not value:
            text.setStyleSheet(f"color: {theme.MUTED};")
        form.addRow(label, text)
