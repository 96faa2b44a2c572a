"""Integrity on every path (issue #11): who submitted a verdict, sources added or withdrawn by a
correction, no raw model permissions for the groups, and database triggers that keep published
fact-checks, verdicts and votes as the services left them, whatever writes to the database.

The triggers are the last line, under the services (claims/workflow.py, claims/corrections.py,
claims/evidence/services.py), for what reaches the database around them: a script's ORM
`save()`, a raw UPDATE, a future admin or command. They exist on PostgreSQL (production) and
SQLite (the embedded default) alike, so the tests exercise them on both.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# --- Data ---------------------------------------------------------------------------------------

# Raw model permissions the groups held that only the admin used: the services check the workflow
# permissions instead, so these let staff edit governed rows around the services.
DROPPED = {
    "Fact-checkers": ["add_evidence", "add_verdict"],
    "Editors": ["add_evidence", "add_verdict", "change_claim"],
}


def drop_raw_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in DROPPED.items():
        group = Group.objects.filter(name=name).first()
        if group is None:  # a fresh database: reviewers' 0002 creates the groups from the new lists
            continue
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
        )


def restore_raw_permissions(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in DROPPED.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(
                *Permission.objects.filter(content_type__app_label="claims", codename__in=codenames)
            )


def backfill_submitted_by(apps, schema_editor):
    """Who submitted each verdict, from the audit trail; left empty where it was not the author
    (the reassignment hole of issue #11: such a verdict is on the record as it happened)."""
    Verdict = apps.get_model("claims", "Verdict")
    ClaimEvent = apps.get_model("claims", "ClaimEvent")
    authors = dict(
        Verdict.objects.filter(submitted_at__isnull=False).values_list("pk", "author_id")
    )
    for details, actor_id in ClaimEvent.objects.filter(
        transition__in=["submit", "correct"], actor__isnull=False
    ).values_list("details", "actor_id"):
        pk = (details or {}).get("verdict")
        if pk in authors and authors[pk] == actor_id:
            Verdict.objects.filter(pk=pk, submitted_by__isnull=True).update(
                submitted_by_id=actor_id
            )


# --- Triggers -----------------------------------------------------------------------------------

FROZEN_CLAIM = (
    "A published fact-check's text and claimant change only through an approved correction, "
    "which bumps the claim's version."
)
STAYS_PUBLISHED = "A published fact-check stays published: correct it instead."
VERDICT_OWNER = "A verdict's author and claim never change: the verdict belongs to its author."
VERDICT_TEXT = "A submitted verdict's text never changes: write a new draft or a correction."
VERDICT_APPROVAL = (
    "A verdict is approved only with an approving vote by an editor who did not write it."
)
VERDICT_SUBMITTER = "A verdict is submitted only by its author."
VOTE_FOUR_EYES = "Four eyes: nobody approves or returns a verdict they wrote or submitted."
SOURCE_FROZEN = (
    "The sources of a published fact-check change only through a correction: they are not "
    "edited in place."
)

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION claims_claim_frozen() RETURNS trigger AS $$
BEGIN
  IF OLD.state = 'published' THEN
    IF NEW.state <> 'published' THEN
      RAISE EXCEPTION '{STAYS_PUBLISHED}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.text, NEW.context, NEW.claimant, NEW.article_id, NEW.published_at)
         IS DISTINCT FROM (OLD.text, OLD.context, OLD.claimant, OLD.article_id, OLD.published_at)
       AND NEW.version <= OLD.version THEN
      RAISE EXCEPTION '{FROZEN_CLAIM.replace("'", "''")}'
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER claims_claim_frozen BEFORE UPDATE ON claims_claim
  FOR EACH ROW EXECUTE FUNCTION claims_claim_frozen();

CREATE OR REPLACE FUNCTION claims_verdict_guard() RETURNS trigger AS $$
BEGIN
  IF NEW.author_id <> OLD.author_id OR NEW.claim_id <> OLD.claim_id THEN
    RAISE EXCEPTION '{VERDICT_OWNER.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.state <> 'draft'
     AND (NEW.rating_id, NEW.summary, NEW.rationale, NEW.correction_of_id, NEW.correction_note)
         IS DISTINCT FROM
         (OLD.rating_id, OLD.summary, OLD.rationale, OLD.correction_of_id, OLD.correction_note) THEN
    RAISE EXCEPTION '{VERDICT_TEXT.replace("'", "''")}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.state = 'submitted' AND OLD.state <> 'submitted'
     AND NEW.submitted_by_id IS DISTINCT FROM NEW.author_id THEN
    RAISE EXCEPTION '{VERDICT_SUBMITTER}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.state = 'approved' AND OLD.state <> 'approved' AND NOT EXISTS (
       SELECT 1 FROM claims_approvalvote v
       WHERE v.verdict_id = NEW.id AND v.decision = 'approve'
         AND v.editor_id <> NEW.author_id
         AND v.editor_id IS DISTINCT FROM NEW.submitted_by_id) THEN
    RAISE EXCEPTION '{VERDICT_APPROVAL}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER claims_verdict_guard BEFORE UPDATE ON claims_verdict
  FOR EACH ROW EXECUTE FUNCTION claims_verdict_guard();

