"""PINs: checked for shape, stored only as salted scrypt hashes, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from .errors import RuleError

# scrypt with n=2**14, r=8, p=1 takes ~50 ms here: slow for a guesser, quick at the counter.
_N, _R, _P = 2**14, 8, 1
PIN_LENGTHS = range(4, 9)


def check_pin_shape(pin: str) -> str:
    pin = (pin or "").strip()
    if not pin.isdigit() or not pin.isascii() or len(pin) not in PIN_LENGTHS:
        raise RuleError("PIN 请设为 4 到 8 位数字。", missing=("pin",))
    return pin


def hash_pin(pin: str) -> str:
    pin = check_pin_shape(pin)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_pin(pin: str, stored: str | None) -> bool:
    if not stored or not pin:
        return False
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            pin.strip().encode(),
            salt=bytes.fromhex(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected) // 2,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)
