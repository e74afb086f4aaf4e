"""回访话术: the call script the follow-up dialog shows (seed 004).

A script is made of parts a manager edits in 设置: the greeting, what to
say when the customer is busy, the questions of each kind of call, what to
say when the customer is unhappy, and the closing blessing. Placeholders in
braces ({客户称呼}) are filled from the case and the caller; an unknown one
is reported, never read out to the customer as "{…}".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from .domain import Case, ContactPurpose, Stage
from .errors import RuleError

if TYPE_CHECKING:  # settings hold the script, so they import this module
    from .settings import Settings


class CallKind(StrEnum):
    """The calls the manual gives questions for."""

    PROGRESS = "progress"  # day 5: not finished yet, say where it stands
    AFTER_FIX = "after_fix"  # the day after a home visit or a rectification
    SATISFACTION = "satisfaction"  # before closing: how satisfied is the customer

    @property
    def label(self) -> str:
        return {
            "progress": "进度告知（受理第 5 天）",
            "after_fix": "上门或整改后回访",
            "satisfaction": "结案前满意度回访",
        }[self.value]


# The parts in the order they are read, with their titles in 设置 and the dialog.
SHARED_PARTS = {
    "opening": "开场白",
    "busy": "客户不方便时",
    "unhappy": "客户不满意时",
    "closing": "结束语",
}
PART_TITLES = {
    **{key: title for key, title in SHARED_PARTS.items() if key in ("opening", "busy")},
    **{kind.value: f"询问：{kind.label}" for kind in CallKind},
    **{key: title for key, title in SHARED_PARTS.items() if key in ("unhappy", "closing")},
}

PLACEHOLDERS = {
    "门店": "门店名称",
    "我的姓名": "打电话的员工",
    "客户称呼": "如 张先生、王女士（没有登记称呼时用全名）",
    "投诉编号": "如 TS-20261123-001",
    "产品": "产品品类和品牌型号",
    "受理日期": "如 11月23日",
    "承诺日期": "处理方案的预计完成日期（还没有方案时为「尽快」）",
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")

DEFAULT_SCRIPT: Mapping[str, str] = {
    "opening": (
        "您好，请问是{客户称呼}吗？我是{门店}的客服代表{我的姓名}。"
        "很冒昧打扰您，您现在方便接听电话吗？"
    ),
    "busy": (
        "不好意思打扰您了。请问您什么时间方便？我到时再给您打过来。"
        "（记下客户方便的时间，点「客户现在不方便，改约」。）"
    ),
    "progress": (
        "关于您{受理日期}反映的{产品}问题（编号 {投诉编号}），跟您说一下目前的处理进度：……\n"
        "还没有处理完是因为……，我们预计在{承诺日期}前处理好。\n"
        "给您添麻烦了，请问您这边还有什么需要我们注意的吗？"
    ),
    "after_fix": (
        "首先感谢您选择{门店}。关于您反映的{产品}问题（编号 {投诉编号}），"
        "我们的师傅已经上门处理过了。\n"
        "请问现在使用情况怎么样？问题解决了吗？\n"
        "师傅上门时的服务态度、现场清理，您还满意吗？"
    ),
    "satisfaction": (
        "关于您反映的{产品}问题（编号 {投诉编号}），现在已经处理完成。\n"
        "想请您为这次处理打个分：非常满意、满意、一般、不满意、非常不满意，您觉得是哪一个？\n"
        "您对我们的服务还有什么意见或建议吗？"
    ),
    "unhappy": (
        "非常抱歉给您带来不便，我代表{门店}向您道歉。您说的情况我已经详细记下来了，"
        "会马上反馈给负责的同事，并在约定的时间前给您回电话。\n"
        "（只说已经确定的事，不要作出未经批准的承诺；把客户的原话记在「客户原话」里。）"
    ),
    "closing": (
        "很高兴您能抽出宝贵的时间接受我们的回访，祝您生活愉快、阖家幸福！"
        "打扰您了，谢谢，再见。（等客户先挂电话后再挂。）"
    ),
}
MAX_PART = 1000

# Two-character surnames, so that 欧阳娜娜 is 欧阳女士 and not 欧女士.
_DOUBLE_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "百里",
        "呼延",
        "申屠",
        "澹台",
        "公冶",
        "太史",
        "闻人",
        "万俟",
        "单于",
        "钟离",
        "濮阳",
    ]
)


def unknown_placeholders(text: str) -> list[str]:
    """The {…} in `text` that are not placeholders we can fill."""
    return [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]


def check_script(parts: Mapping[str, str]) -> None:
    """Refuse a script that would be read out with a raw {…} or is far too long."""
    for key, title in PART_TITLES.items():
        text = parts.get(key, "")
        if len(text) > MAX_PART:
            raise RuleError(f"话术「{title}」最多 {MAX_PART} 字。")
        unknown = unknown_placeholders(text)
        if unknown:
            known = "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
            raise RuleError(f"话术「{title}」里的 {{{unknown[0]}}} 不认识。可以用的有：{known}。")


def form_of_address(name: str, title: str) -> str:
    """张伟 + 先生 → 张先生; without a title the full name is the politest guess."""
    name = name.strip()
    if not title or not name:
        return name
    if not "\u4e00" <= name[0] <= "\u9fff":  # not a Chinese name: John先生
        return name + title
    surname = name[:2] if name[:2] in _DOUBLE_SURNAMES else name[:1]
    return surname + title


@dataclass(frozen=True)
class ScriptPart:
    title: str
    text: str


def fill(text: str, values: Mapping[str, str]) -> str:
    """The text with its placeholders filled; an unknown one raises RuleError."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise RuleError(f"话术里的 {{{unknown[0]}}} 不认识，请到「设置 → 回访话术」改正。")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def script_for(
    parts: Mapping[str, str], kind: CallKind | None, values: Mapping[str, str]
) -> list[ScriptPart]:
    """The parts to read for a call of `kind` (None: greeting and closing only), filled."""
    keys = ["opening", "busy"]
    if kind is not None:
        keys.append(kind.value)
    keys += ["unhappy", "closing"]
    # A part the manager emptied is left out; one never saved reads the default.
    texts = [(key, parts.get(key, DEFAULT_SCRIPT[key])) for key in keys]
    return [ScriptPart(PART_TITLES[key], fill(text, values)) for key, text in texts if text.strip()]


def call_kind(case: Case, purpose: ContactPurpose) -> CallKind | None:
    """Which questions fit this call: a progress call, the satisfaction call
    before closing, or the check after a visit or rectification."""
    if purpose == ContactPurpose.PROGRESS:
        return CallKind.PROGRESS
    if purpose != ContactPurpose.FOLLOW_UP:
        return None
    return CallKind.SATISFACTION if case.stage == Stage.FOLLOW_UP else CallKind.AFTER_FIX


def values_for(case: Case, settings: Settings, caller: str) -> dict[str, str]:
    """What the placeholders stand for on this case, said by `caller`."""
    product = " ".join(
        part
        for part in (settings.label_of("product_category", case.product_category), case.brand_model)
        if part
    )
    return {
        "门店": settings.showroom_name,
        "我的姓名": caller,
        "客户称呼": form_of_address(case.customer_name, case.customer_title),
        "投诉编号": case.case_no,
        "产品": product or "产品",
        "受理日期": f"{case.received_at.month}月{case.received_at.day}日",
        "承诺日期": (
            f"{case.solution_due.month}月{case.solution_due.day}日" if case.solution_due else "尽快"
        ),
    }
