"""The dashboard's filter (a China-date range, channel, product category, aspect, day or week buckets) and
the dialect-aware SQL pieces every panel shares: China-date buckets and durations in seconds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Float, String, cast, func, literal_column, type_coerce
from sqlalchemy.orm import Session

from crm_store.enums import Channel
from huisheng.errors import InvalidInputError
from nlp.aspects import DEFAULT_ASPECTS, load_aspect_terms

# China keeps one offset all year: buckets are China calendar days.
CHINA = timezone(timedelta(hours=8), "CST")
MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"


@lru_cache(maxsize=4)
def aspect_names(path: Path = DEFAULT_ASPECTS) -> tuple[str, ...]:
    """The aspects the analyser knows (物流, 质量, …), in the lexicon's order."""
    return tuple(load_aspect_terms(path))


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    """What the manager asked for: [since, until) in UTC, from China dates; None means every value."""

    since: datetime
    until: datetime
    channel: Channel | None = None
    category: str | None = None
    aspect: str | None = None
    granularity: Granularity = Granularity.DAY

    @property
    def first_day(self) -> date:
        return self.since.astimezone(CHINA).date()

    @property
    def last_day(self) -> date:
        """The last China date in the range (until is exclusive)."""
        return (self.until.astimezone(CHINA) - timedelta(microseconds=1)).date()

    def previous(self) -> DashboardFilter:
        """The period of equal length just before this one, same other filters."""
        return replace(self, since=self.since - (self.until - self.since), until=self.since)

    def query_params(self) -> dict[str, str]:
        params = {"since": self.first_day.isoformat(), "until": self.last_day.isoformat()}
        for key, value in (("channel", self.channel), ("category", self.category), ("aspect", self.aspect)):
            if value:
                params[key] = str(value)
        params["granularity"] = self.granularity.value
        return params


def china_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), CHINA).astimezone(UTC)


def build_filter(
    *,
    since: date | None = None,
    until: date | None = None,
    channel: str | None = None,
    category: str | None = None,
    aspect: str | None = None,
    granularity: str | None = None,
    today: date | None = None,
    aspects: tuple[str, ...] | None = None,
) -> DashboardFilter:
    """A filter from China dates (both inclusive; the last 30 days by default), refusing what makes no sense."""
    today = today or datetime.now(CHINA).date()
    until = until or today
    since = since or until - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if since > until:
        raise InvalidInputError(
            f"开始日期 {since} 晚于结束日期 {until}", code="bad_range", details={"field": "since"}
        )
    if (until - since).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInputError(
            f"日期范围最长 {MAX_RANGE_DAYS} 天", code="range_too_long", details={"field": "until"}
        )
    chosen_channel: Channel | None = None
    if channel:
        try:
            chosen_channel = Channel(channel)
        except ValueError:
            known = ", ".join(c.value for c in Channel)
            raise InvalidInputError(
                f"未知渠道 {channel}（可选：{known}）", code="unknown_channel", details={"field": "channel"}
            ) from None
    if aspect and aspect not in (aspects or aspect_names()):
        raise InvalidInputError(f"未知方面 {aspect}", code="unknown_aspect", details={"field": "aspect"})
    try:
        chosen_granularity = Granularity(granularity or Granularity.DAY)
    except ValueError:
        raise InvalidInputError(
            f"粒度只能是 day 或 week，不是 {granularity}",
            code="bad_granularity",
            details={"field": "granularity"},
        ) from None
    return DashboardFilter(
        since=china_midnight(since),
        until=china_midnight(until + timedelta(days=1)),
        channel=chosen_channel,
        category=category or None,
        aspect=aspect or None,
        granularity=chosen_granularity,
    )


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def china_bucket(session: Session, column: Any, granularity: Granularity) -> ColumnElement[str]:
    """The China date (YYYY-MM-DD) a UTC timestamp falls on, or the Monday of its week, computed in SQL."""
    if _dialect(session) == "postgresql":
        # timestamptz → UTC wall time → China wall time, without the server's tz database.
        local = func.timezone("UTC", column) + literal_column("INTERVAL '8 hours'")
        unit = "week" if granularity is Granularity.WEEK else "day"
        return func.to_char(func.date_trunc(unit, local), "YYYY-MM-DD")
    if granularity is Granularity.WEEK:
        # 'weekday 0' moves forward to Sunday (or stays), '-6 days' lands on that week's Monday.
        return type_coerce(func.date(column, "+8 hours", "weekday 0", "-6 days"), String)
    return type_coerce(func.date(column, "+8 hours"), String)


def day_bucket(session: Session, day: Any, granularity: Granularity) -> ColumnElement[str]:
    """A stored China day (DATE) as YYYY-MM-DD, or the Monday of its week, like china_bucket."""
    if _dialect(session) == "postgresql":
        if granularity is Granularity.WEEK:
            return func.to_char(func.date_trunc("week", day), "YYYY-MM-DD")
        return func.to_char(day, "YYYY-MM-DD")
    if granularity is Granularity.WEEK:
        return type_coerce(func.date(day, "weekday 0", "-6 days"), String)
    return type_coerce(func.date(day), String)


def seconds_between(session: Session, start: Any, end: Any) -> ColumnElement[float]:
    """end − start in seconds, as a float, in SQL."""
    if _dialect(session) == "postgresql":
        return cast(func.extract("epoch", end - start), Float)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
