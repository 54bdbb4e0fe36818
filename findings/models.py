"""The WPSR 2023 content: the report, its chapters, contributions, topics, findings and suggestions.

Links stated by a source are foreign keys named plainly (a finding's `topic`);
links that the portal's editors added are named `related_*` or carry an
explicit basis, and the pages label them "editorial".
"""
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from taggit.managers import TaggableManager

from .addresses import page_url
from .history import HistoricalTags
from .querysets import (
    ChapterQuerySet,
    ContributionQuerySet,
    CuratedQuerySet,
    FindingQuerySet,
    SearchDocumentQuerySet,
    SuggestionQuerySet,
    TopicQuerySet,
)


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")


class Curated(models.Model):
    """Editorial workflow and history, shared by every kind curators edit.

    Only `published` items, under published parents (`public_parents`), are public.
    """

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    history = HistoricalRecords(inherit=True, bases=[HistoricalTags])

    objects = CuratedQuerySet.as_manager()

    # Relations whose status also decides whether this item is public.
    public_parents: tuple[str, ...] = ()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def is_public(self):
        """Published under published parents: what `published()` decides in SQL, read from
        the loaded item (select its `public_parents` with it)."""
        for path in ("", *self.public_parents):
            item = self
            for name in filter(None, path.split("__")):
                item = getattr(item, name)
            if not item.is_published:
                return False
        return True


class Source(Curated):
    """Where content comes from: the seed presentation or a page cited in FACTS.md."""

    class Kind(models.TextChoices):
        PRESENTATION = "presentation", _("Presentation (the seed slide deck)")
        WEB_PAGE = "web-page", _("Web page")
        PRINTED = "printed", _("Printed publication")
        SYNTHETIC = "synthetic", _("Synthetic data for benchmarks and tests (not WPSR content)")

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    url = models.URLField(blank=True, max_length=500)
    note = models.TextField(blank=True, help_text=_("What this source is and what was taken from it."))

    class Meta:
        ordering = ["title"]
        permissions = [("publish_source", "Can publish and unpublish sources")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("findings:report") + f"#source-{self.slug}"


class _KindOf:
    """`item.kind`: the item's entry in `findings.kinds.KINDS` (None for kinds that are not public)."""

    def __get__(self, instance, owner):
        from .kinds import BY_MODEL

        return BY_MODEL.get(owner)


class Sourced(Curated):
    """Every content object names its source; `source_note` holds caveats about it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="+")
    source_note = models.TextField(blank=True)

    kind = _KindOf()

    class Meta(Curated.Meta):
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        item = super().from_db(db, field_names, values)
        if "slug" in field_names:
            # The slug it was read with: findings.redirects sees a change without asking the database.
            item._loaded_slug = values[field_names.index("slug")]
        return item

    # Whether `short_label` is the report's words (English whatever the page's language).
    short_label_is_content = True

    @property
    def short_label(self):
        """What a breadcrumb calls the item: its name, cut at a word to 60 characters."""
        text = str(self)
        return text if len(text) <= 60 else text[:59].rsplit(" ", 1)[0] + "…"


def _names(items):
    return " ".join(str(item) for item in items)


def _published_names(items):
    """Related items count for search only when published: a draft's words must not find anything."""
    return _names(item for item in items if item.is_published)


class Report(Sourced):
    """The publication. `source` backs the title and publisher; identifiers have their own."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    short_title = models.CharField(max_length=40)
    year = models.PositiveSmallIntegerField()
    full_title = models.CharField(max_length=300)
    publisher = models.CharField(max_length=300)
    url = models.URLField(_("series page"), blank=True, max_length=500)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    eisbn = models.CharField(_("eISBN"), max_length=20, blank=True)
    identifiers_source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["-year"]
        permissions = [("publish_report", "Can publish and unpublish reports")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("findings:report")


class ReportFact(Sourced):
    """A verified fact about the report that has no field of its own (FACTS.md)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="facts")
    order = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=120)
    value = models.TextField()

    public_parents = ("report",)

    class Meta:
        ordering = ["report", "order"]
        permissions = [("publish_reportfact", "Can publish and unpublish report facts")]
        constraints = [
            models.UniqueConstraint(fields=["report", "order"], name="reportfact_unique_order"),
        ]

    def __str__(self):
        return f"{self.label}: {self.value}"

    def get_absolute_url(self):
        return page_url("findings:report") + "#facts"


