"""Read-only views of the job bookkeeping, for an administrator looking at what is stuck."""

from django.contrib import admin

from .models import Job, ScheduledRun, WorkerHeartbeat


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnly):
    list_display = ["task", "key", "state", "lease_until", "holder", "attempts", "lost", "error"]
    list_filter = ["state", "task"]
    search_fields = ["key", "holder", "error"]
    ordering = ["-updated_at"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnly):
    list_display = ["job", "slot", "started_at", "holder"]
    list_filter = ["job"]
    ordering = ["-slot"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnly):
    list_display = ["worker", "seen_at"]
