from django.contrib import admin

from .models import Assignment, Notification, ReviewerProfile


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "languages", "capacity", "available", "away_until", "last_assigned_at"]
    list_filter = ["available", "topics"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "languages"]
    filter_horizontal = ["topics"]
    list_select_related = ["user"]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["claim", "reviewer", "state", "assigned_at", "due_at", "assigned_by"]
    list_filter = ["state"]
    search_fields = ["reviewer__username", "claim__text", "reason"]
    raw_id_fields = ["claim", "reviewer", "assigned_by"]
    list_select_related = ["claim", "reviewer", "assigned_by"]
    # Assignments follow the claim workflow; change them from the dashboard, not here.
    readonly_fields = ["claim", "reviewer", "state", "assigned_at", "ended_at", "assigned_by"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["message", "user__username"]
