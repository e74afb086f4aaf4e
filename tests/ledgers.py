"""Messy complaint ledgers as showrooms keep them, for the import's tests.

One ledger, written as .xlsx (openpyxl: a merged title, a two-row merged
header, Excel serial dates, a real date-time cell, blank rows, the header
repeated mid-sheet) and as CSV (UTF-8 with and without BOM, GBK). The .xls
and .ods copies are made once from the .xlsx by LibreOffice
(tests/data/make_ledgers.py) and kept in tests/data/.

`EXPECTED` says what becomes of each row, by its ledger number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

from showroom_cs.domain import Stage

TITLE = "幸福里家居建材城 客诉台账（2026年）"
# Row 2 (groups, and headers merged over both rows) and row 3 (under the groups).
GROUPS = (
    "序号",
    "编号",
    "登记日期",
    "客户信息",
    "",
    "",
    "产品",
    "",
    "问题类型",
    "投诉内容",
    "渠道",
    "处理人",
    "处理结果",
    "处理状态",
    "结案日期",
    "满意度",
    "购买日期",
    "备注",
)
SUBHEADERS = ("", "", "", "顾客", "手机", "地址", "品类", "品牌型号", *([""] * 10))
# The columns merged over both header rows (0-based), and the groups' spans.
VERTICAL = (0, 1, 2, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17)
GROUP_SPANS = ((3, 5), (6, 7))

# Serial 46290 is 2026-09-25; 46332 is 2026-11-06.
ROWS: list[tuple[Any, ...] | None] = [
    (1, "KS-001", 46290, "张伟", "138 0013 8000", "幸福里3栋1202", "衣柜", "索菲亚",
     "安装问题", "主卧衣柜门关不严", "门店", "李强", "上门调整铰链", "已结案", "2026.9.28",
     "满意", None, "老客户"),
    (2, "KS-002", "2026.10.3", "李娜", "13912345678/0571-88886666", "阳光城5-301", "木地板",
     "圣象", "质量问题", "客厅地板起拱", "电话", "张工", "更换三块地板", "已处理", "10月8日",
     5, None, None),
    None,
    (3, "KS-003", "10月12日", "王先生", "手机：13700001111", "", "瓷砖", "", "色差",
     "厨房墙砖色差明显", "微信", None, "已联系厂家", "处理中", None, None, None, None),
    (4, "KS-004", dt.datetime(2026, 10, 15, 14, 30), "刘女士", "136-1234-5678 13512345678",
     "", "橱柜", "欧派", "送货延误", "台面晚到一周", "400热线", None, "客户理解，撤回投诉",
     "客户撤诉", "2026/10/16", None, None, None),
    (5, "KS-005", "2026/10/20", "陈先生", "12345", "", "", "", "", "门把手松", "", None, None,
     None, None, None, None, None),
    (6, "KS-006", None, "周先生", "13800138001", "", "", "", "", "窗户漏风", "", None, None,
     None, None, None, None, None),
    (7, "KS-007", "2026-13-40", "吴先生", "13800138002", "", "", "", "", "灯不亮", "", None,
     None, None, None, None, None, None),
    None,
    None,
    (8, None, "20261025", "吴女士", "13600001111", "", "马桶", "", "漏水", "卫生间马桶底座渗水",
     "到店", None, None, "未处理", None, None, None, "急"),
    GROUPS,  # the header again, as when a new month was pasted under the old
    (9, "KS-009", "2026.11.2", "张伟", "138-0013-8000", "幸福里3栋1202", "衣柜", "索菲亚",
     "售后", "衣柜拉手松动", "门店", "李强", "更换拉手", "已完成", 46332, "非常满意", None,
     None),
    (10, "KS-010", "2027.1.3", "郑先生", "13800138003", "", "", "", "", "预约的维修没人来", "",
     None, None, None, None, None, None, None),
    (11, "KS-011", "2026.11.10", None, "13800138004", "", "", "", "", "墙纸起皮", "", None,
     None, None, None, None, None, None),
    (12, "KS-012", "2026.11.12", "孙先生", "13912340000", "", "灯具", "", "奇怪的问题", None,
     "", None, None, None, None, None, None, None),
    (13, "KS-001", 46290, "张伟", "13800138000", "", "衣柜", "", "安装问题", "主卧衣柜门关不严",
     "", None, None, None, None, None, None, None),
    (14, "KS-014", "11-15", "郑女士", "+86 186 0000 1111", "", "窗帘", "", "安装",
     "窗帘轨道异响", "短信", None, "已重新安装轨道", "待回访", None, None, None, None),
    (15, "KS-015", "2026.11.18", "冯先生", "15800001111", "", "家具", "", "质量", "沙发塌陷",
     "", None, None, None, None, None, "2026.12.1", None),
]  # fmt: skip

# What becomes of each ledger number (None: the row without one).
IMPORTED: dict[str | None, Stage] = {
    "KS-001": Stage.CLOSED,
    "KS-002": Stage.CLOSED,
    "KS-003": Stage.IN_PROGRESS,
    "KS-004": Stage.INVALID,
    None: Stage.REGISTERED,
    "KS-009": Stage.CLOSED,
    "KS-014": Stage.FOLLOW_UP,
}
# Refused rows: sheet row number → a part of the reason.
REFUSED: dict[int, str] = {
    9: "联系电话「12345」不是有效的号码",
    10: "缺少受理日期",
    11: "受理日期「2026-13-40」不是有效的日期",
    17: "受理日期 2027-01-03 晚于今天",
    18: "缺少客户姓名",
    19: "缺少投诉内容",
    20: "与第 4 行的原编号和受理日期相同",
    22: "购买日期不能晚于受理日期",
}
FIRST_DATA_ROW = 4


def sheet_rows() -> list[tuple[Any, ...]]:
    """Every row of the sheet below the header (blank rows as empty tuples)."""
    return [row if row is not None else () for row in ROWS]


def write_xlsx(path: Path, *, extra_rows: int = 0, title: str = "2026年客诉") -> Path:
    """The ledger as .xlsx; `extra_rows` more complaints at its end (a longer
    version of the same file, as a showroom keeps adding to it)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title
    sheet.append([TITLE])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(GROUPS))
    sheet.append(list(GROUPS))
    sheet.append(list(SUBHEADERS))
    for column in VERTICAL:
        sheet.merge_cells(start_row=2, start_column=column + 1, end_row=3, end_column=column + 1)
    for first, last in GROUP_SPANS:
        sheet.merge_cells(start_row=2, start_column=first + 1, end_row=2, end_column=last + 1)
    for row in [*sheet_rows(), *more_rows(extra_rows)]:
        sheet.append(list(row))
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    second = book.create_sheet("说明")
    second.append(["本台账由客服部维护"])
    book.save(path)
    return path


def more_rows(count: int) -> list[tuple[Any, ...]]:
    """Complaints added later: one a day from 2026-11-19 back, numbered on."""
    out = []
    for n in range(count):
        day = dt.date(2026, 11, 19) - dt.timedelta(days=n % 300)
        out.append(
            (100 + n, f"KS-{100 + n:03d}", day.strftime("%Y.%m.%d"), f"客户{n}",
             f"139{n:08d}", "", "地板", "", "质量", f"第 {n} 件：地板异响", "电话", None,
             "已处理", "已结案", None, 4, None, None)
        )  # fmt: skip
    return out


def _csv_text(rows: list[tuple[Any, ...]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([TITLE])
    writer.writerow(GROUPS)
    writer.writerow(SUBHEADERS)
    for row in rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return out.getvalue()


def _csv_cell(cell: Any) -> str:
    if cell is None:
        return ""
    if isinstance(cell, dt.datetime):
        return cell.strftime("%Y-%m-%d %H:%M")
    return str(cell)


def write_csv(path: Path, encoding: str) -> Path:
    """The ledger as CSV: `utf-8`, `utf-8-sig` (Excel's «CSV UTF-8») or `gbk`."""
    path.write_bytes(_csv_text(sheet_rows()).encode(encoding))
    return path
