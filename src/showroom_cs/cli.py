"""The `showroom-cs` command: start the app, or run a maintenance command.

showroom-cs [--db PATH] [--demo]          start the desktop app
showroom-cs demo --db PATH --cases N [--seed S]
showroom-cs check --db PATH
showroom-cs schedule --db PATH [--week 2026-W48 | --date 2026-11-23] [--staff NAME] --out FILE.pdf
showroom-cs daily --db PATH [--date 2026-11-23] --out FILE.pdf
showroom-cs backup --db PATH --out DIR
showroom-cs restore --db PATH FILE
showroom-cs import-ledger FILE --db PATH [--sheet NAME] [--map MAP.json] [--dry-run]
showroom-cs selftest --db NEW.db [--no-window]
showroom-cs bench [--cases 100000] [--quick]
showroom-cs hq load|report|regions …        head office (the optional hq extra)
showroom-cs --version
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .cli_auth import PIN_FILE_ENV, pin_on_command_line
from .errors import ShowroomError
from .paths import default_db_path, demo_db_path
from .permissions import Action

if TYPE_CHECKING:  # the commands import what they use when they run
    from .domain import Staff
    from .operations import Context
    from .store import Store

DEMO_CASES = 3000  # a year of complaints at the demo showroom


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="showroom-cs", description="门店客诉台")
    parser.add_argument("--version", action="version", version=f"showroom-cs {__version__}")
    parser.add_argument("--db", type=Path, help="数据库文件（默认在系统的用户数据文件夹中）")
    parser.add_argument(
        "--demo", action="store_true", help=f"用演示数据库启动（首次自动生成 {DEMO_CASES} 件案件）"
    )
    commands = parser.add_subparsers(dest="command")
    demo = commands.add_parser("demo", help="生成演示数据库")
    demo.add_argument("--db", type=Path, required=True, dest="target")
    demo.add_argument("--cases", type=int, default=DEMO_CASES)
    demo.add_argument("--seed", type=int, default=1)
    check = commands.add_parser("check", help="检查数据库：版本、数量、完整性")
    check.add_argument("--db", type=Path, required=True, dest="target")
    weekly = commands.add_parser("export-week", help="导出总部周报 CSV")
    weekly.add_argument("--db", type=Path, required=True, dest="target")
    weekly.add_argument("--week", default=None, help="如 2026-W47（默认上一个完整周）")
    weekly.add_argument("--out", type=Path, required=True, help="保存到的文件夹")
    weekly.add_argument(
        "--full", action="store_true", help="包含完整的客户姓名和电话（仅管理人员，需 --as 和 PIN）"
    )
    _identity(weekly, "导出人（不指定则记为未登录；--full 必须指定）")
    merge = commands.add_parser("merge-weeks", help="总部：合并各门店的周报")
    merge.add_argument("files", type=Path, nargs="+")
    merge.add_argument("--out", type=Path, required=True)
    printing = commands.add_parser("print", help="生成登记表或复核意见书 PDF")
    printing.add_argument("--db", type=Path, required=True, dest="target")
    printing.add_argument("case_no", help="投诉编号，如 TS-20261122-003")
    printing.add_argument("--form", choices=("registration", "review"), default="registration")
    printing.add_argument("--round", type=int, default=None, help="第几次复核（默认最近一次）")
    printing.add_argument("--out", type=Path, required=True)
    _identity(printing, "打印人（表单上有客户的完整信息，需要 PIN）")
    schedule = commands.add_parser("schedule", help="生成上门安排表 PDF（给安装师傅）")
    schedule.add_argument("--db", type=Path, required=True, dest="target")
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--week", default=None, help="如 2026-W48（默认本周）")
    when.add_argument("--date", default=None, help="某一天，如 2026-11-23")
    schedule.add_argument("--staff", default=None, help="只列这位员工的上门（姓名）")
    schedule.add_argument("--out", type=Path, required=True)
    _identity(schedule, "打印人（安排表上有客户的完整电话和地址，需要 PIN）")
    daily = commands.add_parser("daily", help="生成每日汇总单 PDF（晨会用）")
    daily.add_argument("--db", type=Path, required=True, dest="target")
    daily.add_argument("--date", default=None, help="哪一天，如 2026-11-23（默认今天）")
    daily.add_argument("--out", type=Path, required=True)
    backup = commands.add_parser("backup", help="备份数据库到某个文件夹（如U盘）")
    backup.add_argument("--db", type=Path, required=True, dest="target")
    backup.add_argument("--out", type=Path, required=True, help="备份到的文件夹")
    _identity(backup, "备份人（店长、总经理或老板，需要 PIN）")
    restore = commands.add_parser("restore", help="用备份文件恢复数据库（先保留当前数据）")
    restore.add_argument("--db", type=Path, required=True, dest="target")
    restore.add_argument("file", type=Path, help="备份文件")
    _identity(restore, "恢复人（店长、总经理或老板，需要 PIN）")
    ledger = commands.add_parser(
        "import-ledger", help="导入旧的客诉台账（Excel、WPS、LibreOffice 表格或 CSV）"
    )
    ledger.add_argument("file", type=Path, help="台账文件：.xlsx、.xls、.ods 或 .csv")
    ledger.add_argument("--db", type=Path, required=True, dest="target")
    ledger.add_argument("--sheet", default=None, help="工作表名称（默认：第一个认得出表头的）")
    ledger.add_argument(
        "--map",
        type=Path,
        default=None,
        dest="map_file",
        help='列的对应：{"表头": "字段"} 的 JSON 文件',
    )
    ledger.add_argument("--dry-run", action="store_true", help="试运行：只检查并统计，不写入")
    _identity(ledger, "导入人（店长、总经理或老板，需要 PIN；试运行也需要）")
    selftest = commands.add_parser("selftest", help="自检：在新数据库上走一遍全部功能")
    selftest.add_argument("--db", type=Path, required=True, dest="target", help="新的数据库文件")
    selftest.add_argument("--no-window", action="store_true", help="不打开主窗口（没有显示器时）")
    bench = commands.add_parser("bench", help="性能测试：每项与同一次运行中的底线比较")
    bench.add_argument(
        "--cases", type=int, default=None, help="案件数（默认 100000，--quick 为 10000）"
    )
    bench.add_argument("--quick", action="store_true", help="快速：较少案件和重复次数")
    bench.add_argument("--dir", type=Path, default=None, help="放临时数据库的文件夹")
    hq = commands.add_parser(
        "hq", help="总部：载入连锁各门店的周报、生成汇总报告（需安装 hq 扩展）", add_help=False
    )
    hq.add_argument("hq_args", nargs=argparse.REMAINDER)  # read by `main` before parsing
    return parser


def _identity(command: argparse.ArgumentParser, who: str) -> None:
    """--as NAME and where the PIN comes from (never the command line itself)."""
    command.add_argument("--as", dest="as_staff", default=None, metavar="姓名", help=who)
    command.add_argument(
        "--pin-file",
        type=Path,
        default=None,
        help=f"定时任务用：只有本人能读取的 PIN 文件（也可用环境变量 {PIN_FILE_ENV}）",
    )
    # Accepted only to refuse it with the way to do it instead.
    command.add_argument("--pin", default=None, help=argparse.SUPPRESS)


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["hq"]:  # head office's own parser, `hq --help` included
        return _hq(given[1:])
    args = _parser().parse_args(given)
    if getattr(args, "pin", None) is not None:
        print(f"错误：{pin_on_command_line().message}", file=sys.stderr)
        return 2
    try:
        if args.command == "demo":
            return _demo(args.target, args.cases, args.seed)
        if args.command == "check":
            return _check(args.target)
        if args.command == "export-week":
            return _export_week(args.target, args.week, args.out, args.full, _who(args))
        if args.command == "merge-weeks":
            return _merge_weeks(args.files, args.out)
        if args.command == "print":
            return _print(args.target, args.case_no, args.form, args.round, args.out, _who(args))
        if args.command == "schedule":
            return _schedule(args.target, args.week, args.date, args.staff, args.out, _who(args))
        if args.command == "daily":
            return _daily(args.target, args.date, args.out)
        if args.command == "backup":
            return _backup(args.target, args.out, _who(args))
        if args.command == "restore":
            return _restore(args.target, args.file, _who(args))
        if args.command == "import-ledger":
            return _import_ledger(
                args.target, args.file, args.sheet, args.map_file, args.dry_run, _who(args)
            )
        if args.command == "bench":
            return _bench(args.cases, quick=args.quick, folder=args.dir)
        if args.command == "selftest":
            return _selftest(args.target, window=not args.no_window)
        return _run_app(args.db, demo=args.demo)
    except ShowroomError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:
        # A folder given where a file belongs, a full disk, no permission.
        where = f"「{exc.filename}」" if exc.filename else ""
        print(f"错误：无法读写文件{where}：{_in_chinese(exc)}", file=sys.stderr)
        return 2


def _in_chinese(exc: OSError) -> str:
    """What the system said, in Chinese with what to do (the detail goes to the log)."""
    from .errors import disk_full, os_error_text

    logging.getLogger(__name__).warning("command line: %r", exc)
    fix = "请清理磁盘空间或换一个位置" if disk_full(exc) else "请检查位置和权限后重试"
    return f"{os_error_text(exc)}，{fix}。"


def _demo(target: Path, cases: int, seed: int) -> int:
    from .demo import generate
    from .store import Store

    if cases < 1:
        print("错误：--cases 至少为 1。", file=sys.stderr)
        return 2
    if target.exists() and target.stat().st_size > 0:
        print(f"错误：{target} 已存在；演示数据只能写入新文件。", file=sys.stderr)
        return 2
    # Built aside and moved into place whole: a failed run leaves no half database.
    partial = target.with_name(target.name + ".part")
    for leftover in _sqlite_files(partial):
        leftover.unlink(missing_ok=True)
    store = Store.open(partial)
    try:
        result = generate(store, cases, seed=seed)
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    partial.replace(target)
    size_mb = target.stat().st_size / 1e6
    print(
        f"已生成 {result.cases} 件演示案件、{result.staff} 名员工，用时 {result.seconds:.1f} 秒，"
        f"数据库 {size_mb:.1f} MB：{target}"
    )
    return 0


def _sqlite_files(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _check(target: Path) -> int:
    from .queries import stage_counts
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    from .store import SCHEMA_VERSION

    # A check never writes: no upgrade, no journal change, whatever it finds.
    store = Store.open_read_only(target)
    try:
        integrity = [row[0] for row in store.query("PRAGMA integrity_check")]
        version = store.schema_version()
        print(f"数据库：{target}")
        later = "" if version >= SCHEMA_VERSION else "（本软件打开时会先备份再升级）"
        print(f"数据版本：{version}{later}")
        print(f"员工：{store.scalar('SELECT COUNT(*) FROM staff')} 人")
        counts = stage_counts(store)
        print(f"案件：{sum(counts.values())} 件")
        for stage, count in counts.items():
            print(f"  {stage.label}：{count}")
        print(f"时间线事件：{store.scalar('SELECT COUNT(*) FROM events')} 条")
        print("完整性检查：" + ("通过 (ok)" if integrity == ["ok"] else "；".join(integrity)))
    finally:
        store.close()
    return 0 if integrity == ["ok"] else 1


@dataclass(frozen=True)
class Who:
    """Who says they are at the command line, and where their PIN comes from."""

    name: str | None
    pin_file: Path | None


def _who(args: argparse.Namespace) -> Who:
    return Who(args.as_staff, args.pin_file)


def _identify(store: Store, who: Who, action: Action) -> Staff:
    from .cli_auth import identify
    from .clock import SystemClock

    return identify(store, SystemClock(), who.name, who.pin_file, action)


def _cli(store: Store, staff: Staff | None) -> Context:
    """The command line acting as `staff`: its events and log entries say so."""
    from .clock import SystemClock
    from .domain import Door
    from .operations import Context

    return Context(store, SystemClock(), staff.id if staff else None, Door.CLI)


def _export_week(target: Path, week: str | None, out: Path, full: bool, who: Who) -> int:
    import datetime as dt

    from .domain import Door
    from .export import export_week, last_complete_week
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    store = Store.open(target)
    try:
        # A masked file may leave with nobody logged in; a name must be proven.
        actor = None
        if full or who.name:
            actor = _identify(store, who, Action.EXPORT_FULL if full else Action.EXPORT_WEEK)
        path, export = export_week(
            store,
            actor,
            week or last_complete_week(dt.date.today()),
            out,
            full=full,
            door=Door.CLI,
        )
    finally:
        store.close()
    masked = "完整客户信息" if export.full else "客户信息已遮盖"
    print(f"已导出 {export.week}：{export.rows} 件，{masked}，{path}")
    return 0


def _merge_weeks(files: list[Path], out: Path) -> int:
    from .export import merge_weeks

    merged, summary = merge_weeks(files, out)
    print(f"已合并 {len(files)} 个文件：{merged}；门店汇总：{summary}")
    return 0


def _print(target: Path, case_no: str, form: str, round_no: int | None, out: Path, who: Who) -> int:
    from . import operations as op
    from .pdf import form_title, render
    from .search import normalize_case_no
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    store = Store.open(target)
    try:
        staff = _identify(store, who, Action.PRINT_FORM)
        case = store.case_by_no(normalize_case_no(case_no) or case_no)
        if case is None:
            print(f"错误：找不到投诉编号 {case_no}", file=sys.stderr)
            return 2
        data = render(store, case, form, review_round=round_no)
        title = form_title(form)
        if form == "review":
            shown = round_no or store.reviews(case.id)[-1].round
            title += f"（第 {shown} 次）"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        op.record_output(_cli(store, staff), case.id, title, file_name=out.name)
    finally:
        store.close()
    print(f"已生成 {out}（{len(data) // 1024} KB）")
    return 0


def _schedule(
    target: Path,
    week: str | None,
    date: str | None,
    staff: str | None,
    out: Path,
    who_prints: Who,
) -> int:
    import datetime as dt

    from .export import week_bounds, week_label
    from .operations.access import Audit, record
    from .schedule import planned_visits, range_label, render_schedule
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    now = dt.datetime.now().replace(microsecond=0)
    if date is not None:
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(date.strip()), dt.time())
        except ValueError:
            print(f"错误：日期「{date}」格式不对，请写成 2026-11-23 这样。", file=sys.stderr)
            return 2
        end = start + dt.timedelta(days=1)
    else:
        start, end = week_bounds(week or week_label(now.date()))
    store = Store.open(target)
    try:
        printer = _identify(store, who_prints, Action.PRINT_FORM)
        member = None
        if staff is not None:
            # An active person first: a former employee may share the name.
            named = [s for s in store.all_staff() if s.name == staff.strip()]
            member = next((s for s in named if s.active), named[0] if named else None)
            if member is None:
                print(f"错误：找不到名为「{staff}」的员工。", file=sys.stderr)
                return 2
        staff_id = member.id if member else None
        visits = planned_visits(store, start, end, now, staff_id=staff_id)
        data = render_schedule(store, visits, start, end, now, staff=member.name if member else "")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        with store.transaction():
            record(
                _cli(store, printer), Audit.PRINT, f"上门安排表 {range_label(start, end)}：{out}"
            )
    finally:
        store.close()
    who = f"（{member.name}）" if member else ""
    print(f"已生成上门安排表 {range_label(start, end)}{who}：共 {len(visits)} 项上门安排，{out}")
    return 0


def _daily(target: Path, date: str | None, out: Path) -> int:
    import datetime as dt

    from .daily import daily_summary
    from .daily_pdf import render_daily
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    now = dt.datetime.now().replace(microsecond=0)
    day = now.date()
    if date is not None:
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            print(f"错误：日期「{date}」格式不对，请写成 2026-11-23 这样。", file=sys.stderr)
            return 2
    store = Store.open(target)
    try:
        summary = daily_summary(store, day, now)
        data = render_daily(store, summary, now=now)
    finally:
        store.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    counts = "，".join(f"{label} {count}" for label, count in summary.headline())
    print(f"已生成每日汇总单 {day:%Y-%m-%d}：{counts}；{out}")
    return 0


def _backup(target: Path, out: Path, who: Who) -> int:
    import datetime as dt

    from .backup import inspect_backup, record_copy, take_backup
    from .domain import Door
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    store = Store.open(target)
    try:
        staff = _identify(store, who, Action.BACKUP)
        now = dt.datetime.now()
        path = take_backup(target, out, "manual", now)
        record_copy(store, staff, Door.CLI, path, now)
    finally:
        store.close()
    info = inspect_backup(path)
    print(f"已备份 {info.cases} 件案件（数据版本 {info.schema_version}）：{path}")
    return 0


def _restore(target: Path, backup_file: Path, who: Who) -> int:
    """A manager of the current data restores; when the current file cannot be
    read (what a restore is for), a manager of the data being restored."""
    import datetime as dt

    from .backup import backup_folder, record_restored, restore
    from .domain import Door
    from .instance import InstanceLock
    from .store import Store

    if not backup_file.is_file():
        print(f"错误：找不到备份文件 {backup_file}", file=sys.stderr)
        return 2
    configured = ""
    checked_against = backup_file
    if target.exists():
        try:
            store = Store.open(target)
        except ShowroomError:
            pass  # a damaged database is exactly what a restore is for
        else:
            try:
                staff = _identify(store, who, Action.RESTORE)
                configured = store.settings().backup_dir
                checked_against = target
            finally:
                store.close()
    if checked_against == backup_file:
        # Opening a file may upgrade it: the PIN is checked on a copy, and the
        # backup stays as it was.
        with tempfile.TemporaryDirectory() as scratch:
            copy_path = Path(scratch) / "check.db"
            shutil.copyfile(backup_file, copy_path)
            copy = Store.open(copy_path, backup_dir=Path(scratch))
            try:
                staff = _identify(copy, who, Action.RESTORE)
            finally:
                copy.close()
    with InstanceLock(target):  # not while the app has the file open
        now = dt.datetime.now()
        kept = restore(target, backup_file, backup_folder(target, configured), now)
    record_restored(target, staff.id, Door.CLI, backup_file, now)
    store = Store.open(target)  # an older backup is brought up to this version here
    try:
        cases = store.scalar("SELECT COUNT(*) FROM cases")
    finally:
        store.close()
    print(f"已恢复 {cases} 件案件：{target}；恢复前的数据保留在 {kept}")
    return 0


def _import_ledger(
    target: Path, file: Path, sheet: str | None, map_file: Path | None, dry_run: bool, who: Who
) -> int:
    """Even the dry run asks for a manager's PIN: it tells which of the
    ledger's customers the showroom already has."""
    from .ledger.command import run_import
    from .store import Store

    if not target.exists():
        print(f"错误：找不到数据库文件 {target}", file=sys.stderr)
        return 2
    if not file.is_file():
        print(f"错误：找不到台账文件 {file}", file=sys.stderr)
        return 2
    store = Store.open(target)
    try:
        staff = _identify(store, who, Action.IMPORT_LEDGER)
        return run_import(_cli(store, staff), file, sheet=sheet, map_file=map_file, dry_run=dry_run)
    finally:
        store.close()


