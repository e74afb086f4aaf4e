"""The search box: case numbers, names (also by pinyin), phones, descriptions,
products, and the numbers of cases imported from the old ledger (原编号).

Terms of three or more characters go to the FTS5 trigram index. Shorter
terms cannot: trigram MATCH finds nothing for them, and on SQLite 3.40 a
LIKE on the FTS table misses CJK too; they become LIKE conditions on the
`cases` table instead, walked newest first so the first page comes quickly.
Pure Latin-letter terms also match the pinyin and initials of the customer's
name (`zw`, `zhangwei` → 张伟).
"""

from __future__ import annotations

import re

from .errors import RuleError
from .phone import normalize_phone
from .store import Store

DEFAULT_LIMIT = 200
CASE_NO = re.compile(r"^TS-?(\d{8})-?(\d{3,})$", re.IGNORECASE)
_LETTERS = re.compile(r"^[a-z]+$")
_PHONE_LIKE = re.compile(r"^[\d\s\-+()]+$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_COLUMNS = (
    "case_no",
    "customer_name",
    "customer_phone",
    "description",
    "brand_model",
    "product_category",
)


def normalize_case_no(text: str) -> str | None:
    """`ts20261122003` or a scanned `TS-20261122-003` → `TS-20261122-003`."""
    found = CASE_NO.match(text.strip())
    if not found:
        return None
    return f"TS-{found.group(1)}-{found.group(2)}"


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


MAX_TERMS = 8


def _terms(text: str) -> list[str]:
    """Search terms: a phone number however typed is one term (its stored digits)."""
    if _PHONE_LIKE.match(text):
        try:
            return [normalize_phone(text)]
        except RuleError:
            squeezed = re.sub(r"\D", "", text)
            return [squeezed] if squeezed else []
    return list(dict.fromkeys(t for t in text.split() if t))[:MAX_TERMS]


def _text_condition(term: str, params: list[object]) -> str:
    if len(term) >= 3:
        params.append(_fts_phrase(term))
        return "c.id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?)"
    like = _like(term)
    params.extend([like] * len(_TEXT_COLUMNS))
    return "(" + " OR ".join(f"c.{col} LIKE ? ESCAPE '\\'" for col in _TEXT_COLUMNS) + ")"


def _pinyin_condition(term: str, params: list[object], *, with_text: bool) -> str:
    """Names whose pinyin or initials start with `term`, as index range scans.

    One or two letters are taken as pinyin only (`zw`); longer Latin terms
    may also be a brand or model in the text (`tata`).
    """
    upper = term + "\uffff"
    params.extend([term, upper, term, upper])
    pinyin = (
        "c.id IN (SELECT id FROM cases WHERE name_initials >= ? AND name_initials < ? "
        "UNION ALL SELECT id FROM cases WHERE name_pinyin >= ? AND name_pinyin < ?)"
    )
    if not with_text:
        return pinyin
    return f"({pinyin} OR {_text_condition(term, params)})"


def search_case_ids(
    store: Store, text: str, *, limit: int = DEFAULT_LIMIT, include_voided: bool = False
) -> list[int]:
    """Ids of matching cases, newest first.

    An exact case number comes alone, voided or not: a signed paper of a
    voided case must still open it. A number of the old ledger puts the cases
    imported under it first.
    """
    # A lone surrogate (a broken paste) cannot be encoded for SQLite: drop it.
    text = text.encode("utf-8", "ignore").decode("utf-8")
    text = _CONTROL.sub(" ", text).strip()
    if not text:
        return []
    case_no = normalize_case_no(text)
    if case_no is not None:
        found = store.scalar("SELECT id FROM cases WHERE case_no = ?", (case_no,))
        return [found] if found is not None else ledger_matches(store, text, include_voided=True)
    # A number of the old ledger (原编号) finds its imported case, first.
    ledger = ledger_matches(store, text, include_voided=include_voided)
    terms = _terms(text.lower())
    if not terms:  # only punctuation ("-", "()"): nothing to look for
        return ledger[:limit]
    if ledger:
        rest = _search(store, terms, limit=limit, include_voided=include_voided)
        return list(dict.fromkeys([*ledger, *rest]))[:limit]
    return _search(store, terms, limit=limit, include_voided=include_voided)


def ledger_matches(store: Store, text: str, *, include_voided: bool = False) -> list[int]:
    """Cases imported from the old ledger under this number (any letter case)."""
    voided = "" if include_voided else "AND stage != 'voided' "
    return [
        row[0]
        for row in store.query(
            "SELECT id FROM cases WHERE ledger_no = ? COLLATE NOCASE AND ledger_no != '' "
            f"{voided}ORDER BY id DESC LIMIT 20",
            (" ".join(text.split()),),
        )
    ]


def _search(store: Store, terms: list[str], *, limit: int, include_voided: bool) -> list[int]:
    # A term for the trigram index drives the query: the index hands out its
    # matches newest first and the first page stops early (an IN (subquery)
    # would collect every match before sorting: 1.0 ms against 0.2 ms at
    # 100,000 cases).
    driver = next((t for t in terms if len(t) >= 3 and not _LETTERS.match(t)), None)
    conditions: list[str] = []
    params: list[object] = []
    for term in terms:
        if term is driver:
            continue
        if _LETTERS.match(term):
            conditions.append(_pinyin_condition(term, params, with_text=len(term) >= 3))
        else:
            conditions.append(_text_condition(term, params))
    where = "".join(f" AND {condition}" for condition in conditions)
    if driver is not None:
        # The few voided cases are left out by id, so that a single term reads
        # the index alone; other terms need the case's columns (a join).
        if not include_voided:
            where += " AND f.rowid NOT IN (SELECT id FROM cases WHERE stage = 'voided')"
        source = "cases_fts f JOIN cases c ON c.id = f.rowid" if conditions else "cases_fts f"
        sql = (
            f"SELECT f.rowid FROM {source} "
            f"WHERE cases_fts MATCH ?{where} ORDER BY f.rowid DESC LIMIT ?"
        )
        params = [_fts_phrase(driver), *params]
    else:
        if not include_voided:
            where += " AND c.stage != 'voided'"
        sql = f"SELECT c.id FROM cases c WHERE 1{where} ORDER BY c.id DESC LIMIT ?"
    params.append(limit)
    return [row[0] for row in store.query(sql, params)]
