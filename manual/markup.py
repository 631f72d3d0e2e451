"""What contributors' Markdown shows and links to, wherever it is written: images, files, links,
reference definitions, anchors and raw HTML, with their places in the file.

Used by validate (which refuses what a reader must not get) and by the renderers' copies of a
contribution's files. Fenced code blocks are skipped: their text is shown as written.
"""

from __future__ import annotations

import html
import re
from typing import Iterable
from urllib.parse import unquote

from .model import Document, FileLink, Problem

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HEADING2 = re.compile(r"^##[ \t]+(.+?)[ \t]*#*[ \t]*$")
_ATTRS = re.compile(r"\s*\{[^}]*\}\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]*)", re.IGNORECASE)
_HTML_ALT = re.compile(r"\balt\s*=\s*[\"']([^\"']*)", re.IGNORECASE)


def body_lines(body: str, first_line: int) -> Iterable[tuple[int, str]]:
    """Yield (file line, text) for the body's lines outside fenced code blocks."""
    if "```" not in body and "~~~" not in body:
        return enumerate(body.split("\n"), start=first_line)
    return _unfenced_lines(body, first_line)


def _unfenced_lines(body: str, first_line: int) -> Iterable[tuple[int, str]]:
    fence = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
            continue
        if fence is None:
            yield number, line


def headings(body: str, first_line: int) -> list[tuple[int, str]]:
    """Return the level-2 headings of a body with their lines."""
    found = []
    for number, line in body_lines(body, first_line):
        match = _HEADING2.match(line) if line.startswith("##") else None
        if match:
            found.append((number, _ATTRS.sub("", match.group(1)).strip()))
    return found


_MD_FILE_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(\s*<?([^)\s>]+)")


# A link reference definition ([label]: target), and an image that uses one: ![alt][label], ![alt][] or ![alt].
_REF_DEF = re.compile(r"^ {0,3}\[((?:[^\]\\]|\\.){1,999})\]:[ \t]*<?([^\s>]*)>?")
_REF_IMAGE = re.compile(r"!\[([^\]]*)\](?:\[([^\]]*)\])?(?![(\[])")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\t-]*:|^//")


