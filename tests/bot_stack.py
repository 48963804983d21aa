"""The real bot for integration and browser tests: a seeded SQLite store, the action server and the Rasa server.

The Rasa environment and model come from `make test` (scripts/setup_rasa.sh, scripts/train_bot.sh). Without
them these tests skip locally; in CI (CI=true) a missing Rasa is a failure, never a skip.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from crm_store import migrate
from crm_store.session import create_db_engine, create_session_factory, transaction
from huisheng.demo import seed_demo_data

ROOT = Path(__file__).resolve().parents[2]
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "bot" / "models" / "huisheng.tar.gz"
STARTUP_SECONDS = 240
# Every process started from the Rasa env: no telemetry calls from tests.
RASA_ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


@dataclass(frozen=True)
class BotStack:
    rasa_url: str
    action_url: str
    database_url: str
    endpoints: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{url} did not come up in {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


def require_rasa() -> None:
    if RASA.exists() and MODEL.exists():
        return
    message = "the Rasa env or model is missing: run `make test` (it installs and trains them)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@contextmanager
def running_bot_stack(workdir: Path) -> Iterator[BotStack]:
    """A seeded SQLite store in `workdir`, the action server and the Rasa server, stopped on exit."""
    require_rasa()
    database_url = f"sqlite:///{workdir / 'bot.db'}"
    migrate.upgrade(database_url)
    engine = create_db_engine(database_url)
    with transaction(create_session_factory(engine)) as session:
        seed_demo_data(session, customers=20, seed=3)
    engine.dispose()

    env = {**RASA_ENV, "HUISHENG_DATABASE_URL": database_url}
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n', encoding="utf-8"
    )

    action_log = workdir / "actions.log"
    actions = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=action_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    rasa_log = workdir / "rasa.log"
    rasa = subprocess.Popen(
        [
            str(RASA),
            "run",
            "--enable-api",
            "-m",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "--port",
            str(rasa_port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=ROOT / "bot",
        env=env,
        stdout=rasa_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/status", rasa, rasa_log)
        yield BotStack(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            action_url=f"http://127.0.0.1:{action_port}/webhook",
            database_url=database_url,
            endpoints=endpoints,
        )
    finally:
        stop(rasa)
        stop(actions)
