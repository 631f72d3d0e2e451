"""Validate: documents → records, plus every problem found, each with its place and a fix.

The JSON Schemas in schema/ are the format's single source of truth; this module turns their
errors into sentences a police officer can act on, then checks what a schema can't see:
ids across files, cities, themes, dates, sections and images.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import json
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any, Iterable
from urllib.parse import unquote

import jsonschema
import pycountry
import yaml

from .model import (ERROR, WARNING, City, Contribution, Document, FileLink, Problem, Recommendation, Settings,
                    Sources, Theme, Translation)
from .read import SAFE_NAME, Tree, read_contribution, read_tree
from .editions import check_released_ids, read_editions
from .markup import (attachments, body_lines, check_anchors, check_markup, check_recommendation_texts, headings,
                     images, shown, value_lines)
from .merge import is_published
from .parallel import can_fork, map_chunks
from .limits import image_problem, single_line_problem, text_limits
from .svg import svg_problem
from .translate import as_contribution, fingerprint, not_translated_yet

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

_HINTS = {
    "id": "an id is the city's folder name, a dash and a number of at least three digits, such as 'nice-001' or "
          "'nice-008'",
    "city": "write the city's folder name under contributions/, in lower case, such as 'nice'",
    "language": "write the two-letter ISO 639-1 code of the file's language, such as 'fr' or 'es'",
    "themes": "write theme ids from themes.yml, such as 'drones'",
    "tags": "write tags in lower case, with dashes between words, such as 'crowd-management'",
    "related": "write the id of a contribution, such as 'madrid-002'",
    "supersedes": "write the id of a contribution, such as 'madrid-002'",
    "country": "write the two-letter ISO 3166-1 code in capitals, such as 'FR'",
    "url": "write a full address that starts with https://",
    "edition": "write the edition's year, such as '2027'",
    "translation_of": "write the id of the contribution this file translates, such as 'nice-005'",
    "source_fingerprint": "it is 16 characters from 0-9 and a-f, written by 'python build_manual.py translations "
                          "new <id> --lang <language>'; copy it from there",
    "names": "the keys under 'names' are two-letter ISO 639-1 language codes, such as 'fr: Bruxelles'",
}
_TYPE_NAMES = {
    "string": "text", "array": "a list", "object": "a set of 'key: value' lines",
    "integer": "a whole number", "number": "a number", "boolean": "true or false",
}


@functools.cache
def schema(name: str) -> dict:
    """Return the JSON Schema `schema/<name>.schema.json`."""
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    """Return the compiled validator of a schema, built once per process."""
    cls = jsonschema.Draft202012Validator
    return cls(schema(name), format_checker=cls.FORMAT_CHECKER)


@functools.cache
def sections() -> dict:
    """Return the section headings of schema/sections.yml."""
    return yaml.load((SCHEMA_DIR / "sections.yml").read_text(encoding="utf-8"), Loader=yaml.SafeLoader)


# From this many contribution files, they are read and checked in several processes (forked: they
# start at once), each sending back its records, its problems and its documents without their places.
PARALLEL_MIN = 1_000


def check_tree(root: Path, *, today: dt.date | None = None, workers: int | None = None) -> Sources:
    """Read and validate everything under `root`, in `workers` processes (as many as cores by default)."""
    today = today or dt.date.today()
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or not can_fork():
        return validate(root, read_tree(root), today=today)
    files: list[str] = []
    tree = read_tree(root, markdown_reader=lambda _root, rel, _problems: files.append(rel))
    if len(files) < PARALLEL_MIN:
        tree.contributions = [doc for rel in files if (doc := read_contribution(root, rel, tree.problems))]
        return validate(root, tree, today=today)
    allowed = _settings(tree.settings, []).allowed_addresses
    checked: dict[str, tuple[Contribution | Translation | None, list[Problem]]] = {}
    for rel, doc, record, problems in map_chunks(functools.partial(_read_and_check, root, allowed, today), files,
                                                 workers):
        if doc is None:
            tree.problems.extend(problems)
        else:
            tree.contributions.append(doc)
            checked[rel] = (record, problems)
    return validate(root, tree, today=today, checked=checked)


def _read_and_check(root: Path, allowed: tuple[str, ...], today: dt.date, files: list[str]) -> list[tuple]:
    """Read and check the contribution files `files` on their own (in a worker process)."""
    results = []
    for rel in files:
        problems: list[Problem] = []
        doc = read_contribution(root, rel, problems)
        record = _check_document(root, doc, allowed, today, problems) if doc is not None else None
        # The one process reads a contribution's places again to place a problem; a translation's
        # text it reads too (its checks need the original's record).
        results.append((rel, doc.stripped(content=isinstance(record, Translation)) if doc is not None else None,
                        record, problems))
    return results


def validate(root: Path, tree: Tree, *, today: dt.date,
             checked: dict[str, tuple[Contribution | Translation | None, list[Problem]]] | None = None) -> Sources:
    """Turn the documents of `tree` into records, gathering every problem on the way.

    `checked` holds what _check_document found for some documents already (in other processes).
    """
    problems = list(tree.problems)
    settings = _settings(tree.settings, problems)
    themes = _themes(tree.themes, settings, problems)
    cities: dict[str, City] = {}
    for city_id, doc in tree.cities.items():
        if doc is None:
            problems.append(Problem(f"contributions/{city_id}/city.yml", 1, 1, "missing-city-file",
                                    f"the folder 'contributions/{city_id}/' has no city.yml; create it with the "
                                    "city's name, country, police force, networks and coordinates"))
            continue
        city = _city(city_id, doc, problems)
        if city:
            cities[city_id] = city
    contributions = []
    translations = []
    for doc in tree.contributions:
        if checked is not None and doc.path in checked:
            record, found = checked[doc.path]
            problems.extend(found)
        else:
            record = _check_document(root, doc, settings.allowed_addresses, today, problems)
        if isinstance(record, Translation):
            translations.append(record)
        elif record is not None:
            contributions.append(record)
    editions = read_editions(root, problems)
    released_ids = {cid for edition in editions if not edition.draft for cid in edition.entries}
    _cross_check(contributions, tree, {t.id for t in themes}, problems, released_ids)
    _check_translations(root, contributions, translations, tree, settings, problems)
    _check_editions(editions, contributions, tree, problems)
    return Sources(root=str(root), settings=settings, themes=themes, cities=cities,
                   contributions=contributions, problems=sorted(set(problems)), translations=translations,
                   files_read=tree.files_read, contribution_files=tree.contribution_files, editions=editions)


# --- schema errors as sentences -------------------------------------------------------------

@functools.cache
def fast_validator(name: str):
    """Return a compiled Rust validator of a schema, or None without jsonschema-rs.

    It only answers "valid or not", ten times faster than jsonschema: most files are valid, and
    jsonschema explains the others, so the messages don't change.
    """
    try:
        import jsonschema_rs
    except ImportError:  # the messages come from jsonschema anyway
        return None
    return jsonschema_rs.validator_for(schema(name), validate_formats=True)


def schema_problems(doc: Document, name: str) -> list[Problem]:
    """Validate a document against a schema; one problem per thing wrong."""
    fast = fast_validator(name)
    if fast is not None and fast.is_valid(doc.data):
        return []
    found = []
    for error in validator(name).iter_errors(doc.data):
        found.extend(_explain(doc, error, name))
    return found


def _explain(doc: Document, error: jsonschema.ValidationError, schema_name: str) -> Iterable[Problem]:
    path = tuple(error.absolute_path)
    field = _field(path)
    kind = error.validator
    value = error.instance

    def at(where: tuple, code: str, message: str, *, key: bool = False) -> Problem:
        span = doc.where(where, key=key)
        return Problem(doc.path, span.line, span.column, code, message)

    if kind == "required":
        for name in error.validator_value:
            if isinstance(value, dict) and name not in value:
                properties = error.schema.get("properties") or (validator(schema_name).schema["properties"]
                                                                if not path else {})
                described = properties.get(name, {}).get("description", "")
                hint = f" ({described})" if described else ""
                where = f" in {field}" if path else ""
                yield at(path, "missing-field", f"the field '{name}' is missing{where}; add it{hint}")
        return
    if kind == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        for name in value:
            if name in allowed:
                continue
            guess = difflib.get_close_matches(str(name), allowed, n=1)
            fix = (f"did you mean '{guess[0]}'? Correct its name or remove it" if guess else
                   f"remove it, or use one of the fields allowed here: {', '.join(allowed)}")
            yield at(path + (name,), "unknown-field", f"unknown field '{name}'; {fix}", key=True)
        return
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, str) else expected[0]
        raw = doc.raw.get(path)
        message = f"'{field}' must be {_TYPE_NAMES.get(expected, expected)}, not {_describe(value, raw)}"
        if expected == "string" and raw is not None and not isinstance(value, (list, dict)):
            if error.schema.get("format") == "date":
                message += "; write the date as YYYY-MM-DD, such as 2025-03-10"
            else:
                quoted = f'"{raw}"' if isinstance(path[-1], int) else f'{_last_name(path)}: "{raw}"'
                message += f"; if you meant the text {raw!r}, put it in quotes: {quoted}"
        elif expected == "array" and isinstance(value, str):
            message += f"; write it as a list: [{value}]"
        yield at(path, "wrong-type", message)
        return
    if kind == "enum":
        allowed = ", ".join(str(v) for v in error.validator_value)
        message = f"{_quote(value, doc.raw.get(path))} is not a valid '{field}'; use one of: {allowed}"
        if isinstance(value, bool):
            message += " (an unquoted yes/no/on/off is read as true/false: put the text in quotes)"
        yield at(path, "invalid-value", message)
        return
    if kind == "format":
        if error.validator_value == "date":
            yield at(path, "invalid-date",
                     f"'{value}' in '{field}' is not a real date; write it as YYYY-MM-DD, such as 2025-03-10")
        else:
            yield at(path, "invalid-value", f"'{value}' in '{field}' is not a valid {error.validator_value}")
        return
    if kind == "pattern":
        hint = _HINTS.get(_last_name(path), "see the description of the field in schema/")
        yield at(path, "invalid-value", f"'{value}' is not a valid '{field}': {hint}")
        return
    if kind in ("minLength", "maxLength"):
        limit = error.validator_value
        bound = "at least" if kind == "minLength" else "at most"
        yield at(path, "wrong-length",
                 f"'{field}' is {len(value)} characters long; it must have {bound} {limit}")
        return
    if kind in ("minItems", "maxItems"):
        limit = error.validator_value
        bound = "at least" if kind == "minItems" else "at most"
        yield at(path, "wrong-count", f"'{field}' has {len(value)} items; give {bound} {limit}")
        return
    if kind == "uniqueItems":
        yield at(path, "repeated-item", f"'{field}' lists the same value twice; keep each value once")
        return
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        yield at(path, "out-of-range", f"'{field}' is {value}; it must be {bound} {error.validator_value}")
        return
    yield at(path, "invalid-value", f"'{field}': {error.message}")


def _field(path: tuple) -> str:
    text = ""
    for part in path:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "front matter"


def _last_name(path: tuple) -> str:
    return next((p for p in reversed(path) if isinstance(p, str)), "")


def _describe(value: Any, raw: str | None) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"true/false (the unquoted word {raw!r} is read as {str(value).lower()})" if raw else "true/false"
    if isinstance(value, (int, float)):
        return f"the number {raw or value}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a set of 'key: value' lines"
    return f"the text {value!r}"


def _quote(value: Any, raw: str | None) -> str:
    return repr(raw) if raw is not None else repr(value)


# --- settings, themes and cities ------------------------------------------------------------

# The texts of each kind of file that are one line: names and titles that pages, the PDF and generated
# files write as they are (no markup, no invisible characters).
ONE_LINE = {"contribution": (("title",), ("summary",), ("events",), ("contacts",)),
            "translation": (("title",), ("summary",)),
            "city": (("name",), ("names",), ("police_force",), ("networks",)),
            "manual": (("title",), ("subtitle",), ("publisher",), ("licence",))}


def _check_one_line(doc: Document, roots: Iterable[tuple], problems: list[Problem]) -> None:
    """Refuse '<', '>' and control characters in the one-line texts under `roots` (paths in the document)."""
    for root in roots:
        value = doc.data
        for part in root:
            value = value.get(part) if isinstance(value, dict) else (
                value[part] if isinstance(value, list) and isinstance(part, int) and part < len(value) else None)
        for path, text in _strings(value, root):
            message = single_line_problem(text, f"'{_field(path)}'")
            if message:
                span = doc.where(path)
                problems.append(Problem(doc.path, span.line, span.column, "one-line-text", message))


def _strings(value: Any, path: tuple, written: Document | None = None) -> Iterable[tuple[tuple, str]]:
    """Yield (path, text) for every text in `value` (found at `path`); with the document it was `written`
    in, any other value (a number…) too, as it was written there."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,), written)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,), written)
    elif written is not None and path in written.raw:
        yield path, written.raw[path]


