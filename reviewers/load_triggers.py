"""The database triggers that keep `ReviewerProfile.load` equal to the count of the reviewer's
active assignments (created by migration reviewers 0007).

On every path that writes an assignment (the workflow, bulk SQL, a migration) an insert or a
change of state or reviewer adjusts the counter in the same statement, which also takes the
profile's row lock, so a counter read under that lock is exact. A profile created after its
user's assignments starts from their count.

SQLite rebuilds a table, dropping its triggers, on some ALTERs; so after every `migrate`
(`ensure_load_triggers`, connected to post_migrate) the triggers are checked by name and, where
one is missing, all are created again and every counter recounted.
"""

from __future__ import annotations

from factcheck.db import missing_triggers as missing_db_triggers

TRIGGERS = (
    "reviewers_assignment_load_insert",
    "reviewers_assignment_load_delete",
    "reviewers_assignment_load_update",
    "reviewers_profile_load",
)


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
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]

BACKFILL = f"""
UPDATE reviewers_reviewerprofile SET load = (
  SELECT count(*) FROM reviewers_assignment a
  WHERE a.reviewer_id = reviewers_reviewerprofile.user_id AND a.state = {ACTIVE})
"""


def create_triggers(execute, vendor: str) -> None:
    """Create the triggers (PostgreSQL or SQLite) and recount every reviewer's load."""
    if vendor == "postgresql":
        execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for sql in SQLITE_UP:
            execute(sql)
    execute(BACKFILL)


def drop_triggers(execute, vendor: str) -> None:
    if vendor == "postgresql":
        execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            execute(sql)


def missing_triggers(connection) -> list[str]:
    """The load triggers this database lacks (none on a vendor without them)."""
    return missing_db_triggers(connection, TRIGGERS)


def ensure_load_triggers(connection) -> list[str]:
    """Create the triggers again where any is missing (and recount); returns those missing."""
    missing = missing_triggers(connection)
    if missing:
        with connection.cursor() as cursor:
            drop_triggers(cursor.execute, connection.vendor)
            create_triggers(cursor.execute, connection.vendor)
    return missing
