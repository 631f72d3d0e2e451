"""Check a built website's internal links: every page, file and #anchor a page points to must exist.

External links (http, https, mailto and the like) are never fetched: the check reads files only.
"""

from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Attributes that point to another file; srcset holds a list of them.
_LINK_ATTRIBUTES = {"href", "src", "poster"}
# A fragment that names no element but that every browser understands: the top of the page.
_TOP = {"", "top"}


class _Page(HTMLParser):
    """Collect a page's links (with their line) and the ids its links may point to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                self.ids.add(value)
            elif name in _LINK_ATTRIBUTES or (tag == "object" and name == "data"):
                self.links.append((line, value.strip()))
            elif name == "srcset":
                self.links += [(line, candidate.split()[0]) for candidate in value.split(",") if candidate.split()]

    handle_startendtag = handle_starttag


def check_links(site_dir: Path) -> list[str]:
    """Return one message per dead internal link or #anchor in the HTML pages under `site_dir`, sorted."""
    site_dir = site_dir.resolve()
    pages: dict[Path, _Page] = {}

    def parsed(path: Path) -> _Page:
        if path not in pages:
            page = _Page()
            page.feed(path.read_text(encoding="utf-8", errors="replace"))
            page.close()
            pages[path] = page
        return pages[path]

    messages = []
    for path in sorted(site_dir.rglob("*.html")):
        name = path.relative_to(site_dir).as_posix()
        seen = set()
        for line, link in parsed(path).links:
            if link in seen:
                continue
            seen.add(link)
            problem = _dead(site_dir, path, link, parsed)
            if problem:
                messages.append(f"{name}:{line}: {problem}")
    return messages


def _dead(site_dir: Path, page: Path, link: str, parsed) -> str | None:
    """Return why `link` on `page` leads nowhere, or None if it leads somewhere (or outside the site)."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    fragment = unquote(parts.fragment)
    if not parts.path:
        target = page
    else:
        target = _target(site_dir, page, unquote(parts.path))
        if target is None:
            return f"dead link '{link}': no such page or file in the site"
    if fragment in _TOP or target.suffix != ".html" or fragment in parsed(target).ids:
        return None
    where = "this page" if target == page else f"'{target.relative_to(site_dir).as_posix()}'"
    return f"dead anchor '{link}': no id '{fragment}' in {where}"


def _target(site_dir: Path, page: Path, path: str) -> Path | None:
    """Return the file a link's path serves (a folder serves its index.html), or None if there is none."""
    base = "" if path.startswith("/") else page.parent.relative_to(site_dir).as_posix()
    relative = posixpath.normpath(posixpath.join(base, path.lstrip("/")))
    if relative == ".." or relative.startswith("../"):
        return None
    target = site_dir / relative
    if target.is_dir():
        target = target / "index.html"
    elif path.endswith("/"):
        return None
    return target if target.is_file() and target.resolve().is_relative_to(site_dir) else None
