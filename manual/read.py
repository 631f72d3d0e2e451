"""Read: files under the manual's root → documents that remember where each value came from.

Reading never raises on bad input: every unreadable file becomes a Problem with its place,
so that `check` reports everything in one run.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import frontmatter
import yaml

from .model import Document, Places, Problem, Span

log = logging.getLogger(__name__)

CONTRIBUTIONS = "contributions"
MAX_TEXT_BYTES = 200_000
MAX_YAML_NODES = 10_000
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOUNDARY = frontmatter.default_handlers.YAMLHandler.FM_BOUNDARY


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML, with the C parser where there is one, that keeps dates as text.

    Dates stay strings so that an impossible one (2025-13-01) is reported by the schema
    with its place instead of failing inside PyYAML.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _TooLarge(Exception):
    """The document expands to more values than a contribution can need."""

    def __init__(self, node: yaml.Node):
        self.node = node


@dataclass
class Tree:
    """What `read_tree` found: settings, themes, cities and contributions, as documents."""

    settings: Document | None
    themes: Document | None
    cities: dict[str, Document | None] = field(default_factory=dict)
    contributions: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_read: int = 0
    contribution_files: int = 0


Reader = Callable[[Path, str, list[Problem]], "Document | None"]


def read_tree(root: Path, *, yaml_reader: Reader | None = None, markdown_reader: Reader | None = None) -> Tree:
    """Read manual.yml, themes.yml and every city and contribution under contributions/.

    The readers of YAML files and of contributions can be replaced (the live preview's keep
    what they read from one rebuild to the next).
    """
    read_yaml_file = yaml_reader or read_yaml
    read_markdown = markdown_reader or read_contribution
    problems: list[Problem] = []
    settings = read_yaml_file(root, "manual.yml", problems)
    themes = read_yaml_file(root, "themes.yml", problems)
    tree = Tree(settings=settings, themes=themes, problems=problems, files_read=2)
    base = root / CONTRIBUTIONS
    if not base.is_dir():
        problems.append(Problem(CONTRIBUTIONS, 1, 1, "no-contributions",
                                "the folder 'contributions/' is missing; create it with one folder per city"))
        return tree
    links, names = _scan(root, base)
    problems.extend(Problem(link, 1, 1, "symlink",
                            f"'{link}' is a symbolic link; a contribution's files must be real files inside its "
                            "folder: replace the link with the file itself") for link in sorted(links))
    problems.extend(_name_problems(names))
    for entry in sorted(base.iterdir(), key=lambda p: p.name):
        rel = f"{CONTRIBUTIONS}/{entry.name}"
        if entry.name.startswith(".") or rel in links or not entry.name.isprintable():
            continue  # (a name that can't be printed is reported by _name_problems, and its files once renamed)
        if not entry.is_dir():
            if entry.suffix == ".md" and entry.name.lower() != "readme.md":
                problems.append(Problem(rel, 1, 1, "outside-city-folder",
                                        f"'{entry.name}' is not inside a city folder; move it to "
                                        f"contributions/<city>/{entry.name}"))
            continue
        if (entry / "city.yml").is_file() and f"{rel}/city.yml" not in links:
            tree.cities[entry.name] = read_yaml_file(root, f"{rel}/city.yml", problems)
            tree.files_read += 1
        else:
            tree.cities[entry.name] = None
        for name in sorted(name for name in os.listdir(entry) if name.endswith(".md") and name.isprintable()):
            if f"{rel}/{name}" in links:
                continue
            tree.files_read += 1
            tree.contribution_files += 1
            doc = read_markdown(root, f"{rel}/{name}", problems)
            if doc is not None:
                tree.contributions.append(doc)
    return tree


def _scan(root: Path, base: Path) -> tuple[set[str], list[str]]:
    """Return every symbolic link under contributions/, which could pull files from elsewhere, and the
    path of every file and folder there."""
    links, names = set(), []
    folders = [str(base)]
    start = len(str(root)) + 1  # (entries' paths start with the root's: cut, not parsed, for thousands)
    while folders:  # the folders' entries say what they are: no call to the system per file
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                rel = entry.path[start:].replace(os.sep, "/")
                names.append(rel)
                if entry.is_symlink():
                    links.add(rel)
                elif entry.is_dir():
                    folders.append(entry.path)
    return links, names


# A file or folder name under contributions/: lower-case letters and digits, in words joined by a dash,
# a dot or an underscore. Such a name means the same on every system and in every generated file
# (CODEOWNERS, addresses, the PDF), and two of them never differ by case or accents alone.
SAFE_NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")
SAFE_FOLDER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _name_problems(names: list[str]) -> list[Problem]:
    """Report the names under contributions/ outside SAFE_NAME (cities' folders: SAFE_FOLDER), and names
    that differ from another only by case or by how their accents are encoded."""
    problems, seen = [], {}
    for rel in sorted(names):
        parent, _, name = rel.rpartition("/")
        folder = parent == CONTRIBUTIONS
        if name.startswith(".") or (folder and name.lower() == "readme.md"):
            continue
        pattern = SAFE_FOLDER if folder and "." not in name else SAFE_NAME
        if not pattern.fullmatch(name):
            problems.append(Problem(_printable(rel), 1, 1, "unsafe-name",
                                    f"the name '{_printable(name)}' is not allowed; use lower-case letters, "
                                    "digits and dashes only, such as "
                                    f"'{_suggest_name(name, folder)}'"))
        key = f"{parent}/{unicodedata.normalize('NFC', name).casefold()}"
        if key in seen:
            problems.append(Problem(_printable(rel), 1, 1, "name-clash",
                                    f"'{_printable(name)}' differs from '{_printable(seen[key])}' only by case or "
                                    "accents, which some systems take for the same file; rename one of them"))
        seen.setdefault(key, name)
    return problems


def _printable(text: str) -> str:
    """A name as it can be shown on one line of a report: control characters written as \\xNN."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


def _suggest_name(name: str, folder: bool) -> str:
    stem, dot, suffix = name.rpartition(".") if "." in name and not folder else (name, "", "")
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower()
    words = re.findall(r"[a-z0-9]+", plain) or ["file"]
    suffix = "".join(re.findall(r"[a-z0-9]", suffix.lower()))
    return "-".join(words) + (f".{suffix}" if dot and suffix else "")


def read_yaml(root: Path, rel: str, problems: list[Problem]) -> Document | None:
    """Read a YAML file into a document, or report why it can't be read."""
    text = _read_text(root, rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(rel, 1, 1, "empty-file", "the file is empty; fill it in or delete it"))
        return None
    return parse_yaml(text, rel, problems, first_line=1)


def read_contribution(root: Path, rel: str, problems: list[Problem]) -> Document | None:
    """Read a contribution: its front matter as a document, its body as text."""
    text = _read_text(root, rel, problems)
    if text is None:
        return None
    if not text.strip():
        problems.append(Problem(rel, 1, 1, "empty-file",
                                "the file is empty; start it with a front matter between two '---' lines, "
                                "then write the text (see docs/en/contribute.md)"))
        return None
    if not frontmatter.YAMLHandler().detect(text):
        problems.append(Problem(rel, 1, 1, "no-front-matter",
                                "the file does not start with a front matter; put the metadata (id, title, city…) "
                                "between two lines of three dashes '---' at the very top of the file"))
        return None
    boundaries = list(itertools.islice(_BOUNDARY.finditer(text, 0), 2))
    if len(boundaries) < 2:
        problems.append(Problem(rel, 1, 1, "unclosed-front-matter",
                                "the front matter is never closed; add a line of three dashes '---' after the "
                                "last metadata line"))
        return None
    start, end = boundaries
    first_line = text.count("\n", 0, start.end()) + 1
    doc = parse_yaml(text[start.end():end.start()], rel, problems, first_line=first_line)
    if doc is None:
        return None
    if doc.data is None or not isinstance(doc.data, dict):
        kind = "empty" if doc.data is None else f"a {_yaml_kind(doc.data)}"
        problems.append(Problem(rel, first_line, 1, "front-matter-not-mapping",
                                f"the front matter is {kind}, not a set of 'key: value' lines; write one "
                                "field per line, such as 'id: nice-001'"))
        return None
    doc.body = text[end.end():]
    doc.body_line = text.count("\n", 0, end.end()) + 1
    return doc


def parse_yaml(text: str, rel: str, problems: list[Problem], *, first_line: int) -> Document | None:
    """Parse YAML text safely; `first_line` is the file line the text starts on."""
    offset = first_line - 1
    doc = Document(path=rel, data=None, source=text, first_line=first_line)
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            found: list[Problem] = []
            data = _walk(node, (), doc.places, rel, found, offset, [MAX_YAML_NODES], loader)
            if found:
                problems.extend(found)
                return None
            problems.extend(_dropped_comments(doc, text.split("\n"), offset))
            doc.data = data
    except _TooLarge as exc:
        mark = exc.node.start_mark
        problems.append(Problem(rel, mark.line + 1 + offset, mark.column + 1, "yaml-too-large",
                                f"the YAML expands to more than {MAX_YAML_NODES} values (through anchors '&' "
                                "and aliases '*'); write the values out plainly"))
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
        bad_line = text.split("\n")[mark.line] if mark and mark.line < text.count("\n") + 1 else ""
        message = _yaml_message(exc, bad_line)
        opened = exc.context_mark
        if opened and mark and opened.line != mark.line:
            message += f" (what is not closed starts on line {opened.line + 1 + offset})"
        problems.append(Problem(rel, line, column, "yaml-syntax", message))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(rel, first_line, 1, "yaml-syntax", f"the YAML cannot be read: {exc}"))
        return None
    finally:
        loader.dispose()
    return doc


