"""WHO checks it: reviewer profiles, assignments and notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from claims.models import Claim, Topic

# The one limit on a reviewer's capacity (open assignments at once): the database constraint,
# the profile form, the service and the API all read it from here.
CAPACITY_MAX = 1000


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="reviewers")
    languages = models.CharField(
        max_length=100, default="en", help_text="Comma-separated language codes, e.g. en,fr."
    )
    capacity = models.PositiveSmallIntegerField(
        default=5,
        validators=[MaxValueValidator(CAPACITY_MAX)],
        help_text=f"Open assignments this person can hold at once (0 to {CAPACITY_MAX}).",
    )
    available = models.BooleanField(default=True)
    away_until = models.DateField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    # The reviewer's load: their active assignments, kept by database triggers on
    # reviewers_assignment (migration 0007), so every path that changes an assignment (the
    # workflow, bulk SQL, the admin) keeps it, in the same transaction, under this row's lock.
    # Never written by Django: save() leaves it out.
    load = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["user__username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__lte=CAPACITY_MAX), name="reviewer_capacity_sane"
            ),
        ]

    def __str__(self) -> str:
        return self.user.get_username()

    def save(self, *args, **kwargs):
        # The triggers own `load`: a profile saved from a stale copy must not write it back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "load"
            ]
        elif kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = [f for f in kwargs["update_fields"] if f != "load"]
        super().save(*args, **kwargs)

    @property
    def language_list(self) -> list[str]:
        return [code.strip().lower() for code in self.languages.split(",") if code.strip()]

    def is_available(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.available and (self.away_until is None or self.away_until < today)


class Assignment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        EXPIRED = "expired", "Expired"
        ENDED = "ended", "Unassigned"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the scheduler assigned it.",
    )
    reason = models.CharField(max_length=300, blank=True)
    assigned_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"],
                condition=Q(state="active"),
                name="assignment_one_active_per_claim",
            ),
        ]
        indexes = [
            models.Index(fields=["reviewer", "state"], name="assignment_reviewer_state"),
            # A reviewer's load (open assignments), counted under their lock by every assignment.
            models.Index(
                fields=["reviewer"],
                condition=Q(state="active"),
                name="assignment_active_by_reviewer",
            ),
            models.Index(fields=["state", "due_at"], name="assignment_state_due"),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} -> {self.reviewer_id} ({self.state})"


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set just before the email goes out (at most once); empty: not emailed (yet).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            # One deadline reminder per assignment, whatever runs twice.
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(kind="reminder"),
                name="notification_one_reminder_per_assignment",
            ),
        ]

    def __str__(self) -> str:
        return self.message
