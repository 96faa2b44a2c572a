import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

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
