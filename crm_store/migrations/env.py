"""Alembic environment: the URL comes from the caller's config or HUISHENG_DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context

import crm_store.models  # noqa: F401  (registers every table on the metadata)
from crm_store.base import Base
from crm_store.session import create_db_engine

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("HUISHENG_DATABASE_URL")
    if not url:
        raise RuntimeError("no database URL: pass one or set HUISHENG_DATABASE_URL")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_db_engine(_url())
    with engine.connect() as connection:
        # Batch mode lets later migrations alter tables on SQLite, which cannot ALTER most things.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