_STR, _SEQ, _MAP, _MERGE = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map", "merge"))


def _walk(node: yaml.Node, path: tuple, places: Places, rel: str, problems: list[Problem], offset: int,
          budget: list[int], loader: yaml.BaseLoader) -> Any:
    """Record the place of every key and value under `node` and return its value, as PyYAML's safe
    loader builds it (texts, lists and mappings here; other values by the loader itself).

    Places are kept as (line, column) pairs; Document.where() gives them as Spans. This walk runs
    on every value of every file, so it is written for speed.
    """
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge(node)
    mark = node.start_mark
    values = places.values
    if path not in values:
        values[path] = (mark.line + 1 + offset, mark.column + 1)
    kind = type(node)
    if kind is yaml.ScalarNode:
        if path not in places.raw:
            places.raw[path] = node.value
        if not node.style and mark.line == node.end_mark.line:
            places.plain_ends[path] = (node.end_mark.line, node.end_mark.column)
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode:
        items = [_walk(item, path + (index,), places, rel, problems, offset, budget, loader)
                 for index, item in enumerate(node.value)]
        return items if node.tag == _SEQ else loader.construct_object(node, deep=True)
    mapping: dict = {}
    seen: dict[str, yaml.Node] = {}
    keys = places.keys
    by_loader = node.tag != _MAP
    for key_node, value_node in node.value:
        if type(key_node) is not yaml.ScalarNode:
            span = _span(key_node, offset)
            problems.append(Problem(rel, span.line, span.column, "yaml-complex-key",
                                    "a key must be a plain word, not a list or a mapping"))
            continue
        key = key_node.value
        if key in seen:
            first = _span(seen[key], offset)
            span = _span(key_node, offset)
            problems.append(Problem(rel, span.line, span.column, "duplicate-key",
                                    f"the key '{key}' appears twice (first on line {first.line}); "
                                    "keep only one of them"))
            continue
        seen[key] = key_node
        child = path + (key,)
        key_mark = key_node.start_mark
        keys[child] = (key_mark.line + 1 + offset, key_mark.column + 1)
        value = _walk(value_node, child, places, rel, problems, offset, budget, loader)
        if key_node.tag == _STR:
            mapping[key] = value
        elif key_node.tag == _MERGE:
            by_loader = True
        else:
            mapping[loader.construct_object(key_node, deep=True)] = value
    # Merge keys (<<) and tagged mappings: as the loader builds them.
    return loader.construct_object(node, deep=True) if by_loader else mapping


