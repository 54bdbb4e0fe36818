"""The portal's own settings, with the bench URLconf (bench/urls.py) as root.

Every server the load scripts start runs with DJANGO_SETTINGS_MODULE=bench.settings, the portal's
pages and the bare view alike, so that they share one configuration: same middleware (page cache
included), same database settings, same static files.

One deliberate difference, on PostgreSQL with DB_POOL=1 only (gunicorn.conf.py sets it):
portal/settings.py puts `check` into OPTIONS["pool"], and Django 5.2 (django/db/backends/
postgresql/base.py) passes `check=` to psycopg's ConnectionPool itself, so the pool cannot be
made ("got multiple values for keyword argument 'check'") and every request that needs the
database fails (500, /healthz included). Here the pool is configured as the portal means it,
the way this Django accepts: `check` left to Django, which passes ConnectionPool.check_connection
when CONN_HEALTH_CHECKS is on. BENCH_POOL_WORKAROUND=0 runs the portal's settings as they are.
"""
import inspect

from portal.settings import *  # noqa: F403
from portal.settings import DATABASES, env_bool

ROOT_URLCONF = "bench.urls"


def django_passes_pool_check():
    """Whether this Django gives ConnectionPool a `check` argument of its own."""
    from django.db.backends.postgresql import base

    return "check=ConnectionPool.check_connection" in inspect.getsource(base)


_pool = DATABASES["default"].get("OPTIONS", {}).get("pool")
BENCH_POOL_WORKAROUND = bool(
    isinstance(_pool, dict) and "check" in _pool and django_passes_pool_check()
    and env_bool("BENCH_POOL_WORKAROUND", True)
)
if BENCH_POOL_WORKAROUND:
    DATABASES["default"]["OPTIONS"]["pool"] = {key: value for key, value in _pool.items() if key != "check"}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # Django then passes check=check_connection
