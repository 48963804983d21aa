"""scripts/fallback_threshold.py: what each NLU fallback threshold would do with a run's predictions."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "fallback_threshold", ROOT / "scripts" / "fallback_threshold.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def write_run(folder: Path, *, right: list[float], wrong: list[float]) -> None:
    def items(confidences: list[float]) -> str:
        return json.dumps(
            [{"text": "x", "intent_prediction": {"name": "a", "confidence": c}} for c in confidences]
        )

    (folder / "intent_successes.json").write_text(items(right), encoding="utf-8")
    (folder / "intent_errors.json").write_text(items(wrong), encoding="utf-8")


def test_a_threshold_splits_right_and_wrong_answers_into_acted_on_and_asked_again(tmp_path: Path) -> None:
    script = load_script()
    write_run(tmp_path, right=[0.9, 0.7, 0.55, 0.3], wrong=[0.65, 0.4])

    t = script.tally(script.load(tmp_path), 0.6)

    assert (t.acted_right, t.acted_wrong, t.asked_right, t.asked_wrong) == (2, 1, 2, 1)
    assert t.cost(2.0) == 4.0  # one wrong answer acted on counts twice, plus two right ones asked again


def test_a_confidence_equal_to_the_threshold_is_acted_on(tmp_path: Path) -> None:
    script = load_script()
    write_run(tmp_path, right=[0.6], wrong=[])

    assert script.tally(script.load(tmp_path), 0.6).acted_right == 1


def test_the_lowest_cost_threshold_is_suggested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    script = load_script()
    # Wrong answers all under 0.5, right ones all over: any threshold in (0.45, 0.5] costs nothing.
    write_run(tmp_path, right=[0.95, 0.8, 0.6, 0.52], wrong=[0.45, 0.3])

    monkeypatch.setattr(sys, "argv", ["fallback_threshold.py", str(tmp_path)])
    script.main()

    assert capsys.readouterr().out.strip().endswith("lowest cost at threshold 0.50")


def test_a_run_without_successes_is_refused(tmp_path: Path) -> None:
    script = load_script()
    (tmp_path / "intent_errors.json").write_text("[]", encoding="utf-8")

    with pytest.raises(SystemExit, match="--successes"):
        script.load(tmp_path)
