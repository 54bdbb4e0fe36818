"""The tag index and each tag's page, over published content only."""
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from ..kinds import GROUP_SIZE, TAGGED
from ..tags import published_tag_counts
from . import crumbs


def tag_list(request):
    by_use = request.GET.get("sort") == "count"
    tags = published_tag_counts()
    if by_use:
        tags = tags.order_by("-item_count", "name")
    context = {"tags": tags, "by_use": by_use, "breadcrumbs": crumbs(("Tags", None))}
    return render(request, "findings/tag_list.html", context)


def tag_detail(request, slug):
    tag = get_object_or_404(published_tag_counts(), slug=slug)
    groups = []
    for kind in TAGGED:
        items = kind.model.objects.published().filter(tags__slug=tag.slug).for_listing()
        groups.append({"kind": kind, "count": items.count(), "items": items[:GROUP_SIZE]})
    context = {
        "tag": tag,
        "groups": groups,
        "total": tag.item_count,
        "breadcrumbs": crumbs(("Tags", reverse("findings:tag-list")), (tag.name, None)),
    }
    return render(request, "findings/tag_detail.html", context)
