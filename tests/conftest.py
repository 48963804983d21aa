"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when HUISHENG_TEST_DATABASE_URL is set) and
per-test sessions that roll back, so every test starts from the same empty store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from crm_store import migrate
from crm_store.session import create_db_engine
from huisheng.runtime import Runtime
from huisheng.settings import Settings, load_settings
from tests.bot_stack import BotStack, running_bot_stack

TEST_SCHEMA = "huisheng_test"


def postgres_url() -> str | None:
    return os.environ.get("HUISHENG_TEST_DATABASE_URL") or None


def schema_url(url: str, schema: str) -> str:
    """The PostgreSQL URL with `schema` first on the search path, so tests never touch `public`."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


def fresh_database_url(tmp_dir: Path, name: str) -> str:
    """An empty database: a new SQLite file, or a new schema in the test PostgreSQL."""
    base = postgres_url()
    if base is None:
        return f"sqlite:///{tmp_dir / f'{name}.db'}"
    schema = f"huisheng_{name}"
    admin = create_db_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema_url(base, schema)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_database_url(tmp_path_factory.mktemp("db"), "test")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    migrate.upgrade(database_url)
    engine = create_db_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        outer = connection.begin()
        yield connection
        outer.rollback()


@pytest.fixture()
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Each commit inside the code under test becomes a savepoint of the test's outer transaction.
    return sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture()
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture()
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        app={"environment": "test", "data_dir": tmp_path},
        database={"url": database_url},
    )


@pytest.fixture()
def runtime(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[Runtime]:
    runtime = Runtime(settings)
    runtime.session_factory = session_factory
    yield runtime
    runtime.close()


@pytest.fixture(scope="session")
def bot_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotStack]:
    # Here, not in tests/integration, so the integration and browser suites share one running bot.
    with running_bot_stack(tmp_path_factory.mktemp("bot")) as stack:
        yield stack


def pytest_report_header(config: pytest.Config) -> str:
    url = postgres_url()
    if url is None:
        return "customer store under test: SQLite (set HUISHENG_TEST_DATABASE_URL for PostgreSQL)"
    return f"customer store under test: {make_url(url).render_as_string(hide_password=True)}"