def _settings(doc: Document | None, problems: list[Problem]) -> Settings:
    data = doc.data if doc and isinstance(doc.data, dict) else {}
    if doc is not None:
        found = schema_problems(doc, "manual")
        problems.extend(found)
        if found:
            data = {}
        else:
            _check_one_line(doc, ONE_LINE["manual"], problems)
    return Settings(
        title=data.get("title", "Continuum"),
        subtitle=data.get("subtitle", {}),
        publisher=data.get("publisher", ""),
        licence=data.get("licence", ""),
        edition=data.get("edition", "0000"),
        languages=tuple(data.get("languages", ["en"])),
        site_url=data.get("site_url", "https://example.org/"),
        allowed_addresses=tuple(a.lower() for a in data.get("allowed_addresses", [])),
    )


def _themes(doc: Document | None, settings: Settings, problems: list[Problem]) -> list[Theme]:
    if doc is None:
        return []
    found = schema_problems(doc, "themes")
    problems.extend(found)
    if found:
        return []
    themes, seen = [], set()
    _check_one_line(doc, [(index, "name") for index in range(len(doc.data))], problems)
    for index, item in enumerate(doc.data):
        span = doc.where((index, "id"))
        if item["id"] in seen:
            problems.append(Problem(doc.path, span.line, span.column, "duplicate-id",
                                    f"the theme '{item['id']}' is listed twice; keep one"))
            continue
        seen.add(item["id"])
        for lang in settings.languages:
            if lang not in item["name"]:
                problems.append(Problem(doc.path, span.line, span.column, "missing-translation",
                                        f"the theme '{item['id']}' has no name in '{lang}', a language of the "
                                        f"manual; add '{lang}: …' under its 'name'"))
        themes.append(Theme(id=item["id"], names=dict(item["name"]), number=len(themes) + 1))
    return themes


