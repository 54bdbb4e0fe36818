"""The map: how the report's pieces connect, as a table that is also a heat map."""
from django.utils.translation import gettext as _

from .. import formats
from ..heatmap import HEAT_LEVELS, build_map
from . import Crumb, crumbs


@formats.offers(formats.PDF)
def connections_map(request):
    context = {
        "map": build_map(),
        "heat_levels": range(1, HEAT_LEVELS + 1),
        "breadcrumbs": crumbs(Crumb(_("Map"))),
    }
    return formats.render_page(request, "findings/map.html", context, "map")
