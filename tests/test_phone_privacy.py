"""Phone validation (CN mobile and landline) and masking of personal data."""

from __future__ import annotations

import pytest

from showroom_cs.errors import RuleError
from showroom_cs.phone import format_phone, normalize_phone
from showroom_cs.pinyin_keys import name_keys
from showroom_cs.privacy import mask_address, mask_name, mask_phone


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("13800138000", "13800138000", "138 0013 8000"),
        ("138 0013 8000", "13800138000", "138 0013 8000"),
        ("+86 138-0013-8000", "13800138000", "138 0013 8000"),
        ("021-61234567", "02161234567", "021-6123 4567"),
        ("(010) 6523 1234", "01065231234", "010-6523 1234"),
    ],
)
def test_valid_numbers_are_stored_as_digits(typed: str, stored: str, shown: str) -> None:
    assert normalize_phone(typed) == stored
    assert format_phone(stored) == shown


@pytest.mark.parametrize(
    "typed", ["12345", "1380013800", "8888888", "abc", "+1 650 253 0000", "13800138000000000"]
)
def test_invalid_numbers_are_refused_with_what_to_type(typed: str) -> None:
    with pytest.raises(RuleError) as refused:
        normalize_phone(typed)
    assert "11 位手机号" in refused.value.message and "带区号的固定电话" in refused.value.message
    assert refused.value.missing == ("customer_phone",)


def test_masking_hides_all_but_what_identifies_a_call() -> None:
    assert mask_name("张伟") == "张**"
    assert mask_name("欧阳娜娜") == "欧**"
    assert mask_name("") == ""
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("02161234567") == "021****4567"
    assert mask_address("幸福里小区 3栋 1202") == "***"


def test_pinyin_keys_use_surname_readings() -> None:
    assert name_keys("张伟") == ("zhangwei", "zw")
    assert name_keys("曾小贤") == ("zengxiaoxian", "zxx")
    assert name_keys("单田芳") == ("shantianfang", "stf")
    assert name_keys("尉迟恭") == ("yuchigong", "ycg")
    assert name_keys("李😀") == ("li", "l")
