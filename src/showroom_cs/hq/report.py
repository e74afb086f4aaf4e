"""The chain report's figures, read from head office's DuckDB file.

Every figure counts a case once: (门店编码, 投诉编号) in its latest state within
the weeks asked for — the row of the latest week's current file that holds
it (a resent week has replaced the earlier file, so only the resend counts).
Rates are fractions (None when nothing was there to count); the writers
(`xlsx`, `report_pdf`) format them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb

from ..domain import SATISFACTION_LABELS, ClockKind, EscalationLevel, Stage
from ..errors import RuleError
from ..export import week_bounds, week_label

NO_REGION = "未分区"
LIMITS = tuple(kind.label for kind in ClockKind)
_SCORE = " ".join(f"WHEN '{label}' THEN {value}" for value, label in SATISFACTION_LABELS.items())

# Each case once, as it stood in the latest week of the range that holds it:
# made once per report, every figure is counted from it.
_LATEST = f"""
CREATE OR REPLACE TEMP TABLE hq_latest AS
    SELECT r.showroom_code, r.case_no, r.week, r.received_at, r.category, r.category_key,
           r.cause, r.cause_key, r.stage, r.valid, r.overdue, r.close_days, r.closed_at,
           r.satisfaction, r.escalation,
           coalesce(g.region, '未分区') AS region,
           CASE r.satisfaction {_SCORE} END AS score,
           string_split(coalesce(r.clocks, ''), '、') AS had,
           string_split(coalesce(r.overdue_clocks, ''), '、') AS missed
    FROM weekly_rows r LEFT JOIN regions g USING (showroom_code)
    WHERE r.week BETWEEN $first AND $last
    QUALIFY row_number() OVER (PARTITION BY r.showroom_code, r.case_no ORDER BY r.week DESC) = 1
"""


def _limit_columns() -> str:
    parts = []
    for n, label in enumerate(LIMITS):
        parts.append(
            f"count(*) FILTER (WHERE list_contains(had, '{label}')) AS had_{n}, "
            f"count(*) FILTER (WHERE list_contains(had, '{label}') "
            f"AND NOT list_contains(missed, '{label}')) AS met_{n}"
        )
    return ",\n".join(parts)


_FIGURES = f"""
SELECT {{group}} AS grp,
       count(*) AS cases,
       count(*) FILTER (WHERE received_at >= $start AND received_at < $end) AS received,
       count(*) FILTER (WHERE valid = '是') AS valid_yes,
       count(*) FILTER (WHERE valid IN ('是', '否')) AS decided,
       count(*) FILTER (WHERE overdue = '否') AS on_time,
       {_limit_columns()},
       median(close_days) FILTER (WHERE stage = '{Stage.CLOSED.label}'
                                    AND closed_at >= $start AND closed_at < $end) AS median_close,
       avg(score) AS satisfaction,
       count(score) AS rated,
       count(*) FILTER (WHERE escalation IS NOT NULL
                          AND escalation <> '{EscalationLevel.CLERK.label}') AS escalated
