"""Text clean-up applied identically before training and before inference of the sentiment model."""

from __future__ import annotations

import re
import unicodedata

# Version tag stored in the model config: a model must be served with the clean-up it was trained with.
PREPROCESS_VERSION = "nfkc-ws-v1"

# control characters, lone surrogates (undecodable bytes), replacement char, BOM and zero-width marks
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ud800-\udfff\ufffd\ufeff\u200b-\u200f]"
)
_SPACE = re.compile(r"\s+")


def clean_review(text: str) -> str:
    """NFKC-normalise (full-width → half-width), drop control characters, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    return _SPACE.sub(" ", text).strip()
