"""Check a built website's internal links: every page, file and #anchor a page points to must exist.

External links (http, https, mailto and the like) are never fetched: the check reads files only.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..parallel import map_chunks

# Attributes that point to another file; srcset holds a list of them.
_LINK_ATTRIBUTES = {"href", "src", "poster"}
# A fragment that names no element but that every browser understands: the top of the page.
_TOP = {"", "top"}


_SKIPPED = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^>]*)?/?>")
# Every attribute of a tag, in turn, so that a quoted value is read whole: 'src=x' written inside a
# title or an aria-label (a contribution's title may say so) is text, not an attribute.
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_NAMED = {"id", "name", "srcset", "data"} | _LINK_ATTRIBUTES


class _Page:
    """A page's links (with their line) and the ids its links may point to.

    Read with regular expressions over the tags, outside comments, scripts and styles: a hundred
    times faster than html.parser on the thousands of pages of a large manual, and enough for the
    HTML that MkDocs writes.
    """

    def __init__(self, text: str) -> None:
        self.links: list[tuple[int, str]] = []
        self.ids: set[str] = set()
        text = _SKIPPED.sub(lambda m: "\n" * m.group(0).count("\n"), text)
        positions: list[tuple[int, str]] = []
        for tag in _TAG.finditer(text):
            attributes = tag.group(2)
            if not attributes or "=" not in attributes:
                continue
            name = tag.group(1).lower()
            for attribute in _ATTRIBUTE.finditer(attributes):
                key = attribute.group(1).lower()
                if key not in _NAMED:
                    continue
                value = attribute.group(2) if attribute.group(2) is not None else (
                    attribute.group(3) if attribute.group(3) is not None else attribute.group(4))
                if value is None:
                    continue
                value = html.unescape(value)
                if key == "id" or (key == "name" and name == "a"):
                    self.ids.add(value)
                elif key in _LINK_ATTRIBUTES or (name == "object" and key == "data"):
                    positions.append((tag.start(), value.strip()))
                elif key == "srcset":
                    positions += [(tag.start(), candidate.split()[0]) for candidate in value.split(",")
                                  if candidate.split()]
        line, last = 1, 0
        for offset, link in positions:
            line += text.count("\n", last, offset)
            last = offset
            self.links.append((line, link))


def check_links(site_dir: Path, workers: int = 1) -> list[str]:
    """Return one message per dead internal link or #anchor in the HTML pages under `site_dir`, sorted
    by page, then by place in the page.

    The pages are read and checked in `workers` forked processes; what a page's links point to is
    settled there, except an #anchor in another page, which waits for every page's ids.
    """
    site_dir = site_dir.resolve()
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    names = sorted(f for f in files if f.endswith(".html"))
    check = functools.partial(_check_pages, str(site_dir), files)
    results = map_chunks(check, names, workers, min_items=_PARALLEL_MIN)
    ids = {name: page_ids for name, page_ids, _, _ in results}
    found: list[tuple[int, int, str]] = []
    for number, (name, _, messages, elsewhere) in enumerate(results):
        found += [(number, order, message) for order, message in messages]
        for order, line, link, target, fragment in elsewhere:
            if fragment not in ids[target]:
                found.append((number, order, f"{name}:{line}: dead anchor '{link}': no id '{fragment}' in '{target}'"))
    return [message for _, _, message in sorted(found)]


# Below this many pages, a second process costs more than it saves.
_PARALLEL_MIN = 1_000


def _check_pages(root: str, files: set[str], names: list[str]) -> list[tuple]:
    """Check the links of the pages `names`: for each, (name, its ids, [(order, message)], and the
    links to an #anchor of another page as (order, line, link, target page, anchor))."""
    results = []
    for name in names:
        with open(posixpath.join(root, name), encoding="utf-8", errors="replace") as handle:
            page = _Page(handle.read())
        messages, elsewhere, seen = [], [], set()
        for order, (line, link) in enumerate(page.links):
            if link in seen:
                continue
            seen.add(link)
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            fragment = unquote(parts.fragment)
            target = _target(name, unquote(parts.path), files) if parts.path else name
            if target is None:
                messages.append((order, f"{name}:{line}: dead link '{link}': no such page or file in the site"))
            elif fragment in _TOP or not target.endswith(".html"):
                continue
            elif target != name:
                elsewhere.append((order, line, link, target, fragment))
            elif fragment not in page.ids:
                messages.append((order, f"{name}:{line}: dead anchor '{link}': no id '{fragment}' in this page"))
        results.append((name, page.ids, messages, elsewhere))
    return results


@functools.lru_cache(maxsize=200_000)
def _resolve(base: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(base, path.lstrip("/")))


def _target(page: str, path: str, files: set[str]) -> str | None:
    """Return the file a link's path serves (a folder serves its index.html), or None if there is none."""
    base = "" if path.startswith("/") else posixpath.dirname(page)
    relative = _resolve(base, path)
    if relative == ".." or relative.startswith("../") or relative.startswith("/"):
        return None
    if relative in files and not path.endswith("/"):
        return relative
    index = "index.html" if relative == "." else f"{relative}/index.html"
    if index in files:
        return index
    return None
