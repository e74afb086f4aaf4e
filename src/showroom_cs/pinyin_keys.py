"""Pinyin search keys for customer names, so `zw` or `zhangwei` finds 张伟."""

from __future__ import annotations

from functools import lru_cache

# Surnames that pypinyin reads with their everyday sound instead of the
# surname sound; a clerk types the surname sound.
_SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "仇": "qiu",
    "区": "ou",
    "解": "xie",
    "查": "zha",
    "朴": "piao",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "乐": "yue",
    "尉": "yu",
    "秘": "bi",
    "万俟": "mo qi",
    "尉迟": "yu chi",
}


@lru_cache(maxsize=65536)
def name_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, lower case, letters only.

    Runs without a reading (Latin letters, digits, emoji) count as one
    syllable, of which only the letters are kept.
    """
    # Imported here: pypinyin's tables take a quarter second to load, which the
    # window's start should not wait for (the first registration or search does).
    from pypinyin import lazy_pinyin

    name = name.strip()
    syllables: list[str] = []
    rest = name
    for surname, reading in _SURNAME_READINGS.items():
        if len(surname) > 1 and name.startswith(surname):
            syllables.extend(reading.split())
            rest = name[len(surname) :]
            break
    else:
        if name[:1] in _SURNAME_READINGS:
            syllables.append(_SURNAME_READINGS[name[0]])
            rest = name[1:]
    syllables.extend(lazy_pinyin(rest, errors=lambda chars: chars))
    cleaned = ["".join(ch for ch in s.lower() if "a" <= ch <= "z") for s in syllables]
    cleaned = [s for s in cleaned if s]
    return "".join(cleaned), "".join(s[0] for s in cleaned)
