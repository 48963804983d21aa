"""The insight jobs: word-of-mouth alerts, customer segments and the dashboard's rollups. Run daily from cron
(see the README), e.g. `15 6 * * * huisheng refresh-insights --full && huisheng compute-segments && huisheng
detect-alerts`, and by `make seed` for the demo."""

from __future__ import annotations

import typer

from huisheng.cli.db import ensure_schema
from huisheng.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("detect-alerts")(detect_alerts)
    app.command("compute-segments")(compute_segments)
    app.command("refresh-insights")(refresh_insights)


def detect_alerts() -> None:
    """Flag aspects, products and keywords whose negative reviews rose significantly; post new alerts to
    alerts.webhook_url. Running again the same day stores no duplicates."""
    from huisheng.services.word_of_mouth import service

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        settings = runtime.settings.alerts
        result = service.run_job(runtime.session, settings=settings)
        with runtime.session() as session:
            for alert_id in result.new_alert_ids:
                alert = service.get_alert(session, alert_id=alert_id)
                typer.echo(
                    f"alert {alert.kind.value} {alert.label}: {alert.observed} negative "
                    f"(expected {alert.expected:.2f}, p = {alert.p_value:.2g})"
                )
    finally:
        runtime.close()
    webhook = f"; webhook: {result.notified} sent, {result.failed} failed" if settings.webhook_url else ""
    typer.echo(f"{len(result.new_alert_ids)} new alerts{webhook}")


def compute_segments() -> None:
    """Recompute every customer's RFM tier and behaviour tags (staff-made tags are left alone)."""
    from huisheng.services.segments import service

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        with runtime.session() as session:
            result = service.compute_segments(session, settings=runtime.settings.segments)
            sizes = service.segment_sizes(session)
    finally:
        runtime.close()
    limits = result.thresholds
    typer.echo(
        f"{result.customers} customers, {result.rows} segment rows; thresholds: bought within "
        f"{limits.recency_days:.0f} days, more than {limits.frequency:g} orders, more than ¥{limits.monetary:.2f}"
    )
    for size in sizes:
        typer.echo(f"  {size.name}: {size.customers}")


def refresh_insights(
    full: bool = typer.Option(
        False, "--full", help="recount every day, not only those whose reviews changed"
    ),
) -> None:
    """Bring the dashboard's daily review rollups up to date (the dashboard also does it when it loads;
    run it with --full nightly, and after restoring a backup)."""
    from huisheng.services.insights import rollup

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        with runtime.session() as session:
            report = rollup.refresh(session, full=full)
    finally:
        runtime.close()
    if report.skipped:
        typer.echo("another refresh holds the lock; nothing done")
        return
    typer.echo(f"{report.days} days recounted" + (" (all of them)" if report.full else ""))
