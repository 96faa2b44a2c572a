"""Articles (ingestion), evidence under a claim, verdicts and the rating scale."""

from __future__ import annotations

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from claims import services
from claims.models import Article, Claim, Rating, Verdict

from .. import inputs, selectors
from ..ingest import article_from_input
from ..pagination import StandardCursorPagination
from ..permissions import CanIngestOrReadOnly, CanViewClaims
from ..serializers import (
    ArticleDetailSerializer,
    ArticleSerializer,
    EvidenceSerializer,
    RatingSerializer,
    VerdictSerializer,
)
from ..throttles import IngestionThrottle
from .common import int_or_404


class ArticleFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Article.Status.choices)
    source = django_filters.ChoiceFilter(choices=Article.Source.choices)
    publisher = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Article
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(summary="Articles, newest first, with their ingestion status"),
    retrieve=extend_schema(summary="One article: its text and ingestion status"),
    create=extend_schema(
        summary="Ingest an article from its text, its HTML or a web address (editors)",
        description="Exactly one of `text`, `html` or `url` (with text or HTML, `url` records "
        "where it came from). The same text twice is one article: 200 with the existing one; a "
        "new one is 201 and its claims are extracted in the background (watch `status`).",
        request=inputs.ArticleCreateInput,
        responses={
            201: ArticleDetailSerializer,
            200: OpenApiResponse(ArticleDetailSerializer, "The same article was already filed."),
        },
    ),
)
class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [CanIngestOrReadOnly]
    filterset_class = ArticleFilter
    pagination_class = StandardCursorPagination

    def get_queryset(self):
        articles = selectors.articles_list()
        return articles.defer("body") if self.action == "list" else articles

    def get_serializer_class(self):
        if self.action == "create":
            return inputs.ArticleCreateInput
        return ArticleDetailSerializer if self.action == "retrieve" else ArticleSerializer

    def get_throttles(self):
        return [IngestionThrottle()] if self.action == "create" else super().get_throttles()

    def create(self, request, *args, **kwargs):
        data = inputs.ArticleCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        article, created = article_from_input(user=request.user, **data.validated_data)
        article = self.get_queryset().get(pk=article.pk)
        body = ArticleDetailSerializer(article, context=self.get_serializer_context()).data
        headers = {"Location": request.build_absolute_uri(f"{article.pk}/")}
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(body, status=code, headers=headers)


CLAIM_PK = OpenApiParameter("claim_pk", int, OpenApiParameter.PATH, description="The claim's id.")


@extend_schema(parameters=[CLAIM_PK])
@extend_schema_view(
    list=extend_schema(summary="The evidence on a claim, oldest first"),
    retrieve=extend_schema(summary="One piece of evidence, with its link check"),
    create=extend_schema(
        summary="Add evidence to a claim (its assignee or an editor)",
        description="Only http:// and https:// addresses. The link is checked in the background.",
        request=inputs.EvidenceInput,
        responses={201: EvidenceSerializer},
    ),
)
class ClaimEvidenceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EvidenceSerializer
    permission_classes = [CanViewClaims]
    pagination_class = type("EvidencePagination", (StandardCursorPagination,), {"ordering": "pk"})

    def _claim_id(self) -> int:
        pk = int_or_404(self.kwargs.get("claim_pk"))
        return get_object_or_404(Claim.objects.only("pk"), pk=pk).pk

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no claim in the URL
            return selectors.evidence_of(0)
        return selectors.evidence_of(self._claim_id())

    def create(self, request, *args, **kwargs):
        claim_id = self._claim_id()
        data = inputs.EvidenceInput(data=request.data)
        data.is_valid(raise_exception=True)
        evidence = services.evidence_add(
            claim_id=claim_id, actor=request.user, **data.validated_data
        )
        evidence = selectors.evidence_of(claim_id).get(pk=evidence.pk)
        body = EvidenceSerializer(evidence, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


class VerdictFilter(django_filters.FilterSet):
    claim = django_filters.NumberFilter(field_name="claim_id", label="Claim id")
    state = django_filters.MultipleChoiceFilter(choices=Verdict.State.choices)
    current = django_filters.BooleanFilter(field_name="is_current", label="Current only")

    class Meta:
        model = Verdict
        fields: list[str] = []


@extend_schema_view(
    list=extend_schema(
        summary="Verdicts you may see (another fact-checker's drafts are never listed)"
    ),
    retrieve=extend_schema(summary="One verdict; `version` is its claim's version"),
)
class VerdictViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Verdict.objects.none()  # the model, for the schema; see get_queryset
    serializer_class = VerdictSerializer
    permission_classes = [CanViewClaims]
    filterset_class = VerdictFilter
    pagination_class = StandardCursorPagination

    def get_queryset(self):
        return selectors.verdicts_visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="The rating scale(s)"),
    retrieve=extend_schema(summary="One rating"),
)
class RatingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = RatingSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filterset_fields = ["scale", "active"]
    queryset = Rating.objects.all()
