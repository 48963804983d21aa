"""The text analyzer every entry point shares: tokens, keywords, sentiment and aspects for one or many texts."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crm_store.enums import SentimentLabel
from huisheng.errors import InvalidInputError, UpstreamUnavailableError
from huisheng.services.reviews import AspectResult, ReviewAnalysis

if TYPE_CHECKING:
    from huisheng.settings import NlpSettings
    from nlp.aspects import AspectAnalyzer
    from nlp.keywords import KeywordExtractor
    from nlp.segment import Segmenter
    from nlp.sentiment.predict import SentimentClassifier

logger = logging.getLogger(__name__)
KEYWORDS_PER_TEXT = 8


def model_version(model_dir: Path) -> str:
    """`<dir name>@<first 8 hex of the weights' sha256>`: names exactly which weights scored a review.

    A frozen-e5 dir's weights are its heads and its description, which names the encoder build.
    """
    weights = (
        sorted(model_dir.glob("*.safetensors"))
        or sorted(model_dir.glob("*.bin"))
        or sorted([*model_dir.glob("*.npz"), *model_dir.glob("sentiment.json")])
    )
    digest = hashlib.sha256()
    for path in weights:
        digest.update(path.read_bytes())
    return f"{model_dir.name}@{digest.hexdigest()[:8]}"


class TextAnalyzer:
    """Wraps the pure `nlp` library with the store's vocabulary and the product's error types."""

    def __init__(
        self,
        *,
        segmenter: Segmenter,
        keywords: KeywordExtractor,
        aspects: AspectAnalyzer,
        classifier: SentimentClassifier,
        version: str,
        max_chars: int = 2000,
    ):
        self.segmenter = segmenter
        self.keywords = keywords
        self.aspects = aspects
        self.classifier = classifier
        self.version = version
        self.max_chars = max_chars

    @classmethod
    def from_settings(cls, settings: NlpSettings) -> TextAnalyzer:
        from nlp.aspects import AspectAnalyzer, load_aspect_terms
        from nlp.keywords import KeywordExtractor
        from nlp.segment import Segmenter
        from nlp.sentiment.predict import SentimentClassifier

        try:
            classifier = SentimentClassifier.from_dir(
                settings.sentiment_model_dir,
                encoder_dir=settings.encoder_dir,
                batch_size=settings.batch_size,
                num_threads=settings.sentiment_threads,
            )
        except (OSError, ValueError) as error:
            raise UpstreamUnavailableError(
                f"the sentiment model at {settings.sentiment_model_dir} could not be loaded: {error}"
            ) from error
        segmenter = Segmenter(
            user_dict_dir=settings.user_dict_dir,
            stopwords_path=settings.stopwords_file,
            max_chars=settings.max_chars,
        )
        return cls(
            segmenter=segmenter,
            keywords=KeywordExtractor(segmenter, idf_path=settings.idf_file),
            aspects=AspectAnalyzer(
                segmenter,
                aspect_terms=load_aspect_terms(settings.aspects_file),
                clause_scorer=classifier.predict_scores,
            ),
            classifier=classifier,
            version=model_version(settings.sentiment_model_dir),
            max_chars=settings.max_chars,
        )

    def sentiment(self, text: str) -> tuple[SentimentLabel, float]:
        """Three-way label and P(positive) for one text."""
        return self.sentiments([text])[0]

    def sentiments(self, texts: Sequence[str]) -> list[tuple[SentimentLabel, float]]:
        return self._score([self.prepare(text) for text in texts])

    def _score(self, prepared: list[str]) -> list[tuple[SentimentLabel, float]]:
        results = self.classifier.predict(prepared)
        return [(SentimentLabel(result.label3.value), round(result.score, 4)) for result in results]

    def analyze(self, text: str) -> ReviewAnalysis:
        return self.analyze_many([text])[0]

    def analyze_many(self, texts: Sequence[str], *, blank_as_neutral: bool = False) -> list[ReviewAnalysis]:
        """Analyses a batch: sentiment runs batched over all texts, the rest text by text.

        A text with nothing to analyse (only punctuation or emoji) is an error, or with `blank_as_neutral`
        a neutral analysis with no tokens: stored reviews must all end up analysed.
        """
        prepared = [
            self._prepared_or_none(text) if blank_as_neutral else self.prepare(text) for text in texts
        ]
        analysable = [text for text in prepared if text is not None]
        sentiments = iter(self._score(analysable))
        results = []
        for text in prepared:
            if text is None:
                results.append(
                    ReviewAnalysis(
                        tokens=[],
                        keywords=[],
                        sentiment_label=SentimentLabel.NEUTRAL,
                        sentiment_score=0.5,
                        model_version=self.version,
                    )
                )
                continue
            label, score = next(sentiments)
            results.append(
                ReviewAnalysis(
                    tokens=self.segmenter.tokens(text),
                    keywords=[word for word, _ in self.keywords.tfidf(text, top_k=KEYWORDS_PER_TEXT)],
                    sentiment_label=label,
                    sentiment_score=score,
                    model_version=self.version,
                    aspects=self._aspects(text),
                )
            )
        return results

    def _prepared_or_none(self, text: str) -> str | None:
        try:
            return self.prepare(text)
        except InvalidInputError:
            return None

    def _aspects(self, text: str) -> list[AspectResult]:
        from nlp.errors import EmptyTextError

        try:
            found = self.aspects.analyze(text)
        except EmptyTextError:
            return []
        # The aspect analyzer scores in [-1, 1]; the store keeps P(positive) in [0, 1] like the review score.
        return [
            AspectResult(
                aspect=a.aspect,
                label=SentimentLabel(a.label.value),
                score=round((a.score + 1) / 2, 4),
                clause=a.clause,
            )
            for a in found
        ]

    def prepare(self, text: str) -> str:
        """The normalised text, cut to `max_chars`; InvalidInputError when nothing analysable is left."""
        from nlp.errors import EmptyTextError

        if not isinstance(text, str):
            raise InvalidInputError(f"text must be a string, not {type(text).__name__}")
        try:
            normalized = self.segmenter.normalize(text)
        except EmptyTextError:
            raise InvalidInputError(
                "the text has nothing to analyse: it is empty, blank or contains no words"
            ) from None
        if len(text) > self.max_chars:
            logger.debug("text of %d characters truncated to %d for analysis", len(text), self.max_chars)
        return normalized[: self.max_chars]
