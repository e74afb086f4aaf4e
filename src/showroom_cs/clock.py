"""Where the core gets "now" from, so time limits can be tested without sleeping."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    """Local wall-clock time, to the second (the showroom works in local time)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now().replace(microsecond=0)


class FixedClock:
    """A clock that only moves when told to: for tests and the demo generator."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start.replace(microsecond=0)

    def now(self) -> dt.datetime:
        return self._now

    def set(self, moment: dt.datetime) -> None:
        self._now = moment.replace(microsecond=0)

    def advance(self, **delta: float) -> dt.datetime:
        self._now += dt.timedelta(**delta)
        return self._now
