"""The admin is a window, not a door (issue #11).

Governed records (what the workflow changes and audits: articles, claims, evidence, verdicts,
votes, events, matches, snapshots, exports) are shown read-only to everyone, superusers
included: no add, change or delete here, because a save in the admin would skip the services'
checks, the version bump and the ClaimEvent. They change through the dashboard, the API,
commands and jobs, which all go through claims/workflow.py and the services. Configuration
(topics, the rating scale, imported past fact-checks) stays editable.
"""

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


class WindowAdmin(admin.ModelAdmin):
    """Read-only for everyone: the change page shows the record, nothing saves it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


class WindowInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


class ClaimInline(WindowInline):
    model = Claim
    fields = ["position", "text", "claimant", "score", "state"]
    readonly_fields = fields


@admin.register(Article)
class ArticleAdmin(WindowAdmin):
    list_display = ["__str__", "publisher", "status", "published_at", "created_at"]
    list_filter = ["status", "source", "language"]
    search_fields = ["title", "url", "publisher", "author", "body"]
    date_hierarchy = "created_at"
    inlines = [ClaimInline]


class EventInline(WindowInline):
    model = ClaimEvent
    fields = ["created_at", "actor", "transition", "from_state", "to_state", "details"]
    readonly_fields = fields
    show_change_link = False


class EvidenceInline(WindowInline):
    model = Evidence
    fields = ["url", "title", "stance", "link_status", "correction", "withdrawn_by"]
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(WindowAdmin):
    list_display = ["__str__", "claimant", "state", "score", "priority", "assignee", "due_at"]
    list_filter = ["state", "priority", "topics", "language", "article__publisher"]
    search_fields = ["text", "claimant", "article__title"]
    list_select_related = ["assignee", "article"]
    exclude = ["embedding"]
    inlines = [EvidenceInline, EventInline]


@admin.register(ClaimEvent)
class ClaimEventAdmin(WindowAdmin):
    list_display = ["created_at", "claim", "actor", "transition", "from_state", "to_state"]
    list_filter = ["transition", "to_state"]
    search_fields = ["claim__text", "actor__username"]
    list_select_related = ["claim", "actor"]


@admin.register(Evidence)
class EvidenceAdmin(WindowAdmin):
    list_display = ["__str__", "claim", "stance", "link_status", "quote_status", "created_at"]
    list_filter = ["stance", "link_status", "quote_status", "changed_since_cited"]
    search_fields = ["url", "title", "excerpt", "note"]
    list_select_related = ["claim"]


@admin.register(EvidenceSnapshot)
class EvidenceSnapshotAdmin(WindowAdmin):
    list_display = ["evidence", "fetched_at", "http_status", "outcome", "size"]
    list_filter = ["outcome"]
    search_fields = ["final_url", "title"]


class VoteInline(WindowInline):
    model = ApprovalVote
    fields = ["editor", "decision", "note", "created_at"]
    readonly_fields = fields
    show_change_link = False


@admin.register(Verdict)
class VerdictAdmin(WindowAdmin):
    list_display = ["__str__", "claim", "author", "state", "is_current", "decided_by"]
    list_filter = ["state", "rating", "is_current"]
    search_fields = ["summary", "rationale", "claim__text"]
    list_select_related = ["claim", "author", "decided_by", "rating"]
    inlines = [VoteInline]


@admin.register(ApprovalVote)
class ApprovalVoteAdmin(WindowAdmin):
    list_display = ["verdict", "editor", "decision", "created_at"]
    list_filter = ["decision"]
    search_fields = ["note", "editor__username"]


@admin.register(PastFactCheck)
class PastFactCheckAdmin(admin.ModelAdmin):
    list_display = ["__str__", "publisher", "rating_text", "date_published"]
    list_filter = ["publisher", "language"]
    search_fields = ["claim_reviewed", "claimant", "url"]
    exclude = ["embedding"]


@admin.register(ClaimMatch)
class ClaimMatchAdmin(WindowAdmin):
    list_display = ["claim", "matched_claim", "past_fact_check", "similarity", "exact"]
    list_filter = ["exact"]
    search_fields = ["claim__text"]


@admin.register(Export)
class ExportAdmin(WindowAdmin):
    list_display = ["pk", "format", "state", "requested_by", "row_count", "created_at"]
    list_filter = ["format", "state"]
    search_fields = ["requested_by__username"]
