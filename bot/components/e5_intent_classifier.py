"""Intent probabilities from multilingual-e5-small fine-tuned on the examples, averaged with DIET's ranking."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from components.chinese_tokenizer import normalise
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

RANKING_LENGTH = 10


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class E5IntentClassifier(GraphComponent, IntentClassifier):
    """Re-ranks the message's intents: `weight` · e5 + (1 − weight) · the classifier before it (DIET).

    DIET on count vectors knows the n-grams of its examples, typos and pinyin included, but a paraphrase in
    new words shares few of them; e5, pretrained on 100 languages and tuned on the same examples, places
    it near the examples that mean the same. Tuning needs torch, which cannot live beside Rasa's
    TensorFlow, so `train` runs `huisheng train-intents` from the product's environment (`trainer`) and
    keeps its int8 ONNX export in the Rasa model; serving needs only ONNX Runtime. Each training —
    `rasa train`, every cross-validation fold — tunes on exactly the examples it was given.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # Paths are relative to the directory Rasa runs in (bot/, see scripts/*.sh).
            "trainer": "../.venv/bin/huisheng",
            "encoder_dir": "../data/models/e5-small",
            "epochs": 4.0,
            "train_threads": 2,
            # One ONNX Runtime thread: the Rasa server shares 2 cores with the API and the action server.
            "threads": 1,
            # e5's share of the final ranking; 1.0 ignores the classifier before this one.
            "weight": 0.5,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["onnxruntime", "tokenizers"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        # Rasa's training cache keys a component by its config and data; the tuning code and the encoder
        # build it starts from shape the model too, so a change to either retrains it.
        import nlp

        package = Path(nlp.__file__).parent
        sources = sorted((package / "intent").glob("*.py")) + [
            package / "encoder" / name for name in ("batching.py", "quantise.py", "tokenizer.py")
        ]
        build = Path(config["encoder_dir"]) / "encoder_build.json"
        digest = hashlib.sha256()
        for path in [*sources, build]:
            digest.update(path.name.encode())
            digest.update(path.read_bytes() if path.is_file() else b"missing")
        return digest.hexdigest()

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        classifier: Any = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._classifier = classifier

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5IntentClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> E5IntentClassifier:
        from nlp.intent.runtime import IntentModelError, OnnxIntentClassifier

        try:
            with model_storage.read_from(resource) as directory:
                classifier = OnnxIntentClassifier.from_dir(directory, threads=int(config["threads"]))
        except IntentModelError:
            raise
        except ValueError:  # nothing was trained (core-only training): DIET's ranking passes through
            classifier = None
        return cls(config, model_storage, resource, classifier)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            {"text": normalise(text), "intent": intent}
            for m in training_data.intent_examples
            if (text := m.get(TEXT)) and text.strip() and (intent := m.get(INTENT))
        ]
        if len({e["intent"] for e in examples}) < 2:
            logger.info("Fewer than two intents to learn: the e5 classifier is skipped")
            return self._resource
        with tempfile.TemporaryDirectory(prefix="e5-intents-") as scratch:
            path = Path(scratch) / "examples.jsonl"
            path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples), "utf-8")
            out = Path(scratch) / "model"
            self._run_trainer(path, out)
            with self._model_storage.write_to(self._resource) as directory:
                for file in out.iterdir():
                    (directory / file.name).write_bytes(file.read_bytes())
        return self._resource

    def _run_trainer(self, examples: Path, out: Path) -> None:
        trainer = Path(self._config["trainer"])
        if not trainer.is_file():
            raise FileNotFoundError(
                f"{trainer} not found: E5IntentClassifier trains with the product's CLI (make install)"
            )
        command = [
            str(trainer), "train-intents", str(examples), "--output-dir", str(out),
            "--encoder-dir", str(self._config["encoder_dir"]), "--epochs", str(self._config["epochs"]),
            "--threads", str(self._config["train_threads"]),
        ]  # fmt: skip
        # The product's environment, not Rasa's: its own Python finds its own packages.
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
        finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if finished.returncode != 0:
            raise RuntimeError(
                f"huisheng train-intents failed ({finished.returncode}):\n{finished.stderr[-4000:]}"
            )
        logger.info(finished.stdout.strip())

    def process(self, messages: list[Message]) -> list[Message]:
        if self._classifier is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text or not text.strip():
                continue
            self._rerank(message, self._classifier.probabilities([normalise(text)])[0])
        return messages

    def _rerank(self, message: Message, probabilities: Any) -> None:
        weight = float(self._config["weight"])
        before = {
            item[INTENT_NAME_KEY]: float(item[PREDICTED_CONFIDENCE_KEY])
            for item in message.get(INTENT_RANKING_KEY) or []
        }
        if not before:  # nothing to average with
            weight = 1.0
        mixed = {
            name: weight * float(p) + (1.0 - weight) * before.get(name, 0.0)
            for name, p in zip(self._classifier.labels, probabilities, strict=True)
        }
        ranking = sorted(mixed.items(), key=lambda item: item[1], reverse=True)[:RANKING_LENGTH]
        message.set(
            INTENT,
            {INTENT_NAME_KEY: ranking[0][0], PREDICTED_CONFIDENCE_KEY: ranking[0][1]},
            add_to_output=True,
        )
        message.set(
            INTENT_RANKING_KEY,
            [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence} for name, confidence in ranking],
            add_to_output=True,
        )
