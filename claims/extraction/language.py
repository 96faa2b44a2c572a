"""Which language an article is written in (py3langid: offline, its model ships in the wheel).

Only English has a check-worthiness model; other languages are filed as candidates and say so.
"""

from __future__ import annotations

import threading

MODEL_LANGUAGES = frozenset({"en"})  # languages the shipped check-worthiness model covers
MIN_CONFIDENCE = 0.5  # below this the text is too short or mixed to call; treated as English

NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "pl": "Polish",
    "cs": "Czech", "sk": "Slovak", "sv": "Swedish", "no": "Norwegian", "nb": "Norwegian",
    "da": "Danish", "fi": "Finnish", "el": "Greek", "tr": "Turkish", "ar": "Arabic",
    "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "bn": "Bengali", "ur": "Urdu",
    "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "vi": "Vietnamese", "id": "Indonesian",
    "ms": "Malay", "th": "Thai", "hu": "Hungarian", "ro": "Romanian", "bg": "Bulgarian",
    "hr": "Croatian", "sr": "Serbian", "sl": "Slovenian", "ca": "Catalan", "sw": "Swahili",
    "af": "Afrikaans", "tl": "Tagalog", "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian",
}  # fmt: skip

_lock = threading.Lock()
_identifier = None


def _get():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                _identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _identifier


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language; "en" when the text is too short or unclear."""
    sample = (text or "")[:5000]
    if sum(ch.isalpha() for ch in sample) < 20:
        return "en"
    code, confidence = _get().classify(sample)
    return code if confidence >= MIN_CONFIDENCE else "en"


def language_name(code: str) -> str:
    return NAMES.get((code or "").split("-")[0].lower(), code or "unknown")


def has_model(code: str) -> bool:
    return (code or "en").split("-")[0].lower() in MODEL_LANGUAGES