class Meeting(Sourced):
    """The expert group meeting where the seed presentation was given, and what it said."""

    slug = models.SlugField(unique=True, max_length=80)
    title = models.CharField(max_length=400)
    start_date = models.DateField()
    end_date = models.DateField()
    presentation_title = models.CharField(max_length=300)
    presenter = models.CharField(max_length=200, blank=True)
    division = models.CharField(max_length=300, blank=True)
    organisation = models.CharField(max_length=300, blank=True)
    context = models.TextField(blank=True, help_text=_("What the pandemic did to public institutions."))
    tasks_intro = models.CharField(max_length=300, blank=True)
    question = models.TextField(blank=True, help_text=_("The question the presentation put to the meeting."))
    chapter = models.ForeignKey(
        "Chapter",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chapter presented"),
        help_text=_(
            "The chapter of the report that the presentation presents (the home page shows its contributions)."
        ),
    )

    class Meta:
        ordering = ["-start_date"]
        permissions = [("publish_meeting", "Can publish and unpublish meetings")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("findings:report") + "#meeting"

    @property
    def dates(self):
        """The dates as the presentation wrote them, e.g. "7-8 September 2023"."""
        start, end = self.start_date, self.end_date
        if start == end:
            return f"{end.day} {end:%B %Y}"
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}-{end.day} {end:%B %Y}"
        return f"{start.day} {start:%B %Y} - {end.day} {end:%B %Y}"


class InstitutionalTask(Sourced):
    """One of the three things institutions had to find ways to keep doing."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="tasks")
    order = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=200)

    public_parents = ("meeting",)

    class Meta:
        ordering = ["meeting", "order"]
        permissions = [("publish_institutionaltask", "Can publish and unpublish institutional tasks")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="task_unique_order"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return page_url("findings:home") + "#tasks"


class Slide(Sourced):
    """A slide heading of the presentation, so the deck's own outline is kept."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="slides")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300, blank=True)
    lead = models.TextField(blank=True)
    # What the slide lists under its heading: links the presentation states (the evidence chain
    # of a suggestion's page names the heading). Left empty where the deck's text gives no heading.
    topics = models.ManyToManyField(
        "Topic", blank=True, related_name="slides", help_text="The topics this slide lists under its heading."
    )
    suggestions = models.ManyToManyField(
        "Suggestion", blank=True, related_name="slides", help_text="The suggestions this slide lists."
    )

    public_parents = ("meeting",)

    class Meta:
        ordering = ["meeting", "number"]
        permissions = [("publish_slide", "Can publish and unpublish slides")]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="slide_unique_number"),
        ]

    def __str__(self):
        return f"Slide {self.number}: {self.title or self.lead[:60]}"

    def get_absolute_url(self):
        return page_url("findings:report") + f"#slide-{self.number}"


class Chapter(Sourced):

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="chapters")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300, help_text=_("The chapter's question."))
    slug = models.SlugField(unique=True, max_length=80)
    contributions_complete = models.BooleanField(
        _("contribution list complete"),
        default=False,
        help_text=_(
            "Whether the sources name every contribution of this chapter; "
            "if not, its page says the list may be incomplete."
        ),
    )

    objects = ChapterQuerySet.as_manager()

    public_parents = ("report",)

    class Meta:
        ordering = ["report", "number"]
        permissions = [("publish_chapter", "Can publish and unpublish chapters")]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="chapter_unique_number"),
        ]

    def __str__(self):
        return f"Chapter {self.number}: {self.title}"

    def get_absolute_url(self):
        return page_url("findings:chapter-detail", self.slug)

    short_label_is_content = False

    @staticmethod
    def label_for(number):
        """How the interface names a chapter: "Chapter 3", translated."""
        return gettext("Chapter %(number)s") % {"number": number}

    @property
    def short_label(self):
        return self.label_for(self.number)

    @property
    def parents(self):
        """The items this one sits under, nearest first (select them with the item)."""
        return [self.report]

    def search_text(self):
        """(title, body, extra) for the search index; extra finds the item without defining it."""
        return str(self), self.source_note, self.report.title


class Dimension(Sourced):
    """One of the two dimensions of innovation that WPSR 2023 examined."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="dimensions")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=300)
    slug = models.SlugField(unique=True, max_length=80)

    public_parents = ("report",)

    class Meta:
        ordering = ["report", "order"]
        permissions = [("publish_dimension", "Can publish and unpublish dimensions")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The topics grouped under this dimension: the topic list filtered by it."""
        return page_url("findings:topic-list") + "?" + urlencode({"dimension": self.slug})