FROM hq_latest GROUP BY ALL
"""

FIGURE_COLUMNS = (
    "案件数",
    "新受理",
    "成立率",
    "按时率",
    *(f"按时率·{label}" for label in LIMITS),
    "结案用时中位数(天)",
    "平均满意度",
    "回访评价数",
    "升级件数",
)
FIGURE_FORMATS = (
    "int",
    "int",
    "pct",
    "pct",
    *("pct" for _ in LIMITS),
    "num1",
    "num2",
    "int",
    "int",
)


@dataclass(frozen=True)
class Table:
    """One table of the report: a sheet of the workbook, a table of the PDF."""

    name: str  # the sheet's name
    title: str
    columns: tuple[str, ...]
    formats: tuple[str, ...]  # per column: text | int | pct | num1 | num2
    rows: list[tuple[Any, ...]]


@dataclass(frozen=True)
class Counted:
    """Cases per week and key (类别 or 原因), long form: week, key, label, count."""

    name: str
    title: str
    rows: list[tuple[str, str, str, int]]


@dataclass(frozen=True)
class ChainReport:
    first_week: str
    last_week: str
    weeks: list[str]
    made_at: dt.datetime
    headline: list[tuple[str, str]]
    chain: dict[str, Any]  # the chain's figures, by FIGURE_COLUMNS
    showrooms: Table
    regions: Table
    weekly: Table
    categories: Counted
    causes: Counted
    missing: Table


def parse_weeks(text: str) -> tuple[str, str]:
    """`2026-W40..2026-W52` (or one week) into its first and last week."""
    first, _, last = text.partition("..")
    first, last = first.strip(), (last or first).strip()
    week_bounds(first)
    week_bounds(last)
    if week_bounds(last)[0] < week_bounds(first)[0]:
        raise RuleError(f"周次范围「{text}」的结束周早于开始周。")
    return first, last


def weeks_between(first: str, last: str) -> list[str]:
    start, _ = week_bounds(first)
    end, _ = week_bounds(last)
    weeks = []
    while start <= end:
        weeks.append(week_label(start.date()))
        start += dt.timedelta(weeks=1)
    return weeks


def _figures(
    con: duckdb.DuckDBPyConnection, group: str, params: dict[str, Any]
) -> dict[Any, dict[str, Any]]:
    cursor = con.execute(_FIGURES.replace("{group}", group), params)
    names = [d[0] for d in cursor.description]
    out: dict[Any, dict[str, Any]] = {}
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        figures: dict[str, Any] = {
            "案件数": row["cases"],
            "新受理": row["received"],
            "成立率": _rate(row["valid_yes"], row["decided"]),
            "按时率": _rate(row["on_time"], row["cases"]),
        }
        for n, label in enumerate(LIMITS):
            figures[f"按时率·{label}"] = _rate(row[f"met_{n}"], row[f"had_{n}"])
        figures["结案用时中位数(天)"] = row["median_close"]
        figures["平均满意度"] = row["satisfaction"]
        figures["回访评价数"] = row["rated"]
        figures["升级件数"] = row["escalated"]
        out[row["grp"]] = figures
    return out


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _empty() -> dict[str, Any]:
    zero = {"案件数", "新受理", "回访评价数", "升级件数"}
    return {column: (0 if column in zero else None) for column in FIGURE_COLUMNS}


def chain_report(
    con: duckdb.DuckDBPyConnection, first: str, last: str, *, today: dt.date, now: dt.datetime
) -> ChainReport:
    """The report's figures for the weeks `first`..`last` (both included)."""
    weeks = weeks_between(first, last)
    con.execute(_LATEST, {"first": first, "last": last})
    try:
        return _report(con, first, last, weeks, today=today, now=now)
    finally:
        con.execute("DROP TABLE IF EXISTS hq_latest")


def _report(
    con: duckdb.DuckDBPyConnection,
    first: str,
    last: str,
    weeks: list[str],
    *,
    today: dt.date,
    now: dt.datetime,
) -> ChainReport:
    start, end = week_bounds(first)[0], week_bounds(last)[1]
    params = {"start": start, "end": end}
    by_room = _figures(con, "showroom_code", params)
    by_region = _figures(con, "region", params)
    chain = _figures(con, "'全连锁'", params).get("全连锁", _empty())
    regions = dict(con.execute("SELECT showroom_code, region FROM regions").fetchall())
    first_weeks = dict(
        con.execute("SELECT showroom_code, min(week) FROM files GROUP BY ALL").fetchall()
    )
    received = {
        (code, week)
        for code, week in con.execute(
            "SELECT showroom_code, week FROM files WHERE is_current AND week BETWEEN ? AND ?",
            [first, last],
        ).fetchall()
    }
    ended = [w for w in weeks if week_bounds(w)[1].date() <= today]
    rooms = sorted(
        code for code in set(first_weeks) | set(regions) if first_weeks.get(code, first) <= last
    )
    room_rows, missing_rows = [], []
    expected_total = 0
    for code in rooms:
        region = regions.get(code, NO_REGION)
        expected = [w for w in ended if w >= first_weeks.get(code, first)]
        got = sum((code, w) in received for w in weeks)
        expected_total += len(expected)
        missing_rows += [(code, region, w) for w in expected if (code, w) not in received]
        figures = by_room.get(code, _empty())
        room_rows.append((code, region, got, len(expected), *(figures[c] for c in FIGURE_COLUMNS)))
    region_names = sorted(
        set(by_region) | {regions.get(c, NO_REGION) for c in rooms},
        key=lambda name: (name == NO_REGION, name),
    )
    region_rows = [
        (
            name,
            sum(1 for c in rooms if regions.get(c, NO_REGION) == name),
            *(by_region.get(name, _empty())[c] for c in FIGURE_COLUMNS),
        )
        for name in region_names
    ]
    region_rows.append(("全连锁", len(rooms), *(chain[c] for c in FIGURE_COLUMNS)))
    categories = _counted(con, params, "received_at", "category_key", "category", "")
    causes = _counted(
        con, params, "closed_at", "cause_key", "cause", f"AND stage = '{Stage.CLOSED.label}'"
    )
    weekly_rows = _weekly(con, params, weeks)
    headline = [
        ("门店", str(len(rooms))),
        ("周报文件", f"{len(received)} / {expected_total}"),
        ("案件", str(chain["案件数"])),
        ("新受理", str(chain["新受理"])),
        ("成立率", percent(chain["成立率"])),
        ("按时率", percent(chain["按时率"])),
        ("平均满意度", number(chain["平均满意度"], 2)),
        ("缺交", str(len(missing_rows))),
    ]
    return ChainReport(
        first_week=first,
        last_week=last,
        weeks=weeks,
        made_at=now,
        headline=headline,
        chain=chain,
        showrooms=Table(
            "门店",
            "各门店",
            ("门店编码", "区域", "收到周报", "应交周报", *FIGURE_COLUMNS),
            ("text", "text", "int", "int", *FIGURE_FORMATS),
            room_rows,
        ),
        regions=Table(
            "区域",
            "各区域与全连锁",
            ("区域", "门店数", *FIGURE_COLUMNS),
            ("text", "int", *FIGURE_FORMATS),
            region_rows,
        ),
        weekly=Table(
            "每周",
            "全连锁每周新受理与结案",
            ("周次", "新受理", "结案", "结案按时率"),
            ("text", "int", "int", "pct"),
            weekly_rows,
        ),
        categories=Counted("类别按周", "投诉类别（按受理周）", categories),
        causes=Counted("原因按周", "问题原因（按结案周，仅版本 2 文件）", causes),
        missing=Table(
            "缺交",
            "缺交的周报（已结束的周里没有收到文件）",
            ("门店编码", "区域", "周次"),
            ("text", "text", "text"),
            missing_rows,
        ),
    )


