"""One row of a review file, read through the column mapping into what a review needs, or refused with the
reason in Chinese: text, rating 1–5, the date in the formats exports use (Excel serial numbers too)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Final

from huisheng.services.review_files import Cell, show
from huisheng.services.reviews import MAX_REVIEW_LENGTH

# Exports from Chinese marketplaces write local time without a zone.
CHINA: Final = timezone(timedelta(hours=8))
_EXCEL_EPOCH: Final = datetime(1899, 12, 30)
_DATE_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d",
)
_SEPARATORS: Final = re.compile(r"[/.年月]")
_STARS: Final = re.compile(r"^[★☆]+$")


class RowProblem(ValueError):
    """Why a row is not imported, in words the manager reads."""


@dataclass(frozen=True, slots=True)
class ReviewRow:
    line: int
    text: str
    rating: int | None = None
    created_at: datetime | None = None
    external_id: str | None = None
    order_no: str | None = None
    product: str | None = None
    customer: str | None = None
    category: str | None = None
    source: str | None = None


def read_row(line: int, cells: list[Cell], columns: dict[str, int]) -> ReviewRow:
    """The row's review; RowProblem when a value is missing, out of range or unreadable."""

    def raw(field_name: str) -> Cell:
        index = columns.get(field_name)
        return cells[index] if index is not None and index < len(cells) else None

    def text_of(field_name: str, limit: int, label: str) -> str | None:
        value = show(raw(field_name))
        if len(value) > limit:
            raise RowProblem(f"{label}太长（{len(value)} 个字，上限 {limit}）")
        return value or None

    body = show(raw("text"))
    if not body:
        raise RowProblem("评价内容为空")
    if "\x00" in body:
        raise RowProblem("评价内容含有无效字符")
    if len(body) > MAX_REVIEW_LENGTH:
        raise RowProblem(f"评价内容太长（{len(body):,} 个字，上限 {MAX_REVIEW_LENGTH:,}）")
    return ReviewRow(
        line=line,
        text=body,
        rating=parse_rating(raw("rating")),
        created_at=parse_date(raw("date")),
        external_id=text_of("external_id", 64, "评价编号"),
        order_no=text_of("order_no", 32, "订单号"),
        product=text_of("product", 200, "商品"),
        customer=text_of("customer", 100, "客户"),
        category=text_of("category", 50, "类目"),
        source=text_of("source", 32, "来源"),
    )


def parse_rating(value: Cell) -> int | None:
    """5, "5", "5.0", "5星", "5分" or "★★★★★"; None when blank; RowProblem unless a whole number 1–5."""
    text = show(value)
    if not text:
        return None
    if _STARS.match(text):
        stars = text.count("★")
        if 1 <= stars <= 5:
            return stars
    number = text.removesuffix("星").removesuffix("分").strip()
    try:
        rating = float(number)
    except ValueError:
        raise RowProblem(f"评分“{text}”不是 1–5 的整数") from None
    if not rating.is_integer() or not 1 <= rating <= 5:
        raise RowProblem(f"评分“{text}”不在 1–5 之间")
    return int(rating)


def parse_date(value: Cell) -> datetime | None:
    """The review's time in UTC; times without a zone are China time. None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return _utc(datetime.combine(value, time()))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))
    text = show(value)
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _excel_serial(float(text))
    normalised = _SEPARATORS.sub("-", text.replace("日", " ").replace("：", ":")).strip(" -")
    normalised = re.sub(r"\s+", " ", normalised)
    try:
        return _utc(datetime.fromisoformat(normalised))
    except ValueError:
        pass
    for pattern in _DATE_FORMATS:
        try:
            return _utc(datetime.strptime(normalised, pattern))
        except ValueError:
            continue
    raise RowProblem(f"无法识别的日期“{text}”（可用 2024-05-01、2024/5/1 或 2024-05-01 12:00）")


def _excel_serial(serial: float) -> datetime:
    # Excel counts days from 1899-12-30 (its 1900 leap-year bug included); 20000–80000 is 1954–2119.
    if not 20_000 <= serial <= 80_000:
        raise RowProblem(f"无法识别的日期“{show(serial)}”")
    return _utc(_EXCEL_EPOCH + timedelta(days=serial))


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA)
    if moment > datetime.now(UTC) + timedelta(days=1):
        raise RowProblem(f"日期 {moment:%Y-%m-%d} 在未来")
    return moment.astimezone(UTC)
