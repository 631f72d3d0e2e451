"""What a contribution's or a city's fields say can never become markup of the website.

The same small manual is built twice: once as written, once with every single-line text a reader
meets (titles, summaries, city and theme names, events, contacts) replaced by text that
would open an element, close the page's <title>, or break out of an attribute. `check` refuses
'<' and '>' in such fields; these builds go around it, to show that the site escapes them anyway.
Every page must have exactly the same elements and attributes in both builds: only text differs.
"""

from __future__ import annotations

import dataclasses
import html
from html.parser import HTMLParser
from pathlib import Path

import pytest

from manual.merge import merge
from manual.render.site import build_site
from manual.validate import check_tree

from .conftest import REPO

HOSTILE = '</title><svg onload=alert(1)>"\'><img src=x onerror=alert(2)>&amp;'


class _Shape(HTMLParser):
    """The elements of a page and the names of their attributes, in order; <title>'s text too."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.titles: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self.shape.append(("/" + tag, ()))
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.titles.append(data)


def _shape(page: Path) -> _Shape:
    parser = _Shape()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def _hostile(value: str) -> str:
    return f"{value} {HOSTILE}"


def _build(root: Path, out: Path, *, hostile: bool) -> Path:
    sources = check_tree(root)
    assert not sources.errors, sources.errors
    if hostile:
        sources.contributions = [dataclasses.replace(
            c, title=_hostile(c.title), summary=_hostile(c.summary),
            events=tuple({**e, "name": _hostile(e["name"])} for e in c.events),
            contacts=tuple({k: _hostile(v) for k, v in contact.items()} for contact in c.contacts))
            for c in sources.contributions]
        sources.cities = {cid: dataclasses.replace(city, name=_hostile(city.name),
                                                   names={k: _hostile(v) for k, v in city.names.items()},
                                                   police_force=_hostile(city.police_force))
                          for cid, city in sources.cities.items()}
        sources.themes = [dataclasses.replace(th, names={k: _hostile(v) for k, v in th.names.items()})
                          for th in sources.themes]
        sources.settings = dataclasses.replace(sources.settings, title=_hostile(sources.settings.title))
    build_site(merge(sources), root, out, root / "build" / out.name)
    return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    import shutil

    root = tmp_path_factory.mktemp("hostile") / "manual"
    shutil.copytree(REPO / "tests" / "fixtures" / "base", root)
    for part in ("mkdocs.yml", "overrides"):
        (shutil.copytree if (REPO / part).is_dir() else shutil.copyfile)(REPO / part, root / part)
    return _build(root, root / "plain", hostile=False), _build(root, root / "hostile", hostile=True)


def test_no_field_becomes_an_element_or_an_attribute(builds: tuple[Path, Path]) -> None:
    plain, hostile = builds
    pages = sorted(p.relative_to(plain) for p in plain.rglob("*.html"))
    assert len(pages) > 10
    assert sorted(p.relative_to(hostile) for p in hostile.rglob("*.html")) == pages
    for page in pages:
        assert _shape(hostile / page).shape == _shape(plain / page).shape, page


def test_the_fields_are_shown_as_written(builds: tuple[Path, Path]) -> None:
    _, hostile = builds
    page = next(hostile.rglob("contributions/nice-001/index.html"))
    titles = _shape(page).titles
    assert len(titles) == 1 and HOSTILE in titles[0], titles
    text = page.read_text(encoding="utf-8")
    assert html.escape(HOSTILE, quote=False).replace('"', "&quot;") in text  # the meta description
    assert "<svg onload" not in text and "<img src=x" not in text
