"""One small dialog per workflow action, asking for exactly what the core requires.

The dialog collects values and calls the core operation; a refusal is shown
inside the dialog in Chinese and the dialog stays open with what was typed.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from .. import permissions, workflow
from ..agenda import booking_conflicts
from ..domain import (
    SATISFACTION_LABELS,
    Case,
    ClockKind,
    ContactMethod,
    ContactPurpose,
    Responsibility,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from ..errors import RuleError, ShowroomError
from ..operations.improve import DEFAULT_IMPROVEMENT_DAYS
from ..phone import format_phone
from ..privacy import mask_phone
from .call_script_panel import CallScriptPanel
from .session import Session

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # text | long | combo | date | time | money | check | fixed (shown only)
    options: list[tuple[str, Any]] = field(default_factory=list)
    default: Any = None


def _staff_options(session: Session) -> list[tuple[str, Any]]:
    return [
        (f"{s.name}（{s.role.label}）", s.id) for s in session.store.all_staff(active_only=True)
    ]


def _list_options(session: Session, name: str) -> list[tuple[str, Any]]:
    return [(e.label, e.key) for e in session.store.settings().active_entries(name)]


_CALL_PURPOSES = {
    ClockKind.FIRST_CONTACT: ContactPurpose.FIRST_CONTACT,
    ClockKind.FOLLOW_UP_CALL: ContactPurpose.FOLLOW_UP,
    ClockKind.PROGRESS_CALL: ContactPurpose.PROGRESS,
}


def _purpose(session: Session, case: Case) -> ContactPurpose:
    """What this call is most likely for: the call the case waits on first
    (the first contact before anything else; then the call planned or due
    soonest), else the closing follow-up."""
    if case.stage == Stage.FOLLOW_UP:
        return ContactPurpose.FOLLOW_UP
    if case.first_contact_at is None:
        return ContactPurpose.FIRST_CONTACT
    waiting = [
        clock
        for clock in session.store.clocks(case.id, open_only=True)
        if clock.kind in _CALL_PURPOSES
    ]
    if not waiting:
        return ContactPurpose.OTHER
    first = min(waiting, key=lambda clock: clock.planned_at or clock.due_at)
    return _CALL_PURPOSES[first.kind]


def _closing_fields(session: Session, case: Case) -> list[Field]:
    """The closing summary, and who follows the improvement measure through by when."""
    store = session.store
    names = {s.id: s.name for s in store.all_staff()}
    open_items = [
        (f"并入：{item.text[:24]}（{names.get(item.owner_id, '')}）", item.id)
        for item in op.improvements(store, done=False)
    ]
    staff = [(m.name, m.id) for m in store.all_staff(active_only=True)]
    return [
        Field(
            "cause_key",
            "问题原因类别",
            "combo",
            [
                ("（请选择）", ""),
                *((e.label, e.key) for e in store.settings().active_entries("cause")),
            ],
        ),
        Field("cause", "问题原因", "long", default=case.cause_analysis),
        Field("actions", "处理经过", "long", default=case.rectification_result),
        Field("improvement", "改进措施", "long"),
        Field(
            "improvement_id",
            "改进跟进",
            "combo",
            [("新建一项改进措施", None), *open_items],
            # A reopened case closing again stays with the item it already has.
            next((i.id for i in op.improvements_of_case(store, case.id) if not i.done), None),
        ),
        Field(
            "improvement_owner",
            "改进负责人",
            "combo",
            staff,
            case.owner_id or session.staff.id,
        ),
        Field(
            "improvement_due",
            "完成期限",
            "date",
            default=session.clock.now().date() + dt.timedelta(days=DEFAULT_IMPROVEMENT_DAYS),
        ),
    ]


def fields_for(session: Session, case: Case, action: str, target: Stage | None) -> list[Field]:
    """The form of an action; defaults follow the spec (routing, solution dates)."""
    today = session.clock.now().date()
    if action in ("assign", "reassign"):
        department, owner = op.suggest_route(
            session.store.settings(), session.store.all_staff(), case.category
        )
        return [
            Field("owner_id", "责任人", "combo", _staff_options(session), case.owner_id or owner),
            Field(
                "department",
                "责任部门",
                "combo",
                _list_options(session, "department"),
                case.department or department,
            ),
        ]
    if action == "judge_invalid":
        return [
            Field("reason", "不成立的理由", "long"),
            Field("explanation", "对客户的解释", "long"),
        ]
    if action in ("propose_solution", "revise_solution"):
        fields = [
            Field("kind", "方案类型", "combo", [(k.label, k) for k in SolutionKind]),
            Field("steps", "处理步骤", "long"),
            Field("due_date", "预计完成日期", "date", default=today + dt.timedelta(days=3)),
            Field("cost", "费用（元）", "money", default=0.0),
        ]
        if action == "propose_solution":
            fields.insert(0, Field("validity_reason", "投诉成立的理由", "long"))
            fields.append(
                Field(
                    "responsibility",
                    "责任认定",
                    "combo",
                    [("（暂不认定）", None)] + [(r.label, r) for r in Responsibility],
                )
            )
        else:
            fields.append(Field("reason", "修改理由", "text"))
        return fields
    if action == "record_rectification":
        suggested = op.suggest_reviewer(session.store, case, session.staff.id)
        return [
            Field("result", "整改结果", "long"),
            Field(
                "reviewer_id",
                "请谁复核",
                "combo",
                _staff_options(session),
                suggested.id if suggested else None,
            ),
            Field(
                "skip_review",
                "不经复核，直接回访（仅道歉解释、退货退款）",
                "check",
                default=target == Stage.FOLLOW_UP,
            ),
        ]
    if action == "review":
        passed = target != Stage.IN_PROGRESS
        return [
            Field("items", "复核项目（每行一项）", "long", default="问题部位已处理\n现场已清理"),
            Field(
                "passed",
                "结论",
                "combo",
                [("通过 — 通知客户验收", True), ("未通过 — 当日处理", False)],
                passed,
            ),
            Field("open_problems", "遗留问题（未通过时必填）", "long"),
            Field("opinion", "复核意见（印在这一次的复核意见书上）", "long"),
        ]
    if action == "record_contact":
        now = session.clock.now()
        return [
            Field("day", "联系日期", "date", default=now.date()),
            Field("time", "联系时间", "time", default=now.time()),
            Field("by", "记录人", "fixed", default=session.staff.name),
            Field("method", "联系方式", "combo", [(m.label, m) for m in ContactMethod]),
            Field(
                "purpose",
                "目的",
                "combo",
                [(p.label, p) for p in ContactPurpose],
                _purpose(session, case),
            ),
            Field("reached", "已联系上客户（没接通会自动约下一个回访时段）", "check", default=True),
            Field(
                "satisfaction",
                "满意度（结案回访联系上时必填）" if case.stage == Stage.FOLLOW_UP else "满意度",
                "combo",
                [("（请选择）" if case.stage == Stage.FOLLOW_UP else "（不记录）", None)]
                + [(f"{v} {t}", v) for v, t in SATISFACTION_LABELS.items()],
                2 if target == Stage.IN_PROGRESS else None,
            ),
            Field("words", "客户原话", "long"),
            Field("next_action", "下一步", "long"),
        ]
    if action == "close":
        return _closing_fields(session, case)
    if action == "edit":
        purchase, install = case.purchase_date, case.install_date
        return [
            Field("customer_name", "客户姓名", "text", default=case.customer_name),
            Field("customer_phone", "联系电话", "text", default=format_phone(case.customer_phone)),
            Field("customer_address", "地址", "text", default=case.customer_address),
            Field("order_no", "订单/合同号", "text", default=case.order_no),
            Field(
                "purchase_date",
                "购买日期",
                "text",
                default=purchase.isoformat() if purchase else "",
            ),
            Field(
                "install_date",
                "送货/安装日期",
                "text",
                default=install.isoformat() if install else "",
            ),
            Field(
                "product_category",
                "产品品类",
                "combo",
                [("（未选）", ""), *_list_options(session, "product_category")],
                case.product_category,
            ),
            Field("brand_model", "品牌/型号", "text", default=case.brand_model),
            Field("subject", "投诉对象", "text", default=case.subject),
            Field("channel", "受理渠道", "combo", _list_options(session, "channel"), case.channel),
            Field(
                "category", "投诉类别", "combo", _list_options(session, "category"), case.category
            ),
            Field("severity", "严重程度", "combo", [(s.label, s) for s in Severity], case.severity),
            Field("description", "投诉内容", "long", default=case.description),
            Field("demand_note", "诉求补充说明", "text", default=case.demand_note),
            Field("needs_visit", "需要上门查看", "check", default=case.needs_visit),
            Field("note", "修改说明", "text"),
        ]
    if action == "schedule_visit":
        start = session.clock.now() + dt.timedelta(days=1)
        return [
            Field(
                "staff_id",
                "上门人员",
                "combo",
                _staff_options(session),
                case.owner_id or session.staff.id,
            ),
            Field("day", "日期", "date", default=start.date()),
            Field("start", "开始时间", "time", default=dt.time(10, 0)),
            Field("hours", "预计时长", "combo", [("1 小时", 1), ("2 小时", 2), ("半天", 4)], 1),
            Field("address", "地址", "text", default=case.customer_address),
        ]
    if action == "decide_approval":
        return [
            Field("approve", "审批结果", "combo", [("批准", True), ("驳回", False)], True),
            Field("note", "审批意见（驳回时必填）", "text"),
        ]
    if action == "report_progress":
        return [
            Field("done", "已完成事项", "long"),
            Field("outstanding", "未完成事项及原因", "long"),
        ]
    if action == "investigate":
        return [
            Field("notes", "调查记录", "long", default=case.investigation_notes),
            Field("cause_analysis", "原因分析", "long", default=case.cause_analysis),
            Field(
                "responsibility",
                "责任认定",
                "combo",
                [("（暂不认定）", None)] + [(r.label, r) for r in Responsibility],
                case.responsibility,
            ),
        ]
    if action == "reject_solution":
        return [Field("words", "客户的意见（原话）", "long")]
    if action == "add_note":
        return [Field("text", "备注", "long")]
    if action in ("reopen", "void", "escalate"):
        label = {"reopen": "重新打开的理由", "void": "作废理由", "escalate": "升级理由"}[action]
        return [Field("reason", label, "long")]
    raise KeyError(action)


def perform(session: Session, case: Case, action: str, values: dict[str, Any]) -> op.CaseChange:
    """Call the core operation of `action` with the dialog's values."""
    ctx = session.ctx()
    cost = round(values["cost"] * 100) if "cost" in values else None
    if action == "edit":
        note = values.pop("note", "")
        current = {name: getattr(case, name) for name in values}
        current["customer_phone"] = format_phone(case.customer_phone)
        for name in ("purchase_date", "install_date"):
            current[name] = current[name].isoformat() if current[name] else ""
        changes = {k: v for k, v in values.items() if v != current[k]}
        if not changes:
            raise RuleError("没有修改任何内容。")
        return op.edit_case(ctx, case.id, changes, note)
    if action == "schedule_visit":
        starts = dt.datetime.combine(values["day"], values["start"])
        return op.schedule_visit(
            ctx,
            case.id,
            staff_id=values["staff_id"],
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=values["hours"]),
            address=values["address"],
        )
    if action == "decide_approval":
        pending = [a for a in session.store.approvals(case.id) if a.status.value == "pending"]
        if not pending:
            raise RuleError("这个案件没有待审批的申请。")
        return op.decide_approval(
            ctx, pending[-1].id, approve=values["approve"], note=values["note"]
        )
    calls: dict[str, Callable[[], op.CaseChange]] = {
        "assign": lambda: op.assign(
            ctx, case.id, owner_id=values["owner_id"], department=values["department"]
        ),
        "reassign": lambda: op.assign(
            ctx, case.id, owner_id=values["owner_id"], department=values["department"]
        ),
        "judge_invalid": lambda: op.judge_invalid(
            ctx, case.id, reason=values["reason"], explanation=values["explanation"]
        ),
        "propose_solution": lambda: op.propose_solution(
            ctx,
            case.id,
            validity_reason=values["validity_reason"],
            kind=values["kind"],
            steps=values["steps"],
            due_date=values["due_date"],
            cost_fen=cost,
            responsibility=values["responsibility"],
        ),
        "revise_solution": lambda: op.revise_solution(
            ctx,
            case.id,
            kind=values["kind"],
            steps=values["steps"],
            due_date=values["due_date"],
            cost_fen=cost,
            reason=values["reason"],
        ),
        "record_rectification": lambda: op.record_rectification(
            ctx,
            case.id,
            result=values["result"],
            skip_review=values["skip_review"],
            reviewer_id=None if values["skip_review"] else values["reviewer_id"],
        ),
        "review": lambda: op.review_case(
            ctx,
            case.id,
            passed=values["passed"],
            open_problems=values["open_problems"],
            opinion=values["opinion"],
            items=[
                ReviewItem(line.strip(), values["passed"])
                for line in values["items"].splitlines()
                if line.strip()
            ],
        ),
        "record_contact": lambda: op.record_contact(
            ctx,
            case.id,
            method=values["method"],
            purpose=values["purpose"],
            reached=values["reached"],
            satisfaction=values["satisfaction"],
            customer_words=values["words"],
            next_action=values["next_action"],
            at=_typed_moment(session, values["day"], values["time"]),
        ),
        "close": lambda: op.close_case(
            ctx,
            case.id,
            cause=values["cause"],
            actions=values["actions"],
            improvement=values["improvement"],
            cause_key=values["cause_key"],
            improvement_id=values["improvement_id"],
            improvement_owner_id=values["improvement_owner"],
            improvement_due=values["improvement_due"],
        ),
        "report_progress": lambda: op.report_progress(
            ctx, case.id, done=values["done"], outstanding=values["outstanding"]
        ),
        "investigate": lambda: op.investigate(
            ctx,
            case.id,
            notes=values["notes"],
            cause_analysis=values["cause_analysis"],
            responsibility=values["responsibility"],
        ),
        "reject_solution": lambda: op.reject_solution(ctx, case.id, values["words"]),
        "add_note": lambda: op.add_note(ctx, case.id, values["text"]),
        "reopen": lambda: op.reopen_case(ctx, case.id, values["reason"]),
        "void": lambda: op.void_case(ctx, case.id, values["reason"]),
        "escalate": lambda: op.escalate(ctx, case.id, values["reason"]),
    }
    return calls[action]()


