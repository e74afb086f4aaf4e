"""A button the user may not use is disabled, with the reason as its tooltip.

The reason is the core's own sentence from the role × action table
(`permissions`), so the window never offers what the core would refuse.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from .. import permissions
from ..permissions import Action
from .session import Session

# What can be done with a database that can only be read: look, and print
# (the print is then not on the timeline: it cannot be written).
WITHOUT_SAVING = frozenset({Action.PRINT_FORM})


def refusal(session: Session, action: Action, *, owns: bool = False) -> str | None:
    if session.read_only and action not in WITHOUT_SAVING:
        return session.read_only
    return permissions.refusal(session.staff, action, owns=owns)


def gate(
    widget: QWidget,
    reason: str | None,
    *,
    ready: bool = True,
    tip: str = "",
    not_ready: str = "",
) -> bool:
    """Enable `widget` when there is no `reason` and it is `ready` (e.g. a row
    is selected); otherwise disable it and say why. Returns whether enabled."""
    enabled = reason is None and ready
    widget.setEnabled(enabled)
    widget.setToolTip(reason or (tip if ready else not_ready or tip))
    return enabled
