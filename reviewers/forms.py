"""Forms validate input at the edge; the services do the writes."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from claims.models import Topic

from .models import CAPACITY_MAX, ReviewerProfile
from .services import BULK_MAX

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


class ReviewerProfileForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Claims with these topics go to this reviewer first.",
    )
    languages = forms.CharField(
        max_length=100, help_text="Comma-separated language codes, e.g. en or en,fr,pt-br."
    )
    capacity = forms.IntegerField(
        min_value=0,
        max_value=CAPACITY_MAX,
        help_text=f"Open assignments this person can hold at once (0 to {CAPACITY_MAX}).",
    )
    available = forms.BooleanField(
        required=False, help_text="Untick to stop new assignments (existing ones stay)."
    )
    away_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="No new assignments until the day after this date.",
    )

    @classmethod
    def for_profile(cls, profile: ReviewerProfile, data=None):
        initial = {
            "topics": list(profile.topics.all()),
            "languages": profile.languages,
            "capacity": profile.capacity,
            "available": profile.available,
            "away_until": profile.away_until,
        }
        return cls(data=data, initial=initial)

    def clean_languages(self) -> str:
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].split(",") if c.strip()]
        if not codes:
            raise forms.ValidationError("List at least one language code, e.g. en.")
        bad = [c for c in codes if not LANGUAGE_CODE.match(c)]
        if bad:
            raise forms.ValidationError(
                f"Not a language code: {', '.join(bad)}. Use codes such as en, fr or pt-br."
            )
        return ",".join(dict.fromkeys(codes))

    def clean_away_until(self):
        value = self.cleaned_data.get("away_until")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(
                "That date has passed: leave it empty if the reviewer is back."
            )
        return value


def reviewer_choices():
    User = get_user_model()
    users = (
        User.objects.filter(reviewer_profile__isnull=False, is_active=True)
        .order_by("username")
        .only("pk", "username", "first_name", "last_name")
    )
    return [("", "The best match (the policy's choice)")] + [
        (
            str(u.pk),
            f"{u.get_username()} ({u.get_full_name()})" if u.get_full_name() else u.username,
        )
        for u in users
    ]


class AssignReviewerForm(forms.Form):
    """The assign page: a reviewer from the policy's ranked list (claims.forms.AssignForm is the
    claim page's fact-checker picker)."""

    reviewer = forms.TypedChoiceField(
        choices=(), coerce=int, empty_value=None, required=False, label="Assign to"
    )
    assign_anyway = forms.BooleanField(
        required=False,
        label="Assign anyway",
        help_text="Overrides capacity, availability, language and an earlier decline (never "
        "authorship). Say why below: the reason is kept in the claim's history.",
    )
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason",
        help_text="Required when you assign anyway.",
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = reviewer_choices()


class DeclineAssignmentForm(forms.Form):
    """Declining an assignment from the reviewers' pages."""

    reason = forms.CharField(
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you cannot take it (a conflict of interest, no time, outside your field).",
        error_messages={
            "required": "Say why you decline this claim, so the editors can route it well."
        },
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class BulkAssignForm(forms.Form):
    claim_ids = forms.CharField(
        error_messages={"required": "Select at least one claim."},
        help_text="Claim ids, separated by commas or spaces.",
    )
    reviewer = forms.TypedChoiceField(
        choices=(), coerce=int, empty_value=None, required=False, label="Assign to"
    )
    assign_anyway = forms.BooleanField(
        required=False,
        label="Assign anyway",
        help_text="Overrides capacity, availability, language and an earlier decline (never "
        "authorship).",
    )
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Reason",
        help_text="Required when you assign anyway; kept in each claim's history.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = reviewer_choices()

    def clean_claim_ids(self) -> list[int]:
        raw = self.data.getlist("claim_ids") if hasattr(self.data, "getlist") else []
        raw = raw or [self.cleaned_data["claim_ids"]]
        tokens = [t for chunk in raw for t in re.split(r"[\s,]+", chunk) if t]
        bad = [t for t in tokens if not t.isdigit()]
        if bad:
            raise forms.ValidationError(f"Not a claim id: {', '.join(bad[:5])}.")
        ids = list(dict.fromkeys(int(t) for t in tokens))
        if not ids:
            raise forms.ValidationError("Select at least one claim.")
        if len(ids) > BULK_MAX:
            raise forms.ValidationError(f"Select at most {BULK_MAX} claims at a time.")
        return ids
