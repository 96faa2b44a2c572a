from pathlib import Path

import pytest

SEED = Path(__file__).resolve().parents[2] / "claims" / "data" / "seed-article.txt"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_result(seed_text):
    from claims.extraction import analyse_text

    return analyse_text(seed_text)


def find(result, fragment):
    hits = [s for s in result if fragment in s.text]
    assert hits, f"no sentence contains {fragment!r}"
    return hits[0]
