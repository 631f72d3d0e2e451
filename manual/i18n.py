"""Every piece of text the build generates, in every language of the manual.

Labels live in manual/labels/<lang>.yml, plus manual/labels/<area>/<lang>.yml for areas of the
tool that keep their own (the command line's templates, the home page's pictures); country and language names come from Babel's CLDR data,
so a new language is a new labels file and a line in manual.yml.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import babel
import babel.dates
import yaml

LABELS_DIR = Path(__file__).resolve().parent / "labels"
FALLBACK = "en"


@functools.cache
def labels(lang: str) -> dict[str, str]:
    """Return the labels of a language, falling back to English for any missing one."""
    base = _load(FALLBACK)
    path = LABELS_DIR / f"{lang}.yml"
    return {**base, **(_load(lang) if path.is_file() else {})}


def available() -> list[str]:
    """Return the languages that have a labels file."""
    return sorted(p.stem for p in LABELS_DIR.glob("*.yml"))


@functools.cache
def _load(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in [LABELS_DIR / f"{lang}.yml", *sorted(LABELS_DIR.glob(f"*/{lang}.yml"))]:
        if path.is_file():
            merged.update(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader) or {})
    return merged


def t(lang: str, key: str, **values: object) -> str:
    """Return the label `key` in `lang`, with `{name}` placeholders filled in."""
    text = labels(lang)[key]
    return text.format(**values) if values else text


def evidence_label(lang: str, evidence: str | None) -> str:
    """Return the name of an evidence level, or 'not stated'."""
    return t(lang, f"evidence.{evidence}" if evidence else "evidence.none")


def strength_label(lang: str, strength: str | None) -> str:
    """Return the name of a recommendation's strength, or 'not yet graded'."""
    return t(lang, f"strength.{strength}" if strength else "strength.none")


@functools.lru_cache(maxsize=4096)
def country_name(code: str, lang: str) -> str:
    """Return a country's name in `lang` (FR → France, Frankreich…)."""
    return babel.Locale.parse(lang).territories.get(code, code)


@functools.lru_cache(maxsize=4096)
def language_name(code: str, lang: str) -> str:
    """Return a language's name in `lang` (fr → French, français…)."""
    return babel.Locale.parse(lang).languages.get(code, code)


@functools.lru_cache(maxsize=65536)
def format_date(date: dt.date, lang: str) -> str:
    """Return a date written out in `lang` (10 March 2025, 10 mars 2025)."""
    return babel.dates.format_date(date, format="long", locale=lang)
