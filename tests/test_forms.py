"""The two paper forms as real PDFs: embedded font, exact text, flowing pages, QR codes."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs.cli import main
from showroom_cs.domain import ReviewItem
from showroom_cs.errors import ShowroomError
from showroom_cs.forms import LayoutError, load_layout
from showroom_cs.pdf import PLACEHOLDER, render

from .conftest import START, Desk
from .walk import to_follow_up, to_under_review

TRICKY = "裏面臺灣的櫥櫃門，（全角）、“引号”！Latin ABC-123，数字 4567 & <标签>"


def pdf_text(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    """Extraction breaks lines where the page wrapped them; compare without white space."""
    return re.sub(r"\s+", "", text)


def test_registration_prints_two_copies_with_exact_text(desk: Desk) -> None:
    case = desk.register(description=TRICKY, customer_name="欧阳娜娜")
    data = render(desk.store, case, "registration", now=START)
    pages = pdf_text(data)
    assert len(pages) == 2
    assert "【客户联】" in pages[0] and "【存根联】" in pages[1]
    for page in pages:
        assert squeeze(TRICKY) in squeeze(page)
        assert "欧阳娜娜" in page and "138 0013 8000" in page
        assert "我们将在营业时间 24 小时内与您联系，并在 3 个营业日内反馈处理结果。" in page
        assert "第 1 页 / 共 1 页" in page
        assert "客户签字" in page and "受理人签字" in page
    meta = PdfReader(io.BytesIO(data)).metadata
    assert meta.title == "客户投诉登记表" and meta.subject == case.case_no
    assert meta.author == desk.store.settings().showroom_name


def test_only_the_shipped_font_is_used_and_it_is_embedded(desk: Desk) -> None:
    data = render(desk.store, desk.register(), "registration", now=START)
    fonts = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font.get("/DescendantFonts")
            descriptor = (descendant[0].get_object() if descendant else font)["/FontDescriptor"]
            assert "/FontFile2" in descriptor.get_object()  # the TrueType program itself
    assert len(fonts) == 1 and next(iter(fonts)).endswith("WenQuanYiMicroHei-0")


def test_characters_the_font_lacks_print_as_a_placeholder(desk: Desk) -> None:
    case = desk.register(customer_name="𠮷野", description="门板裂了😭请尽快")
    pages = pdf_text(render(desk.store, case, "registration", now=START))
    assert f"{PLACEHOLDER}野" in pages[0]
    assert f"门板裂了{PLACEHOLDER}请尽快" in squeeze(pages[0])
    assert desk.case(case.id).description == "门板裂了😭请尽快"  # the data keeps the emoji


def test_a_3000_character_description_flows_with_headers_and_page_numbers(desk: Desk) -> None:
    long_text = ("门板开裂，漏水严重，Latin 123 混排。" * 200)[:3000]
    case = desk.register(description=long_text)
    pages = pdf_text(render(desk.store, case, "registration", now=START))
    per_copy = len(pages) // 2
    assert per_copy >= 2 and len(pages) == 2 * per_copy
    for index, page in enumerate(pages):
        number = index % per_copy + 1
        assert "客户投诉登记表" in page and case.case_no in page
        assert f"第 {number} 页 / 共 {per_copy} 页" in page
    # The page header and footer stand between the two halves of a page break.
    decoration = re.compile(
        r"(示例家居建材门店|客户投诉登记表|投诉编号：TS-\d{8}-\d{3}|【客户联】"
        r"|打印时间：[\d\-]+[\d:]+|第\d+页/共\d+页)"
    )
    copy = "".join(decoration.sub("", squeeze(p)) for p in pages[:per_copy])
    assert squeeze(long_text) in copy


@pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbar-tools and poppler-utils are installed by .ci/run",
)
def test_the_qr_code_scans_back_to_the_case_number(desk: Desk, tmp_path: Path) -> None:
    case = desk.register()
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(render(desk.store, case, "registration", now=START))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = next(tmp_path.glob("page*.png"))
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True, check=True
    )
    assert scanned.stdout.strip() == case.case_no


def test_review_opinion_per_round_with_conclusion_and_signatures(desk: Desk) -> None:
    case = to_under_review(desk, desk.register())
    op.review_case(
        desk.as_("陈静"),
        case.id,
        passed=False,
        open_problems="左门仍有 2mm 缝隙",
        items=[ReviewItem("门板闭合", False, "左门缝隙"), ReviewItem("现场清理", True)],
    )
    case = to_follow_up(desk, to_under_review(desk, desk.case(case.id)))
    first = pdf_text(render(desk.store, case, "review", review_round=1, now=START))[0]
    assert "第 1 次复核" in first and "复核意见书" in first
    assert "门板闭合未通过左门缝隙" in squeeze(first) and "现场清理通过" in squeeze(first)
    assert "■ 未通过" in first and "□ 通过" in first and "左门仍有 2mm 缝隙" in first
    assert "复核人" in first and "责任人" in first and "客户验收签字" in first
    second = pdf_text(render(desk.store, case, "review", now=START))[0]
    assert "第 2 次复核" in second and "■ 通过 — 通知客户验收" in second
    with pytest.raises(ShowroomError, match="没有第 5 次复核"):
        render(desk.store, case, "review", review_round=5)
    fresh = desk.register(customer_phone="13912345678")
    with pytest.raises(ShowroomError, match="还没有复核记录"):
        render(desk.store, fresh, "review")


def test_a_broken_layout_names_the_file_and_the_problem(tmp_path: Path) -> None:
    (tmp_path / "registration.toml").write_text('title = "登记表"\n[[sections]\n', "utf-8")
    with pytest.raises(LayoutError, match=r"registration\.toml.*格式有误"):
        load_layout("registration", tmp_path)
    (tmp_path / "registration.toml").write_text(
        'title = "登记表"\n[[sections]]\ntitle = "客户"\n'
        'fields = [{ label = "生日", field = "birthday" }]\n',
        "utf-8",
    )
    with pytest.raises(LayoutError, match="第 1 个栏目的字段「birthday」不存在"):
        load_layout("registration", tmp_path)
    with pytest.raises(LayoutError, match="找不到"):
        load_layout("review", tmp_path)


def test_a_renamed_label_prints_without_code_changes(desk: Desk, tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "forms" / "registration.toml").read_text("utf-8")
    (tmp_path / "registration.toml").write_text(text.replace('"投诉对象"', '"被投诉对象"'), "utf-8")
    page = pdf_text(render(desk.store, desk.register(), "registration", layouts=tmp_path))[0]
    assert "被投诉对象" in page


def test_a_missing_logo_is_fine(desk: Desk, tmp_path: Path) -> None:
    data = render(desk.store, desk.register(), "registration", logo=tmp_path / "none.png")
    assert data.startswith(b"%PDF")


def test_cli_prints_a_form(
    tmp_path: Path, pin_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db), "--cases", "30"]) == 0
    from showroom_cs.store import Store

    store = Store.open(db)
    case_no = store.scalar("SELECT case_no FROM cases ORDER BY id LIMIT 1")
    store.close()
    out = tmp_path / "out" / "form.pdf"
    me = ["--as", "王芳", "--pin-file", str(pin_file)]
    args = ["print", "--db", str(db), case_no, "--form", "registration", *me]
    assert main([*args, "--out", str(out)]) == 0
    assert case_no in pdf_text(out.read_bytes())[0]
    assert main(["print", "--db", str(db), "TS-20990101-001", *me, "--out", str(out)]) == 2
    assert "找不到投诉编号" in capsys.readouterr().err


def test_printing_and_exporting_from_the_app_are_timeline_events(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PySide6")
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from showroom_cs.ui import printing
    from showroom_cs.ui.session import Session

    printed = tmp_path / "printer-output.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return int(QPrintDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    session = Session(desk.store, desk.clock, desk.staff["王芳"])
    case = desk.register(description="门板缝隙")
    assert printing.print_form(session, case, "registration")
    assert len(PdfReader(printed).pages) == 2  # 客户联 and 存根联 went to the printer
    target = printing.export_form(session, case, "registration", target=tmp_path / "x.pdf")
    assert target is not None and case.case_no in pdf_text(target.read_bytes())[0]
    notes = [(e.kind, e.note) for e in desk.store.events(case.id)][-2:]
    assert notes == [
        ("print", "打印客户投诉登记表（2 页）"),
        ("export", "导出客户投诉登记表 PDF：x.pdf"),
    ]


def test_save_and_print_on_the_intake_form(  # type: ignore[no-untyped-def]
    qtbot, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("PySide6")
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    from showroom_cs.ui.intake import IntakePage
    from showroom_cs.ui.session import Session

    printed = tmp_path / "printer-output.pdf"

    def accept(dialog: QPrintDialog) -> int:
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(printed))
        return int(QPrintDialog.DialogCode.Accepted)

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    page = IntakePage(Session(desk.store, desk.clock, desk.staff["王芳"]))
    qtbot.addWidget(page)
    page.fields["customer_phone"].setText("13800138000")
    page.fields["customer_name"].setText("张伟")
    page.fields["description"].setPlainText("门板缝隙")
    page.demand_boxes["维修"].setChecked(True)
    page.fields["category"].setCurrentText("安装施工")
    case_id = page.save_and_print()
    assert case_id is not None and printed.exists()
    assert desk.store.events(case_id)[-1].kind == "print"


def test_the_field_list_in_the_docs_matches_the_renderer() -> None:
    from showroom_cs.forms import FIELD_NAMES

    text = (Path(__file__).parents[1] / "docs" / "forms.md").read_text("utf-8")
    fields_part = text.split("## Fields a box may show", 1)[1]
    documented = re.findall(r"^\| `(\w+)` \|", fields_part, re.MULTILINE)
    assert documented == list(FIELD_NAMES)


def test_body_text_never_runs_into_the_header_or_footer(desk: Desk) -> None:
    """Every fragment of text that is not the header or footer sits between their bands."""
    from showroom_cs.pdf import FOOTER_HEIGHT, HEADER_HEIGHT, MARGIN, PAGE_HEIGHT

    long_text = ("卫生间柜体底板泡胀，边缘起皮。" * 150)[:3000] + "😀"
    case = desk.register(description=long_text, customer_address="幸福里小区" * 20)
    data = render(desk.store, case, "registration", now=START)
    top, bottom = PAGE_HEIGHT - MARGIN - HEADER_HEIGHT, MARGIN + FOOTER_HEIGHT
    decoration = re.compile(r"示例家居建材门店|客户投诉登记表|投诉编号|【|打印时间|第 \d+ 页")
    fragments: list[tuple[str, float]] = []

    def visit(text, cm, tm, font_dict, font_size):  # type: ignore[no-untyped-def]
        if text.strip():
            fragments.append((text, tm[5] * cm[3] + cm[5]))

    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=visit)
    body = [(text, y) for text, y in fragments if not decoration.search(text)]
    assert len(body) > 100
    outside = [(text[:10], round(y)) for text, y in body if not bottom <= y <= top]
    assert outside == []


def test_cells_taller_than_a_page_continue_on_the_next(desk: Desk) -> None:
    case = desk.register(
        customer_address="幸福里\n" * 120,
        demand_note="客户要求\n" * 95,
        description="第一行\n" * 400,
    )
    pages = pdf_text(render(desk.store, case, "registration", now=START))
    assert len(pages) >= 6
    # Every line of the tall address printed, in both copies, across the page breaks.
    assert "".join(pages).count("幸福里") == 2 * 120


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('title = "表"\n[[sections]]\ntitle = "a"\nfields = "abc"\n', "fields 应当是"),
        ('title = "表"\n[[sections]]\ntitle = "a"\nfields = [1]\n', "每一项应当是"),
        ('title = "表"\ncopies = 2\n[[sections]]\ntitle = "a"\n', "copies（几联）应当是文字列表"),
        ('title = "表"\ncopies = "客户联"\n[[sections]]\ntitle = "a"\n', "应当是文字列表"),
        ('title = "表"\ncopies = []\n[[sections]]\ntitle = "a"\n', "至少要有一联"),
        (
            'title = "表"\n[[sections]]\ntitle = "a"\nsignatures = "复核人"\n',
            "signatures应当是文字列表",
        ),
        (
            'title = "表"\n[[sections]]\ntitle = "a"\nfields = [{ label = "x", field = "order_no",'
            ' wide = "false" }]\n',
            "wide应当是 true 或 false",
        ),
        ('title = "表"\n[[sections]]\ntitle = "a"\nchecklist = ["项目", "结果"]\n', "应有 3 列"),
        (
            'title = "表"\n[[sections]]\ntitle = "a"\nchecklist = ["a", "b", "c"]\n'
            "column_widths = [nan, nan, nan]\n",
            "数字列表",
        ),
        ('title = "表"\n[[sections]]\ntitle = "a"\ntext_field = ["x"]\n', "text_field应当是"),
    ],
)
def test_layout_mistakes_are_explained_in_chinese(tmp_path: Path, toml: str, words: str) -> None:
    (tmp_path / "review.toml").write_text(toml, "utf-8")
    with pytest.raises(LayoutError) as refused:
        load_layout("review", tmp_path)
    assert words in refused.value.message and "review.toml" in refused.value.message


def test_copies_sharing_a_label_are_numbered_apart_and_statements_print(
    desk: Desk, tmp_path: Path
) -> None:
    (tmp_path / "registration.toml").write_text(
        'title = "登记表"\ncopies = ["客户联", "客户联"]\n[[sections]]\ntitle = "说明"\n'
        'statement = "本表一式两份，请妥善保管。"\n',
        "utf-8",
    )
    pages = pdf_text(render(desk.store, desk.register(), "registration", layouts=tmp_path))
    assert len(pages) == 2
    assert all("第 1 页 / 共 1 页" in page and "妥善保管" in page for page in pages)


def test_a_long_showroom_name_shrinks_to_keep_clear_of_the_qr_code(desk: Desk) -> None:
    import dataclasses

    from reportlab.pdfbase.pdfmetrics import stringWidth

    from showroom_cs.pdf import FONT, MARGIN, PAGE_WIDTH

    name = "幸福家居建材广场" * 7 + "（示范店）"
    with desk.store.transaction():
        desk.store.write_settings(
            dataclasses.replace(
                desk.store.settings(), showroom_name=name, showroom_address="上海市" * 30
            )
        )
    data = render(desk.store, desk.register(), "registration", now=START)
    found = []

    def visit(text, cm, tm, font_dict, size):  # type: ignore[no-untyped-def]
        if text.startswith("幸福家居") or text.startswith("上海市"):
            scale = tm[0] * cm[0] or 1
            found.append((tm[4] * cm[0] + cm[4], stringWidth(text, FONT, size * scale)))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    # One glyph of slack: the extracted text is measured, not the drawn one.
    name_x, name_width = found[0]
    assert name_x + name_width <= PAGE_WIDTH - MARGIN - 22 * 72 / 25.4  # clear of the QR code
    assert all(x + width <= PAGE_WIDTH - MARGIN + 10 for x, width in found)


def test_a_wide_box_split_over_two_pages_keeps_its_width(desk: Desk) -> None:
    """A whole-row box (客户诉求) split at a page's foot wraps at the row's width on both pages."""
    note = "客户要求退换整套柜门" * 48
    straddled = 0
    for length in range(1500, 3000, 150):
        case = desk.register(
            customer_phone=f"1391234{length:04d}",
            description=("门板开裂，漏水严重。" * 300)[:length],
            demand_note=note,
        )
        pages = pdf_text(render(desk.store, case, "registration", now=START))[:3]
        lines = [[line for line in page.split("\n") if "退换" in line] for page in pages]
        straddled += sum(1 for page_lines in lines if page_lines) > 1
        every = [line for page_lines in lines for line in page_lines]
        assert all(len(line) > 30 for line in every[:-1]), every
    assert straddled


PROSE = "卫生间柜体底板泡胀，边缘起皮，客户多次反映无人处理。Latin 123 混排，门板开裂漏水严重。"
SIGNATURE_BLOCK = ("确认签字", "以上内容已与本人核对无误。", "客户签字", "受理人签字")


def prose(length: int) -> str:
    return (PROSE * (length // len(PROSE) + 1))[:length]


def copies_of(pages: list[str]) -> list[list[str]]:
    """The pages of each copy, by the footer's 第 x 页 / 共 y 页."""
    copies: list[list[str]] = []
    for page in pages:
        found = re.search(r"第 (\d+) 页 / 共 (\d+) 页", page)
        assert found, "every page says which page of its copy it is"
        if found.group(1) == "1":
            copies.append([])
        copies[-1].append(page)
        assert int(found.group(2)) == len(copies[-1]) or int(found.group(1)) == len(copies[-1])
    return copies


