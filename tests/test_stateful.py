"""Random sequences of operations, by random staff, at random times, never leave
an inconsistent case behind (hypothesis stateful testing).

Refused operations are part of the game: a RuleError must leave the database
exactly as it was; anything else (a crash, a half-written step) fails.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.domain import (
    ApprovalStatus,
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from showroom_cs.errors import RuleError
from showroom_cs.store import Store

from .conftest import STAFF, START, draft, make_desk
from .invariants import case_problems

names = st.sampled_from([name for name, _ in STAFF])
texts = st.sampled_from(["", "  ", "门板有缝隙", "已处理😀", "x" * 40])


class CaseDesk(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = Store.in_memory()
        self.desk = make_desk(self.store, FixedClock(START))
        self.case_ids: list[int] = []

    def teardown(self) -> None:
        self.store.close()

    def _try(self, action) -> None:  # type: ignore[no-untyped-def]
        """Run an operation; a refusal must change nothing at all."""
        before = self._fingerprint()
        try:
            action()
        except RuleError as refusal:
            assert refusal.message, "a refusal must say why"
            assert self._fingerprint() == before, f"refused but changed: {refusal.message}"

    def _fingerprint(self) -> tuple[object, ...]:
        return (
            *tuple(
                self.store.scalar(f"SELECT COUNT(*), MAX(rowid) FROM {t}")
                for t in ("events", "cases", "clocks", "approvals", "contacts", "reviews")
            ),
            self.store.scalar("SELECT group_concat(stage) FROM cases"),
        )

    def _case(self, data: st.DataObject) -> int:
        return data.draw(st.sampled_from(self.case_ids))

    @rule(by=names, severity=st.sampled_from(list(Severity)), visit=st.booleans())
    def register(self, by: str, severity: Severity, visit: bool) -> None:
        phone = f"1380013{len(self.case_ids):04d}"
        self._try(
            lambda: self.case_ids.append(
                op.register_case(
                    self.desk.as_(by),
                    draft(severity=severity, needs_visit=visit, customer_phone=phone),
                ).after.id
            )
        )

    @rule(by=names, kind=st.sampled_from([SolutionKind.APOLOGY, SolutionKind.OTHER]))
    def register_on_spot(self, by: str, kind: SolutionKind) -> None:
        spot = op.OnSpotSolution(kind, "当场处理")
        self._try(
            lambda: self.case_ids.append(
                op.register_case(
                    self.desk.as_(by), draft(category="服务态度"), on_spot=spot
                ).after.id
            )
        )

    @rule(hours=st.integers(min_value=1, max_value=60))
    def time_passes(self, hours: int) -> None:
        self.desk.clock.advance(hours=hours)
        op.check_clocks(self.desk.system)

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, owner=names)
    def assign(self, data: st.DataObject, by: str, owner: str) -> None:
        case_id = self._case(data)
        self._try(
            lambda: op.assign(
                self.desk.as_(by), case_id, owner_id=self.desk.staff[owner].id, department="安装部"
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, reason=texts, explanation=texts)
    def judge_invalid(self, data: st.DataObject, by: str, reason: str, explanation: str) -> None:
        case_id = self._case(data)
        self._try(
            lambda: op.judge_invalid(
                self.desk.as_(by), case_id, reason=reason, explanation=explanation
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        data=st.data(),
        by=names,
        kind=st.sampled_from(list(SolutionKind)),
        cost=st.sampled_from([0, 100_00, 800_00, 30_000_00]),
        steps=texts,
    )
    def propose(
        self, data: st.DataObject, by: str, kind: SolutionKind, cost: int, steps: str
    ) -> None:
        case_id = self._case(data)
        due = self.desk.clock.now().date() + dt.timedelta(days=2)
        self._try(
            lambda: op.propose_solution(
                self.desk.as_(by),
                case_id,
                validity_reason="属实",
                kind=kind,
                steps=steps,
                due_date=due,
                cost_fen=cost,
            )
        )

    @precondition(lambda self: self.store.scalar("SELECT COUNT(*) FROM approvals"))
    @rule(data=st.data(), by=names, approve=st.booleans())
    def decide(self, data: st.DataObject, by: str, approve: bool) -> None:
        ids = [row[0] for row in self.store.query("SELECT id FROM approvals")]
        approval_id = data.draw(st.sampled_from(ids))
        self._try(
            lambda: op.decide_approval(
                self.desk.as_(by), approval_id, approve=approve, note="" if approve else "不同意"
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, skip=st.booleans(), result=texts)
    def rectify(self, data: st.DataObject, by: str, skip: bool, result: str) -> None:
        case_id = self._case(data)
        self._try(
            lambda: op.record_rectification(
                self.desk.as_(by), case_id, result=result, skip_review=skip
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, passed=st.booleans(), problems=texts)
    def review(self, data: st.DataObject, by: str, passed: bool, problems: str) -> None:
        case_id = self._case(data)
        items = [ReviewItem("门板", passed, "")]
        self._try(
            lambda: op.review_case(
                self.desk.as_(by), case_id, items=items, passed=passed, open_problems=problems
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(
        data=st.data(),
        by=names,
        purpose=st.sampled_from(list(ContactPurpose)),
        reached=st.booleans(),
        satisfaction=st.one_of(st.none(), st.integers(0, 6)),
    )
    def contact(
        self,
        data: st.DataObject,
        by: str,
        purpose: ContactPurpose,
        reached: bool,
        satisfaction: int | None,
    ) -> None:
        case_id = self._case(data)
        self._try(
            lambda: op.record_contact(
                self.desk.as_(by),
                case_id,
                method=ContactMethod.PHONE,
                purpose=purpose,
                reached=reached,
                satisfaction=satisfaction,
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, cause=texts, improvement=texts)
    def close(self, data: st.DataObject, by: str, cause: str, improvement: str) -> None:
        case_id = self._case(data)
        self._try(
            lambda: op.close_case(
                self.desk.as_(by),
                case_id,
                cause=cause,
                actions="已处理",
                improvement=improvement,
                cause_key="其他",
            )
        )

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, reason=texts)
    def reopen_void_escalate(self, data: st.DataObject, by: str, reason: str) -> None:
        case_id = self._case(data)
        action = data.draw(
            st.sampled_from([op.reopen_case, op.void_case, op.escalate, op.reject_solution])
        )
        self._try(lambda: action(self.desk.as_(by), case_id, reason))

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), by=names, severity=st.sampled_from(list(Severity)))
    def edit(self, data: st.DataObject, by: str, severity: Severity) -> None:
        case_id = self._case(data)
        self._try(lambda: op.edit_case(self.desk.as_(by), case_id, {"severity": severity}))

    @precondition(lambda self: self.case_ids)
    @rule(data=st.data(), satisfaction=st.integers(1, 5), gift=st.booleans())
    def advance(self, data: st.DataObject, satisfaction: int, gift: bool) -> None:
        """One correct step along the main path, so runs reach the later stages."""
        case = self.store.case(self._case(data))
        d = self.desk
        steps = {
            Stage.REGISTERED: lambda: op.assign(
                d.as_("王芳"), case.id, owner_id=d.staff["李强"].id, department="安装部"
            ),
            Stage.INVESTIGATING: lambda: op.propose_solution(
                d.as_("李强"),
                case.id,
                validity_reason="属实",
                kind=SolutionKind.GIFT if gift else SolutionKind.REPAIR,
                steps="处理",
                due_date=d.clock.now().date(),
                cost_fen=300_00 if gift else 0,
            ),
            Stage.IN_PROGRESS: lambda: self._approve_then_rectify(case.id),
            Stage.UNDER_REVIEW: lambda: op.review_case(
                d.as_("陈静"), case.id, items=[ReviewItem("门板", True)], passed=True
            ),
            Stage.FOLLOW_UP: lambda: self._follow_up_or_close(case.id, satisfaction),
        }
        if case.stage in steps:
            self._try(steps[case.stage])

    def _approve_then_rectify(self, case_id: int) -> None:
        for approval in self.store.approvals(case_id):
            if approval.status == ApprovalStatus.PENDING:
                op.decide_approval(self.desk.as_("刘洋"), approval.id, approve=True)
                return
        op.record_rectification(self.desk.as_("李强"), case_id, result="已处理")

    def _follow_up_or_close(self, case_id: int, satisfaction: int) -> None:
        if self.store.case(case_id).satisfaction is None:
            op.record_contact(
                self.desk.as_("王芳"),
                case_id,
                method=ContactMethod.PHONE,
                purpose=ContactPurpose.FOLLOW_UP,
                reached=True,
                satisfaction=satisfaction,
            )
        else:
            op.close_case(
                self.desk.as_("王芳"),
                case_id,
                cause="原因",
                actions="经过",
                improvement="改进",
                cause_key="其他",
            )

    @invariant()
    def every_case_is_consistent(self) -> None:
        for case_id in self.case_ids:
            assert case_problems(self.store, case_id) == []
            # Shown by --hypothesis-show-statistics: how far the runs get.
            event(f"stage reached: {self.store.case(case_id).stage.label}")


CaseDesk.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestCaseDesk = CaseDesk.TestCase
