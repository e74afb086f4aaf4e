"""The two paper forms as data: layouts read from `forms/*.toml`, and the values
that fill their boxes.

A showroom renames a label or moves a box by editing the TOML file; a
mistake there is reported naming the file and the problem, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .domain import SATISFACTION_LABELS, Case, ClockKind, Review, Severity, SolutionKind
from .errors import ShowroomError
from .operations import format_yuan
from .paths import resource_root
from .phone import format_phone
from .settings import Settings
from .store import Store

FORMS = {"registration": "registration.toml", "review": "review.toml"}

# Every field a layout may name, with what it shows (docs/forms.md lists them).
FIELD_NAMES = {
    "case_no": "投诉编号",
    "customer_name": "客户姓名",
    "customer_phone": "联系电话",
    "customer_address": "地址",
    "order_no": "订单/合同号",
    "purchase_date": "购买日期",
    "install_date": "送货/安装日期",
    "product_category": "产品品类",
    "brand_model": "品牌/型号",
    "product": "产品品类与品牌型号",
    "received_at": "受理时间",
    "channel": "受理渠道",
    "received_by": "受理人",
    "subject": "投诉对象",
    "category": "投诉类别",
    "severity": "严重程度",
    "description": "投诉内容",
    "demands": "客户诉求",
    "service_promise": "服务承诺",
    "owner": "责任人",
    "department": "责任部门",
    "solution": "处理方案",
    "rectification_result": "整改结果",
    "rectified_by": "整改人",
    "rectified_at": "整改时间",
    "satisfaction": "满意度",
    "reviewer": "复核人",
    "reviewed_at": "复核时间",
}


class LayoutError(ShowroomError):
    """A layout file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class FieldBox:
    label: str
    field: str
    wide: bool = False
    flow: bool = False


@dataclass(frozen=True)
class Section:
    title: str
    fields: tuple[FieldBox, ...] = ()
    text_field: str | None = None
    statement: str = ""
    signatures: tuple[str, ...] = ()
    checklist: tuple[str, ...] = ()
    column_widths: tuple[float, ...] = ()
    conclusion: bool = False


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    copies: tuple[str, ...]
    sections: tuple[Section, ...] = field(default_factory=tuple)


def layout_path(name: str, folder: Path | None = None) -> Path:
    return (folder or resource_root() / "forms") / FORMS[name]


def load_layout(name: str, folder: Path | None = None) -> Layout:
    """Read and check a layout file; any problem is a LayoutError naming the file."""
    path = layout_path(name, folder)
    where = f"表单布局文件「{path}」"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LayoutError(f"找不到{where}，请从安装包中恢复该文件。") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LayoutError(f"无法读取{where}：{exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{where}格式有误（{exc}），请检查引号、逗号和方括号。") from None
    try:
        return _layout(name, data)
    except ValueError as exc:
        raise LayoutError(f"{where}有误：{exc}。") from None


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what}应当是带引号的文字")
    return value


def _texts(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f'{what}应当是文字列表，例如 ["客户联", "存根联"]')
    return tuple(value)


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what}应当是 true 或 false（不带引号）")
    return value


def _numbers(value: Any, what: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in value
    ):
        raise ValueError(f"{what}应当是数字列表，例如 [0.4, 0.15, 0.45]")
    return tuple(float(v) for v in value)


CHECKLIST_COLUMNS = 3  # 项目 / 结果 / 说明


def _layout(name: str, data: dict[str, Any]) -> Layout:
    title = _text(data.get("title"), "title（表单标题）")
    copies = _texts(data.get("copies", [""]), "copies（几联）")
    if not copies:
        raise ValueError('copies 至少要有一联，例如 [""]')
    raw_sections = data.get("sections", [])
    if not isinstance(raw_sections, list):
        raise ValueError("栏目应写成 [[sections]]")
    sections = []
    for number, raw in enumerate(raw_sections, start=1):
        where = f"第 {number} 个栏目"
        if not isinstance(raw, dict):
            raise ValueError(f"{where}格式不对")
        raw_fields = raw.get("fields", [])
        if not isinstance(raw_fields, list):
            raise ValueError(f"{where}的 fields 应当是 [{{ label = ..., field = ... }}, ...]")
        boxes = []
        for box in raw_fields:
            if not isinstance(box, dict):
                raise ValueError(f"{where}的 fields 里每一项应当是 {{ label = ..., field = ... }}")
            field_name = _text(box.get("field"), f"{where}的 field")
            if field_name not in FIELD_NAMES:
                raise ValueError(f"{where}的字段「{field_name}」不存在（可用字段见 docs/forms.md）")
            boxes.append(
                FieldBox(
                    label=_text(box.get("label"), f"{where}的 label"),
                    field=field_name,
                    wide=_flag(box.get("wide", False), f"{where}的 wide"),
                    flow=_flag(box.get("flow", False), f"{where}的 flow"),
                )
            )
        text_field = raw.get("text_field")
        if text_field is not None:
            text_field = _text(text_field, f"{where}的 text_field")
            if text_field not in FIELD_NAMES:
                raise ValueError(f"{where}的 text_field「{text_field}」不存在")
        checklist = _texts(raw.get("checklist", []), f"{where}的 checklist")
        if checklist and len(checklist) != CHECKLIST_COLUMNS:
            raise ValueError(f"{where}的 checklist 应有 3 列（项目、结果、说明）")
        widths = _numbers(raw.get("column_widths", []), f"{where}的 column_widths")
        if widths and len(widths) != CHECKLIST_COLUMNS:
            raise ValueError(f"{where}的 column_widths 应有 3 个数")
        if widths and (any(w <= 0 for w in widths) or abs(sum(widths) - 1) > 0.01):
            raise ValueError(f"{where}的 column_widths 应为正数，合计为 1")
        sections.append(
            Section(
                title=_text(raw.get("title"), f"{where}的 title"),
                fields=tuple(boxes),
                text_field=text_field,
                statement=_text(raw.get("statement", ""), f"{where}的 statement"),
                signatures=_texts(raw.get("signatures", []), f"{where}的 signatures"),
                checklist=checklist,
                column_widths=widths,
                conclusion=_flag(raw.get("conclusion", False), f"{where}的 conclusion"),
            )
        )
    if not sections:
        raise ValueError("没有任何栏目（[[sections]]）")
    return Layout(name=name, title=title, copies=copies, sections=tuple(sections))