def _city(city_id: str, doc: Document, problems: list[Problem]) -> City | None:
    found = schema_problems(doc, "city")
    data = doc.data
    if not found and pycountry.countries.get(alpha_2=data["country"]) is None:
        span = doc.where(("country",))
        found.append(Problem(doc.path, span.line, span.column, "unknown-country",
                             f"'{data['country']}' is not an ISO 3166-1 country code; use the two capital letters "
                             "of the country, such as 'FR', 'ES' or 'GR'"))
    if not found:
        for lang, span_key in ((k, ("names", k)) for k in data.get("names", {})):
            if pycountry.languages.get(alpha_2=lang) is None:
                span = doc.where(span_key, key=True)
                found.append(Problem(doc.path, span.line, span.column, "unknown-language",
                                     f"'{lang}' is not an ISO 639-1 language code"))
    problems.extend(found)
    if found:
        return None
    _check_one_line(doc, ONE_LINE["city"], problems)
    return City(id=city_id, path=doc.path, name=data["name"], names=dict(data.get("names", {})),
                kind=data.get("kind", "city"), country=data["country"], police_force=data["police_force"],
                networks=tuple(data["networks"]), lat=float(data["coordinates"]["lat"]),
                lon=float(data["coordinates"]["lon"]))


# --- contributions --------------------------------------------------------------------------

