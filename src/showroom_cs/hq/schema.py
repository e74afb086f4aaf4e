"""What head office accepts as a showroom's weekly file, checked before loading.

Plain Python over the file's bytes: the header names the version (1 or 2);
a version-2 file is proved whole by its closing row (`export.split_end`);
a version-1 file is read through. Then what a chain needs on top of the
format: a week that exists and has begun, a showroom code that can be told
apart from every other showroom's, masked personal data unless head office
asks for it, and a file name that agrees with what the file says. DuckDB
counts a version-2 file's rows and checks its one showroom and week when it
reads it (`load`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..export import (
    COLUMNS,
    MergeError,
    check_week,
    file_version,
    parse_week_file,
    split_end,
    week_bounds,
)

# The code a new installation starts with: left unchanged, two showrooms share it.
DEFAULT_CODE = "MD001"
_CODE = re.compile(r"^[A-Z0-9]{2,16}$")
_NAMED = re.compile(r"^([A-Za-z0-9]{2,16})_(\d{4}-W\d{2})(?:\.csv)?$", re.IGNORECASE)
_END = {column.key: number for number, column in enumerate(COLUMNS)}

# DuckDB types by the schema document's kinds: explicit, never sniffed (sniffing
# guesses wrong on a week with only a header).
_TYPES = {"text": "VARCHAR", "datetime": "TIMESTAMP", "number": "DOUBLE", "integer": "BIGINT"}
COLUMN_TYPES = {column.key: _TYPES[column.kind] for column in COLUMNS}
COLUMN_TYPES_V1 = dict(list(COLUMN_TYPES.items())[:26])
TIME_FORMAT = "%Y-%m-%d %H:%M"

# Why a file is refused, as the per-file report names it.
REASONS = {
    "schema": "格式不对",
    "not_weekly": "不是周报文件",
    "two_showrooms": "多个门店或周次",
    "future": "周次在将来",
    "truncated": "文件不完整",
    "checksum": "内容与校验不符",
    "code": "门店编码不可用",
    "full": "含完整客户信息",
    "damaged": "文件已损坏",
}


class Refused(MergeError):
    """A file head office does not load; `kind` is a key of REASONS."""


@dataclass(frozen=True)
class Checked:
    """A file that passed the checks made before DuckDB reads it."""

    version: str
    showroom_code: str
    week: str
    scope: str | None  # 遮盖 / 完整; None for version 1, which does not say
    rows: int | None  # the closing row's count; a version-1 file's own count


def check_file(name: str, data: bytes, *, today: dt.date, allow_full: bool = False) -> Checked:
    """The checks that need no database; Refused (a MergeError) names the reason."""
    try:
        version = file_version(name, data)
        if version == "2":
            _body, end = split_end(name, data)
            code, week = end[_END["showroom_code"]], end[_END["week"]]
            check_week(name, week)
            scope: str | None = end[_END["scope"]]
            rows: int | None = int(end[_END["file_rows"]])
        else:
            parsed = parse_week_file(name, data)
            code, week, scope, rows = parsed.showroom_code, parsed.week, None, len(parsed.rows)
    except Refused:
        raise
    except MergeError as exc:
        raise Refused(exc.message, exc.kind) from None
    named = _NAMED.match(name)
    if not code:  # a version-1 week with only a header: the name is all it has
        if named is None:
            raise Refused(
                f"「{name}」只有表头（版本 1 的空周），文件名也不是「门店编码_2026-W47.csv」："
                "无法知道是哪个门店哪一周。",
                "not_weekly",
            )
        code, week = named.group(1), named.group(2)
        check_week(name, week)
    elif named is not None and (named.group(1), named.group(2)) != (code, week):
        raise Refused(
            f"「{name}」的文件名是 {named.group(1)} {named.group(2)}，内容却是 {code} {week}："
            "文件名或内容有误，请门店核对后重新发送。",
            "two_showrooms",
        )
    _check_code(name, code)
    start, _end = week_bounds(week)
    if start.date() > today:
        raise Refused(f"「{name}」的周次 {week} 还没有开始（今天是 {today:%Y-%m-%d}）。", "future")
    if scope == "完整" and not allow_full:
        raise Refused(
            f"「{name}」含完整的客户姓名和电话：总部默认只载入遮盖的文件；"
            "确需载入请加 --allow-full。",
            "full",
        )
    return Checked(version, code, week, scope, rows)


def _check_code(name: str, code: str) -> None:
    """Codes are a chain's keys: upper-case letters and digits, never the default."""
    if code == DEFAULT_CODE:
        raise Refused(
            f"「{name}」的门店编码是安装时的默认值 {DEFAULT_CODE}：多个门店可能都没改。"
            "请门店在 设置 → 门店信息 中填写总部分配的编码后重新导出。",
            "code",
        )
    if not _CODE.match(code):
        hint = "（含小写字母）" if _CODE.match(code.upper()) else ""
        raise Refused(
            f"「{name}」的门店编码「{code}」{hint}不是 2–16 位大写字母或数字："
            "全连锁的门店编码须各不相同且写法统一，请门店在设置中改正后重新导出。",
            "code",
        )


def check_code(code: str) -> str | None:
    """A region file's code: the reason it cannot be a showroom's, or None."""
    try:
        _check_code("区域表", code)
    except Refused as exc:
        return exc.message
    return None
