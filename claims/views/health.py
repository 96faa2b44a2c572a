"""healthz for orchestration: the database, the broker and the workers, each reported apart.

200 while the database answers (the web app works; with the broker down its jobs wait in the
outbox), with "status": "degraded" when the broker is unreachable or no worker has been seen
lately; 503 when the database does not answer (the web app cannot serve).
"""

from __future__ import annotations

from django.db import connection
from django.http import JsonResponse


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return {"ok": False, "error": str(exc).strip().splitlines()[0][:200] if str(exc) else ""}
    return {"ok": True}


def _broker() -> dict:
    from celery import current_app

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": True}


def _workers() -> dict:
    from jobs.workers import alive

    try:
        names = alive()
    except Exception:
        return {"ok": False, "alive": 0, "error": "unknown: the database is unreachable"}
    return {"ok": bool(names), "alive": len(names), "names": names[:50]}


def healthz(request):
    database = _database()
    broker = _broker()
    workers = _workers() if database["ok"] else {"ok": False, "alive": 0}
    if not database["ok"]:
        status = "unavailable"
    elif broker["ok"] and workers["ok"]:
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker, "workers": workers},
        status=503 if status == "unavailable" else 200,
    )