def _contribution(root: Path, doc: Document, problems: list[Problem]) -> Contribution | None:
    found = schema_problems(doc, "contribution")
    problems.extend(found)
    if found:
        return None
    _check_one_line(doc, ONE_LINE["contribution"], problems)
    data = doc.data
    date = dt.date.fromisoformat
    recommendations = tuple(
        Recommendation(id=r["id"], text=r["text"].strip(), strength=r.get("strength"), contribution_id=data["id"],
                       line=doc.where(("recommendations", i, "id")).line)
        for i, r in enumerate(data.get("recommendations", []))
    )
    return Contribution(
        id=data["id"], path=doc.path, title=data["title"].strip(), city=data["city"], language=data["language"],
        themes=tuple(data["themes"]), type=data["type"], summary=" ".join(data["summary"].split()),
        status=data["status"], sensitivity=data["sensitivity"], submitted=date(data["submitted"]),
        body=doc.body, body_line=doc.body_line, evidence=data.get("evidence"), recommendations=recommendations,
        last_reviewed=date(data["last_reviewed"]) if "last_reviewed" in data else None,
        review_by=date(data["review_by"]) if "review_by" in data else None,
        related=tuple(data.get("related", [])), supersedes=tuple(data.get("supersedes", [])),
        events=tuple(data.get("events", [])), tags=tuple(data.get("tags", [])),
        contacts=tuple(data.get("contacts", [])), images=tuple(images(doc.body, doc.body_line)),
        attachments=tuple(attachments(doc.body, doc.body_line)),
    )


# --- editions and review dates ---------------------------------------------------------------------

REVIEW_SOON_DAYS = 90


def _check_editions(editions, contributions: list[Contribution], tree: Tree, problems: list[Problem]) -> None:
    docs = {doc.path: doc for doc in tree.contributions}

    def where(c: Contribution, path: tuple, code: str, message: str, severity: str = ERROR) -> Problem:
        span = docs[c.path].where(path)
        return Problem(c.path, span.line, span.column, code, message, severity)

    public = {c.id for c in contributions if is_published(c)}
    problems.extend(check_released_ids(editions, contributions, public, where))


# --- translations ---------------------------------------------------------------------------

def _translation(doc: Document, problems: list[Problem]) -> Translation | None:
    """Read a translation's front matter: only translated fields are allowed in it."""
    kept = dict(doc.data)
    translated = set(schema("translation")["properties"])
    original_only = set(schema("contribution")["properties"]) - translated
    refused = []
    for name in doc.data:
        if name in original_only:
            span = doc.where((name,), key=True)
            refused.append(Problem(doc.path, span.line, span.column, "not-translatable",
                                   f"'{name}' is not translated: it is set in the original only, so that the "
                                   "original and its translations cannot disagree; remove it from this file"))
            del kept[name]
    problems.extend(refused)
    found = [p for p in schema_problems(Document(path=doc.path, data=kept, places=doc.found_places()),
                                        "translation")]
    problems.extend(found)
    if found or refused:
        return None
    _check_one_line(doc, ONE_LINE["translation"], problems)
    data = doc.data
    return Translation(
        path=doc.path, translation_of=data["translation_of"], language=data["language"],
        source_fingerprint=data["source_fingerprint"], title=data["title"].strip(),
        summary=" ".join(data["summary"].split()),
        recommendations=tuple((r["id"], r["text"].strip()) for r in data.get("recommendations", [])),
        body=doc.body, body_line=doc.body_line, images=tuple(images(doc.body, doc.body_line)),
        attachments=tuple(attachments(doc.body, doc.body_line)),
    )


def _check_translations(root: Path, contributions: list[Contribution], translations: list[Translation], tree: Tree,
                        settings: Settings, problems: list[Problem]) -> None:
    global _TRANSLATIONS
    docs = {doc.path: doc for doc in tree.contributions}
    originals = {c.id: c for c in contributions}
    seen: dict[tuple[str, str], str] = {}
    pairs: list[tuple[Translation, Contribution]] = []

    def at(tr: Translation, path: tuple, code: str, message: str, severity: str = ERROR) -> None:
        span = docs[tr.path].where(path)
        problems.append(Problem(tr.path, span.line, span.column, code, message, severity))

    for tr in translations:
        original = originals.get(tr.translation_of)
        if original is None:
            guess = difflib.get_close_matches(tr.translation_of, sorted(originals), n=1)
            hint = f"did you mean '{guess[0]}'? " if guess else ""
            at(tr, ("translation_of",), "unknown-original",
               f"'translation_of' names '{tr.translation_of}', which is no contribution's id; {hint}write the id "
               "of the contribution this file translates")
            continue
        if tr.language == original.language:
            at(tr, ("language",), "same-language",
               f"this translation is in '{tr.language}', the language of the original ({original.path}); "
               "write the language this file is translated into")
            continue
        key = (tr.translation_of, tr.language)
        if key in seen:
            at(tr, ("translation_of",), "duplicate-translation",
               f"{original.id} already has a translation into '{tr.language}': {seen[key]}; keep one of the two "
               "files and delete the other")
            continue
        seen[key] = tr.path
        pairs.append((tr, original))
    _TRANSLATIONS = (root, settings, docs, pairs)
    try:  # each translation against its original: on every core when there are many
        for found in map_chunks(_check_pairs, list(range(len(pairs))), os.cpu_count() or 1, min_items=PARALLEL_MIN):
            problems.extend(found)
    finally:
        _TRANSLATIONS = ()


