"""The plain data that the stages pass to each other."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any, NamedTuple

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the sources, where it is and how to fix it."""

    file: str
    line: int
    column: int
    code: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.severity} [{self.code}] {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


class Span(NamedTuple):
    """A place in a source file: 1-based line and column."""

    line: int
    column: int


@dataclass
class Places:
    """Where each key and value of a YAML document is: (line, column) by path, and how it was written."""

    values: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    keys: dict[tuple, tuple[int, int]] = field(default_factory=dict)
    raw: dict[tuple, str] = field(default_factory=dict)
    plain_ends: dict[tuple, tuple[int, int]] = field(default_factory=dict)


@dataclass
class Document:
    """A YAML file or a Markdown file's front matter, with the place of every key and value.

    A document read in another process comes without its places (stripped(): they are most of its
    size); they are found again in `source`, the YAML text, the first time they are asked for.
    """

    path: str
    data: Any
    body: str = ""
    body_line: int = 1
    source: str = ""
    first_line: int = 1
    places: Places | None = field(default_factory=Places, repr=False)

    @property
    def values(self) -> dict[tuple, tuple[int, int]]:
        return self.found_places().values

    @property
    def keys(self) -> dict[tuple, tuple[int, int]]:
        return self.found_places().keys

    @property
    def raw(self) -> dict[tuple, str]:
        return self.found_places().raw

    @property
    def plain_ends(self) -> dict[tuple, tuple[int, int]]:
        return self.found_places().plain_ends

    def found_places(self) -> Places:
        if self.places is None:
            from .read import parse_yaml  # the reader is what knows how places are found

            again = parse_yaml(self.source, self.path, [], first_line=self.first_line)
            self.places = again.found_places() if again is not None else Places()
        return self.places

    def stripped(self, *, content: bool = True) -> Document:
        """This document without its places, to send to another process; without its data and body
        either unless `content` (where its record holds them already)."""
        if not content:
            return Document(self.path, None, "", self.body_line, self.source, self.first_line, places=None)
        return Document(self.path, self.data, self.body, self.body_line, self.source, self.first_line, places=None)

    def where(self, path: tuple = (), *, key: bool = False) -> Span:
        """Return the place of the value (or key) at `path`, or of its nearest parent."""
        places = self.found_places()
        table = places.keys if key else places.values
        while path not in table and path:
            path = path[:-1]
        return Span._make(table.get(path) or places.values.get(path) or (1, 1))


@dataclass(frozen=True)
class Theme:
    """A chapter of the manual."""

    id: str
    names: dict[str, str]
    number: int

    def name(self, lang: str) -> str:
        return self.names.get(lang) or self.names.get("en") or self.id


@dataclass(frozen=True)
class City:
    """A contributing city (or network body), from contributions/<city>/city.yml."""

    id: str
    path: str
    name: str
    names: dict[str, str]
    kind: str
    country: str
    police_force: str
    networks: tuple[str, ...]
    lat: float
    lon: float

    def display_name(self, lang: str) -> str:
        return self.names.get(lang, self.name)


@dataclass(frozen=True)
class Recommendation:
    """One recommendation, citable by its id."""

    id: str
    text: str
    strength: str | None
    contribution_id: str
    line: int
    language: str = ""  # set where the text is in another language than its page (an untranslated one)


@dataclass(frozen=True)
class FileLink:
    """A file of the contribution's folder that its body shows (an image) or links to (an attachment)."""

    source: str
    alt: str
    line: int
    column: int


@dataclass
class Contribution:
    """One city's contribution, validated."""

    id: str
    path: str
    title: str
    city: str
    language: str
    themes: tuple[str, ...]
    type: str
    summary: str
    status: str
    sensitivity: str
    submitted: dt.date
    body: str
    body_line: int
    evidence: str | None = None
    recommendations: tuple[Recommendation, ...] = ()
    last_reviewed: dt.date | None = None
    review_by: dt.date | None = None
    related: tuple[str, ...] = ()
    supersedes: tuple[str, ...] = ()
    events: tuple[dict, ...] = ()
    tags: tuple[str, ...] = ()
    contacts: tuple[dict, ...] = ()
    images: tuple[FileLink, ...] = ()
    attachments: tuple[FileLink, ...] = ()

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]


