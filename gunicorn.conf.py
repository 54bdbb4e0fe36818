"""The production server: `gunicorn -c gunicorn.conf.py` (and `make serve`, locally).

gunicorn manages the worker processes (restarts, timeouts, max_requests); each worker is an
event loop (uvicorn) in front of Django's ASGI application. A visitor on a slow connection, or
one who sends headers slowly, costs that loop a socket, not a thread: while 200 such clients are
connected, the others still get their pages (bench/slow_clients.py). Django's views run on a
thread per request, so the settings ask for no persistent connections and, on PostgreSQL, a
pool per worker (portal/settings.py: DB_POOL). In production, put a reverse proxy that
terminates TLS in front (nginx, Caddy or the platform's load balancer) and set
TRUSTED_PROXY_COUNT; it also buffers slow uploads before they reach a worker.

Every value can be changed from the environment: WEB_CONCURRENCY, BIND, GUNICORN_TIMEOUT.
"""
import os

os.environ.setdefault("CONN_MAX_AGE", "0")
os.environ.setdefault("DB_POOL", "1")
# Django logs one line per request (findings.middleware.request_log); uvicorn's own would repeat it.
os.environ.setdefault("ACCESS_LOG", "1")

wsgi_app = "portal.asgi:application"
worker_class = "uvicorn_worker.UvicornWorker"
# One worker per core: each one's event loop keeps its core busy.
workers = int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() or 2))
bind = os.environ.get("BIND", "127.0.0.1:8000")
# A request still unanswered after this long has its worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, at different times, so that memory cannot creep.
max_requests = 50000
max_requests_jitter = 5000
accesslog = None
errorlog = "-"
loglevel = "info"
