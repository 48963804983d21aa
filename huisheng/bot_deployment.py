"""How the Rasa server is wired to Huisheng: its endpoints file and, outside production, its secrets.

The endpoints file names no secret itself: Rasa expands `${HUISHENG_RASA_ACTION_TOKEN}` from its environment.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import yaml

from huisheng.settings import Settings

# The secrets the bot's three processes share; `make run` makes them once, production sets them itself.
DEV_SECRETS = ("HUISHENG_APP_SECRET_KEY", "HUISHENG_RASA_TOKEN", "HUISHENG_RASA_ACTION_TOKEN")


def endpoints_config(settings: Settings, *, tracker_db: Path | None = None) -> dict[str, object]:
    """Rasa's endpoints: the token-guarded action server on loopback and a persistent SQL tracker store."""
    action = {
        "url": f"http://127.0.0.1:{settings.rasa.action_port}/webhook",
        "token": "${HUISHENG_RASA_ACTION_TOKEN}",
    }
    if settings.rasa.tracker_store_url:
        # A full SQLAlchemy URL (PostgreSQL in production), expanded by Rasa from its environment.
        tracker: dict[str, object] = {"type": "SQL", "url": "${HUISHENG_RASA_TRACKER_STORE_URL}"}
    else:
        path = tracker_db or settings.app.data_dir / "rasa" / "tracker.db"
        tracker = {"type": "SQL", "dialect": "sqlite", "db": str(path)}
    return {"action_endpoint": action, "tracker_store": tracker}


def write_endpoints(settings: Settings, path: Path, *, tracker_db: Path | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if tracker_db is None and not settings.rasa.tracker_store_url:
        (settings.app.data_dir / "rasa").mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(
        endpoints_config(settings, tracker_db=tracker_db), allow_unicode=True, sort_keys=False
    )
    path.write_text(
        "# Written by `huisheng bot-endpoints`; edit config.yml, not this file.\n" + text, "utf-8"
    )
    return path


def dev_secrets(path: Path) -> dict[str, str]:
    """The development secrets kept in `path` (mode 0600), made on first use; the environment wins."""
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition("=")
            if sep and key in DEV_SECRETS:
                stored[key] = value
    missing = [key for key in DEV_SECRETS if key not in stored]
    if missing:
        for key in missing:
            stored[key] = secrets.token_urlsafe(32)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.writelines(f"{key}={stored[key]}\n" for key in DEV_SECRETS)
    return {key: os.environ.get(key) or stored[key] for key in DEV_SECRETS}
