"""Dashboard forms. They validate input at the edge; the services decide and write."""

from __future__ import annotations

from django import forms
from django.conf import settings

from .models import Claim, Evidence, Rating, Topic


class VersionedForm(forms.Form):
    """Every form about a claim carries the version it was loaded at (a stale write is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EvidenceForm(VersionedForm):
    url = forms.CharField(
        label="Web address",
        max_length=2000,
        widget=forms.URLInput(
            attrs={"placeholder": "https://", "autocomplete": "off", "data-shortcut": "e"}
        ),
        help_text="http:// or https:// only.",
    )
    title = forms.CharField(max_length=500, required=False)
    publisher = forms.CharField(max_length=200, required=False)
    stance = forms.ChoiceField(choices=Evidence.Stance.choices, initial=Evidence.Stance.CONTEXT)
    excerpt = forms.CharField(
        label="Quoted excerpt", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_url(self):
        from .errors import InvalidInput
        from .services import validate_http_url

        try:
            return validate_http_url(self.cleaned_data["url"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None


class VerdictForm(VersionedForm):
    rating = forms.ModelChoiceField(
        queryset=Rating.objects.filter(active=True, scale="default").order_by("position"),
        required=False,
        empty_label="— choose a rating —",
    )
    summary = forms.CharField(
        label="One-line summary",
        max_length=300,
        required=False,
        help_text="For readers; at most 300 characters.",
    )
    rationale = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="The reasoning, with the evidence it rests on.",
    )


class DeclineForm(VersionedForm):
    reason = forms.CharField(
        label="Why you decline",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The editors see this when they route the claim again.",
    )


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(queryset=None, label="Fact-checker")
    assign_anyway = forms.BooleanField(
        required=False,
        label="Assign anyway",
        help_text="Overrides the assignment policy (capacity, availability, language, an "
        "earlier decline), never authorship. Say why: the reason is kept in the history.",
    )
    reason = forms.CharField(
        max_length=300, required=False, label="Reason (required to assign anyway)"
    )

    def __init__(self, *args, assignees=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import fact_checkers

        self.fields["assignee"].queryset = assignees if assignees is not None else fact_checkers()
        self.fields["assignee"].label_from_instance = lambda u: u.get_username()


class DecisionForm(VersionedForm):
    note = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when you return the verdict: say what to change.",
    )


class DismissForm(VersionedForm):
    reason = forms.ChoiceField(choices=Claim.DismissReason.choices)


class PriorityForm(VersionedForm):
    priority = forms.ChoiceField(choices=Claim.Priority.choices)


class TopicsForm(VersionedForm):
    topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.order_by("name"), required=False)


class IngestForm(forms.Form):
    """Paste text, upload an .html or .txt file, or give a web address: exactly one."""

    text = forms.CharField(
        label="Article text",
        required=False,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Paste the article's text.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=".txt (UTF-8) or .html.",
        widget=forms.FileInput(attrs={"accept": ".txt,.html,.htm,text/plain,text/html"}),
    )
    url = forms.CharField(
        label="Or give its web address",
        max_length=2000,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    title = forms.CharField(max_length=500, required=False)
    publisher = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=200, required=False)
    published_at = forms.DateTimeField(
        label="Published", required=False, widget=forms.DateTimeInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The limits as configured now (settings, not import time).
        self.fields["text"].help_text = (
            f"Paste the article's text: at most {settings.ARTICLE_MAX_CHARS:,} characters and "
            f"{settings.ARTICLE_MAX_SENTENCES:,} sentences."
        )
        megabytes = settings.ARTICLE_MAX_BYTES // 2**20
        self.fields["file"].help_text = f".txt (UTF-8) or .html, at most {megabytes} MB."

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        name = (upload.name or "").lower()
        if not name.endswith((".txt", ".html", ".htm")):
            raise forms.ValidationError("Upload a .txt or an .html file.")
        if upload.size > settings.ARTICLE_MAX_BYTES:
            limit = settings.ARTICLE_MAX_BYTES // (1024 * 1024)
            raise forms.ValidationError(f"The file is too large (the limit is {limit} MB).")
        raw = upload.read()
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                f"The file is not UTF-8 text (byte {exc.start} cannot be read). Save it as "
                "UTF-8 and upload it again, or paste its text."
            ) from None
        kind = "html" if name.endswith((".html", ".htm")) else "text"
        return {"kind": kind, "content": content, "name": upload.name}

    def clean_url(self):
        url = (self.cleaned_data.get("url") or "").strip()
        if not url:
            return ""
        from .errors import InvalidInput
        from .services import validate_http_url

        try:
            return validate_http_url(url)
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        data = super().clean()
        given = [k for k in ("text", "file", "url") if data.get(k) and str(data.get(k)).strip()]
        if not self.errors and not given:
            raise forms.ValidationError(
                "Paste the article's text, upload a file or give its web address."
            )
        if len(given) > 1:
            raise forms.ValidationError(
                "Give the article one way only: pasted text, a file or a web address."
            )
        return data


BULK_TRIAGE_ACTIONS = [
    ("promote", "Promote to open"),
    ("dismiss", "Dismiss"),
    ("priority", "Set priority"),
    ("topics", "Set topics"),
]

BULK_CLAIM_ACTIONS = [
    ("assign", "Assign"),
    ("reassign", "Reassign"),
    ("unassign", "Unassign"),
    ("priority", "Set priority"),
    ("dismiss", "Dismiss"),
]


class BulkForm(forms.Form):
    """A bar of bulk actions over selected claims; each claim's version comes as v_<id>."""

    claims = forms.TypedMultipleChoiceField(coerce=int, choices=(), label="Claims")
    action = forms.ChoiceField(choices=())
    assignee = forms.ModelChoiceField(queryset=None, required=False, label="Fact-checker")
    priority = forms.ChoiceField(
        choices=[("", "— priority —")] + list(Claim.Priority.choices), required=False
    )
    reason = forms.ChoiceField(
        label="Dismiss reason",
        choices=[("", "— dismiss reason —")] + list(Claim.DismissReason.choices),
        required=False,
    )
    topics = forms.ModelMultipleChoiceField(queryset=Topic.objects.order_by("name"), required=False)
    assign_anyway = forms.BooleanField(required=False, label="Assign anyway")
    assign_reason = forms.CharField(
        max_length=300, required=False, label="Reason (required to assign anyway)"
    )

    def __init__(self, *args, actions, claim_ids, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import fact_checkers

        self.fields["action"].choices = actions
        self.fields["claims"].choices = [(i, str(i)) for i in claim_ids]
        self.fields["assignee"].queryset = fact_checkers()
        self.fields["assignee"].label_from_instance = lambda u: u.get_username()
        self.fields["claims"].error_messages["required"] = "Select at least one claim."
        self.fields["claims"].error_messages["invalid_choice"] = (
            "One of the selected claims is no longer on this page; reload it."
        )

    def clean(self):
        data = super().clean()
        action = data.get("action")
        needs = {
            "assign": ("assignee", "Choose the fact-checker to assign to."),
            "reassign": ("assignee", "Choose the fact-checker to reassign to."),
            "priority": ("priority", "Choose the priority to set."),
            "dismiss": ("reason", "Choose why the claims are dismissed."),
        }
        if action in needs:
            field, message = needs[action]
            if not data.get(field):
                self.add_error(field, message)
        return data

    def versions(self) -> dict[int, int | None]:
        out: dict[int, int | None] = {}
        for claim_id in self.cleaned_data.get("claims", []):
            raw = self.data.get(f"v_{claim_id}")
            out[claim_id] = int(raw) if raw and str(raw).isdigit() else None
        return out


# --- Corrections of published fact-checks (claims/views/corrections.py) ---------------------


class CorrectionForm(forms.Form):
    """Corrected verdict text; the services check it again."""

    rating = forms.ModelChoiceField(queryset=None, empty_label=None)
    summary = forms.CharField(max_length=300, label="Summary (one line, for readers)")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Correction note (shown to readers, dated)",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from claims.models import Rating

        self.fields["rating"].queryset = Rating.objects.filter(active=True, scale="default")


class CorrectionDecisionForm(forms.Form):
    """An editor approves or returns a proposed correction."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
