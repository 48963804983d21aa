"""Importing a review file: each good row analysed (in batches) and stored with its analysis, duplicates
skipped, bad rows reported by line with the reason; every batch lands whole or not at all."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from crm_store.models import Customer, Order, Product, Review
from huisheng.services import reviews
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.review_analysis import FollowUpPolicy, open_follow_up_if_needed
from huisheng.services.review_files import Table, check_mapping
from huisheng.services.review_rows import ReviewRow, RowProblem, read_row
from huisheng.services.validation import clean_text

logger = logging.getLogger(__name__)
SessionScope = Callable[[], AbstractContextManager[Session]]
DEFAULT_BATCH = 256
EXCERPT = 40


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    reason: str
    text: str = ""


@dataclass(slots=True)
class ImportReport:
    total: int = 0
    done: int = 0
    stored: int = 0
    duplicates: int = 0
    follow_ups: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)


Progress = Callable[[ImportReport], None]


def run_import(
    session_scope: SessionScope,
    analyzer: TextAnalyzer,
    table: Table,
    *,
    mapping: dict[str, str],
    source: str = "import",
    batch_size: int = DEFAULT_BATCH,
    follow_up: FollowUpPolicy | None = None,
    progress: Progress | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Imports `table` through `mapping`; each batch is its own unit of work (`session_scope`), so what a
    crash leaves behind is whole batches, every review with its analysis, and a re-run skips them."""
    columns = {f: table.headers.index(h) for f, h in check_mapping(mapping, table.headers).items()}
    source = clean_text(source, field="source", max_length=32)
    report = report or ImportReport()
    report.total = len(table.rows)
    seen: set[tuple[object, ...]] = set()
    for start in range(0, len(table.rows), batch_size):
        batch = table.rows[start : start + batch_size]
        good: list[ReviewRow] = []
        for line, cells in batch:
            try:
                good.append(read_row(line, cells, columns))
            except RowProblem as problem:
                report.problems.append(Problem(line, str(problem), _excerpt(cells, columns)))
        outcome = ImportReport()
        with session_scope() as session:
            _store_batch(session, analyzer, good, source, follow_up, seen, outcome)
        # Counted once the batch is committed: a batch that fails leaves neither rows nor counts.
        report.stored += outcome.stored
        report.duplicates += outcome.duplicates
        report.follow_ups += outcome.follow_ups
        report.problems.extend(outcome.problems)
        report.done += len(batch)
        if progress:
            progress(report)
    report.problems.sort(key=lambda p: p.line)
    return report


def _excerpt(cells: Sequence[object], columns: dict[str, int]) -> str:
    index = columns["text"]
    value = cells[index] if index < len(cells) and cells[index] is not None else ""
    return str(value).strip()[:EXCERPT]


@dataclass(slots=True)
class _Links:
    """The orders, products and customers a batch names, looked up once per batch."""

    orders: dict[str, Order]
    products: dict[str, Product]
    by_phone: dict[str, Customer]
    by_name: dict[str, list[Customer]]


def _links(session: Session, rows: Sequence[ReviewRow]) -> _Links:
    order_nos = {r.order_no for r in rows if r.order_no}
    products = {r.product for r in rows if r.product}
    people = {r.customer for r in rows if r.customer}
    found = _Links({}, {}, {}, {})
    if order_nos:
        found.orders = {
            o.order_no: o for o in session.scalars(select(Order).where(Order.order_no.in_(order_nos)))
        }
    if products:
        for product in session.scalars(
            select(Product).where(Product.sku.in_(products) | Product.name.in_(products))
        ):
            found.products.setdefault(product.name, product)
            found.products[product.sku] = product
    if people:
        for customer in session.scalars(
            select(Customer).where(Customer.phone.in_(people) | Customer.name.in_(people))
        ):
            if customer.phone:
                found.by_phone.setdefault(customer.phone, customer)
            if customer.name:
                found.by_name.setdefault(customer.name, []).append(customer)
    return found


