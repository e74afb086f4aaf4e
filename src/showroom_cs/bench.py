"""`showroom-cs bench`: speed and memory at scale, each next to its raw floor.

Absolute times on a shop PC (or a CI box) are noise; what the design decides
is how far the app is from the same work done with the bare library in the
same run. Each row times the app's path and its floor several times and
judges the ratio of the medians against the row's target.

The window rows (start-up, memory) run the real app and a bare Qt window as
separate processes (`showroom_cs.ui.bench_probe`), so this module stays free
of Qt like the rest of the core.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import operations as op
from .agenda import agenda
from .clock import FixedClock
from .demo import DEMO_PIN, generate
from .domain import CASE_NO_ORDER_SQL, Stage
from .export import NOT_CHANGES, build_all, build_week, week_bounds, week_label
from .forms import Layout, field_values, load_layout
from .pdf import FONT, register_font, render
from .queries import CaseFilter, column_page, stage_counts
from .search import search_case_ids
from .stats import report
from .store import Store
from .store.rows import db_time

Timer = Callable[[], object]
# The longest the window may stop answering during a search (about what a
# hand on the mouse starts to notice).
UI_PAUSE_LIMIT_MS = 100.0
# The longest a save may wait for another program's write before the clerk notices.
WRITE_WAIT_LIMIT_MS = 1000.0
TICK_MS = 10  # the probe's timer, ticking while the search runs
# The benchmark's showroom is five times as busy as the demo's, so 100,000
# cases are years, not decades, and each week and month carries its load.
BENCH_PER_DAY = 40


@dataclass
class Row:
    what: str
    target: float  # the largest acceptable app / floor ratio
    app: list[float]  # milliseconds (or MiB for memory)
    floor: list[float]
    unit: str = "ms"
    note: str = ""
    # The target is a ceiling on the app's median itself, not a ratio (for
    # what has no floor to compare with: a pause the user would feel).
    absolute: bool = False

    @property
    def measured(self) -> bool:
        return bool(self.app) and bool(self.floor)

    @property
    def ratio(self) -> float | None:
        if not self.measured:
            return None
        floor = statistics.median(self.floor)
        return statistics.median(self.app) / floor if floor > 0 else None

    @property
    def within(self) -> bool:
        if self.absolute:
            return self.measured and statistics.median(self.app) <= self.target
        return self.ratio is not None and self.ratio <= self.target


def _times(work: Timer, repeats: int) -> list[float]:
    work()  # caches and lazy imports warmed once, outside the figures
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        samples.append((time.perf_counter() - began) * 1000)
    return samples


@dataclass
class Bench:
    db: Path
    store: Store
    raw: sqlite3.Connection
    now: dt.datetime
    repeats: int


# ------------------------------------------------------------------ rows


def _stage_counts(b: Bench) -> Row:
    return Row(
        "看板阶段计数",
        3,
        _times(lambda: stage_counts(b.store), b.repeats),
        _times(
            lambda: b.raw.execute("SELECT stage, COUNT(*) FROM cases GROUP BY stage").fetchall(),
            b.repeats,
        ),
    )


def _column_page(b: Bench) -> Row:
    # What the board's column model does before its first paint: a page of ids,
    # then the cases of the cards it paints, fetched in one batch of 30.
    stage, page, painted = Stage.IN_PROGRESS, 100, 30

    def app() -> object:
        ids = column_page(b.store, stage, CaseFilter(), b.now, offset=0, limit=page)
        return b.store.cases(ids[:painted])

    def floor() -> object:
        return b.raw.execute(
            "SELECT * FROM cases WHERE stage = ? ORDER BY next_due_at IS NULL, next_due_at, "
            "received_at DESC, id DESC LIMIT ?",
            (stage.value, page),
        ).fetchall()

    return Row("看板一列的第一页卡片", 2, _times(app, b.repeats), _times(floor, b.repeats))


def _search(b: Bench, what: str, term: str, floor_sql: str, *params: str, note: str = "") -> Row:
    """The search box's query for `term`, newest 200, next to one raw query."""
    return Row(
        what,
        2,
        _times(lambda: search_case_ids(b.store, term, limit=200), b.repeats),
        _times(lambda: b.raw.execute(floor_sql, params).fetchall(), b.repeats),
        note=note,
    )


