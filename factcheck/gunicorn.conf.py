"""Gunicorn settings for the web process: `make serve`, the Procfile's `web`, benchmarks/load.py.

    gunicorn -c factcheck/gunicorn.conf.py factcheck.wsgi

Every value can be overridden from the environment (names below) or on the command line.

- Workers: WEB_CONCURRENCY, default 2 x CPU cores + 1 (at most 16). Django answers one request at
  a time per worker and spends most of it waiting on PostgreSQL, so about two per core keep the
  cores busy; more only adds memory (each worker is ~150-250 MB) and database connections
  (one per worker: keep workers x web hosts under PostgreSQL's max_connections).
- Sync workers: one request per process, no threads, so a worker's memory and database
  connections are bounded. Put a buffering reverse proxy (nginx, a cloud load balancer) in front,
  so that slow clients never hold a worker; it terminates TLS (set DJANGO_BEHIND_TLS_PROXY=1).
- Timeouts: a request that takes longer than WEB_TIMEOUT (30 s) is killed with its worker and
  answered 502 by the proxy; nothing in the dashboard or API should take a tenth of that (large
  exports run in Celery). WEB_GRACEFUL_TIMEOUT (30 s) is what a restart waits for requests in
  flight.
- Memory: each worker is replaced after WEB_MAX_REQUESTS (1000, +/- jitter so that they do not all
  restart at once) requests, and at once, after the request it has just answered, when its
  resident memory passes WEB_WORKER_MAX_RSS_MB (512). So the web process as a whole stays under
  workers x WEB_WORKER_MAX_RSS_MB plus the master (~100 MB), whatever is pasted or polled
  (tests/integration/test_large_article.py measures it).
- Request size: headers are limited here (line 8190 bytes, 100 fields); bodies by Django
  (REQUEST_MAX_BYTES, 413 before the body is read). Set the proxy's own limit to match.
- Logs: the access log (with the time taken, in microseconds) and the error log go to standard
  output, one line per request; the process manager collects them.
"""

from __future__ import annotations

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def _default_workers() -> int:
    return min(2 * multiprocessing.cpu_count() + 1, 16)


bind = os.environ.get("GUNICORN_BIND") or (
    f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
)
workers = _int("WEB_CONCURRENCY", _default_workers())
worker_class = "sync"
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = _int("WEB_GRACEFUL_TIMEOUT", 30)
keepalive = 2
max_requests = _int("WEB_MAX_REQUESTS", 1000)
max_requests_jitter = _int("WEB_MAX_REQUESTS_JITTER", max(1, max_requests // 10))
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# The app is loaded in each worker, not in the master: a worker replaced after max_requests
# starts clean, and no library state is shared across fork.
preload_app = False
# The workers' heartbeat files on tmpfs (a container's /tmp may be a slow overlay).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Gunicorn 23+'s control socket lives at one path per user by default; several instances on a
# host (or in tests) would fight over it, and nothing here uses it.
control_socket_disable = True
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
proc_name = "factcheck-web"

accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("WEB_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'

# Trust X-Forwarded-* only from the proxy's addresses (FORWARDED_ALLOW_IPS, gunicorn's own name).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

WORKER_MAX_RSS_MB = _int("WEB_WORKER_MAX_RSS_MB", 512)


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


def post_request(worker, req, environ, resp):
    """Replace a worker that has grown past WEB_WORKER_MAX_RSS_MB, after its current request."""
    rss = _rss_mb()
    if WORKER_MAX_RSS_MB and rss > WORKER_MAX_RSS_MB:
        worker.log.warning(
            "worker %s uses %.0f MB (limit %s MB): replacing it", worker.pid, rss, WORKER_MAX_RSS_MB
        )
        worker.alive = False
