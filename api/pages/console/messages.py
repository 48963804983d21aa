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


def plain(message: str) -> str:
    """A service's message known only as text (a bulk outcome's), in Chinese where its shape is known."""
    if _CJK.search(message):
        return message
    for pattern, words in _BY_SHAPE:
        match = pattern.search(message)
        if match:
            return words(match)
    return "操作没有成功"


# What the pages say when something worked, and the refusals the pages themselves make.
SAID = {
    "claimed": "已认领工单 {ticket}",
    "claimed_here": "已认领，这个工单现在由您处理",
    "assigned": "已把工单 {ticket} 分配给 {name}",
    "assigned_here": "已分配给 {name}",
    "bulk_assigned": "已分配 {done} 个工单",
    "bulk_failed": "；{count} 个未分配：{why}",
    "status_changed": "工单已改为“{status}”",
    "resolved": "工单已解决",
    "resolved_closed": "工单已解决，会话已结束并已请客户评价",
    "reopened": "工单已重新打开",
    "released": "会话已交还机器人；客户下一条消息由机器人回答",
    "replied": "回复已发送给客户",
    "replied_before": "这条回复刚才已发送过，没有重复发送",
    "case_noted": "内部备注已保存（客户不可见）",
    "customer_noted": "备注已保存（客户不可见）",
    "tagged": "已添加标签“{tag}”",
    "untagged": "已移除标签“{tag}”",
    "merged": "已把客户 {source} 合并到当前客户",
    "canned_created": "已新增快捷回复“{title}”",
    "canned_saved": "已保存“{title}”",
    "canned_archived": "已归档，这条快捷回复不再出现在列表里",
    "staff_created": "已创建员工账号 {name}",
    "staff_saved": "已保存 {name} 的账号",
    "password_set": "已为 {name} 设置新密码；其原有登录已全部退出",
    "token_created": "已创建令牌“{name}”",
    "token_revoked": "令牌已撤销，使用它的程序将无法再访问",
    "changed_by": "{who} 刚修改了这个工单，已为您刷新",
    "alerts_run": "检测完成：新增 {count} 条口碑预警",
    "alerts_run_webhook": "；已推送 {sent} 条，推送失败 {failed} 条",
    "alert_acknowledged": "已确认预警“{label}”",
    "segments_run": "已重新计算分群：{customers} 位客户，{rows} 条分群记录",
    "follow_up_opened": "已为 {name} 创建回访工单 {ticket}",
    # Refusals
    "login_expired": "页面已过期，请重新登录",
    "login_missing": "请输入用户名和密码",
    "choose": "请选择{what}",
    "version_missing": "页面缺少工单版本，请刷新后重试",
    "reason_missing": "请选择处理结果（已解决、已退款……）",
    "password_missing": "请设置初始密码",
    "merge_unconfirmed": "请勾选确认：合并后被合并的客户将被删除，无法撤销",
    "merge_source": "要合并进来的客户编号",
    "assignee": "处理人",
    "import_no_file": "请选择要导入的 CSV 或 XLSX 文件",
}

# Error pages: a title by kind of refusal, and Starlette's own refusals.
TITLES = {
    PermissionDeniedError: "无权访问",
    NotFoundError: "找不到页面",
    ConflictError: "内容已变化",
    RateLimitedError: "请稍后再试",
}
FAILED = "操作没有成功"
INVALID = "输入有误"
HTTP_WORDS = {
    404: ("找不到页面", "这个地址没有页面，可能已被移走"),
    405: ("无法这样访问", "这个地址不接受这种请求"),
}
HTTP_OTHER = (FAILED, "请求没有成功，请稍后重试")
# The audited "显示" of each personal field.
PII_NAMES = {"phone": "手机号", "email": "邮箱", "address": "收货地址"}
# What each canned-reply placeholder is filled with, as the canned replies page explains it.
PLACEHOLDER_HELP = {
    "客户名": "客户的姓名；不知道时填“您”",
    "订单号": "工单关联的订单，没有时用客户最近的一笔订单",
    "工单号": "当前工单的编号",
    "客服名": "发送回复的同事的名字",
    "店铺名": "店铺名称",
}


def said(key: str, **values: object) -> str:
    return SAID[key].format(**values)


def title_for(error: HuishengError) -> str:
    return next((title for kind, title in TITLES.items() if isinstance(error, kind)), FAILED)


def duration(minutes: int) -> str:
    minutes = abs(minutes)
    if minutes < 60:
        return f"{minutes} 分钟"
    hours, rest = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} 天"
    return f"{hours} 小时 {rest} 分钟" if rest else f"{hours} 小时"


def sla_text(minutes_left: int) -> str:
    """超时 25 分钟 once the deadline passed, else 剩余 40 分钟."""
    return f"超时 {duration(minutes_left)}" if minutes_left < 0 else f"剩余 {duration(minutes_left)}"


def event_text(kind: str, note: str | None) -> str:
    """Older events keep English notes ("assigned to li.na"); the timeline shows them in Chinese."""
    text = note or ""
    if kind == "assigned" and text.startswith("assigned to "):
        return f"分配给 {text.removeprefix('assigned to ')}"
    if kind == "joined" and text.startswith("customer asked for a person again: "):
        return f"客户再次要求人工：{text.split(': ', 1)[1]}"
    return text