# What _check_pairs reads, in this process or in the forked ones: set by _check_translations.
_TRANSLATIONS: tuple = ()


def _check_pairs(indexes: list[int]) -> list[list[Problem]]:
    root, settings, docs, pairs = _TRANSLATIONS
    return [_check_pair(root, settings, docs[pairs[i][0].path], *pairs[i]) for i in indexes]


def _check_pair(root: Path, settings: Settings, doc: Document, tr: Translation, original: Contribution) -> list[Problem]:
    """Check a translation against its original (once it is known to be the only one into its language)."""
    allowed_addresses = settings.allowed_addresses
    found: list[Problem] = []

    def at(tr: Translation, path: tuple, code: str, message: str, severity: str = ERROR) -> None:
        span = doc.where(path)
        found.append(Problem(tr.path, span.line, span.column, code, message, severity))

    stem = PurePosixPath(original.path).stem
    expected = f"{original.folder}/{stem}.{tr.language}.md"
    if tr.folder != original.folder:
        at(tr, ("translation_of",), "translation-folder",
           f"a translation lives beside its original: move this file to {expected}")
        return found
    if tr.path != expected:
        at(tr, ("translation_of",), "translation-file-name",
           f"name this file {PurePosixPath(expected).name}, after its original and its language", WARNING)
    source_ids = [r.id for r in original.recommendations]
    translated_ids = [rec_id for rec_id, _ in tr.recommendations]
    for index, rec_id in enumerate(translated_ids):
        if rec_id not in source_ids:
            listed = ", ".join(source_ids) or "none"
            at(tr, ("recommendations", index, "id"), "unknown-recommendation",
               f"the original has no recommendation '{rec_id}' (it has: {listed}); translate the "
               "recommendations under the ids they have in the original")
    if tr.language not in settings.languages:
        at(tr, ("language",), "language-not-published",
           f"the manual is not published in '{tr.language}' (manual.yml lists {', '.join(settings.languages)}): "
           f"this translation shows nowhere until '{tr.language}' is added there", WARNING)
    if not_translated_yet(original, tr):
        at(tr, ("title",), "not-translated-yet",
           f"this file still has the original's text ({original.language}); translate the title, the summary, "
           "the recommendations and the text: until then readers see the original, with its notice", WARNING)
    current = fingerprint(original)
    if tr.source_fingerprint != current:
        at(tr, ("source_fingerprint",), "outdated-translation",
           f"the original ({original.path}) has changed since this translation was made; bring the "
           f"translation up to date, then write 'source_fingerprint: {current}'", WARNING)
    else:
        missing = [rec_id for rec_id in source_ids if rec_id not in translated_ids]
        if missing:
            at(tr, ("recommendations",) if tr.recommendations else ("title",), "untranslated-recommendation",
               "the recommendation" + ("s " if len(missing) > 1 else " ") + ", ".join(missing) +
               " of the original " + ("are" if len(missing) > 1 else "is") + " not translated; add "
               + ("them" if len(missing) > 1 else "it") + " under 'recommendations:' with the same id",
               WARNING)
    view = as_contribution(original, tr)
    _check_language(view, lambda c, path, code, message, severity=ERROR: at(tr, path, code, message, severity))
    _check_text(view, doc, root, allowed_addresses, found)
    return found


def _check_text(c: Contribution, doc: Document, root: Path, allowed_addresses: tuple[str, ...],
                problems: list[Problem]) -> None:
    """Check what a reader sees of a contribution (or of a translation of it): what it costs to render,
    sections, images, markup, and in a public one, personal data."""
    _check_costs(c, doc, problems)
    _check_sections(c, doc, problems)
    _check_images(c, root, problems)
    check_markup(c.path, body_lines(c.body, c.body_line), problems)
    check_anchors(c.path, c.body, c.body_line, (r.id for r in c.recommendations), problems)
    check_recommendation_texts(doc, problems)
    if c.sensitivity == "public":
        _check_personal_data(c, doc, allowed_addresses, problems)


