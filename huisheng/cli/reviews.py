"""Review commands: analyse one text, import a CSV or XLSX of reviews, analyse what is still pending."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from huisheng.cli.db import ensure_schema
from huisheng.errors import HuishengError

if TYPE_CHECKING:
    from huisheng.services.review_import import ImportReport


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
        ...,
        exists=True,
        dir_okay=False,
        readable=True,
        help="CSV (UTF-8, GBK; comma or tab) or XLSX of reviews, e.g. a marketplace export.",
    ),
    mapping: str = typer.Option(
        "",
        "--mapping",
        help="field=column pairs, e.g. 'text=评价内容,rating=评分,date=评价时间'; fields: "
        "text, rating, date, external_id, order_no, product, customer, category, source. "
        "Guessed from the headers when left out.",
    ),
    source: str = typer.Option("import", help="Source name (e.g. taobao) for rows without a source column."),
    batch_size: int = typer.Option(256, min=1, max=4096, help="Reviews analysed per batch."),
    report_csv: Path | None = typer.Option(
        None, "--report", dir_okay=False, help="Also write the bad rows (line, reason, text) to this CSV."
    ),
) -> None:
    """Store and analyse reviews from a CSV or XLSX: each good row analysed and stored, duplicates (same
    source + id, or same customer + text + date) skipped, bad rows listed with their line and reason."""
    from tqdm import tqdm

    from crm_store.enums import ImportStatus
    from huisheng.runtime import Runtime
    from huisheng.services.review_files import check_mapping, guess_mapping, read_table

    runtime = Runtime()
    try:
        table = read_table(path.read_bytes(), path.name)
        chosen = check_mapping(parse_mapping(mapping) or guess_mapping(table.headers), table.headers)
        typer.echo(f"{path.name}: {len(table.rows)} rows ({table.encoding or table.kind})")
        typer.echo("mapping: " + ", ".join(f"{field}={column}" for field, column in chosen.items()))
        ensure_schema(runtime)
        with tqdm(total=len(table.rows), unit="review", desc="import") as bar:

            def advance(report: ImportReport) -> None:
                bar.update(report.done - bar.n)

            # Recorded in review_imports like a page or API import, so it shows in the import history.
            job = runtime.review_imports.run_here(
                table,
                filename=path.name,
                mapping=chosen,
                source=source,
                batch_size=batch_size,
                progress=advance,
            )
    except HuishengError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    report = job.report
    if job.status is ImportStatus.FAILED:
        typer.echo(
            f"error: {job.error} (import {job.id}, stored {report.stored} before it stopped)", err=True
        )
        raise typer.Exit(2)
    typer.echo(
        f"导入 {report.stored} 条, 重复跳过 {report.duplicates} 条, 有问题 {report.failed} 条"
        f" (stored {report.stored}, duplicates {report.duplicates}, bad rows {report.failed})"
    )
    for problem in report.problems:
        typer.echo(f"  第 {problem.line} 行: {problem.reason}")
    typer.echo(f"recorded as import {job.id} (see /console/insights/import)")
    if report_csv is not None:
        write_problems(report_csv, report)
        typer.echo(f"bad rows written to {report_csv}")


def parse_mapping(text: str) -> dict[str, str]:
    """'text=评价内容,rating=评分' as a dict; a pair without '=' is refused."""
    pairs = [part.strip() for part in text.split(",") if part.strip()]
    bad = [pair for pair in pairs if "=" not in pair]
    if bad:
        raise typer.BadParameter(f"expected field=column, got {', '.join(bad)}", param_hint="--mapping")
    return dict((key.strip(), value.strip()) for key, value in (pair.split("=", 1) for pair in pairs))


def write_problems(path: Path, report: ImportReport) -> None:
    import csv

    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["行号", "原因", "评价内容"])
        writer.writerows((p.line, p.reason, p.text) for p in report.problems)


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
