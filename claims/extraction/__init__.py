"""Claim extraction: sentences, check-worthiness, claimants, topics and similar claims.

The foundation calls only the names exported here; keep them stable.
"""

from .html import ArticleContent, parse_html
from .pipeline import ExtractedSentence, analyse_text
from .scoring import DEFAULT_THRESHOLD, MODEL_VERSION, score_sentences
from .sentences import split_sentences
from .topics import match_topics

__all__ = [
    "DEFAULT_THRESHOLD",
    "MODEL_VERSION",
    "ArticleContent",
    "ExtractedSentence",
    "analyse_text",
    "match_topics",
    "parse_html",
    "score_sentences",
    "split_sentences",
]
