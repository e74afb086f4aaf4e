"""责任认定: a manager's finding on a closed case — whose responsibility,
which department and person, and the internal measure (seeds 002, 003)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..domain import AccountabilityMeasure, Case, Responsibility
from ..errors import ShowroomError
from .session import Session


class AccountabilityDialog(QDialog):
    """`finding` holds what was recorded."""

    def __init__(self, session: Session, case: Case, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.case = case
        self.finding: op.Finding | None = None
        self.setWindowTitle(f"责任认定 · {case.case_no}")
        self.setMinimumWidth(480)
        current = op.accountability_of(session.ctx(), case.id)
        layout = QVBoxLayout(self)
        hint = QLabel(
            "只有店长、总经理和老板能看到。对内不对外：不进总部周报；时间线上只记一句「记录了责任认定」，不记内容。"
        )
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        form = QFormLayout()
        self.responsibility = QComboBox()
        self.responsibility.setObjectName("responsibility")
        for finding in Responsibility:
            self.responsibility.addItem(finding.label, finding)
        chosen = current.responsibility if current else case.responsibility
        self.responsibility.setCurrentIndex(max(self.responsibility.findData(chosen), 0))
        form.addRow("责任认定", self.responsibility)
        self.department = QComboBox()
        self.department.setObjectName("department")
        for entry in session.store.settings().active_entries("department"):
            self.department.addItem(entry.label, entry.key)
        department = current.department if current else case.department
        self.department.setCurrentIndex(max(self.department.findData(department), 0))
        form.addRow("责任部门", self.department)
        self.person = QLineEdit(current.person if current else "")
        self.person.setObjectName("person")
        self.person.setPlaceholderText("员工、安装师傅或供应商联系人（可不填）")
        names = [m.name for m in session.store.all_staff(active_only=True)]
        self.person.setCompleter(QCompleter(names, self.person))
        form.addRow("责任人", self.person)
        self.measure = QComboBox()
        self.measure.setObjectName("measure")
        for measure in AccountabilityMeasure:
            self.measure.addItem(measure.label, measure)
        if current:
            self.measure.setCurrentIndex(self.measure.findData(current.measure))
        self.measure.currentIndexChanged.connect(self._amount_when_deducting)
        form.addRow("内部处理", self.measure)
        self.amount = QDoubleSpinBox()
        self.amount.setObjectName("amount")
        self.amount.setRange(0, 100_000)
        self.amount.setDecimals(2)
        self.amount.setSuffix(" 元")
        self.amount.setValue(current.amount_fen / 100 if current else 0)
        form.addRow("扣罚金额", self.amount)
        self.note = QLineEdit(current.measure_note if current else "")
        self.note.setObjectName("measureNote")
        self.note.setPlaceholderText("如：组织安装部培训、部门例会通报")
        form.addRow("措施说明", self.note)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("保存责任认定")
        ok.setProperty("primary", True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._amount_when_deducting()

    def _amount_when_deducting(self) -> None:
        deducting = self.measure.currentData() == AccountabilityMeasure.DEDUCTION
        self.amount.setEnabled(deducting)
        if not deducting:
            self.amount.setValue(0)

    def submit(self) -> None:
        try:
            self.finding = op.record_accountability(
                self.session.ctx(),
                self.case.id,
                responsibility=self.responsibility.currentData(),
                department=self.department.currentData(),
                person=self.person.text(),
                measure=self.measure.currentData(),
                measure_note=self.note.text(),
                amount_fen=round(self.amount.value() * 100),
            )
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            return
        self.accept()


def describe(finding: op.Finding) -> str:
    """One line for the case view: 公司责任 · 安装部 · 老张 · 扣罚 200.00 元（说明）."""
    parts = [finding.responsibility.label, finding.department]
    if finding.person:
        parts.append(finding.person)
    measure = finding.measure.label
    if finding.amount_fen:
        measure += f" {op.format_yuan(finding.amount_fen)}"
    parts.append(measure)
    note = f"（{finding.measure_note}）" if finding.measure_note else ""
    return " · ".join(parts) + note
