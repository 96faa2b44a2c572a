"""Text or HTML to scored, attributed sentences on standard output. Touches no database."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims import extraction


def _default(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class Command(BaseCommand):
    help = "Split, score and attribute the sentences of a .txt or .html file (or '-' for stdin)."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .txt or .html file, or '-' for standard input")
        parser.add_argument("--url", help="the article's web address (helps HTML metadata)")
        parser.add_argument(
            "--sentences",
            action="store_true",
            help="treat each input line as one sentence (no splitting)",
        )
        parser.add_argument("--format", choices=["json", "jsonl"], required=True)
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="open threshold on the calibrated score (default: the project setting)",
        )
        parser.add_argument(
            "--candidate-threshold",
            type=float,
            default=None,
            help="lower edge of the candidate band (default: the project setting)",
        )

    def handle(
        self,
        *args,
        path: str,
        url=None,
        sentences=False,
        format="jsonl",
        threshold=None,
        candidate_threshold=None,
        **options,
    ):
        raw = sys.stdin.buffer.read() if path == "-" else self._read(path)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text; convert it first.") from exc
        from claims.services import claim_thresholds

        default_open, default_candidate = claim_thresholds()
        threshold = default_open if threshold is None else threshold
        if candidate_threshold is None:
            candidate_threshold = min(default_candidate, threshold)
        for name, value in (
            ("--threshold", threshold),
            ("--candidate-threshold", candidate_threshold),
        ):
            if not 0.0 <= value <= 1.0:
                raise CommandError(f"{name} must be between 0 and 1 (got {value}).")
        is_html = path.lower().endswith((".html", ".htm")) or text.lstrip()[:1] == "<"
        if is_html and not sentences:
            content = extraction.parse_html(text, url=url)
        else:
            content = extraction.ArticleContent(text=text)
        if sentences:
            rows = self._lines(content.text, threshold)
        else:
            rows = [
                {
                    "text": s.text,
                    "start": s.start,
                    "end": s.end,
                    "score": round(s.score, 4),
                    "check_worthy": s.check_worthy,
                    "band": s.band,
                    "reason": s.reason,
                    "claimant": s.claimant,
                    "claimant_type": s.claimant_type or None,
                    "language": s.language,
                }
                for s in extraction.analyse_text(
                    content.text, threshold=threshold, candidate_threshold=candidate_threshold
                )
            ]
        out = self.stdout
        if format == "jsonl":
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False))
        else:
            article = {
                "title": content.title,
                "author": content.author,
                "publisher": content.publisher,
                "published_at": content.published_at,
                "language": content.language,
                "text": content.text,
            }
            out.write(
                json.dumps(
                    {"article": article, "sentences": rows},
                    ensure_ascii=False,
                    default=_default,
                    indent=2,
                )
            )

    def _read(self, path: str) -> bytes:
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        return file.read_bytes()

    def _lines(self, text: str, threshold: float) -> list[dict]:
        spans, offset = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                start = offset + line.index(stripped)
                spans.append((start, start + len(stripped)))
            offset += len(line) + 1
        texts = [text[s:e] for s, e in spans]
        scores = extraction.score_sentences(texts) if texts else []
        return [
            {
                "text": t,
                "start": s,
                "end": e,
                "score": round(float(score), 4),
                "check_worthy": float(score) >= threshold,
                "claimant": None,
            }
            for t, (s, e), score in zip(texts, spans, scores, strict=True)
        ]
