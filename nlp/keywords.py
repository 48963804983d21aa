"""Keyword extraction (TF-IDF and TextRank from jieba.analyse) with an IDF table fitted on reviews."""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.errors import EmptyTextError
from nlp.segment import RESOURCES, Segmenter

if TYPE_CHECKING:
    from jieba.analyse import TFIDF, TextRank

logger = logging.getLogger(__name__)

DEFAULT_IDF = RESOURCES / "idf.txt"
TEXTRANK_POS = ("ns", "n", "vn", "v", "a", "an", "nz")
Keyword = tuple[str, float]


def fit_idf(texts: Iterable[str], segmenter: Segmenter, *, min_df: int = 2) -> dict[str, float]:
    """Smoothed IDF, ``log((1 + N) / (1 + df)) + 1``, per content word seen in ``min_df`` or more texts.

    Texts with nothing analysable are skipped; stopwords, punctuation and single characters are
    never keywords, so they are left out of the table.
    """
    df: Counter[str] = Counter()
    n_docs = 0
    for text in texts:
        try:
            words = segmenter.tokens(text)
        except EmptyTextError:
            continue
        n_docs += 1
        df.update({w for w in words if len(w) >= 2})
    return {word: math.log((1 + n_docs) / (1 + count)) + 1.0 for word, count in df.items() if count >= min_df}


def write_idf(idf: dict[str, float], path: Path) -> None:
    """Write ``word idf`` lines (the format jieba.analyse reads), most informative last."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted(idf.items(), key=lambda item: (item[1], item[0]))
    path.write_text("".join(f"{word} {value:.6f}\n" for word, value in rows), encoding="utf-8")


class KeywordExtractor:
    """TF-IDF and TextRank keywords over a :class:`Segmenter`'s own jieba tokenizer.

    ``idf_path`` defaults to the shipped table fitted on the review corpora; when the file is
    missing, jieba's bundled general-domain IDF table is used instead.
    """

    def __init__(self, segmenter: Segmenter, *, idf_path: Path | None = DEFAULT_IDF) -> None:
        self.segmenter = segmenter
        self.idf_path = idf_path
        self._tfidf: TFIDF | None = None
        self._textrank: TextRank | None = None
        self._lock = threading.Lock()

    def _stop_words(self) -> set[str]:
        return set(self.segmenter.stopwords)

    def _tfidf_extractor(self) -> TFIDF:
        if self._tfidf is None:
            with self._lock:
                if self._tfidf is None:
                    from jieba.analyse import TFIDF

                    path = self.idf_path if self.idf_path and self.idf_path.is_file() else None
                    if path is None:
                        logger.warning("IDF table %s not found; using jieba's default", self.idf_path)
                    extractor = TFIDF(str(path) if path else None)
                    # Replace jieba's global singletons with our own tokenizer and stopwords.
                    extractor.tokenizer = self.segmenter.tokenizer
                    extractor.postokenizer = None
                    extractor.stop_words = self._stop_words()
                    self._tfidf = extractor
        return self._tfidf

    def _textrank_extractor(self) -> TextRank:
        if self._textrank is None:
            with self._lock:
                if self._textrank is None:
                    from jieba.analyse import TextRank
                    from jieba.posseg import POSTokenizer

                    extractor = TextRank()
                    extractor.tokenizer = extractor.postokenizer = POSTokenizer(self.segmenter.tokenizer)
                    extractor.stop_words = self._stop_words()
                    self._textrank = extractor
        return self._textrank

    def tfidf(self, text: str, *, top_k: int = 8) -> list[Keyword]:
        """Top ``top_k`` (word, weight) pairs by TF-IDF; raises EmptyTextError for empty text."""
        normalized = self.segmenter.normalize(text)
        tags = self._tfidf_extractor().extract_tags(normalized, topK=top_k, withWeight=True)
        return self._clean(tags)

    def textrank(
        self, text: str, *, top_k: int = 8, allow_pos: tuple[str, ...] = TEXTRANK_POS
    ) -> list[Keyword]:
        """Top ``top_k`` (word, weight) pairs by TextRank over nouns, verbs and adjectives."""
        normalized = self.segmenter.normalize(text)
        tags = self._textrank_extractor().textrank(
            normalized, topK=top_k, withWeight=True, allowPOS=allow_pos
        )
        return self._clean(tags)

    def _clean(self, tags: Iterable[tuple[str, float]]) -> list[Keyword]:
        # jieba already skips single characters and stopwords; punctuation and digits-only are ours.
        return [
            (str(word), float(weight))
            for word, weight in tags
            if len(word) >= 2 and not word.isdigit() and word not in self.segmenter.stopwords
        ]
