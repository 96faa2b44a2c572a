"""Statements compiled once: stand-ins become slots, and on PostgreSQL the statement's own
constants are written in so that a prepared statement's one plan may rely on them."""

import pytest
from django.db import connection

from claims import statements
from claims.models import Claim
from claims.selectors import lists
from tests.vendor import postgresql_only


def quote(value) -> str:
    """A stand-in for the database's quoting, enough to see where each value went."""
    return "'" + str(value).replace("'", "''") + "'" if isinstance(value, str) else str(value)


def test_constants_are_written_in_and_only_the_slots_stay_parameters():
    slots = statements.slots_of(("open", 7, -1, "O'Brien 5%"), {"reader": -1})
    sql, kept = statements.inline_constants(
        "SELECT 1 WHERE a = %s AND b = %s AND c = %s AND d = %s AND e LIKE 'x%%'",
        slots,
        quote,
    )
    assert sql == (
        "SELECT 1 WHERE a = 'open' AND b = 7 AND c = %s AND d = 'O''Brien 5%%' AND e LIKE 'x%%'"
    )
    assert kept == (statements.Slot("reader"),)
    assert statements.fill(kept, {"reader": 42}) == [42]


def test_a_statement_and_its_parameters_that_do_not_match_are_refused():
    with pytest.raises(ValueError, match="more parameters than placeholders"):
        statements.inline_constants("SELECT %s", ("a", "b"), quote)
    with pytest.raises(ValueError, match="fewer parameters than placeholders"):
        statements.inline_constants("SELECT %s, %s", ("a",), quote)


@postgresql_only("the queue's statement is compiled with its constants written in on PostgreSQL")
@pytest.mark.django_db
def test_the_queue_statement_holds_its_states_and_takes_only_the_reader():
    wanted = tuple(lists.QUEUE_STATES)
    sql, slots, _ = lists._queue_sql(wanted, 100, connection.alias, connection.vendor)
    assert slots == (statements.Slot("reader"),)
    states = ", ".join(f"'{state}'" for state in wanted)
    assert f'"claims_claim"."state" IN ({states})' in sql
    assert sql.count("%s") == 1
    assert Claim.State.ASSIGNED in wanted
