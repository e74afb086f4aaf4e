"""A check for doubled words in what people read: "已已批准", "返工整改：返工整改：".

Two cases are caught:
- a function character that Chinese never doubles (已已, 的的, 了了 …);
- a run of two or more Chinese characters (with a trailing colon, if any)
  repeated at once: a label or word written twice.

Names and reduplicated words (婷婷, 谢谢, 看看) are single characters
doubled and are not function characters: they pass.
"""

from __future__ import annotations

import re

_NEVER_DOUBLED = "已的了在是和与或及为被把将于由对从向给让未请需并且但而则"
_DOUBLED_CHAR = re.compile(f"([{_NEVER_DOUBLED}])\\1")
_DOUBLED_WORD = re.compile(r"([\u4e00-\u9fff]{2,}[：:]?)\1")


def doubled(text: str) -> str | None:
    """The doubled part of `text`, or None."""
    for pattern in (_DOUBLED_CHAR, _DOUBLED_WORD):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return None
