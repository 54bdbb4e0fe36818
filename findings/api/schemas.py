"""The shapes the API answers in, for its OpenAPI schema and the docs page. The records are
built by findings.exports (the same functions `?format=json` uses); these classes only
describe them, and the API checks each answer against its class before sending it."""
from ninja import Field, Schema


class TagRef(Schema):
    slug: str
    name: str


class ParentRef(Schema):
    kind: str = Field(description="`report` for what sits directly under the report")
    title: str
    url: str = Field(description="its page")


class SourceRef(Schema):
    title: str | None = Field(description="null while the source is not public")
    url: str | None


class Record(Schema):
    """One item, as a list's results and `?format=json` describe it."""

    id: str = Field(description="`<kind>:<slug>`, e.g. `finding:ai-to-identify-corruption-in-procurement`")
    kind: str
    title: str = Field(description="what the item's page heading shows")
    text: str | None = Field(description="a finding's or suggestion's text, a contribution's summary")
    url: str = Field(description="the item's page (its permalink)")
    tags: list[TagRef] = Field(description="editorial tags, A to Z")
    parents: list[ParentRef] = Field(description="what the item sits under, nearest first")
    source: SourceRef
    authors: list[str] | None = Field(description="a contribution's named authors; null for other kinds")
    publication_date: str | None = Field(description='a contribution\'s, as stored ("October 2023")')
    external_url: str | None = Field(description="a contribution's own link")
    summary: str | None


class FacetValue(Schema):
    value: str = Field(description="what the filter parameter takes")
    label: str
    count: int = Field(description="how many results choosing this value gives")
    url: str = Field(description="the HTML page of that filter")


class ResultList(Schema):
    count: int = Field(description="how many results in all")
    next: str | None = Field(description="the next slice of results, or null")
    previous: str | None = Field(description="the previous slice of results, or null")
    results: list[Record]
    facets: dict[str, list[FacetValue]] = Field(description="every filter of this list, with its values")


class ItemLink(Schema):
    id: str
    kind: str
    title: str
    url: str = Field(description="the item's page")
    api_url: str = Field(description="the item in this API")


class RelatedGroup(Schema):
    relation: str = Field(
        description="e.g. `findings`, `related_topics`, or `related_by_tags` (the same kind, most shared tags first)"
    )
    editorial: bool = Field(description="true for links this portal's editors added, not stated by a source")
    items: list[ItemLink]


class Citation(Schema):
    text: str = Field(description="a plain-text citation, with the permalink and today's date as accessed")
    bibtex: str
    ris: str


class ItemDetail(Record):
    """One item with how to cite it and what it leads to."""

    citation: Citation
    previous: ItemLink | None = Field(description="the item before this one under the same parent")
    next: ItemLink | None = Field(description="the item after this one under the same parent")
    related: list[RelatedGroup]


class TagRecord(Schema):
    slug: str
    name: str
    count: int = Field(description="how many published items carry it")
    url: str = Field(description="the tag's page")


class TagList(Schema):
    count: int
    results: list[TagRecord]


class ReportFact(Schema):
    label: str
    value: str
    source: SourceRef


class ReportRecord(Schema):
    slug: str
    title: str
    full_title: str
    year: int
    publisher: str
    isbn: str | None
    eisbn: str | None
    series_url: str | None
    url: str = Field(description="the report's page on this portal")
    source: SourceRef
    identifiers_source: SourceRef | None = Field(description="where the ISBNs come from")
    facts: list[ReportFact]
    chapters: list[ItemLink]
    citation: Citation


class Error(Schema):
    message: str


class Problem(Schema):
    location: str = Field(description="where the value was, e.g. `query.limit`")
    message: str


class ValidationFailure(Schema):
    message: str
    errors: list[Problem]