def _check_document(root: Path, doc: Document, allowed_addresses: tuple[str, ...], today: dt.date,
                    problems: list[Problem]) -> Contribution | Translation | None:
    """Check one contribution or translation file on its own; return its record if it has one.

    What depends on other files (ids, cities, themes, originals) is checked by _cross_check and
    _check_translations."""
    if isinstance(doc.data, dict) and "translation_of" in doc.data:
        return _translation(doc, problems)
    c = _contribution(root, doc, problems)
    if c is None:
        return None

    def at(c: Contribution, path: tuple, code: str, message: str, severity: str = ERROR) -> None:
        span = doc.where(path)
        problems.append(Problem(c.path, span.line, span.column, code, message, severity))

    _check_language(c, at)
    _check_dates(c, today, at)
    if c.review_by and c.review_by < today and c.status == "approved":
        at(c, ("review_by",), "review-due",
           f"the review of this contribution is due since {c.review_by.isoformat()}: the city checks that it is "
           "still right, then 'last_reviewed' gets the date of the review and 'review_by' a new date", WARNING)
    if c.status in ("submitted", "approved"):
        _check_template_left(c, at, problems)
    _check_text(c, doc, root, allowed_addresses, problems)
    return c


def _cross_check(contributions: list[Contribution], tree: Tree, theme_ids: set[str], problems: list[Problem],
                 released_ids: set[str] = frozenset()) -> None:
    docs = {doc.path: doc for doc in tree.contributions}
    ids: dict[str, str] = {}
    numbers: dict[str, int] = {}
    for c in contributions:
        numbers[c.city] = max(numbers.get(c.city, 0), int(c.id.rsplit("-", 1)[1]))

    def at(c: Contribution, path: tuple, code: str, message: str, severity: str = ERROR) -> None:
        span = docs[c.path].where(path)
        problems.append(Problem(c.path, span.line, span.column, code, message, severity))

    def next_id(city: str) -> str:
        return f"{city}-{numbers.get(city, 0) + 1:03d}"

    for c in contributions:
        folder = PurePosixPath(c.path).parent.name
        if c.city not in tree.cities:
            at(c, ("city",), "unknown-city",
               f"unknown city '{c.city}'; this file is in contributions/{folder}/, so write 'city: {folder}' "
               "(a city is a folder under contributions/ with a city.yml)")
        elif c.city != folder:
            at(c, ("city",), "city-folder-mismatch",
               f"the file is in contributions/{folder}/ but says city '{c.city}'; move the file to "
               f"contributions/{c.city}/ or write 'city: {folder}'")
        if not c.id.startswith(f"{c.city}-") or not c.id[len(c.city) + 1:].isdigit():
            at(c, ("id",), "id-city-mismatch",
               f"the id '{c.id}' does not belong to the city '{c.city}'; ids of this city look like "
               f"'{c.city}-001': use the next free one, '{next_id(c.city)}'")
        if c.id in ids:
            at(c, ("id",), "duplicate-id",
               f"the id '{c.id}' is already used by {ids[c.id]}; ids are never shared or reused: "
               f"use the next free one, '{next_id(c.city)}'")
        else:
            ids[c.id] = c.path
        for index, r in enumerate(c.recommendations):
            number = r.id[len(c.id) + 2:] if r.id.startswith(f"{c.id}-r") else ""
            if not (number.isascii() and number.isdigit()):
                at(c, ("recommendations", index, "id"), "recommendation-id-mismatch",
                   f"the recommendation id '{r.id}' must be the contribution's id followed by -r and a number, "
                   f"such as '{c.id}-r{index + 1}'")
            if r.id in ids:
                at(c, ("recommendations", index, "id"), "duplicate-id",
                   f"the id '{r.id}' is already used by {ids[r.id]}; give this recommendation a new number")
            else:
                ids[r.id] = c.path
        for index, theme in enumerate(c.themes):
            if theme not in theme_ids:
                guess = difflib.get_close_matches(theme, sorted(theme_ids), n=1)
                hint = f"did you mean '{guess[0]}'? " if guess else ""
                at(c, ("themes", index), "unknown-theme",
                   f"unknown theme '{theme}'; {hint}the themes are listed in themes.yml")
    contribution_ids = {c.id for c in contributions}
    for c in contributions:
        for name in ("related", "supersedes"):
            for index, target in enumerate(getattr(c, name)):
                if target == c.id:
                    at(c, (name, index), f"broken-{name}", f"'{name}' names the contribution itself ('{target}'); "
                       "remove it")
                elif target not in contribution_ids and not (name == "supersedes" and target in released_ids):
                    guess = difflib.get_close_matches(target, sorted(contribution_ids), n=1)
                    hint = f"did you mean '{guess[0]}'? " if guess else ""
                    at(c, (name, index), f"broken-{name}",
                       f"'{name}' points to '{target}', which is no contribution's id; {hint}correct or remove it")