def body_of(pages: list[str]) -> str:
    """A copy's text without the header and footer repeated on each page."""
    decoration = re.compile(
        r"(示例家居建材门店|客户投诉登记表|复核意见书|投诉编号：TS-\d{8}-\d{3}|【客户联】|【存根联】"
        r"|打印时间：[\d\-]+[\d:]+|第\d+页/共\d+页)"
    )
    return "".join(decoration.sub("", squeeze(page)) for page in pages)


def assert_signed_on_the_last_page(copy: list[str], block: tuple[str, ...]) -> None:
    *earlier, last = copy
    assert all(words in last for words in block), "the whole signature block on the last page"
    assert not any(block[-1] in page for page in earlier)


def test_a_2000_character_description_prints_on_two_pages_per_copy(desk: Desk) -> None:
    """It starts under its label on page 1 instead of moving whole to page 2."""
    text = prose(2000)
    case = desk.register(description=text)
    copies = copies_of(pdf_text(render(desk.store, case, "registration", now=START)))
    assert len(copies) == 2
    for copy in copies:
        assert len(copy) <= 2
        assert squeeze(text)[:60] in squeeze(copy[0])  # begins where the label stands
        assert all(case.case_no in page for page in copy)
        assert_signed_on_the_last_page(copy, SIGNATURE_BLOCK)
        assert squeeze(text) in body_of(copy)