def shown(text: str, limit: int = 80) -> str:
    """A contributor's text as a message quotes it: on one line, cut after `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def definitions(body: str, first_line: int) -> dict[str, FileLink]:
    """Return the body's link reference definitions by label (the first of a label counts, as in
    Markdown), each as a FileLink at the place of its target."""
    found: dict[str, FileLink] = {}
    lines = list(body_lines(body, first_line))
    for index, (number, line) in enumerate(lines):
        match = _REF_DEF.match(line) if "]:" in line else None
        if match and match.group(2):
            found.setdefault(_label(match.group(1)), FileLink(source=match.group(2), alt="", line=number,
                                                              column=match.start(2) + 1))
        elif match and index + 1 < len(lines) and lines[index + 1][1].strip():  # the target on the next line
            following, text = lines[index + 1]
            target = text.split()[0].removeprefix("<").removesuffix(">")
            found.setdefault(_label(match.group(1)), FileLink(source=target, alt="", line=following,
                                                              column=text.index(text.split()[0]) + 1))
    return found


def images(body: str, first_line: int) -> list[FileLink]:
    """Return the images a body shows, written inline, in HTML or through a reference definition."""
    found = []
    references = definitions(body, first_line) if "]:" in body else {}
    for number, line in body_lines(body, first_line):
        for match in _MD_IMAGE.finditer(line) if "![" in line else ():
            found.append(FileLink(source=match.group(2), alt=match.group(1).strip(), line=number,
                                  column=match.start() + 1))
        for match in _REF_IMAGE.finditer(line) if "![" in line and references else ():
            target = references.get(_label(match.group(2) or match.group(1)))
            if target is not None:
                found.append(FileLink(source=target.source, alt=match.group(1).strip(), line=number,
                                      column=match.start() + 1))
        for match in _HTML_IMAGE.finditer(line) if "<" in line else ():
            tag = line[match.start():line.find(">", match.start()) + 1 or len(line)]
            alt = _HTML_ALT.search(tag)
            found.append(FileLink(source=match.group(1), alt=alt.group(1).strip() if alt else "", line=number,
                                  column=match.start() + 1))
    return found


def _is_file(target: str) -> bool:
    decoded = html.unescape(unquote(target)).strip()
    return not decoded.startswith("#") and not _SCHEME.match(decoded)


def attachments(body: str, first_line: int) -> list[FileLink]:
    """Return the body's links to files of its own folder (not to pages, anchors or other sites), inline
    or through a reference definition that no image uses."""
    found = []
    for number, line in body_lines(body, first_line):
        for match in _MD_FILE_LINK.finditer(line) if "](" in line else ():
            target = match.group(2)
            if _is_file(target):
                found.append(FileLink(source=target.split("#", 1)[0], alt=match.group(1).strip(), line=number,
                                      column=match.start() + 1))
    if "]:" in body:
        pictured = {image.source for image in images(body, first_line)}
        found += [FileLink(source=d.source.split("#", 1)[0], alt="", line=d.line, column=d.column)
                  for d in definitions(body, first_line).values() if d.source not in pictured and _is_file(d.source)]
    return found


# --- in-page anchors ------------------------------------------------------------------------------------

_MD_ANCHOR = re.compile(r"\]\(\s*<?#([^)\s>]*)")


def anchors(body: str, first_line: int, recommendation_ids: Iterable[str]) -> set[str]:
    """The anchors a link of the body may name on its own page: its headings' (as the site and the PDF give
    them) and the contribution's recommendations'."""
    from markdown.extensions.toc import slugify

    found = set(recommendation_ids)
    for _, line in body_lines(body, first_line):
        match = _HEADING_ANY.match(line) if line.startswith("#") else None
        if match:
            found.add(slugify(_ATTRS.sub("", match.group(1)).strip(), "-"))
    return found


_HEADING_ANY = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$")


def check_anchors(path: str, body: str, first_line: int, recommendation_ids: Iterable[str],
                  problems: list[Problem]) -> None:
    """Refuse a link to '#…' that names nothing on the contribution's page (a dead link in the site,
    and a PDF that can't be made)."""
    if "](#" not in body and "]: #" not in body and "]:#" not in body:
        return
    known = anchors(body, first_line, recommendation_ids)
    targets = [(number, match.start(1), match.group(1)) for number, line in body_lines(body, first_line)
               for match in _MD_ANCHOR.finditer(line)]
    targets += [(d.line, d.column, d.source[1:]) for d in definitions(body, first_line).values()
                if d.source.startswith("#")]
    for number, column, anchor in sorted(targets):
        if unquote(anchor) not in known:
            listed = ", ".join(f"#{a}" for a in sorted(known)) or "none"
            problems.append(Problem(path, number, column, "dead-anchor",
                                    f"the link to '#{shown(anchor)}' leads nowhere on this page; link to one of its "
                                    f"headings or recommendations ({listed}), or remove the link"))


# --- recommendation texts ---------------------------------------------------------------------------

def value_lines(doc: Document, place: tuple, text: str) -> tuple[list[tuple[int, str]], int]:
    """The (file line, text) lines of a front-matter text, and the column where its first line starts.

    A block scalar ('text: |' or '>') has its lines below the key, indented; a quoted or plain
    one starts at its value, and its later lines (if any) are placed on its first."""
    span = doc.where(place)
    source = doc.source.split("\n") if doc.source else []
    index = span.line - doc.first_line
    written = source[index] if 0 <= index < len(source) else ""
    start = written[span.column - 1:span.column]
    if start in ("|", ">"):
        below = next((line for line in source[index + 1:] if line.strip()), "")
        return list(enumerate(text.split("\n"), start=span.line + 1)), len(below) - len(below.lstrip()) + 1
    column = span.column + (start in ("'", '"'))
    return [(span.line, line) for line in text.split("\n")], column