_ISO_WEEK = "isoyear({c}) || '-W' || lpad(week({c})::VARCHAR, 2, '0')"


def _counted(
    con: duckdb.DuckDBPyConnection,
    params: dict[str, Any],
    when: str,
    key: str,
    label: str,
    extra: str,
) -> list[tuple[str, str, str, int]]:
    """Cases per week of `when` and `key`; a key's label is the one most used."""
    rows = con.execute(
        f"""
        SELECT {_ISO_WEEK.format(c=when)} AS wk, {key}, mode({label}), count(*)
        FROM hq_latest WHERE {when} >= $start AND {when} < $end AND {key} IS NOT NULL {extra}
        GROUP BY ALL ORDER BY wk, {key}
        """,
        params,
    ).fetchall()
    return [(str(w), str(k), str(lbl), int(n)) for w, k, lbl, n in rows]


def _weekly(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], weeks: list[str]
) -> list[tuple[Any, ...]]:
    received = dict(
        con.execute(
            f"SELECT {_ISO_WEEK.format(c='received_at')}, count(*) FROM hq_latest "
            "WHERE received_at >= $start AND received_at < $end GROUP BY ALL",
            params,
        ).fetchall()
    )
    closed = {
        w: (n, on_time)
        for w, n, on_time in con.execute(
            f"SELECT {_ISO_WEEK.format(c='closed_at')}, count(*), "
            "count(*) FILTER (WHERE overdue = '否') FROM hq_latest "
            f"WHERE closed_at >= $start AND closed_at < $end AND stage = '{Stage.CLOSED.label}' "
            "GROUP BY ALL",
            params,
        ).fetchall()
    }
    return [
        (w, received.get(w, 0), closed.get(w, (0, 0))[0], _rate(*closed.get(w, (0, 0))[::-1]))
        for w in weeks
    ]


def pivot(counted: Counted, weeks: list[str], top: int | None = None) -> Table:
    """Weeks down, keys across (the most frequent first; past `top`, one 其余
    column), with a 合计 column."""
    totals: dict[str, int] = {}
    labels: dict[str, str] = {}
    for _w, key, label, n in counted.rows:
        totals[key] = totals.get(key, 0) + n
        labels.setdefault(key, label)
    keys = sorted(totals, key=lambda k: (-totals[k], k))
    shown, rest = (keys, []) if top is None or len(keys) <= top else (keys[:top], keys[top:])
    cells = {(w, k): n for w, k, _label, n in counted.rows}
    rows = []
    for week in weeks:
        values = [cells.get((week, k), 0) for k in shown]
        if rest:
            values.append(sum(cells.get((week, k), 0) for k in rest))
        rows.append((week, *values, sum(cells.get((week, k), 0) for k in keys)))
    columns = ("周次", *(labels[k] for k in shown), *(("其余",) if rest else ()), "合计")
    return Table(
        counted.name, counted.title, columns, ("text", *("int" for _ in columns[1:])), rows
    )


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
