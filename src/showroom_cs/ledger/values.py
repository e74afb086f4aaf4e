"""Reading a ledger's cells the way a person reads them.

Dates come as real dates, Excel serial numbers (46329), `2026.11.3`,
`2026/11/03`, `2026年11月3日`, `20261103`, or without a year (`11月3日`,
`11-3`: the year is taken from the rows above, as a person reading down the
ledger would). Phone cells may hold spaces, dashes, a `+86`, a landline
beside a mobile, or two numbers. List entries (category, channel, product)
become the closest entry of the showroom's own list: the same key or label,
then a usual synonym, then a label contained in the text, else 其他.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain import Stage
from ..errors import RuleError
from ..phone import format_phone, is_mobile, normalize_phone
from ..settings import Settings
from .read import Cell, cell_text

if TYPE_CHECKING:
    from phonenumbers import PhoneNumber

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# Serial numbers of plausible complaint dates: 1990-01-01 … 2099-12-31.
_SERIALS = (32874, 73415)
EARLIEST_YEAR = 1990

_FULL_DATE = re.compile(
    r"^\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?)?\s*$"
)
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_MONTH_DAY = re.compile(
    r"^\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?(?:[\sT]+(\d{1,2})[:：时](\d{1,2})分?)?\s*$"
)
_TIME = re.compile(r"^\s*(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2})秒?)?\s*$")


class Unreadable(ValueError):
    """A cell that cannot be read as what its column holds; the message is Chinese."""


@dataclass(frozen=True, slots=True)
class ReadDate:
    """A date read from a cell; `moment` keeps a time when the cell had one.
    `guessed_year`: the cell had no year and it was taken from the rows above."""

    moment: dt.datetime
    has_time: bool
    guessed_year: bool = False


def read_date(cell: Cell, year_hint: int | None, label: str) -> ReadDate:
    """A date (or date and time) from a cell, or Unreadable."""
    if isinstance(cell, dt.datetime):
        return _checked(cell, cell.time() != dt.time(), label)
    if isinstance(cell, dt.date):
        return _checked(dt.datetime.combine(cell, dt.time()), False, label)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if _SERIALS[0] <= cell <= _SERIALS[1]:
            whole = int(cell)
            moment = dt.datetime.combine(_EXCEL_EPOCH + dt.timedelta(days=whole), dt.time())
            seconds = round((float(cell) - whole) * 86400)
            moment += dt.timedelta(seconds=seconds)
            return _checked(moment, seconds != 0, label)
        compact = _COMPACT_DATE.match(str(int(cell))) if float(cell).is_integer() else None
        if compact:
            return _from_parts(compact.groups(), label, cell_text(cell))
        raise Unreadable(f"{label}「{cell_text(cell)}」不是日期")
    text = cell_text(cell)
    if text.isdigit() and len(text) == 5:  # a serial number that travelled as text (CSV)
        return read_date(int(text), year_hint, label)
    found = _FULL_DATE.match(text) or _COMPACT_DATE.match(text)
    if found:
        return _from_parts(found.groups(), label, text)
    short = _MONTH_DAY.match(text)
    if short:
        if year_hint is None:
            raise Unreadable(f"{label}「{text}」没有年份，上面的行里也没有可参照的年份")
        month, day, hour, minute = short.groups()
        read = _from_parts((str(year_hint), month, day, hour, minute, None), label, text)
        return ReadDate(read.moment, read.has_time, guessed_year=True)
    raise Unreadable(
        f"{label}「{text[:20]}」不是能识别的日期（可写作 2026-11-03、2026.11.3 或 2026年11月3日）"
    )


def _from_parts(parts: Sequence[str | None], label: str, text: str) -> ReadDate:
    year, month, day = (int(p or 0) for p in parts[:3])
    hour, minute, second = (int(p or 0) for p in (*parts[3:6], None, None, None)[:3])
    has_time = any(p is not None for p in parts[3:6])
    try:
        moment = dt.datetime(year, month, day, hour, minute, second)
    except ValueError:
        raise Unreadable(f"{label}「{text[:20]}」不是有效的日期") from None
    return _checked(moment, has_time, label)


def _checked(moment: dt.datetime, has_time: bool, label: str) -> ReadDate:
    if moment.year < EARLIEST_YEAR:
        raise Unreadable(f"{label}「{moment:%Y-%m-%d}」太早，请核对")
    return ReadDate(moment.replace(microsecond=0), has_time)


def read_time(cell: Cell) -> dt.time | None:
    """A time of day from a separate time column (14:30, a time cell), else None."""
    if isinstance(cell, dt.time):
        return cell.replace(microsecond=0)
    if isinstance(cell, dt.timedelta) and cell < dt.timedelta(days=1):
        return (dt.datetime.min + cell).time().replace(microsecond=0)
    if isinstance(cell, float) and 0 < cell < 1:  # an Excel time without a date
        return (dt.datetime.min + dt.timedelta(seconds=round(cell * 86400))).time()
    found = _TIME.match(cell_text(cell))
    if found:
        hour, minute, second = (int(p or 0) for p in found.groups())
        if hour < 24 and minute < 60 and second < 60:
            return dt.time(hour, minute, second)
    return None


# ----------------------------------------------------------------- phones

_SEPARATORS = re.compile(r"[/／,，;；、|｜\n]|或|和|及")
_PIECES = re.compile(r"[\s\-–—.()（）]+")


@functools.lru_cache(maxsize=65536)
def normalized(text: str) -> str:
    """`normalize_phone`, remembered (a ledger repeats its customers): "" when invalid."""
    try:
        return normalize_phone(text)
    except RuleError:
        return ""


@functools.lru_cache(maxsize=65536)
def shown_phone(stored: str) -> str:
    return format_phone(stored)


def read_phones(text: str) -> list[str]:
    """Every valid number in a phone cell, in the order written (stored form)."""
    text = text.strip()
    if not text:
        return []
    if text.endswith(".0") and text[:-2].isdigit():  # a number cell of Excel's
        text = text[:-2]
    whole = normalized(text)
    if whole:
        return [whole]
    found: list[str] = []
    for part in _SEPARATORS.split(text):
        for number in _numbers_in(part):
            if number not in found:
                found.append(number)
    return found


def _numbers_in(part: str) -> list[str]:
    """Numbers in one piece of a cell: `手机13800138000`, `0571 8888 6666 138 0013 8000`."""
    part = re.sub(r"^\D*?(?=[+\d])", "", part.strip())  # 手机 / 电话： / Tel
    if not part:
        return []
    whole = normalized(part)
    if whole:
        return [whole]
    import phonenumbers

    matched = [
        _stored(m.number) for m in phonenumbers.PhoneNumberMatcher(part, "CN") if _stored(m.number)
    ]
    if matched:
        return matched
    return _split_run(_PIECES.split(part))


def _stored(number: PhoneNumber) -> str:
    import phonenumbers

    return normalized(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _split_run(pieces: Sequence[str]) -> list[str]:
    """Digit groups written with spaces (`021 6123 4567 139 1234 5678`): the
    shortest runs of groups that each make a valid number, left to right."""
    groups = [p for p in pieces if p.isdigit()]
    out: list[str] = []
    start = 0
    while start < len(groups):
        for end in range(start + 1, len(groups) + 1):
            joined = "".join(groups[start:end])
            if len(joined) > 12:
                break
            number = normalized(joined) if len(joined) >= 7 else ""
            if not number:
                continue
            # A landline's local part may run on: prefer the longer valid reading.
            if end < len(groups):
                longer = normalized(joined + groups[end])
                if longer and not is_mobile(number):
                    number, end = longer, end + 1
            out.append(number)
            start = end
            break
        else:
            start += 1
    return out


def pick_phone(numbers: Sequence[str]) -> tuple[str, list[str]]:
    """The customer's number (the first mobile, else the first number) and the others."""
    chosen = next((n for n in numbers if is_mobile(n)), numbers[0])
    return chosen, [n for n in numbers if n != chosen]


