"""Shared fixtures: a fresh in-memory database per test, a clock that only moves
when told, and the showroom's staff (one per role, two clerks)."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

# Qt must never look for a display in tests (a missing display aborts the run).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

from showroom_cs.auth import hash_pin
from showroom_cs.clock import FixedClock
from showroom_cs.demo import DEMO_STAFF
from showroom_cs.domain import Case, Severity, Staff
from showroom_cs.operations import CaseDraft, Context, add_staff, register_case
from showroom_cs.store import Store

# A Monday morning inside opening hours.
START = dt.datetime(2026, 11, 23, 10, 0)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def store() -> Iterator[Store]:
    db = Store.in_memory()
    yield db
    db.close()


@dataclass
class Desk:
    """The showroom at a test's disposal: staff by name, a context per person."""

    store: Store
    clock: FixedClock
    staff: dict[str, Staff]

    def as_(self, name: str) -> Context:
        return Context(self.store, self.clock, self.staff[name].id)

    @property
    def system(self) -> Context:
        return Context(self.store, self.clock, None)

    def register(self, by: str = "王芳", **overrides: object) -> Case:
        return register_case(self.as_(by), draft(**overrides)).after

    def case(self, case_id: int) -> Case:
        return self.store.case(case_id)


# One per role, the owner first (the first staff member may be added by nobody).
STAFF = DEMO_STAFF[:7]


def draft(**overrides: object) -> CaseDraft:
    values: dict[str, object] = {
        "customer_name": "张伟",
        "customer_phone": "138 0013 8000",
        "category": "安装施工",
        "description": "主卧衣柜左侧门板安装后关不严，缝隙约 5mm",
        "demands": ("维修",),
        "severity": Severity.NORMAL,
        "customer_address": "幸福里小区 3栋 1202",
        "product_category": "衣柜",
        "brand_model": "索菲亚 · 趟门衣柜",
    }
    values.update(overrides)
    return CaseDraft(**values)  # type: ignore[arg-type]


def make_desk(store: Store, clock: FixedClock, *, pins: bool = False) -> Desk:
    """The showroom's people; with `pins`, each has the PIN 1234 (PIN_FILE's)."""
    first = add_staff(Context(store, clock, None), *STAFF[0])
    staff = {first.name: first}
    for name, role in STAFF[1:]:
        staff[name] = add_staff(Context(store, clock, first.id), name, role)
    if pins:
        with store.transaction():
            for member in staff.values():
                store.write_staff({"pin_hash": _pin_hash()}, member.id)
    return Desk(store, clock, staff)


@functools.cache
def _pin_hash() -> str:
    return hash_pin(PIN)  # once: scrypt takes ~50 ms


PIN = "1234"


@pytest.fixture
def pin_file(tmp_path: Path) -> Path:
    """A file only its owner may read, holding the PIN 1234 (the command line's
    way for scheduled jobs; typed at a prompt otherwise)."""
    path = tmp_path / "pin.txt"
    path.write_text(PIN + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def desk(store: Store, clock: FixedClock) -> Desk:
    return make_desk(store, clock)


@pytest.fixture
def make_draft() -> Callable[..., CaseDraft]:
    return draft


def sqlite_error(name: str, english: str, kind: type = sqlite3.OperationalError) -> Exception:
    """The exception sqlite3 raises for the error `name` (SQLITE_IOERR …), code and all."""
    error = kind(english)
    error.sqlite_errorcode = getattr(sqlite3, name)
    error.sqlite_errorname = name
    return error
