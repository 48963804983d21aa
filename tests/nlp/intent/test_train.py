"""Fine-tuning an intent classifier on a tiny encoder and serving its ONNX export (no shipped model needed)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nlp.intent.files import DESCRIPTION_FILE
from nlp.intent.runtime import IntentModelError, OnnxIntentClassifier
from nlp.intent.train import IntentTrainArgs, read_examples, train_intents

EXAMPLES = [
    *[(f"我的订单{n}到哪了", "order_status") for n in range(8)],
    *[(f"想退货{n}可以吗", "return_policy") for n in range(8)],
    *[(f"你好呀{n}", "greet") for n in range(8)],
]


def _args(encoder: Path, out: Path, **overrides: object) -> IntentTrainArgs:
    knobs: dict[str, object] = {"epochs": 25.0, "batch_size": 8, "learning_rate": 3e-3, "threads": 1}
    knobs.update(overrides)
    return IntentTrainArgs(output_dir=str(out), encoder_dir=str(encoder), **knobs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def trained(tiny_encoder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("intents") / "model"
    train_intents(EXAMPLES, _args(tiny_encoder, out))
    return out


def test_the_export_classifies_its_training_examples(trained: Path) -> None:
    classifier = OnnxIntentClassifier.from_dir(trained)
    assert classifier.labels == ["greet", "order_status", "return_policy"]
    probabilities = classifier.probabilities([text for text, _ in EXAMPLES])
    assert probabilities.shape == (len(EXAMPLES), 3)
    assert probabilities.sum(axis=1) == pytest.approx(1.0, abs=1e-4)
    predicted = [classifier.labels[i] for i in probabilities.argmax(axis=1)]
    assert sum(p == gold for p, (_, gold) in zip(predicted, EXAMPLES, strict=True)) >= 22


def test_the_description_records_labels_encoder_and_figures(trained: Path, tiny_encoder: Path) -> None:
    info = json.loads((trained / DESCRIPTION_FILE).read_text(encoding="utf-8"))
    assert info["kind"] == "e5-intents"
    assert info["examples"] == len(EXAMPLES)
    assert info["encoder"]["vocabulary"] is not None
    assert info["train_accuracy"] >= 0.9


def test_the_same_examples_and_arguments_are_not_trained_twice(trained: Path, tiny_encoder: Path) -> None:
    again = train_intents(list(reversed(EXAMPLES)), _args(tiny_encoder, trained))
    assert again.skipped


def test_other_arguments_retrain(trained: Path, tiny_encoder: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    shutil.copytree(trained, out)
    result = train_intents(EXAMPLES, _args(tiny_encoder, out, epochs=1.0))
    assert not result.skipped
    assert json.loads((out / DESCRIPTION_FILE).read_text(encoding="utf-8"))["args"]["epochs"] == 1.0


def test_one_intent_is_refused(tiny_encoder: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least two intents"):
        train_intents([("你好", "greet")] * 4, _args(tiny_encoder, tmp_path / "model"))


def test_a_dir_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IntentModelError, match="holds no intent model"):
        OnnxIntentClassifier.from_dir(tmp_path)


def test_a_model_of_another_format_is_refused(trained: Path, tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(trained, copy)
    info = json.loads((copy / DESCRIPTION_FILE).read_text(encoding="utf-8"))
    (copy / DESCRIPTION_FILE).write_text(json.dumps({**info, "format": 99}), encoding="utf-8")
    with pytest.raises(IntentModelError, match="retrain it"):
        OnnxIntentClassifier.from_dir(copy)


def test_examples_are_read_from_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "examples.jsonl"
    path.write_text(
        '{"text": " 你好 ", "intent": "greet"}\n\n{"text": "再见", "intent": "goodbye"}\n', "utf-8"
    )
    assert read_examples(path) == [("你好", "greet"), ("再见", "goodbye")]


@pytest.mark.parametrize(
    "line", ['{"text": "你好"}', "not json", '{"text": "  ", "intent": "greet"}', '["你好", "greet"]']
)
def test_a_bad_example_line_names_its_number(tmp_path: Path, line: str) -> None:
    path = tmp_path / "examples.jsonl"
    path.write_text('{"text": "你好", "intent": "greet"}\n' + line + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"examples.jsonl:2"):
        read_examples(path)
