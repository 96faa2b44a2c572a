"""Claims: the filtered list (the dashboard's ClaimFilter), one claim, its history, and every
workflow transition as an action that calls claims/workflow.py."""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Func, IntegerField, Subquery
from django.db.models.lookups import Exact
from django.shortcuts import get_object_or_404
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.renderers import BrowsableAPIRenderer
from rest_framework.response import Response

from claims import corrections, workflow
from claims.errors import StaleVersion
from claims.filters import ClaimFilter
from claims.models import Claim, Topic, Verdict

from .. import claims_page, inputs, selectors
from ..pagination import ClaimCursorPagination
from ..permissions import CanViewClaims
from ..renderers import FastJSONRenderer
from ..serializers import ClaimEventSerializer, ClaimSerializer, claim_list_rows
from .common import int_or_404

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description='The claim version the write is based on, e.g. "3" (the ETag of the claim). '
    "A stale version is refused with 409.",
)


class TopicSlugsField(forms.MultipleChoiceField):
    """Topic slugs as given, without a query: whether each names a topic is checked by the page
    query itself (ApiClaimFilter.filter_topic), and by a query of its own only when that is not
    enough (refuse_unknown_topics)."""

    def valid_value(self, value) -> bool:
        return True

    def validate(self, value) -> None:
        super().validate(value)
        for slug in value:
            ProhibitNullCharactersValidator()(slug)


class TopicSlugsFilter(django_filters.MultipleChoiceFilter):
    field_class = TopicSlugsField


def _topic_choices() -> list[tuple[str, str]]:
    """The topics, for the browsable API's filter form only (validation never lists them)."""
    return list(Topic.objects.values_list("slug", "name"))


def unknown_topic(slugs: list[str]) -> DjangoValidationError | None:
    """The topic filter's error, worded as the dashboard's form words it, for the first slug
    that names no topic; None when every one does. One query."""
    if not slugs:
        return None
    known = set(Topic.objects.filter(slug__in=slugs).order_by().values_list("slug", flat=True))
    for slug in slugs:
        if slug not in known:
            message = forms.ModelMultipleChoiceField.default_error_messages["invalid_choice"]
            return DjangoValidationError(message, code="invalid_choice", params={"value": slug})
    return None


def refuse_unknown_topics(slugs: list[str]) -> None:
    """400 unless every slug names a topic (one query)."""
    error = unknown_topic(slugs)
    if error is not None:
        raise ValidationError({"topic": [ErrorDetail(error.message % error.params, error.code)]})


class ApiClaimFilter(ClaimFilter):
    """ClaimFilter with its multi-valued filters (topic, rating) as semi-joins (`id IN (...)`):
    the same rows without DISTINCT, so the other filters stay on the claims table and
    PostgreSQL walks the ordering's index for a page instead of collecting every match.

    Per request only the filters the query names are built and validated (a filter left out
    filters nothing, so the rows are the same): building all thirteen, with their form fields,
    was a good part of the list's Python time.

    The topic filter asks no query of its own: the page query matches only when every named
    topic exists (filter_topic), so a page with rows proves them all; an empty page, or a
    refusal of another input, checks them with refuse_unknown_topics (the view and `is_valid`),
    so an unknown topic is refused as before, with the same error."""

    # Choices of the claims table's own columns: no join, so no row repeats and no DISTINCT.
    state = django_filters.MultipleChoiceFilter(choices=Claim.State.choices, distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Claim.Priority.choices, distinct=False)
    topic = TopicSlugsFilter(
        field_name="topics__slug", method="filter_topic", label="Topic", choices=_topic_choices
    )

    builds_named_filters_only = True  # StrictFilterBackend.to_html asks for every one

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, every_filter=False):
        every = data is None or every_filter
        named = self.base_filters if every else {k for k in data if k in self.base_filters}
        base_filters = self.base_filters
        self.base_filters = {name: base_filters[name] for name in base_filters if name in named}
        try:
            super().__init__(data, queryset, request=request, prefix=prefix)
        finally:
            del self.base_filters  # the class's again

    def is_valid(self) -> bool:
        valid = super().is_valid()
        if not valid and "topic" in self.form.cleaned_data:
            # Another input is refused: say in the same answer whether a topic is unknown.
            error = unknown_topic(self.form.cleaned_data["topic"])
            if error is not None:
                self.form.add_error("topic", error)
        return valid

    def filter_topic(self, queryset, name, value):
        if not value:
            return queryset
        slugs = sorted(set(value))
        tagged = Claim.topics.through.objects.filter(topic__slug__in=slugs)
        # No row at all unless every slug names a topic (then the view checks which does not).
        count = Func("pk", function="COUNT")
        topics = Topic.objects.filter(slug__in=slugs).order_by().values(n=count)
        every_topic_exists = Exact(Subquery(topics, output_field=IntegerField()), len(slugs))
        return queryset.filter(every_topic_exists, pk__in=tagged.values("claim_id"))

    def filter_rating(self, queryset, name, value):
        if not value:
            return queryset
        rated = Verdict.objects.current().filter(rating__in=list(value))
        return queryset.filter(pk__in=rated.values("claim_id"))

    @property
    def qs(self):
        return super(ClaimFilter, self).qs  # no DISTINCT: nothing here repeats a row