def _dropped_comments(doc: Document, lines: list[str], offset: int) -> list[Problem]:
    """Warn where an unquoted text is followed by ' #': YAML drops the rest of the line as a comment."""
    found = []
    for path, (line, column) in doc.plain_ends.items():
        rest = lines[line][column:] if line < len(lines) else ""
        if rest.lstrip().startswith("#") and rest[:1] in (" ", "\t") and path and isinstance(doc.raw.get(path), str):
            found.append(Problem(doc.path, line + 1 + offset, column + 1, "comment-in-value",
                                 f"the text after ' #' is read as a comment and left out of '{path[-1]}'; if it "
                                 f"belongs to the value, put the whole value in double quotes", "warning"))
    return found


def _span(node: yaml.Node, offset: int) -> Span:
    return Span(node.start_mark.line + 1 + offset, node.start_mark.column + 1)


def _yaml_message(exc: yaml.MarkedYAMLError, line: str) -> str:
    problem = exc.problem or "invalid YAML"
    if "could not determine a constructor for the tag" in problem:
        tag = re.search(r"'([^']*)'", problem)
        return (f"the YAML tag '{tag.group(1) if tag else '!!'}' is not allowed (tags could run code or build "
                "objects); write the value as plain text")
    context = f" {exc.context}" if exc.context else ""
    hint = ""
    if "\t" in line:
        hint = "; indent with spaces, not tabs"
    elif "flow sequence" in f"{problem} {exc.context}" or "flow mapping" in f"{problem} {exc.context}":
        hint = ("; a list in brackets must end with ']' and separate its items with commas; "
                "a text that starts with '[' or '{' must be put in quotes")
    elif "mapping values are not allowed" in problem:
        hint = "; a value that contains ': ' must be put in quotes"
    elif "expected <block end>" in problem or "did not find expected key" in problem:
        hint = "; check the indentation of this line and the one before"
    return f"the YAML cannot be read:{context} {problem}{hint}".replace("  ", " ")


def _yaml_kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "single text"
    return type(value).__name__


def _read_text(root: Path, rel: str, problems: list[Problem]) -> str | None:
    path = root / rel
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(rel, 1, 1, "missing-file", f"the file '{rel}' is missing; create it"))
        return None
    except OSError as exc:
        problems.append(Problem(rel, 1, 1, "unreadable-file", f"the file cannot be read: {exc.strerror}"))
        return None
    if len(raw) > MAX_TEXT_BYTES:
        problems.append(Problem(rel, 1, 1, "file-too-large",
                                f"the file is {len(raw):,} bytes, more than the {MAX_TEXT_BYTES:,} allowed; "
                                "shorten the text or split it into several contributions"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.append(Problem(rel, line, column, "not-utf8",
                                f"the byte 0x{raw[exc.start]:02x} is not UTF-8; save the file as UTF-8 "
                                "(in most editors: 'Save with encoding' → UTF-8)"))
        return None
    return text.replace("\r\n", "\n")
