"""Who is logged in, on which database: handed to every page (no globals)."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock
from ..domain import Staff
from ..operations import Context
from ..store import Store


@dataclass
class Session:
    store: Store
    clock: Clock
    staff: Staff

    def ctx(self) -> Context:
        return Context(self.store, self.clock, self.staff.id)
