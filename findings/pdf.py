"""Pages printed as PDF dossiers: the page's own template, laid out by WeasyPrint with the
print stylesheet (static/css/print.css, which browsers use when printing too).

WeasyPrint reads nothing from the network: `StaticFilesOnly` answers the page's requests
for this site's static files from disk and refuses every other address.
"""
import logging
import mimetypes
import re
from html import escape, unescape
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .citations import Reports

# WeasyPrint warns about each screen rule of portal.css it has no use for (media features,
# sticky positions) on every PDF; a file it could not load is logged as an error, and kept.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

CONTENT_TYPE = "application/pdf"
# Links in the page's HTML: made absolute, so that a printed link is an address a reader can type.
_LINK = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")')


class RefusedURL(ValueError):
    """An address outside this site's static files: WeasyPrint leaves the resource out."""


class StaticFilesOnly(URLFetcher):
    """Serves `STATIC_URL` paths on the page's own host from the static files (the collected,
    hashed ones in production, else the finders'); refuses everything else."""

    def __init__(self, page_url, **kwargs):
        super().__init__(**kwargs)
        page = urlsplit(page_url)
        self._origin = (page.scheme, page.netloc)
        self._prefix = urlsplit(urljoin(page_url, settings.STATIC_URL)).path

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self._origin or not parts.path.startswith(self._prefix):
            raise RefusedURL(f"Not one of this site's static files: {url}")
        name = unescape(parts.path[len(self._prefix):])
        path = _static_path(name)
        if path is None:
            raise RefusedURL(f"No static file {name!r}")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        with open(path, "rb") as file:
            return URLFetcherResponse(url, file.read(), {"Content-Type": content_type})


def _static_path(name):
    """The file on disk of the static file `name`, or None (also for a path out of the static folders)."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError):
        return None


def absolute_links(html, page_url):
    """`html` with every link's address made absolute against `page_url`."""

    def absolute(match):
        return match.group(1) + escape(urljoin(page_url, unescape(match.group(2)))) + match.group(3)

    return _LINK.sub(absolute, html)


def render_pdf(html, page_url):
    """The PDF of `html` (a page of this site at `page_url`), tagged for assistive technology."""
    document = HTML(string=absolute_links(html, page_url), base_url=page_url, url_fetcher=StaticFilesOnly(page_url))
    return document.write_pdf(pdf_tags=True)


def dossier(request, template, context, filename, web_url, truncated_total=None):
    """The page `template` renders from `context`, printed: a PDF download named `filename`.pdf.
    `web_url`: the page's address as a web page, which the PDF names; `truncated_total`: the
    size of a list cut at the PDF limit (sent as `X-Rows-Truncated`)."""
    page_url = request.build_absolute_uri()
    context = {
        **context,
        "printing": True,
        "printed_on": timezone.localdate(),
        "web_url": web_url,
        # One read of each report for all the citations on the page (findings.templatetags.printing).
        "citation_reports": Reports(),
    }
    html = render_to_string(template, context, request)
    response = HttpResponse(
        render_pdf(html, page_url),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": content_disposition_header(True, f"{filename}.pdf")},
    )
    if truncated_total is not None:
        response.headers["X-Rows-Truncated"] = str(truncated_total)
    return response
