import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from claims import workflow
from claims.models import Article, Claim, Rating
from claims.permissions import EDITORS, FACT_CHECKERS


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get(name=name))


def editor(username: str = "editor", **kwargs):
    return UserFactory(username=username, groups=[EDITORS], **kwargs)


def fact_checker(username: str = "checker", **kwargs):
    user = UserFactory(username=username, groups=[FACT_CHECKERS], **kwargs)
    from reviewers.models import ReviewerProfile

    ReviewerProfile.objects.get_or_create(user=user, defaults={"capacity": 5, "languages": "en"})
    return user


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    publisher = "The Daily Example"
    body = factory.Sequence(lambda n: f"The minister said unemployment fell to {n}% last year.")
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    status = Article.Status.READY


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    article = factory.SubFactory(ArticleFactory)
    text = factory.Sequence(lambda n: f"Unemployment fell to {n}% last year.")
    position = factory.Sequence(lambda n: n)
    start_offset = 0
    end_offset = factory.LazyAttribute(lambda c: len(c.text))
    claimant = "The minister"
    score = 0.8
    state = Claim.State.OPEN


def rating(slug: str = "false") -> Rating:
    return Rating.objects.get(scale="default", slug=slug)


S = Claim.State


def claim_in(state: str, *, editor, checker, **factory_kwargs) -> Claim:
    """A claim brought to `state` through the workflow, as people would (checker assigned)."""
    start = S.CANDIDATE if state in {S.CANDIDATE, S.DISMISSED} else S.OPEN
    claim = ClaimFactory(state=start, **factory_kwargs)
    cid = claim.pk
    if state == S.DISMISSED:
        workflow.claim_dismiss(claim_id=cid, actor=editor, reason="opinion")
    path = [
        S.ASSIGNED,
        S.IN_REVIEW,
        S.SUBMITTED,
        S.APPROVED,
        S.PUBLISHED,
    ]
    steps = {
        S.ASSIGNED: lambda: workflow.claim_assign(claim_id=cid, assignee=checker, actor=editor),
        S.IN_REVIEW: lambda: workflow.claim_start(claim_id=cid, actor=checker),
        S.SUBMITTED: lambda: (
            workflow.verdict_save_draft(
                claim_id=cid, actor=checker, rating_id=rating().pk, summary="Not so."
            ),
            workflow.claim_submit(claim_id=cid, actor=checker),
        ),
        S.APPROVED: lambda: workflow.claim_approve(claim_id=cid, actor=editor, note="ok"),
        S.PUBLISHED: lambda: workflow.claim_publish(claim_id=cid, actor=editor),
    }
    if state in path:
        for step in path:
            steps[step]()
            if step == state:
                break
    return Claim.objects.get(pk=cid)


# --- Shared helpers (one copy each; tests import them from here) -----------------------------


def reviewer(username, *, capacity=5, languages="en", topics=(), full_name="", **fields):
    """A fact-checker with a reviewer profile: capacity, languages, topics (slugs) and any other
    profile field (available, away_until...)."""
    from claims.models import Topic

    first, _, last = full_name.partition(" ")
    user = fact_checker(username, first_name=first, last_name=last)
    profile = user.reviewer_profile
    profile.capacity = capacity
    profile.languages = languages
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    profile.topics.set(Topic.objects.filter(slug__in=topics))
    return user


def make_evidence(url, *, excerpt="", claim=None, **kwargs):
    """A source on a claim (a new one unless given); a quote to verify when `excerpt` is set."""
    from claims.models import Evidence

    return Evidence.objects.create(
        claim=claim or ClaimFactory(),
        url=url,
        excerpt=excerpt,
        quote_status=Evidence.QuoteStatus.PENDING if excerpt else "",
        **kwargs,
    )


def submit_verdict(
    claim, checker, *, rating_slug="false", summary="Not so.", rationale=""
) -> Claim:
    """The assignee's verdict on an assigned claim, drafted and submitted through the workflow."""
    workflow.verdict_save_draft(
        claim_id=claim.pk,
        actor=checker,
        rating_id=rating(rating_slug).pk,
        summary=summary,
        rationale=rationale,
    )
    workflow.claim_submit(claim_id=claim.pk, actor=checker)
    return Claim.objects.get(pk=claim.pk)