def _bench(cases: int | None, *, quick: bool, folder: Path | None) -> int:
    from .bench import format_table, run_bench

    count = cases or (10_000 if quick else 100_000)
    began = time.perf_counter()
    print(f"正在生成 {count} 件案件的演示数据库并测量……", flush=True)
    rows = run_bench(count, quick=quick, folder=folder)
    print(format_table(rows))
    print(f"用时 {time.perf_counter() - began:.0f} 秒")
    return 0


def _selftest(target: Path, *, window: bool) -> int:
    from .selftest import StepResult, run_selftest

    if target.exists():
        print(f"错误：{target} 已存在；自检需要一个新的数据库文件。", file=sys.stderr)
        return 2
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def report(step: StepResult) -> None:
        mark = "通过" if step.ok else "失败"
        print(f"[{mark}] {step.name}（{step.millis:.0f} ms）：{step.detail}", flush=True)

    passed = run_selftest(target, report)
    if window:
        began = time.perf_counter()
        try:
            from .qt_platform import check_window

            check_window()
            from .ui.selftest_window import window_check

            detail, ok = window_check(target), True
        except ShowroomError as exc:  # what to install, when Qt cannot show a window
            detail, ok = exc.message, False
        except Exception as exc:  # reported like the other steps
            detail, ok = f"{type(exc).__name__}: {exc}", False
        report(StepResult("打开主窗口", ok, detail, (time.perf_counter() - began) * 1000))
        passed &= ok
    verdict = "自检通过" if passed else "自检失败"
    print(f"{verdict}（{time.perf_counter() - started:.1f} 秒，showroom-cs {__version__}）")
    return 0 if passed else 1


