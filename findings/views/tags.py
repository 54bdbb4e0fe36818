"""The tag index and each tag's page, over published content only (also as JSON)."""
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext

from .. import formats
from ..exports import item_record, tag_record
from ..kinds import GROUP_SIZE, TAGGED
from ..redirects import moved_or_404
from ..tags import public_tags, published_tag_counts, published_tags
from . import Crumb, crumbs


@formats.offers(formats.JSON)
def tag_list(request):
    by_use = request.GET.get("sort") == "count"
    tags = published_tags(by_use)
    if request.format is formats.JSON:
        records = [tag_record(tag, request) for tag in tags]
        return JsonResponse({"count": len(records), "results": records}, json_dumps_params={"ensure_ascii": False})
    context = {"tags": tags, "by_use": by_use, "breadcrumbs": crumbs(Crumb(gettext("Tags")))}
    return render(request, "findings/tag_list.html", context)


@formats.offers(formats.JSON)
def tag_detail(request, slug):
    tag = next((tag for tag in public_tags() if tag.slug == slug), None)
    if tag is None:
        return moved_or_404(published_tag_counts(), slug)
    groups = []
    for kind in TAGGED:
        items = kind.model.objects.published().filter(tags__slug=tag.slug).for_listing()
        url = f"{kind.list_url}?{urlencode({'tag': tag.slug})}"
        groups.append({"kind": kind, "count": items.count(), "items": items[:GROUP_SIZE], "url": url})
    if request.format is formats.JSON:
        record = tag_record(tag, request)
        record["groups"] = {
            group["kind"].name: {
                "count": group["count"],
                "url": request.build_absolute_uri(group["url"]),
                "results": [item_record(item, request) for item in group["items"]],
            }
            for group in groups
        }
        return JsonResponse(record, json_dumps_params={"ensure_ascii": False})
    context = {
        "tag": tag,
        "groups": groups,
        "total": tag.item_count,
        "breadcrumbs": crumbs(Crumb(gettext("Tags"), reverse("findings:tag-list")), Crumb(tag.name, is_content=True)),
    }
    return render(request, "findings/tag_detail.html", context)
