"""Commands that manage the customer store: migrate, check, seed demo data, create staff users."""

from __future__ import annotations

import typer

from crm_store import migrate as migrations
from huisheng.errors import HuishengError
from huisheng.runtime import Runtime


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
    app.command("check-db")(check_db)
    app.command("seed-demo")(seed_demo)
    app.command("create-staff")(create_staff)


def ensure_schema(runtime: Runtime, *, migrate_first: bool = False) -> None:
    """Commands that need the tables call this first: an empty database is migrated or named in one line."""
    if migrations.is_up_to_date(runtime.engine):
        return
    if migrate_first:
        migrations.upgrade(runtime.settings.database_url)
        typer.echo(f"database migrated to {migrations.current_revision(runtime.engine)} first")
        return
    typer.echo(
        f"the database is at {migrations.current_revision(runtime.engine) or 'no schema yet'}, "
        f"newest is {migrations.head_revision()}: run `huisheng migrate` first",
        err=True,
    )
    raise typer.Exit(2)


def migrate() -> None:
    """Bring the database schema up to date (safe to run again: it does nothing when current)."""
    runtime = Runtime()
    before = migrations.current_revision(runtime.engine)
    migrations.upgrade(runtime.settings.database_url)
    after = migrations.current_revision(runtime.engine)
    state = "already up to date" if before == after else f"migrated {before or 'empty'} → {after}"
    typer.echo(f"database {runtime.engine.url.render_as_string(hide_password=True)}: {state}")
    runtime.close()


def check_db() -> None:
    """Fail unless the database is migrated to the newest revision and matches the models."""
    runtime = Runtime()
    try:
        if not migrations.is_up_to_date(runtime.engine):
            typer.echo(
                f"database is at {migrations.current_revision(runtime.engine)}, "
                f"newest is {migrations.head_revision()}: run `huisheng migrate`",
                err=True,
            )
            raise typer.Exit(1)
        drift = migrations.schema_drift(runtime.engine)
        if drift:
            typer.echo("models and database differ:\n" + "\n".join(map(str, drift)), err=True)
            raise typer.Exit(1)
        typer.echo("database is current and matches the models")
    finally:
        runtime.close()


def seed_demo(
    force: bool = typer.Option(False, "--force", help="Seed even a non-empty production database."),
    customers: int = typer.Option(300, min=10, max=5000, help="How many demo customers to create."),
    seed: int = typer.Option(7, help="Random seed: the same seed gives the same shop."),
) -> None:
    """Fill an empty store with a realistic demo shop (customers, orders, reviews, escalations)."""
    from huisheng.demo.seed import SeedRefused, seed_demo_data

    runtime = Runtime()
    try:
        ensure_schema(runtime, migrate_first=True)
        with runtime.session() as session:
            summary = seed_demo_data(
                session,
                customers=customers,
                seed=seed,
                force=force,
                production=runtime.settings.is_production,
                sla_hours=runtime.settings.escalation.sla_hours,
            )
    except SeedRefused as refused:
        typer.echo(str(refused), err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
    typer.echo(summary)


def create_staff(
    username: str = typer.Argument(..., help="Login name, lowercase."),
    display_name: str = typer.Option(..., "--name", help="Name shown to colleagues."),
    role: str = typer.Option("agent", help="agent, supervisor, manager or admin."),
    email: str | None = typer.Option(None, help="Work email."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="HUISHENG_STAFF_PASSWORD",
        help="Console password (at least 10 characters); asked for when not given.",
    ),
) -> None:
    """Create a staff user who can log in to the console, e.g. the first admin: --role admin."""
    from huisheng.services import staff

    runtime = Runtime()
    try:
        ensure_schema(runtime)
        with runtime.session() as session:
            user = staff.create_staff(
                session,
                username=username,
                display_name=display_name,
                role=role,
                email=email,
                password=password,
            )
            typer.echo(f"created {user.role.value} {user.username} (id {user.id})")
    except HuishengError as error:
        typer.echo(f"error: {error.message}", err=True)
        raise typer.Exit(2) from None
    finally:
        runtime.close()
