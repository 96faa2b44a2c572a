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


def wait_until(predicate, timeout: float = 60.0, message: str = "condition") -> None:
    """Poll `predicate` until it is true; fail the test, naming `message`, after `timeout`."""
    if not wait_for(predicate, timeout):
        raise AssertionError(f"Timed out after {timeout:.0f}s waiting for {message}.")
