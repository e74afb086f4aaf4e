"""What the window does for the data: the daily copy, copies by hand, restoring,
a damaged file at start, a second start, the full phone number, a lost photo."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from showroom_cs import backup
from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.instance import InstanceLock
from showroom_cs.settings import Settings
from showroom_cs.store import Store
from showroom_cs.ui import app as app_module
from showroom_cs.ui import recovery, settings_data
from showroom_cs.ui.main_window import MainWindow
from showroom_cs.ui.session import Session
from showroom_cs.ui.single_instance import SecondStartListener, knock

from .conftest import START, Desk, make_desk
from .test_backup import _damage, _filled


@pytest.fixture
def file_desk(tmp_path: Path) -> Desk:
    return make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))


def _window(qtbot, desk: Desk, who: str = "陈静") -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(Session(desk.store, desk.clock, desk.staff[who]))
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_first_start_of_the_day_takes_the_daily_copy_beside_the_work(
    qtbot, file_desk: Desk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    file_desk.register()
    window = _window(qtbot, file_desk)
    qtbot.waitUntil(lambda: window.backup_state.text() == "今日已备份", timeout=10_000)
    (copy,) = (tmp_path / "backups").glob("cases-20261123-*-daily.db")
    assert backup.inspect_backup(copy).cases == 1
    window.sweep()  # the same day: no second copy
    assert len(list((tmp_path / "backups").glob("*-daily.db"))) == 1


def test_a_failed_daily_copy_is_shown_in_red_and_said_in_chinese(
    qtbot, file_desk: Desk, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the backup folder should be")
    with file_desk.store.transaction():
        import dataclasses

        file_desk.store.write_settings(
            dataclasses.replace(file_desk.store.settings(), backup_dir=str(blocked))
        )
    window = _window(qtbot, file_desk)
    qtbot.waitUntil(lambda: window.backup_state.text() == "自动备份失败", timeout=10_000)
    assert "备份没有完成" in window.backup_state.toolTip()
    assert "数据库本身没有受到影响" in window.backup_state.toolTip()


def test_a_clerk_may_not_copy_the_data_by_hand(
    qtbot, file_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    told: list[str] = []
    monkeypatch.setattr(
        settings_data.QMessageBox, "warning", lambda parent, title, text: told.append(text)
    )
    window = _window(qtbot, file_desk, who="王芳")
    data = window.settings_page.data
    for button in (data.backup_button, data.findChild(QPushButton, "restoreBackup")):
        assert not button.isEnabled() and "只有店长、总经理或老板可以" in button.toolTip()
    # Should the button be pressed anyway (a keyboard shortcut, a script), it still refuses.
    data.backup_now()
    assert told and "客服专员不能手动备份" in told[0]


def test_a_manager_copies_to_a_usb_stick_and_picks_a_backup_to_restore(
    qtbot, file_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    file_desk.register()
    usb = tmp_path / "usb"
    usb.mkdir()
    monkeypatch.setattr(settings_data.QFileDialog, "getExistingDirectory", lambda *args: str(usb))
    monkeypatch.setattr(settings_data.QMessageBox, "information", lambda *args: None)
    window = _window(qtbot, file_desk)
    page = window.settings_page.data
    qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
    assert page.backup_button.text() == "正在备份…"  # the window stays usable meanwhile
    qtbot.waitUntil(lambda: page.backup_button.isEnabled(), timeout=10_000)
    (copy,) = usb.glob("cases-*-manual.db")
    monkeypatch.setattr(recovery.QFileDialog, "getOpenFileName", lambda *args: (str(copy), ""))
    asked: list[str] = []
    monkeypatch.setattr(
        recovery.QMessageBox,
        "question",
        lambda parent, title, text: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    with qtbot.waitSignal(page.restoreRequested) as requested:
        qtbot.mouseClick(page.findChild(QPushButton, "restoreBackup"), Qt.MouseButton.LeftButton)
    assert requested.args[0].path == copy
    assert "1 件案件" in asked[0] and "before-restore" in asked[0]


def test_a_damaged_database_at_start_is_replaced_by_the_newest_good_backup(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = _filled(tmp_path / "cases.db", cases=40)
    good = backup.take_backup(db, tmp_path / "backups", "daily", dt.datetime(2026, 11, 22, 9))
    _damage(db)
    shown: list[str] = []

    def choose_newest(dialog: recovery.DamagedDialog) -> int:
        shown.append(dialog.findChild(QPushButton, "restoreNewest").text())
        dialog.chosen = dialog.newest
        return 1

    opened: list[int] = []

    def work(app: QApplication) -> int:
        opened.append(1)
        return 0

    monkeypatch.setattr(recovery.DamagedDialog, "exec", choose_newest)
    monkeypatch.setattr(recovery.QMessageBox, "information", lambda *args: None)
    monkeypatch.setattr(app_module, "sign_in", lambda store, clock, hint: store.all_staff()[2])
    monkeypatch.setattr(app_module.MainWindow, "show", lambda self: None)
    monkeypatch.setattr(QApplication, "exec", work)
    assert app_module.run(db) == 0
    assert shown == ["用这份备份恢复"] and opened == [1]
    assert backup.inspect_backup(db).usable  # the restored file
    kept = list((tmp_path / "backups").glob("cases-*-before-restore.db"))
    assert len(kept) == 1 and kept[0].stat().st_size > 0  # the damaged one, set aside
    assert good.exists()


def test_a_file_that_is_not_a_database_is_never_replaced_by_an_empty_one(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "cases.db"
    db.write_bytes(b"PK\x03\x04 a zip file renamed by mistake")
    texts: list[str] = []

    def leave(dialog: recovery.DamagedDialog) -> int:
        texts.append(dialog.findChildren(recovery.QLabel)[0].text())
        return 0

    monkeypatch.setattr(recovery.DamagedDialog, "exec", leave)
    assert app_module.run(db) == 2
    assert "没有找到完好的备份" in texts[0]
    assert db.read_bytes().startswith(b"PK")  # untouched


def test_a_second_start_brings_the_first_window_forward(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "cases.db"
    listener = SecondStartListener(db)
    with qtbot.waitSignal(listener.showRequested, timeout=5000):
        assert knock(db)
    assert not knock(tmp_path / "other.db")  # nobody listens for another file


def test_a_second_start_with_nobody_answering_says_it_is_open_elsewhere(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    db = _filled(tmp_path / "cases.db", cases=1)
    told: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "information", lambda parent, title, text: told.append(text)
    )
    with InstanceLock(db):  # a window on another PC, sharing the file
        assert app_module.run(db) == 0
    assert told and "已经在另一个门店客诉台窗口中打开" in told[0]


def test_the_full_phone_number_is_shown_on_demand_and_the_timeline_says_who_looked(
    qtbot, desk: Desk
) -> None:  # type: ignore[no-untyped-def]
    case = desk.register()
    window = _window(qtbot, desk, who="王芳")
    window.open_case(case.id)
    view = window.case_view
    assert "138****8000" in _customer_text(view)
    reveal = view.findChild(QPushButton, "revealPhone")
    # Laid out, not just shown: a click at the centre of a 0-pixel-high button misses.
    qtbot.waitUntil(lambda: reveal.isVisible() and not reveal.visibleRegion().isEmpty())
    qtbot.mouseClick(reveal, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "138 0013 8000" in _customer_text(view))
    assert "138****8000" not in _customer_text(view)
    assert desk.store.events(case.id)[-1].note == "王芳查看了客户的完整电话"
    assert "王芳查看了客户的完整电话" in view.timeline.item(0).text()
    other = desk.register(customer_phone="13912345678")
    window.open_case(other.id)
    qtbot.waitUntil(lambda: "139****5678" in _customer_text(view))  # masked for the next case


def _customer_text(view) -> str:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLabel

    group = view.customer.parentWidget()
    return " ".join(label.text() for label in group.findChildren(QLabel) if label.isVisible())


def test_a_photo_gone_from_disk_is_explained_and_its_record_stays(
    qtbot, file_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from showroom_cs.ui import attachments

    case = file_desk.register()
    photo = tmp_path / "门缝.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    op.add_attachment(file_desk.as_("王芳"), case.id, photo)
    (attachment,) = file_desk.store.attachments(case.id)
    assert file_desk.store.attachment_folder is not None
    (file_desk.store.attachment_folder / attachment.stored_name).unlink()
    told: list[str] = []
    monkeypatch.setattr(
        attachments.QMessageBox, "warning", lambda parent, title, text: told.append(text)
    )
    window = _window(qtbot, file_desk, who="王芳")
    window.open_case(case.id)
    strip = window.case_view.attachments
    assert strip.list.item(0).text() == "（文件缺失）门缝.jpg"
    strip.open_item(strip.list.item(0))
    assert told and "记录还在" in told[0] and attachment.stored_name.split("/")[-1] in told[0]
    assert file_desk.store.attachments(case.id) == [attachment]


def test_settings_keep_backup_values_and_refuse_silly_ones() -> None:
    import dataclasses

    from showroom_cs.errors import RuleError
    from showroom_cs.settings import settings_from_rows, settings_to_rows, validate_settings

    chosen = dataclasses.replace(Settings(), backup_dir="E:/备份", keep_daily=30, keep_monthly=24)
    assert settings_from_rows(settings_to_rows(chosen)) == chosen
    with pytest.raises(RuleError, match="每日备份请保留 1 到 365 份"):
        validate_settings(dataclasses.replace(Settings(), keep_daily=0))


def test_a_database_path_that_cannot_be_used_is_explained(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    in_the_way = tmp_path / "数据.txt"
    in_the_way.write_text("a file where the data folder should be")
    told: list[str] = []
    monkeypatch.setattr(
        app_module.QMessageBox, "critical", lambda parent, title, text: told.append(text)
    )
    assert app_module.run(in_the_way / "cases.db") == 2
    assert told and "无法打开" in told[0] and "请检查路径与权限" in told[0]


def test_the_start_up_probe_leaves_once_the_first_window_is_painted(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(app_module.STARTUP_PROBE, "1")
    db = _filled(tmp_path / "cases.db", cases=1)
    assert app_module.run(db) == 0  # returns instead of waiting for a login