# The rating and topic filters take slugs; say so in the schema (they are filtered by a method,
# which drf-spectacular cannot type by itself).
for _filters in (ClaimFilter, ApiClaimFilter):
    for _name in ("rating", "topic"):
        set_override(_filters.base_filters[_name], "field", OpenApiTypes.STR)

_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


def parse_if_match(value: str | None) -> int | None:
    if value is None or value.strip() in {"", "*"}:
        return None
    match = _ETAG.match(value)
    if not match:
        raise ValidationError(
            {"If-Match": ['Send the claim\'s version as its ETag, e.g. If-Match: "3".']}
        )
    return int(match.group(1))


def _action(input_class, summary: str, description: str = ""):
    """The schema of a workflow action: its input, the claim afterwards, and If-Match."""
    return extend_schema(
        summary=summary,
        description=description,
        request=input_class,
        responses={200: ClaimSerializer},
        parameters=[IF_MATCH],
    )


@extend_schema_view(
    list=extend_schema(
        summary="Claims, filtered like the dashboard's list",
        description="Filters as in the dashboard; `ordering` takes one of created, due, score, "
        "priority, state, id (prefix `-` for descending). Cursor pagination: follow `next`.",
    ),
    retrieve=extend_schema(summary="One claim, with its current verdict if you may see it"),
)
class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ClaimSerializer
    permission_classes = [CanViewClaims]
    filterset_class = ApiClaimFilter
    pagination_class = ClaimCursorPagination
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer]

    def get_queryset(self):
        return selectors.claims_list()

    def filter_queryset(self, queryset):
        filtered = super().filter_queryset(queryset)
        if filtered.query.distinct:
            # ClaimFilter de-duplicates multi-valued joins (topics, ratings) with DISTINCT over
            # every column, which makes PostgreSQL collect and sort every match. The same rows
            # as a semi-join (IN needs no DISTINCT) let it walk the ordering's index instead.
            ids = filtered.order_by().values("pk")
            ids.query.distinct = False
            return queryset.filter(pk__in=ids)
        return filtered

    def list(self, request, *args, **kwargs):
        """One query for the page (values() with the current verdict, keyset cursor, no COUNT)
        and plain dicts out. The common request (state, topic, ordering, page size, cursor,
        each accepted as given) runs its statement compiled once (claims_page); any other
        goes through the filters."""
        topics_named = request.query_params.getlist("topic")
        paginator = self.paginator
        plain = claims_page.plain_request(request.query_params, paginator)
        if plain is not None:
            paginator.request, paginator.page_size = request, plain.page_size
            rows = paginator.keep(claims_page.page_rows(plain), plain.cursor)
        else:
            filtered = self.filter_queryset(Claim.objects.all())
            try:
                rows = paginator.paginate_queryset(
                    filtered, request, view=self, rows_of=selectors.claims_page_rows
                )
            except ValidationError:
                refuse_unknown_topics(topics_named)  # the filters' errors first, as ever
                raise
        if not rows:
            # No row: perhaps because a topic does not exist (ApiClaimFilter.filter_topic).
            refuse_unknown_topics(topics_named)
        topics = None
        if rows and "topic_slugs" not in rows[0]:
            topics = selectors.claims_topic_slugs([r["id"] for r in rows])
        data = claim_list_rows(rows, request.user, topics)
        return self.paginator.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    # --- helpers ---------------------------------------------------------------------------

    def _claim_id(self) -> int:
        return get_object_or_404(Claim.objects.only("pk"), pk=int_or_404(self.kwargs["pk"])).pk

    def _input(self, input_class) -> tuple[int, dict, int | None]:
        claim_id = self._claim_id()
        data = input_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        body = values.pop("version", None) or values.pop("expected_version", None)
        values.pop("expected_version", None)
        header = parse_if_match(self.request.headers.get("If-Match"))
        if body is not None and header is not None and body != header:
            # Two different versions: at most one is current, so the write conflicts (409); the
            # schema cannot tie a header to a body field, so this is not a 400.
            raise StaleVersion(
                "The If-Match header and the body's version differ, so at most one of them is "
                "the claim's current version. Reload the claim and send one."
            )
        return claim_id, values, body if body is not None else header

    def _done(self, claim_id: int) -> Response:
        claim = self.get_queryset().get(pk=claim_id)
        data = ClaimSerializer(claim, context=self.get_serializer_context()).data
        return Response(data, headers={"ETag": f'"{claim.version}"'})

    def _person(self, values: dict) -> int:
        if values.get("assignee") is not None:
            return values["assignee"]
        username = values["assignee_username"]
        found = get_user_model().objects.filter(username=username).values_list("pk", flat=True)
        if not found:
            raise ValidationError({"assignee_username": [f"There is no user named {username}."]})
        return found[0]

    # --- triage ----------------------------------------------------------------------------

    @_action(inputs.VersionedInput, "Promote a candidate to an open claim (editors)")
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_promote(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    @_action(inputs.DismissInput, "Dismiss a claim as not check-worthy, opinion or duplicate")
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        claim_id, v, version = self._input(inputs.DismissInput)
        workflow.claim_dismiss(
            claim_id=claim_id,
            actor=request.user,
            reason=v["reason"],
            duplicate_of_id=v.get("duplicate_of"),
            expected_version=version,
        )
        return self._done(claim_id)

    @_action(inputs.VersionedInput, "Restore a dismissed claim to the candidates (editors)")
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_restore(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    @_action(inputs.PriorityInput, "Set the claim's priority (editors)")
    @action(detail=True, methods=["post"], url_path="set-priority")
    def set_priority(self, request, pk=None):
        claim_id, v, version = self._input(inputs.PriorityInput)
        workflow.claim_set_priority(
            claim_id=claim_id, actor=request.user, priority=v["priority"], expected_version=version
        )
        return self._done(claim_id)

    @_action(inputs.TopicsInput, "Set the claim's topics, by slug (editors)")
    @action(detail=True, methods=["post"], url_path="set-topics")
    def set_topics(self, request, pk=None):
        claim_id, v, version = self._input(inputs.TopicsInput)
        slugs = set(v["topics"])
        topics = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = sorted(slugs - set(topics))
        if unknown:
            raise ValidationError({"topics": [f"No such topic: {', '.join(unknown)}."]})
        workflow.claim_set_topics(
            claim_id=claim_id,
            actor=request.user,
            topic_ids=list(topics.values()),
            expected_version=version,
        )
        return self._done(claim_id)

    # --- assignment ------------------------------------------------------------------------

    @_action(
        inputs.AssignInput,
        "Assign an open claim to a fact-checker (editors)",
        "The assignment policy applies (capacity, availability, language, an earlier decline, "
        "authorship); an editor may override it, but never authorship, with `assign_anyway` "
        "and a `reason`.",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        claim_id, v, version = self._input(inputs.AssignInput)
        workflow.claim_assign(
            claim_id=claim_id,
            assignee=self._person(v),
            actor=request.user,
            reason=v.get("reason", ""),
            due_at=v.get("due_at"),
            expected_version=version,
            assign_anyway=v.get("assign_anyway", False),
        )
        return self._done(claim_id)

    @_action(
        inputs.PersonInput,
        "Give the claim to another fact-checker (editors)",
        "The assignment policy applies as for `assign`; `assign_anyway` with a `reason` "
        "overrides it, never authorship.",
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        claim_id, v, version = self._input(inputs.PersonInput)
        workflow.claim_reassign(
            claim_id=claim_id,
            assignee=self._person(v),
            actor=request.user,
            reason=v.get("reason", ""),
            expected_version=version,
            assign_anyway=v.get("assign_anyway", False),
        )
        return self._done(claim_id)

    @_action(inputs.VersionedInput, "Take the claim back from its assignee (editors)")
    @action(detail=True, methods=["post"])
    def unassign(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_unassign(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    @_action(inputs.ReasonInput, "Decline a claim assigned to you, saying why (the assignee)")
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        claim_id, v, version = self._input(inputs.ReasonInput)
        workflow.claim_decline(
            claim_id=claim_id, actor=request.user, reason=v["reason"], expected_version=version
        )
        return self._done(claim_id)

    # --- the verdict -----------------------------------------------------------------------

    @_action(inputs.VersionedInput, "Start work on a claim assigned to you (the assignee)")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_start(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    @_action(
        inputs.DraftInput,
        "Save your verdict draft (the assignee)",
        "Creates or updates the draft; starts the claim if it was only assigned.",
    )
    @action(detail=True, methods=["post"], url_path="save-draft")
    def save_draft(self, request, pk=None):
        claim_id, v, version = self._input(inputs.DraftInput)
        workflow.verdict_save_draft(
            claim_id=claim_id,
            actor=request.user,
            rating_id=v.get("rating"),
            summary=v.get("summary", ""),
            rationale=v.get("rationale", ""),
            expected_version=version,
        )
        return self._done(claim_id)

    @_action(inputs.VersionedInput, "Submit your verdict to the editors (the assignee)")
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_submit(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    @_action(inputs.NoteInput, "Approve the submitted verdict (an editor who did not write it)")
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        claim_id, v, version = self._input(inputs.NoteInput)
        workflow.claim_approve(
            claim_id=claim_id, actor=request.user, note=v.get("note", ""), expected_version=version
        )
        return self._done(claim_id)

    @_action(inputs.ReturnInput, "Return the verdict to its author with a note (editors)")
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_verdict(self, request, pk=None):
        claim_id, v, version = self._input(inputs.ReturnInput)
        workflow.claim_return(
            claim_id=claim_id, actor=request.user, note=v["note"], expected_version=version
        )
        return self._done(claim_id)

    @_action(inputs.VersionedInput, "Publish an approved fact-check (editors)")
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        claim_id, _, version = self._input(inputs.VersionedInput)
        workflow.claim_publish(claim_id=claim_id, actor=request.user, expected_version=version)
        return self._done(claim_id)

    # --- corrections of published fact-checks ------------------------------------------------

    @_action(
        inputs.CorrectionInput,
        "Propose a correction of a published fact-check (editors)",
        "The corrected verdict (and any sources it adds or withdraws) waits for another "
        "editor's approval; the public page then shows the dated note and the sources added "
        "and withdrawn, and the earlier text stays in the history.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        claim_id, v, version = self._input(inputs.CorrectionInput)
        corrections.correction_propose(
            claim_id=claim_id,
            actor=request.user,
            rating_id=v.get("rating"),
            summary=v.get("summary", ""),
            rationale=v.get("rationale", ""),
            note=v["note"],
            add_evidence=[dict(item) for item in v.get("add_evidence", [])],
            withdraw_evidence=v.get("withdraw_evidence", []),
            expected_version=version,
        )
        return self._done(claim_id)

    @_action(inputs.NoteInput, "Approve the pending correction (an editor who did not write it)")
    @action(detail=True, methods=["post"], url_path="approve-correction")
    def approve_correction(self, request, pk=None):
        claim_id, v, version = self._input(inputs.NoteInput)
        corrections.correction_approve(
            claim_id=claim_id, actor=request.user, note=v.get("note", ""), expected_version=version
        )
        return self._done(claim_id)

    @_action(inputs.ReturnInput, "Return the pending correction with a note (editors)")
    @action(detail=True, methods=["post"], url_path="return-correction")
    def return_correction(self, request, pk=None):
        claim_id, v, version = self._input(inputs.ReturnInput)
        corrections.correction_return(
            claim_id=claim_id, actor=request.user, note=v["note"], expected_version=version
        )
        return self._done(claim_id)

    # --- history ---------------------------------------------------------------------------

    @extend_schema(
        summary="The claim's history (audit trail), newest first",
        request=None,
        responses={200: ClaimEventSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        claim_id = self._claim_id()
        events = selectors.claim_events(claim_id)[:500]
        return Response(ClaimEventSerializer(events, many=True).data)
