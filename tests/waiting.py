"""Waiting for a real worker's effect in the database, without asserting wall-clock times."""

import time


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll `predicate` until it is true (True) or `timeout` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False
