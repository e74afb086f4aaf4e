"""Chinese phone numbers: validation and normalisation with `phonenumbers`.

Stored form: digits only, landlines with their leading 0 and area code
(`13800138000`, `02161234567`), so that a typed fragment of the number is a
plain substring of what is stored.
"""

from __future__ import annotations

from .errors import RuleError

# phonenumbers is imported inside the functions: its metadata takes ~25 ms to
# load, paid at the first number typed rather than at every start.


def normalize_phone(text: str) -> str:
    """Return the stored form of a CN mobile or landline number, or raise RuleError."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    raw = text.strip()
    if not raw:
        raise RuleError("请填写联系电话。", missing=("customer_phone",))
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        raise RuleError(
            f"联系电话「{raw[:30]}」不是有效的号码：请填写 11 位手机号，或带区号的固定电话（如 021-61234567）。",
            missing=("customer_phone",),
        ) from None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        raise RuleError(
            f"联系电话「{raw[:30]}」不是有效的号码：请填写 11 位手机号，或带区号的固定电话（如 021-61234567）。",
            missing=("customer_phone",),
        )
    national = str(number.national_number)
    if phonenumbers.number_type(number) in (
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return national
    return "0" + national


def is_mobile(stored: str) -> bool:
    return len(stored) == 11 and stored.startswith("1")


def format_phone(stored: str) -> str:
    """Readable form of a stored number: `138 0013 8000`, `021-6123 4567`."""
    import phonenumbers
    from phonenumbers import PhoneNumberFormat

    if not stored:
        return ""
    try:
        number = phonenumbers.parse(stored, "CN")
    except phonenumbers.NumberParseException:
        return stored
    text: str = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    if not is_mobile(stored):
        # "021 6123 4567" -> "021-6123 4567": the area code reads as one unit.
        area, _, rest = text.partition(" ")
        return f"{area}-{rest}" if rest else text
    return text
