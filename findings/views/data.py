"""The whole published content as one download (findings.datapackage): a page about it, the
descriptor, each CSV, and all of it as a ZIP. Each answers with an ETag (304 on a repeat)."""
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import conditional_page, require_safe

from ..datapackage import NAME, NO_LICENCE, DataPackage
from ..kinds import KINDS
from . import Crumb, crumbs


@require_safe
def data_index(request):
    context = {
        "kinds": KINDS,
        "no_licence": NO_LICENCE,
        "zip_name": f"{NAME}.zip",
        "breadcrumbs": crumbs(Crumb(gettext("Data and API"))),
    }
    return render(request, "findings/data.html", context)


@require_safe
@conditional_page
def descriptor(request):
    return JsonResponse(DataPackage(request).descriptor(), json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
@conditional_page
def table(request, name):
    package = DataPackage(request)
    if name not in package.csv_names():
        raise Http404(f"No table is called “{name}”.")
    return HttpResponse(package.csv(name), content_type="text/csv; charset=utf-8")


@require_safe
@conditional_page
def archive(request):
    return HttpResponse(
        DataPackage(request).zip(),
        content_type="application/zip",
        headers={"Content-Disposition": content_disposition_header(True, f"{NAME}.zip")},
    )

