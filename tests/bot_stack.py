"""The real bot for integration and browser tests: a seeded SQLite store, the action server and the Rasa server.

The Rasa environment and model come from `make test` (scripts/setup_rasa.sh, scripts/train_bot.sh). Without
them these tests skip locally; in CI (CI=true) a missing Rasa is a failure, never a skip.
"""

from __future__ import annotations

import os
import secrets
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
from huisheng.bot_deployment import write_endpoints
from huisheng.demo import seed_demo_data
from huisheng.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
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
    # What only Huisheng holds: Rasa's API and relay channel token, and the action server's token.
    rasa_token: str
    action_token: str
    tracker_db: Path
    rasa_port: int
    workdir: Path
    # Rasa pushes later bot messages to a Huisheng API on this port (the one test that needs it starts it).
    api_port: int

    def env(self) -> dict[str, str]:
        """The environment a Huisheng process needs to talk to this stack."""
        return {
            "HUISHENG_DATABASE_URL": self.database_url,
            "HUISHENG_RASA_URL": self.rasa_url,
            "HUISHENG_RASA_TOKEN": self.rasa_token,
            "HUISHENG_RASA_ACTION_TOKEN": self.action_token,
            "HUISHENG_BOT_PUSH_URL": f"http://127.0.0.1:{self.api_port}/api/bot/messages",
        }


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

    rasa_token, action_token = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    action_port, rasa_port, api_port = free_port(), free_port(), free_port()
    env = {
        **RASA_ENV,
        "HUISHENG_DATABASE_URL": database_url,
        "HUISHENG_RASA_TOKEN": rasa_token,
        "HUISHENG_RASA_ACTION_TOKEN": action_token,
        "HUISHENG_BOT_PUSH_URL": f"http://127.0.0.1:{api_port}/api/bot/messages",
    }
    tracker_db = workdir / "tracker.db"
    endpoints = write_endpoints(
        load_settings(rasa={"action_port": action_port}), workdir / "endpoints.yml", tracker_db=tracker_db
    )

    action_log = workdir / "actions.log"
    actions = subprocess.Popen(
        [sys.executable, "-m", "bot.action_server", "--port", str(action_port)],
        cwd=ROOT,
        env=env,
        stdout=action_log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    rasa_log = workdir / "rasa.log"
    rasa = start_rasa(rasa_port, endpoints, env, rasa_log)
    stack = BotStack(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}/webhook",
        database_url=database_url,
        endpoints=endpoints,
        rasa_token=rasa_token,
        action_token=action_token,
        tracker_db=tracker_db,
        rasa_port=rasa_port,
        workdir=workdir,
        api_port=api_port,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_until_up(f"http://127.0.0.1:{rasa_port}/version", rasa, rasa_log)
        holder = _RasaHolder(rasa)
        _HOLDERS[stack.rasa_url] = holder
        yield stack
    finally:
        stop(_HOLDERS.pop(stack.rasa_url, _RasaHolder(rasa)).process)
        stop(actions)


@dataclass
class _RasaHolder:
    process: subprocess.Popen[bytes]


_HOLDERS: dict[str, _RasaHolder] = {}


def start_rasa(port: int, endpoints: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            str(RASA),
            "run",
            "--enable-api",
            "--auth-token",
            env["HUISHENG_RASA_TOKEN"],
            "-m",
            str(MODEL),
            "--endpoints",
            str(endpoints),
            "--credentials",
            "credentials.yml",
            "--port",
            str(port),
            "--interface",
            "127.0.0.1",
        ],
        cwd=ROOT / "bot",
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def restart_rasa(stack: BotStack) -> None:
    """Stops the stack's Rasa server and starts a fresh process on the same port and tracker store."""
    holder = _HOLDERS[stack.rasa_url]
    stop(holder.process)
    env = {**RASA_ENV, **stack.env()}
    log = stack.workdir / "rasa.log"
    holder.process = start_rasa(stack.rasa_port, stack.endpoints, env, log)
    wait_until_up(f"{stack.rasa_url}/version", holder.process, log)


def start_api(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A real Huisheng API process (uvicorn) on `port`; the caller waits for /health and stops it."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--port",
            str(port),
            # Open event streams would otherwise hold the process up at shutdown.
            "--timeout-graceful-shutdown",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
