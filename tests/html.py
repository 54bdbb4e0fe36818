"""Read pages as a user sees them: visible text, links, headings."""
import re
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
