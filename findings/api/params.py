"""The query parameters of each list and of search, derived from the kinds' facets
(findings.kinds): what the pages accept, with every bound written into the schema, so that a
request the schema allows is one the pages would read the same way."""
from typing import Annotated, Literal

from django.http import QueryDict
from ninja import Field, Schema
from pydantic import StringConstraints, create_model

from ..facets import SEARCH_FACETS
from ..forms import MAX_QUERY_LENGTH, PER_PAGE_RANGE, SEARCH_SORTS, SORTS
from ..kinds import BY_NAME, KINDS
from ..query_state import MAX_VALUES, VALUE_PATTERN

FacetValue = Annotated[str, StringConstraints(pattern=VALUE_PATTERN)]
# NUL never reaches a view (findings.middleware answers 400), so the schema leaves it out too.
NO_NUL = r"^[^\x00]*$"


class Paging(Schema):
    q: str | None = Field(
        None, max_length=MAX_QUERY_LENGTH, pattern=NO_NUL,
        description='words to search for: all required, "quoted phrases", OR, -excluded',
    )
    limit: int | None = Field(
        None, ge=1, le=PER_PAGE_RANGE[1], description="how many results (default: the site's page size, 20)"
    )
    offset: int = Field(0, ge=0, description="how many results to skip: 0 up to `count`")

    def to_query(self, exclude=("limit", "offset")) -> QueryDict:
        """The parameters as the pages read them (the facet values repeated, as in their URLs)."""
        query = QueryDict(mutable=True)
        for name, value in self.model_dump(exclude=set(exclude)).items():
            if value in (None, [], ""):
                continue
            query.setlist(name, value if isinstance(value, list) else [str(value)])
        return query


def _facet_field(facet, values_type=FacetValue):
    rule = "all of them" if facet.requires_all else "any of them"
    description = f"{facet.label} (slug; repeat for several: {rule})"
    return (list[values_type], Field([], max_length=MAX_VALUES, description=description))


def _sort_field(sorts):
    names = tuple(sorts)
    return (Literal[names] | None, Field(None, description="the order: " + ", ".join(names)))


def _match_field():
    return (
        Literal["all", "any"] | None,
        Field(None, description="`any`: results with any of the chosen tags rather than all"),
    )


def _list_params(kind):
    fields = {facet.name: _facet_field(facet) for facet in kind.facets}
    if any(facet.requires_all for facet in kind.facets):
        fields["match"] = _match_field()
    fields["sort"] = _sort_field(SORTS)
    return create_model(f"{kind.name.title()}ListParams", __base__=Paging, **fields)


def _search_params():
    fields = {}
    for facet in SEARCH_FACETS:
        values_type = Literal[tuple(BY_NAME)] if facet.name == "kind" else FacetValue
        fields[facet.name] = _facet_field(facet, values_type)
    fields["match"] = _match_field()
    fields["sort"] = _sort_field(SEARCH_SORTS)
    return create_model("SearchParams", __base__=Paging, **fields)


LIST_PARAMS = {kind.name: _list_params(kind) for kind in KINDS}
SEARCH_PARAMS = _search_params()
