"""The API's operations: a list and a detail for each public kind, search, tags and the
report. Lists are read by findings.listing and written by findings.exports, as the pages'
`?format=json` is; everything goes through `published()`."""
from typing import Literal

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from ninja import Path, Query, Router
from ninja.errors import HttpError

from ..citations import bibtex_entry, citation_text, ris_record
from ..exports import item_record, results_record, source_record, tag_record
from ..forms import PER_PAGE_RANGE
from ..kinds import KINDS
from ..listing import kind_listing, search_listing
from ..models import Chapter, Report, ReportFact
from ..redirects import moved_item
from ..tags import published_tags
from ..views.details import RELATED_COUNT
from . import schemas
from .params import LIST_PARAMS, SEARCH_PARAMS, Paging

router = Router()

ERRORS = {400: schemas.Error, 404: schemas.Error, 422: schemas.ValidationFailure}
# What a URL can name an item by: the characters of Django's slugs.
ITEM_SLUG = r"^[-a-zA-Z0-9_]{1,100}$"


def _reject_unknown(request, known=()):
    """400 for a parameter the operation does not read: a misspelt filter (`tags=`) would
    otherwise return the unfiltered list as if it were the filtered one."""
    unknown = sorted(set(request.GET) - set(known))
    if unknown:
        reads = f"this operation reads {', '.join(known)}" if known else "this operation reads none"
        raise HttpError(400, f"Unknown parameter {', '.join(unknown)}: {reads}.")


def _slice(request, listing, params: Paging, url_name, **url_kwargs):
    """The slice of `listing` that `params` ask for, with the URLs of the slices around it."""
    limit = params.limit or min(settings.PORTAL_PAGE_SIZE, PER_PAGE_RANGE[1])
    offset, count = params.offset, listing.count()
    if offset > count:
        raise Http404(f"offset {offset} is past the end: there are {count} results.")

    def url(start):
        query = params.to_query()
        query["limit"], query["offset"] = str(limit), str(start)
        return request.build_absolute_uri(f"{reverse(f'api:{url_name}', kwargs=url_kwargs)}?{query.urlencode()}")

    following = url(offset + limit) if offset + limit < count else None
    preceding = url(max(offset - limit, 0)) if offset > 0 else None
    items = listing.items(offset, offset + limit)
    return results_record(request, items, count, following, preceding, listing.facet_views(count))


def item_link(item, request):
    kind = item.kind
    return {
        "id": f"{kind.name}:{item.slug}",
        "kind": kind.name,
        "title": str(item),
        "url": request.build_absolute_uri(item.get_absolute_url()),
        "api_url": request.build_absolute_uri(reverse(f"api:{kind.name}-detail", kwargs={"slug": item.slug})),
    }


def citation(item, request):
    return {
        "text": citation_text(item, request, timezone.localdate()),
        "bibtex": bibtex_entry(item, request),
        "ris": ris_record(item, request),
    }


def _detail(request, kind, item):
    published = kind.model.objects.published()
    previous, following = kind.model.objects.published_siblings(item).neighbours(item)
    extras = kind.detail_extras(item)
    groups = [
        (name, name.startswith("related_"), extras[name] if name in extras else getattr(item, name).all())
        for name in kind.related
    ]
    groups.append(("related_by_tags", True, published.related_by_tags(item, RELATED_COUNT)))
    return {
        **item_record(item, request),
        "citation": citation(item, request),
        "previous": item_link(previous, request) if previous else None,
        "next": item_link(following, request) if following else None,
        "related": [
            {"relation": name, "editorial": editorial, "items": [item_link(other, request) for other in items]}
            for name, editorial, items in groups
        ],
    }


def _add_kind(kind):
    params_class = LIST_PARAMS[kind.name]

    @router.get(
        f"/{kind.path}", response={200: schemas.ResultList, **ERRORS}, url_name=f"{kind.name}-list",
        operation_id=f"list_{kind.path}", summary=f"{kind.list_title}, filtered",
        description=f"The published {kind.nouns}, as /{kind.path}/ lists them, with its filters and facets.",
        tags=[str(kind.plural)],
    )
    def list_items(request, params: Query[params_class]):
        _reject_unknown(request, params_class.model_fields)
        listing = kind_listing(kind, params.to_query())
        return _slice(request, listing, params, f"{kind.name}-list")

    @router.get(
        f"/{kind.path}/{{slug}}", response={200: schemas.ItemDetail, 301: None, **ERRORS},
        url_name=f"{kind.name}-detail", operation_id=f"get_{kind.name}", summary=f"One {kind.noun}",
        description=(
            f"A published {kind.noun} by its slug: its record, citation and the items it leads to. "
            "A slug it once had answers 301 to its current address."
        ),
        tags=[str(kind.plural)],
    )
    def get_item(request, slug: str = Path(..., pattern=ITEM_SLUG, description=f"the {kind.noun}'s slug")):
        _reject_unknown(request)
        queryset = kind.model.objects.published().for_detail()
        item = queryset.filter(slug=slug).first()
        if item is None:
            moved = moved_item(queryset, slug)
            return redirect(reverse(f"api:{kind.name}-detail", kwargs={"slug": moved.slug}), permanent=True)
        return _detail(request, kind, item)


for _kind in KINDS:
    _add_kind(_kind)


@router.get(
    "/search", response={200: schemas.ResultList, **ERRORS}, url_name="search", operation_id="search",
    summary="Search every kind", tags=["Search"],
    description="Ranked search over every published item, as /search/ answers it; without words, no results.",
)
def search(request, params: Query[SEARCH_PARAMS]):
    _reject_unknown(request, SEARCH_PARAMS.model_fields)
    return _slice(request, search_listing(params.to_query()), params, "search")


@router.get(
    "/tags", response={200: schemas.TagList, **ERRORS}, url_name="tags", operation_id="list_tags",
    summary="The tags in use", tags=["Tags"],
    description="Every tag that published items carry, with how many: A to Z, or `sort=count` for the most used first.",
)
def tags(request, sort: Literal["name", "count"] = Query("name", description="`name` (A to Z) or `count`")):
    _reject_unknown(request, ["sort"])
    records = [tag_record(tag, request) for tag in published_tags(by_use=sort == "count")]
    return {"count": len(records), "results": records}


@router.get(
    "/report", response={200: schemas.ReportRecord, **ERRORS}, url_name="report", operation_id="get_report",
    summary="The report", tags=["Report"],
    description="The publication's verified facts with their sources, its chapters and its citation.",
)
def report(request):
    _reject_unknown(request)
    report = Report.objects.published().select_related("source", "identifiers_source").first()
    if report is None:
        raise Http404("No report is published.")
    facts = ReportFact.objects.published().filter(report=report).select_related("source")
    chapters = Chapter.objects.published().filter(report=report).order_by("number")
    return {
        "slug": report.slug,
        "title": report.title,
        "full_title": report.full_title,
        "year": report.year,
        "publisher": report.publisher,
        "isbn": report.isbn or None,
        "eisbn": report.eisbn or None,
        "series_url": report.url or None,
        "url": request.build_absolute_uri(report.get_absolute_url()),
        "source": source_record(report.source),
        "identifiers_source": source_record(report.identifiers_source) if report.identifiers_source else None,
        "facts": [{"label": fact.label, "value": fact.value, "source": source_record(fact.source)} for fact in facts],
        "chapters": [item_link(chapter, request) for chapter in chapters],
        "citation": citation(report, request),
    }
