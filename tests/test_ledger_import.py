"""Moving in: the showroom's old complaint ledger becomes its history.

One messy ledger (tests/ledgers.py: a merged title, a two-row merged header,
Excel serial dates, dates without a year, two numbers in one phone cell,
blank rows, the header repeated mid-sheet, a duplicate, rows that cannot be
taken) in every format a showroom keeps it in: each row lands in the right
fields and stage or comes back with its reason, all or nothing, and a
second import of the same (or a longer) file adds only what is new.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from showroom_cs import operations as op
from showroom_cs.clock import FixedClock
from showroom_cs.daily import daily_summary
from showroom_cs.domain import Severity, Stage
from showroom_cs.errors import PermissionDenied
from showroom_cs.export import build_week, week_label
from showroom_cs.ledger import (
    Fate,
    Field,
    LedgerError,
    Plan,
    apply_overrides,
    match_columns,
    plan_import,
    read_table,
)
from showroom_cs.ledger.fields import SYNONYMS, match_header
from showroom_cs.ledger.read import decode_text
from showroom_cs.ledger.values import (
    closest_entry,
    read_date,
    read_phones,
    read_satisfaction,
    read_stage,
)
from showroom_cs.operations import imports
from showroom_cs.operations.imports import import_ledger
from showroom_cs.queries import todo_items
from showroom_cs.search import search_case_ids
from showroom_cs.settings import ListEntry, Settings
from showroom_cs.store import Store

from . import ledgers
from .conftest import START, Desk, make_desk
from .invariants import all_problems

DATA = Path(__file__).parent / "data"
FORMATS = ("xlsx", "xls", "ods", "csv-utf8", "csv-utf8-bom", "csv-gbk")
MANAGER = "陈静"


def ledger_file(folder: Path, kind: str) -> Path:
    if kind == "xlsx":
        return ledgers.write_xlsx(folder / "客诉台账.xlsx")
    if kind in ("xls", "ods"):
        return DATA / f"ledger-messy.{kind}"
    encoding = {"csv-utf8": "utf-8", "csv-utf8-bom": "utf-8-sig", "csv-gbk": "gbk"}[kind]
    return ledgers.write_csv(folder / f"客诉台账-{kind}.csv", encoding)


def plan_of(desk: Desk, path: Path, who: str = MANAGER, sheet: str | None = None) -> Plan:
    table = read_table(path, sheet)
    return plan_import(desk.as_(who), table, match_columns(table.headers))


def by_ledger_no(store: Store) -> dict[str | None, int]:
    return {
        row["ledger_no"] or None: row["id"]
        for row in store.query(
            "SELECT c.id, c.ledger_no FROM cases c JOIN ledger_rows r ON r.case_id = c.id"
        )
    }


# ------------------------------------------------------------------ formats


@pytest.mark.parametrize("kind", FORMATS)
def test_every_format_lands_each_row_in_its_stage_or_refuses_it_with_the_reason(
    desk: Desk, tmp_path: Path, kind: str
) -> None:
    plan = plan_of(desk, ledger_file(tmp_path, kind))
    assert plan.table.headers[:8] == (
        "序号",
        "编号",
        "登记日期",
        "顾客",
        "手机",
        "地址",
        "品类",
        "品牌型号",
    )
    assert plan.table.header_rows == (2, 3)
    stages = {r.row.ledger_no or None: r.row.stage for r in plan.to_import}
    assert stages == ledgers.IMPORTED
    refused = {r.number: r.reason for r in plan.refused}
    assert set(refused) == set(ledgers.REFUSED), refused
    for number, reason in ledgers.REFUSED.items():
        assert reason in refused[number], (number, refused[number])
    result = import_ledger(desk.as_(MANAGER), plan, backup_folder=None)
    assert result.imported == len(ledgers.IMPORTED)
    assert all_problems(desk.store) == {}


def test_the_encoding_of_a_csv_is_found_and_said_never_guessed(tmp_path: Path) -> None:
    assert read_table(ledger_file(tmp_path, "csv-gbk")).encoding == "GBK"
    assert read_table(ledger_file(tmp_path, "csv-utf8-bom")).encoding == "UTF-8（带 BOM）"
    assert read_table(ledger_file(tmp_path, "csv-utf8")).encoding == "UTF-8"
    assert "文字编码：GBK" in read_table(ledger_file(tmp_path, "csv-gbk")).describe()
    big5 = tmp_path / "繁體.csv"
    big5.write_bytes("客戶姓名,聯繫電話\n陳先生,0912345678\n".encode("big5") + b"\xff\xfe\x81")
    with pytest.raises(LedgerError, match=r"无法识别「繁體\.csv」的文字编码"):
        read_table(big5)
    assert decode_text("张伟".encode("gb18030"), "x.csv") == ("张伟", "GBK")


def test_files_that_are_no_ledger_are_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="不是能导入的台账文件"):
        read_table(tmp_path / "photo.jpg")
    fake = tmp_path / "损坏.xlsx"
    fake.write_bytes(b"this is not a workbook")
    with pytest.raises(LedgerError, match=r"无法打开「损坏\.xlsx」"):
        read_table(fake)
    with pytest.raises(
        LedgerError, match="没有名为「2025年」的工作表。工作表有：「2026年客诉」、「说明」"
    ):
        read_table(ledgers.write_xlsx(tmp_path / "台账.xlsx"), "2025年")


# ------------------------------------------------------------------ fields


def test_each_imported_case_holds_what_its_row_said(desk: Desk, tmp_path: Path) -> None:
    desk.register()  # 张伟, 138 0013 8000: already a customer
    plan = plan_of(desk, ledger_file(tmp_path, "xlsx"))
    assert plan.customer_counts() == (1, 5)  # 张伟 known; 李娜 王先生 刘女士 吴女士 郑女士 new
    assert "并入已有客户 1 位、新客户 5 位；拒绝 8 行" in plan.summary()
    import_ledger(desk.as_(MANAGER), plan, backup_folder=None)
    ids = by_ledger_no(desk.store)
    manager = desk.staff[MANAGER].id

    first = desk.case(ids["KS-001"])  # serial date, closed, satisfied, owner among the staff
    assert first.case_no == "TS-20260925-001"
    assert first.received_at == dt.datetime(2026, 9, 25)
    assert (first.stage, first.closed_at, first.satisfaction) == (
        Stage.CLOSED,
        dt.datetime(2026, 9, 28),
        4,
    )
    assert (first.category, first.channel, first.product_category) == ("安装施工", "到店", "衣柜")
    assert first.owner_id == desk.staff["李强"].id and first.department == "安装部"
    assert first.closing_actions == "上门调整铰链" and first.valid is True
    assert first.description == "主卧衣柜门关不严\n【台账其他列】备注：老客户"
    assert first.received_by == manager

    second = desk.case(ids["KS-002"])  # two numbers, a landline kept; a name not on the staff
    assert second.customer_phone == "13912345678"
    assert "【其他联系电话】0571-8888 6666" in second.description
    assert "责任人：张工" in second.description and second.owner_id == manager
    assert second.closed_at == dt.datetime(2026, 10, 8)  # 10月8日: the year of receipt
    assert (second.satisfaction, second.product_category, second.channel) == (5, "地板", "来电")

    third = desk.case(ids["KS-003"])  # 10月12日 under a 2026 row; 王先生
    assert third.received_at == dt.datetime(2026, 10, 12)
    assert (third.customer_title, third.stage, third.valid) == ("先生", Stage.IN_PROGRESS, True)
    assert third.investigation_notes == "旧台账处理情况：已联系厂家"

    fourth = desk.case(ids["KS-004"])  # a date-time cell; withdrawn: 不成立
    assert fourth.received_at == dt.datetime(2026, 10, 15, 14, 30)
    assert (fourth.stage, fourth.valid) == (Stage.INVALID, False)
    assert fourth.invalid_explanation == "客户理解，撤回投诉"
    assert fourth.customer_phone == "13612345678" and "135 1234 5678" in fourth.description

    unnumbered = desk.case(ids[None])  # 20261025, 未处理
    assert unnumbered.stage == Stage.REGISTERED and unnumbered.owner_id is None
    assert unnumbered.product_category == "卫浴" and unnumbered.category == "其他"
    assert "投诉类别：漏水" in unnumbered.description

    follow = desk.case(ids["KS-014"])
    assert follow.received_at == dt.datetime(2026, 11, 15)
    assert (follow.stage, follow.customer_phone) == (Stage.FOLLOW_UP, "18600001111")
    assert follow.rectification_result == "已重新安装轨道"
    # The ledger's customer 张伟 is the showroom's: one customer file, three cases.
    same = search_case_ids(desk.store, "13800138000")
    assert set(same) >= {ids["KS-001"], ids["KS-009"]}


def test_a_case_is_numbered_by_its_day_through_the_counters_own_counter(
    desk: Desk, tmp_path: Path
) -> None:
    earlier = desk.register(received_at=dt.datetime(2026, 11, 15, 9, 0))
    assert earlier.case_no == "TS-20261115-001"
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    assert desk.case(by_ledger_no(desk.store)["KS-014"]).case_no == "TS-20261115-002"
    later = desk.register(received_at=dt.datetime(2026, 11, 15, 16, 0))
    assert later.case_no == "TS-20261115-003"


def test_the_timeline_says_where_each_case_came_from_and_rebuilds_it(
    desk: Desk, tmp_path: Path
) -> None:
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    (event,) = desk.store.events(by_ledger_no(desk.store)["KS-002"])
    assert event.kind == "register"
    assert event.note == "从旧台账导入：客诉台账.xlsx「2026年客诉」第 5 行，原编号 KS-002"
    assert event.data["ledger"]["row"] == 5
    assert event.actor_id == desk.staff[MANAGER].id and event.at == START
    assert all_problems(desk.store) == {}


def test_history_makes_no_work_for_anyone(desk: Desk, tmp_path: Path) -> None:
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    store = desk.store
    for table in ("clocks", "notices", "improvements", "contacts", "appointments", "approvals"):
        assert store.scalar(f"SELECT COUNT(*) FROM {table}") == 0, table
    desk.clock.set(START + dt.timedelta(days=30))
    assert op.check_clocks(desk.system) == []
    assert all(not c.overdue and c.escalation_level == 0 for c in store.cases(list(range(1, 8))))
    # Only the open case nobody owns waits on whoever imported it, to be assigned.
    manager = desk.staff[MANAGER]
    todo = todo_items(store, manager, desk.clock.now())
    assert [(store.case(i.case_id).ledger_no, i.what) for i in todo] == [("", "待分派")]
    assert todo_items(store, desk.staff["王芳"], desk.clock.now()) == []
    # The next step starts the limits as usual.
    registered = by_ledger_no(store)[None]
    op.assign(desk.as_(MANAGER), registered, owner_id=desk.staff["李强"].id, department="售后部")
    assert store.clocks(registered, open_only=True)


def test_the_daily_sheet_and_the_weekly_file_take_the_history_in_stride(
    desk: Desk, tmp_path: Path
) -> None:
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    today = daily_summary(desk.store, START.date(), START)
    assert today.received == () and today.moves == ()
    week = build_week(desk.store, week_label(START.date()))
    assert week.rows == len(ledgers.IMPORTED)  # head office counts them by their own dates


def test_the_ledger_number_is_found_from_the_search_box(desk: Desk, tmp_path: Path) -> None:
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    wanted = by_ledger_no(desk.store)["KS-009"]
    assert search_case_ids(desk.store, "KS-009")[0] == wanted
    assert search_case_ids(desk.store, " ks-009 ")[0] == wanted


# ------------------------------------------------------------- re-imports


def test_a_second_import_adds_nothing_and_a_longer_file_only_its_new_rows(
    desk: Desk, tmp_path: Path
) -> None:
    path = ledgers.write_xlsx(tmp_path / "客诉台账.xlsx")
    import_ledger(desk.as_(MANAGER), plan_of(desk, path), backup_folder=None)
    cases = desk.store.scalar("SELECT COUNT(*) FROM cases")
    again = plan_of(desk, path)
    assert again.to_import == [] and len(again.of(Fate.ALREADY)) == 8
    assert again.earlier_imports == ("2026-11-23 10:00 陈静",)
    assert "已从「客诉台账.xlsx」第 4 行导入为 TS-20260925-001" in again.of(Fate.ALREADY)[0].reason
    result = import_ledger(desk.as_(MANAGER), again, backup_folder=None)
    assert result.imported == 0 and result.import_id is None
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == cases

    longer = ledgers.write_xlsx(path, extra_rows=5)  # the showroom kept writing
    plan = plan_of(desk, longer)
    assert sorted(r.row.ledger_no for r in plan.to_import) == [f"KS-{n}" for n in range(100, 105)]
    assert import_ledger(desk.as_(MANAGER), plan, backup_folder=None).imported == 5
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == cases + 5


def test_rows_without_a_number_are_known_by_their_content(desk: Desk, tmp_path: Path) -> None:
    path = tmp_path / "无编号.csv"
    lines = ["日期,客户,电话,问题描述,处理结果", "2026.11.1,钱女士,13700002222,衣柜异味,已除味"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_ledger(desk.as_(MANAGER), plan_of(desk, path), backup_folder=None)
    # The ledger closed a second complaint since, and corrected the first's result.
    lines[1] = lines[1].replace("已除味", "已除味并赠送除味剂")
    lines.insert(1, "2026.11.20,孙先生,13700003333,木门掉漆,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = plan_of(desk, path)
    assert [r.row.values["customer_name"] for r in plan.to_import] == ["孙先生"]
    assert [r.number for r in plan.of(Fate.ALREADY)] == [3]


def test_the_refused_rows_come_back_as_a_workbook_that_imports_once_fixed(
    desk: Desk, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    plan = plan_of(desk, ledgers.write_xlsx(tmp_path / "客诉台账.xlsx"))
    result = import_ledger(
        desk.as_(MANAGER), plan, backup_folder=None, report_folders=[tmp_path / "missing" / "x"]
    )
    assert result.report is not None and result.report.parent == tmp_path / "missing" / "x"
    book = load_workbook(result.report)
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("未导入原因", "原行号", "序号", "编号", "登记日期")
    assert [r[1] for r in rows[1:]] == sorted(ledgers.REFUSED)
    assert "不是有效的号码" in str(rows[1][0]) and rows[1][6] == "12345"
    # The manager fixes two rows and imports the workbook.
    sheet["G2"] = "13812345678"  # KS-005's phone
    sheet["E3"] = "2026.10.21"  # KS-006's date
    book.save(result.report)
    fixed = plan_of(desk, result.report)
    assert sorted(r.row.ledger_no for r in fixed.to_import) == ["KS-005", "KS-006"]
    assert fixed.mapping[:2] == (Field.IGNORE, Field.IGNORE)
    assert import_ledger(desk.as_(MANAGER), fixed, backup_folder=None).imported == 2
    (event,) = desk.store.events(by_ledger_no(desk.store)["KS-005"])
    assert "第 2 行，原编号 KS-005" in event.note


def test_another_import_meanwhile_is_not_taken_twice(desk: Desk, tmp_path: Path) -> None:
    path = ledger_file(tmp_path, "xlsx")
    first, second = plan_of(desk, path), plan_of(desk, path)
    import_ledger(desk.as_(MANAGER), first, backup_folder=None)
    result = import_ledger(desk.as_(MANAGER), second, backup_folder=None)
    assert (result.imported, result.already) == (0, 7)
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == 7


# ------------------------------------------------------------ all or nothing


@pytest.fixture
def file_desk(tmp_path: Path) -> Desk:
    return make_desk(Store.open(tmp_path / "data" / "cases.db"), FixedClock(START))


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            table: conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in (
                "cases",
                "events",
                "case_no_counters",
                "ledger_imports",
                "ledger_rows",
                "audit_log",
            )
        }
    finally:
        conn.close()


def test_a_backup_comes_first_and_the_import_is_in_the_security_log(
    file_desk: Desk, tmp_path: Path
) -> None:
    file_desk.register()
    plan = plan_of(file_desk, ledger_file(tmp_path, "xlsx"))
    result = import_ledger(
        file_desk.as_(MANAGER), plan, backup_folder=tmp_path / "backups", report_folders=[tmp_path]
    )
    assert result.backup is not None and result.backup.name.endswith("-before-import.db")
    assert _counts(result.backup)["cases"] == 1
    (entry,) = op.audit_history(file_desk.as_(MANAGER))
    assert entry.action == op.Audit.IMPORT_LEDGER and entry.by == MANAGER
    assert entry.detail.startswith(
        "从客诉台账.xlsx「2026年客诉」导入 7 件，拒绝 8 行；导入前备份："
    )
    row = file_desk.store.query_one("SELECT * FROM ledger_imports")
    assert row is not None
    assert (row["imported"], row["refused"], row["door"]) == (7, 8, "window")
    assert row["file_sha256"] == plan.table.sha256


def test_a_failure_midway_leaves_nothing_half_imported(
    file_desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_desk.register()
    db = tmp_path / "data" / "cases.db"
    before = _counts(db)
    plan = plan_of(file_desk, ledgers.write_xlsx(tmp_path / "台账.xlsx", extra_rows=1200))
    written = []

    def broken(ctx: op.Context, action: op.Audit, detail: str) -> None:
        written.append(ctx.store.scalar("SELECT COUNT(*) FROM cases"))
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(imports, "record", broken)
    with pytest.raises(Exception, match=r"disk I/O|磁盘|读写"):
        import_ledger(file_desk.as_(MANAGER), plan, backup_folder=tmp_path / "backups")
    assert written == [1 + 1207]  # every case was written when it failed
    assert _counts(db) == before
    assert file_desk.store.scalar("SELECT last_seq FROM case_no_counters") == 1
    monkeypatch.undo()
    assert import_ledger(file_desk.as_(MANAGER), plan, backup_folder=None).imported == 1207


def test_only_a_manager_may_import_or_even_dry_run(desk: Desk, tmp_path: Path) -> None:
    table = read_table(ledger_file(tmp_path, "xlsx"))
    for name in ("王芳", "赵敏", "李强"):
        with pytest.raises(PermissionDenied, match="只有店长、总经理或老板可以"):
            plan_import(desk.as_(name), table, match_columns(table.headers))
    plan = plan_of(desk, table.path)
    with pytest.raises(PermissionDenied, match="不能导入旧台账"):
        import_ledger(desk.as_("王芳"), plan, backup_folder=None)
    assert desk.store.scalar("SELECT COUNT(*) FROM cases") == 0


# ----------------------------------------------------------------- mapping


def test_the_manager_changes_any_match_and_unknown_columns_are_kept(
    desk: Desk, tmp_path: Path
) -> None:
    table = read_table(ledger_file(tmp_path, "xlsx"))
    mapping = match_columns(table.headers)
    assert mapping[table.headers.index("备注")] == Field.OTHER
    changed = apply_overrides(
        table.headers, mapping, {"备注": "不导入", "地址": "customer_address"}
    )
    assert changed[table.headers.index("备注")] == Field.IGNORE
    plan = plan_import(desk.as_(MANAGER), table, changed)
    first = next(r for r in plan.to_import if r.row.ledger_no == "KS-001")
    assert "老客户" not in first.row.values["description"]
    with pytest.raises(LedgerError, match="对应表里的表头「回访人」在工作表中没有"):
        apply_overrides(table.headers, mapping, {"回访人": "其他列"})
    with pytest.raises(LedgerError, match="不认识的字段「电邮」"):
        apply_overrides(table.headers, mapping, {"备注": "电邮"})
    without_phone = apply_overrides(table.headers, mapping, {"手机": "不导入"})
    with pytest.raises(LedgerError, match="还没有为这些必填项选择台账的列：联系电话"):
        plan_import(desk.as_(MANAGER), table, without_phone)


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("客户姓名", Field.CUSTOMER_NAME),
        ("顾客", Field.CUSTOMER_NAME),
        ("联系人", Field.CUSTOMER_NAME),
        ("联系电话", Field.CUSTOMER_PHONE),
        ("手机", Field.CUSTOMER_PHONE),
        ("联系电话（手机）", Field.CUSTOMER_PHONE),
        ("客户联系电话", Field.CUSTOMER_PHONE),
        ("投诉日期", Field.RECEIVED_AT),
        ("登记日期*", Field.RECEIVED_AT),
        ("处理结果", Field.OUTCOME),
        ("处理结果及回访", Field.OUTCOME),
        ("结案 日期", Field.CLOSED_AT),
        ("回访记录", Field.OTHER),
        ("序号", Field.IGNORE),
        ("NO.", Field.LEDGER_NO),
    ],
)
def test_headers_are_matched_by_their_usual_names(header: str, field: Field) -> None:
    assert match_header(header) == field


def test_the_docs_list_the_headers_the_code_matches() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "ledger-import.md").read_text(encoding="utf-8")
    rows = {}
    for line in docs.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[1].startswith("`"):
            rows[cells[1].strip("`")] = tuple(cells[2].split("、"))
    assert rows == {field.value: words for field, words in SYNONYMS.items()}


def test_no_synonym_means_two_fields() -> None:
    seen: dict[str, Field] = {}
    for field, words in SYNONYMS.items():
        for word in words:
            assert seen.setdefault(word, field) == field, word


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (46329, dt.datetime(2026, 11, 3)),
        (46329.5, dt.datetime(2026, 11, 3, 12, 0)),
        ("46329", dt.datetime(2026, 11, 3)),
        ("2026.11.3", dt.datetime(2026, 11, 3)),
        ("2026/11/03", dt.datetime(2026, 11, 3)),
        ("2026-11-3 14:30", dt.datetime(2026, 11, 3, 14, 30)),
        ("2026年11月3日", dt.datetime(2026, 11, 3)),
        ("2026年11月3日14时30分", dt.datetime(2026, 11, 3, 14, 30)),
        ("20261103", dt.datetime(2026, 11, 3)),
        (20261103, dt.datetime(2026, 11, 3)),
        ("11月3日", dt.datetime(2025, 11, 3)),
        ("11-3", dt.datetime(2025, 11, 3)),
        (dt.date(2026, 11, 3), dt.datetime(2026, 11, 3)),
    ],
)
def test_dates_as_ledgers_write_them(cell: object, expected: dt.datetime) -> None:
    assert read_date(cell, 2025, "受理日期").moment == expected  # type: ignore[arg-type]


def test_a_date_without_a_year_follows_the_rows_above_across_new_year(
    desk: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "跨年.csv"
    rows = ["投诉日期,客户姓名,联系电话,投诉内容", "2025.12.28,甲,13700000001,一"]
    rows += ["12月30日,乙,13700000002,二", "1月3日,丙,13700000003,三", "1月5日,丁,13700000004,四"]
    path.write_text("\n".join(rows), encoding="utf-8")
    plan = plan_of(desk, path)
    days = [r.row.values["received_at"].date().isoformat() for r in plan.to_import]
    assert days == ["2025-12-28", "2025-12-30", "2026-01-03", "2026-01-05"]
    assert "受理日期没有写年份，记为 2026-01-03" in plan.to_import[2].row.notes


@pytest.mark.parametrize(
    ("cell", "numbers"),
    [
        ("138 0013 8000", ["13800138000"]),
        ("13800138000.0", ["13800138000"]),
        ("+86 138-0013-8000", ["13800138000"]),
        ("13800138000/13912345678", ["13800138000", "13912345678"]),
        ("13800138000 13912345678", ["13800138000", "13912345678"]),
        ("0571-88886666 13800138000", ["057188886666", "13800138000"]),
        ("手机13800138000，家里0571-88886666", ["13800138000", "057188886666"]),
        ("021 6123 4567 139 1234 5678", ["02161234567", "13912345678"]),
        ("12345", []),
        ("无", []),
    ],
)
def test_phone_cells_as_ledgers_write_them(cell: str, numbers: list[str]) -> None:
    assert read_phones(cell) == numbers


def test_satisfaction_and_status_words() -> None:
    assert [read_satisfaction(x) for x in ("5", "4分", "★★★", "非常不满意", "不满意", "满意")] == [
        5,
        4,
        3,
        1,
        2,
        4,
    ]
    assert read_stage("已结案") == read_stage("是") == Stage.CLOSED
    assert read_stage("未结案") == Stage.IN_PROGRESS
    assert read_stage("已处理待回访") == Stage.FOLLOW_UP
    assert read_stage("不成立") == Stage.INVALID
    assert read_stage("？") is None


def test_list_entries_are_the_showrooms_own_however_it_renamed_them() -> None:
    settings = Settings()
    renamed = dict(settings.lists)
    renamed["category"] = tuple(
        ListEntry(e.key, "安装与施工" if e.key == "安装施工" else e.label)
        for e in settings.lists["category"]
    )
    settings = Settings(lists=renamed)
    exact = closest_entry(settings, "category", "安装与施工")
    assert exact is not None and (exact.key, exact.exact) == ("安装施工", True)
    found = closest_entry(settings, "category", "安装")
    assert found is not None and (found.key, found.label) == ("安装施工", "安装与施工")
    other = closest_entry(settings, "category", "说不清")
    assert other is not None and (other.key, other.exact) == ("其他", False)
    assert Severity.URGENT.value == "urgent"


def test_the_event_data_is_json_a_program_reads(desk: Desk, tmp_path: Path) -> None:
    import_ledger(
        desk.as_(MANAGER), plan_of(desk, ledger_file(tmp_path, "xlsx")), backup_folder=None
    )
    raw = desk.store.scalar("SELECT data FROM events LIMIT 1")
    assert json.loads(raw)["ledger"]["file"] == "客诉台账.xlsx"
