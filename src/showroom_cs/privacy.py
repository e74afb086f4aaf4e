"""Masking of customer data for lists and exports (张** / 138****5678)."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """Keep the surname's first character only; the length is not revealed."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "**"


def mask_phone(stored: str) -> str:
    """Keep the first three and last four digits: enough to tell callers apart."""
    digits = "".join(ch for ch in stored if ch.isdigit())
    if len(digits) <= 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(address: str) -> str:
    """No part of a street address survives masking (csv spec)."""
    return "***" if address.strip() else ""
