"""Sends a new alert to the shop's group-chat bot (WeCom/DingTalk style: a markdown message as JSON)."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from crm_store.enums import AlertKind
from crm_store.models import Alert

log = logging.getLogger(__name__)

KIND_NAMES = {AlertKind.ASPECT: "方面", AlertKind.PRODUCT: "商品", AlertKind.KEYWORD: "关键词"}
ATTEMPTS = 2  # the first try and one retry


def payload(alert: Alert) -> dict[str, Any]:
    """The bot message: what rose, by how much, and a few of the texts."""
    lines = [
        f"### 口碑预警：{KIND_NAMES[alert.kind]}「{alert.label}」差评上升",
        f"> 最近 {_days(alert)} 天内差评 **{alert.observed}** 条，"
        f"按前 {alert.baseline_days} 天应约 {alert.expected:.1f} 条（p = {alert.p_value:.2g}）",
    ]
    if alert.share_now is not None and alert.share_before is not None:
        lines.append(f"> 差评占比 {alert.share_before:.0%} → {alert.share_now:.0%}")
    for example in alert.examples:
        lines.append(f"- {example['text']}")
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(lines)}}


def deliver(alert: Alert, *, url: str, timeout: float, client: httpx.Client | None = None) -> str | None:
    """Posts the alert, retrying once; answers None when delivered, else what went wrong (never raises)."""
    owned = client is None
    http = client or httpx.Client(timeout=timeout)
    error = "not sent"
    try:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = http.post(url, json=payload(alert), timeout=timeout)
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"
            else:
                if response.is_success:
                    return None
                error = f"HTTP {response.status_code}"
            log.warning("alert %s webhook attempt %d failed: %s", alert.id, attempt, error)
    finally:
        if owned:
            http.close()
    return error


def _days(alert: Alert) -> str:
    return f"{(alert.window_end_at - alert.window_start_at).total_seconds() / 86400:g}"