def _resolve(row: ReviewRow, links: _Links) -> tuple[int | None, Order | None, Product | None]:
    customer_id = None
    if row.customer:
        customer = links.by_phone.get(row.customer)
        if customer is None:
            named = links.by_name.get(row.customer, [])
            if len(named) > 1:
                raise RowProblem(f"有 {len(named)} 位客户叫“{row.customer}”，请改用手机号")
            customer = named[0] if named else None
        if customer is None:
            raise RowProblem(f"找不到客户“{row.customer}”")
        customer_id = customer.id
    order = None
    if row.order_no:
        order = links.orders.get(row.order_no)
        if order is None:
            raise RowProblem(f"订单号 {row.order_no} 不存在")
        if customer_id is not None and order.customer_id != customer_id:
            raise RowProblem(f"订单 {row.order_no} 不属于客户“{row.customer}”")
        customer_id = order.customer_id
    product = None
    if row.product:
        product = links.products.get(row.product)
        if product is None:
            raise RowProblem(f"找不到商品“{row.product}”（按 SKU 或名称）")
    return customer_id, order, product


def _stored_keys(
    session: Session, pending: Sequence[tuple[ReviewRow, str, int | None]]
) -> set[tuple[object, ...]]:
    """The duplicate keys already in the store for this batch: (source, id) and (customer, text, time)."""
    keys: set[tuple[object, ...]] = set()
    by_id = {(source, r.external_id) for r, source, _ in pending if r.external_id}
    if by_id:
        for source, ext in session.execute(
            select(Review.source, Review.external_id).where(
                tuple_(Review.source, Review.external_id).in_(by_id)
            )
        ):
            keys.add(("id", source, ext))
    customers = {c for r, _, c in pending if c is not None and r.created_at is not None}
    if customers:
        texts = {r.text for r, _, c in pending if c is not None and r.created_at is not None}
        for customer_id, text, created_at in session.execute(
            select(Review.customer_id, Review.text, Review.created_at).where(
                Review.customer_id.in_(customers), Review.text.in_(texts)
            )
        ):
            keys.add(("same", customer_id, text, created_at))
    return keys


def _keys(row: ReviewRow, source: str, customer_id: int | None) -> Iterator[tuple[object, ...]]:
    if row.external_id:
        yield ("id", source, row.external_id)
    if customer_id is not None and row.created_at is not None:
        yield ("same", customer_id, row.text, row.created_at)


def _store_batch(
    session: Session,
    analyzer: TextAnalyzer,
    rows: Sequence[ReviewRow],
    default_source: str,
    follow_up: FollowUpPolicy | None,
    seen: set[tuple[object, ...]],
    report: ImportReport,
) -> None:
    links = _links(session, rows)
    pending: list[tuple[ReviewRow, str, int | None]] = []
    resolved: dict[int, tuple[Order | None, Product | None]] = {}
    for row in rows:
        try:
            customer_id, order, product = _resolve(row, links)
        except RowProblem as problem:
            report.problems.append(Problem(row.line, str(problem), row.text[:EXCERPT]))
            continue
        pending.append((row, row.source or default_source, customer_id))
        resolved[row.line] = (order, product)
    stored = _stored_keys(session, pending)
    fresh: list[tuple[ReviewRow, str, int | None]] = []
    for row, source, customer_id in pending:
        keys = list(_keys(row, source, customer_id))
        if any(key in stored or key in seen for key in keys):
            report.duplicates += 1
            continue
        seen.update(keys)
        fresh.append((row, source, customer_id))
    # Sentiment runs batched over the whole batch; text that is only marks or emoji is stored as neutral.
    analyses = analyzer.analyze_many([row.text for row, _, _ in fresh], blank_as_neutral=True)
    added: list[Review] = []
    for (row, source, customer_id), analysis in zip(fresh, analyses, strict=True):
        order, product = resolved[row.line]
        review = Review(
            source=source,
            external_id=row.external_id,
            customer_id=customer_id,
            order_id=order.id if order else None,
            product_id=product.id if product else None,
            category=row.category or (product.category if product else None),
            text=row.text,
            rating=row.rating,
        )
        if row.created_at is not None:
            review.created_at = row.created_at
        reviews.apply_analysis(review, analysis)
        session.add(review)
        added.append(review)
    session.flush()
    if follow_up is not None:
        report.follow_ups += sum(open_follow_up_if_needed(session, review=r, policy=follow_up) for r in added)
    report.stored += len(added)
