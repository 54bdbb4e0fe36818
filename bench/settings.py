"""The portal's own settings, with the bench URLconf (bench/urls.py) as root.

Every server the load scripts start runs with DJANGO_SETTINGS_MODULE=bench.settings, the portal's
pages and the bare view alike, so that they share one configuration: same middleware (page cache
included), same database settings, same static files.
"""
from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
