"""The `huisheng` command: help on every command, idempotent migrations, clear failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from crm_store.enums import StaffRole
from crm_store.models import StaffUser
from huisheng.cli.main import app
from huisheng.runtime import Runtime
from huisheng.services import staff_auth
from tests.factories import LOGIN_POLICY as POLICY

runner = CliRunner()


@pytest.fixture()
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    database = tmp_path / "cli.db"
    monkeypatch.setenv("HUISHENG_DATABASE_URL", f"sqlite:///{database}")
    return database


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("migrate", "seed-demo", "serve", "check-db", "create-staff"):
        assert command in result.output


@pytest.mark.parametrize("command", ["migrate", "seed-demo", "serve", "check-db", "create-staff"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_migrate_twice_says_the_second_time_there_was_nothing_to_do(sqlite_env: Path) -> None:
    first = runner.invoke(app, ["migrate"])
    second = runner.invoke(app, ["migrate"])
    assert first.exit_code == 0 and "migrated empty → " in first.output
    assert second.exit_code == 0 and "already up to date" in second.output


def test_check_db_fails_on_an_unmigrated_database(sqlite_env: Path) -> None:
    result = runner.invoke(app, ["check-db"])
    assert result.exit_code == 1
    assert "run `huisheng migrate`" in result.output


def test_create_staff_refuses_a_bad_username(sqlite_env: Path) -> None:
    runner.invoke(app, ["migrate"])
    result = runner.invoke(
        app, ["create-staff", "Bad Name!", "--name", "坏名字", "--password", "a-long-secret-1"]
    )
    assert result.exit_code == 2
    assert "not a valid username" in result.output


def test_create_staff_makes_the_first_admin_with_a_prompted_password_who_can_log_in(sqlite_env: Path) -> None:
    runner.invoke(app, ["migrate"])
    result = runner.invoke(
        app,
        ["create-staff", "boss", "--name", "老板", "--role", "admin"],
        input="correct-horse-9\ncorrect-horse-9\n",
    )
    assert result.exit_code == 0, result.output
    assert "created admin boss" in result.output
    runtime = Runtime()
    try:
        with runtime.session() as session:
            user = staff_auth.login(
                session, username="boss", password="correct-horse-9", ip="127.0.0.1", policy=POLICY
            )
            assert user.role is StaffRole.ADMIN
    finally:
        runtime.close()


def test_create_staff_refuses_a_weak_password_and_stores_nobody(sqlite_env: Path) -> None:
    runner.invoke(app, ["migrate"])
    result = runner.invoke(app, ["create-staff", "boss", "--name", "老板", "--password", "short"])
    assert result.exit_code == 2
    assert "至少需要 10 个字符" in result.output
    runtime = Runtime()
    try:
        with runtime.session() as session:
            assert session.scalar(select(func.count(StaffUser.id))) == 0
    finally:
        runtime.close()


def test_seed_demo_on_a_fresh_database_migrates_first(sqlite_env: Path) -> None:
    result = runner.invoke(app, ["seed-demo", "--customers", "10"])
    assert result.exit_code == 0, result.output
    assert "database migrated to" in result.output
    assert runner.invoke(app, ["check-db"]).exit_code == 0


def test_commands_that_need_the_schema_say_in_one_line_what_to_run(sqlite_env: Path) -> None:
    result = runner.invoke(app, ["create-staff", "li.hua", "--name", "李华", "--password", "a-long-secret-1"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].endswith("run `huisheng migrate` first")
    assert "Traceback" not in result.output
