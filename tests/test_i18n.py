"""The interface in the six languages of the United Nations, the content in English.

English answers at the addresses people cite, whatever the browser asks for; the other five
under their prefix. The catalogues are complete, compiled and in step with the code, and a
pseudo-language proves that no string of the interface escaped them.
"""
import re
import shutil
import string
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import ngettext

from findings import forms

from .html import get_page, head_links, headings_h1, visible_text

ROOT = Path(settings.BASE_DIR)
# Each catalogue's language and how many plural forms it has (gettext's rules for each).
CATALOGUES = {"ar": 6, "zh_Hans": 1, "fr": 2, "ru": 3, "es": 2}
FINDING = "/findings/ai-to-identify-corruption-in-procurement/"
FILTERED = "/findings/?tag=digital-technology&chapter=chapter-3"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _catalogue(locale):
    return polib.pofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"))


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


# --- The catalogues ------------------------------------------------------------------------


def test_the_catalogues_are_the_five_other_languages_of_settings():
    codes = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
    assert sorted(translation.to_locale(code) for code in codes) == sorted(CATALOGUES)
    assert sorted(path.name for path in (ROOT / "locale").iterdir()) == sorted(CATALOGUES)


@pytest.mark.parametrize("locale", CATALOGUES)
def test_every_string_is_translated_with_no_fuzzy_entry(locale):
    catalogue = _catalogue(locale)
    assert len(catalogue) > 300
    assert not catalogue.metadata_is_fuzzy
    assert catalogue.percent_translated() == 100, [e.msgid for e in catalogue.untranslated_entries()]
    assert not catalogue.fuzzy_entries(), [e.msgid for e in catalogue.fuzzy_entries()]
    assert not catalogue.obsolete_entries(), [e.msgid for e in catalogue.obsolete_entries()]


@pytest.mark.parametrize("locale, forms_count", CATALOGUES.items())
def test_every_plural_has_each_form_of_its_language(locale, forms_count):
    catalogue = _catalogue(locale)
    assert f"nplurals={forms_count};" in catalogue.metadata["Plural-Forms"].replace(" ", "")
    plurals = [entry for entry in catalogue if entry.msgid_plural]
    assert plurals
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == list(range(forms_count)), entry.msgid
        assert all(entry.msgstr_plural.values()), entry.msgid


_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")
# The number a plural counts: `count` in Python, `counter` in templates, `len` in import-export's.
PLURAL_NUMBERS = {"%(count)s", "%(counter)s", "%(len)s"}
_TAG = re.compile(r"<[^>]+>")


@pytest.mark.parametrize("locale", CATALOGUES)
def test_translations_keep_every_placeholder_and_every_tag(locale):
    for entry in _catalogue(locale):
        original = entry.msgid + (entry.msgid_plural or "")
        placeholders = set(_PLACEHOLDER.findall(original))
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = set(_PLACEHOLDER.findall(text))
            # A plural's form may leave its number out ("one result"), never anything else.
            assert found <= placeholders, (entry.msgid, text)
            assert placeholders - found <= PLURAL_NUMBERS, (entry.msgid, text)
            assert sorted(_TAG.findall(text)) == sorted(_TAG.findall(entry.msgid)), (entry.msgid, text)


@pytest.mark.parametrize("locale", CATALOGUES)
def test_the_compiled_catalogue_says_what_its_source_says(locale):
    """The .mo files are committed (a clone needs no gettext to run): each must match its .po."""
    compiled = polib.mofile(str(ROOT / "locale" / locale / "LC_MESSAGES" / "django.mo"))
    source = _catalogue(locale)

    def messages(catalogue):
        return {_key(entry): entry.msgstr_plural or entry.msgstr for entry in catalogue if entry.msgid}

    assert messages(compiled) == messages(source), "run `make messages` to compile the catalogues"


