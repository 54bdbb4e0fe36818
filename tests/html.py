"""Read pages as a user sees them: visible text, links, headings."""
import re
from dataclasses import dataclass
from html.parser import HTMLParser

_SKIP = {"script", "style", "template", "head"}
# Elements that start on a new line, so their words never run into their neighbours'.
_BLOCK = {
    "address", "article", "aside", "br", "caption", "dd", "div", "dl", "dt", "footer", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "li", "main", "nav", "ol", "p", "section", "table", "td", "th", "tr", "ul",
}


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self.links, self.h1, self._skip, self._in_h1 = [], [], [], 0, False

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCK:
            self.text.append(" ")
        if tag in _SKIP:
            self._skip += 1
        if tag == "a":
            self.links.append(dict(attrs).get("href", ""))
        if tag == "h1":
            self._in_h1 = True
            self.h1.append("")

    def handle_endtag(self, tag):
        if tag in _BLOCK:
            self.text.append(" ")
        if tag in _SKIP:
            self._skip -= 1
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)
            if self._in_h1:
                self.h1[-1] += data


def parse(content) -> _PageParser:
    parser = _PageParser()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return parser


def visible_text(content) -> str:
    """The page's visible text with white space collapsed."""
    return re.sub(r"\s+", " ", "".join(parse(content).text)).strip()


def links(content) -> list[str]:
    return parse(content).links


def headings_h1(content) -> list[str]:
    return [re.sub(r"\s+", " ", h).strip() for h in parse(content).h1]


@dataclass
class Result:
    """One entry of a list or search page: its title link and everything it says."""

    title: str
    url: str
    text: str


class _ResultParser(HTMLParser):
    """Entries are `<li class="result">`; the link in `.result__title` is the item's."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.results, self._depth, self._title_next, self._in_link = [], 0, False, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "li" and (self._depth or "result" in classes):
            if not self._depth:
                self.results.append({"title": "", "url": "", "text": []})
            self._depth += 1
        if not self._depth:
            return
        if tag in _BLOCK:
            self.results[-1]["text"].append(" ")
        if "result__title" in classes:
            self._title_next = True
        if tag == "a" and self._title_next:
            self._title_next, self._in_link = False, True
            self.results[-1]["url"] = attrs.get("href", "")

    def handle_endtag(self, tag):
        if not self._depth:
            return
        if tag in _BLOCK:
            self.results[-1]["text"].append(" ")
        if tag == "a":
            self._in_link = False
        if tag == "li":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            self.results[-1]["text"].append(data)
            if self._in_link:
                self.results[-1]["title"] += data


def results(content) -> list[Result]:
    """The entries of a list or search page, in the order shown."""
    parser = _ResultParser()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return [
        Result(_collapse(entry["title"]), entry["url"], _collapse("".join(entry["text"])))
        for entry in parser.results
    ]


def result_urls(content) -> list[str]:
    return [result.url for result in results(content)]


class _HeadLinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "link":
            self.links.append(dict(attrs))


def head_links(content) -> list[dict]:
    """The attributes of every `<link>` element (feeds, canonical, style sheets)."""
    parser = _HeadLinkParser()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    return parser.links


def _collapse(text):
    return re.sub(r"\s+", " ", text).strip()


def results_count(content) -> int:
    """The number a list or search page says it found ("<strong>5</strong> findings")."""
    html = content.decode() if isinstance(content, bytes) else content
    match = re.search(r'<p class="results-count"[^>]*>\s*<strong>(\d+)</strong>', html)
    assert match, "the page states no result count"
    return int(match.group(1))


def get_page(client, url):
    """The response at `url`, which must be a 200."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response


def with_format(url, fmt):
    """`url` asking for a take-away format (`format=csv`, ...), its other parameters kept."""
    return f"{url}{'&' if '?' in url else '?'}format={fmt}"


def keep_body(response):
    """`response`, with a streamed body read once now, so that a test may read it as often as
    it needs (`response.getvalue()`), as a browser that saved the file would."""
    if response.streaming:
        body = response.getvalue()
        response.getvalue = lambda: body
    return response
