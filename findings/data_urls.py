"""The open data files (findings.datapackage) under /data/: the same in every language, so at one
address each, outside the language prefixes (portal.urls). The page about them, /data/, is a
page like the others (findings.urls)."""
from django.urls import path

from .datapackage import NAME
from .views import data

app_name = "data"

urlpatterns = [
    path("datapackage.json", data.descriptor, name="package"),
    path("<slug:name>.csv", data.table, name="table"),
    path(f"{NAME}.zip", data.archive, name="zip"),
]