def check_recommendation_texts(doc: Document, problems: list[Problem]) -> None:
    """A recommendation is shown in its contribution, its chapter, the index, the PDF and the exports:
    it may hold links to other sites, but no image, no file and no link into one page."""
    entries = doc.data.get("recommendations") if isinstance(doc.data, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else ()):
        text = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(text, str):
            continue
        lines, column = value_lines(doc, ("recommendations", index, "text"), text)
        check_markup(doc.path, lines, problems, column=column)
        found = [(link, "image") for link in images(text, lines[0][0])]
        found += [(link, "link") for link in attachments(text, lines[0][0])]
        found += [(FileLink(source="#" + m.group(1), alt="", line=n, column=m.start() + 1), "link")
                  for n, line in lines for m in _MD_ANCHOR.finditer(line)]
        for link, kind in sorted(found, key=lambda item: (item[0].line, item[0].column)):
            at = column - 1 if link.line == lines[0][0] else 0
            problems.append(Problem(doc.path, link.line, at + link.column, f"{kind}-in-recommendation",
                                    f"the {kind} '{shown(link.source)}' can't be part of a recommendation, which is "
                                    "shown on several pages and in the PDF: "
                                    + ("show the image in the text of the contribution, below the front matter"
                                       if kind == "image" else
                                       "link to a full address (https://…), or put the link in the text of the "
                                       "contribution")))


# --- raw HTML and links ---------------------------------------------------------------------------------

_ALLOWED_TAGS = {"abbr", "b", "br", "cite", "em", "i", "kbd", "mark", "q", "s", "small", "strong", "sub", "sup",
                 "u", "img"}
_TAG = re.compile(r"<\s*([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>?")
_BAD_ATTRIBUTE = re.compile(r"\b(on[a-z]+|style|srcdoc|formaction)\s*=", re.IGNORECASE)
_MD_LINK = re.compile(r"\]\(\s*<?([^)\s>]*)")
_HTML_URL = re.compile(r"\b(?:href|src)\s*=\s*[\"']?([^\"'\s>]*)", re.IGNORECASE)
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|#|[^:]*$)", re.IGNORECASE)
_CODE_SPAN = re.compile(r"`[^`]*`")
# Attributes ({#id}, {.class}, {: …}, {=format}) and pandoc's fenced blocks (::: …).
_PANDOC_ATTRIBUTES = re.compile(r"\{\s*[#.:=%][^{}]{0,200}\}|^\s*:::.*")


def check_markup(path: str, lines: Iterable[tuple[int, str]], problems: list[Problem], *, column: int = 1) -> None:
    """Refuse raw HTML beyond a few inline tags, and links that are not http(s), mailto or relative, in the
    (file line, text) `lines` of a text of the file `path` (`column`: where its first line starts)."""
    first = True
    for number, line in lines:
        shift, first = (column - 1 if first else 0), False
        if "<" not in line and "](" not in line and "=" not in line and "]:" not in line and "{" not in line \
                and ":::" not in line:
            continue
        if "`" in line:
            line = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)
        for match in _PANDOC_ATTRIBUTES.finditer(line) if "{" in line or ":::" in line else ():
            problems.append(Problem(path, number, shift + match.start() + 1, "markup-attributes",
                                    f"'{shown(match.group(0))}' sets an identifier, a class or a block of the "
                                    "page, which the manual sets itself (and two that are the same break the PDF); "
                                    "remove it"))
        for match in _TAG.finditer(line) if "<" in line else ():
            tag = match.group(1).lower()
            where = (path, number, shift + match.start() + 1)
            if tag not in _ALLOWED_TAGS:
                problems.append(Problem(*where, "raw-html",
                                        f"the HTML tag <{tag}> is not allowed in a contribution; write Markdown "
                                        "instead (only " + ", ".join(f"<{t}>" for t in sorted(_ALLOWED_TAGS)) +
                                        " are accepted)"))
            elif _BAD_ATTRIBUTE.search(match.group(2)):
                problems.append(Problem(*where, "raw-html",
                                        f"the attribute '{_BAD_ATTRIBUTE.search(match.group(2)).group(1)}' is not "
                                        f"allowed on <{tag}>: no scripts or styles in a contribution; remove it"))
        for pattern, group in ((_MD_LINK, 1), (_HTML_URL, 1), (_REF_DEF, 2)):
            for match in pattern.finditer(line):
                url = html.unescape(unquote(match.group(group))).strip()
                compact = re.sub(r"[\s\x00-\x1f]", "", url)
                if not _SAFE_SCHEME.match(compact):
                    problems.append(Problem(path, number, shift + match.start(group) + 1, "unsafe-link",
                                            f"the link '{shown(match.group(group))}' is not allowed; links start with "
                                            "https://, http:// or mailto:, or name a page or file of the manual"))
