"""WHAT is checked: articles, claims, evidence, verdicts, ratings and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

http_url_validator = URLValidator(
    schemes=["http", "https"], message="Enter a web address that starts with http:// or https://."
)


class Topic(models.Model):
    """A desk topic; claims are tagged by keyword at extraction and editable afterwards."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    keywords = models.TextField(
        blank=True, help_text="Comma-separated words or phrases that tag a claim with this topic."
    )
    # Topics are tagged by meaning (claims/extraction/topics.py): the description and examples
    # are embedded and compared with each sentence; keywords are hints.
    # db_default: rows written by older migrations' code (and tests replaying it) stay valid.
    description = models.TextField(
        blank=True,
        db_default="",
        help_text="What this desk covers, in a sentence or two (matched by meaning).",
    )
    examples = models.TextField(
        blank=True,
        db_default="",
        help_text="Example sentences that belong to this topic, one per line.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def example_list(self) -> list[str]:
        return [e.strip() for e in self.examples.splitlines() if e.strip()]


class Article(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        FETCHING = "fetching", "Fetching"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        TEXT = "text", "Pasted text"
        HTML = "html", "HTML file"
        URL = "url", "Web address"

    url = models.URLField(
        max_length=2000, null=True, blank=True, unique=True, validators=[http_url_validator]
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.TEXT)
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=12, default="en")
    body = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_detail = models.TextField(blank=True, help_text="Why ingestion failed, in words.")
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submitted_articles",
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_hash"],
                condition=~Q(content_hash=""),
                name="article_unique_content_hash",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="article_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return self.title or (self.url or f"Article {self.pk}")


class Claim(models.Model):
    class State(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        OPEN = "open", "Open"
        ASSIGNED = "assigned", "Assigned"
        IN_REVIEW = "in_review", "In review"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        PUBLISHED = "published", "Published"
        DISMISSED = "dismissed", "Dismissed"

    # The states in which a fact-checker holds the claim (the one definition of "working").
    WORKING_STATES = frozenset({State.ASSIGNED, State.IN_REVIEW})

    class Priority(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

    class DismissReason(models.TextChoices):
        NOT_CHECK_WORTHY = "not_check_worthy", "Not check-worthy"
        OPINION = "opinion", "Opinion"
        DUPLICATE = "duplicate", "Duplicate"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    context = models.TextField(blank=True)
    position = models.PositiveIntegerField(help_text="Sentence index in the article.")
    start_offset = models.PositiveIntegerField()
    end_offset = models.PositiveIntegerField()
    claimant = models.CharField(max_length=200, blank=True)
    claimant_method = models.CharField(max_length=40, blank=True)
    # schema.org type of the claimant ("Person" or "Organization"), decided at extraction.
    claimant_type = models.CharField(max_length=20, blank=True, db_default="")
    # Why extraction filed the claim as it did ("score 0.91 ≥ 0.60 opens a claim"): the band is
    # open, candidate, low (below the candidate threshold: kept, collapsed) or no_model.
    triage_band = models.CharField(max_length=12, blank=True, db_index=True, db_default="")
    triage_reason = models.CharField(max_length=200, blank=True, db_default="")
    score = models.FloatField(
        default=0.0, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)]
    )
    model_version = models.CharField(max_length=80, blank=True)
    language = models.CharField(max_length=12, default="en")
    topics = models.ManyToManyField(Topic, blank=True, related_name="claims")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    state = models.CharField(
        max_length=12, choices=State.choices, default=State.CANDIDATE, db_index=True
    )
    dismiss_reason = models.CharField(max_length=20, choices=DismissReason.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    repeat_count = models.PositiveIntegerField(
        default=0, help_text="How many earlier claims say exactly the same."
    )
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["article_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="claim_unique_position"),
            models.CheckConstraint(
                condition=Q(score__gte=0.0) & Q(score__lte=1.0), name="claim_score_in_unit_range"
            ),
            models.CheckConstraint(
                condition=Q(start_offset__lte=F("end_offset")), name="claim_offsets_ordered"
            ),
            models.CheckConstraint(
                condition=Q(state="dismissed") | Q(dismiss_reason=""),
                name="claim_dismiss_reason_only_when_dismissed",
            ),
            models.CheckConstraint(
                condition=Q(assignee__isnull=True)
                | Q(state__in=["assigned", "in_review", "submitted", "approved", "published"]),
                name="claim_assignee_only_when_assigned",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"], name="claim_state_due"),
            # A fact-checker's queue (claims.selectors.queue_for): their claims in the queue's
            # states by deadline, read in order instead of filtered out of every deadline.
            models.Index(
                fields=["assignee", "due_at", "id"],
                condition=Q(state__in=["assigned", "in_review", "submitted"]),
                name="claim_queue_by_assignee",
            ),
            # The submitted claims' ids, read without their rows: the overview finds the
            # verdicts waiting longest among them (claims.selectors.overview.waiting_verdicts).
            models.Index(fields=["id"], condition=Q(state="submitted"), name="claim_submitted"),
        ]
        permissions = [
            ("triage_claim", "Can promote, dismiss and prioritise claims"),
            ("assign_claim", "Can assign, reassign and unassign claims"),
            ("approve_verdict", "Can approve or return verdicts"),
            ("publish_claim", "Can publish and correct fact-checks"),
            ("ingest_article", "Can ingest articles"),
            ("export_verdicts", "Can export verdict reports"),
            ("work_claim", "Can work on assigned claims"),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    @property
    def is_overdue(self) -> bool:
        return bool(
            self.due_at and self.due_at < timezone.now() and self.state in self.WORKING_STATES
        )


class ClaimStateCount(models.Model):
    """Rows whose sum is how many claims are in `state`, appended by the database's triggers
    on every change of claims and folded one row a state every minute (claims/state_counts.py).
    Written by the database alone: nothing in Python inserts or edits them."""

    state = models.CharField(max_length=12)
    n = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.state}: {self.n:+d}"


class ClaimMatch(models.Model):
    """A claim that says the same as an earlier claim or an imported past fact-check."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="matches")
    matched_claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="matched_by"
    )
    past_fact_check = models.ForeignKey(
        "PastFactCheck", null=True, blank=True, on_delete=models.CASCADE, related_name="matches"
    )
    similarity = models.FloatField()
    exact = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-similarity"]
        constraints = [
            models.CheckConstraint(
                condition=Q(matched_claim__isnull=False) | Q(past_fact_check__isnull=False),
                name="claimmatch_has_target",
            ),
            models.UniqueConstraint(
                fields=["claim", "matched_claim"], name="claimmatch_unique_claim"
            ),
            models.UniqueConstraint(
                fields=["claim", "past_fact_check"], name="claimmatch_unique_past"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.claim_id} ~ {self.matched_claim_id or self.past_fact_check_id}"


class RatingQuerySet(models.QuerySet):
    def ordinal_bounds(self, scale: str = "default") -> tuple[int | None, int | None]:
        """(worst, best) ordinal values of a scale, derived from the data, never hard-coded."""
        agg = self.filter(scale=scale, value__isnull=False).aggregate(
            worst=models.Min("value"), best=models.Max("value")
        )
        return agg["worst"], agg["best"]


class Rating(models.Model):
    """One step of a configurable rating scale. `value` is ordinal (higher = truer) or null."""

    scale = models.CharField(max_length=40, default="default")
    slug = models.SlugField(max_length=50)
    label = models.CharField(max_length=80)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "slug"], name="rating_unique_slug"),
            models.UniqueConstraint(fields=["scale", "value"], name="rating_unique_value"),
        ]

    def __str__(self) -> str:
        return self.label


# A source that no longer backs what it was cited for: its page gone or failing (the link
# statuses "gone" and "error") or changed since it was cited. Few sources are; the partial
# index `evidence_broken` holds just those, so the overview's failing sources (rows and
# total) read them instead of every source.
BROKEN_SOURCE = Q(link_status__in=["gone", "error"]) | Q(changed_since_cited=True)


class Evidence(models.Model):
    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        CONTEXT = "context", "Context"

    class LinkStatus(models.TextChoices):
        UNCHECKED = "unchecked", "Not checked yet"
        OK = "ok", "OK"
        MOVED = "moved", "Moved"
        GONE = "gone", "Gone"
        BLOCKED = "blocked", "Blocked"
        TIMED_OUT = "timed_out", "Timed out"
        ERROR = "error", "Error"

    class QuoteStatus(models.TextChoices):
        NONE = "", "No quote"
        PENDING = "pending", "Not checked yet"
        FOUND = "found", "Quote found"
        NOT_FOUND = "not_found", "Quote not found"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000, validators=[http_url_validator])
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    stance = models.CharField(max_length=10, choices=Stance.choices, default=Stance.CONTEXT)
    excerpt = models.TextField(blank=True, help_text="A quoted excerpt from the source.")
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    link_status = models.CharField(
        max_length=12, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED
    )
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    page_title = models.CharField(max_length=500, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    archive_url = models.URLField(max_length=2000, blank=True)
    quote_status = models.CharField(max_length=12, choices=QuoteStatus.choices, blank=True)
    changed_since_cited = models.BooleanField(default=False)
    link_detail = models.TextField(blank=True, help_text="The last link check's outcome, in words.")
    quote_checked_at = models.DateTimeField(
        null=True, blank=True, help_text="When the page the quote was checked against was fetched."
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_detail = models.CharField(
        max_length=500, blank=True, help_text="Why the last attempt to archive the page failed."
    )
    # A source of a published fact-check changes only through a correction (claims/corrections.py):
    # `correction` is the correction that adds it (empty: it was there before publication) and
    # `withdrawn_by` the one that withdraws it. Either counts once that correction is approved.
    correction = models.ForeignKey(
        "Verdict",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="added_sources",
        help_text="The correction that adds this source to a published fact-check.",
    )
    withdrawn_by = models.ForeignKey(
        "Verdict",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="withdrawn_sources",
        help_text="The correction that withdraws this source from a published fact-check.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "evidence"
        indexes = [
            models.Index(fields=["checked_at"], name="evidence_checked_at"),
            models.Index(
                fields=["-checked_at", "id"], condition=BROKEN_SOURCE, name="evidence_broken"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class EvidenceSnapshot(models.Model):
    """The text of an evidence page as fetched, with content hashes, so changes can be shown."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="snapshots")
    fetched_at = models.DateTimeField(default=timezone.now)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    title = models.CharField(max_length=500, blank=True)
    raw_sha256 = models.CharField(max_length=64, blank=True)
    text_sha256 = models.CharField(max_length=64, blank=True)
    text = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=12, blank=True)
    truncated = models.BooleanField(
        default=False, help_text="The text was cut at the snapshot size limit."
    )

    class Meta:
        ordering = ["-fetched_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.evidence_id} @ {self.fetched_at:%Y-%m-%d %H:%M}"


class VerdictQuerySet(models.QuerySet):
    def current(self) -> VerdictQuerySet:
        """The current verdict of each claim (the one definition; at most one per claim)."""
        return self.filter(is_current=True)


class Verdict(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        RETURNED = "returned", "Returned"
        SUPERSEDED = "superseded", "Superseded"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="verdicts"
    )
    summary = models.CharField(max_length=300, blank=True, help_text="One line, for readers.")
    rationale = models.TextField(blank=True, help_text="The reasoning, with the evidence.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="verdicts"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    is_current = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decided_verdicts",
    )
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who submitted it: always its author (a database constraint).",
    )
    correction_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    correction_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VerdictQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Four eyes: whoever decides a verdict is never its author.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("author")),
                name="verdict_not_decided_by_author",
            ),
            # The verdict belongs to its author: nobody else submits it.
            models.CheckConstraint(
                condition=Q(submitted_by__isnull=True) | Q(submitted_by=F("author")),
                name="verdict_submitted_by_author",
            ),
            models.UniqueConstraint(
                fields=["claim"], condition=Q(is_current=True), name="verdict_one_current_per_claim"
            ),
        ]
        indexes = [
            # Each claim's current verdict's submission time without the verdict's row: the
            # order of the verdicts waiting for an editor (claims.selectors.overview).
            models.Index(
                fields=["claim", "submitted_at"],
                condition=Q(is_current=True),
                name="verdict_current_submitted_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating or 'Unrated'}: {self.summary[:60]}"


class ApprovalVote(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        RETURN = "return", "Return"

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="votes")
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="approval_votes"
    )
    # Copied from the verdict so that the four-eyes rule can be a database constraint.
    verdict_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "editor"], name="vote_one_per_editor"),
            models.CheckConstraint(
                condition=~Q(editor=F("verdict_author")), name="vote_not_by_verdict_author"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.editor_id} {self.decision} {self.verdict_id}"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit trail is append-only: events cannot be changed.")

    def delete(self):
        raise TypeError("The audit trail is append-only: events cannot be deleted.")


