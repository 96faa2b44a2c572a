"""Retrain the check-worthiness model; prints precision, recall, F1 and average precision.

By default it trains the calibrated news head on CPU (a minute or two once the sentence encodings
are cached under var/claim-features/): news-dev cross-validated by document, the held-out
debates, the calibration table, the two thresholds, and the claimant figures. `--encoder`
fine-tunes the ONNX encoder on ClaimBuster first (PyTorch; see MODEL.md).
"""

import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims.extraction import head_data, training
from claims.extraction import news_encoder as news_encoder_module


class Command(BaseCommand):
    help = (
        "Train the check-worthiness model: the news head over the shipped encoder (default, CPU, "
        "scikit-learn), or with --encoder the encoder itself on ClaimBuster (PyTorch). Writes the "
        "model files with their SHA256SUMS. Needs: pip install -r requirements-train.txt"
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
            "--news-data",
            type=Path,
            default=head_data.NEWS_DEV,
            help="folder with news-dev's sentences.tsv and docs/",
        )
        parser.add_argument(
            "--out",
            type=Path,
            default=training.MODEL_DIR,
            help="where the model files go (default: the shipped model)",
        )
        parser.add_argument(
            "--encoder",
            action="store_true",
            help="fine-tune the encoder on ClaimBuster first (PyTorch, 15-30 min on a CPU)",
        )
        parser.add_argument(
            "--full-encoder",
            action="store_true",
            help=(
                "fine-tune all six layers on ClaimBuster first and write cw_encoder.onnx "
                "(PyTorch; the shared trunk and sim_head are left alone; see MODEL.md)"
            ),
        )
        parser.add_argument(
            "--news-encoder",
            action="store_true",
            help=(
                "fine-tune all-MiniLM-L6-v2 on news-dev first, cross-fitted by document, and "
                "write it as cw_encoder.onnx (PyTorch, ~25 min on two CPU cores; see MODEL.md)"
            ),
        )
        parser.add_argument(
            "--news-epochs",
            type=int,
            default=news_encoder_module.EPOCHS,
            help="epochs of each news-encoder fine-tune",
        )
        parser.add_argument("--epochs", type=int, default=training.EPOCHS)
        parser.add_argument(
            "--full-epochs", type=int, default=1, help="epochs of the full fine-tune"
        )
        parser.add_argument(
            "--negatives-per-positive",
            type=float,
            default=None,
            help="full fine-tune on all positives and this many negatives per positive",
        )
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument(
            "--limit", type=int, default=None, help="use about N debate rows (a quick smoke run)"
        )
        parser.add_argument(
            "--docs", type=int, default=None, help="use only N news-dev documents (smoke run)"
        )

    def handle(
        self,
        *args,
        data: Path,
        news_data: Path,
        out: Path,
        encoder: bool,
        full_encoder: bool,
        news_encoder: bool,
        **options,
    ):
        log = lambda *parts: self.stdout.write(" ".join(map(str, parts)))  # noqa: E731
        if not (data / "crowdsourced.csv").is_file():
            raise CommandError(f"No crowdsourced.csv in {data}: pass --data with ClaimBuster.")
        if not (news_data / "sentences.tsv").is_file():
            raise CommandError(f"No sentences.tsv in {news_data}: pass --news-data with news-dev.")
        try:
            import sklearn  # noqa: F401
        except ImportError as exc:
            raise CommandError(
                "Training needs scikit-learn (and PyTorch for --encoder): "
                "pip install -r requirements-train.txt"
            ) from exc
        if full_encoder and news_encoder:
            raise CommandError(
                "--full-encoder and --news-encoder both write cw_encoder.onnx: choose one."
            )
        if encoder or full_encoder or news_encoder:
            try:
                import torch  # noqa: F401
            except ImportError as exc:
                raise CommandError(
                    "--encoder needs PyTorch and friends: pip install -r requirements-train.txt"
                ) from exc
        if encoder:
            meta = training.train(
                data,
                out,
                epochs=options["epochs"],
                threads=options["threads"],
                limit=options["limit"],
                log=log,
            )
            t = meta["test"]
            self.stdout.write(
                f"encoder on held-out debates: precision {t['precision']:.3f}  "
                f"recall {t['recall']:.3f}  f1 {t['f1']:.3f}  "
                f"average precision {t['average_precision']:.3f}  threshold {t['threshold']:.2f}"
            )
        elif out.resolve() != training.MODEL_DIR.resolve():
            out.mkdir(parents=True, exist_ok=True)
            names = ["trunk.onnx", "sim_head.onnx", "cls_head.onnx", "tokenizer.json", "model.json"]
            if not (full_encoder or news_encoder):
                names += [training.FULL_ENCODER, training.FULL_META, news_encoder_module.OOF_FILE]
            for name in names:
                if not (out / name).exists() and (training.MODEL_DIR / name).exists():
                    shutil.copyfile(training.MODEL_DIR / name, out / name)
        if full_encoder:
            meta = training.train(
                data,
                out,
                epochs=options["full_epochs"],
                threads=options["threads"],
                limit=options["limit"],
                full=True,
                max_tokens=training.FULL_MAX_TOKENS,
                negatives_per_positive=options["negatives_per_positive"],
                lr=training.FULL_LR,
                log=log,
            )
            t = meta["test"]
            self.stdout.write(
                f"full fine-tune on held-out debates: precision {t['precision']:.3f}  "
                f"recall {t['recall']:.3f}  f1 {t['f1']:.3f}  "
                f"average precision {t['average_precision']:.3f}  threshold {t['threshold']:.2f}"
            )
        if news_encoder:
            meta = news_encoder_module.train(
                out,
                news_dir=news_data,
                threads=max(options["threads"], 2),
                docs_limit=options["docs"],
                epochs=options["news_epochs"],
                log=log,
            )
            self.stdout.write(f"news encoder written to {out / training.FULL_ENCODER}")
        from claims.extraction import claimant_eval, head_training

        summary = head_training.train_head(
            out,
            out,
            news_dir=news_data,
            claimbuster_dir=data,
            debate_limit=options["limit"],
            docs_limit=options["docs"],
            log=log,
        )
        meta = head_training.update_model_json(out, summary)
        cv = summary["news_dev_cv"]["open"]
        self.stdout.write(
            f"news-dev (open threshold, cross-validated by document): "
            f"precision {cv['precision']:.3f}  recall {cv['recall']:.3f}  f1 {cv['f1']:.3f}  "
            f"average precision {cv['average_precision']:.3f}  "
            f"ECE {summary['calibration']['ece']:.3f}"
        )
        if options["docs"] is None:
            claimant_eval.report(claimant_eval.evaluate(news_data), log=log)
        self.stdout.write(f"Model {meta['version']} written to {out}")