# What `pip install "showroom-cs[hq]"` adds; the counter app needs none of it.
HQ_MODULES = frozenset({"duckdb", "openpyxl"})


def _hq(argv: list[str]) -> int:
    """Head office's commands, imported only when asked for."""
    try:
        from .hq.cli import main as hq_main
    except ImportError as exc:
        if str(exc.name).startswith("showroom_cs.hq"):  # the shop's bundle leaves it out
            missing = "门店安装包不含总部功能"
        elif exc.name in HQ_MODULES:
            missing = f"总部功能需要 {exc.name}，本机尚未安装"
        else:
            raise
        print(
            f'错误：{missing}。请在总部的电脑上安装可选组件：\n    pip install "showroom-cs[hq]"',
            file=sys.stderr,
        )
        return 2
    return hq_main(argv or ["--help"])


def _run_app(db: Path | None, *, demo: bool) -> int:
    from .logs import setup_logging
    from .qt_platform import CannotOpenWindow, check_window

    setup_logging()
    try:
        check_window()  # Qt would abort (SIGABRT) with no word of what is missing
    except CannotOpenWindow as cannot:
        logging.getLogger(__name__).error("cannot open a window: %s", cannot.message)
        raise
    path = db or (demo_db_path() if demo else default_db_path())
    if demo and not path.exists():
        started = time.perf_counter()
        print(f"正在生成演示数据库（{DEMO_CASES} 件案件）……", file=sys.stderr)
        _demo(path, DEMO_CASES, 1)
        print(f"完成，用时 {time.perf_counter() - started:.0f} 秒。", file=sys.stderr)
    from .demo import DEMO_PIN
    from .ui.app import run

    hint = f"演示数据库：每位员工的 PIN 都是 {DEMO_PIN}。" if demo else ""
    return run(path, hint=hint)


if __name__ == "__main__":
    sys.exit(main())
