"""A reviewer's load as a counter on their profile, kept by triggers on reviewers_assignment.

Every assignment counts a reviewer's load under their profile's lock; counting the active
assignments each time costs a scan of them (every reviewer's, to rank them), and that count
grows with the work. The triggers keep `ReviewerProfile.load` equal to the count of the
reviewer's active assignments on every path that writes an assignment (the workflow, bulk SQL,
a migration): an insert or a change of state or reviewer adjusts it in the same statement, which
also takes the profile's row lock, so a counter read under that lock is exact. A profile created
after its user's assignments starts from their count.

SQLite rebuilds a table (dropping its triggers) on some ALTERs: a later migration that alters
reviewers_assignment or reviewers_reviewerprofile on SQLite must create these triggers again.
"""

from django.db import migrations, models

ACTIVE = "'active'"

POSTGRES_UP = f"""
CREATE OR REPLACE FUNCTION reviewers_assignment_load() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.state = {ACTIVE} THEN
    UPDATE reviewers_reviewerprofile SET load = load - 1 WHERE user_id = OLD.reviewer_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.state = {ACTIVE} THEN
    UPDATE reviewers_reviewerprofile SET load = load + 1 WHERE user_id = NEW.reviewer_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reviewers_assignment_load_insert AFTER INSERT ON reviewers_assignment
  FOR EACH ROW WHEN (NEW.state = {ACTIVE}) EXECUTE FUNCTION reviewers_assignment_load();
CREATE TRIGGER reviewers_assignment_load_delete AFTER DELETE ON reviewers_assignment
  FOR EACH ROW WHEN (OLD.state = {ACTIVE}) EXECUTE FUNCTION reviewers_assignment_load();
CREATE TRIGGER reviewers_assignment_load_update AFTER UPDATE OF state, reviewer_id
  ON reviewers_assignment FOR EACH ROW
  WHEN ((OLD.state = {ACTIVE} OR NEW.state = {ACTIVE})
        AND (OLD.state, OLD.reviewer_id) IS DISTINCT FROM (NEW.state, NEW.reviewer_id))
  EXECUTE FUNCTION reviewers_assignment_load();

CREATE OR REPLACE FUNCTION reviewers_profile_load() RETURNS trigger AS $$
BEGIN
  NEW.load := (SELECT count(*) FROM reviewers_assignment
               WHERE reviewer_id = NEW.user_id AND state = {ACTIVE});
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reviewers_profile_load BEFORE INSERT ON reviewers_reviewerprofile
  FOR EACH ROW EXECUTE FUNCTION reviewers_profile_load();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS reviewers_assignment_load_insert ON reviewers_assignment;
DROP TRIGGER IF EXISTS reviewers_assignment_load_delete ON reviewers_assignment;
DROP TRIGGER IF EXISTS reviewers_assignment_load_update ON reviewers_assignment;
DROP FUNCTION IF EXISTS reviewers_assignment_load();
DROP TRIGGER IF EXISTS reviewers_profile_load ON reviewers_reviewerprofile;
DROP FUNCTION IF EXISTS reviewers_profile_load();
"""


def _sqlite_add(sign: str, row: str) -> str:
    return (
        f"UPDATE reviewers_reviewerprofile SET load = load {sign} 1 "
        f"WHERE user_id = {row}.reviewer_id AND {row}.state = {ACTIVE};"
    )


SQLITE_UP = [
    f"""CREATE TRIGGER reviewers_assignment_load_insert AFTER INSERT ON reviewers_assignment
    FOR EACH ROW WHEN NEW.state = {ACTIVE} BEGIN {_sqlite_add("+", "NEW")} END""",
    f"""CREATE TRIGGER reviewers_assignment_load_delete AFTER DELETE ON reviewers_assignment
    FOR EACH ROW WHEN OLD.state = {ACTIVE} BEGIN {_sqlite_add("-", "OLD")} END""",
    f"""CREATE TRIGGER reviewers_assignment_load_update AFTER UPDATE OF state, reviewer_id
    ON reviewers_assignment FOR EACH ROW
    WHEN (OLD.state = {ACTIVE} OR NEW.state = {ACTIVE})
      AND (OLD.state IS NOT NEW.state OR OLD.reviewer_id IS NOT NEW.reviewer_id)
    BEGIN {_sqlite_add("-", "OLD")} {_sqlite_add("+", "NEW")} END""",
    f"""CREATE TRIGGER reviewers_profile_load AFTER INSERT ON reviewers_reviewerprofile
    FOR EACH ROW BEGIN UPDATE reviewers_reviewerprofile SET load = (
      SELECT count(*) FROM reviewers_assignment
      WHERE reviewer_id = NEW.user_id AND state = {ACTIVE}) WHERE id = NEW.id; END""",
]
SQLITE_DOWN = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "reviewers_assignment_load_insert",
        "reviewers_assignment_load_delete",
        "reviewers_assignment_load_update",
        "reviewers_profile_load",
    )
]

BACKFILL = f"""
UPDATE reviewers_reviewerprofile SET load = (
  SELECT count(*) FROM reviewers_assignment a
  WHERE a.reviewer_id = reviewers_reviewerprofile.user_id AND a.state = {ACTIVE})
"""


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)
    schema_editor.execute(BACKFILL)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0006_scheduler_indexes_assign"),
    ]

    operations = [
        migrations.AddField(
            model_name="reviewerprofile",
            name="load",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
