"""Intent classification on the fine-tuned e5 encoder: train in torch, serve as int8 ONNX (nothing loads at import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlp.lazy import lazy_exports

if TYPE_CHECKING:
    from nlp.intent.runtime import IntentModelError, OnnxIntentClassifier
    from nlp.intent.train import IntentTrainArgs, IntentTrainResult, read_examples, train_intents

# Exported name -> module; modules are imported on first attribute access, so the Rasa environment (no torch)
# can import the runtime without the trainer.
_EXPORTS = {
    "IntentModelError": "nlp.intent.runtime",
    "OnnxIntentClassifier": "nlp.intent.runtime",
    "IntentTrainArgs": "nlp.intent.train",
    "IntentTrainResult": "nlp.intent.train",
    "read_examples": "nlp.intent.train",
    "train_intents": "nlp.intent.train",
}

__all__ = [
    "IntentModelError",
    "IntentTrainArgs",
    "IntentTrainResult",
    "OnnxIntentClassifier",
    "read_examples",
    "train_intents",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
