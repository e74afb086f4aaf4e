"""新建投诉: the registration form, fillable without the mouse.

The phone comes first: a known number shows the customer's earlier cases and
fills name and address. Then what every complaint needs (channel, category,
severity, what happened, what the customer wants), then the product and
order details, so Tab walks a walk-in complaint top to bottom in few keys.
Every change is kept in a draft file, offered back after a crash; saving
assigns the case number and removes the draft.

受理时间 is when this complaint began: it follows the clock while the form
is empty, stops at the first input and may be changed by the clerk (a
letter or a message taken down later).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import operations as op
from ..domain import CUSTOMER_TITLES, Severity
from ..drafts import DraftNotKept, discard_draft, load_draft, save_draft
from ..errors import RuleError, ShowroomError
from ..forms import service_promise
from ..phone import format_phone, normalize_phone
from ..queries import customer_history
from .attachments import AttachmentStrip
from .customer_view import CustomerRecordDialog
from .gate import gate
from .printing import print_form
from .session import Session

log = logging.getLogger(__name__)

AUTOSAVE_MS = 400
RECEIVED_TICK_MS = 15_000
CHOOSE = "（请选择）"
# A draft started this long ago asks whether its 受理时间 still stands.
STALE_DRAFT = dt.timedelta(minutes=30)
TEXT_FIELDS = (
    "customer_phone",
    "customer_name",
    "customer_address",
    "order_no",
    "purchase_date",
    "install_date",
    "brand_model",
    "subject",
    "demand_note",
)
COMBO_FIELDS = ("product_category", "channel", "category", "severity")


class IntakePage(QWidget):
    """Signals:
    caseRegistered(int): a complaint was saved (its case id).
    caseRequested(int): open an earlier case of this customer.
    """

    caseRegistered = Signal(int)
    caseRequested = Signal(int)

    def __init__(
        self, session: Session, draft_folder: Path | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.session = session
        # Drafts live beside the database file; an in-memory database keeps none.
        self.draft_folder: Path | None = draft_folder or (
            session.store.path.parent / "drafts" if session.store.path else None
        )
        self.fields: dict[str, QWidget] = {}
        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.save_draft)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 12, 16, 12)
        title = QLabel("新建投诉")
        title.setObjectName("pageTitle")
        outer.addWidget(title)
        self.draft_banner = self._draft_banner()
        outer.addWidget(self.draft_banner)
        self.draft_trouble = QLabel()
        self.draft_trouble.setObjectName("error")
        self.draft_trouble.setWordWrap(True)
        self.draft_trouble.hide()
        outer.addWidget(self.draft_trouble)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes field to field
        body = QWidget()
        form_layout = QVBoxLayout(body)
        form_layout.addWidget(self._customer_group())
        form_layout.addWidget(self._complaint_group())
        form_layout.addWidget(self._product_group())
        self.attachments = AttachmentStrip(self.session)
        files = QFormLayout()
        files.addRow("附件", self.attachments)
        form_layout.addLayout(files)
        form_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        outer.addWidget(self.error)
        self.saved = QLabel()
        self.saved.setObjectName("saved")
        self.saved.setStyleSheet("color: #2e7d32; font-weight: 600;")
        self.saved.hide()
        outer.addWidget(self.saved)
        outer.addLayout(self._buttons())
        for widget in self.fields.values():
            _on_change(widget, self._changed)
        self.clock_timer = QTimer(self)  # 受理时间 follows the clock on an empty form
        self.clock_timer.setInterval(RECEIVED_TICK_MS)
        self.clock_timer.timeout.connect(self._follow_clock)
        self.clock_timer.start()
        self._offer_draft()

    @property
    def draft_path(self) -> Path | None:
        """One draft per person: whoever is logged in now (the lock may change it)."""
        if self.draft_folder is None:
            return None
        return self.draft_folder / f"intake-{self.session.staff.id}.json"

    # ----------------------------------------------------------- building

    def _line(self, name: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        self.fields[name] = edit
        return edit

    def _combo(self, name: str, options: list[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for label, value in options:
            combo.addItem(label, value)
        _fit(combo)
        self.fields[name] = combo
        return combo

    def _list(self, name: str, *, blank: str | None = None) -> list[tuple[str, Any]]:
        entries = self.session.store.settings().active_entries(name)
        options: list[tuple[str, Any]] = [(blank, "")] if blank else []
        return options + [(e.label, e.key) for e in entries]

    def _fill_demands(self) -> None:
        for entry in self.session.store.settings().active_entries("demand"):
            check = QCheckBox(entry.label)
            check.setObjectName(f"demand_{entry.key}")
            self.demand_boxes[entry.key] = check
            self.fields[f"demand_{entry.key}"] = check
            self.demands_row.addWidget(check)
        self.demands_row.addStretch(1)

    def reload_lists(self) -> None:
        """The lists as 设置 now has them; what was already chosen stays chosen."""
        for name, blank in (
            ("channel", None),
            ("category", CHOOSE),
            ("product_category", "（未选）"),
        ):
            combo = self.fields[name]
            assert isinstance(combo, QComboBox)
            chosen = combo.currentData()
            combo.clear()
            for label, value in self._list(name, blank=blank):
                combo.addItem(label, value)
            _fit(combo)
            combo.setCurrentIndex(max(combo.findData(chosen), 0))
        ticked = {key for key, box in self.demand_boxes.items() if box.isChecked()}
        while self.demands_row.count():
            item = self.demands_row.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for key in self.demand_boxes:
            self.fields.pop(f"demand_{key}", None)
        self.demand_boxes.clear()
        self._fill_demands()
        for key, box in self.demand_boxes.items():
            box.setChecked(key in ticked)
            _on_change(box, self._changed)

    def _customer_group(self) -> QGroupBox:
        box = QGroupBox("客户信息")
        grid = QGridLayout(box)
        phone = self._line("customer_phone", "手机号或带区号的固定电话")
        phone.editingFinished.connect(self.look_up_customer)
        self.history = QLabel()
        self.history.setObjectName("history")
        self.history.linkActivated.connect(self.show_customer)
        self.known_phone = ""
        grid.addWidget(QLabel("联系电话 *"), 0, 0)
        grid.addWidget(phone, 0, 1)
        grid.addWidget(self.history, 0, 2, 1, 2)
        grid.addWidget(QLabel("姓名 *"), 1, 0)
        name_row = QHBoxLayout()
        name_row.addWidget(self._line("customer_name"), 1)
        title = self._combo("customer_title", [("称呼", ""), *((t, t) for t in CUSTOMER_TITLES)])
        title.setToolTip("回访话术里称呼客户用（张先生 / 王女士），不确定可以不选")
        name_row.addWidget(title)
        grid.addLayout(name_row, 1, 1)
        grid.addWidget(QLabel("地址"), 1, 2)
        grid.addWidget(self._line("customer_address", "小区 / 楼栋 / 房号（上门需要）"), 1, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        return box

    def _product_group(self) -> QGroupBox:
        box = QGroupBox("产品与订单")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("产品品类"), 0, 0)
        grid.addWidget(
            self._combo("product_category", self._list("product_category", blank="（未选）")), 0, 1
        )
        grid.addWidget(QLabel("品牌/型号"), 0, 2)
        grid.addWidget(self._line("brand_model"), 0, 3)
        grid.addWidget(QLabel("订单/合同号"), 1, 0)
        grid.addWidget(self._line("order_no"), 1, 1)
        grid.addWidget(QLabel("购买日期"), 1, 2)
        grid.addWidget(self._line("purchase_date", "例如 2026-08-15"), 1, 3)
        grid.addWidget(QLabel("投诉对象"), 2, 0)
        grid.addWidget(self._line("subject", "产品、员工或部门"), 2, 1)
        grid.addWidget(QLabel("送货/安装日期"), 2, 2)
        grid.addWidget(self._line("install_date", "例如 2026-09-02"), 2, 3)
        visit = QCheckBox("需要上门查看")
        visit.setObjectName("needs_visit")
        self.fields["needs_visit"] = visit
        grid.addWidget(visit, 3, 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 2)
        return box

    def _complaint_group(self) -> QGroupBox:
        box = QGroupBox("投诉信息")
        form = QFormLayout(box)
        row = QHBoxLayout()
        row.addWidget(self._combo("channel", self._list("channel")))
        row.addWidget(QLabel("投诉类别 *"))
        # No category is preset: a complaint filed under a default nobody chose
        # would skew 统计 and the routing.
        row.addWidget(self._combo("category", self._list("category", blank=CHOOSE)))
        row.addWidget(QLabel("严重程度 *"))
        severity = self._combo(
            "severity",
            [(s.label, s.value) for s in (Severity.NORMAL, Severity.IMPORTANT, Severity.URGENT)],
        )
        severity.currentIndexChanged.connect(self._update_promise)
        row.addWidget(severity)
        row.addStretch(1)
        form.addRow("受理渠道 *", row)
        received = QDateTimeEdit()
        received.setObjectName("received_at")
        received.setDisplayFormat("yyyy-MM-dd HH:mm")
        received.setCalendarPopup(True)
        received.setMaximumWidth(200)
        received.setToolTip(
            "这件投诉开始登记的时间：表单空着时随时钟走，填第一项时定下。"
            "补登信件、留言时可改为实际收到的时间（30 天内）。Alt+T"
        )
        # Tab would walk through its five date/time sections; it is rarely
        # changed, so it stays out of the tab chain and Alt+T reaches it.
        received.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        QShortcut(QKeySequence("Alt+T"), self, received.setFocus)
        received.dateTimeChanged.connect(self._received_edited)
        self.received = received
        self.started_at: dt.datetime | None = None  # the first input into the empty form
        self.received_by_hand = False
        self._showing_clock = False
        self._follow_clock()
        form.addRow("受理时间（Alt+T）", received)
        description = QPlainTextEdit()
        description.setObjectName("description")
        description.setTabChangesFocus(True)
        description.setPlaceholderText("发生了什么、什么时候、具体在哪里（如 主卧衣柜左侧门板）")
        description.setMinimumHeight(90)
        description.setMaximumHeight(140)  # longer text scrolls; the rest of the form stays in view
        self.fields["description"] = description
        form.addRow("投诉内容 *", description)
        self.demands_row = QHBoxLayout()
        self.demand_boxes: dict[str, QCheckBox] = {}
        self._fill_demands()
        form.addRow("客户诉求 *", self.demands_row)
        form.addRow("补充说明", self._line("demand_note"))
        self.promise = QLabel()
        self.promise.setObjectName("promise")
        self.promise.setWordWrap(True)
        form.addRow("服务承诺", self.promise)
        self._update_promise()
        return box

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addStretch(1)
        self.confirm_button = QPushButton("确认（读给客户听）  Ctrl+R")
        self.confirm_button.setObjectName("confirm")
        self.confirm_button.setToolTip("把登记内容和服务承诺读给客户核对（Ctrl+R）")
        self.confirm_button.clicked.connect(self.read_back)
        QShortcut(QKeySequence("Ctrl+R"), self, self.read_back)
        self.save_button = QPushButton("保存  Ctrl+S")
        self.save_button.setObjectName("save")
        self.save_button.setProperty("primary", True)
        self.save_button.setToolTip("保存后分配投诉编号（Ctrl+S）")
        self.save_button.clicked.connect(self.save)
        QShortcut(QKeySequence("Ctrl+S"), self, self.save)
        self.save_print_button = QPushButton("保存并打印  Ctrl+P")
        self.save_print_button.setObjectName("savePrint")
        self.save_print_button.setToolTip("保存后打印客户投诉登记表（客户联、存根联）（Ctrl+P）")
        self.save_print_button.clicked.connect(self.save_and_print)
        if self.session.read_only:  # no complaint typed in full and then lost at 保存
            for button in (self.save_button, self.save_print_button):
                gate(button, self.session.read_only)
        QShortcut(QKeySequence("Ctrl+P"), self, self.ask_save_and_print)
        row.addWidget(self.confirm_button)
        row.addWidget(self.save_button)
        row.addWidget(self.save_print_button)
        return row

    def _draft_banner(self) -> QWidget:
        banner = QWidget()
        banner.setObjectName("banner")
        layout = QHBoxLayout(banner)
        self.draft_label = QLabel()
        restore = QPushButton("恢复草稿")
        restore.setObjectName("restoreDraft")
        restore.clicked.connect(self.restore_draft)
        drop = QPushButton("丢弃")
        drop.setObjectName("discardDraft")
        drop.clicked.connect(self.discard_draft)
        layout.addWidget(self.draft_label, 1)
        layout.addWidget(restore)
        layout.addWidget(drop)
        banner.hide()
        return banner

    # ------------------------------------------------------------- values

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, widget in self.fields.items():
            if isinstance(widget, QLineEdit):
                values[name] = widget.text()
            elif isinstance(widget, QPlainTextEdit):
                values[name] = widget.toPlainText()
            elif isinstance(widget, QComboBox):
                values[name] = widget.currentData()
            elif isinstance(widget, QCheckBox):
                values[name] = widget.isChecked()
        return values

    def set_values(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            widget = self.fields.get(name)
            if isinstance(widget, QLineEdit):
                widget.setText(str(value or ""))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(str(value or ""))
            elif isinstance(widget, QComboBox):
                index = widget.findData(value)
                if index >= 0:
                    widget.setCurrentIndex(index)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))

    def draft(self) -> op.CaseDraft:
        values = self.values()
        return op.CaseDraft(
            customer_name=values["customer_name"],
            customer_title=values["customer_title"] or "",
            customer_phone=values["customer_phone"],
            category=values["category"] or "",
            description=values["description"],
            channel=values["channel"] or "",
            severity=values["severity"],
            demands=tuple(key for key, box in self.demand_boxes.items() if box.isChecked()),
            demand_note=values["demand_note"],
            customer_address=values["customer_address"],
            order_no=values["order_no"],
            purchase_date=values["purchase_date"] or None,
            install_date=values["install_date"] or None,
            product_category=values["product_category"] or "",
            brand_model=values["brand_model"],
            subject=values["subject"],
            needs_visit=values["needs_visit"],
            received_at=self.received_at(),
        )

    def received_at(self) -> dt.datetime:
        """受理时间 as it will be saved: the clerk's own entry, else when this
        complaint began, else (nothing typed) now."""
        if self.received_by_hand:
            return _local(self.received.dateTime())
        return self.started_at or self.session.clock.now().replace(second=0, microsecond=0)

    # ------------------------------------------------------------ actions

    def look_up_customer(self) -> None:
        """A known number: show the earlier cases and fill name and address."""
        phone_edit = self.fields["customer_phone"]
        assert isinstance(phone_edit, QLineEdit)
        try:
            phone = normalize_phone(phone_edit.text())
        except RuleError:
            self.history.setText("")
            return
        earlier = customer_history(self.session.store, phone)
        if not earlier:
            self.history.setText("新客户")
            return
        last = self.session.store.case(earlier[0])
        self.history.setText(
            f"老客户 · {len(earlier)} 件历史投诉（最近 {last.case_no}） "
            "<a href='record'>查看客户档案</a>"
        )
        self.known_phone = phone
        for name, value in (
            ("customer_name", last.customer_name),
            ("customer_address", last.customer_address),
        ):
            edit = self.fields[name]
            if isinstance(edit, QLineEdit) and not edit.text().strip():
                edit.setText(value)
        title = self.fields["customer_title"]
        if isinstance(title, QComboBox) and not title.currentData():
            title.setCurrentIndex(max(title.findData(last.customer_title), 0))
        phone_edit.setText(format_phone(phone))

    def show_customer(self) -> None:
        """客户档案 of the known caller, to recognise them at the counter."""
        if self.known_phone:
            dialog = CustomerRecordDialog(self.session, self.known_phone, self)
            dialog.caseRequested.connect(self.caseRequested.emit)
            dialog.exec()

    def read_back(self) -> None:
        """确认: the text as it will be printed, for the customer to hear."""
        values = self.values()
        severity = Severity(values["severity"])
        text = (
            f"客户：{values['customer_name']}  电话：{values['customer_phone']}\n\n"
            f"投诉内容：{values['description']}\n\n"
            f"服务承诺：{service_promise(self.session.store.settings(), severity)}"
        )
        QMessageBox.information(self, "请与客户核对", text)

    def save(self) -> int | None:
        """保存: register the case; on a refusal say what is missing and keep everything."""
        self.saved.hide()
        try:
            change = op.register_case(self.session.ctx(), self.draft())
        except ShowroomError as refusal:
            self.error.setText(refusal.message)
            self.error.show()
            missing = getattr(refusal, "missing", ())
            widget = self.fields.get(missing[0]) if missing else None
            if widget is not None:
                widget.setFocus()
            return None
        self.autosave.stop()
        if self.draft_path is not None:
            discard_draft(self.draft_path)
        self.error.hide()
        problems = self.attachments.attach_pending(change.after.id)
        self.saved.setText(f"已保存：投诉编号 {change.after.case_no}")
        self.saved.show()
        if problems:
            self.error.setText("附件未能全部添加：" + "；".join(problems))
            self.error.show()
        self.clear()
        self.caseRegistered.emit(change.after.id)
        return change.after.id

    def save_and_print(self) -> int | None:
        """保存并打印: save, then the registration form for the customer to sign."""
        case_id = self.save()
        if case_id is not None:
            print_form(self.session, self.session.store.case(case_id), "registration", self)
        return case_id

    def ask_save_and_print(self) -> int | None:
        """Ctrl+P: saving registers the case for good, so the key asks first."""
        if not ask(
            self,
            "保存并打印",
            "保存这件投诉（分配投诉编号），再打印客户投诉登记表？",
            yes="保存并打印",
            no="取消",
        ):
            return None
        return self.save_and_print()

    def focus_start(self) -> None:
        """Where the cursor goes when the page is opened (Ctrl+N): the phone."""
        self.fields["customer_phone"].setFocus()

    def clear(self) -> None:
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit | QPlainTextEdit):
                widget.clear()
            elif isinstance(widget, QCheckBox):
                widget.setChecked(False)
            elif isinstance(widget, QComboBox):
                widget.setCurrentIndex(0)
        self.history.setText("")
        self.started_at = None
        self.received_by_hand = False
        self._follow_clock()
        self.autosave.stop()
        self.fields["customer_phone"].setFocus()

    # ----------------------------------------------------------- 受理时间

    def _show_received(self, moment: dt.datetime) -> None:
        self._showing_clock = True  # not the clerk's edit
        self.received.setDateTime(
            QDateTime(
                QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute)
            )
        )
        self._showing_clock = False

    def _follow_clock(self) -> None:
        """On an empty form 受理时间 shows now, so it is right whenever typing starts."""
        if self.started_at is None and not self.received_by_hand:
            self._show_received(self.session.clock.now())

    def _received_edited(self) -> None:
        if not self._showing_clock:
            self.received_by_hand = True
            self.autosave.start()

    def _changed(self) -> None:
        """Any input: the first into an empty form is when this complaint began."""
        if self.started_at is None and self._has_input():
            self.started_at = self.session.clock.now().replace(second=0, microsecond=0)
            if not self.received_by_hand:
                self._show_received(self.started_at)
        self.autosave.start()

    def _has_input(self) -> bool:
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit) and widget.text().strip():
                return True
            if isinstance(widget, QPlainTextEdit) and widget.toPlainText().strip():
                return True
            if isinstance(widget, QCheckBox) and widget.isChecked():
                return True
            if isinstance(widget, QComboBox) and widget.currentIndex() > 0:
                return True
        return False

    # ------------------------------------------------------------- drafts

    def save_draft(self) -> None:
        if self.draft_path is None:
            return
        values = self.values()
        values["saved_at"] = self.session.clock.now().strftime("%m-%d %H:%M")
        if not any(v for k, v in values.items() if k not in ("saved_at", *COMBO_FIELDS)):
            return
        values["received_at"] = self.received_at().isoformat(sep=" ", timespec="minutes")
        values["received_by_hand"] = self.received_by_hand
        try:
            save_draft(self.draft_path, values)
        except DraftNotKept as trouble:
            # Said once (not at every key) until a draft is kept again.
            if self.draft_trouble.isHidden():
                log.warning("draft not kept: %s", trouble.message)
                self.draft_trouble.setText(trouble.message)
                self.draft_trouble.show()
            return
        self.draft_trouble.hide()

    def _offer_draft(self) -> None:
        found = load_draft(self.draft_path) if self.draft_path else None
        if found:
            self.draft_label.setText(
                f"有一份未保存的登记草稿（{found.get('saved_at', '')}），要恢复吗？"
            )
            self.draft_banner.show()

    def restore_draft(self) -> None:
        found = load_draft(self.draft_path) if self.draft_path else None
        if found:
            self.set_values(found)
            self._restore_received(found)
        self.draft_banner.hide()

    def _restore_received(self, found: dict[str, Any]) -> None:
        """A draft's 受理时间 may be hours old: the clerk says whether it stands."""
        try:
            then = dt.datetime.fromisoformat(str(found.get("received_at")))
        except ValueError:
            return  # a draft from before drafts kept it: the time of restoring stands
        now = self.session.clock.now()
        if now - then >= STALE_DRAFT and not ask(
            self,
            "受理时间",
            f"这份草稿是 {then:%m-%d %H:%M} 开始登记的。受理时间用哪个？",
            yes=f"用 {then:%m-%d %H:%M}",
            no=f"用现在 {now:%H:%M}",
        ):
            then = now.replace(second=0, microsecond=0)
        self.started_at = then
        self.received_by_hand = bool(found.get("received_by_hand"))
        self._show_received(then)

    def discard_draft(self) -> None:
        if self.draft_path is not None:
            discard_draft(self.draft_path)
        self.draft_banner.hide()

    def _update_promise(self) -> None:
        severity = self.fields["severity"]
        assert isinstance(severity, QComboBox)
        self.promise.setText(
            service_promise(self.session.store.settings(), Severity(severity.currentData()))
        )


def _fit(combo: QComboBox) -> None:
    """Wide enough for its longest entry ("（请选择）" is not cut short), with
    room for the style's padding and the arrow."""
    metrics = combo.fontMetrics()
    longest = max(
        (metrics.horizontalAdvance(combo.itemText(i)) for i in range(combo.count())), default=0
    )
    combo.setMinimumWidth(longest + 48)


def ask(parent: QWidget, title: str, text: str, *, yes: str, no: str) -> bool:
    """A question whose buttons say what they do; Enter takes `yes`."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
    agree = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(agree)
    box.exec()
    return box.clickedButton() is agree


def _on_change(widget: QWidget, callback: Callable[[], object]) -> None:
    # The signal's argument is dropped: passed on, an index or a flag would
    # become the autosave timer's interval.
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.textChanged.connect(lambda *_: callback())
    elif isinstance(widget, QComboBox):
        widget.currentIndexChanged.connect(lambda *_: callback())
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda *_: callback())


def _local(moment: QDateTime) -> dt.datetime:
    day, clock = moment.date(), moment.time()
    return dt.datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute())