def _typed_moment(session: Session, day: dt.date, time: dt.time) -> dt.datetime | None:
    """The moment typed in the form, or None (now, to the second) when it was
    left at the current minute: a call just made is never "before" the case."""
    typed = dt.datetime.combine(day, time)
    now = session.clock.now()
    return None if typed == now.replace(second=0, microsecond=0) else typed


class ActionDialog(QDialog):
    """Asks for an action's data and performs it; `change` holds the result."""

    def __init__(
        self,
        session: Session,
        case: Case,
        action: str,
        target: Stage | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.case = case
        self.action = action
        self.change: op.CaseChange | None = None
        rule = workflow.RULES[action]
        self.setWindowTitle(f"{permissions.label(action)} · {case.case_no}")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        hint = QLabel(f"需要：{rule.requires}")
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        self.inputs: dict[str, QWidget] = {}
        for spec in fields_for(session, case, action, target):
            widget = _widget(spec)
            widget.setObjectName(f"field_{spec.name}")
            self.inputs[spec.name] = widget
            form.addRow(spec.label if spec.kind != "check" else "", widget)
        self.script: CallScriptPanel | None = None
        if action == "record_contact":
            layout.insertLayout(0, self._number_to_dial())
            reached = self.inputs["reached"]
            assert isinstance(reached, QCheckBox)
            # Nobody answered: there is no satisfaction to record.
            reached.toggled.connect(self.inputs["satisfaction"].setEnabled)
            # The script to read sits beside the form the clerk fills in while talking.
            self.script = CallScriptPanel(session, case)
            self.script.postponeRequested.connect(self.postpone)
            purpose = self.inputs["purpose"]
            assert isinstance(purpose, QComboBox)
            purpose.currentIndexChanged.connect(
                lambda: self.script.show_for(purpose.currentData()) if self.script else None
            )
            self.script.show_for(purpose.currentData())
            side_by_side = QHBoxLayout()
            side_by_side.addLayout(form, 1)
            side_by_side.addWidget(self.script, 1)
            layout.addLayout(side_by_side)
            self.setMinimumWidth(960)
        else:
            layout.addLayout(form)
        if action == "close":
            joined = self.inputs["improvement_id"]
            assert isinstance(joined, QComboBox)
            joined.currentIndexChanged.connect(self._new_improvement_fields)
            self._new_improvement_fields()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(permissions.label(action))
        ok.setProperty("primary", True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _number_to_dial(self) -> QHBoxLayout:
        """Who to call and the full number, with a copy button: the clerk must
        dial it. Showing it is a reveal like 显示 in the case view, on the
        timeline; without the right to see it the number stays masked."""
        case = self.case
        row = QHBoxLayout()
        who = QLabel(f"客户：{case.customer_name}{case.customer_title}")
        who.setObjectName("callCustomer")
        row.addWidget(who)
        try:
            number = op.reveal_phone(self.session.ctx(), case.id, purpose="拨打回访电话前")
        except ShowroomError as refusal:
            number = ""
            log.info("number not shown in the call dialog: %s", refusal.message)
        self.number = QLabel(format_phone(number) if number else mask_phone(case.customer_phone))
        self.number.setObjectName("callNumber")
        self.number.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.number)
        self.copy_number = QPushButton("复制号码")
        self.copy_number.setObjectName("copyNumber")
        self.copy_number.setToolTip("复制到剪贴板，粘贴到电话软件里拨打（Ctrl+Shift+C）")
        self.copy_number.setShortcut(QKeySequence("Ctrl+Shift+C"))
        self.copy_number.setEnabled(bool(number))
        self.copy_number.clicked.connect(lambda: self._copy(number))
        row.addWidget(self.copy_number)
        row.addStretch(1)
        return row

    def _copy(self, number: str) -> None:
        QApplication.clipboard().setText(number)
        self.copy_number.setText("已复制")

    def values(self) -> dict[str, Any]:
        return {name: _value(widget) for name, widget in self.inputs.items()}

    def submit(self) -> None:
        values = self.values()
        if self.action == "schedule_visit" and not self._double_booking_agreed(values):
            return
        try:
            self.change = perform(self.session, self.case, self.action, values)
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            return
        self.accept()

    def _new_improvement_fields(self) -> None:
        """Owner and due date belong to a new item; a joined one keeps its own."""
        new = self.values()["improvement_id"] is None
        for name in ("improvement_owner", "improvement_due"):
            self.inputs[name].setEnabled(new)

    def postpone(self, preferred_at: dt.datetime) -> None:
        """客户现在不方便: record the call as not held and plan the next one then."""
        values = self.values()
        try:
            self.change = op.postpone_call(
                self.session.ctx(),
                self.case.id,
                method=values["method"],
                purpose=values["purpose"],
                preferred_at=preferred_at,
            )
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            return
        self.accept()

    def _double_booking_agreed(self, values: dict[str, Any]) -> bool:
        starts = dt.datetime.combine(values["day"], values["start"])
        ends = starts + dt.timedelta(hours=values["hours"])
        return double_booking_agreed(
            self, self.session, values["staff_id"], starts, ends, question="仍然预约吗？"
        )


def double_booking_agreed(
    parent: QWidget,
    session: Session,
    staff_id: int,
    starts: dt.datetime,
    ends: dt.datetime,
    *,
    question: str,
    ignore_id: int | None = None,
) -> bool:
    """A visit overlapping the person's other visits is allowed, after a question."""
    clashes = booking_conflicts(session.store, staff_id, starts, ends, ignore_id=ignore_id)
    if not clashes:
        return True
    who = session.store.staff_member(staff_id).name
    times = "、".join(f"{a.starts_at:%m-%d %H:%M}–{a.ends_at:%H:%M}" for a in clashes)
    answer = QMessageBox.question(
        parent, "时间冲突", f"{who}在 {times} 已有安排，时间重叠。{question}"
    )
    return answer == QMessageBox.StandardButton.Yes


def _widget(spec: Field) -> QWidget:
    if spec.kind == "text":
        line = QLineEdit(str(spec.default or ""))
        return line
    if spec.kind == "long":
        text = QPlainTextEdit(str(spec.default or ""))
        text.setTabChangesFocus(True)
        text.setFixedHeight(72)
        return text
    if spec.kind == "combo":
        combo = QComboBox()
        for label, value in spec.options:
            combo.addItem(label, value)
        index = next((i for i, (_, v) in enumerate(spec.options) if v == spec.default), 0)
        combo.setCurrentIndex(index)
        return combo
    if spec.kind == "date":
        date = QDateEdit()
        date.setCalendarPopup(True)
        date.setDisplayFormat("yyyy-MM-dd")
        day: dt.date = spec.default
        date.setDate(QDate(day.year, day.month, day.day))
        return date
    if spec.kind == "time":
        edit = QTimeEdit()
        edit.setDisplayFormat("HH:mm")
        moment: dt.time = spec.default
        edit.setTime(QTime(moment.hour, moment.minute))
        return edit
    if spec.kind == "money":
        money = QDoubleSpinBox()
        money.setRange(0, 10_000_000)
        money.setDecimals(2)
        money.setSuffix(" 元")
        money.setValue(float(spec.default or 0))
        return money
    if spec.kind == "fixed":
        return QLabel(str(spec.default))
    if spec.kind == "check":
        check = QCheckBox(spec.label)
        check.setChecked(bool(spec.default))
        return check
    raise KeyError(spec.kind)


def _value(widget: QWidget) -> Any:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentData()
    if isinstance(widget, QDateEdit):
        day = widget.date()
        return dt.date(day.year(), day.month(), day.day())
    if isinstance(widget, QTimeEdit):
        moment = widget.time()
        return dt.time(moment.hour(), moment.minute())
    if isinstance(widget, QDoubleSpinBox):
        return widget.value()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QLabel):
        return widget.text()
    raise TypeError(type(widget))
