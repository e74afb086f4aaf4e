"""Errors the core raises for people, each carrying a Chinese message.

`RuleError` is the one type for "this operation is refused": a missing field,
an illegal stage move, a role that may not do it. The UI shows `message` as
it is. Environment failures of the database live in `store.errors`.
"""

from __future__ import annotations


class ShowroomError(Exception):
    """Base of every error whose message is meant for the person at the counter."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleError(ShowroomError):
    """An operation refused by a workflow rule, a validation or a permission.

    `missing` names the fields (codes) whose absence caused the refusal, so a
    form can mark them.
    """

    def __init__(self, message: str, *, missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.missing = missing


class PermissionDenied(RuleError):
    """The acting staff member's role may not do this."""


class NotFound(ShowroomError):
    """A case, staff member or record that the caller named does not exist."""
