"""Engines and sessions, built once per entry point from a URL (never at import time)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY_OPTION = "huisheng_read_only"


def create_db_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; for SQLite it creates the parent folder and enforces foreign keys."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # The bot's action server and the API call into the store from worker threads.
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling breaks SAVEPOINTs (nested units of work, rolled-back tests):
    # switch it off and let SQLAlchemy emit BEGIN itself.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # SQLite ignores foreign keys unless asked, and WAL lets the API read while the bot writes.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock up front. A deferred transaction that reads and then writes while
    # another process (the bot's action server) writes fails at once with "database is locked" instead of
    # waiting out busy_timeout, because SQLite cannot upgrade a stale read snapshot. Read-only connections
    # (health checks) stay deferred so they never wait behind a writer.
    if connection.get_execution_options().get(READ_ONLY_OPTION):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def connect_read_only(engine: Engine) -> Connection:
    """A connection for queries that never write; on SQLite it does not take the write lock."""
    return engine.connect().execution_options(**{READ_ONLY_OPTION: True})


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit: callers render them into responses.
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back everything when it raises."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