@functools.cache
def _template_markers() -> tuple[str, ...]:
    """The words that start the template's placeholder texts (REPLACE THIS, À REMPLACER…), in every language."""
    markers = set()
    for path in (Path(__file__).resolve().parent / "labels" / "cli").glob("*.yml"):
        labels = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader) or {}
        for key in ("scaffold.summary", "scaffold.recommendation"):
            if ":" in labels.get(key, ""):
                markers.add(labels[key].split(":", 1)[0].strip())
    return tuple(sorted(markers))


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _check_template_left(c: Contribution, at, problems: list[Problem]) -> None:
    """A contribution sent for review or published must not still hold the template's placeholders."""
    markers = _template_markers()
    texts = [(("summary",), c.summary)] + [(("recommendations", i, "text"), r.text)
                                           for i, r in enumerate(c.recommendations)]
    for path, text in texts:
        if text.startswith(markers):
            at(c, path, "template-text",
               f"'{_field(path)}' still has the template's placeholder ('{text[:40]}…'); write your own text, "
               f"or keep 'status: draft' until it is ready")
    found = headings(c.body, c.body_line)
    lines = c.body.split("\n")
    for index, (line, title) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else c.body_line + len(lines)
        section = "\n".join(lines[line - c.body_line + 1:end - c.body_line])
        if not _COMMENT.sub("", section).strip():
            problems.append(Problem(c.path, line, 1, "empty-section",
                                    f"the section '## {title}' has no text yet; write it, or keep 'status: draft' "
                                    "until it is ready"))
    if "<!--" in c.body:
        line = next(n for n, text in enumerate(lines, start=c.body_line) if "<!--" in text)
        problems.append(Problem(c.path, line, 1, "guidance-left",
                                "the template's guidance comments (<!-- … -->) are still in the text; delete them "
                                "once the sections are written", WARNING))


def _check_language(c: Contribution, at) -> None:
    if pycountry.languages.get(alpha_2=c.language) is None:
        at(c, ("language",), "unknown-language",
           f"'{c.language}' is not an ISO 639-1 language code; use two letters such as 'fr', 'es', 'it' or 'el'")
    elif not any(c.language in names for names in sections()["sections"].values()):
        at(c, ("language",), "unsupported-language",
           f"the manual has no section headings in '{c.language}' yet; add them to schema/sections.yml or write "
           "the contribution in another language")


def _check_dates(c: Contribution, today: dt.date, at) -> None:
    for name in ("submitted", "last_reviewed"):
        value = getattr(c, name)
        if value and value > today:
            at(c, (name,), "future-date", f"'{name}' is {value.isoformat()}, a date in the future; "
               f"write the date it actually happened")
    if c.last_reviewed and c.last_reviewed < c.submitted:
        at(c, ("last_reviewed",), "impossible-date",
           f"'last_reviewed' ({c.last_reviewed.isoformat()}) is before 'submitted' ({c.submitted.isoformat()}); "
           "a contribution is reviewed after it is submitted")
    start = c.last_reviewed or c.submitted
    if c.review_by and c.review_by <= start:
        at(c, ("review_by",), "impossible-date",
           f"'review_by' ({c.review_by.isoformat()}) must come after {start.isoformat()}, "
           "the last time the contribution was submitted or reviewed")


def _check_sections(c: Contribution, doc: Document, problems: list[Problem]) -> None:
    names = sections()
    found = {title.casefold() for _, title in headings(c.body, c.body_line)}
    required = names["required"][c.type]
    missing = [names["sections"][s].get(c.language) for s in required]
    missing = [m for m in missing if m and m.casefold() not in found]
    if not c.body.strip():
        line = max(c.body_line, 1)
        problems.append(Problem(c.path, line, 1, "empty-body",
                                "the contribution has no text after its front matter; write the sections " +
                                ", ".join(f"'## {names['sections'][s].get(c.language, s)}'" for s in required)))
        return
    if missing:
        line = c.body_line + 1 if c.body.startswith("\n") else c.body_line
        wanted = ", ".join(f"'## {names['sections'][s].get(c.language, s)}'" for s in required)
        for title in missing:
            problems.append(Problem(c.path, line, 1, "missing-section",
                                    f"the section '## {title}' is missing; a {c.type} has the sections {wanted}, "
                                    "each a line starting with '## '"))


IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"}
ATTACHMENT_TYPES = IMAGE_TYPES | {".pdf", ".odt", ".ods", ".odp", ".docx", ".xlsx", ".pptx", ".csv", ".txt"}
MAX_IMAGE_BYTES = 2_000_000
MAX_ATTACHMENT_BYTES = 10_000_000



def _check_images(c: Contribution, root: Path, problems: list[Problem]) -> None:
    for image in c.images:
        where = (c.path, image.line, image.column)
        if not image.alt:
            problems.append(Problem(*where, "missing-alt-text",
                                    f"the image '{shown(image.source)}' has no description; write what it shows between "
                                    "the brackets: ![what the image shows](…), for readers who cannot see it"))
        if re.match(r"^\s*data:", unquote(image.source), re.IGNORECASE):
            problems.append(Problem(*where, "embedded-image",
                                    "an image written into the text as 'data:' is not allowed; save it as a file "
                                    "beside the contribution and link it by its name, such as ![…](photo.jpg)"))
            continue
        _check_file(c, root, image, "image", IMAGE_TYPES, MAX_IMAGE_BYTES, problems)
    for attachment in c.attachments:
        _check_file(c, root, attachment, "attachment", ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, problems)