@pytest.mark.parametrize(
    ("description", "address", "note"),
    [
        (prose(3000), "幸福里小区 3栋 1202", ""),
        (prose(5000), "幸福里小区 3栋 1202", ""),
        ("\n".join(f"第{i}项：柜门松动" for i in range(1, 400)), "幸福里小区", ""),
        (prose(1990) + "😭🙏\n\n\n\n\n" + prose(600), "幸福里小区" * 100, "客户要求😀" * 80),
    ],
    ids=["3000", "5000", "short-lines", "emoji-long-address"],
)
def test_long_texts_print_whole_with_the_signatures_on_the_last_page(
    desk: Desk, description: str, address: str, note: str
) -> None:
    case = desk.register(description=description, customer_address=address, demand_note=note)
    copies = copies_of(pdf_text(render(desk.store, case, "registration", now=START)))
    printed = squeeze(description.replace("😭", PLACEHOLDER).replace("🙏", PLACEHOLDER))
    for copy in copies:
        assert squeeze(description)[:40] in squeeze(copy[0])
        assert_signed_on_the_last_page(copy, SIGNATURE_BLOCK)
        body = body_of(copy)
        assert printed in body and squeeze(address) in body
        assert squeeze(note.replace("😀", PLACEHOLDER)) in body


def test_a_box_label_is_never_left_alone_at_the_foot_of_a_page(desk: Desk) -> None:
    """However far down the page 投诉内容 falls, its first lines print beside it."""
    opening = "第一句：柜门开裂。"
    for lines in range(14, 30):
        case = desk.register(
            customer_phone=f"1391234{lines:04d}",
            customer_address="幸福里\n" * lines,
            description=opening + prose(1500),
        )
        pages = pdf_text(render(desk.store, case, "registration", now=START))
        label = next(i for i, page in enumerate(pages) if "投诉内容" in page)
        assert opening in squeeze(pages[label]), f"{lines} address lines"


