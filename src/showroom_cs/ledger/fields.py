"""What a ledger column can be read as, and which headers mean what.

Every showroom names its columns its own way (客户姓名, 顾客, 联系人 …). A
header is matched to a field by its synonyms: first exactly (spaces, `*`
and colons ignored, then without a bracketed remark such as `（手机）`), then
by the longest synonym of three or more characters it contains. A header
nothing matches is kept: its cells go into the complaint text under
【台账其他列】, so nothing typed in the ledger is lost. The manager can
change any match (the wizard's combo per column, `--map MAP.json`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path

from ..errors import ShowroomError


class LedgerError(ShowroomError):
    """The ledger file cannot be read or imported as given; nothing was written."""


class Field(StrEnum):
    """The app's fields a ledger column can feed (and: keep it, or leave it out)."""

    LEDGER_NO = "ledger_no"
    RECEIVED_AT = "received_at"
    CUSTOMER_NAME = "customer_name"
    CUSTOMER_PHONE = "customer_phone"
    CUSTOMER_ADDRESS = "customer_address"
    ORDER_NO = "order_no"
    PURCHASE_DATE = "purchase_date"
    INSTALL_DATE = "install_date"
    PRODUCT_CATEGORY = "product_category"
    BRAND_MODEL = "brand_model"
    SUBJECT = "subject"
    CATEGORY = "category"
    DESCRIPTION = "description"
    DEMANDS = "demands"
    SEVERITY = "severity"
    CHANNEL = "channel"
    RECEIVED_BY = "received_by"
    OWNER = "owner"
    DEPARTMENT = "department"
    STATUS = "status"
    OUTCOME = "outcome"
    CLOSED_AT = "closed_at"
    SATISFACTION = "satisfaction"
    CAUSE = "cause"
    IMPROVEMENT = "improvement"
    OTHER = "other"
    IGNORE = "ignore"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def required(self) -> bool:
        return self in REQUIRED


_LABELS = {
    Field.LEDGER_NO: "原编号",
    Field.RECEIVED_AT: "受理日期",
    Field.CUSTOMER_NAME: "客户姓名",
    Field.CUSTOMER_PHONE: "联系电话",
    Field.CUSTOMER_ADDRESS: "地址",
    Field.ORDER_NO: "订单/合同号",
    Field.PURCHASE_DATE: "购买日期",
    Field.INSTALL_DATE: "送货/安装日期",
    Field.PRODUCT_CATEGORY: "产品品类",
    Field.BRAND_MODEL: "品牌/型号",
    Field.SUBJECT: "投诉对象",
    Field.CATEGORY: "投诉类别",
    Field.DESCRIPTION: "投诉内容",
    Field.DEMANDS: "客户诉求",
    Field.SEVERITY: "严重程度",
    Field.CHANNEL: "受理渠道",
    Field.RECEIVED_BY: "受理人",
    Field.OWNER: "责任人",
    Field.DEPARTMENT: "责任部门",
    Field.STATUS: "处理状态",
    Field.OUTCOME: "处理结果",
    Field.CLOSED_AT: "结案日期",
    Field.SATISFACTION: "满意度",
    Field.CAUSE: "问题原因",
    Field.IMPROVEMENT: "改进措施",
    Field.OTHER: "其他列（记入投诉内容）",
    Field.IGNORE: "不导入",
}
REQUIRED = (Field.RECEIVED_AT, Field.CUSTOMER_NAME, Field.CUSTOMER_PHONE, Field.DESCRIPTION)
# Several columns may feed one field: these texts are joined, every other
# field takes the first filled cell of its columns.
JOINED = frozenset(
    {
        Field.CUSTOMER_ADDRESS,
        Field.ORDER_NO,
        Field.BRAND_MODEL,
        Field.SUBJECT,
        Field.DESCRIPTION,
        Field.DEMANDS,
        Field.OUTCOME,
        Field.CAUSE,
        Field.IMPROVEMENT,
    }
)

