"""The layering the README's "Architecture" section describes, checked.

- A template the claims app owns never loads the reviewers app's tags: `claims` renders without
  `reviewers`. What the reviewers app shows on a claims page is a fragment under
  templates/reviewers/ that the claims page includes. The declared faces below are the only
  claims-owned templates that may load them, each with why.
- The import contracts (`lint-imports`, run in CI) are declared in pyproject.toml.
"""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"

# Claims-owned templates that may load the reviewers app's tags, and why.
FACES = {
    "claims/overview.html": (
        "the editors' desk shows the claims nobody can take (the reviewers app's scheduler "
        "state) through its `stuck_claims` tag, so the claims view imports nothing from reviewers"
    ),
}

LOAD = re.compile(r"{%\s*load\s+([^%]*?)\s*%}")
# The reviewers app's template tags and filters (reviewers/templatetags/reviewers.py).
REVIEWERS_TAGS = re.compile(
    r"{%\s*(why_unassigned|stuck_claims|workload_rows|overdue_rows|waiting_rows)\b"
    r"|\|\s*duration\b"
)


def reviewers_tag_library() -> set[str]:
    source = (ROOT / "reviewers" / "templatetags" / "reviewers.py").read_text()
    return set(
        re.findall(r"@register\.(?:simple_tag|filter|inclusion_tag)[^\n]*\ndef (\w+)", source)
    )


def claims_owned_templates() -> list[Path]:
    return sorted(
        p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] != "reviewers"
    )


def test_the_tag_pattern_knows_every_reviewers_tag():
    assert reviewers_tag_library() == {
        "why_unassigned",
        "duration",
        "stuck_claims",
        "workload_rows",
        "overdue_rows",
        "waiting_rows",
    }, "a reviewers tag was added or removed: update REVIEWERS_TAGS"


def test_no_claims_template_loads_reviewers_tags_unless_a_declared_face():
    offenders = []
    for path in claims_owned_templates():
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text()
        loads = {lib for libs in LOAD.findall(text) for lib in libs.split()}
        if ("reviewers" in loads or REVIEWERS_TAGS.search(text)) and name not in FACES:
            offenders.append(name)
    assert offenders == [], (
        f"{offenders} load the reviewers app's tags: move that part to a fragment under "
        "templates/reviewers/ and include it, or declare the template a face in FACES"
    )


def test_every_declared_face_exists_and_still_needs_to_be_one():
    for name in FACES:
        text = (TEMPLATES / name).read_text()
        assert "reviewers" in {lib for libs in LOAD.findall(text) for lib in libs.split()}, (
            f"{name} no longer loads reviewers tags: drop it from FACES"
        )


def test_the_claim_page_renders_the_reviewers_part_from_a_reviewers_fragment():
    # The page's content is written in Python (claims/views/claim_html.py), which renders the
    # reviewers app's fragment by name without importing the app.
    page = (ROOT / "claims" / "views" / "claim_html.py").read_text()
    assert 'WHY_UNASSIGNED = "reviewers/_why_unassigned.html"' in page
    assert "get_template(WHY_UNASSIGNED)" in page
    assert "import reviewers" not in page and "from reviewers" not in page
    fragment = (TEMPLATES / "reviewers" / "_why_unassigned.html").read_text()
    assert "{% load reviewers %}" in fragment


def test_import_contracts_are_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    contracts = {c["name"]: c for c in config["contracts"]}
    assert set(config["root_packages"]) >= {"claims", "reviewers", "jobs", "factcheck"}
    forbidden = [
        (tuple(c["source_modules"]), tuple(c["forbidden_modules"]))
        for c in contracts.values()
        if c["type"] == "forbidden"
    ]
    assert (("claims",), ("reviewers",)) in forbidden, "claims must never import reviewers"
    extraction = next(f for s, f in forbidden if s == ("claims.extraction",))
    assert {"django", "reviewers", "claims.models"} <= set(extraction)
    layered = {tuple(c["containers"]) for c in contracts.values() if c["type"] == "layers"}
    assert {("claims",), ("reviewers",)} <= layered
    ci = (ROOT / ".ci" / "run").read_text()
    assert "lint-imports" in ci, "CI must run the import contracts"
