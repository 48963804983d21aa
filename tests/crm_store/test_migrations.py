"""The Alembic migrations build exactly the schema the models describe, and undo cleanly."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect

from crm_store import migrate
from crm_store.base import Base
from crm_store.session import create_db_engine
from tests.conftest import fresh_database_url


def test_upgrade_to_head_matches_the_models(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "migration_test")
    migrate.upgrade(url)
    engine = create_db_engine(url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert migrate.schema_drift(engine) == []
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_again_works(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "migration_roundtrip")
    migrate.upgrade(url)
    migrate.downgrade(url, "base")
    engine = create_db_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(url)
        assert migrate.schema_drift(engine) == []
    finally:
        engine.dispose()


def test_upgrading_a_current_database_changes_nothing(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path, "migration_twice")
    migrate.upgrade(url)
    migrate.upgrade(url)
    engine = create_db_engine(url)
    try:
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