CREATE OR REPLACE FUNCTION claims_vote_four_eyes() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM claims_verdict d WHERE d.id = NEW.verdict_id
             AND (d.author_id = NEW.editor_id OR d.submitted_by_id = NEW.editor_id)) THEN
    RAISE EXCEPTION '{VOTE_FOUR_EYES}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER claims_vote_four_eyes BEFORE INSERT OR UPDATE ON claims_approvalvote
  FOR EACH ROW EXECUTE FUNCTION claims_vote_four_eyes();

CREATE OR REPLACE FUNCTION claims_source_frozen() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM claims_claim c WHERE c.id = OLD.claim_id AND c.state = 'published')
     AND (NEW.claim_id, NEW.url, NEW.title, NEW.publisher, NEW.stance, NEW.excerpt, NEW.note,
          NEW.correction_id, NEW.added_by_id, NEW.created_at)
         IS DISTINCT FROM
         (OLD.claim_id, OLD.url, OLD.title, OLD.publisher, OLD.stance, OLD.excerpt, OLD.note,
          OLD.correction_id, OLD.added_by_id, OLD.created_at) THEN
    RAISE EXCEPTION '{SOURCE_FROZEN}' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER claims_source_frozen BEFORE UPDATE ON claims_evidence
  FOR EACH ROW EXECUTE FUNCTION claims_source_frozen();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS claims_claim_frozen ON claims_claim;
