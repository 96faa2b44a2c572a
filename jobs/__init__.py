"""Job bookkeeping in PostgreSQL: leases, the outbox and one run per beat slot.

Generic (no domain models): claims and reviewers record their jobs here; see leases.py.
"""
