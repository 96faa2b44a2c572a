"""How many claims are in each state, kept by the database (migration claims 0008), so that a
page's "Claims (103,800)" and the header's "verdicts waiting" cost a sum over a few rows
instead of a count over the claims table.

Every statement that inserts, deletes or changes claims (the workflow, bulk SQL, the admin, a
migration) appends, by trigger and in its own transaction, one row per state it changed:
the state and by how much (`ClaimStateCount`). Appending takes no lock that another
transaction waits for: two workers filing or assigning claims at once never queue behind a
counter row, and a rolled-back change takes its rows with it. A state's count is the sum of
its rows; `compact` (the job `claims.compact_state_counts`, every minute) folds them into one
row a state, deleting exactly the rows it sums, so a row appended meanwhile is kept.

SQLite rebuilds a table, dropping its triggers, on some ALTERs; so after every `migrate`
(`ensure_triggers`, connected to post_migrate) the triggers are checked by name and, where one
is missing, all are created again and every state recounted. `flush` on SQLite empties the
tables one DELETE each, in no set order: where the counts go first, the claims' DELETE appends
a -1 a claim to the emptied counts. So after every `migrate` and `flush` (both send
post_migrate) the counts are also checked against the claims (`reconcile`) and recounted where
they differ.
"""

from __future__ import annotations

from django.db import connection, transaction

from factcheck.db import missing_triggers

TRIGGERS = (
    "claims_claim_state_count_insert",
    "claims_claim_state_count_delete",
    "claims_claim_state_count_update",
    "claims_claim_state_count_truncate",
)

# One statement-level trigger an event: a statement changing 100,000 claims appends one row
# a state it touched, not two a claim.
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION claims_claim_state_count() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO claims_claimstatecount (state, n)
      SELECT state, count(*) FROM new_rows GROUP BY state;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO claims_claimstatecount (state, n)
      SELECT state, -count(*) FROM old_rows GROUP BY state;
  ELSE
    INSERT INTO claims_claimstatecount (state, n)
      SELECT state, sum(d) FROM (
        SELECT state, 1 AS d FROM new_rows UNION ALL SELECT state, -1 FROM old_rows
      ) AS changed GROUP BY state HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION claims_claim_state_count_truncate() RETURNS trigger AS $$
