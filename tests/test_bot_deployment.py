"""Rasa's wiring: an endpoints file that names no secret, and development secrets made once and kept."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import yaml

from huisheng.bot_deployment import DEV_SECRETS, dev_secrets, endpoints_config, write_endpoints
from huisheng.settings import load_settings


def test_the_endpoints_guard_the_action_server_and_keep_conversations(tmp_path: Path) -> None:
    settings = load_settings(app={"data_dir": tmp_path}, rasa={"action_port": 5999})
    written = yaml.safe_load(write_endpoints(settings, tmp_path / "endpoints.yml").read_text("utf-8"))
    assert written["action_endpoint"] == {
        "url": "http://127.0.0.1:5999/webhook",
        "token": "${HUISHENG_RASA_ACTION_TOKEN}",
    }
    assert written["tracker_store"] == {
        "type": "SQL",
        "dialect": "sqlite",
        "db": str(tmp_path / "rasa" / "tracker.db"),
    }


def test_a_production_tracker_store_url_reaches_rasa_through_its_environment(tmp_path: Path) -> None:
    settings = load_settings(rasa={"tracker_store_url": "postgresql://rasa:secret@db/rasa"})
    config = endpoints_config(settings)
    assert config["tracker_store"] == {"type": "SQL", "url": "${HUISHENG_RASA_TRACKER_STORE_URL}"}
    assert "secret" not in yaml.safe_dump(config)


def test_development_secrets_are_made_once_private_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in DEV_SECRETS:
        monkeypatch.delenv(key, raising=False)
    path = tmp_path / "secrets.env"
    first = dev_secrets(path)
    assert set(first) == set(DEV_SECRETS) and all(len(v) >= 32 for v in first.values())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_secrets(path) == first
    monkeypatch.setenv("HUISHENG_RASA_TOKEN", "from-the-environment-wins-0123")
    assert dev_secrets(path)["HUISHENG_RASA_TOKEN"] == "from-the-environment-wins-0123"
