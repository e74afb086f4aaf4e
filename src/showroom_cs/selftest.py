"""`showroom-cs selftest`: the whole product once, on a fresh database.

Meant for the installed (frozen) app: it proves the bundle carries what the
counter needs — SQLite with FTS5, the migrations, the font in both PDFs,
the forms' layouts, the CSV export, the backup, reading and writing
spreadsheets for the ledger import — by doing each for real in
a scratch folder, and says in Chinese which step failed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import operations as op
from .backup import inspect_backup, take_backup
from .call_script import call_kind, script_for, values_for
from .clock import FixedClock
from .daily import daily_summary
from .daily_pdf import render_daily
from .domain import (
    AccountabilityMeasure,
    ContactMethod,
    ContactPurpose,
    Responsibility,
    ReviewItem,
    Role,
    SolutionKind,
)
from .export import export_week, week_label
from .pdf import render
from .search import search_case_ids
from .store import Store, quick_check

# A Monday morning: the walk's times stay inside opening hours and windows.
START = dt.datetime(2026, 11, 23, 10, 0)


@dataclass
class StepResult:
    name: str
    ok: bool
    detail: str
    millis: float


@dataclass
class _Walk:
    folder: Path
    store: Store
    clock: FixedClock
    staff: dict[str, int]
    case_id: int = 0
    case_no: str = ""

    def ctx(self, name: str) -> op.Context:
        return op.Context(self.store, self.clock, self.staff[name])


def run_selftest(db: Path, report: Callable[[StepResult], None]) -> bool:
    """Run every step on a new database at `db` (its PDFs, CSV and backup beside
    it); True if all passed."""
    if db.exists():
        raise FileExistsError(db)
    store = Store.open(db)
    walk = _Walk(db.parent, store, FixedClock(START), {})
    passed = True
    try:
        for name, step in _STEPS:
            began = time.perf_counter()
            try:
                detail = step(walk)
                ok = True
            except Exception as exc:  # each failure is reported, the rest still run
                detail = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
                ok = False
            passed &= ok
            report(StepResult(name, ok, detail, (time.perf_counter() - began) * 1000))
    finally:
        store.close()
    return passed


def _set_up(w: _Walk) -> str:
    manager = op.create_showroom(
        w.store,
        w.clock,
        showroom_name="自检门店",
        showroom_code="TEST01",
        manager_name="陈静",
        manager_role=Role.STORE_MANAGER,
        pin="2468",
    )
    w.staff["陈静"] = manager.id
    for name, role in (("王芳", Role.CLERK), ("李强", Role.INSTALL_MANAGER)):
        w.staff[name] = op.add_staff(w.ctx("陈静"), name, role).id
    return f"数据版本 {w.store.schema_version()}，{len(w.staff)} 名员工"


def _register(w: _Walk) -> str:
    case = op.register_case(
        w.ctx("王芳"),
        op.CaseDraft(
            customer_name="张伟",
            customer_phone="138 0013 8000",
            category="安装施工",
            description="主卧衣柜左侧门板安装后关不严，缝隙约 5mm",
            demands=("维修",),
            product_category="衣柜",
            customer_address="幸福里小区 3栋 1202",
        ),
    ).after
    w.case_id, w.case_no = case.id, case.case_no
    found = search_case_ids(w.store, "衣柜左侧门板")
    if found != [case.id]:
        raise AssertionError("全文检索没有找到刚登记的案件")
    return case.case_no


def _walk_to_closed(w: _Walk) -> str:
    owner = w.staff["李强"]
    op.assign(w.ctx("王芳"), w.case_id, owner_id=owner, department="安装部")
    op.propose_solution(
        w.ctx("李强"),
        w.case_id,
        validity_reason="现场核实，铰链未调好",
        kind=SolutionKind.REPAIR,
        steps="上门调整铰链",
        due_date=START.date() + dt.timedelta(days=2),
        cost_fen=0,
    )
    w.clock.set(START + dt.timedelta(days=1))
    op.record_rectification(w.ctx("李强"), w.case_id, result="已更换铰链，门板闭合正常")
    op.review_case(w.ctx("陈静"), w.case_id, items=[ReviewItem("门板闭合", True)], passed=True)
    w.clock.set(START + dt.timedelta(days=2, hours=0, minutes=40))
    op.record_contact(
        w.ctx("王芳"),
        w.case_id,
        method=ContactMethod.PHONE,
        purpose=ContactPurpose.FOLLOW_UP,
        reached=True,
        satisfaction=5,
        customer_words="满意",
    )
    closed = op.close_case(
        w.ctx("李强"),
        w.case_id,
        cause="铰链未调好",
        actions="上门更换铰链",
        improvement="逐扇检查",
        cause_key="安装施工不规范",
    ).after
    events = len(w.store.events(w.case_id))
    return f"{closed.stage.label}，时间线 {events} 条"


def _pdfs(w: _Walk) -> str:
    case = w.store.case(w.case_id)
    sizes = []
    for form in ("registration", "review"):
        data = render(w.store, case, form, now=w.clock.now())
        if not data.startswith(b"%PDF") or b"FontFile2" not in data:
            raise AssertionError(f"{form} 的 PDF 没有嵌入字体")
        (w.folder / f"{form}.pdf").write_bytes(data)
        sizes.append(f"{len(data) // 1024} KB")
    return "登记表 " + sizes[0] + "，复核意见书 " + sizes[1]


def _manuals(w: _Walk) -> str:
    """The manuals' practices: the call script, the finding, the improvement
    item and the daily summary sheet."""
    case = w.store.case(w.case_id)
    settings = w.store.settings()
    kind = call_kind(case, ContactPurpose.FOLLOW_UP)
    parts = script_for(settings.call_script, kind, values_for(case, settings, "王芳"))
    if not any(case.case_no in part.text for part in parts):
        raise AssertionError("回访话术没有填入投诉编号")
    op.record_accountability(
        w.ctx("陈静"),
        w.case_id,
        responsibility=Responsibility.COMPANY,
        department="安装部",
        measure=AccountabilityMeasure.TRAINING,
    )
    (item,) = op.improvements_of_case(w.store, w.case_id)
    op.complete_improvement(w.ctx("李强"), item.id, "安装部已培训")
    summary = daily_summary(w.store, w.clock.now().date(), w.clock.now())
    data = render_daily(w.store, summary, now=w.clock.now())
    if not data.startswith(b"%PDF") or b"FontFile2" not in data:
        raise AssertionError("每日汇总单的 PDF 没有嵌入字体")
    (w.folder / "daily.pdf").write_bytes(data)
    return f"话术 {len(parts)} 段，责任认定与改进措施已记录，每日汇总单 {len(data) // 1024} KB"


def _export(w: _Walk) -> str:
    manager = w.store.staff_member(w.staff["陈静"])
    path, export = export_week(
        w.store, manager, week_label(START.date()), w.folder / "exports", now=w.clock.now()
    )
    if export.rows != 1 or not path.is_file():
        raise AssertionError(f"周报应有 1 行，实际 {export.rows}")
    return path.name


def _backup(w: _Walk) -> str:
    copy = take_backup(w.store.path or w.folder, w.folder / "backups", "manual", w.clock.now())
    info = inspect_backup(copy)
    if not info.usable or info.cases != 1:
        raise AssertionError(f"备份不可用：{info.problem or info.cases}")
    problems = quick_check(w.store.path or w.folder)
    if problems != ["ok"]:
        raise AssertionError("；".join(problems))
    return copy.name


def _ledger(w: _Walk) -> str:
    """A GBK CSV ledger imported (one row refused); the refused rows' workbook
    (openpyxl) read back (python-calamine): both travel in the bundle."""
    from .ledger import match_columns, plan_import, read_table
    from .operations.imports import import_ledger

    ledger = w.folder / "台账.csv"
    rows = ("投诉日期,客户姓名,联系电话,投诉内容", "2026.11.2,钱女士,137 0000 2222,衣柜异味")
    ledger.write_bytes("\n".join((*rows, "11月3日,孙先生,12345,木门掉漆")).encode("gbk"))
    ctx = w.ctx("陈静")
    table = read_table(ledger)
    plan = plan_import(ctx, table, match_columns(table.headers))
    result = import_ledger(ctx, plan, backup_folder=w.folder / "backups", report_folders=[w.folder])
    if result.imported != 1 or result.report is None:
        raise AssertionError(f"应导入 1 件、拒绝 1 行，实际导入 {result.imported} 件")
    back = read_table(result.report)
    again = plan_import(ctx, back, match_columns(back.headers))
    if [row.number for row in again.refused] != [2]:
        raise AssertionError("未导入行的表格读不回来")
    return f"{table.encoding} 台账导入 1 件，拒绝 1 行：{result.report.name}"


_STEPS: tuple[tuple[str, Callable[[_Walk], str]], ...] = (
    ("建立门店与员工", _set_up),
    ("登记案件并检索", _register),
    ("分派、处理、复核、回访、结案", _walk_to_closed),
    ("生成两份表单 PDF", _pdfs),
    ("话术、责任认定、改进措施、每日汇总", _manuals),
    ("导出总部周报 CSV", _export),
    ("备份并检查数据库", _backup),
    ("导入旧台账", _ledger),
)