@dataclass(frozen=True)
class Translation:
    """A translation of a contribution: only the translated text, and what it was translated from."""

    path: str
    translation_of: str
    language: str
    source_fingerprint: str
    title: str
    summary: str
    recommendations: tuple[tuple[str, str], ...]
    body: str
    body_line: int
    images: tuple[FileLink, ...] = ()
    attachments: tuple[FileLink, ...] = ()

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0]


ORIGINAL, TRANSLATED, OUTDATED, MISSING = "original", "translated", "outdated", "missing"


@dataclass(frozen=True)
class Localisation:
    """How a contribution reads in one language: its own text, a translation, or the original."""

    state: str  # ORIGINAL, TRANSLATED, OUTDATED (the original changed since) or MISSING (original shown)
    original_language: str
    translation: Translation | None = None


@dataclass(frozen=True)
class Settings:
    """manual.yml: the manual's settings, in one place."""

    title: str
    subtitle: dict[str, str]
    publisher: str
    licence: str
    edition: str
    languages: tuple[str, ...]
    site_url: str
    allowed_addresses: tuple[str, ...] = ()


@dataclass
class Sources:
    """Everything read and validated: what the merge works from."""

    root: str
    settings: Settings
    themes: list[Theme]
    cities: dict[str, City]
    contributions: list[Contribution]
    problems: list[Problem]
    translations: list[Translation] = field(default_factory=list)
    files_read: int = 0
    contribution_files: int = 0
    editions: list = field(default_factory=list)  # editions.Edition, oldest first

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


@dataclass
class Chapter:
    """A theme with what the manual publishes in it."""

    theme: Theme
    contributions: list[Contribution]
    recommendations: list[Recommendation]


@dataclass
class Manual:
    """The merged manual: what every renderer works from, and nothing else."""

    root: str
    settings: Settings
    chapters: list[Chapter]
    cities: dict[str, City]
    contributions: dict[str, Contribution]
    recommendations: dict[str, Recommendation]
    tags: dict[str, list[Contribution]]
    latest: list[Contribution]
    figures: dict[str, int]
    build_date: dt.date
    preview: bool = False
    members: bool = False
    # Every translation of a published contribution: id → language → translation.
    translations: dict[str, dict[str, Translation]] = field(default_factory=dict)
    # The fingerprint of each published contribution's text, which translations are compared with.
    fingerprints: dict[str, str] = field(default_factory=dict)
    # Set on the view of the manual in one language (merge.localise): which language, and how each
    # contribution reads in it.
    language: str | None = None
    localisations: dict[str, Localisation] = field(default_factory=dict)
    # In a view: each contribution as its city wrote it (the pages of original texts show them).
    originals: dict[str, Contribution] = field(default_factory=dict)
    # Editions: the version built ("living", or the edition being released), every edition released so far,
    # the released ids now withdrawn or superseded (id → editions.Entry), and what changed since the
    # previous edition (editions.Changelog; None when nothing was released yet and this is the living version).
    version: str = "living"
    editions: list = field(default_factory=list)
    tombstones: dict = field(default_factory=dict)
    changes: object = None
    record: object = None  # editions.Edition: what an edition made of this build would record

    def theme(self, theme_id: str) -> Theme:
        return next(c.theme for c in self.chapters if c.theme.id == theme_id)

    def city_contributions(self, city_id: str) -> list[Contribution]:
        return self._by_city.get(city_id, [])

    @functools.cached_property
    def _by_city(self) -> dict[str, list[Contribution]]:
        found: dict[str, list[Contribution]] = {}
        for c in self.contributions.values():
            found.setdefault(c.city, []).append(c)
        return found
