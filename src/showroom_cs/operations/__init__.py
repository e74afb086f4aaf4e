"""Every write to a case: small functions that check the rules and permissions,
write in one transaction together with the timeline events, and return a
`CaseChange` (before, after, new event ids) for the UI to refresh from."""

from ._common import CaseChange, Context
from .attachments import add_attachment, void_attachment
from .cases import (
    CaseDraft,
    OnSpotSolution,
    add_note,
    edit_case,
    escalate,
    register_case,
    reject_solution,
    reopen_case,
    reveal_phone,
    void_case,
)
from .contact import (
    cancel_appointment,
    close_case,
    complete_visit,
    move_call,
    record_contact,
    reschedule_appointment,
    schedule_visit,
)
from .handling import (
    assign,
    decide_approval,
    format_yuan,
    investigate,
    judge_invalid,
    propose_solution,
    record_rectification,
    report_progress,
    review_case,
    revise_solution,
    suggest_route,
)
from .staff import add_staff, create_showroom, log_in, needs_setup, set_own_pin
from .sweep import check_clocks

__all__ = [
    "CaseChange",
    "CaseDraft",
    "Context",
    "OnSpotSolution",
    "add_attachment",
    "add_note",
    "add_staff",
    "assign",
    "cancel_appointment",
    "check_clocks",
    "close_case",
    "complete_visit",
    "create_showroom",
    "decide_approval",
    "edit_case",
    "escalate",
    "format_yuan",
    "investigate",
    "judge_invalid",
    "log_in",
    "move_call",
    "needs_setup",
    "propose_solution",
    "record_contact",
    "record_rectification",
    "register_case",
    "reject_solution",
    "reopen_case",
    "report_progress",
    "reschedule_appointment",
    "reveal_phone",
    "review_case",
    "revise_solution",
    "schedule_visit",
    "set_own_pin",
    "suggest_route",
    "void_attachment",
    "void_case",
]