def test_makemessages_finds_exactly_the_strings_of_the_catalogues(tmp_path):
    """Run `makemessages --all` on a copy of the sources: it must find no string the
    catalogues lack and none they have no more."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is not installed: install the Debian package gettext (make system-deps).")
    for name in ("findings", "portal", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path)

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--all", "--verbosity=0"],
        cwd=tmp_path, check=True, timeout=300, env={"PATH": "/usr/bin:/bin", "DEBUG": "1"},
    )

    for locale in CATALOGUES:
        found = polib.pofile(str(tmp_path / "locale" / locale / "LC_MESSAGES" / "django.po"))
        kept = _catalogue(locale)
        current = {_key(entry) for entry in found if not entry.obsolete}
        assert current == {_key(entry) for entry in kept}, "run `make messages` and translate what is new"


def test_plural_forms_follow_each_language():
    def counted(language, *numbers):
        with translation.override(language):
            return [ngettext("%(count)s finding", "%(count)s findings", n) % {"count": n} for n in numbers]

    arabic = counted("ar", 0, 1, 2, 3, 11, 100)
    assert len(set(re.sub(r"\d+", "N", text) for text in arabic)) == 6, arabic
    russian = counted("ru", 1, 2, 5, 21, 22, 25)
    assert russian[0].replace("1", "21") == russian[3] and russian[1].replace("2", "22") == russian[4]
    assert len({re.sub(r"\d+", "N", text) for text in russian}) == 3, russian
    assert len({re.sub(r"\d+", "N", text) for text in counted("zh-hans", 1, 2, 5)}) == 1
    assert counted("fr", 0, 1, 2) == ["0 conclusion", "1 conclusion", "2 conclusions"]


# --- Addresses and languages ---------------------------------------------------------------


def test_an_address_without_prefix_is_english_whatever_the_browser_asks(wpsr, client):
    response = client.get("/findings/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,ar;q=0.8")
    assert response.status_code == 200
    assert '<html lang="en" dir="ltr">' in response.getvalue().decode()
    assert headings_h1(response.getvalue()) == ["Key findings"]
    assert response["Content-Language"] == "en"
    # One text per address: caches need not keep a copy per browser language.
    assert "Accept-Language" not in response.get("Vary", "")


def test_a_prefixed_address_is_in_its_language(wpsr, client):
    response = get_page(client, "/fr/findings/")
    assert '<html lang="fr" dir="ltr">' in response.getvalue().decode()
    assert headings_h1(response.getvalue()) == ["Principales conclusions"]
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" not in response.get("Vary", "")


@pytest.mark.parametrize("path", ["/en/findings/", "/en/", "/de/findings/"])
def test_english_has_no_prefix_and_an_unknown_prefix_is_not_a_language(db, client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/", FILTERED, "/search/?q=innovation", FINDING, "/report/", "/tags/", "/no-such-page/"]
)
def test_arabic_pages_are_right_to_left_and_chinese_left_to_right(wpsr, client, path):
    arabic = client.get(f"/ar{path}").getvalue().decode()
    chinese = client.get(f"/zh-hans{path}").getvalue().decode()
    assert arabic.startswith('<!DOCTYPE html>\n<html lang="ar" dir="rtl">')
    assert chinese.startswith('<!DOCTYPE html>\n<html lang="zh-hans" dir="ltr">')


def test_the_language_switcher_links_the_same_page_in_each_language_with_its_query(wpsr, client):
    html = get_page(client, "/ru/findings/?tag=data&sort=title").getvalue().decode()
    switcher = html.split('<nav class="languages" aria-label="Языки">')[1].split("</nav>")[0]
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="([^"]+)" dir="([^"]+)"( aria-current="true")?>([^<]+)</a>', switcher)
    assert links == [
        ("/ar/findings/?tag=data&amp;sort=title", "ar", "ar", "rtl", "", "العربية"),
        ("/zh-hans/findings/?tag=data&amp;sort=title", "zh-hans", "zh-hans", "ltr", "", "中文"),
        ("/findings/?tag=data&amp;sort=title", "en", "en", "ltr", "", "English"),
        ("/fr/findings/?tag=data&amp;sort=title", "fr", "fr", "ltr", "", "Français"),
        ("/ru/findings/?tag=data&amp;sort=title", "ru", "ru", "ltr", ' aria-current="true"', "Русский"),
        ("/es/findings/?tag=data&amp;sort=title", "es", "es", "ltr", "", "Español"),
    ]
    # Plain links: no form, no cookie, no session.
    assert 'action="/i18n/' not in html and "django_language" not in str(client.cookies)
    # Like every link of a list, they carry only what the page understood.
    ignored = get_page(client, "/ru/findings/?sort=nope&tag=data").getvalue().decode()
    assert '<a href="/fr/findings/?tag=data" hreflang="fr"' in ignored and "sort=nope" not in ignored


def test_each_page_names_its_translations_in_its_head(wpsr, client):
    links = head_links(get_page(client, f"/es{FILTERED}").getvalue())
    alternates = {link["hreflang"]: link["href"] for link in links if link.get("hreflang")}
    assert alternates == {
        "ar": "http://testserver/ar/findings/",
        "zh-hans": "http://testserver/zh-hans/findings/",
        "en": "http://testserver/findings/",
        "x-default": "http://testserver/findings/",
        "fr": "http://testserver/fr/findings/",
        "ru": "http://testserver/ru/findings/",
        "es": "http://testserver/es/findings/",
    }
    assert [link["href"] for link in links if link.get("rel") == "canonical"] == ["http://testserver/es/findings/"]


def test_the_not_found_page_speaks_the_language_of_its_address(db, client):
    response = client.get("/es/no-such-page/")
    assert response.status_code == 404
    assert headings_h1(response.getvalue()) == ["Página no encontrada"]
    assert '<a href="/es/findings/">' in response.getvalue().decode()


def test_the_server_error_page_speaks_the_language_of_its_address():
    with translation.override("ar"):
        html = render_to_string("500.html")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>عذرًا، حدث خطأ ما</h1>" in html and 'href="/ar/"' in html


def test_the_unavailable_page_speaks_the_language_of_its_address_and_shares_the_error_frame():
    with translation.override("ar"):
        html = render_to_string("503.html")
    assert '<html lang="ar" dir="rtl">' in html
    assert "<h1>البوابة غير متاحة لفترة وجيزة</h1>" in html and 'href="/ar/"' in html
    # 500 and 503 differ only in their words.
    frame = re.sub(r"<title>.*?</title>|<h1>.*?</h1>|<p>(?!<a).*?</p>", "", render_to_string("500.html"), flags=re.S)
    assert frame == re.sub(r"<title>.*?</title>|<h1>.*?</h1>|<p>(?!<a).*?</p>", "", render_to_string("503.html"), flags=re.S)


def test_the_data_page_is_translated_and_its_files_stay_english_at_one_address(wpsr, client):
    html = get_page(client, "/ar/data/").getvalue().decode()
    assert '<html lang="ar" dir="rtl">' in html
    for path in ("/data/wpsr-2023-findings.zip", "/data/datapackage.json", "/data/findings.csv", "/api/v1/docs"):
        assert f'href="{path}"' in html, path
        assert f'href="/ar{path}"' not in html
    assert client.get("/ar/data/findings.csv").status_code == 404
    assert client.get("/ar/api/v1/findings").status_code == 404
    assert get_page(client, "/data/findings.csv").getvalue() == get_page(client, "/data/findings.csv").getvalue()


def test_the_admin_follows_the_browser_language(db, client):
    response = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="fr")
    assert '<html lang="fr"' in response.getvalue().decode()
    assert "Accept-Language" in response["Vary"]
    assert '<html lang="en"' in client.get("/admin/login/").getvalue().decode()


# --- Content stays English -----------------------------------------------------------------


def test_content_on_a_translated_page_is_marked_english(wpsr, client):
    html = get_page(client, f"/fr{FINDING}").getvalue().decode()
    assert '<h1 lang="en" dir="ltr">Help address development challenges (e.g. AI to identify corruption in procurement)</h1>' in html
    assert '<a class="tag" href="/fr/findings/?tag=ai" lang="en" dir="ltr">AI</a>' in html
    assert '<p class="cite__text" id="citation" lang="en" dir="ltr">' in html


def test_a_citation_stays_english_with_the_address_without_prefix(wpsr, client):
    text = visible_text(get_page(client, f"/ru{FINDING}").getvalue())
    assert "Как цитировать" in text
    assert "In World Public Sector Report 2023" in text
    assert f"http://testserver{FINDING}. Accessed " in text


@pytest.mark.parametrize("fmt", ["csv", "bibtex", "ris"])
def test_downloads_say_the_same_in_every_language(wpsr, client, fmt):
    english = get_page(client, f"{FILTERED}&format={fmt}").getvalue()
    assert get_page(client, f"/ar{FILTERED}&format={fmt}").getvalue() == english


def test_json_names_and_labels_stay_english(wpsr, client):
    english = get_page(client, f"{FILTERED}&format=json").json()
    chinese = get_page(client, f"/zh-hans{FILTERED}&format=json").json()
    assert chinese["results"] == english["results"]
    labels = {name: [value["label"] for value in values] for name, values in chinese["facets"].items()}
    assert labels == {name: [value["label"] for value in values] for name, values in english["facets"].items()}
    assert "Chapter 3" in labels["chapter"]


def test_a_feed_is_titled_in_its_language_and_its_entries_are_english(wpsr, client):
    feed = ElementTree.fromstring(get_page(client, f"/fr{FILTERED}&format=atom").getvalue())
    assert feed.get(XML_LANG) == "fr"
    title = "Principales conclusions – WPSR 2023 (étiquette\u00a0: Digital technology; chapitre\u00a0: Chapitre 3)"
    assert feed.findtext(f"{ATOM}title") == title
    entries = feed.findall(f"{ATOM}entry")
    assert entries and {entry.get(XML_LANG) for entry in entries} == {"en"}


# --- Nothing escaped translation: a pseudo-language ----------------------------------------
#
# Every msgstr of the pseudo-language is its msgid with its letters turned into fullwidth ones
# and between ⟦ ⟧ (placeholders and tags kept), so a page in it shows no ASCII letter outside
# content marked lang="en" — unless a string of the interface escaped the catalogues, or an
# English word was pasted into a translated one.

PSEUDO = "xx"
_KEEP = re.compile(r"(%\(\w+\)[sd]|%[sd%]|\{\w+\}|<[^>]+>|&\w+;)")
_FULLWIDTH = str.maketrans(
    {letter: chr(ord("Ａ") + n) for n, letter in enumerate(string.ascii_uppercase)}
    | {letter: chr(ord("ａ") + n) for n, letter in enumerate(string.ascii_lowercase)}
)


def pseudo(text):
    return "⟦" + "".join(part if _KEEP.fullmatch(part) else part.translate(_FULLWIDTH) for part in _KEEP.split(text)) + "⟧"


@pytest.fixture
def pseudo_language(settings, tmp_path):
    catalogue = polib.POFile()
    catalogue.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    for entry in _catalogue("fr"):
        if entry.msgid_plural:
            forms_ = {0: pseudo(entry.msgid), 1: pseudo(entry.msgid_plural)}
            catalogue.append(polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgid_plural=entry.msgid_plural, msgstr_plural=forms_))
        else:
            catalogue.append(polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgstr=pseudo(entry.msgid)))
    (tmp_path / PSEUDO / "LC_MESSAGES").mkdir(parents=True)
    catalogue.save_as_mofile(str(tmp_path / PSEUDO / "LC_MESSAGES" / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path]
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, pseudo("Pseudo"))]


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_NAMES = ("aria-label", "title", "alt", "placeholder")


class _Untranslated(HTMLParser):
    """The words of a page (its text, its controls' names, and its <title> if asked) in ASCII
    letters, outside content in another language than the page's and what the visitor typed
    (`translate="no"`)."""

    def __init__(self, check_title):
        super().__init__(convert_charrefs=True)
        self.check_title, self.found, self.stack, self.language = check_title, [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.language = attrs["lang"]
        other_language = attrs.get("lang", self.language) != self.language
        typed = attrs.get("translate") == "no"
        skipped = (self.stack and self.stack[-1][1]) or other_language or typed or tag in ("script", "style", "head")
        if tag == "title" and self.check_title:
            skipped = False
        if not skipped and tag not in ("html", "meta", "link"):
            self._check(*(attrs.get(name) for name in _NAMES))
        if tag not in _VOID:
            self.stack.append((tag, skipped))

    def handle_endtag(self, tag):
        if tag not in _VOID:
            while self.stack and self.stack.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if self.stack and not self.stack[-1][1]:
            self._check(data)

    def _check(self, *texts):
        self.found += [text.strip() for text in texts if text and re.search("[A-Za-z]", text)]


def untranslated(html, check_title=True):
    parser = _Untranslated(check_title)
    parser.feed(html)
    return parser.found


def test_the_checker_finds_a_forgotten_string():
    page = (
        '<!DOCTYPE html><html lang="xx"><head><title>⟦Ｔｉｔｌｅ⟧</title><meta name="x" content="x"></head><body>'
        '<nav aria-label="Main"><a lang="fr" href="/fr/">Français</a></nav>'
        "<p>⟦Ｆｉｌｔｅｒ⟧ <span lang=\"en\">Digital technology</span> 12 ×</p>"
        "<p>⟦Ｒｅｍｏｖｅ tag⟧</p><label>Sort by<input value=x></label>"
        '<p>⟦Ｎｏ <bdi translate="no">yaml</bdi>⟧</p></body></html>'
    )
    assert untranslated(page) == ["Main", "⟦Ｒｅｍｏｖｅ tag⟧", "Sort by"]


PSEUDO_PAGES = [
    # (address, whether its <title> is the interface's words alone)
    ("/", False),
    ("/findings/?tag=digital-technology&chapter=chapter-3&sort=title&per_page=10", True),
    ("/findings/?tag=nope&q=data", True),
    ("/topics/?contribution=governance-reform-and-public-service-provision", True),
    ("/contributions/", True),
    ("/suggestions/?page=2", True),
    ("/chapters/", True),
    ("/search/", True),
    ("/search/?q=innovation&kind=finding&tag=data", False),
    ("/search/?q=technology-driven", False),
    ("/search/?q=corruptoin", False),
    (FINDING, False),
    ("/topics/digital-technology/", False),
    ("/chapters/chapter-3/", False),
    ("/contributions/governance-reform-and-public-service-provision/", False),
    ("/suggestions/consolidate-crisis-innovations/", False),
    ("/tags/", True),
    ("/tags/digital-technology/", False),
    ("/report/", False),
    ("/map/", True),
    ("/data/", True),
    ("/findings/?format=yaml", True),
    ("/no-such-page/", True),
]


def test_no_string_of_the_interface_escapes_translation(wpsr, client, pseudo_language, settings):
    settings.PORTAL_PAGE_SIZE = 5  # so that lists show their pagination
    problems = {}
    for path, check_title in PSEUDO_PAGES:
        response = client.get(f"/{PSEUDO}{path}")
        assert response.status_code in (200, 400, 404), path
        html = response.getvalue().decode()
        assert f'<html lang="{PSEUDO}" dir="ltr">' in html, path
        found = untranslated(html, check_title)
        if found:
            problems[path] = found
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems.items())


def test_the_pseudo_language_catches_a_string_left_out_of_the_catalogues(wpsr, client, pseudo_language, monkeypatch):
    monkeypatch.setitem(forms.SORTS, "title", "Title")

    html = get_page(client, f"/{PSEUDO}/findings/?sort=title").getvalue().decode()

    assert "Title" in untranslated(html)
