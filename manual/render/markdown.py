"""Helpers that write Markdown safely from the manual's data, shared by the site and the PDF."""

from __future__ import annotations

import functools
import html
import json
import re
from typing import Iterable

from ..parallel import map_chunks

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!])")


def text(value: str) -> str:
    """Escape contributor text for inline Markdown: it shows as written, never as markup."""
    return _SPECIAL.sub(r"\\\1", html.escape(" ".join(value.split()), quote=False))


def inline(value: str) -> str:
    """Fold contributor Markdown onto one line, for a table cell, keeping its formatting."""
    return " ".join(value.split()).replace("|", "\\|")


def attribute(value: str) -> str:
    """Escape a text for HTML, as element content or a double-quoted attribute value (apostrophes kept)."""
    return html.escape(value, quote=False).replace('"', "&quot;")


# Characters YAML reads as line breaks, or that a YAML reader refuses, which JSON leaves as they are.
_YAML_BREAKS = re.compile("[\x7f-\x9f\u2028\u2029\ufeff]")


def front_matter(**values: object) -> str:
    """Return a YAML front matter block for MkDocs with the given page values.

    Texts are HTML-escaped here: themes write a page's title and description into the page as they
    are (MkDocs renders its templates without autoescaping), so what a contributor wrote in a title
    or a summary can never become an element of the page."""
    lines = [f"{key}: {_yaml_text(attribute(value) if isinstance(value, str) else value)}"
             for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def _yaml_text(value: object) -> str:
    return _YAML_BREAKS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(value, ensure_ascii=False))


# What contributors' Markdown may become in a reader's browser: no script, style, form or frame,
# no event or style attribute, links only to http(s), mailto or the manual itself.
SAFE_TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "del", "em", "figcaption", "figure",
             "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
             "small", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul"}
SAFE_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "img": {"src", "alt", "title", "width", "height"},
                   "td": {"align"}, "th": {"align"}, "ol": {"start"}}
_HEADING_LINE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_ATTR_LIST = re.compile(r"\s*\{[^}]*\}\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


@functools.cache
def _renderer():
    import markdown as python_markdown

    return python_markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])


# What safe_html has rendered in this process, by source.
_RENDERED: dict[str, str] = {}


def safe_html(source: str) -> str:
    """Render contributor Markdown to HTML, then keep only what SAFE_TAGS and SAFE_ATTRIBUTES allow.

    A text is rendered once per build, however many pages and languages show it (a recommendation
    appears on its page, in its chapter and in the index), with one Markdown parser reused.
    """
    rendered = _RENDERED.get(source)
    if rendered is None:
        if len(_RENDERED) >= 200_000:  # a long `serve` session: start again rather than grow
            _RENDERED.clear()
        rendered = _RENDERED[source] = _sanitised(source)
    return rendered


def _sanitised(source: str) -> str:
    import nh3

    rendered = _renderer().reset().convert(source)
    return nh3.clean(rendered, tags=SAFE_TAGS, attributes=SAFE_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                     clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"})


def _sanitised_all(sources: list[str]) -> list[str]:
    return [_sanitised(source) for source in sources]


# Below this many texts, a second process costs more than it saves.
_PARALLEL_MIN = 2_000


def prerender(bodies: Iterable[str], texts: Iterable[str], workers: int) -> None:
    """Render at once, in `workers` forked processes, what safe_body(body) and safe_html(text) and
    safe_inline(text) will be asked for, so that writing the pages then finds it rendered.

    With one worker there is nothing to gain: each text is rendered when first asked for."""
    if workers <= 1:
        return
    wanted = {content for body in bodies for _, _, content in sections(body) if content}
    wanted |= set(texts) | {" ".join(text.split()) for text in texts}
    todo = sorted(source for source in wanted if source not in _RENDERED)
    _RENDERED.update(zip(todo, map_chunks(_sanitised_all, todo, workers, min_items=_PARALLEL_MIN)))


def safe_inline(source: str) -> str:
    """Render one line of contributor Markdown to safe inline HTML (for a table cell)."""
    html_text = safe_html(" ".join(source.split()))
    return html_text.removeprefix("<p>").removesuffix("</p>").replace("|", "&#124;").replace("\n", " ")


def sections(body: str) -> tuple[tuple[int, str, str], ...]:
    """Split a body into (heading level, heading text, Markdown under it); the first may have no heading."""
    found: list[tuple[int, str, list[str]]] = [(0, "", [])]
    fence = None
    for line in body.split("\n"):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
        heading = _HEADING_LINE.match(line) if fence is None else None
        if heading:
            found.append((len(heading.group(1)), _ATTR_LIST.sub("", heading.group(2)), []))
        else:
            found[-1][2].append(line)
    return tuple((level, title, "\n".join(lines).strip()) for level, title, lines in found
                 if title or "".join(lines).strip())


def safe_body(body: str, parts: tuple[tuple[int, str, str], ...] | None = None) -> str:
    """Return a contribution's body as generated Markdown: headings as text, each section as sanitised HTML.

    `parts` are the body's sections(), if they are known already."""
    out = []
    for level, title, content in parts if parts is not None else sections(body):
        if title:
            out.append(f"{'#' * level} {text(title)}")
        if content:
            out.append(f"<div class=\"continuum-section\">\n{safe_html(content)}\n</div>")
    return "\n\n".join(out)
