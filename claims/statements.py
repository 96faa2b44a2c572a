"""Statements compiled once with stand-in values, then run with each request's own.

Building and compiling an ORM query costs a list page more than running it. Where a page's
statement differs from one request to the next only in its values, it is compiled once with
stand-ins (values no request holds) and each request puts its values where the stand-ins
stood. Used by the API's claims list (claims/api/claims_page.py) and a fact-checker's queue
(claims.selectors.lists.queue_for), whose statement, prepared on PostgreSQL, has its own
constants written in (`inline_constants`) so that its one plan may use them.
"""

from __future__ import annotations

import re


class Slot(str):
    """Where a request's value goes in a compiled statement's parameters: the stand-in's name."""


def slots_of(params, stand_ins: dict[str, object]) -> tuple | None:
    """`params` with each stand-in's value replaced by its Slot (wherever the statement holds
    it: a value may bound two columns), the statement's own constants kept; None unless every
    stand-in is found (one the ORM changed on its way in would keep a stand-in in place of the
    request's value)."""
    slot_of = {(type(value), value): Slot(name) for name, value in stand_ins.items()}
    slots = []
    for param in params:
        try:
            slot = slot_of.get((type(param), param))
        except TypeError:  # an unhashable constant
            slot = None
        slots.append(param if slot is None else slot)
    if {slot for slot in slots if isinstance(slot, Slot)} != set(slot_of.values()):
        return None
    return tuple(slots)


def fill(slots: tuple, values: dict[str, object]) -> list:
    """The parameters of one request: its value for each slot, the constants as they were."""
    return [values[slot] if isinstance(slot, Slot) else slot for slot in slots]


_PLACEHOLDER = re.compile(r"%[%s]")
_END = object()


def inline_constants(sql: str, slots: tuple, literal) -> tuple[str, tuple]:
    """`sql` with the statement's own constants written in as SQL literals (`literal(value)`:
    the database's quoting) and only its slots left as parameters: PostgreSQL's plan of a
    prepared statement may then rely on the constants (a partial index's states, say) and
    is made once, where with them as parameters it would be planned again on every run."""
    values = iter(slots)
    kept = []

    def put(match: re.Match) -> str:
        if match.group() == "%%":
            return "%%"
        value = next(values, _END)
        if value is _END:
            raise ValueError("fewer parameters than placeholders in the statement")
        if isinstance(value, Slot):
            kept.append(value)
            return "%s"
        return literal(value).replace("%", "%%")

    written = _PLACEHOLDER.sub(put, sql)
    if next(values, _END) is not _END:
        raise ValueError("more parameters than placeholders in the statement")
    return written, tuple(kept)
