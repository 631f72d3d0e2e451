"""Check a built website's internal links: every page, file and #anchor a page points to must exist.

External links (http, https, mailto and the like) are never fetched: the check reads files only.
"""

from __future__ import annotations

import concurrent.futures
import functools
import html
import multiprocessing
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


def _read(root: str, relative: str) -> _Page:
    with open(posixpath.join(root, relative), encoding="utf-8", errors="replace") as handle:
        return _Page(handle.read())


def _read_all(root: str, names: list[str]) -> list[_Page]:
    return [_read(root, name) for name in names]


# Below this many pages, a second process costs more than it saves.
_PARALLEL_MIN = 1_000


def check_links(site_dir: Path, workers: int = 1) -> list[str]:
    """Return one message per dead internal link or #anchor in the HTML pages under `site_dir`, sorted.

    The pages are read in `workers` forked processes."""
    site_dir = site_dir.resolve()
    root = str(site_dir)
    files = {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()}
    names = sorted(f for f in files if f.endswith(".html"))
    pages: dict[str, _Page] = {}
    if workers > 1 and len(names) >= _PARALLEL_MIN and "fork" in multiprocessing.get_all_start_methods():
        size = -(-len(names) // (workers * 4))
        chunks = [names[i:i + size] for i in range(0, len(names), size)]
        context = multiprocessing.get_context("fork")
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for chunk, results in zip(chunks, pool.map(_read_all, [root] * len(chunks), chunks)):
                pages.update(zip(chunk, results))

    def parsed(relative: str) -> _Page:
        if relative not in pages:
            pages[relative] = _read(root, relative)
        return pages[relative]

    messages = []
    for name in names:
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
