"""What the API accepts. Each input is validated here (types, sizes, http/https only) and then
handed to a service, which checks the rules again: the API never writes models itself.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.errors import InvalidInput
from claims.filters import ClaimFilter
from claims.models import Claim, Evidence, Export

# What the schema promises about a web address: http(s), a host name with a dot, an optional
# path. Every address of this shape passes the validator below; the validator also takes more
# (ports, queries, IDN), which the schema leaves out rather than promise too much.
HTTP_URL_PATTERN = r"^[Hh][Tt][Tt][Pp][Ss]?://[a-z0-9]+(?:-[a-z0-9]+)*(?:\.[a-z0-9]+(?:-[a-z0-9]+)*)*\.[a-z]{2,24}(?:/[A-Za-z0-9._~-]*)*$"


@extend_schema_field(
    {"type": "string", "format": "uri", "pattern": HTTP_URL_PATTERN, "maxLength": 2000}
)
class HttpUrlField(serializers.CharField):
    """A web address; only http:// and https:// are accepted."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2000)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        try:
            return services.validate_http_url(value)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message, code="invalid_url") from None


class StrictInput(serializers.Serializer):
    """An input that refuses fields it does not read (a misspelt field is an error, not a silent
    no-op); the schema says so with additionalProperties: false."""

    IGNORED = frozenset({"csrfmiddlewaretoken"})  # a form post's CSRF token

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields) - self.IGNORED)
            if unknown:
                shown = ", ".join(repr(name)[:60] for name in unknown[:5])
                raise serializers.ValidationError(
                    {
                        "non_field_errors": [
                            f"Unknown field(s): {shown}. This call reads: "
                            f"{', '.join(self.fields) or 'no fields'}."
                        ]
                    }
                )
        return super().to_internal_value(data)


class VersionedInput(StrictInput):
    """Every write may carry the version it was based on; a stale one is refused with a 409.

    `expected_version` is accepted as another name for `version`; an `If-Match` header works too.
    """

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The claim version this write is based on (stale: 409 Conflict).",
    )
    expected_version = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Another name for `version`."
    )

    def validate(self, attrs):
        if "version" in attrs and "expected_version" in attrs:
            raise serializers.ValidationError(
                {"expected_version": ["Give the version once: `version` or `expected_version`."]}
            )
        return attrs


class DismissInput(VersionedInput):
    reason = serializers.ChoiceField(choices=Claim.DismissReason.choices)
    duplicate_of = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )


class PersonInput(VersionedInput):
    assignee = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="The fact-checker's user id."
    )
    assignee_username = serializers.CharField(
        required=False, max_length=150, help_text="Or the fact-checker's username."
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        default="",
        help_text="Why this person; required (non-blank) with `assign_anyway`.",
    )
    assign_anyway = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Override the assignment policy (capacity, availability, language, an earlier "
        "decline; never authorship) with a `reason`. Without it a refusal is a 400 that names "
        "the rules. The override and what it overrode are recorded in the claim's events.",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if ("assignee" in attrs) == ("assignee_username" in attrs):
            raise serializers.ValidationError(
                {
                    "assignee": [
                        "Name the fact-checker: give `assignee` (id) or `assignee_username`."
                    ]
                }
            )
        return attrs


class AssignInput(PersonInput):
    due_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: from the claim's priority."
    )


class ReasonInput(VersionedInput):
    reason = serializers.CharField(max_length=2000, help_text="Why; the editors read it.")


class DraftInput(VersionedInput):
    rating = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1, help_text="Rating id."
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    rationale = serializers.CharField(
        required=False, allow_blank=True, max_length=100_000, default=""
    )


class NoteInput(VersionedInput):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ReturnInput(VersionedInput):
    note = serializers.CharField(
        max_length=5000, help_text="What the fact-checker should change (required)."
    )


class CorrectionTextInput(DraftInput):
    note = serializers.CharField(
        max_length=5000, help_text="The dated correction note readers will see (required)."
    )


class PriorityInput(VersionedInput):
    priority = serializers.ChoiceField(choices=Claim.Priority.choices)


class TopicsInput(VersionedInput):
    topics = serializers.ListField(
        child=serializers.SlugField(max_length=50), max_length=50, help_text="Topic slugs."
    )


class ArticleCreateInput(StrictInput):
    """Exactly one of `text`, `html` or `url`."""

    text = serializers.CharField(
        required=False, max_length=settings.ARTICLE_MAX_CHARS, help_text="The article's text."
    )
    html = serializers.CharField(
        required=False,
        max_length=settings.ARTICLE_MAX_BYTES,
        help_text="An HTML page; its main text and metadata are extracted.",
    )
    url = HttpUrlField(
        required=False,
        help_text="Fetch the article from this address; with `text` or `html`, its address.",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    author = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    language = serializers.RegexField(
        r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})?$", required=False, max_length=12, default="en"
    )

    def validate(self, attrs):
        bodies = [name for name in ("text", "html") if attrs.get(name)]
        if len(bodies) > 1:
            raise serializers.ValidationError(
                {"html": ["Send the article once: either `text` or `html`, not both."]}
            )
        if not bodies and not attrs.get("url"):
            raise serializers.ValidationError(
                {"text": ["Send the article's `text`, its `html`, or a `url` to fetch it from."]}
            )
        return attrs


class EvidenceInput(StrictInput):
    url = HttpUrlField()
    title = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    stance = serializers.ChoiceField(choices=Evidence.Stance.choices, default="context")
    excerpt = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")


class CorrectionInput(CorrectionTextInput):
    """A correction of a published fact-check: its verdict text, and the only way its sources
    change (issue #11)."""

    add_evidence = serializers.ListField(
        child=EvidenceInput(),
        required=False,
        max_length=50,
        help_text="Sources this correction adds; they show, dated, once it is approved.",
    )
    withdraw_evidence = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=50,
        help_text="Ids of sources this correction withdraws from the fact-check.",
    )


class ExportInput(StrictInput):
    format = serializers.ChoiceField(choices=Export.Format.choices)
    filters = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="The claims list's filters (state, rating, topic, ...), e.g. "
        '{"state": ["published"], "topic": ["economy"]}.',
    )

    def validate_filters(self, value: dict) -> dict:
        known = set(ClaimFilter.base_filters)
        unknown = sorted(set(value) - known)
        if unknown:
            raise serializers.ValidationError(
                f"Unknown filter(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
            )
        from .filtering import check_filter_json

        data = {}
        for key, item in value.items():
            items = item if isinstance(item, list) else [item]
            for one in items:
                check_filter_json(ClaimFilter, key, one)
            data[key] = [str(v).lower() if isinstance(v, bool) else str(v) for v in items]
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for key, items in data.items():
            query.setlist(key, items)
        form = ClaimFilter(data=query, queryset=Claim.objects.none()).form
        if not form.is_valid():
            raise serializers.ValidationError(
                [f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items()]
            )
        return value


class TextOnlyField(serializers.CharField):
    """A string, as the schema says: a number or a boolean is refused, not turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError("Send this as text (a JSON string).", code="invalid")
        return super().to_internal_value(data)


class LoginInput(StrictInput):
    username = TextOnlyField(max_length=150)
    password = TextOnlyField(max_length=4096, style={"input_type": "password"})


class TokenCreateInput(StrictInput):
    """Signed in (session or token): no fields. Otherwise your username and password."""

    username = TextOnlyField(required=False, max_length=150)
    password = TextOnlyField(required=False, max_length=4096, style={"input_type": "password"})
