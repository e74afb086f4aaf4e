"""Rebuilding a case from its timeline, as it stood at any moment.

The register event holds every tracked column as (None → value); every
later event holds the columns it changed as (old → new). Replaying them
gives the case's columns as of any time — used by the weekly export, which
reports each case as it was at the end of the week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .domain import Event


def replay(events: Iterable[Event], until: dt.datetime | None = None) -> dict[str, Any] | None:
    """Tracked columns (as stored) after the events up to `until`; None before registration."""
    state: dict[str, Any] | None = None
    for event in events:
        if until is not None and event.at > until:
            break
        if event.kind == "register":
            state = {}
        if state is not None:
            for column, (_, new) in event.changes.items():
                state[column] = new
    return state


def rewind(state: dict[str, Any], later: Iterable[Mapping[str, Sequence[Any]]]) -> dict[str, Any]:
    """The columns as they were before the `later` events' changes (oldest
    first, each column → (old, new)): each is undone, newest first. The same
    answer as replaying up to the first of them, but only the events since
    are read."""
    earlier = dict(state)
    for changes in reversed(list(later)):
        for column, (old, _) in changes.items():
            earlier[column] = old
    return earlier