# Headers as showrooms write them (compared without spaces, `*` or colons).
SYNONYMS: dict[Field, tuple[str, ...]] = {
    Field.LEDGER_NO: (
        "原编号",
        "编号",
        "投诉编号",
        "台账编号",
        "客诉编号",
        "登记编号",
        "投诉单号",
        "单号",
        "工单号",
        "案件编号",
        "流水号",
        "no",
        "no.",
    ),
    Field.RECEIVED_AT: (
        "受理日期",
        "受理时间",
        "投诉日期",
        "投诉时间",
        "登记日期",
        "登记时间",
        "客诉日期",
        "来电日期",
        "来电时间",
        "反馈日期",
        "反馈时间",
        "接收日期",
        "报修日期",
        "日期",
        "时间",
    ),
    Field.CUSTOMER_NAME: (
        "客户姓名",
        "顾客姓名",
        "客户名称",
        "业主姓名",
        "投诉人姓名",
        "客户",
        "顾客",
        "联系人",
        "姓名",
        "业主",
        "投诉人",
        "客户名",
    ),
    Field.CUSTOMER_PHONE: (
        "联系电话",
        "客户电话",
        "手机号码",
        "电话号码",
        "联系手机",
        "客户手机",
        "联系号码",
        "联系方式",
        "手机号",
        "电话",
        "手机",
    ),
    Field.CUSTOMER_ADDRESS: (
        "地址",
        "客户地址",
        "详细地址",
        "住址",
        "家庭住址",
        "安装地址",
        "送货地址",
        "小区",
        "楼盘",
        "小区/楼栋/房号",
        "楼栋房号",
    ),
    Field.ORDER_NO: (
        "订单/合同号",
        "订单号",
        "合同号",
        "订单编号",
        "合同编号",
        "销售单号",
        "单据号",
    ),
    Field.PURCHASE_DATE: ("购买日期", "购买时间", "下单日期", "签单日期", "订购日期"),
    Field.INSTALL_DATE: (
        "送货/安装日期",
        "安装日期",
        "送货日期",
        "安装时间",
        "送货时间",
        "交付日期",
        "交货日期",
    ),
    Field.PRODUCT_CATEGORY: (
        "产品品类",
        "品类",
        "产品类别",
        "产品类型",
        "产品分类",
        "产品",
        "产品名称",
        "商品",
        "商品名称",
    ),
    Field.BRAND_MODEL: ("品牌/型号", "品牌型号", "品牌", "型号", "规格型号", "产品型号"),
    Field.SUBJECT: ("投诉对象", "被投诉对象", "被投诉人", "涉及人员"),
    Field.CATEGORY: (
        "投诉类别",
        "投诉类型",
        "投诉分类",
        "问题类型",
        "问题类别",
        "问题分类",
        "类别",
        "类型",
        "分类",
    ),
    Field.DESCRIPTION: (
        "投诉内容",
        "问题描述",
        "投诉事项",
        "投诉问题",
        "客户反映问题",
        "客户反映",
        "反映问题",
        "具体问题",
        "问题详情",
        "投诉详情",
        "情况说明",
        "内容",
        "问题",
        "事由",
    ),
    Field.DEMANDS: ("客户诉求", "诉求", "客户要求", "要求", "客户期望"),
    Field.SEVERITY: ("严重程度", "紧急程度", "重要程度", "投诉等级", "等级", "级别"),
    Field.CHANNEL: (
        "受理渠道",
        "投诉渠道",
        "反馈渠道",
        "投诉来源",
        "投诉方式",
        "受理方式",
        "渠道",
        "来源",
    ),
    Field.RECEIVED_BY: ("受理人", "登记人", "接待人", "记录人", "接待员", "接单人", "录入人"),
    Field.OWNER: ("责任人", "处理人", "跟进人", "负责人", "经办人", "处理人员"),
    Field.DEPARTMENT: ("责任部门", "处理部门", "负责部门", "部门"),
    Field.STATUS: (
        "处理状态",
        "状态",
        "当前状态",
        "是否结案",
        "结案情况",
        "处理进度",
        "进度",
        "完成情况",
    ),
    Field.OUTCOME: (
        "处理结果",
        "处理情况",
        "处理方案",
        "解决方案",
        "处理措施",
        "处理意见",
        "处理经过",
        "处理办法",
        "解决办法",
        "结果",
    ),
    Field.CLOSED_AT: (
        "结案日期",
        "结案时间",
        "完成日期",
        "完成时间",
        "处理完成日期",
        "关闭日期",
        "解决日期",
        "办结日期",
    ),
    Field.SATISFACTION: (
        "满意度",
        "客户满意度",
        "回访满意度",
        "满意程度",
        "客户评价",
        "评价",
    ),
    Field.CAUSE: ("问题原因", "原因", "原因分析", "投诉原因", "责任原因"),
    Field.IMPROVEMENT: ("改进措施", "整改措施", "预防措施", "纠正措施"),
    # Row numbers are not case numbers (they shift when a row is inserted);
    # the last two are the refused-rows workbook's own columns.
    Field.IGNORE: ("序号", "行号", "原行号", "未导入原因"),
}

