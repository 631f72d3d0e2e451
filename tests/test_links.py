"""The link checker of built websites, on small HTML trees."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from manual.render.links import check_links


def write_site(root: Path, pages: dict[str, str]) -> Path:
    """Write `pages` (path → HTML body) under `root`; return `root`."""
    for path, body in pages.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(".html"):
            body = f"<!doctype html>\n<html>\n<body>\n{body}\n</body>\n</html>\n"
        target.write_text(body, encoding="utf-8")
    return root


GOOD = {
    "index.html": '<a href="en/">English</a> <a href="fr/index.html">Français</a>',
    "en/index.html": """
        <h1 id="welcome">Welcome</h1>
        <a href="#welcome">here</a> <a href="#">top</a> <a href="#top">top</a> <a href="">self</a>
        <a href="about/">about</a> <a href="about">about without slash</a> <a href="about/#team">team</a>
        <a href="about/?h=police#team">search highlight</a>
        <a href="/en/about/">absolute</a> <a href="../fr/">other language</a>
        <a href="caf%C3%A9/#caf%C3%A9-cr%C3%A8me">encoded</a>
        <img src="assets/logo.png" srcset="assets/logo.png 1x, assets/logo@2x.png 2x" alt="">
        <a href="assets/report.pdf#page=2">a page of a PDF</a>
        <a href="https://example.invalid/gone">external</a> <a href="http://example.invalid/">external</a>
        <a href="//example.invalid/">scheme-relative</a> <a href="mailto:nobody@example.invalid">mail</a>
        <a href="tel:+3300000000">phone</a> <img src="data:image/gif;base64,R0lGOD" alt="">
        <a name="old-style">named anchor</a> <a href="#old-style">to it</a>
        """,
    "en/about/index.html": '<h2 id="team">Team</h2> <a href="../">home</a> <a href="../#welcome">welcome</a>',
    "en/café/index.html": '<h2 id="café-crème">Café</h2>',
    "en/assets/logo.png": "png",
    "en/assets/logo@2x.png": "png",
    "en/assets/report.pdf": "pdf",
    "fr/index.html": '<a href="../en/about/#team">équipe</a>',
}


def test_a_sound_site_has_no_dead_link(tmp_path: Path) -> None:
    assert check_links(write_site(tmp_path, GOOD)) == []


@pytest.mark.parametrize(("page", "body", "expected"), [
    ("en/news/index.html", '<a href="missing/">x</a>',
     "en/news/index.html:4: dead link 'missing/': no such page or file in the site"),
    ("en/news/index.html", '<img src="../assets/missing.png" alt="">',
     "en/news/index.html:4: dead link '../assets/missing.png': no such page or file in the site"),
    ("en/news/index.html", '<img srcset="../assets/logo.png 1x, ../assets/logo@3x.png 3x" alt="">',
     "en/news/index.html:4: dead link '../assets/logo@3x.png': no such page or file in the site"),
    ("en/news/index.html", '<link rel="stylesheet" href="/en/assets/site.css">',
     "en/news/index.html:4: dead link '/en/assets/site.css': no such page or file in the site"),
    ("en/news/index.html", '<h1 id="news">News</h1>\n<a href="#nobody">x</a>',
     "en/news/index.html:5: dead anchor '#nobody': no id 'nobody' in this page"),
    ("fr/news/index.html", '<a href="../../en/about/#board">x</a>',
     "fr/news/index.html:4: dead anchor '../../en/about/#board': no id 'board' in 'en/about/index.html'"),
    ("en/news/index.html", '<a href="../../../etc/passwd">x</a>',
     "en/news/index.html:4: dead link '../../../etc/passwd': no such page or file in the site"),
    ("en/news/index.html", '<a href="../about/index.html/">x</a>',
     "en/news/index.html:4: dead link '../about/index.html/': no such page or file in the site"),
], ids=["page", "image", "srcset", "absolute", "anchor-here", "anchor-elsewhere", "outside", "file-as-folder"])
def test_each_dead_link_is_reported_with_its_page_and_line(tmp_path: Path, page: str, body: str,
                                                          expected: str) -> None:
    assert check_links(write_site(tmp_path, {**GOOD, page: body})) == [expected]


def test_every_language_is_crawled_and_messages_are_sorted(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**GOOD, "fr/index.html": '<a href="perdu/">x</a>\n<a href="#nulle-part">y</a>',
                                 "en/news/index.html": '<a href="../gone/">x</a>'})
    assert check_links(site) == [
        "en/news/index.html:4: dead link '../gone/': no such page or file in the site",
        "fr/index.html:4: dead link 'perdu/': no such page or file in the site",
        "fr/index.html:5: dead anchor '#nulle-part': no id 'nulle-part' in this page",
    ]


def test_a_link_repeated_on_a_page_is_reported_once(tmp_path: Path) -> None:
    site = write_site(tmp_path, {**GOOD, "en/news/index.html": '<a href="x/">1</a>\n<a href="x/">2</a>'})
    assert check_links(site) == ["en/news/index.html:4: dead link 'x/': no such page or file in the site"]


def test_external_links_are_never_fetched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the link checker opened a connection")
    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert check_links(write_site(tmp_path, GOOD)) == []


def test_pages_checked_in_several_processes_give_the_same_messages(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from manual.render import links

    pages = dict(GOOD)
    for i in range(30):  # dead links and anchors on many pages, to this page and to others
        pages[f"en/p{i}/index.html"] = (f'<h2 id="s{i}">S</h2>\n<a href="../p{(i + 1) % 30}/#s{(i + 1) % 30}">ok</a>\n'
                                        f'<a href="../p{(i + 2) % 30}/#gone">x</a>\n<a href="#nowhere">y</a>\n'
                                        f'<a href="../missing{i % 3}/">z</a>')
    site = write_site(tmp_path, pages)
    one = check_links(site, workers=1)
    monkeypatch.setattr(links, "_PARALLEL_MIN", 2)
    assert check_links(site, workers=3) == one
    assert len(one) == 90
    assert one[:3] == ["en/p0/index.html:6: dead anchor '../p2/#gone': no id 'gone' in 'en/p2/index.html'",
                       "en/p0/index.html:7: dead anchor '#nowhere': no id 'nowhere' in this page",
                       "en/p0/index.html:8: dead link '../missing0/': no such page or file in the site"]