DROP FUNCTION IF EXISTS claims_claim_frozen();
DROP TRIGGER IF EXISTS claims_verdict_guard ON claims_verdict;
DROP FUNCTION IF EXISTS claims_verdict_guard();
DROP TRIGGER IF EXISTS claims_vote_four_eyes ON claims_approvalvote;
DROP FUNCTION IF EXISTS claims_vote_four_eyes();
DROP TRIGGER IF EXISTS claims_source_frozen ON claims_evidence;
DROP FUNCTION IF EXISTS claims_source_frozen();
"""


def _sqlite_changed(columns: list[str]) -> str:
    return "(" + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in columns) + ")"


def _sqlite_raise(message: str) -> str:
    return "SELECT RAISE(ABORT, '" + message.replace("'", "''") + "');"


SQLITE_UP = [
    f"""CREATE TRIGGER claims_claim_stays_published BEFORE UPDATE ON claims_claim FOR EACH ROW
    WHEN OLD.state = 'published' AND NEW.state <> 'published'
    BEGIN {_sqlite_raise(STAYS_PUBLISHED)} END""",
    f"""CREATE TRIGGER claims_claim_frozen BEFORE UPDATE ON claims_claim FOR EACH ROW
    WHEN OLD.state = 'published' AND NEW.version <= OLD.version AND
      {_sqlite_changed(["text", "context", "claimant", "article_id", "published_at"])}
    BEGIN {_sqlite_raise(FROZEN_CLAIM)} END""",
    f"""CREATE TRIGGER claims_verdict_owner BEFORE UPDATE ON claims_verdict FOR EACH ROW
    WHEN {_sqlite_changed(["author_id", "claim_id"])}
    BEGIN {_sqlite_raise(VERDICT_OWNER)} END""",
    f"""CREATE TRIGGER claims_verdict_text BEFORE UPDATE ON claims_verdict FOR EACH ROW
    WHEN OLD.state <> 'draft' AND
      {_sqlite_changed(["rating_id", "summary", "rationale", "correction_of_id", "correction_note"])}
    BEGIN {_sqlite_raise(VERDICT_TEXT)} END""",
    f"""CREATE TRIGGER claims_verdict_submitter BEFORE UPDATE ON claims_verdict FOR EACH ROW
    WHEN NEW.state = 'submitted' AND OLD.state <> 'submitted'
      AND NEW.submitted_by_id IS NOT NEW.author_id
    BEGIN {_sqlite_raise(VERDICT_SUBMITTER)} END""",
    f"""CREATE TRIGGER claims_verdict_approval BEFORE UPDATE ON claims_verdict FOR EACH ROW
    WHEN NEW.state = 'approved' AND OLD.state <> 'approved' AND NOT EXISTS (
      SELECT 1 FROM claims_approvalvote v WHERE v.verdict_id = NEW.id AND v.decision = 'approve'
        AND v.editor_id <> NEW.author_id AND v.editor_id IS NOT NEW.submitted_by_id)
    BEGIN {_sqlite_raise(VERDICT_APPROVAL)} END""",
    f"""CREATE TRIGGER claims_vote_four_eyes BEFORE INSERT ON claims_approvalvote FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM claims_verdict d WHERE d.id = NEW.verdict_id
      AND (d.author_id = NEW.editor_id OR d.submitted_by_id = NEW.editor_id))
    BEGIN {_sqlite_raise(VOTE_FOUR_EYES)} END""",
    f"""CREATE TRIGGER claims_vote_four_eyes_update BEFORE UPDATE ON claims_approvalvote
    FOR EACH ROW WHEN EXISTS (SELECT 1 FROM claims_verdict d WHERE d.id = NEW.verdict_id
      AND (d.author_id = NEW.editor_id OR d.submitted_by_id = NEW.editor_id))
    BEGIN {_sqlite_raise(VOTE_FOUR_EYES)} END""",
    f"""CREATE TRIGGER claims_source_frozen BEFORE UPDATE ON claims_evidence FOR EACH ROW
    WHEN EXISTS (SELECT 1 FROM claims_claim c WHERE c.id = OLD.claim_id AND c.state = 'published')
      AND {
        _sqlite_changed(
            [
                "claim_id",
                "url",
                "title",
                "publisher",
                "stance",
                "excerpt",
                "note",
                "correction_id",
                "added_by_id",
                "created_at",
            ]
        )
    }
    BEGIN {_sqlite_raise(SOURCE_FROZEN)} END""",
]
SQLITE_TRIGGERS = [
    "claims_claim_stays_published",
    "claims_claim_frozen",
    "claims_verdict_owner",
    "claims_verdict_text",
    "claims_verdict_submitter",
    "claims_verdict_approval",
    "claims_vote_four_eyes",
    "claims_vote_four_eyes_update",
    "claims_source_frozen",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0003_evidence_link_check_details"),
        ("auth", "0012_alter_user_first_name_max_length"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="evidence",
            name="correction",
            field=models.ForeignKey(
                blank=True,
                help_text="The correction that adds this source to a published fact-check.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="added_sources",
                to="claims.verdict",
            ),
        ),
        migrations.AddField(
            model_name="evidence",
            name="withdrawn_by",
            field=models.ForeignKey(
                blank=True,
                help_text="The correction that withdraws this source from a published fact-check.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="withdrawn_sources",
                to="claims.verdict",
            ),
        ),
        migrations.AddField(
            model_name="verdict",
            name="submitted_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who submitted it: always its author (a database constraint).",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="verdict",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("submitted_by__isnull", True),
                    ("submitted_by", models.F("author")),
                    _connector="OR",
                ),
                name="verdict_submitted_by_author",
            ),
        ),
        migrations.RunPython(backfill_submitted_by, migrations.RunPython.noop),
        migrations.RunPython(drop_raw_permissions, restore_raw_permissions),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
