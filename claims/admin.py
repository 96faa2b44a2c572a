from django.contrib import admin

from .models import (
    ApprovalVote,
    Article,
    Claim,
    ClaimEvent,
    ClaimMatch,
    Evidence,
    EvidenceSnapshot,
    Export,
    PastFactCheck,
    Rating,
    Topic,
    Verdict,
)


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    """Topics are tagged by meaning: edit the description and examples; keywords are hints."""

    list_display = ["name", "slug", "description"]
    search_fields = ["name", "slug", "keywords", "description", "examples"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "description", "examples", "keywords"]


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["label", "scale", "value", "position", "active"]
    list_filter = ["scale", "active"]
    search_fields = ["label", "slug"]
    list_editable = ["position", "active"]


class ClaimInline(admin.TabularInline):
    model = Claim
    fields = ["position", "text", "claimant", "score", "state"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "status", "published_at", "created_at"]
    list_filter = ["status", "source", "language"]
    search_fields = ["title", "url", "publisher", "author", "body"]
    readonly_fields = ["content_hash", "created_at", "updated_at", "progress"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ["created_at", "actor", "transition", "from_state", "to_state", "details"]
    readonly_fields = fields


class EvidenceInline(admin.TabularInline):
    model = Evidence
    fields = ["url", "title", "stance", "link_status"]
    extra = 0


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claimant", "state", "score", "priority", "assignee", "due_at"]
    list_filter = ["state", "priority", "topics", "language", "article__publisher"]
    search_fields = ["text", "claimant", "article__title"]
    list_select_related = ["assignee", "article"]
    raw_id_fields = ["article", "duplicate_of", "assignee"]
    # State changes go through the workflow (with its checks and audit), not the admin form.
    readonly_fields = ["state", "assignee", "version", "embedding", "created_at", "updated_at"]
    filter_horizontal = ["topics"]
    inlines = [EvidenceInline, EventInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "claim", "actor", "transition", "from_state", "to_state"]
    list_filter = ["transition", "to_state"]
    search_fields = ["claim__text", "actor__username"]
    list_select_related = ["claim", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "stance", "link_status", "quote_status", "created_at"]
    list_filter = ["stance", "link_status", "quote_status", "changed_since_cited"]
    search_fields = ["url", "title", "excerpt", "note"]
    raw_id_fields = ["claim", "added_by"]
    # What the link checker recorded is read-only; it is rewritten at every check.
    readonly_fields = [
        "link_status",
        "link_detail",
        "http_status",
        "final_url",
        "content_type",
        "page_title",
        "checked_at",
        "quote_status",
        "quote_checked_at",
        "changed_since_cited",
        "archive_url",
        "archived_at",
        "archive_detail",
    ]


@admin.register(EvidenceSnapshot)
class EvidenceSnapshotAdmin(admin.ModelAdmin):
    list_display = ["evidence", "fetched_at", "http_status", "outcome", "size"]
    list_filter = ["outcome"]
    search_fields = ["final_url", "title"]
    raw_id_fields = ["evidence"]


class VoteInline(ReadOnlyInline):
    model = ApprovalVote
    fields = ["editor", "decision", "note", "created_at"]
    readonly_fields = fields


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ["__str__", "claim", "author", "state", "is_current", "decided_by"]
    list_filter = ["state", "rating", "is_current"]
    search_fields = ["summary", "rationale", "claim__text"]
    raw_id_fields = ["claim", "author", "decided_by", "correction_of"]
    readonly_fields = ["state", "decided_by", "decided_at", "submitted_at"]
    inlines = [VoteInline]


@admin.register(ApprovalVote)
class ApprovalVoteAdmin(admin.ModelAdmin):
    list_display = ["verdict", "editor", "decision", "created_at"]
    list_filter = ["decision"]
    search_fields = ["note", "editor__username"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PastFactCheck)
class PastFactCheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "rating_text", "date_published"]
    list_filter = ["publisher", "language"]
    search_fields = ["claim_reviewed", "claimant", "url"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(admin.ModelAdmin):
    list_display = ["claim", "matched_claim", "past_fact_check", "similarity", "exact"]
    list_filter = ["exact"]
    search_fields = ["claim__text"]
    raw_id_fields = ["claim", "matched_claim", "past_fact_check"]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ["pk", "format", "state", "requested_by", "row_count", "created_at"]
    list_filter = ["format", "state"]
    search_fields = ["requested_by__username"]