def _search_fts(b: Bench) -> Row:
    term = "密封胶"
    return _search(
        b,
        f"搜索 3 字以上（{term}），最新 200 件",
        term,
        "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY rowid DESC LIMIT 200",
        f'"{term}"',
    )


def _search_two(b: Bench) -> Row:
    term = "漏水"
    return _search(
        b,
        f"搜索 2 字（{term}），最新 200 件",
        term,
        "SELECT id FROM cases WHERE description LIKE ? ORDER BY received_at DESC LIMIT 200",
        f"%{term}%",
        note="底线只查投诉内容一栏；应用查编号、姓名、电话、内容、品牌、品类六栏",
    )


def _search_initials(b: Bench) -> Row:
    term = "zw"
    return _search(
        b,
        f"拼音首字母搜索（{term}）",
        term,
        "SELECT id FROM cases WHERE name_initials >= ? AND name_initials < ? "
        "ORDER BY id DESC LIMIT 200",
        term,
        term + "\uffff",
    )


def _save_case(b: Bench) -> Row:
    clerk = b.store.scalar("SELECT id FROM staff WHERE role = 'clerk' AND active = 1")
    ctx = op.Context(b.store, FixedClock(b.now), clerk)
    numbers = iter(range(10_000_000, 99_999_999))

    def app() -> object:
        draft = op.CaseDraft(
            customer_name="测试客户",
            customer_phone=f"139{next(numbers)}",
            category="安装施工",
            description="衣柜门板关不严，缝隙约 5mm（基准测试）",
            demands=("维修",),
        )
        return op.register_case(ctx, draft)

    # The floor writes a case row into the same table (its indexes and the
    # search index's triggers fire alike) and one event, and commits, on its
    # own connection with the same pragmas: what any save of a case costs.
    raw = sqlite3.connect(b.db, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL"):
        raw.execute(f"PRAGMA {pragma}")
    raw.row_factory = sqlite3.Row
    template = dict(raw.execute("SELECT * FROM cases ORDER BY id DESC LIMIT 1").fetchone())
    del template["id"]
    columns = ", ".join(template)
    marks = ", ".join("?" * len(template))
    floor_numbers = iter(range(1, 10_000_000))

    def floor() -> object:
        row = {**template, "case_no": f"BENCH-{next(floor_numbers):07d}"}
        raw.execute("BEGIN IMMEDIATE")
        case_id = raw.execute(
            f"INSERT INTO cases ({columns}) VALUES ({marks})", list(row.values())
        ).lastrowid
        raw.execute(
            "INSERT INTO events (case_id, at, actor_id, kind, note, changes) "
            "VALUES (?, ?, ?, 'register', '登记', '{}')",
            (case_id, db_time(b.now), clerk),
        )
        return raw.execute("COMMIT")

    try:
        return Row(
            "保存一件新投诉",
            3,
            _times(app, b.repeats * 3),
            _times(floor, b.repeats * 3),
            note="底线：同一张表插入一行（触发同样的索引）加一条事件并提交",
        )
    finally:
        raw.close()


def _floor_page(canvas: Any, layout: Layout, values: dict[str, str], copy: str) -> None:
    """The form's page drawn straight on the canvas: header with its QR code,
    each section's boxes with label and value, signature lines, footer. No
    wrapping, no flowing over pages, no page counting: what platypus adds."""
    from reportlab.graphics.barcode import qrencoder
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    width, height = A4
    left, right, top = 18 * mm, width - 18 * mm, height - 15 * mm
    canvas.setFont(FONT, 11)
    canvas.drawString(left, top - 5 * mm, values.get("showroom", "门店"))
    canvas.setFont(FONT, 18)
    canvas.drawCentredString(width / 2, top - 14 * mm, layout.title)
    canvas.setFont(FONT, 10.5)
    canvas.drawString(left, top - 24 * mm, f"投诉编号：{values['case_no']}")
    canvas.drawRightString(right - 26 * mm, top - 24 * mm, f"【{copy}】")
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(values["case_no"])
    code.make()
    box = 22 * mm / (len(code.modules) + 8)
    for r, row in enumerate(code.modules):
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(right - 22 * mm + (c + 4) * box, top - (r + 5) * box, box, box, 0, 1)
    canvas.line(left, top - 27 * mm, right, top - 27 * mm)
    y, cell = top - 36 * mm, 7 * mm
    half = (right - left) / 2
    for section in layout.sections:
        canvas.setFont(FONT, 11)
        canvas.drawString(left, y, section.title)
        y -= cell + 2 * mm
        canvas.setFont(FONT, 9.5)
        boxes = [(f.label, values.get(f.field, ""), f.wide) for f in section.fields]
        if section.text_field:
            boxes.append((section.title, values.get(section.text_field, ""), True))
        x = left
        for label, value, wide in boxes:
            span = right - left if wide else half
            if (wide and x > left) or x + span > right + 1:
                x, y = left, y - cell
            canvas.setFillColor(colors.HexColor("#eceff1"))
            canvas.rect(x, y, 25 * mm, cell, 1, 1)
            canvas.setFillColor(colors.black)
            canvas.rect(x + 25 * mm, y, span - 25 * mm, cell, 1, 0)
            canvas.drawString(x + 2 * mm, y + 2 * mm, label)
            canvas.drawString(x + 27 * mm, y + 2 * mm, value[:60])
            x += span
        y -= cell + 4 * mm
        if section.statement:
            canvas.drawString(left, y, section.statement)
            y -= cell
        for signer in section.signatures:
            canvas.drawString(left, y, f"{signer}：")
            canvas.line(left + 25 * mm, y - 1, left + 60 * mm, y - 1)
            y -= cell + 3 * mm
    canvas.setFont(FONT, 8.5)
    canvas.drawString(left, 13 * mm, f"打印时间：{values.get('received_at', '')}")
    canvas.drawRightString(right, 13 * mm, "第 1 页 / 共 1 页")


def _pdf(b: Bench) -> Row:
    case = b.store.case(b.store.scalar("SELECT id FROM cases ORDER BY id DESC LIMIT 1"))
    register_font()
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    layout = load_layout("registration")
    values = {**field_values(b.store, case), "case_no": case.case_no}

    def floor() -> bytes:
        out = io.BytesIO()
        canvas = Canvas(out, pagesize=A4)
        for copy in layout.copies:  # 客户联 and 存根联
            _floor_page(canvas, layout, values, copy)
            canvas.showPage()
        canvas.save()
        return out.getvalue()

    return Row(
        "登记表 PDF（两联）",
        2.5,
        _times(lambda: render(b.store, case, "registration", now=b.now), b.repeats),
        _times(floor, b.repeats),
        note="底线：同样的页面（页眉、二维码、各栏格子、签字线、页脚）直接画在画布上",
    )


def _week_csv(b: Bench) -> Row:
    week = week_label(b.now.date() - dt.timedelta(days=7))
    start, end = week_bounds(week)

    def floor() -> str:
        # The same rows: every case with a timeline event in the week, as stored.
        out = io.StringIO()
        writer = csv.writer(out)
        marks = ",".join("?" * len(NOT_CHANGES))
        for row in b.raw.execute(
            "SELECT * FROM cases WHERE id IN (SELECT case_id FROM events WHERE at >= ? AND at < ? "
            f"AND kind NOT IN ({marks})) ORDER BY {', '.join(CASE_NO_ORDER_SQL)}",
            (db_time(start), db_time(end), *NOT_CHANGES),
        ):
            writer.writerow(row)
        return out.getvalue()

    return Row(
        f"总部周报 CSV（{week}，按周末状态）",
        5,
        _times(lambda: build_week(b.store, week), b.repeats),
        _times(floor, b.repeats),
    )


def _traced(b: Bench, work: Timer) -> list[str]:
    """The SQL statements (parameters bound) the app runs for `work`."""
    seen: list[str] = []
    conn = b.store.db.conn
    conn.set_trace_callback(seen.append)
    try:
        work()
    finally:
        conn.set_trace_callback(None)
    return [sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def _stats_month(b: Bench) -> Row:
    start = dt.datetime.combine(b.now.date().replace(day=1), dt.time())
    end = b.now

    def app() -> object:
        return report(b.store, start, end, b.now)

    # The floor runs the very queries the page runs, raw, without the Python
    # that turns their rows into the page's figures.
    statements = _traced(b, app)

    def floor() -> object:
        return [b.raw.execute(sql).fetchall() for sql in statements]

    return Row(
        "统计页一个月的汇总",
        3,
        _times(app, b.repeats),
        _times(floor, b.repeats),
        note=f"底线：同样的 {len(statements)} 条查询",
    )


def _calendar_month(b: Bench) -> Row:
    first = b.now.date().replace(day=1)
    start = dt.datetime.combine(first - dt.timedelta(days=first.weekday()), dt.time())
    end = start + dt.timedelta(days=42)
    window = (db_time(start), db_time(end))

    def floor() -> object:
        return (
            b.raw.execute(
                "SELECT * FROM appointments WHERE starts_at >= ? AND starts_at < ?", window
            ).fetchall(),
            b.raw.execute(
                "SELECT * FROM clocks WHERE due_at >= ? AND due_at < ? "
                "AND met_at IS NULL AND cancelled_at IS NULL",
                window,
            ).fetchall(),
        )

    return Row(
        "回访日历一个月的事项",
        3,
        _times(lambda: agenda(b.store, start, end, b.now), b.repeats),
        _times(floor, b.repeats),
    )


def _all_cases_csv(b: Bench) -> Row:
    def floor() -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        order = ", ".join(CASE_NO_ORDER_SQL)
        for row in b.raw.execute(f"SELECT * FROM cases ORDER BY {order}"):
            writer.writerow(row)
        return out.getvalue()

    return Row(
        "全部案件 CSV",
        2,
        _times(lambda: build_all(b.store, b.now), b.repeats),
        _times(floor, b.repeats),
    )


CORE_ROWS = (
    _stage_counts,
    _column_page,
    _search_fts,
    _search_two,
    _search_initials,
    _save_case,
    _pdf,
    _week_csv,
    _all_cases_csv,
    _stats_month,
    _calendar_month,
)


# ------------------------------------------------------- demo generation


def _demo_rows(db: Path, cases: int) -> tuple[Row, float]:
    """Generate the demo database (timed) and its floor: the same rows written
    with executemany in one transaction into an empty copy of the schema."""
    store = Store.open(db)
    began = time.perf_counter()
    generate(store, cases, seed=1, per_day=BENCH_PER_DAY)
    app_ms = (time.perf_counter() - began) * 1000
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    empty = db.with_name("floor-demo.db")
    Store.open(empty).close()  # the same schema, migrated
    source = sqlite3.connect(db)
    tables = [
        row[0]
        for row in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'cases_fts%' AND name NOT IN ('_sqlite_migrations', 'settings')"
        )
    ]
    data = {t: source.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
    source.close()
    target = sqlite3.connect(empty, isolation_level=None)
    target.execute("PRAGMA synchronous = FULL")
    began = time.perf_counter()
    target.execute("BEGIN")
    for table, rows in data.items():
        if rows:
            marks = ",".join("?" * len(rows[0]))
            target.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows)
    target.execute("COMMIT")
    floor_ms = (time.perf_counter() - began) * 1000
    target.close()
    return Row(f"生成 {cases} 件演示案件", 3, [app_ms], [floor_ms]), app_ms


# ------------------------------------------------------------ the window


def _probe(mode: str, db: Path) -> dict[str, float]:
    """Run `showroom_cs.ui.bench_probe` in a fresh process: the wall time from
    its start to its exit right after the first paint, and its memory then."""
    env = {**os.environ}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "showroom_cs.ui.bench_probe", mode, str(db), DEMO_PIN],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    elapsed = (time.perf_counter() - began) * 1000
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "ms": elapsed}