class ClaimEvent(models.Model):
    """Append-only audit trail: who did what to a claim, from which state to which, and when."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the scheduler acted.",
    )
    transition = models.CharField(max_length=40)
    from_state = models.CharField(max_length=12, blank=True)
    to_state = models.CharField(max_length=12, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.from_state} -> {self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit trail is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit trail is append-only: events cannot be deleted.")


class PastFactCheck(models.Model):
    """A verdict published elsewhere (imported ClaimReview), for "checked before" matches."""

    claim_reviewed = models.TextField()
    claimant = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    url = models.URLField(max_length=2000, validators=[http_url_validator])
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating_text = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=12, blank=True)
    date_published = models.DateTimeField(null=True, blank=True)
    claim_date = models.DateTimeField(null=True, blank=True)
    appearance_url = models.URLField(max_length=2000, blank=True)
    embedding = models.BinaryField(null=True, blank=True, editable=False)
    source = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date_published", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["url", "claim_reviewed"], name="pastfactcheck_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.claim_reviewed[:60]}"


class Export(models.Model):
    """A report built in the background, downloadable when done."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        JSONL = "jsonl", "JSON Lines"
        CLAIMREVIEW = "claimreview", "ClaimReview JSON-LD"
        PDF = "pdf", "PDF"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="exports"
    )
    format = models.CharField(max_length=12, choices=Format.choices)
    filters = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    row_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_format_display()} export {self.pk}"
