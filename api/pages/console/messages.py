"""Service errors in words a Chinese-speaking staff member reads: keyed by code, by the validation details
(field, max_length), and, for the few services that still write English, by the message's shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from huisheng.errors import (
    ConflictError,
    HuishengError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UpstreamUnavailableError,
)

# The names services give fields (validation.clean_text's `field`), as a form labels them.
FIELD_NAMES = {
    "text": "回复内容",
    "note": "备注",
    "tag": "标签",
    "title": "标题",
    "body": "内容",
    "shortcut": "快捷键",
    "name": "名称",
    "display_name": "姓名",
    "username": "用户名",
    "password": "密码",
    "reason": "原因",
    "resolution": "处理说明",
    "q": "搜索词",
    "client_id": "消息编号",
    "email": "邮箱",
    "phone": "手机号",
    "version": "工单版本",
    "assignee_id": "处理人",
    "source_id": "客户编号",
    "role": "角色",
}

# By error code, where the service's own message is English or names internals.
_BY_CODE = {
    "not_your_conversation": "这个会话不在队列中，也没有分配给您；如需接手请联系主管分配",
    "conversation_closed": "会话已结束，无法再回复",
    "not_handed_over": "会话已在机器人接待中",
    "csrf_failed": "页面已过期，请刷新后重试",
}

# English messages of older services, by their shape; each maps the match to Chinese.
_BY_SHAPE: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"is not a valid username"), lambda m: "用户名需为 2–64 位小写字母、数字、“.”、“_”或“-”"),
    (re.compile(r"username '(.+)' is taken"), lambda m: f"用户名 {m.group(1)} 已被占用"),
    (re.compile(r"unknown role '(.*)'"), lambda m: f"未知角色“{m.group(1)}”"),
    (re.compile(r"staff user .* does not exist"), lambda m: "找不到这位员工，或其账号已停用"),
    (re.compile(r"customer (\d+) does not exist"), lambda m: f"客户 {m.group(1)} 不存在"),
    (re.compile(r"escalation (\d+) does not exist"), lambda m: f"工单 {m.group(1)} 不存在"),
    (re.compile(r"conversation (\d+) does not exist"), lambda m: f"会话 {m.group(1)} 不存在"),
    (re.compile(r"conversation \d+ is closed"), lambda m: "会话已结束，无法再操作"),
    (re.compile(r"a customer cannot be merged into itself"), lambda m: "不能把客户合并到自己身上"),
    (re.compile(r"cannot go from"), lambda m: "工单当前的状态不能直接进入这一步"),
    (re.compile(r"only open cases can be assigned"), lambda m: "只有未结的工单可以分配"),
    (re.compile(r"needs a resolution"), lambda m: "请填写处理说明"),
    (re.compile(r"assign the escalation to someone instead"), lambda m: "请改为分配给一位同事"),
    (re.compile(r"is not an email address"), lambda m: "邮箱格式不正确"),
    (re.compile(r"is not a phone number"), lambda m: "手机号格式不正确"),
    (re.compile(r"this staff account is inactive"), lambda m: "您的账号已停用"),
]

_GENERIC = {
    NotFoundError: "找不到要操作的内容，可能已被删除",
    InvalidInputError: "输入有误，请检查后重试",
    ConflictError: "与已保存的内容冲突，请刷新后重试",
    PermissionDeniedError: "您没有权限执行此操作",
    RateLimitedError: "尝试次数过多，请稍后再试",
    UpstreamUnavailableError: "依赖的服务暂时不可用，请稍后再试",
}
_CJK = re.compile(r"[\u4e00-\u9fff]")


def field_name(field: str) -> str:
    return FIELD_NAMES.get(field, field)


def from_details(details: dict[str, Any], message: str) -> str | None:
    """What validation.clean_text's details say, in Chinese: the field, and the limit when there is one."""
    field = details.get("field")
    if not isinstance(field, str):
        return None
    name = field_name(field)
    if "max_length" in details:
        return f"{name}不能超过 {details['max_length']} 个字（现在 {details.get('length', '?')} 个）"
    if "must not be empty" in message:
        return f"请填写{name}"
    if "NUL" in message:
        return f"{name}含有无效字符"
    if "is not an email address" in message:
        return "邮箱格式不正确"
    if "is not a phone number" in message:
        return "手机号格式不正确"
    return None


def chinese(error: HuishengError) -> str:
    """The error's message for a page: the service's own words when they are Chinese, else our catalogue."""
    if error.code in _BY_CODE:
        return _BY_CODE[error.code]
    translated = from_details(error.details, error.message)
    if translated is not None:
        return translated
    if _CJK.search(error.message):
        return error.message
    for pattern, words in _BY_SHAPE:
        match = pattern.search(error.message)
        if match:
            return words(match)
    for error_type, words_for_type in _GENERIC.items():
        if isinstance(error, error_type):
            return words_for_type
    return "操作没有成功，请稍后重试"


def validation_message(problems: list[dict[str, Any]]) -> str:
    """FastAPI's own checks (a missing form field, a number that is not one) in Chinese."""
    parts = []
    for problem in problems:
        location = [str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "path", "form")]
        name = field_name(location[-1]) if location else "请求"
        kind = str(problem.get("type", ""))
        parts.append(f"缺少{name}" if kind == "missing" else f"{name}格式不正确")
    return "；".join(dict.fromkeys(parts)) or "请求格式不正确"