_NOISE = re.compile(r"[\s*＊:：]+")
_REMARK = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_EXACT = {synonym: field for field, synonyms in SYNONYMS.items() for synonym in synonyms}
_CONTAINED = sorted(
    ((synonym, field) for synonym, field in _EXACT.items() if len(synonym) >= 3),
    key=lambda pair: -len(pair[0]),
)


def normalise_header(text: str) -> str:
    return _NOISE.sub("", text).lower()


def match_header(header: str) -> Field:
    """The field a header most likely means; OTHER when none."""
    plain = normalise_header(header)
    if not plain:
        return Field.OTHER
    for candidate in (plain, _REMARK.sub("", plain)):
        if candidate in _EXACT:
            return _EXACT[candidate]
    for synonym, field in _CONTAINED:
        if synonym in plain:
            return field
    return Field.OTHER


def is_column_name(text: str) -> bool:
    """Whether a cell is exactly one of the known column names (a header cell)."""
    return normalise_header(text) in _EXACT


def match_columns(headers: Sequence[str]) -> tuple[Field, ...]:
    return tuple(match_header(header) for header in headers)


def field_named(text: str) -> Field:
    """A field given by its code (`customer_phone`) or its label (`联系电话`)."""
    wanted = text.strip()
    for field in Field:
        if wanted in (field.value, field.label) or normalise_header(wanted) == normalise_header(
            field.label
        ):
            return field
    if wanted in ("其他", "其他列"):
        return Field.OTHER
    known = "、".join(f.label for f in Field if f not in (Field.OTHER, Field.IGNORE))
    raise LedgerError(
        f"不认识的字段「{wanted[:20]}」。可以用的有：{known}；或「其他列」「不导入」。"
    )


def apply_overrides(
    headers: Sequence[str], matched: Sequence[Field], overrides: Mapping[str, str]
) -> tuple[Field, ...]:
    """The matches with the manager's changes ({header: field code or label})."""
    out = list(matched)
    plain = [normalise_header(h) for h in headers]
    for header, field in overrides.items():
        wanted = normalise_header(str(header))
        columns = [i for i, h in enumerate(plain) if h == wanted]
        if not columns:
            shown = "、".join(h for h in headers if h) or "（无）"
            raise LedgerError(
                f"对应表里的表头「{str(header)[:30]}」在工作表中没有。表头有：{shown}"
            )
        for column in columns:
            out[column] = field_named(str(field))
    return tuple(out)


def read_map_file(path: Path) -> dict[str, str]:
    """--map MAP.json: {"表头": "字段"}."""
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError:
        raise LedgerError(f"无法读取对应表文件「{path}」。") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LedgerError(
            f'对应表文件「{path.name}」不是 UTF-8 的 JSON，请写成 {{"表头": "字段"}} 这样。'
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise LedgerError(f'对应表文件「{path.name}」应写成 {{"表头": "字段"}} 这样。')
    return data


def missing_required(mapping: Sequence[Field]) -> list[Field]:
    return [field for field in REQUIRED if field not in mapping]
