"""The Rasa project itself: its data validates and every test story runs as written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import MODEL, RASA, RASA_ENV, ROOT, BotStack, require_rasa

pytestmark = [pytest.mark.rasa, pytest.mark.slow]


def test_rasa_data_validates() -> None:
    require_rasa()
    result = subprocess.run(
        [str(RASA), "data", "validate", "--domain", "domain.yml", "--data", "data", "--config", "config.yml"],
        cwd=ROOT / "bot",
        env=RASA_ENV,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The validator cannot see responses sent from inside actions, so "not used in any story or rule" is
    # expected (bot/README.md); any other warning (a skipped example, a conflict) is a real problem.
    warnings = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "UserWarning" in line and "is not used in any story or rule" not in line
    ]
    assert warnings == []


def test_every_test_story_passes(bot_stack: BotStack, tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(RASA),
            "test",
            "core",
            "--stories",
            "tests/test_stories.yml",
            "-m",
            str(MODEL),
            "--endpoints",
            str(bot_stack.endpoints),
            "--fail-on-prediction-errors",
            "--out",
            str(tmp_path),
        ],
        cwd=ROOT / "bot",
        # The endpoints file takes the action server's token from the environment.
        env={**RASA_ENV, **bot_stack.env()},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
