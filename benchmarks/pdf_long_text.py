"""Printing a description of many short lines: the cost per line must not grow.

    .venv/bin/python benchmarks/pdf_long_text.py

A 5,000-character description may be 2,500 lines of one character (a list
typed line by line). The form lays such text out in boxed segments so each
page split re-measures only its own segment; this prints the cost per line
for a short and a long text and their ratio (about 1 when linear; the
single-box layout it replaced reached 4 at 2,400 lines: 9 s for one form).
"""

from __future__ import annotations

import datetime as dt
import time

from showroom_cs import pdf
from showroom_cs.clock import FixedClock
from showroom_cs.domain import Role
from showroom_cs.operations import CaseDraft, Context, add_staff, register_case
from showroom_cs.store import Store

START = dt.datetime(2026, 11, 23, 10, 0)


def main() -> None:
    store = Store.in_memory()
    clock = FixedClock(START)
    clerk = add_staff(Context(store, clock, None), "王芳", Role.STORE_MANAGER)
    ctx = Context(store, clock, clerk.id)
    numbers = iter(range(10_000_000, 99_999_999))

    def seconds(text: str) -> float:
        draft = CaseDraft(
            customer_name="张伟",
            customer_phone=f"138{next(numbers)}",
            category="安装施工",
            description=text,
            demands=("维修",),
        )
        case = register_case(ctx, draft).after
        began = time.perf_counter()
        pdf.render(store, case, "registration", now=START)
        return time.perf_counter() - began

    seconds("好")  # font and layouts loaded once
    base = min(seconds("好") for _ in range(3))
    few, many = 200, 2400
    per_few = (min(seconds("好\n" * few) for _ in range(3)) - base) / few
    per_many = (min(seconds("好\n" * many) for _ in range(2)) - base) / many
    print(f"one-line form:     {base * 1000:7.1f} ms")
    print(f"{few:5d} lines:       {per_few * 1000:7.3f} ms a line")
    print(f"{many:5d} lines:       {per_many * 1000:7.3f} ms a line")
    print(f"ratio:             {per_many / per_few:7.2f}  (target ≤ 1.5: linear)")


if __name__ == "__main__":
    main()
