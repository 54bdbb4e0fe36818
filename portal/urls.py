"""Root URLconf: the admin, the API, the findings app, and what crawlers read (robots.txt, the sitemap).

The public pages come in every language of settings.LANGUAGES: English at the addresses people
cite (`/findings/`), the others under their language's prefix (`/fr/findings/`). What machines
read has one address each, in English: the admin, the API, the open data downloads
(findings.data_urls), /healthz, robots.txt and the sitemap (which lists every language's address).
"""
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.sitemaps.views import sitemap
from django.core.validators import MaxLengthValidator
from django.urls import include, path
from django.views.generic import TemplateView

from findings import health
from findings.api import api
from findings.sitemaps import SITEMAPS


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in form, with the username's length checked like any other field.

    Django's form only sets the HTML maxlength, so a longer username reaches django-axes, whose
    record of the failed sign-in cannot hold it (PostgreSQL raises DataError: a 500).
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


admin.site.login_form = SignInForm

# A lost database is a 503 with Retry-After, not a 500 (findings.health).
handler500 = "findings.health.server_error_or_unavailable"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("api/v1/", api.urls),
    path("data/", include("findings.data_urls")),
    *i18n_patterns(path("", include("findings.urls")), prefix_default_language=False),
]

# Under /api/, these answer in JSON (findings.api.errors); elsewhere, Django's pages.
handler400 = "findings.api.errors.bad_request"
handler404 = "findings.api.errors.page_not_found"
