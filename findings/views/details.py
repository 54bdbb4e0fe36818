"""One item's page: breadcrumbs, "Cite this" (also as BibTeX and RIS), related items and
previous/next within its parent. Drafts are shown only to curators, as previews."""
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.generic import DetailView

from .. import formats, structured_data
from ..citations import citation_text
from ..exports import item_record
from ..redirects import moved_or_404
from . import Crumb, crumbs

# How many items sharing tags a detail page lists.
RELATED_COUNT = 5


class ContentDetailView(DetailView):
    kind = None  # set by the URLconf, one view per kind

    def get_queryset(self):
        return self.kind.model.objects.visible_to(self.request.user).for_detail()

    def get_template_names(self):
        return [f"findings/{self.kind.name}_detail.html"]

    @method_decorator(formats.offers(*formats.DETAIL_FORMATS))
    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A slug that changed: its old URL moves permanently to the new one.
            return moved_or_404(self.get_queryset(), kwargs["slug"])

    def render_to_response(self, context, **response_kwargs):
        fmt = self.request.format
        if fmt is formats.JSON:
            return JsonResponse(item_record(self.object, self.request), json_dumps_params={"ensure_ascii": False})
        filename = f"{self.kind.name}-{self.object.slug}"
        if fmt.is_download:
            return formats.download(fmt, [self.object], self.request, filename, total=lambda: 1)
        if fmt is formats.PDF:
            return formats.render_page(self.request, self.get_template_names()[0], context, filename)
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, kind = self.object, self.kind
        published = kind.model.objects.published()
        context["breadcrumbs"] = crumbs(
            Crumb(kind.plural, kind.list_url), Crumb(item.short_label, is_content=item.short_label_is_content)
        )
        # Anonymous visitors only ever get published items, so this asks nothing of them.
        context["preview"] = self.request.user.is_authenticated and not published.filter(pk=item.pk).exists()
        context["citation"] = citation_text(item, self.request, timezone.localdate())
        context["structured_data"] = structured_data.script(structured_data.item_data(item, self.request))
        context["previous_item"], context["next_item"] = kind.model.objects.published_siblings(item).neighbours(item)
        context["related_items"] = published.related_by_tags(item, RELATED_COUNT)
        context["format_links"] = [(fmt, f"?format={fmt.name}") for fmt in formats.DETAIL_FORMATS]
        context.update(kind.detail_extras(item))
        return context
