"""Claim extraction: sentences, check-worthiness, claimants, topics and similar claims.

The foundation calls only the names exported here; keep them stable.
"""

from .html import ArticleContent, parse_html
from .language import detect_language, language_name
from .model_runtime import ModelIntegrityError
from .pipeline import ExtractedSentence, analyse_text
from .scoring import (
    CANDIDATE_THRESHOLD,
    DEFAULT_THRESHOLD,
    MODEL_VERSION,
    OPEN_THRESHOLD,
    embed_sentences,
    score_sentences,
)
from .sentences import split_sentences
from .similarity import find_similar, vector_to_bytes, vectors_from_bytes
from .topics import TopicSpec, match_topics

__all__ = [
    "CANDIDATE_THRESHOLD",
    "DEFAULT_THRESHOLD",
    "OPEN_THRESHOLD",
    "TopicSpec",
    "detect_language",
    "language_name",
    "MODEL_VERSION",
    "ArticleContent",
    "ExtractedSentence",
    "ModelIntegrityError",
    "analyse_text",
    "embed_sentences",
    "find_similar",
    "match_topics",
    "parse_html",
    "score_sentences",
    "split_sentences",
    "vector_to_bytes",
    "vectors_from_bytes",
]
