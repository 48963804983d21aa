"""Review commands: analyse one text, import a CSV of reviews, analyse what is still pending."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from huisheng.cli.db import ensure_schema
from huisheng.errors import HuishengError


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
    app.command("import-reviews")(import_reviews)
    app.command("analyze-reviews")(analyze_reviews)


def analyze(
    text: str = typer.Argument(
        ..., help="A review or chat message in Chinese, e.g. '质量太差了,再也不买了'."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Print the analysis of one text: sentiment, aspects, keywords and tokens."""
    from huisheng.services.analysis import TextAnalyzer
    from huisheng.settings import load_settings

    try:
        result = TextAnalyzer.from_settings(load_settings().nlp).analyze(text)
    except HuishengError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        payload = {
            "sentiment": {"label": result.sentiment_label.value, "score": result.sentiment_score},
            "aspects": [
                {"aspect": a.aspect, "label": a.label.value, "score": a.score, "clause": a.clause}
                for a in result.aspects
            ],
            "keywords": result.keywords,
            "tokens": result.tokens,
            "model_version": result.model_version,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    typer.echo(
        f"情感 sentiment : {result.sentiment_label.value} (P(positive) = {result.sentiment_score:.3f})"
    )
    for aspect in result.aspects:
        typer.echo(
            f"方面 aspect    : {aspect.aspect} {aspect.label.value} ({aspect.score:.2f}) ← {aspect.clause}"
        )
    if not result.aspects:
        typer.echo("方面 aspect    : (none mentioned)")
    typer.echo(f"关键词 keywords: {' '.join(result.keywords) or '(none)'}")
    typer.echo(f"分词 tokens    : {' / '.join(result.tokens)}")
    typer.echo(f"模型 model     : {result.model_version}")


def import_reviews(
    path: Path = typer.Argument(
        ..., exists=True, dir_okay=False, readable=True, help="UTF-8 CSV with a 'text' column."
    ),
    source: str = typer.Option("import", help="Source name for rows without a 'source' column."),
    batch_size: int = typer.Option(256, min=1, max=4096, help="Reviews analysed per batch."),
) -> None:
    """Store and analyse thousands of reviews from a CSV (columns: text[, source, external_id, category, rating,
    order_no, product_sku]). Bad rows are listed and skipped; re-importing skips stored ones."""
    from tqdm import tqdm

    from huisheng.runtime import Runtime
    from huisheng.services import review_analysis
    from huisheng.services.review_analysis import FollowUpPolicy

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        rows = list(review_analysis.read_review_rows(path))
        policy = FollowUpPolicy.from_settings(runtime.settings)
        with runtime.session() as session, tqdm(total=len(rows), unit="review", desc="import") as bar:
            report = review_analysis.import_reviews(
                session,
                runtime.analyzer,
                rows,
                default_source=source,
                batch_size=batch_size,
                policy=policy,
                progress=bar.update,
            )
    except HuishengError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    typer.echo(
        f"stored {report.stored}, skipped {report.duplicates} already stored, rejected {len(report.rejected)}"
    )
    for number, reason in report.rejected[:20]:
        typer.echo(f"  row {number}: {reason}", err=True)


def analyze_reviews(batch_size: int = typer.Option(256, min=1, max=4096, help="Reviews per batch.")) -> None:
    """Analyse every stored review that has no analysis yet (e.g. demo data); does nothing when all are done."""
    from sqlalchemy import func, select
    from tqdm import tqdm

    from crm_store.models import Review
    from huisheng.runtime import Runtime
    from huisheng.services import review_analysis
    from huisheng.services.review_analysis import FollowUpPolicy

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        with runtime.session() as session:
            pending = session.scalar(select(func.count()).where(Review.analyzed_at.is_(None))) or 0
            if pending == 0:
                typer.echo("every review is already analysed")
                return
            with tqdm(total=pending, unit="review", desc="analyse") as bar:
                done = review_analysis.analyze_pending(
                    session,
                    runtime.analyzer,
                    batch_size=batch_size,
                    policy=FollowUpPolicy.from_settings(runtime.settings),
                    progress=bar.update,
                )
        typer.echo(f"analysed {done} reviews")
    finally:
        runtime.close()
