"""One settings object: config.yml defaults, HUISHENG_* overrides, secrets only from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from huisheng.settings import load_settings


def test_the_default_database_is_sqlite_in_the_data_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HUISHENG_DATABASE_URL", raising=False)
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{settings.app.data_dir / 'huisheng.db'}"


def test_environment_variables_override_config_yml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUISHENG_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
    monkeypatch.setenv("HUISHENG_NLP_BATCH_SIZE", "8")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://root@127.0.0.1:5432/test"
    assert settings.nlp.batch_size == 8


def test_relative_paths_resolve_against_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.yml"
    config.write_text("app:\n  data_dir: var/huisheng\n", encoding="utf-8")
    monkeypatch.setenv("HUISHENG_CONFIG", str(config))
    assert load_settings().app.data_dir == tmp_path / "var" / "huisheng"


def test_a_secret_in_config_yml_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yml"
    config.write_text("wechat:\n  token: hunter2\n", encoding="utf-8")
    monkeypatch.setenv("HUISHENG_CONFIG", str(config))
    with pytest.raises(ValueError, match=r"wechat\.token is a secret"):
        load_settings()


def test_secrets_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUISHENG_WECHAT_TOKEN", "from-env")
    token = load_settings().wechat.token
    assert token is not None and token.get_secret_value() == "from-env"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUISHENG_APP_ENVIRONMENT", "production")
    monkeypatch.setenv("HUISHENG_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
    with pytest.raises(ValueError, match="HUISHENG_APP_SECRET_KEY"):
        load_settings()


def test_an_sla_table_missing_a_priority_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.yml"
    config.write_text("escalation:\n  sla_hours: {high: 8, normal: 24, low: 72}\n", encoding="utf-8")
    monkeypatch.setenv("HUISHENG_CONFIG", str(config))
    with pytest.raises(ValueError, match="lacks an SLA for: urgent"):
        load_settings()


def test_a_malformed_wechat_aes_key_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUISHENG_WECHAT_AES_KEY", "too-short")
    with pytest.raises(ValueError, match="43-character EncodingAESKey"):
        load_settings()


def test_a_wellformed_wechat_aes_key_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    monkeypatch.setenv("HUISHENG_WECHAT_AES_KEY", key)
    aes_key = load_settings().wechat.aes_key
    assert aes_key is not None and aes_key.get_secret_value() == key