def _window_rows(db: Path, repeats: int) -> list[Row]:
    app = [_probe("app", db) for _ in range(repeats)]
    floor = [_probe("floor", db) for _ in range(repeats)]
    searching = [_probe("search", db) for _ in range(repeats)]
    startup = Row(
        "启动到看板画出（整个进程）",
        2.5,
        [r["ms"] for r in app],
        [r["ms"] for r in floor],
        note="底线：裸 QMainWindow + 从 SQLite 读 200 行的表格",
    )
    memory = Row(
        "主窗口打开、看板显示时的内存",
        1.5,
        [r["rss_mib"] for r in app],
        [r["rss_mib"] + 2 for r in floor],
        unit="MiB",
        note="底线：同一裸窗口进程的 RSS + 2 MiB",
    )
    search_ms = statistics.median(r["search_ms"] for r in searching)
    responsive = Row(
        "两字搜索时界面计时器最长停顿",
        UI_PAUSE_LIMIT_MS,
        [r["gap_ms"] for r in searching],
        [float(TICK_MS)] * len(searching),
        note=f"底线：计时器间隔；搜索走遍全表用时 {search_ms:.0f} ms；目标为绝对毫秒",
        absolute=True,
    )
    return [startup, memory, responsive]


def _writers_row(folder: Path, writes: int) -> Row:
    """Four programs writing one file at once (two counters, an export, notes
    with backups): the longest any write waited for its turn."""
    from .bench_writers import prepare, run_writers, spread

    db = folder / "writers.db"
    prepare(db)
    writers = run_writers(db, writes=writes)
    means = " / ".join(f"{w.mean_ms:.1f}" for w in writers)
    return Row(
        f"4 个程序同时写入（各 {writes} 次）最长等待",
        WRITE_WAIT_LIMIT_MS,
        [w.slowest_ms for w in writers],
        [w.mean_ms for w in writers],
        note=f"底线列为各程序平均等待 {means} ms，相差 {spread(writers):.1f} 倍；目标为绝对毫秒",
        absolute=True,
    )


