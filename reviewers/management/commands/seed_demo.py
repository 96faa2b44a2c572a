"""Demo users, reviewer profiles, the demo article processed, one claim taken to publication."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

import claims
from claims import services, workflow
from claims.errors import WorkflowError
from claims.models import Article, Claim, Rating, Topic
from claims.permissions import EDITORS, FACT_CHECKERS
from reviewers.models import ReviewerProfile

DEMO_ARTICLE = Path(claims.__file__).resolve().parent / "data" / "seed-article.txt"
DEMO_USERS = [
    # username, group, full name, topics
    ("editor", EDITORS, "Erin Editor", []),
    ("checker1", FACT_CHECKERS, "Chris Checker", ["security", "foreign-affairs"]),
    ("checker2", FACT_CHECKERS, "Casey Checker", ["foreign-affairs", "economy"]),
]


CONFIGURATOR = "admin"
CONFIGURATORS = "Configurators"
# What configuration is: models edited in the admin. The workflow's records (claims, verdicts,
# evidence, votes, assignments, events) are not: they change only through the services.
CONFIGURATION_MODELS = [("claims", "topic"), ("claims", "rating"), ("reviewers", "reviewerprofile")]


def configurators_group() -> Group:
    """The Configurators group with exactly the configuration models' permissions."""
    group, _ = Group.objects.get_or_create(name=CONFIGURATORS)
    perms = Permission.objects.none()
    for app_label, model in CONFIGURATION_MODELS:
        perms |= Permission.objects.filter(
            content_type__app_label=app_label, content_type__model=model
        )
    group.permissions.set(perms)
    return group


class Command(BaseCommand):
    help = "Create demo users and reviewer profiles and process the demo article (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-publish",
            action="store_true",
            help="Do not take a demo claim through to a published verdict.",
        )

    def handle(self, *args, **options):
        password = self._password()
        users = self._users(password)
        self._configurator(password)
        article = self._article(users["editor"])
        if not options["skip_publish"]:
            try:
                self._publish_one(article, users)
            except WorkflowError as exc:
                # The demo claim goes through the same rules as everyone's (the assignment
                # policy included): say which one stopped it, without a traceback.
                raise CommandError(
                    f"The demo claim could not be published: {exc.message}"
                ) from None
        open_claims = article.claims.filter(state=Claim.State.OPEN).count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo article {article.pk}: {article.claims.count()} claims filed "
                f"({open_claims} open, waiting for the scheduler)."
            )
        )

    def _password(self) -> str:
        """DEMO_PASSWORD, else the one generated on the first run (kept under var/, 0600)."""
        if os.environ.get("DEMO_PASSWORD"):
            return os.environ["DEMO_PASSWORD"]
        stored = Path(settings.VAR_DIR) / "demo-password"
        if stored.exists():
            return stored.read_text().strip()
        password = secrets.token_urlsafe(12)
        stored.touch(mode=0o600)
        stored.write_text(password)
        return password

    def _users(self, password: str) -> dict:
        User = get_user_model()
        users, created_any = {}, False
        for username, group_name, full_name, topic_slugs in DEMO_USERS:
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.org",
                },
            )
            if created:
                user.set_password(password)
                user.is_staff = group_name == EDITORS
                user.save()
                created_any = True
            user.groups.add(Group.objects.get(name=group_name))
            if group_name == FACT_CHECKERS:
                profile, _ = ReviewerProfile.objects.get_or_create(
                    user=user, defaults={"languages": "en", "capacity": 5}
                )
                profile.topics.set(Topic.objects.filter(slug__in=topic_slugs))
            users[username] = user
        state = "created" if created_any else "already there; passwords unchanged"
        self.stdout.write(
            f"Demo logins ({state}): editor, checker1, checker2 — password: {password}"
        )
        return users

    def _configurator(self, password: str) -> None:
        """The `admin` login: staff in the Configurators group, which may edit the configuration
        (topics, the rating scale, reviewer profiles) in /admin/ and nothing else there."""
        group = configurators_group()
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=CONFIGURATOR,
            defaults={"first_name": "Ada", "last_name": "Admin", "email": "admin@example.org"},
        )
        if created:
            user.set_password(password)
            user.is_staff = True
            user.save()
        user.groups.add(group)
        self.stdout.write(
            f"Admin login (configuration at /admin/: topics, ratings, reviewer profiles): "
            f"{CONFIGURATOR} — password: {password}"
            + ("" if created else " (already there; password unchanged)")
        )

    def _article(self, editor) -> Article:
        article, created = services.article_create_from_text(
            text=DEMO_ARTICLE.read_text(encoding="utf-8"),
            submitted_by=editor,
            title="US nursing Daesh in Afghanistan: Russia officials",
            publisher="Press TV",
            language="en",
        )
        if article.status != Article.Status.READY:
            services.article_extract_claims(article_id=article.pk)
            article.refresh_from_db()
        return article

    @transaction.atomic
    def _publish_one(self, article: Article, users: dict) -> None:
        if article.claims.filter(state=Claim.State.PUBLISHED).exists():
            return
        claim = (
            article.claims.filter(state__in=[Claim.State.OPEN, Claim.State.CANDIDATE])
            .exclude(claimant="")
            .order_by("-score")
            .first()
        )
        if claim is None:
            return
        editor, checker = users["editor"], users["checker1"]
        if claim.state == Claim.State.CANDIDATE:
            workflow.claim_promote(claim_id=claim.pk, actor=editor)
        workflow.claim_assign(
            claim_id=claim.pk, assignee=checker, actor=editor, reason="demo: assigned by hand"
        )
        services.evidence_add(
            claim_id=claim.pk,
            actor=checker,
            url="https://www.presstv.ir/Detail/2015/10/09/432581/Russia-Afghanistan-Daesh-US",
            title="US nursing Daesh in Afghanistan: Russia officials",
            publisher="Press TV",
            stance="context",
            excerpt=claim.text[:200],
            note="The report itself: the claim is attributed, not independently sourced.",
        )
        workflow.verdict_save_draft(
            claim_id=claim.pk,
            actor=checker,
            rating_id=Rating.objects.get(scale="default", slug="unverifiable").pk,
            summary="No public evidence supports this; it rests on the official's word alone.",
            rationale="The statement is attributed to an official and cites no documents, "
            "figures or named sources that could be checked independently.",
        )
        workflow.claim_submit(claim_id=claim.pk, actor=checker)
        workflow.claim_approve(claim_id=claim.pk, actor=editor, note="Demo approval.")
        workflow.claim_publish(claim_id=claim.pk, actor=editor)
        self.stdout.write(f"Published a demo fact-check on claim {claim.pk}.")
