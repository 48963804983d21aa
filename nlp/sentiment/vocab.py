"""Character vocabulary (with `##` pieces for Latin letters and digits) and its BERT tokenizer."""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# Continuation pieces let WordPiece spell "iphone" or "5g" letter by letter instead of one [UNK].
_LATIN_AND_DIGITS = string.ascii_lowercase + string.digits
CONTINUATION_PIECES = tuple(f"##{ch}" for ch in _LATIN_AND_DIGITS)


def build_char_vocab(texts: Iterable[str], *, min_count: int = 2) -> list[str]:
    """Special tokens, then every (lower-cased, non-space) character seen `min_count`+ times, then `##` pieces."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(text.lower())
    chars = sorted(ch for ch, n in counts.items() if n >= min_count and not ch.isspace())
    always = [ch for ch in _LATIN_AND_DIGITS if ch not in chars]
    return [*SPECIAL_TOKENS, *sorted(chars + always), *CONTINUATION_PIECES]


def write_vocab(tokens: list[str], directory: str | Path) -> Path:
    path = Path(directory) / "vocab.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{token}\n" for token in tokens), encoding="utf-8")
    return path


def load_char_tokenizer(directory: str | Path, *, max_length: int) -> PreTrainedTokenizerBase:
    """BERT tokenizer over `directory/vocab.txt`.

    Loaded with `from_pretrained(directory)`: in transformers 5 `BertTokenizer(vocab_file=...)`
    silently ignores the file and builds a 5-token vocabulary.
    """
    from transformers import BertTokenizer  # the Rust-backed ("fast") tokenizer in transformers 5

    tokenizer: PreTrainedTokenizerBase = BertTokenizer.from_pretrained(
        str(directory), do_lower_case=True, tokenize_chinese_chars=True, model_max_length=max_length
    )
    expected = sum(1 for _ in (Path(directory) / "vocab.txt").open(encoding="utf-8"))
    if len(tokenizer) != expected:
        raise RuntimeError(f"tokenizer has {len(tokenizer)} tokens but vocab.txt has {expected}")
    return tokenizer