# ------------------------------------------------------------ satisfaction

_SATISFACTION_WORDS = (
    ("非常不满意", 1),
    ("很不满意", 1),
    ("不太满意", 2),
    ("不满意", 2),
    ("非常满意", 5),
    ("很满意", 5),
    ("基本满意", 3),
    ("比较满意", 4),
    ("一般", 3),
    ("满意", 4),
)


def read_satisfaction(cell: Cell) -> int:
    """1–5 from `5`, `4分`, `★★★★`, `满意`, `非常不满意`; Unreadable otherwise."""
    text = cell_text(cell)
    stars = text.count("★")
    if stars and 1 <= stars <= 5:
        return stars
    digits = re.fullmatch(r"\s*([1-5])(?:\.0)?\s*分?\s*", text)
    if digits:
        return int(digits.group(1))
    for word, score in _SATISFACTION_WORDS:
        if word in text:
            return score
    raise Unreadable(f"满意度「{text[:20]}」无法识别（可写 1–5 分或 非常满意…非常不满意）")


# ------------------------------------------------------------------ stages

_STAGE_WORDS: tuple[tuple[str, Stage], ...] = (
    ("不成立", Stage.INVALID),
    ("不属实", Stage.INVALID),
    ("无效", Stage.INVALID),
    ("撤诉", Stage.INVALID),
    ("撤销", Stage.INVALID),
    ("未结案", Stage.IN_PROGRESS),
    ("未完成", Stage.IN_PROGRESS),
    ("未解决", Stage.IN_PROGRESS),
    ("待回访", Stage.FOLLOW_UP),
    ("待确认", Stage.FOLLOW_UP),
    ("已回访", Stage.CLOSED),
    ("已结案", Stage.CLOSED),
    ("结案", Stage.CLOSED),
    ("办结", Stage.CLOSED),
    ("已处理", Stage.CLOSED),
    ("已解决", Stage.CLOSED),
    ("已完成", Stage.CLOSED),
    ("完成", Stage.CLOSED),
    ("关闭", Stage.CLOSED),
    ("处理完毕", Stage.CLOSED),
    ("调查中", Stage.INVESTIGATING),
    ("核实中", Stage.INVESTIGATING),
    ("待核实", Stage.INVESTIGATING),
    ("处理中", Stage.IN_PROGRESS),
    ("跟进中", Stage.IN_PROGRESS),
    ("整改中", Stage.IN_PROGRESS),
    ("维修中", Stage.IN_PROGRESS),
    ("进行中", Stage.IN_PROGRESS),
    ("未处理", Stage.REGISTERED),
    ("待处理", Stage.REGISTERED),
    ("待分派", Stage.REGISTERED),
    ("已登记", Stage.REGISTERED),
    ("新登记", Stage.REGISTERED),
)
_YES = ("是", "y", "yes", "√", "✓", "✔", "1")
_NO = ("否", "n", "no", "×", "✗", "0")


