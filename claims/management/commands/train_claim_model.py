"""Retrain the check-worthiness model; prints precision, recall, F1 and average precision."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.extraction import training


class Command(BaseCommand):
    help = (
        "Fine-tune the check-worthiness model on ClaimBuster (held-out whole debates for "
        "validation) and write the model files with their SHA256SUMS. Needs the training "
        "packages: pip install -r requirements-train.txt"
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--data",
            type=Path,
            default=training.DEFAULT_DATA,
            help="folder with ClaimBuster's crowdsourced.csv",
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=training.MODEL_DIR,
            help="where the model files go (default: the shipped model)",
        )
        parser.add_argument("--epochs", type=int, default=training.EPOCHS)
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument(
            "--limit", type=int, default=None, help="use about N rows (a quick smoke run)"
        )

    def handle(self, *args, data: Path, out: Path, epochs: int, threads: int, limit, **options):
        if not (data / "crowdsourced.csv").is_file():
            raise CommandError(f"No crowdsourced.csv in {data}: pass --data with ClaimBuster.")
        try:
            import torch  # noqa: F401
        except ImportError as exc:
            raise CommandError(
                "Training needs PyTorch and friends: pip install -r requirements-train.txt"
            ) from exc
        meta = training.train(
            data,
            out,
            epochs=epochs,
            threads=threads,
            limit=limit,
            log=lambda *parts: self.stdout.write(" ".join(map(str, parts))),
        )
        t = meta["test"]
        self.stdout.write(
            f"precision {t['precision']:.3f}  recall {t['recall']:.3f}  f1 {t['f1']:.3f}  "
            f"average precision {t['average_precision']:.3f}  threshold {t['threshold']:.2f}"
        )
        self.stdout.write(f"Model {meta['version']} written to {out}")
