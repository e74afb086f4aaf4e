"""设置 · 门店信息: the showroom's name, code, address, phone and logo."""

from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from .. import operations as op
from ..errors import ShowroomError
from .session import Session
from .settings_tab import SettingsTab


class ProfileTab(SettingsTab):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        settings = session.store.settings()
        self.logo_png = settings.logo_png
        form = QFormLayout()
        self.name = self._line("showroomName", settings.showroom_name, 60)
        self.code = self._line("showroomCode", settings.showroom_code, 16)
        self.code.setToolTip("2–16 位字母或数字；总部周报的文件名和表单上会用到")
        self.address = self._line("showroomAddress", settings.showroom_address, 200)
        self.phone = self._line("showroomPhone", settings.showroom_phone, 30)
        form.addRow("门店名称", self.name)
        form.addRow("门店编码", self.code)
        form.addRow("地址", self.address)
        form.addRow("电话", self.phone)
        self.logo = QLabel()
        self.logo.setObjectName("logoPreview")
        self.logo.setFixedSize(240, 96)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo.setStyleSheet("border: 1px dashed #cfd8dc;")
        choose = QPushButton("选择图片…")
        choose.setObjectName("chooseLogo")
        choose.clicked.connect(self.choose_logo)
        remove = QPushButton("去掉标志")
        remove.clicked.connect(self.remove_logo)
        for button in (choose, remove):
            button.setEnabled(self.may_edit)
        row = QHBoxLayout()
        row.addWidget(self.logo)
        row.addWidget(choose)
        row.addWidget(remove)
        row.addStretch(1)
        holder = QWidget()
        holder.setLayout(row)
        form.addRow("标志（印在表单上）", holder)
        self.layout_.addLayout(form)
        self._show_logo()
        self.finish(self.save)

    def _line(self, name: str, text: str, limit: int) -> QLineEdit:
        line = QLineEdit(text)
        line.setObjectName(name)
        line.setMaxLength(limit)
        line.setReadOnly(not self.may_edit)
        return line

    def _show_logo(self) -> None:
        if not self.logo_png:
            self.logo.setPixmap(QPixmap())
            self.logo.setText("（没有标志）")
            return
        pixmap = QPixmap()
        pixmap.loadFromData(base64.b64decode(self.logo_png))
        self.logo.setPixmap(
            pixmap.scaled(
                self.logo.size(),
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )

    def choose_logo(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "选择门店标志", str(Path.home()), "图片 (*.png *.jpg *.jpeg *.bmp);;所有文件 (*)"
        )
        if not chosen:
            return
        try:
            self.logo_png = op.logo_from_file(Path(chosen))
        except ShowroomError as refusal:
            self.say_error(refusal.message)
            return
        self.error.hide()
        self._show_logo()
        self.say("标志已选好，点「保存」后生效。")

    def remove_logo(self) -> None:
        self.logo_png = ""
        self._show_logo()
        self.say("点「保存」后表单上不再印标志。")

    def save(self) -> None:
        self.apply(
            dataclasses.replace(
                self.session.store.settings(),
                showroom_name=self.name.text().strip(),
                showroom_code=self.code.text().strip().upper(),
                showroom_address=self.address.text().strip(),
                showroom_phone=self.phone.text().strip(),
                logo_png=self.logo_png,
            )
        )
