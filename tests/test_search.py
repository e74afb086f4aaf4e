"""The search box: long and short Chinese terms, phones, pinyin, case numbers."""

from __future__ import annotations

import pytest

from showroom_cs import operations as op
from showroom_cs.search import normalize_case_no, search_case_ids

from .conftest import Desk

PEOPLE = [
    # name, phone, description, brand/model
    ("张伟", "13800138000", "厨房水槽下方漏水，柜体底板泡胀", "欧派 · 整体橱柜"),
    ("张丽娜", "13912345678", "主卧衣柜门板关不严，缝隙约 5mm", "索菲亚 · 趟门衣柜"),
    ("王芳", "02161234567", "客厅地板起拱，踩上去有响声", "圣象 · 强化复合地板"),
    ("曾小贤", "18612340000", "卫生间花洒漏水", "恒洁 · 淋浴花洒"),
    ("欧阳娜娜", "15012345678", "送货延迟三天未通知", "顾家 · 布艺沙发"),
]


@pytest.fixture
def cases(desk: Desk) -> dict[str, int]:
    ids = {}
    for name, phone, description, brand in PEOPLE:
        ids[name] = desk.register(
            customer_name=name, customer_phone=phone, description=description, brand_model=brand
        ).id
    return ids


def names(desk: Desk, text: str) -> list[str]:
    return [desk.case(i).customer_name for i in search_case_ids(desk.store, text)]


def test_three_or_more_chinese_characters_use_the_full_text_index(desk: Desk, cases) -> None:
    assert names(desk, "柜体底板") == ["张伟"]
    assert names(desk, "门板关不严") == ["张丽娜"]


def test_two_character_chinese_terms_are_found(desk: Desk, cases) -> None:
    # Trigram search finds nothing for two characters; the LIKE path must.
    assert names(desk, "漏水") == ["曾小贤", "张伟"]
    assert names(desk, "起拱") == ["王芳"]


def test_one_character_finds_names_newest_first(desk: Desk, cases) -> None:
    assert names(desk, "张") == ["张丽娜", "张伟"]


def test_phone_substrings_and_spaced_phone_numbers(desk: Desk, cases) -> None:
    assert names(desk, "0013") == ["张伟"]
    assert names(desk, "138 0013 8000") == ["张伟"]
    assert names(desk, "5678") == ["欧阳娜娜", "张丽娜"]
    assert names(desk, "021-6123") == ["王芳"]


def test_pinyin_initials_and_full_pinyin_find_names(desk: Desk, cases) -> None:
    assert names(desk, "zw") == ["张伟"]
    assert names(desk, "zhangwei") == ["张伟"]
    assert names(desk, "ZL") == ["张丽娜"]
    assert names(desk, "zxx") == ["曾小贤"]  # the surname reads zeng, not ceng
    assert names(desk, "oynn") == ["欧阳娜娜"]


def test_brand_and_product_are_searchable(desk: Desk, cases) -> None:
    assert names(desk, "索菲亚") == ["张丽娜"]
    assert names(desk, "恒洁") == ["曾小贤"]


def test_several_terms_must_all_match(desk: Desk, cases) -> None:
    assert names(desk, "张 漏水") == ["张伟"]
    assert names(desk, "漏水 花洒") == ["曾小贤"]


def test_case_numbers_typed_or_scanned_open_one_case(desk: Desk, cases) -> None:
    case_no = desk.case(cases["王芳"]).case_no
    assert search_case_ids(desk.store, case_no) == [cases["王芳"]]
    assert search_case_ids(desk.store, case_no.lower().replace("-", "")) == [cases["王芳"]]
    assert normalize_case_no(" ts-20261123-003 ") == "TS-20261123-003"
    assert search_case_ids(desk.store, "TS-20991231-001") == []


def test_wildcards_and_quotes_are_plain_text(desk: Desk, cases) -> None:
    for text in ("%", "_", '"', "'", "%%%", '"漏水"', "a'b", "*"):
        assert search_case_ids(desk.store, text) == []
    assert search_case_ids(desk.store, "   ") == []


def test_voided_cases_are_hidden_unless_asked_for(desk: Desk, cases) -> None:
    op.void_case(desk.as_("赵敏"), cases["王芳"], "重复登记")
    assert names(desk, "起拱") == []
    assert search_case_ids(desk.store, "起拱", include_voided=True) == [cases["王芳"]]
    # A term for the full-text index, alone and with another term.
    assert names(desk, "地板起拱") == [] and names(desk, "地板起拱 圣象") == []
    assert search_case_ids(desk.store, "地板起拱", include_voided=True) == [cases["王芳"]]
    assert search_case_ids(desk.store, "地板起拱 圣象", include_voided=True) == [cases["王芳"]]


def test_an_edited_description_is_found_by_its_new_words(desk: Desk, cases) -> None:
    op.edit_case(desk.as_("王芳"), cases["王芳"], {"description": "踢脚线脱落"})
    assert names(desk, "踢脚线") == ["王芳"]
    assert names(desk, "起拱") == []


def test_latin_brands_are_found_from_three_letters(desk: Desk, cases) -> None:  # type: ignore[no-untyped-def]
    desk.register(
        customer_name="刘洋",
        customer_phone="13711112222",
        brand_model="TATA · 静音木门",
        description="木门合页异响",
    )
    assert names(desk, "tata") == ["刘洋"]
    # Two letters are read as pinyin initials only, never as a brand fragment.
    assert names(desk, "ta") == []
    assert names(desk, "ly") == ["刘洋"]
