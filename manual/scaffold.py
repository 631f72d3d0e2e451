"""Scaffold: write a new contribution or a new city's card from a template, ready to fill in.

The templates take their section headings from schema/sections.yml and their guidance from
manual/labels/cli/<lang>.yml, so a contribution starts in its author's language and passes
`check` as written (its status is draft: nothing is published before an editor approves it).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import babel.languages
import pycountry
import yaml

from .i18n import t
from .read import CONTRIBUTIONS
from .validate import schema, sections

TYPES = ("practice", "lesson-learned", "recommendation")
CONTRIBUTION_SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/contribution.schema.json"
CITY_SCHEMA_LINE = "# yaml-language-server: $schema=../../schema/city.schema.json"
_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_ID_LINE = re.compile(r"^id:\s*[\"']?([a-z0-9]+(?:-[a-z0-9]+)*)-([0-9]{3,})[\"']?\s*$", re.MULTILINE)


@dataclass(frozen=True)
class CityEntry:
    """A city of the registry: a folder of contributions/ with a city.yml."""

    id: str
    name: str
    country: str


def registry(root: Path) -> list[CityEntry]:
    """Return the cities of the registry, sorted by folder name; unreadable cards still count."""
    found = []
    base = root / CONTRIBUTIONS
    for card in sorted(base.glob("*/city.yml")) if base.is_dir() else []:
        try:
            data = yaml.safe_load(card.read_text(encoding="utf-8")) or {}
        except (yaml.YAMLError, OSError, UnicodeDecodeError):
            data = {}
        data = data if isinstance(data, dict) else {}
        found.append(CityEntry(card.parent.name, str(data.get("name", card.parent.name)), str(data.get("country", ""))))
    return found


def languages() -> list[str]:
    """Return the languages that have section headings, hence can be written in."""
    return sorted({lang for names in sections()["sections"].values() for lang in names})


def default_language(country: str) -> str:
    """Return the first official language of a country that has section headings, or English."""
    known = set(languages())
    official = babel.languages.get_official_languages(country) if country else ()
    return next((lang for lang in official if lang in known), "en")


def themes(root: Path) -> list[tuple[str, dict[str, str]]]:
    """Return (id, names by language) of every theme of themes.yml, in order."""
    data = yaml.safe_load((root / "themes.yml").read_text(encoding="utf-8")) or []
    return [(item["id"], dict(item.get("name", {}))) for item in data if isinstance(item, dict) and "id" in item]


def theme_name(names: dict[str, str], lang: str, theme_id: str) -> str:
    """Return a theme's name in `lang`, else in English, else its id."""
    return names.get(lang) or names.get("en") or theme_id


def next_id(root: Path, city: str) -> str:
    """Return the city's next free id: the number after every id of that city found in any contribution.

    The same rule as the check's suggestion (`validate.py`), but read from the raw text of every file,
    so that a file which does not validate yet still keeps its number.
    """
    highest = 0
    base = root / CONTRIBUTIONS
    for path in base.glob("*/*.md") if base.is_dir() else []:
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _ID_LINE.finditer(text):
            if match.group(1) == city:
                highest = max(highest, int(match.group(2)))
    return f"{city}-{highest + 1:03d}"


def slugify(text: str, limit: int = 60) -> str:
    """Return a file name from a title: lower case ASCII words joined by dashes ('' if none)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > limit:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug


def is_slug(text: str) -> bool:
    """Tell whether `text` is lower-case words joined by dashes."""
    return bool(_SLUG.fullmatch(text))  # (fullmatch: "$" would let a final newline through)


def _quoted(value: str) -> str:
    """Return a YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _comment(text: str, prefix: str = "# ", width: int = 100) -> str:
    return "\n".join(prefix + line for line in textwrap.wrap(" ".join(text.split()), width - len(prefix))) + "\n"


def _html_comment(text: str, width: int = 100) -> str:
    lines = textwrap.wrap(" ".join(text.split()), width - 5)
    return "<!--\n" + "\n".join(f"  {line}" for line in lines) + "\n-->\n"


