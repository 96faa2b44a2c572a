"""Every model's admin list and change pages render for staff, and the audit trail is read-only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from claims import workflow
from claims.models import ClaimEvent
from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_list_renders_with_search_and_filters(staff_client, model):
    ClaimFactory()
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = staff_client.get(url, {"q": "x"})
    assert response.status_code == 200


def test_audit_trail_cannot_be_changed_in_the_admin(staff_client, editor):
    claim = ClaimFactory(state="candidate")
    workflow.claim_promote(claim_id=claim.pk, actor=editor)
    event = ClaimEvent.objects.get(claim=claim)
    change = reverse("admin:claims_claimevent_change", args=[event.pk])
    page = staff_client.get(change)
    assert page.status_code == 200 and b'name="transition"' not in page.content
    staff_client.post(change, {"transition": "tampered"})
    assert ClaimEvent.objects.get(pk=event.pk).transition == "promote"
    delete = reverse("admin:claims_claimevent_delete", args=[event.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert ClaimEvent.objects.filter(pk=event.pk).exists()