def read_stage(cell: Cell) -> Stage | None:
    """The stage a status cell says (是/否 in a 是否结案 column too); None if unclear."""
    text = cell_text(cell).lower()
    if text in _YES:
        return Stage.CLOSED
    if text in _NO:
        return Stage.IN_PROGRESS
    for word, stage in _STAGE_WORDS:
        if word in text:
            return stage
    if text.startswith(("已", "完")):
        return Stage.CLOSED
    return None


# ------------------------------------------------------------------- lists

# Words a ledger uses for the app's default entries (by their keys).
LIST_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "category": {
        "产品质量": ("质量", "产品问题", "质量问题", "破损", "开裂", "变形", "色差", "异味"),
        "安装施工": ("安装", "施工", "师傅"),
        "配送物流": ("配送", "物流", "送货", "运输", "发货", "到货", "延期", "延误"),
        "设计问题": ("设计", "尺寸", "测量", "量尺"),
        "销售承诺": ("销售", "承诺", "导购", "虚假宣传", "赠品"),
        "服务态度": ("态度", "服务", "不理", "推诿"),
        "售后维修": ("售后", "维修", "保修", "返修"),
        "价格收费": ("价格", "收费", "费用", "多收", "退款", "差价"),
    },
    "channel": {
        "到店": ("门店", "店内", "来店", "现场", "当面", "展厅"),
        "来电": ("电话", "打电话", "致电", "座机", "手机"),
        "客服中心": ("400", "热线", "客服", "总部", "12315", "工商"),
        "微信": ("微信", "企业微信", "公众号", "朋友圈"),
        "短信": ("短信",),
        "邮件": ("邮件", "邮箱", "email"),
        "信函": ("信函", "来信", "书面"),
        "回访中发现": ("回访",),
    },
    "product_category": {
        "橱柜": ("厨柜", "整体厨房", "台面"),
        "衣柜": ("衣橱", "柜子", "衣帽间", "移门", "趟门"),
        "木门": ("室内门", "房门", "套装门"),
        "门窗": ("窗户", "铝合金", "阳台门", "推拉门", "防盗门"),
        "地板": ("木地板", "强化地板", "实木地板", "复合地板"),
        "瓷砖": ("地砖", "墙砖", "砖"),
        "卫浴": ("马桶", "花洒", "浴室柜", "卫生间", "淋浴", "龙头", "坐便", "浴缸"),
        "窗帘": ("布艺", "窗纱"),
        "墙纸墙布": ("墙纸", "墙布", "壁纸"),
        "家具": ("沙发", "床", "餐桌", "茶几", "椅", "床垫", "书柜"),
        "灯具": ("灯", "吊灯", "筒灯"),
        "五金": ("拉手", "铰链", "合页", "锁", "滑轨"),
    },
    "demand": {
        "维修": ("修", "维修", "返修"),
        "更换": ("换", "更换", "换货"),
        "退货退款": ("退货", "退款", "退"),
        "赔偿": ("赔偿", "补偿", "赔"),
        "道歉": ("道歉", "致歉"),
        "解释说明": ("解释", "说明", "答复"),
    },
    "department": {
        "客服部": ("客服",),
        "销售部": ("销售", "导购", "门店"),
        "设计部": ("设计",),
        "安装部": ("安装", "施工"),
        "配送部": ("配送", "物流", "仓库"),
        "售后部": ("售后", "维修"),
    },
    "cause": {
        "产品质量缺陷": ("质量", "缺陷", "产品问题"),
        "安装施工不规范": ("安装", "施工"),
        "配送搬运损坏": ("配送", "搬运", "运输", "磕碰"),
        "设计或测量失误": ("设计", "测量", "尺寸"),
        "销售承诺不符": ("销售", "承诺", "宣传"),
        "服务沟通不到位": ("沟通", "服务", "态度"),
        "供应商交期延误": ("交期", "延误", "供应商", "缺货"),
        "客户使用不当": ("使用不当", "客户原因", "人为", "误解"),
    },
}
OTHER_LABEL = "其他"


