"""Pure Chinese text analysis: normalisation, segmentation, keywords, aspects (nothing loads at import)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from nlp.lazy import lazy_exports

if TYPE_CHECKING:
    from nlp.aspects import AspectAnalyzer, AspectSentiment, Polarity, load_aspect_terms
    from nlp.errors import EmptyTextError
    from nlp.keywords import KeywordExtractor, fit_idf, write_idf
    from nlp.lexicon import SentimentLexicon
    from nlp.segment import Segmenter
    from nlp.text import TextNormalizer

# Exported name -> module; modules are imported on first attribute access.
_EXPORTS = {
    "AspectAnalyzer": "nlp.aspects",
    "AspectSentiment": "nlp.aspects",
    "Polarity": "nlp.aspects",
    "load_aspect_terms": "nlp.aspects",
    "EmptyTextError": "nlp.errors",
    "KeywordExtractor": "nlp.keywords",
    "fit_idf": "nlp.keywords",
    "write_idf": "nlp.keywords",
    "SentimentLexicon": "nlp.lexicon",
    "Segmenter": "nlp.segment",
    "TextNormalizer": "nlp.text",
}

__all__ = [
    "AspectAnalyzer",
    "AspectSentiment",
    "EmptyTextError",
    "KeywordExtractor",
    "Polarity",
    "Segmenter",
    "SentimentLexicon",
    "TextNormalizer",
    "fit_idf",
    "load_aspect_terms",
    "write_idf",
]


__getattr__ = lazy_exports(__name__, _EXPORTS)
