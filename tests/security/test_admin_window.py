"""Issue #11, reproduction 2 and the rule behind it: the admin is a window, not a door.

Governed records are read-only in the admin for everyone, superusers included; configuration stays
editable; the groups hold no raw model permission that would let staff write around the services.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from claims import workflow
from claims.models import (
    ApprovalVote,
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Evidence,
    EvidenceSnapshot,
    Export,
    Topic,
    Verdict,
)
from claims.permissions import EDITOR_PERMISSIONS, EDITORS, FACT_CHECKER_PERMISSIONS, FACT_CHECKERS
from reviewers.models import Assignment, ReviewerProfile
from tests.factories import claim_in, rating
from tests.factories import editor as make_editor

from .conftest import dashboard, fresh

pytestmark = pytest.mark.django_db
S = Claim.State

GOVERNED = [
    Article,
    Claim,
    Verdict,
    Evidence,
    EvidenceSnapshot,
    ApprovalVote,
    ClaimEvent,
    ClaimMatch,
    Export,
    Assignment,
]


def _url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def root(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")


@pytest.fixture
def world(editor, editor2, checker):
    """One of everything: a published claim with its verdict, vote, evidence, events and
    assignment, a snapshot, a match and an export."""
    claim = claim_in(S.APPROVED, editor=editor, checker=checker)
    evidence = workflow_evidence(claim, editor)
    workflow.claim_publish(claim_id=claim.pk, actor=editor)
    EvidenceSnapshot.objects.create(evidence=evidence, text="page text")
    other = claim_in(S.OPEN, editor=editor, checker=checker)
    ClaimMatch.objects.create(claim=other, matched_claim=claim, similarity=0.9)
    Export.objects.create(requested_by=editor, format="csv")
    return fresh(claim)


def workflow_evidence(claim, actor) -> Evidence:
    from claims import services

    return services.evidence_add(claim_id=claim.pk, actor=actor, url="https://stats.example/")


@pytest.mark.parametrize("model", GOVERNED, ids=lambda m: m._meta.label)
def test_governed_records_are_read_only_for_superusers(client, root, world, model):
    client.force_login(root)
    obj = model.objects.first()
    assert obj is not None
    count = model.objects.count()
    assert model in admin.site._registry
    page = client.get(_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # shown, not editable
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "add"), {}).status_code == 403
    assert client.post(_url(model, "change", obj.pk), {}).status_code == 403
    assert client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    listing = client.get(_url(model, "changelist"))
    assert listing.status_code == 200 and b'name="action"' not in listing.content
    assert model.objects.count() == count


def test_reproduction_2_an_editor_cannot_forge_a_verdict_in_the_admin(
    client, editor, editor2, checker
):
    """The editor is staff; the forged verdict (a fact-checker's name, backdated, current) and the
    published text rewrite are refused, and the public page stays as approved."""
    editor.is_staff = True
    editor.save()
    claim = claim_in(S.IN_REVIEW, editor=editor2, checker=checker)
    client.force_login(editor)
    for perm in ("claims.add_verdict", "claims.add_evidence", "claims.change_claim"):
        assert not editor.has_perm(perm)
    forged = client.post(
        _url(Verdict, "add"),
        {
            "claim": claim.pk,
            "author": checker.pk,
            "rating": rating("true").pk,
            "summary": "FORGED",
            "is_current": "on",
            "created_at_0": "2020-01-01",
            "created_at_1": "00:00:00",
        },
    )
    assert forged.status_code == 403
    assert not Verdict.objects.filter(summary="FORGED").exists()

    published = claim_in(S.PUBLISHED, editor=editor2, checker=checker)
    before = dashboard(editor).get(reverse("public:fact_check", args=[published.pk])).content
    rewrite = client.post(
        _url(Claim, "change", published.pk),
        {"text": "REWRITTEN", "claimant": "Someone else", "article": published.article_id},
    )
    assert rewrite.status_code == 403
    after = fresh(published)
    assert (after.text, after.claimant, after.version) == (
        published.text,
        published.claimant,
        published.version,
    )
    assert dashboard(editor).get(reverse("public:fact_check", args=[published.pk])).content == (
        before
    )


def test_configuration_stays_editable(client, root, checker):
    client.force_login(root)
    added = client.post(
        _url(Topic, "add"), {"name": "Health", "slug": "health-x", "keywords": "vaccine"}
    )
    assert added.status_code == 302 and Topic.objects.filter(slug="health-x").exists()
    scale = rating("true")
    page = client.get(_url(type(scale), "change", scale.pk))
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()
    profile = ReviewerProfile.objects.get(user=checker)
    page = client.get(_url(ReviewerProfile, "change", profile.pk))
    assert page.status_code == 200 and 'name="_save"' in page.content.decode()


def test_the_groups_hold_only_the_workflows_permissions(db):
    def held(name: str) -> set[str]:
        group = Group.objects.get(name=name)
        return {
            f"{app}.{code}"
            for app, code in group.permissions.values_list("content_type__app_label", "codename")
        }

    assert held(FACT_CHECKERS) == set(FACT_CHECKER_PERMISSIONS) == {"claims.work_claim"}
    assert held(EDITORS) == set(EDITOR_PERMISSIONS)
    raw = {p for p in held(EDITORS) if p.split(".")[1].startswith(("add_", "change_", "delete_"))}
    # Reviewer profiles are configuration (their page checks the editor role as well).
    assert raw == {"reviewers.change_reviewerprofile"}


def test_the_migration_takes_the_raw_permissions_back(db):
    migration = importlib.import_module("claims.migrations.0004_integrity")
    editors = Group.objects.get(name=EDITORS)
    raw = Permission.objects.filter(
        content_type__app_label="claims",
        codename__in=["add_verdict", "add_evidence", "change_claim"],
    )
    editors.permissions.add(*raw)
    someone = make_editor("legacy-editor")
    assert someone.has_perm("claims.add_verdict")
    migration.drop_raw_permissions(django_apps, None)
    someone = type(someone).objects.get(pk=someone.pk)  # a fresh permission cache
    assert not someone.has_perm("claims.add_verdict")
    assert not editors.permissions.filter(pk__in=raw).exists()
    assert someone.has_perm("claims.approve_verdict")  # the workflow's own stay


def test_the_dashboard_still_works_without_raw_permissions(editor, editor2, checker):
    """What the raw permissions used to cover goes through the services: evidence, drafts."""
    claim = claim_in(S.IN_REVIEW, editor=editor2, checker=checker)
    client = dashboard(checker)
    claim.refresh_from_db()
    added = client.post(
        reverse("claims:claim_action", args=[claim.pk, "evidence"]),
        {"version": claim.version, "url": "https://stats.example/x", "stance": "supports"},
    )
    assert added.status_code == 302
    claim.refresh_from_db()
    saved = client.post(
        reverse("claims:claim_action", args=[claim.pk, "verdict"]),
        {"version": claim.version, "rating": rating().pk, "summary": "False.", "rationale": ""},
    )
    assert saved.status_code == 302
    assert workflow.current_verdict(fresh(claim)).author == checker