@dataclass(frozen=True, slots=True)
class Closest:
    """A list entry for a ledger's word: `exact` when it was the entry itself."""

    key: str
    label: str
    exact: bool


def closest_entry(settings: Settings, list_name: str, text: str) -> Closest | None:
    """The showroom's entry for `text`: same key or label, a synonym, a label
    contained in the text (or the text in a label), else 其他; None when the
    list has no 其他 to fall back on."""
    wanted = "".join(text.split()).lower()
    entries = settings.active_entries(list_name)
    for entry in entries:
        if wanted in (entry.key.lower(), "".join(entry.label.split()).lower()):
            return Closest(entry.key, entry.label, True)
    active = {entry.key: entry for entry in entries}
    for key, words in LIST_SYNONYMS.get(list_name, {}).items():
        if key in active and any(word.lower() in wanted for word in words):
            return Closest(key, active[key].label, False)
    for entry in sorted(entries, key=lambda e: -len(e.label)):
        label = entry.label.lower()
        if entry.label != OTHER_LABEL and (
            label in wanted or (len(wanted) >= 2 and wanted in label)
        ):
            return Closest(entry.key, entry.label, False)
    other = next((e for e in entries if e.label == OTHER_LABEL or e.key == OTHER_LABEL), None)
    return Closest(other.key, other.label, False) if other is not None else None


_SEVERITY_WORDS = (
    ("紧急", "urgent"),
    ("特急", "urgent"),
    ("加急", "urgent"),
    ("急", "urgent"),
    ("重大", "important"),
    ("严重", "important"),
    ("重要", "important"),
    ("高", "important"),
    ("一般", "normal"),
    ("普通", "normal"),
    ("轻微", "normal"),
    ("低", "normal"),
    ("中", "normal"),
)


def read_severity(text: str) -> str | None:
    """`normal`, `important` or `urgent` for a ledger's word; None when unclear."""
    for word, code in _SEVERITY_WORDS:
        if word in text:
            return code
    return None


_TITLES = (("先生", "先生"), ("女士", "女士"), ("小姐", "女士"), ("太太", "女士"))


def title_of(name: str) -> str:
    """先生 / 女士 when the ledger wrote the customer as 张先生, 李小姐; else ""."""
    for ending, title in _TITLES:
        if name.endswith(ending) and len(name) > len(ending):
            return title
    return ""
