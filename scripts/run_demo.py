"""`make run`: the web server, a Celery worker and Celery beat side by side; Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Exit codes of a process that was asked to stop (Ctrl-C reaches every process of the group).
STOPPED = {0, -signal.SIGINT, -signal.SIGTERM, 128 + signal.SIGINT, 128 + signal.SIGTERM}


def _stop(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    port = os.environ.get("PORT", "8000")
    env = {
        **os.environ,
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1"),
        # Absolute links (feeds, JSON-LD, CSV, emails) name the port actually served.
        "SITE_URL": os.environ.get("SITE_URL") or f"http://127.0.0.1:{port}",
        "PYTHONUNBUFFERED": "1",
    }
    commands = {
        "worker": [
            str(BIN / "celery"),
            "-A",
            "factcheck",
            "worker",
            "--loglevel=INFO",
            "--concurrency=2",
            "--without-gossip",
            "--without-mingle",
        ],
        "beat": [str(BIN / "celery"), "-A", "factcheck", "beat", "--loglevel=INFO"],
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
    }
    # Fixed argument lists, no shell.
    procs = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env)  # noqa: S603
        for name, cmd in commands.items()
    }
    print(
        f"\n  Factcheck is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)\n",
        flush=True,
    )
    code = 0
    try:
        while True:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    if proc.returncode not in STOPPED:
                        print(f"{name} exited with code {proc.returncode}; stopping the rest.")
                        code = proc.returncode
                    raise KeyboardInterrupt
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                proc.kill()
    return code


if __name__ == "__main__":
    sys.exit(main())
