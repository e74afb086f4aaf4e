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

    @property
    def read_only(self) -> str | None:
        """Why nothing can be saved (the database only opened for reading), or None."""
        if self.store.read_only is None:
            return None
        return f"数据库只能读取，不能保存：{self.store.read_only}"
