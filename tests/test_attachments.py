"""Photos and scans kept with a case: copied whole, voided never deleted."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.domain import AttachmentKind
from showroom_cs.errors import RuleError
from showroom_cs.operations import attachments
from showroom_cs.store import Store, StoreError

from .conftest import START, Desk, make_desk, sqlite_error
from .walk import to_closed

PHOTO = bytes(range(256)) * 40  # 10 KB that is not text


@pytest.fixture
def file_desk(tmp_path: Path) -> Desk:
    return make_desk(Store.open(tmp_path / "cases.db"), FixedClock(START))


def _photo(tmp_path: Path, name: str = "左门缝隙.JPG", data: bytes = PHOTO) -> Path:
    path = tmp_path / "camera" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_photo_is_copied_beside_the_database_and_recorded(
    file_desk: Desk, tmp_path: Path
) -> None:
    case = file_desk.register()
    change = op.add_attachment(file_desk.as_("王芳"), case.id, _photo(tmp_path))
    (attachment,) = file_desk.store.attachments(case.id)
    assert attachment.file_name == "左门缝隙.JPG" and attachment.kind == AttachmentKind.PHOTO
    stored = tmp_path / "cases-attachments" / attachment.stored_name
    assert stored.read_bytes() == PHOTO
    assert attachment.stored_name.startswith(f"{case.case_no}/") and stored.suffix == ".jpg"
    assert file_desk.store.events(case.id)[-1].note == "添加现场照片：左门缝隙.JPG"
    assert change.after.id == case.id
    assert not list(stored.parent.glob("*.part"))


def test_a_signed_form_can_be_added_after_closing(file_desk: Desk, tmp_path: Path) -> None:
    case = to_closed(file_desk, file_desk.register())
    op.add_attachment(
        file_desk.as_("王芳"), case.id, _photo(tmp_path, "登记表.pdf"), AttachmentKind.SIGNED_FORM
    )
    assert [a.kind for a in file_desk.store.attachments(case.id)] == [AttachmentKind.SIGNED_FORM]


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("备注.txt", b"hello", "只能添加照片"),
        ("空.jpg", b"", "是空的"),
    ],
)
def test_wrong_files_are_refused_and_nothing_is_kept(
    file_desk: Desk, tmp_path: Path, name: str, data: bytes, words: str
) -> None:
    case = file_desk.register()
    with pytest.raises(RuleError, match=words):
        op.add_attachment(file_desk.as_("王芳"), case.id, _photo(tmp_path, name, data))
    assert file_desk.store.attachments(case.id) == []
    assert not (tmp_path / "cases-attachments").exists()


def test_too_large_or_missing_files_are_refused(
    file_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = file_desk.register()
    monkeypatch.setattr(attachments, "MAX_BYTES", 1000)
    with pytest.raises(RuleError, match="文件太大"):
        op.add_attachment(file_desk.as_("王芳"), case.id, _photo(tmp_path))
    with pytest.raises(RuleError, match="找不到文件"):
        op.add_attachment(file_desk.as_("王芳"), case.id, tmp_path / "gone.jpg")


def test_a_failed_save_removes_the_copied_file(
    file_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = file_desk.register()

    def power_cut(*args: object, **kwargs: object) -> None:
        raise sqlite_error("SQLITE_IOERR_WRITE", "disk I/O error")

    monkeypatch.setattr(attachments, "commit", power_cut)
    with pytest.raises(StoreError):
        op.add_attachment(file_desk.as_("王芳"), case.id, _photo(tmp_path))
    assert file_desk.store.attachments(case.id) == []
    assert list((tmp_path / "cases-attachments").rglob("*.jpg")) == []


def test_attachments_are_voided_with_a_reason_never_deleted(
    file_desk: Desk, tmp_path: Path
) -> None:
    case = file_desk.register()
    op.add_attachment(file_desk.as_("王芳"), case.id, _photo(tmp_path))
    (attachment,) = file_desk.store.attachments(case.id)
    with pytest.raises(RuleError, match="请填写作废理由"):
        op.void_attachment(file_desk.as_("王芳"), attachment.id, "")
    op.void_attachment(file_desk.as_("王芳"), attachment.id, "拍错了，是别的客户的柜子")
    (voided,) = file_desk.store.attachments(case.id)
    assert voided.voided_at is not None and "拍错了" in voided.void_reason
    assert (tmp_path / "cases-attachments" / voided.stored_name).exists()
    with pytest.raises(sqlite3.IntegrityError, match="附件不能删除，只能作废"):
        file_desk.store.db.conn.execute("DELETE FROM attachments")


def test_an_in_memory_database_cannot_keep_files(desk: Desk, tmp_path: Path) -> None:
    case = desk.register()
    with pytest.raises(RuleError, match="不能保存附件"):
        op.add_attachment(desk.as_("王芳"), case.id, _photo(tmp_path))
