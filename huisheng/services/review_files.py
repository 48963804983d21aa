"""Review spreadsheets as uploaded: CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030; comma or tab) and
XLSX, read within size limits into a header row and numbered data rows, and the column mapping guessed."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Final

from huisheng.errors import InvalidInputError, TooLargeError

MAX_BYTES: Final = 20 * 1024 * 1024
MAX_ROWS: Final = 200_000
PREVIEW_ROWS: Final = 5

Cell = str | int | float | object | None

# What each field means, as the mapping form labels it; `text` is the only one a file must have.
FIELDS: Final = {
    "text": "评价内容",
    "rating": "评分（1–5）",
    "date": "评价时间",
    "external_id": "评价编号",
    "order_no": "订单号",
    "product": "商品（SKU 或名称）",
    "customer": "客户（手机号或姓名）",
    "category": "类目",
    "source": "每行的来源平台",
}
REQUIRED: Final = "text"

# Common headers of marketplace exports and of our own CSV, normalised (lower case, no spaces or marks).
_EXACT: Final[dict[str, tuple[str, ...]]] = {
    "external_id": (
        "评价id",
        "评论id",
        "评价编号",
        "评论编号",
        "external_id",
        "review_id",
        "source_id",
        "id",
    ),
    "date": (
        "评价时间",
        "评论时间",
        "时间",
        "日期",
        "评价日期",
        "评论日期",
        "创建时间",
        "发表时间",
        "date",
        "time",
        "datetime",
        "created_at",
        "created",
        "review_date",
    ),
    "rating": ("评分", "星级", "打分", "分数", "评价星级", "商品评分", "rating", "score", "stars", "star"),
    "order_no": ("订单号", "订单编号", "子订单号", "主订单号", "order_no", "orderno", "order_id", "order"),
    "customer": (
        "手机号",
        "手机",
        "手机号码",
        "联系电话",
        "电话",
        "买家手机号",
        "客户手机号",
        "买家",
        "买家昵称",
        "客户",
        "客户姓名",
        "姓名",
        "phone",
        "mobile",
        "customer",
        "customer_phone",
        "name",
    ),
    "product": (
        "商品sku",
        "sku",
        "商品编码",
        "商品编号",
        "商品",
        "商品名称",
        "宝贝名称",
        "产品",
        "产品名称",
        "product_sku",
        "product",
        "product_name",
        "item",
    ),
    "category": ("类目", "品类", "分类", "商品类目", "category"),
    "source": ("来源", "渠道", "平台", "来源平台", "source", "channel", "platform"),
    "text": (
        "评价内容",
        "评论内容",
        "评价",
        "评论",
        "内容",
        "评语",
        "买家评价",
        "初评内容",
        "text",
        "content",
        "review",
        "comment",
        "body",
    ),
}
# Chinese words that say what a longer header holds ("首次评价内容", "评价时间(北京)"); the text comes
# before the customer and product, so "买家评论" and "商品评价" are the review.
_CONTAINS: Final[dict[str, tuple[str, ...]]] = {
    "external_id": ("评价编号", "评论编号", "评价id", "评论id"),
    "date": ("时间", "日期"),
    "rating": ("评分", "星级", "打分"),
    "text": ("内容", "评价", "评论", "评语"),
    "order_no": ("订单",),
    "customer": ("手机", "电话", "买家", "客户"),
    "product": ("商品", "宝贝", "产品"),
    "category": ("类目", "品类"),
    "source": ("平台", "渠道", "来源"),
}
_MARKS = re.compile(r"[\s\-–—_:：()（）\[\]【】/\\·.]+")


@dataclass(frozen=True, slots=True)
class Table:
    """A file's header row and its data rows, each numbered as a spreadsheet shows it (the header is 1)."""

    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    warnings: list[str] = field(default_factory=list)

    def preview(self, limit: int = PREVIEW_ROWS) -> list[list[str]]:
        return [[show(cell) for cell in cells] for _, cells in self.rows[:limit]]


