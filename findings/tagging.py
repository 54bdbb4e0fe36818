"""Tags as curators type them: names separated by commas, a name may contain spaces.

`"Health, education", Data` is two tags: double quotes around a name keep its commas (and a
double quote inside them is written twice), as in a CSV line. The admin's tag field (through
TAGGIT_TAGS_FROM_STRING and TAGGIT_STRING_FROM_TAGS), its bulk tag actions, the import and
export and the history all read and write tags with these functions.
"""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag

from .richtext import strip_bidi_controls

# What the database holds (taggit's Tag.name); a longer name is refused before it gets there.
MAX_LENGTH = Tag._meta.get_field("name").max_length
_WHITESPACE = re.compile(r"\s+")
# One name and the comma after it: "quoted, with commas" (and anything up to the comma), or plain.
_NAME = re.compile(r'\s*(?:"((?:[^"]|"")*)"?([^,]*)|([^,]*))(?:,|$)')


def parse_tags(text) -> list[str]:
    """The tag names in `text`, in the order typed: split at commas outside double quotes,
    whitespace trimmed (and runs of it made one space), empty names and repeats (ignoring
    case) left out. A name longer than the database holds raises ValidationError."""
    names, seen = [], set()
    # Without the bidirectional controls a save would strip anyway, so "\u202eData" is "Data".
    for raw in _split(strip_bidi_controls(str(text or ""))):
        name = _WHITESPACE.sub(" ", raw).strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    too_long = [name for name in names if len(name) > MAX_LENGTH]
    if too_long:
        raise ValidationError(
            [
                ValidationError(
                    _("The tag “%(start)s…” has %(length)d characters; a tag has at most %(limit)d."),
                    code="max_length",
                    params={"start": name[:40], "length": len(name), "limit": MAX_LENGTH},
                )
                for name in too_long
            ]
        )
    return names


def tag_string(names) -> str:
    """`names` as one line that `parse_tags` reads back: joined by ", ", a name quoted only when
    it contains a comma or a double quote."""
    return ", ".join(_quoted(name) for name in names)


def sorted_names(names) -> list[str]:
    """Names in the order every list of tags shows them: alphabetical, ignoring case."""
    return sorted(names, key=str.casefold)


def tags_from_string(text) -> list[str]:
    """TAGGIT_TAGS_FROM_STRING: what the admin's tag field saves.

    Sorted, as taggit expects: its field compares the result with the sorted stored names
    to tell whether the tags changed."""
    return sorted(parse_tags(text))


def string_from_tags(tags) -> str:
    """TAGGIT_STRING_FROM_TAGS: what the admin's tag field shows for an item's tags."""
    return tag_string(sorted_names(tag.name for tag in tags))


def _quoted(name):
    if "," in name or '"' in name:
        return '"' + name.replace('"', '""') + '"'
    return name


def _split(text):
    """The raw names between commas, CSV-style: a name that starts with a double quote runs to
    the closing quote, commas included (`""` inside it is one quote)."""
    for match in _NAME.finditer(text):
        quoted, after, plain = match.groups()
        yield plain if quoted is None else quoted.replace('""', '"') + after
