"""Analysing reviews into the store: one at a time with follow-ups for angry customers, or in bulk."""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_store.enums import EscalationCategory, SentimentLabel
from crm_store.models import Review
from huisheng.errors import ConflictError, HuishengError, InvalidInputError
from huisheng.services import escalations, reviews
from huisheng.services.analysis import TextAnalyzer
from huisheng.services.audit import SYSTEM
from huisheng.settings import Settings

logger = logging.getLogger(__name__)
Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    """A review scored below `below` (P(positive)) from a known customer opens a follow-up case."""

    below: float = 0.1
    sla_hours: Mapping[str, float] = field(default_factory=lambda: dict(escalations.DEFAULT_SLA_HOURS))

    @classmethod
    def from_settings(cls, settings: Settings) -> FollowUpPolicy:
        return cls(below=settings.nlp.follow_up_below, sla_hours=settings.escalation.sla_hours)


def analyze_and_store(
    session: Session,
    analyzer: TextAnalyzer,
    *,
    source: str,
    text: str,
    customer_id: int | None = None,
    order_no: str | None = None,
    product_sku: str | None = None,
    category: str | None = None,
    rating: int | None = None,
    external_id: str | None = None,
    follow_up: FollowUpPolicy | None = None,
) -> Review:
    """Analyses and stores one review; a strongly negative one from a known customer gets a follow-up."""
    analysis = analyzer.analyze(text)
    review = reviews.store_review(
        session,
        source=source,
        text=text,
        customer_id=customer_id,
        order_no=order_no,
        product_sku=product_sku,
        category=category,
        rating=rating,
        external_id=external_id,
        analysis=analysis,
    )
    open_follow_up_if_needed(session, review=review, policy=follow_up or FollowUpPolicy())
    return review


def open_follow_up_if_needed(session: Session, *, review: Review, policy: FollowUpPolicy) -> bool:
    if (
        review.customer_id is None
        or review.sentiment_label is not SentimentLabel.NEGATIVE
        or review.sentiment_score is None
        or review.sentiment_score >= policy.below
    ):
        return False
    escalations.open_escalation(
        session,
        customer_id=review.customer_id,
        category=EscalationCategory.REVIEW_FOLLOW_UP,
        description=f"差评回访: {review.text[:500]}",
        review_id=review.id,
        sentiment_label=review.sentiment_label,
        sentiment_score=review.sentiment_score,
        sla_hours=policy.sla_hours,
        actor=SYSTEM,
    )
    return True


def analyze_pending(
    session: Session,
    analyzer: TextAnalyzer,
    *,
    batch_size: int = 256,
    policy: FollowUpPolicy | None = None,
    progress: Progress | None = None,
) -> int:
    """Analyses every stored review that has no analysis yet (imports, demo data); returns how many."""
    done = 0
    while True:
        batch = list(
            session.scalars(
                select(Review).where(Review.analyzed_at.is_(None)).order_by(Review.id).limit(batch_size)
            )
        )
        if not batch:
            return done
        analyses = analyzer.analyze_many([r.text for r in batch], blank_as_neutral=True)
        for review, analysis in zip(batch, analyses, strict=True):
            reviews.apply_analysis(review, analysis)
            open_follow_up_if_needed(session, review=review, policy=policy or FollowUpPolicy())
        session.flush()
        done += len(batch)
        if progress:
            progress(len(batch))


@dataclass(slots=True)
class ImportReport:
    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


REQUIRED_COLUMNS = {"text"}
OPTIONAL_COLUMNS = {"source", "external_id", "category", "rating", "order_no", "product_sku"}


def read_review_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a UTF-8 review CSV with at least a `text` column, numbered as a spreadsheet shows them."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        if not columns >= REQUIRED_COLUMNS:
            raise InvalidInputError(
                f"{path.name} needs a 'text' column; it has: {', '.join(sorted(columns))}"
            )
        for number, row in enumerate(reader, start=2):
            yield (
                number,
                {k: (v or "").strip() for k, v in row.items() if k in REQUIRED_COLUMNS | OPTIONAL_COLUMNS},
            )


def import_reviews(
    session: Session,
    analyzer: TextAnalyzer,
    rows: Iterable[tuple[int, dict[str, str]]],
    *,
    default_source: str = "import",
    batch_size: int = 256,
    policy: FollowUpPolicy | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Stores and analyses reviews in batches; a bad row is reported and skipped, never half-stored."""
    report = ImportReport()
    pending: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch_size:
            _import_batch(session, analyzer, pending, default_source, policy, report)
            if progress:
                progress(len(pending))
            pending = []
    if pending:
        _import_batch(session, analyzer, pending, default_source, policy, report)
        if progress:
            progress(len(pending))
    return report


def _import_batch(
    session: Session,
    analyzer: TextAnalyzer,
    rows: Sequence[tuple[int, dict[str, str]]],
    default_source: str,
    policy: FollowUpPolicy | None,
    report: ImportReport,
) -> None:
    for number, row in rows:
        # A savepoint per row: a rejected row leaves no trace, the rest of the batch still lands.
        savepoint = session.begin_nested()
        try:
            analyzer.prepare(row.get("text", ""))
            reviews.store_review(
                session,
                source=row.get("source") or default_source,
                text=row.get("text", ""),
                external_id=row.get("external_id") or None,
                category=row.get("category") or None,
                rating=int(row["rating"]) if row.get("rating") else None,
                order_no=row.get("order_no") or None,
                product_sku=row.get("product_sku") or None,
            )
            savepoint.commit()
            report.stored += 1
        except ConflictError:
            savepoint.rollback()
            report.duplicates += 1
        except (HuishengError, ValueError) as error:
            savepoint.rollback()
            report.rejected.append((number, getattr(error, "message", str(error))))
    analyze_pending(session, analyzer, batch_size=len(rows) or 1, policy=policy)
