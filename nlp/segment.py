"""Chinese word segmentation with an owned jieba tokenizer and the shipped domain dictionary."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from nlp.text import DEFAULT_MAX_CHARS, TextNormalizer

if TYPE_CHECKING:
    import jieba

logger = logging.getLogger(__name__)

RESOURCES = Path(__file__).resolve().parent / "resources"
DEFAULT_USER_DICT_DIR = RESOURCES / "jieba_dict"
DEFAULT_STOPWORDS = RESOURCES / "stopwords.txt"
# Our own cache file name: the global jieba singleton writes "jieba.cache" in the same temp dir.
_CACHE_FILE = "huisheng-jieba.cache"


def read_word_list(path: Path) -> list[str]:
    """One entry per line; blank lines and lines starting with '#' are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def is_punctuation(token: str) -> bool:
    """True when the token has no letter, digit or CJK character."""
    return not any(ch.isalnum() for ch in token)


class Segmenter:
    """Segments normalised text; dictionaries load on first use, not in the constructor.

    ``user_dict_dir`` is a directory: every ``*.txt`` file in it is loaded as a jieba user
    dictionary (``词 频率 词性`` lines), the same layout Rasa's JiebaTokenizer reads.
    """

    def __init__(
        self,
        *,
        user_dict_dir: Path | None = DEFAULT_USER_DICT_DIR,
        stopwords_path: Path | None = DEFAULT_STOPWORDS,
        cache_dir: Path | None = None,
        normalizer: TextNormalizer | None = None,
        max_chars: int | None = DEFAULT_MAX_CHARS,
        hmm: bool = True,
    ) -> None:
        self.user_dict_dir = user_dict_dir
        self.stopwords_path = stopwords_path
        self.cache_dir = cache_dir or Path(tempfile.gettempdir())
        self.normalizer = normalizer or TextNormalizer()
        self.max_chars = max_chars
        self.hmm = hmm
        self._tokenizer: jieba.Tokenizer | None = None
        self._stopwords: frozenset[str] | None = None
        self._lock = threading.Lock()

    @property
    def tokenizer(self) -> jieba.Tokenizer:
        """The owned jieba tokenizer, initialised with the user dictionaries on first access."""
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build_tokenizer()
        return self._tokenizer

    def _build_tokenizer(self) -> jieba.Tokenizer:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(self.cache_dir)
        tokenizer.cache_file = _CACHE_FILE
        tokenizer.initialize()
        for path in self.user_dict_files():
            tokenizer.load_userdict(str(path))
            logger.debug("loaded jieba user dictionary %s", path)
        return tokenizer

    def user_dict_files(self) -> list[Path]:
        """The dictionary files that will be loaded, in name order."""
        if self.user_dict_dir is None:
            return []
        return sorted(p for p in self.user_dict_dir.glob("*.txt") if p.is_file())

    @property
    def stopwords(self) -> frozenset[str]:
        """Stopwords from ``stopwords_path`` (empty when it is None)."""
        if self._stopwords is None:
            words = read_word_list(self.stopwords_path) if self.stopwords_path else []
            self._stopwords = frozenset(words)
        return self._stopwords

    def add_words(self, words: Iterable[str]) -> None:
        """Add words to this segmenter's dictionary only (the global jieba is untouched)."""
        tokenizer = self.tokenizer
        for word in words:
            tokenizer.add_word(word)

    def normalize(self, text: str) -> str:
        """Normalise text; raises EmptyTextError when nothing analysable remains."""
        return self.normalizer.normalize(text, max_chars=self.max_chars)

    def cut_normalized(self, text: str) -> list[str]:
        """Segment text that is already normalised; whitespace tokens are dropped."""
        words = self.tokenizer.lcut(text, HMM=self.hmm)
        return [w for w in (str(w).strip() for w in words) if w]

    def cut(self, text: str) -> list[str]:
        """Normalise and segment; raises EmptyTextError when nothing analysable remains."""
        return self.cut_normalized(self.normalize(text))

    def tokens(self, text: str) -> list[str]:
        """Like :meth:`cut` without stopwords and punctuation."""
        return self.content_words(self.cut(text))

    def content_words(self, words: Iterable[str]) -> list[str]:
        """Drop stopwords and punctuation from already segmented words."""
        stop = self.stopwords
        return [w for w in words if w not in stop and not is_punctuation(w)]
