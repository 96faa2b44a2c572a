from django.contrib import admin

from claims.admin import WindowAdmin

from .models import Assignment, Notification, ReviewerProfile


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "languages", "capacity", "available", "away_until", "last_assigned_at"]
    list_filter = ["available", "topics"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "languages"]
    filter_horizontal = ["topics"]
    list_select_related = ["user"]


@admin.register(Assignment)
class AssignmentAdmin(WindowAdmin):
    """Read-only for everyone: assignments follow the claim workflow (with its policy, version
    and ClaimEvent); change them from the dashboard or the API, never here."""

    list_display = ["claim", "reviewer", "state", "assigned_at", "due_at", "assigned_by"]
    list_filter = ["state"]
    search_fields = ["reviewer__username", "claim__text", "reason"]
    list_select_related = ["claim", "reviewer", "assigned_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["message", "user__username"]