# ------------------------------------------------------------------ values


def service_promise(settings: Settings, severity: Severity) -> str:
    """服务承诺 from the SLA settings, read back to the customer and printed: a
    limit counted in opening hours says so, so the customer expects the call
    in the showroom's hours, not at night."""
    contact = settings.sla[ClockKind.FIRST_CONTACT][severity]
    feedback = settings.sla[ClockKind.FEEDBACK][severity]
    hours = "营业时间 " if ClockKind.FIRST_CONTACT in settings.opening_hours_limits else " "
    days = "个营业日" if ClockKind.FEEDBACK in settings.opening_hours_limits else "日"
    return f"我们将在{hours}{contact} 小时内与您联系，并在 {feedback} {days}内反馈处理结果。"


def _when(moment: dt.datetime | dt.date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment:%Y-%m-%d}"


def field_values(store: Store, case: Case) -> dict[str, str]:
    """What each named box shows for a case, as printed (full personal data:
    the customer signs this paper)."""
    settings = store.settings()
    names = {s.id: s.name for s in store.all_staff()}
    product = " · ".join(
        x
        for x in (settings.label_of("product_category", case.product_category), case.brand_model)
        if x
    )
    solution = solution_text(
        case.solution_kind, case.solution_steps, case.solution_due, case.solution_cost_fen
    )
    demands = "、".join(settings.label_of("demand", d) for d in case.demands)
    if case.demand_note:
        demands = f"{demands}；{case.demand_note}" if demands else case.demand_note
    return {
        "case_no": case.case_no,
        "customer_name": case.customer_name,
        "customer_phone": format_phone(case.customer_phone),
        "customer_address": case.customer_address,
        "order_no": case.order_no,
        "purchase_date": _when(case.purchase_date),
        "install_date": _when(case.install_date),
        "product_category": settings.label_of("product_category", case.product_category),
        "brand_model": case.brand_model,
        "product": product,
        "received_at": _when(case.received_at),
        "channel": settings.label_of("channel", case.channel),
        "received_by": names.get(case.received_by, ""),
        "subject": case.subject,
        "category": settings.label_of("category", case.category),
        "severity": case.severity.label,
        "description": case.description,
        "demands": demands,
        "service_promise": service_promise(settings, case.severity),
        "owner": names.get(case.owner_id or 0, ""),
        "department": case.department,
        "solution": solution,
        "rectification_result": case.rectification_result,
        "rectified_by": names.get(case.rectified_by or 0, ""),
        "rectified_at": _when(case.rectified_at),
        "satisfaction": SATISFACTION_LABELS.get(case.satisfaction or 0, ""),
        "reviewer": "",
        "reviewed_at": "",
    }


def solution_text(kind: SolutionKind | None, steps: str, due: dt.date | None, cost_fen: int) -> str:
    """维修 300 元：上门更换铰链（预计 2026-11-25 完成）. Steps that begin with the
    kind's own name (typed as 「返工整改：…」) do not repeat it."""
    if kind is None:
        return ""
    text = kind.label
    if cost_fen:
        text += f" {format_yuan(cost_fen)}"
    steps = steps.strip()
    if steps.startswith(kind.label):
        steps = steps[len(kind.label) :].lstrip("：:，, ")
    if steps:
        text += f"：{steps}"
    if due:
        text += f"（预计 {due:%Y-%m-%d} 完成）"
    return text


def review_values(store: Store, case: Case, review: Review) -> dict[str, str]:
    """The 复核意见书 of one round: the case's summary, with what that round
    reviewed as it stood then (a later round never changes it)."""
    names = {s.id: s.name for s in store.all_staff()}
    values = field_values(store, case)
    values.update(
        solution=solution_text(
            review.solution_kind,
            review.solution_steps,
            review.solution_due,
            review.solution_cost_fen,
        ),
        rectification_result=review.rectification_result,
        rectified_by=names.get(review.rectified_by or 0, ""),
        rectified_at=_when(review.rectified_at),
        owner=names.get(review.owner_id or 0, ""),
        reviewer=names.get(review.reviewer_id, ""),
        reviewed_at=_when(review.at),
    )
    return values


def review_of(store: Store, case: Case, round_no: int | None) -> Review:
    """The review round to print (the latest when none is given), or a Chinese refusal."""
    reviews = store.reviews(case.id)
    if not reviews:
        raise ShowroomError(f"案件 {case.case_no} 还没有复核记录，不能打印复核意见书。")
    if round_no is None:
        return reviews[-1]
    for review in reviews:
        if review.round == round_no:
            return review
    raise ShowroomError(f"案件 {case.case_no} 没有第 {round_no} 次复核（共 {len(reviews)} 次）。")