def contribution_text(*, contribution_id: str, city: str, language: str, type_: str, theme_ids: list[str],
                      title: str, submitted: dt.date) -> str:
    """Return a new contribution: front matter, then the type's required sections with guidance."""
    heads = sections()
    lang = language
    out = ["---", CONTRIBUTION_SCHEMA_LINE,
           f"id: {contribution_id}",
           f"title: {_quoted(title)}",
           f"city: {city}",
           f"language: {language}",
           f"themes: [{', '.join(theme_ids)}]",
           f"type: {type_}",
           "summary: >-"]
    out += ["  " + line for line in textwrap.wrap(" ".join(t(lang, "scaffold.summary").split()), 90)]
    out += ["status: draft", "sensitivity: public", f"submitted: {submitted.isoformat()}"]
    text = "\n".join(out) + "\n"
    text += _comment(t(lang, "scaffold.comment.evidence"))
    text += "# evidence: single-city\n"
    if type_ == "recommendation":
        text += (f"recommendations:\n  - id: {contribution_id}-r1\n    text: >-\n"
                 + "".join(f"      {line}\n" for line in textwrap.wrap(t(lang, "scaffold.recommendation"), 86)))
    else:
        text += _comment(t(lang, "scaffold.comment.recommendations"))
        text += (f"# recommendations:\n#   - id: {contribution_id}-r1\n"
                 f"#     text: {_quoted(' '.join(t(lang, 'scaffold.recommendation').split()))}\n")
    text += _comment(t(lang, "scaffold.comment.front"))
    text += "---\n\n"
    text += _html_comment(t(lang, "scaffold.intro") + " " + t(lang, "scaffold.guide.people")) + "\n"
    for section in heads["required"][type_]:
        heading = heads["sections"][section].get(lang) or heads["sections"][section]["en"]
        text += f"## {heading}\n\n" + _html_comment(t(lang, f"scaffold.guide.{section}")) + "\n"
    return text.rstrip("\n") + "\n"


def write_contribution(root: Path, *, city: str, language: str, type_: str, theme_ids: list[str], title: str,
                       slug: str | None = None, submitted: dt.date | None = None) -> tuple[Path, str]:
    """Write a new contribution into the city's folder; return its path and id.

    Raises ValueError with a message for the user if an answer is unusable.
    """
    contribution_id = next_id(root, city)
    slug = slug or slugify(title) or contribution_id
    if not is_slug(slug):
        raise ValueError(f"the file name '{slug}' must be lower-case letters and digits joined by dashes, "
                         "such as 'carnival-patrols'")
    path = root / CONTRIBUTIONS / city / f"{slug}.md"
    if path.exists():
        if slug == contribution_id:
            raise ValueError(f"{path.relative_to(root)} already exists")
        path = path.with_name(f"{slug}-{contribution_id.rsplit('-', 1)[1]}.md")
        if path.exists():
            raise ValueError(f"{path.relative_to(root)} already exists; choose another name with --slug")
    text = contribution_text(contribution_id=contribution_id, city=city, language=language, type_=type_,
                             theme_ids=theme_ids, title=title, submitted=submitted or dt.date.today())
    path.write_text(text, encoding="utf-8")
    return path, contribution_id


# --- cities ---------------------------------------------------------------------------------

def networks() -> list[str]:
    """Return the networks a city may belong to, as the city schema lists them."""
    return list(schema("city")["properties"]["networks"]["items"]["enum"])


def country_code(text: str) -> str:
    """Return the ISO 3166-1 alpha-2 code of a country given by code or English name; ValueError if none."""
    value = text.strip()
    found = pycountry.countries.get(alpha_2=value.upper()) if len(value) == 2 else None
    if found is None and len(value) == 3:
        found = pycountry.countries.get(alpha_3=value.upper())
    if found is None and len(value) > 3:
        try:
            found = pycountry.countries.lookup(value)
        except LookupError:
            found = None
    if found is None:
        raise ValueError(f"'{text}' is not a country: give its two-letter ISO code, such as FR, ES or GR")
    return found.alpha_2


def city_text(*, name: str, country: str, police_force: str, network_names: list[str], lat: float, lon: float,
              kind: str = "city", names: dict[str, str] | None = None, lang: str = "en") -> str:
    """Return a city's card (city.yml)."""
    out = CITY_SCHEMA_LINE + "\n" + _comment(t(lang, "scaffold.city.comment"))
    out += f"name: {_quoted(name)}\n"
    if names:
        out += "names:\n" + "".join(f"  {code}: {_quoted(value)}\n" for code, value in sorted(names.items()))
    if kind != "city":
        out += f"kind: {kind}\n"
    out += (f"country: {country}\npolice_force: {_quoted(police_force)}\n"
            f"networks: [{', '.join(network_names)}]\n"
            f"coordinates:\n  lat: {round(lat, 4)}\n  lon: {round(lon, 4)}\n")
    return out


def write_city(root: Path, city_id: str, text: str) -> Path:
    """Create contributions/<city>/city.yml; ValueError if the id is unusable or the city exists."""
    if not is_slug(city_id):
        raise ValueError(f"the city's identifier '{city_id}' must be lower-case letters and digits joined by "
                         "dashes, such as 'kordelio-evosmos'")
    folder = root / CONTRIBUTIONS / city_id
    if (folder / "city.yml").exists():
        raise ValueError(f"{(folder / 'city.yml').relative_to(root)} already exists")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "city.yml").write_text(text, encoding="utf-8")
    return folder / "city.yml"