# ------------------------------------------------------------ running


def run_bench(cases: int, *, quick: bool, folder: Path | None = None) -> list[Row]:
    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        db = Path(scratch) / "bench.db"
        demo_row, _ = _demo_rows(db, cases)
        store = Store.open(db)
        raw = sqlite3.connect(db)
        now = dt.datetime.now().replace(microsecond=0)
        bench = Bench(db, store, raw, now, repeats)
        rows = [demo_row]
        try:
            rows += [row(bench) for row in CORE_ROWS]
        finally:
            raw.close()
            store.close()
        rows += _window_rows(db, 2 if quick else 3)
        rows.append(_writers_row(Path(scratch), 200 if quick else 500))
    return rows


def format_table(rows: list[Row]) -> str:
    lines = [
        f"{'项目':<26}{'应用 中位':>10}{'最小':>9}{'最大':>9}{'底线':>10}{'倍数':>7}{'目标':>7}  结果"
    ]
    for row in rows:
        target = "≤" + format(row.target, "g") + (row.unit if row.absolute else "")
        if not row.measured:
            lines.append(
                f"{row.what:<26}{'n/a':>10}{'':>9}{'':>9}{'n/a':>10}{'':>7}{target:>7}"
                f"  未测（{row.note}）"
            )
            continue
        app, floor = row.app, row.floor
        ratio = row.ratio
        verdict = "达标" if row.within else "超出"
        shown_ratio = "—" if row.absolute or ratio is None else f"{ratio:.2f}"
        lines.append(
            f"{row.what:<26}{statistics.median(app):>10.1f}{min(app):>9.1f}{max(app):>9.1f}"
            f"{statistics.median(floor):>10.1f}{shown_ratio:>7}"
            f"{target:>7}  {verdict} {row.unit}" + (f"（{row.note}）" if row.note else "")
        )
    within = sum(row.within for row in rows)
    lines.append(f"bench: {within}/{len(rows)} within target")
    return "\n".join(lines)
