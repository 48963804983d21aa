"""The intent model directory's layout, shared by the trainer (torch) and the runtime (ONNX Runtime only)."""

from __future__ import annotations

DESCRIPTION_FILE = "intents.json"
"""Labels in output order, the training arguments and figures, and the encoder build it was tuned from."""
KIND = "e5-intents"
FORMAT = 1
"""Bump when the directory's layout or the model's inputs and outputs change."""
TOKENIZER_FILES = ("tokenizer.json", "normalisation.json")
"""Copied from the encoder dir: the classifier reads text exactly as the encoder it was tuned from."""
