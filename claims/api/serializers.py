"""Representations of the API's resources. Read-only: writes go through services (inputs.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import permissions, workflow
from claims.models import Article, Claim, ClaimEvent, Evidence, Export, Rating, Verdict

from .selectors import CURRENT_VERDICT


class ErrorSerializer(serializers.Serializer):
    """The shape of every error the API returns."""

    detail = serializers.CharField(help_text="What went wrong, in a sentence a person can act on.")
    code = serializers.CharField(help_text="A stable code for scripts, e.g. stale_version.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text='Field errors: {"field": ["message", ...]}; empty when none.',
    )


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "scale", "slug", "label", "value", "description", "position", "active"]
        read_only_fields = fields


class RatingRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "slug", "label", "value"]
        read_only_fields = fields


class VerdictSerializer(serializers.ModelSerializer):
    rating = RatingRefSerializer(read_only=True, allow_null=True)
    author = UserRefSerializer(read_only=True)
    decided_by = UserRefSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="claim.version",
        read_only=True,
        help_text="The claim's version: send it back (body `version` or If-Match) with a write.",
    )

    class Meta:
        model = Verdict
        fields = [
            "id",
            "claim",
            "rating",
            "summary",
            "rationale",
            "author",
            "state",
            "is_current",
            "decided_by",
            "decision_note",
            "decided_at",
            "submitted_at",
            "correction_of",
            "correction_note",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields


class ArticleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Article
        fields = ["id", "title", "publisher", "url", "published_at"]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    article = ArticleRefSerializer(read_only=True)
    assignee = UserRefSerializer(read_only=True, allow_null=True)
    topics = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    is_overdue = serializers.BooleanField(read_only=True)
    # Declared so that the schema says it may be blank (DRF drops that for read-only fields).
    dismiss_reason = serializers.ChoiceField(
        choices=Claim.DismissReason.choices, allow_blank=True, read_only=True
    )
    current_verdict = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = [
            "id",
            "version",
            "article",
            "text",
            "context",
            "position",
            "start_offset",
            "end_offset",
            "claimant",
            "claimant_method",
            "score",
            "language",
            "topics",
            "priority",
            "due_at",
            "is_overdue",
            "state",
            "dismiss_reason",
            "assignee",
            "duplicate_of",
            "repeat_count",
            "published_at",
            "created_at",
            "updated_at",
            "current_verdict",
            "available_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_current_verdict(self, claim: Claim):
        """The current verdict if this user may see it (another person's draft: null)."""
        current = getattr(claim, "current_verdicts", None)
        if current is None:
            verdict = workflow.current_verdict(claim)
        else:
            verdict = current[0] if current else None
        user = self.context["request"].user
        if verdict is None or not permissions.can_view_verdict(user, verdict, claim):
            return None
        verdict.claim = claim  # the version comes from the claim already in hand
        return VerdictSerializer(verdict, context=self.context).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_available_actions(self, claim: Claim) -> list[str]:
        """What this user may do to the claim now (workflow transitions, by name)."""
        return workflow.available_transitions(claim, self.context["request"].user)


class ClaimEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = ClaimEvent
        fields = ["id", "actor", "transition", "from_state", "to_state", "details", "created_at"]
        read_only_fields = fields


class ArticleSerializer(serializers.ModelSerializer):
    submitted_by = UserRefSerializer(read_only=True, allow_null=True)
    claim_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "source",
            "title",
            "publisher",
            "author",
            "published_at",
            "language",
            "status",
            "status_detail",
            "progress",
            "claim_count",
            "submitted_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ArticleDetailSerializer(ArticleSerializer):
    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body"]
        read_only_fields = fields


class EvidenceSerializer(serializers.ModelSerializer):
    added_by = UserRefSerializer(read_only=True, allow_null=True)
    version = serializers.IntegerField(
        source="claim.version",
        read_only=True,
        help_text="The claim's version now (adding evidence bumps it): send it with the next "
        "write.",
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "claim",
            "url",
            "title",
            "publisher",
            "stance",
            "excerpt",
            "note",
            "added_by",
            "created_at",
            "link_status",
            "http_status",
            "final_url",
            "checked_at",
            "archive_url",
            "quote_status",
            "changed_since_cited",
            "correction",
            "withdrawn_by",
            "version",
        ]
        read_only_fields = fields


class ExportSerializer(serializers.ModelSerializer):
    requested_by = UserRefSerializer(read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Export
        fields = [
            "id",
            "format",
            "filters",
            "state",
            "progress",
            "row_count",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export: Export) -> str | None:
        """The permission-checked download view, never the storage's own URL."""
        if export.state != Export.State.DONE or not export.file:
            return None
        path = reverse("exports:download", args=[export.pk])
        return self.context["request"].build_absolute_uri(path)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token ...`.")
    created = serializers.DateTimeField(read_only=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    is_editor = serializers.BooleanField(read_only=True)
    is_fact_checker = serializers.BooleanField(read_only=True)
    has_token = serializers.BooleanField(read_only=True)


# --- The claims list, from values() rows -------------------------------------------------------
#
# A page of the list is built from the plain rows of `claims.api.selectors.claims_list_rows`
# (one query) into exactly what ClaimSerializer gives for the same claim (a test holds them
# equal), without a model instance or a serializer field per value: that per-field work was most
# of the list's cost. The schema of a list row stays ClaimSerializer's.

_DATETIMES = (
    "due_at",
    "published_at",
    "created_at",
    "updated_at",
    "article__published_at",
)
_VERDICT_DATETIMES = ("decided_at", "submitted_at", "created_at", "updated_at")


class _ClaimFacts:
    """What the workflow's permission checks read from a claim (state and assignee)."""

    __slots__ = ("state", "assignee_id")

    def __init__(self, state: str, assignee_id: int | None) -> None:
        self.state = state
        self.assignee_id = assignee_id


class _VerdictFacts:
    """What permissions.can_view_verdict reads from a current verdict."""

    __slots__ = ("state", "author_id", "is_current")

    def __init__(self, state: str, author_id: int) -> None:
        self.state = state
        self.author_id = author_id
        self.is_current = True


_V = CURRENT_VERDICT  # the prefix of a row's current verdict values
_V_ID, _V_STATE, _V_AUTHOR = _V + "id", _V + "state", _V + "author_id"
_V_RATING, _V_DECIDED_BY = _V + "rating_id", _V + "decided_by_id"
_V_DATETIMES = tuple(_V + name for name in _VERDICT_DATETIMES)


def claim_list_rows(rows: list[dict], user, topics: dict[int, list[str]] | None = None) -> list:
    """ClaimSerializer's representation of each values() row (claims.api.selectors
    claims_list_rows, with its current verdict's values) for `user`."""
    now = timezone.now()
    local = timezone.get_current_timezone()
    convert = getattr(local, "key", None) != "UTC"
    actions: dict[tuple[str, bool], list[str]] = {}
    user_pk = user.pk
    out = []
    for r in rows:
        if convert:
            for name in _DATETIMES:
                if r[name] is not None:
                    r[name] = timezone.localtime(r[name], local)
        state = r["state"]
        assignee_id = r["assignee_id"]
        mine = assignee_id is not None and assignee_id == user_pk
        key = (state, mine)
        if key not in actions:
            # Transitions depend on the state and on whether the user is the assignee only.
            facts = _ClaimFacts(state, assignee_id)
            actions[key] = workflow.available_transitions(facts, user)
        verdict = None
        if r[_V_ID] is not None and permissions.can_view_verdict(
            user, _VerdictFacts(r[_V_STATE], r[_V_AUTHOR]), _ClaimFacts(state, assignee_id)
        ):
            if convert:
                for name in _V_DATETIMES:
                    if r[name] is not None:
                        r[name] = timezone.localtime(r[name], local)
            verdict = {
                "id": r[_V_ID],
                "claim": r["id"],
                "rating": None
                if r[_V_RATING] is None
                else {
                    "id": r[_V_RATING],
                    "slug": r[_V + "rating__slug"],
                    "label": r[_V + "rating__label"],
                    "value": r[_V + "rating__value"],
                },
                "summary": r[_V + "summary"],
                "rationale": r[_V + "rationale"],
                "author": {"id": r[_V_AUTHOR], "username": r[_V + "author__username"]},
                "state": r[_V_STATE],
                "is_current": True,
                "decided_by": None
                if r[_V_DECIDED_BY] is None
                else {"id": r[_V_DECIDED_BY], "username": r[_V + "decided_by__username"]},
                "decision_note": r[_V + "decision_note"],
                "decided_at": r[_V + "decided_at"],
                "submitted_at": r[_V + "submitted_at"],
                "correction_of": r[_V + "correction_of_id"],
                "correction_note": r[_V + "correction_note"],
                "created_at": r[_V + "created_at"],
                "updated_at": r[_V + "updated_at"],
                "version": r["version"],
            }
        due_at = r["due_at"]
        out.append(
            {
                "id": r["id"],
                "version": r["version"],
                "article": {
                    "id": r["article_id"],
                    "title": r["article__title"],
                    "publisher": r["article__publisher"],
                    "url": r["article__url"],
                    "published_at": r["article__published_at"],
                },
                "text": r["text"],
                "context": r["context"],
                "position": r["position"],
                "start_offset": r["start_offset"],
                "end_offset": r["end_offset"],
                "claimant": r["claimant"],
                "claimant_method": r["claimant_method"],
                "score": r["score"],
                "language": r["language"],
                "topics": r["topic_slugs"] if topics is None else topics.get(r["id"], []),
                "priority": r["priority"],
                "due_at": due_at,
                "is_overdue": bool(due_at and due_at < now and state in Claim.WORKING_STATES),
                "state": state,
                "dismiss_reason": r["dismiss_reason"],
                "assignee": None
                if assignee_id is None
                else {"id": assignee_id, "username": r["assignee__username"]},
                "duplicate_of": r["duplicate_of_id"],
                "repeat_count": r["repeat_count"],
                "published_at": r["published_at"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
                "current_verdict": verdict,
                "available_actions": actions[key],
            }
        )
    return out