def test_a_long_review_opinion_flows_with_its_signatures_on_the_last_page(desk: Desk) -> None:
    case = to_under_review(desk, desk.register(description=prose(2000)))
    op.review_case(
        desk.as_("陈静"),
        case.id,
        passed=False,
        open_problems=prose(1500),
        items=[ReviewItem("门板闭合", False, prose(300)), ReviewItem("现场清理", True)],
    )
    pages = pdf_text(render(desk.store, desk.case(case.id), "review", now=START))
    assert len(pages) <= 3
    assert squeeze(prose(2000))[:60] in squeeze(pages[0])  # 投诉摘要 starts on page 1
    assert_signed_on_the_last_page(pages, ("签字", "复核人", "责任人", "客户验收签字"))
    body = body_of(pages)
    assert squeeze(prose(2000)) in body and squeeze(prose(1500)) in body
    assert all(f"共 {len(pages)} 页" in page and case.case_no in page for page in pages)


def test_a_run_of_empty_lines_prints_as_one(desk: Desk) -> None:
    case = desk.register(description="左门开裂" + "\n" * 2000 + "右门变形\n\n\n完")
    pages = pdf_text(render(desk.store, case, "registration", now=START))
    assert len(pages) == 2  # one page per copy, not dozens of empty ones
    assert "左门开裂右门变形完" in squeeze(pages[0])