def _check_file(c: Contribution, root: Path, link: FileLink, kind: str, types: set[str], limit: int,
                problems: list[Problem]) -> None:
    """Check that a linked file is a safe file of the contribution's own folder, of an accepted type and size."""
    folder = PurePosixPath(c.path).parent
    source = unquote(link.source)
    where = (c.path, link.line, link.column)
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", source):
        problems.append(Problem(*where, f"remote-{kind}",
                                f"the {kind} '{shown(link.source)}' is not a file of the contribution; a remote {kind} "
                                "tells a third party who reads the manual: put the file beside the "
                                "contribution and link it by its name"))
        return
    if not source or source.startswith("/") or ".." in PurePosixPath(source).parts:
        problems.append(Problem(*where, f"{kind}-outside",
                                f"the {kind} '{shown(link.source)}' must be a file in the contribution's folder "
                                f"({folder}/); link it by its name, such as "
                                f"{'![…](photo.jpg)' if kind == 'image' else '[…](plan.pdf)'}"))
        return
    path = root / folder / source
    # (a name that no file under contributions/ may have is not looked for: it may be too long to ask for)
    if not all(SAFE_NAME.fullmatch(part) for part in PurePosixPath(source).parts) or not path.is_file():
        problems.append(Problem(*where, f"missing-{kind}",
                                f"the {kind} '{shown(link.source)}' does not exist in {folder}/; add the file or "
                                "correct its name (names are case-sensitive)"))
        return
    suffix = PurePosixPath(source).suffix.lower()
    if suffix not in types:
        problems.append(Problem(*where, f"{kind}-type",
                                f"the {kind} '{shown(link.source)}' is a '{suffix or 'no extension'}' file; the manual "
                                f"accepts {', '.join(sorted(types))}"))
        return
    if path.is_symlink():
        return  # (reported as a symbolic link: what it points to is not read)
    size = path.stat().st_size
    if size > limit:
        problems.append(Problem(*where, f"{kind}-too-large",
                                f"the {kind} '{shown(link.source)}' is {size / 1e6:.1f} MB, more than the "
                                f"{limit / 1e6:.0f} MB allowed; make it smaller (a lower resolution or a "
                                "compressed format)"))
    elif suffix in IMAGE_TYPES and (costly := image_problem(path)):
        problems.append(Problem(*where, *costly))
    elif suffix == ".svg":
        unsafe = svg_problem(path.read_bytes())
        if unsafe:
            problems.append(Problem(*where, "unsafe-svg",
                                    f"the SVG file '{shown(link.source)}' is not a plain drawing: {unsafe}; export it "
                                    "again as a plain SVG (in Inkscape: 'Save as' → 'Plain SVG'), or use a PNG"))


def _check_costs(c: Contribution, doc: Document, problems: list[Problem]) -> None:
    """Refuse a body or a recommendation text that would cost the renderers too much (limits.py)."""
    problems.extend(Problem(c.path, line, column, code, message)
                    for line, column, code, message in text_limits(c.body, c.body_line))
    entries = doc.data.get("recommendations") if isinstance(doc.data, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else ()):
        text = entry.get("text") if isinstance(entry, dict) else None
        if isinstance(text, str):
            lines, column = value_lines(doc, ("recommendations", index, "text"), text)
            problems.extend(Problem(c.path, line, column - 1 + at if line == lines[0][0] else at, code, message)
                            for line, at, code, message in text_limits(text, lines[0][0]))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])(?:\+|00|0)\d(?:[ .\-/]?\(?\d\)?){7,13}(?!\w)")


def _texts(doc: Document, fields: tuple[str, ...]) -> Iterable[tuple[tuple, str]]:
    """Yield (path, text as written) for every value under the top-level `fields` of `doc`.

    A text's value is what was written; any other value (a number…) is taken as written from the
    document's places."""
    data = doc.data if isinstance(doc.data, dict) else {}
    for name in fields:
        if name in data:
            yield from _strings(data[name], (name,), doc)


def _check_personal_data(c: Contribution, doc: Document, allowed: tuple[str, ...], problems: list[Problem]) -> None:
    """Warn about what looks like a person's e-mail address or a phone number in a public contribution."""
    # (A phone number starts with 0 or +, an address has an @: other texts are skipped unread.)
    for number, line in body_lines(c.body, c.body_line):
        if "@" in line or "0" in line or "+" in line:
            problems.extend(Problem(c.path, number, column + 1, "personal-data", message, WARNING)
                            for column, message in _personal_data(line, allowed))
    for path, raw in _texts(doc, ("title", "summary", "recommendations", "contacts", "events")):
        if "@" in raw or "0" in raw or "+" in raw:
            found = list(_personal_data(raw, allowed))
            if found:  # the place of the value is looked up only then (it may have to be read again)
                span = doc.where(path)
                problems.extend(Problem(c.path, span.line, span.column + column, "personal-data", message, WARNING)
                                for column, message in found)


def _personal_data(text: str, allowed: tuple[str, ...]) -> Iterable[tuple[int, str]]:
    """Yield (offset, message) for each e-mail address or phone number in `text`."""
    for match in (_EMAIL.finditer(text) if "@" in text else ()):
        address = match.group(0).lower()
        if address in allowed or "@" + address.split("@", 1)[1] in allowed:
            continue
        yield match.start(), (f"'{match.group(0)}' looks like a person's e-mail address, and the manual is "
                              "public (GDPR): give a service address instead; if it is one, add it to "
                              "'allowed_addresses' in manual.yml")
    for match in _PHONE.finditer(text) if "0" in text or "+" in text else ():
        yield match.start(), (f"'{match.group(0)}' looks like a phone number, and the manual is public "
                              "(GDPR): remove it, or give the service's switchboard on its website instead")