def show(cell: Cell) -> str:
    """A cell as text: whole numbers without '.0' (order numbers and phones come as floats from Excel)."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def too_large(size: int | None = None) -> TooLargeError:
    """The refusal of a file over MAX_BYTES; `size` when known (a whole file, or a declared length)."""
    limit = MAX_BYTES // 1024 // 1024
    said = (
        f"{size / 1024 / 1024:.1f} MB，上限是 {limit} MB" if size is not None else f"超过 {limit} MB 的上限"
    )
    return TooLargeError(f"文件太大：{said}；请拆分后分批导入", code="file_too_large")


def read_table(data: bytes, filename: str) -> Table:
    """The uploaded file as a table; InvalidInputError (in Chinese) for what cannot be read, TooLargeError for
    what is too big."""
    if len(data) > MAX_BYTES:
        raise too_large(len(data))
    if not data.strip():
        raise InvalidInputError("文件是空的", code="empty_file")
    name = filename.lower()
    if name.endswith(".xls") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InvalidInputError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV", code="bad_file")
    if name.endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        return _read_xlsx(data)
    return _read_csv(data)


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: a BOM says which; else strict UTF-8, then GB18030."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "UTF-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "UTF-16"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312, which Chinese Excel writes by default.
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        raise InvalidInputError(
            "无法识别文件编码：既不是 UTF-8 也不是 GBK/GB18030；请在 Excel 中另存为“CSV UTF-8”",
            code="bad_encoding",
        ) from None


def _read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if headers is None:
                if any(c.strip() for c in cells):
                    headers = _headers(cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            rows.append((line, list(cells)))
            _check_rows(len(rows))
    except csv.Error as error:
        raise InvalidInputError(f"第 {reader.line_num} 行无法按 CSV 读取：{error}", code="bad_file") from None
    if headers is None:
        raise InvalidInputError("文件里没有表头行", code="empty_file")
    return Table(headers, rows, "csv", encoding=encoding, delimiter="tab" if delimiter == "\t" else "comma")


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise InvalidInputError(f"不是有效的 XLSX 文件：{error}", code="bad_file") from None
    try:
        sheet = workbook.worksheets[0]
        headers: list[str] | None = None
        rows: list[tuple[int, list[Cell]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells: list[Cell] = list(values)
            if not any(show(c) for c in cells):
                continue
            if headers is None:
                headers = _headers([show(c) for c in cells])
                continue
            rows.append((line, cells))
            _check_rows(len(rows))
    finally:
        workbook.close()
    if headers is None:
        raise InvalidInputError("工作表里没有表头行", code="empty_file")
    warnings = ["只读取了第一个工作表"] if len(workbook.sheetnames) > 1 else []
    return Table(headers, rows, "xlsx", warnings=warnings)


def _check_rows(count: int) -> None:
    if count > MAX_ROWS:
        raise InvalidInputError(f"文件超过 {MAX_ROWS:,} 行；请拆分后分批导入", code="too_many_rows")


def _headers(cells: list[str]) -> list[str]:
    """Header names, blank ones named by their column and repeated ones numbered, so each is a key."""
    names: list[str] = []
    for index, cell in enumerate(cells, start=1):
        name = cell.strip() or f"第{index}列"
        if name in names:
            name = f"{name}({index})"
        names.append(name)
    return names


def _norm(header: str) -> str:
    return _MARKS.sub("", header.lower())


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """field → header, from common Chinese and English header names; exact names first, then contained
    words, each header used once."""
    normalised = {header: _norm(header) for header in headers}
    mapping: dict[str, str] = {}

    def take(field_name: str, matches: list[str]) -> None:
        free = [h for h in matches if h not in mapping.values()]
        if free and field_name not in mapping:
            mapping[field_name] = free[0]

    for field_name, names in _EXACT.items():
        for name in names:
            take(field_name, [h for h, n in normalised.items() if n == _norm(name)])
    for field_name, words in _CONTAINS.items():
        for word in words:
            take(field_name, [h for h, n in normalised.items() if word in n])
    return {f: mapping[f] for f in FIELDS if f in mapping}


def check_mapping(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """The mapping without blanks; refused when it lacks the text column or names unknown fields/columns."""
    cleaned = {f: h for f, h in mapping.items() if h}
    unknown_fields = sorted(set(cleaned) - set(FIELDS))
    if unknown_fields:
        raise InvalidInputError(
            f"未知的字段：{'、'.join(unknown_fields)}；可用的有 {'、'.join(FIELDS)}", code="bad_mapping"
        )
    missing = [h for h in cleaned.values() if h not in headers]
    if missing:
        raise InvalidInputError(
            f"文件里没有这些列：{'、'.join(missing)}；文件的列是 {'、'.join(headers)}", code="bad_mapping"
        )
    if REQUIRED not in cleaned:
        raise InvalidInputError("请指定哪一列是评价内容", code="bad_mapping")
    used = list(cleaned.values())
    doubled = sorted({h for h in used if used.count(h) > 1})
    if doubled:
        raise InvalidInputError(f"同一列不能对应多个字段：{'、'.join(doubled)}", code="bad_mapping")
    return {f: cleaned[f] for f in FIELDS if f in cleaned}
