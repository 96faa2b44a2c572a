import pytest
from django.test import Client

from claims import workflow
from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, submit_verdict


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor_client(editor):
    return logged_in(editor)


@pytest.fixture
def editor2_client(editor2):
    return logged_in(editor2)


@pytest.fixture
def checker_client(checker):
    return logged_in(checker)


@pytest.fixture
def checker2_client(checker2):
    return logged_in(checker2)


BODY = (
    "The storm hit the coast on Monday. The minister said unemployment fell to 4% last year. "
    "Critics disagreed with the figure. Officials promised a review by June."
)


@pytest.fixture
def article(db):
    return ArticleFactory(title="Jobs report", publisher="The Daily Example", body=BODY)


@pytest.fixture
def open_claim(article):
    text = "The minister said unemployment fell to 4% last year."
    start = BODY.index(text)
    return ClaimFactory(
        article=article,
        text=text,
        position=1,
        start_offset=start,
        end_offset=start + len(text),
        state=Claim.State.OPEN,
    )


@pytest.fixture
def assigned_claim(open_claim, editor, checker):
    workflow.claim_assign(
        claim_id=open_claim.pk, assignee=checker, actor=editor, reason="topic: economy"
    )
    return Claim.objects.get(pk=open_claim.pk)


@pytest.fixture
def submitted_claim(assigned_claim, checker):
    return submit_verdict(
        assigned_claim,
        checker,
        rating_slug="false",
        summary="Unemployment rose to 5%.",
        rationale="The statistics office says 5%.",
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