class Author(Sourced):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, max_length=80)
    affiliation = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        permissions = [("publish_author", "Can publish and unpublish authors")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return page_url("findings:report") + f"#author-{self.slug}"


class Contribution(Sourced):
    """An expert contribution to a chapter of the report."""

    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="contributions")
    order = models.PositiveSmallIntegerField(help_text=_("Position within its chapter, as listed by its source."))
    title = models.CharField(max_length=400)
    slug = models.SlugField(unique=True, max_length=100)
    authors = models.ManyToManyField(Author, blank=True, related_name="contributions")
    summary = models.TextField(blank=True)
    publication_date = models.CharField(
        max_length=40, blank=True, help_text=_('As precise as the source, e.g. "October 2023".')
    )
    url = models.URLField(blank=True, max_length=500)
    related_topics = models.ManyToManyField(
        "Topic",
        blank=True,
        related_name="related_contributions",
        verbose_name=_("related topics (editorial)"),
        help_text=_("Editorial links: the sources do not say which contribution discussed which topic."),
    )
    tags = TaggableManager(
        blank=True,
        help_text=_("Editorial tags from the curated vocabulary. Separate tags with commas; a tag may contain spaces."),
    )

    objects = ContributionQuerySet.as_manager()

    public_parents = ("chapter", "chapter__report")

    class Meta:
        ordering = ["chapter__number", "order"]
        permissions = [("publish_contribution", "Can publish and unpublish contributions")]
        indexes = [
            # The contribution list and chapter pages read contributions in report order.
            models.Index(fields=["chapter", "order"], name="contribution_chapter_order"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("findings:contribution-detail", self.slug)

    @property
    def parents(self):
        """The items this one sits under, nearest first (select them with the item)."""
        return [self.chapter]

    def search_text(self):
        authors = _published_names(self.authors.all())
        return self.title, f"{self.summary} {authors}".strip(), f"{self.chapter.title} {_names(self.tags.all())}"


class Topic(Sourced):
    """A theme the chapter 3 experts examined, e.g. "Digital technology"."""

    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="topics")
    dimension = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        related_name="topics",
        verbose_name=_("dimension (editorial)"),
        help_text=_("Editorial grouping: the presentation does not assign topics to dimensions."),
    )
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    slug = models.SlugField(unique=True, max_length=80)
    tags = TaggableManager(
        blank=True,
        help_text=_("Editorial tags from the curated vocabulary. Separate tags with commas; a tag may contain spaces."),
    )

    objects = TopicQuerySet.as_manager()

    public_parents = ("chapter", "chapter__report")

    class Meta:
        ordering = ["order"]
        permissions = [("publish_topic", "Can publish and unpublish topics")]
        indexes = [
            # The findings list reads topics in this order and each one's findings by
            # finding_topic_order, stopping at the page's end instead of sorting every finding.
            models.Index(fields=["order", "id"], name="topic_order"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return page_url("findings:topic-detail", self.slug)

    @property
    def parents(self):
        """The items this one sits under, nearest first (select them with the item)."""
        return [self.chapter]

    def search_text(self):
        dimension = self.dimension.title if self.dimension.is_published else ""
        return self.title, dimension, f"{self.chapter.title} {_names(self.tags.all())}"


class Finding(Sourced):
    """One key point the presentation lists under a topic."""

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="findings")
    order = models.PositiveSmallIntegerField(help_text=_("Position under its topic, as in the source."))
    text = models.TextField()
    slug = models.SlugField(unique=True, max_length=100)
    tags = TaggableManager(
        blank=True,
        help_text=_("Editorial tags from the curated vocabulary. Separate tags with commas; a tag may contain spaces."),
    )

    objects = FindingQuerySet.as_manager()

    public_parents = ("topic", "topic__chapter", "topic__chapter__report")

    class Meta:
        ordering = ["topic__order", "order"]
        permissions = [("publish_finding", "Can publish and unpublish findings")]
        indexes = [
            # The finding list and topic pages read findings in report order.
            models.Index(fields=["topic", "order"], name="finding_topic_order"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return page_url("findings:finding-detail", self.slug)

    @property
    def title(self):
        return self.text

    @property
    def parents(self):
        """The items this one sits under, nearest first (select them with the item)."""
        return [self.topic, self.topic.chapter]

    def search_text(self):
        return self.text, self.source_note, f"{self.topic.title} {_names(self.tags.all())}"


class Suggestion(Sourced):
    """A suggestion the experts made (the presentation's "Selected suggestions")."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="suggestions")
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    slug = models.SlugField(unique=True, max_length=100)
    related_topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="related_suggestions",
        verbose_name=_("related topics (editorial)"),
        help_text=_("Editorial links: the presentation lists suggestions apart from topics."),
    )
    tags = TaggableManager(
        blank=True,
        help_text=_("Editorial tags from the curated vocabulary. Separate tags with commas; a tag may contain spaces."),
    )

    objects = SuggestionQuerySet.as_manager()

    public_parents = ("report",)

    class Meta:
        ordering = ["order"]
        permissions = [("publish_suggestion", "Can publish and unpublish suggestions")]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return page_url("findings:suggestion-detail", self.slug)

    @property
    def title(self):
        return self.text

    @property
    def parents(self):
        """The items this one sits under, nearest first (select them with the item)."""
        return [self.report]

    def search_text(self):
        topics = _published_names(self.related_topics.all())
        return self.text, self.source_note, f"{topics} {_names(self.tags.all())}"


class SearchDocument(models.Model):
    """One row per searchable item, kept by findings.search: what full-text search reads.

    PostgreSQL ranks `search_vector` (kept by a trigger, GIN-indexed, migration 0005);
    SQLite ranks an FTS5 table kept in step with this one by triggers. Each row also keeps
    what search counts and narrows by without reading the items: whether its item is public
    (published under published parents, as `published()` decides; rewritten with the item, and
    by a parent's save for every item under it), its chapter and its tags' ids. The results a page shows are
    read through `published()` again.
    """

    kind = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    title = models.TextField()
    body = models.TextField(blank=True)
    extra = models.TextField(blank=True, help_text=_("Parent titles and tag names: weighted lowest."))
    # The item's, so that search can list the newest first (its feed does) without joining every kind.
    published_at = models.DateTimeField(null=True, blank=True)
    public = models.BooleanField(default=False)
    # The item's chapter (a chapter's own row names itself), for the search page's chapter facet.
    chapter = models.ForeignKey(Chapter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The ids of the item's tags, for the search page's tag facet (counted in SQL over the matches).
    tag_ids = models.JSONField(default=list, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SearchDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "object_id"]
        constraints = [
            # One row per item; the indexer upserts on it.
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchdocument_unique_item"),
        ]

    def __str__(self):
        return f"{self.kind}:{self.object_id}"

    def get_absolute_url(self):
        return page_url("findings:search") + "?" + urlencode({"q": self.title[:80]})


class SearchTerm(models.Model):
    """Every word that appears in the index, for "did you mean" (trigram-indexed on PostgreSQL)."""

    word = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return self.word

    def get_absolute_url(self):
        return page_url("findings:search") + "?" + urlencode({"q": self.word})


class SlugRedirect(models.Model):
    """A slug an item or a tag no longer has, and what it names now: the URLs people cited
    keep working, answering 301 to the current one (findings.redirects keeps these)."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    old_slug = models.CharField(max_length=100)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["content_type", "old_slug"]
        constraints = [
            # A detail page that finds no item looks its slug up here.
            models.UniqueConstraint(fields=["content_type", "old_slug"], name="slugredirect_unique_old_slug"),
        ]

    def __str__(self):
        return f"{self.content_type.model}:{self.old_slug} → {self.object_id}"

    def get_absolute_url(self):
        target = self.content_type.get_object_for_this_type(pk=self.object_id)
        return target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"


class Revision(models.Model):
    """A change an Editor proposed to a published item. The public keeps seeing the published
    version until a Publisher publishes this one (findings.revisions)."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a Publisher")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")
        REPLACED = "replaced", _("Replaced by a later proposal")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.BigIntegerField()
    item = GenericForeignKey("content_type", "object_id")
    # The proposed values by field name: links as primary keys, tags as names.
    data = models.JSONField(encoder=DjangoJSONEncoder)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            # An item's change form and history ask for its proposals.
            models.Index(fields=["content_type", "object_id", "state"], name="revision_item_state"),
        ]

    def __str__(self):
        return f"{self.get_state_display()}: change to {self.content_type.model} {self.object_id}"

    def get_absolute_url(self):
        return reverse(
            f"admin:findings_{self.content_type.model}_revision", kwargs={"object_id": self.object_id, "pk": self.pk}
        )
