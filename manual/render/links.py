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

# Attributes that point to another file; srcset holds a list of them.
_LINK_ATTRIBUTES = {"href", "src", "poster"}
# A fragment that names no element but that every browser understands: the top of the page.
_TOP = {"", "top"}


_SKIPPED = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_TAG = re.compile(r"<([a-zA-Z][\w:-]*)(\s[^>]*)?/?>")
# Only the attributes that name an element or point somewhere (the others are skipped unread).
_ATTRIBUTE = re.compile(r"""(?:^|\s)(id|name|href|src|poster|srcset|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
                        re.IGNORECASE)


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


def check_links(site_dir: Path) -> list[str]:
    """Return one message per dead internal link or #anchor in the HTML pages under `site_dir`, sorted."""
    site_dir = site_dir.resolve()
    root = str(site_dir)
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    folders = {posixpath.dirname(name) for name in files}
    folders |= {posixpath.dirname(folder) for folder in list(folders)}
    pages: dict[str, _Page] = {}

    def parsed(relative: str) -> _Page:
        if relative not in pages:
            with open(posixpath.join(root, relative), encoding="utf-8", errors="replace") as handle:
                pages[relative] = _Page(handle.read())
        return pages[relative]

    messages = []
    for name in sorted(f for f in files if f.endswith(".html")):
        seen = set()
        for line, link in parsed(name).links:
            if link in seen:
                continue
            seen.add(link)
            problem = _dead(name, link, files, parsed)
            if problem:
                messages.append(f"{name}:{line}: {problem}")
    return messages


def _dead(page: str, link: str, files: set[str], parsed) -> str | None:
    """Return why `link` on `page` leads nowhere, or None if it leads somewhere (or outside the site)."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None
    fragment = unquote(parts.fragment)
    if not parts.path:
        target = page
    else:
        target = _target(page, unquote(parts.path), files)
        if target is None:
            return f"dead link '{link}': no such page or file in the site"
    if fragment in _TOP or not target.endswith(".html") or fragment in parsed(target).ids:
        return None
    where = "this page" if target == page else f"'{target}'"
    return f"dead anchor '{link}': no id '{fragment}' in {where}"


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