BEGIN
  DELETE FROM claims_claimstatecount;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER claims_claim_state_count_insert AFTER INSERT ON claims_claim
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_state_count();
CREATE TRIGGER claims_claim_state_count_delete AFTER DELETE ON claims_claim
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_state_count();
CREATE TRIGGER claims_claim_state_count_update AFTER UPDATE ON claims_claim
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_state_count();
CREATE TRIGGER claims_claim_state_count_truncate AFTER TRUNCATE ON claims_claim
  FOR EACH STATEMENT EXECUTE FUNCTION claims_claim_state_count_truncate();
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS claims_claim_state_count_insert ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_state_count_delete ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_state_count_update ON claims_claim;
DROP TRIGGER IF EXISTS claims_claim_state_count_truncate ON claims_claim;
DROP FUNCTION IF EXISTS claims_claim_state_count();
DROP FUNCTION IF EXISTS claims_claim_state_count_truncate();
"""

# SQLite has no statement-level triggers: a row a claim changed (one writer at a time, so no
# waiting either way); `compact` folds them.
SQLITE_UP = [
    """CREATE TRIGGER claims_claim_state_count_insert AFTER INSERT ON claims_claim
    FOR EACH ROW BEGIN INSERT INTO claims_claimstatecount (state, n) VALUES (NEW.state, 1); END""",
    """CREATE TRIGGER claims_claim_state_count_delete AFTER DELETE ON claims_claim
    FOR EACH ROW BEGIN INSERT INTO claims_claimstatecount (state, n) VALUES (OLD.state, -1); END""",
    """CREATE TRIGGER claims_claim_state_count_update AFTER UPDATE OF state ON claims_claim
    FOR EACH ROW WHEN OLD.state IS NOT NEW.state
    BEGIN
      INSERT INTO claims_claimstatecount (state, n) VALUES (OLD.state, -1), (NEW.state, 1);
    END""",
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGERS]
SQLITE_TRIGGERS = TRIGGERS[:3]  # no TRUNCATE in SQLite

RECOUNT = (
    "DELETE FROM claims_claimstatecount",
    "INSERT INTO claims_claimstatecount (state, n) "
    "SELECT state, COUNT(*) FROM claims_claim GROUP BY state",
)


def create_triggers(execute, vendor: str) -> None:
    """Create the triggers (PostgreSQL or SQLite) and count every state again."""
    if vendor == "postgresql":
        execute(POSTGRES_UP)
    elif vendor == "sqlite":
        for sql in SQLITE_UP:
            execute(sql)
    for sql in RECOUNT:
        execute(sql)


def drop_triggers(execute, vendor: str) -> None:
    if vendor == "postgresql":
        execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        for sql in SQLITE_DOWN:
            execute(sql)


def expected_triggers(vendor: str) -> tuple[str, ...]:
    return {"postgresql": TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(vendor, ())


def ensure_triggers(db=connection) -> list[str]:
    """Create the triggers again where any is missing (and recount, with the claims table
    locked against writes meanwhile); returns those that were missing."""
    missing = missing_triggers(db, expected_triggers(db.vendor))
    if missing:
        with transaction.atomic(using=db.alias), db.cursor() as cursor:
            if db.vendor == "postgresql":
                cursor.execute("LOCK TABLE claims_claim IN SHARE MODE")
            drop_triggers(cursor.execute, db.vendor)
            create_triggers(cursor.execute, db.vendor)
    return missing


def reconcile(db=connection) -> bool:
    """Count every state again if the kept counts differ from the claims (with the claims
    table locked against writes meanwhile); returns whether they differed."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute("LOCK TABLE claims_claim IN SHARE MODE")
        cursor.execute("SELECT state, COUNT(*) FROM claims_claim GROUP BY state")
        claims = {state: int(n) for state, n in cursor.fetchall()}
        if counts(db) == claims:
            return False
        for sql in RECOUNT:
            cursor.execute(sql)
        return True


def count_sql(states: tuple[str, ...] | list[str] | None = None) -> tuple[str, list]:
    """SQL of one number, the claims in `states` (all claims when None), and its parameters."""
    sql = "SELECT CAST(COALESCE(SUM(n), 0) AS bigint) FROM claims_claimstatecount"
    if states is None:
        return sql, []
    return f"{sql} WHERE state IN ({', '.join(['%s'] * len(states))})", list(states)


def count(states: tuple[str, ...] | list[str] | None = None, db=connection) -> int:
    """How many claims are in `states` (all claims when None)."""
    sql, params = count_sql(states)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])


def counts(db=connection) -> dict[str, int]:
    """{state: how many claims are in it}, for every state that has any."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT state, SUM(n) FROM claims_claimstatecount GROUP BY state HAVING SUM(n) <> 0"
        )
        return {state: int(n) for state, n in cursor.fetchall()}


def compact(db=connection) -> int:
    """Fold each state's rows into one; returns how many rows there were before."""
    with transaction.atomic(using=db.alias), db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Deletes exactly the rows it sums: a row appended by a transaction that commits
            # meanwhile is not seen, so not deleted, and is summed next time.
            cursor.execute(
                "WITH gone AS (DELETE FROM claims_claimstatecount RETURNING state, n), "
                "folded AS ("
                "INSERT INTO claims_claimstatecount (state, n) SELECT state, SUM(n) FROM gone "
                "GROUP BY state HAVING SUM(n) <> 0) "
                "SELECT COUNT(*) FROM gone"
            )
            return int(cursor.fetchone()[0])
        # SQLite: one writer at a time; the transaction holds the database meanwhile.
        cursor.execute("SELECT MAX(id), COUNT(*) FROM claims_claimstatecount")
        last, rows = cursor.fetchone()
        if not rows:
            return 0
        cursor.execute(
            "INSERT INTO claims_claimstatecount (state, n) SELECT state, SUM(n) "
            "FROM claims_claimstatecount WHERE id <= %s GROUP BY state HAVING SUM(n) <> 0",
            [last],
        )
        cursor.execute("DELETE FROM claims_claimstatecount WHERE id <= %s", [last])
        return int(rows)
