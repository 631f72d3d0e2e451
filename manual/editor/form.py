"""The web editor's form: a Decap CMS field for every property of the format, generated from the schemas,
schema/sections.yml, themes.yml and the city registry (see manual/editor/__init__.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pycountry
import yaml

from .. import scaffold
from ..i18n import country_name, language_name, t
from ..model import Manual
from ..validate import schema, sections

SCHEMA_LINES = {
    "contribution": scaffold.CONTRIBUTION_SCHEMA_LINE,
    "translation": "# yaml-language-server: $schema=../../schema/translation.schema.json",
    "city": scaffold.CITY_SCHEMA_LINE,
}
NEW_CITY = "__new__"  # the city select's option for a city whose card is not merged yet
DATE_FORMAT = "YYYY-MM-DD"
# Fields of the form that are no property of the format: the editor's script turns them into the file's
# name, its body or its city, and never writes them into the front matter.
KIND_FIELD = "continuum_kind"
FILE_FIELD = "file_name"
FOLDER_FIELD = "folder"
NEW_CITY_FIELD = "new_city"
INTRO_FIELD = "introduction"
MORE_FIELD = "more"
SECTION_PREFIX = "section_"
MARKDOWN_BUTTONS = ["bold", "italic", "link", "heading-three", "heading-four", "quote", "bulleted-list",
                    "numbered-list"]


def _cities(root: Path) -> list[tuple[str, str, dict[str, str]]]:
    """Return (id, local name, exonyms) of every city of the registry."""
    found = []
    for entry in scaffold.registry(root):
        try:
            data = yaml.safe_load((root / "contributions" / entry.id / "city.yml").read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = {}
        names = data.get("names") if isinstance(data, dict) and isinstance(data.get("names"), dict) else {}
        found.append((entry.id, entry.name, {str(k): str(v) for k, v in names.items()}))
    return found


def next_ids(root: Path) -> dict[str, int]:
    """Return the next free number of every city (from every file's `id:` line, as `new` computes it)."""
    return {city: int(scaffold.next_id(root, city).rsplit("-", 1)[1]) for city, _, _ in _cities(root)}


def _label(lang: str, key: str, default: str) -> str:
    try:
        return t(lang, key)
    except KeyError:
        return default


def _hint(lang: str, path: str, node: dict) -> str:
    """Return a field's hint: its description in the schema, or its translation in the editor's labels."""
    description = " ".join(str(node.get("description", "")).split())
    return _label(lang, f"editor.hint.{path}", description)


def _length_pattern(node: dict, lang: str) -> list[str] | None:
    """Return Decap's [regex, message] for a string's pattern and lengths, or None if it has neither."""
    low, high, pattern = node.get("minLength"), node.get("maxLength"), node.get("pattern")
    parts, messages = [], []
    if low is not None or high is not None:
        parts.append(f"(?=[\\s\\S]{{{low or 0},{high if high is not None else ''}}}$)")
        messages.append(t(lang, "editor.valid.length", low=low or 0, high=high) if high is not None
                        else t(lang, "editor.valid.min_length", low=low))
    if pattern:
        body = pattern[1:] if pattern.startswith("^") else f"[\\s\\S]*{pattern}"
        body = body[:-1] if body.endswith("$") else f"{body}[\\s\\S]*"
        parts.append(f"(?:{body})$")
        messages.append(t(lang, f"editor.valid.pattern.{_pattern_name(pattern)}"))
    elif node.get("format") == "email":
        parts.append(r"[^@\s]+@[^@\s]+\.[^@\s]+$")
        messages.append(t(lang, "editor.valid.pattern.email"))
    if not parts:
        return None
    return ["^" + "".join(parts), " ".join(messages)]


def _pattern_name(pattern: str) -> str:
    """Return the name of a schema pattern's message in the editor's labels."""
    names = {
        "^[a-z0-9]+(-[a-z0-9]+)*-[0-9]{3,}$": "id",
        "^[a-z0-9]+(-[a-z0-9]+)*-[0-9]{3,}-r[0-9]+$": "recommendation_id",
        "^[a-z0-9]+(-[a-z0-9]+)*$": "slug",
        "^[a-z]{2}$": "language",
        "^[A-Z]{2}$": "country",
        "^https://": "https",
        "^[0-9a-f]{16}$": "fingerprint",
    }
    return names.get(pattern, "other")


def _options(lang: str, prop: str, values: list) -> list[dict[str, str]]:
    return [{"label": _label(lang, f"editor.option.{prop}.{value}", str(value)), "value": value} for value in values]


def fields_for(node: dict, path: str, lang: str, required: bool, special: dict[str, dict]) -> dict:
    """Return Decap CMS's field for the schema `node` at `path` (dotted), recursively.

    `special` replaces the generated field of a path (the city select, the themes…) by a ready one, to
    which the name, label, hint and required flag are added. Raises ValueError for a kind of property
    the editor cannot offer, so that a schema change the editor does not follow fails the tests.
    """
    name = path.rsplit(".", 1)[-1]
    field: dict[str, Any] = {"name": name, "label": _label(lang, f"editor.field.{path}", name.replace("_", " "))}
    hint = _hint(lang, path, node)
    if path in special:
        field.update({k: v for k, v in special[path].items() if k != "_computed"})
        if special[path].get("_computed"):
            hint = f"{hint} {t(lang, 'editor.hint.computed')}".strip()
    elif "enum" in node or "enum" in node.get("items", {}):
        values = node.get("enum") or node["items"]["enum"]
        field.update(widget="select", options=_options(lang, name, values))
        if node.get("type") == "array":
            field["multiple"] = True
            field.update(_counts(node))
    elif node.get("type") == "string" and node.get("format") == "date":
        field.update(widget="datetime", format=DATE_FORMAT, date_format=DATE_FORMAT, time_format=False,
                     picker_utc=True)
    elif node.get("type") == "string":
        long_text = (node.get("maxLength") or 0) > 200
        field["widget"] = "text" if long_text else "string"
        pattern = _length_pattern(node, lang)
        if pattern:
            field["pattern"] = pattern
    elif node.get("type") in ("integer", "number"):
        field.update(widget="number", value_type="int" if node["type"] == "integer" else "float")
        for key, decap in (("minimum", "min"), ("maximum", "max")):
            if key in node:
                field[decap] = node[key]
        field["step"] = 1 if node["type"] == "integer" else 0.0001
    elif node.get("type") == "boolean":
        field["widget"] = "boolean"
    elif node.get("type") == "array" and node.get("items", {}).get("type") == "object":
        item = node["items"]
        field.update(widget="list", fields=[fields_for(sub, f"{path}.{key}", lang, key in item.get("required", []),
                                                      special)
                                            for key, sub in item["properties"].items()], **_counts(node))
        field["summary"] = "{{fields.%s}}" % next(iter(item["properties"]))
    elif node.get("type") == "array" and node.get("items", {}).get("type") in ("string", "integer", "number"):
        item = fields_for(node["items"], f"{path}.item", lang, True, special)
        item["name"] = "item"
        field.update(widget="list", field=item, **_counts(node))
    elif node.get("type") == "object" and "properties" in node:
        field.update(widget="object", fields=[fields_for(sub, f"{path}.{key}", lang, key in node.get("required", []),
                                                         special)
                                              for key, sub in node["properties"].items()])
    elif node.get("type") == "object" and isinstance(node.get("additionalProperties"), dict):
        # A mapping with free keys (a city's names by language): a list of key and value, which the
        # editor's script turns back into the mapping.
        keys = fields_for(node.get("propertyNames", {"type": "string"}) | {"type": "string"}, f"{path}.key", lang,
                          True, special)
        keys["name"] = "key"
        value = fields_for(node["additionalProperties"], f"{path}.value", lang, True, special)
        value["name"] = "value"
        field.update(widget="list", fields=[keys, value], summary="{{fields.key}}: {{fields.value}}")
    else:
        raise ValueError(f"the editor offers no field for '{path}' ({json.dumps(node)[:120]}): "
                         "add its kind to manual/editor/form.py fields_for")
    if hint:
        field["hint"] = hint
    field["required"] = required
    return field


def _counts(node: dict) -> dict[str, int]:
    out = {}
    if "minItems" in node:
        out["min"] = node["minItems"]
    if "maxItems" in node:
        out["max"] = node["maxItems"]
    return out


def _section_fields(lang: str, type_hint: bool = True) -> list[dict]:
    """Return one Markdown box per section of schema/sections.yml, labelled with its heading in `lang`."""
    heads = sections()
    out = [{"name": INTRO_FIELD, "label": t(lang, "editor.field.introduction"), "widget": "markdown",
            "required": False, "hint": t(lang, "editor.hint.introduction"), **_markdown()}]
    for key, names in heads["sections"].items():
        types = [t(lang, f"editor.option.type.{type_}") for type_, keys in heads["required"].items() if key in keys]
        hint = t(lang, f"scaffold.guide.{key}") + " " + t(lang, "scaffold.guide.people")
        if type_hint:
            hint += " " + t(lang, "editor.hint.section_required", types=", ".join(types))
        out.append({"name": SECTION_PREFIX + key.replace("-", "_"), "label": names.get(lang) or names["en"],
                    "widget": "markdown", "required": False, "hint": hint, **_markdown()})
    out.append({"name": MORE_FIELD, "label": t(lang, "editor.field.more"), "widget": "markdown", "required": False,
                "hint": t(lang, "editor.hint.more"), **_markdown()})
    return out


def _markdown() -> dict:
    return {"buttons": MARKDOWN_BUTTONS, "editor_components": ["image"], "modes": ["rich_text", "raw"],
            "sanitize_preview": True}


def _language_options(lang: str) -> list[dict[str, str]]:
    codes = scaffold.languages()
    return sorted(({"label": f"{language_name(code, lang)} ({code})", "value": code} for code in codes),
                  key=lambda o: o["label"].casefold())


def _contribution_specials(root: Path, manual: Manual, lang: str) -> dict[str, dict]:
    cities = sorted(((names.get(lang) or name, city) for city, name, names in _cities(root)),
                    key=lambda c: c[0].casefold())
    themes = [{"label": scaffold.theme_name(names, lang, theme_id), "value": theme_id}
              for theme_id, names in scaffold.themes(root)]
    published = sorted(manual.contributions.values(), key=lambda c: c.id)
    ids = [{"label": f"{c.id} — {c.title}", "value": c.id} for c in published]
    contribution = schema("contribution")["properties"]
    return {
        "id": {"widget": "string", "pattern": _length_pattern(contribution["id"], lang),
               "_required": False, "_computed": True},
        "city": {"widget": "select", "options": [{"label": name, "value": city} for name, city in cities]
                 + [{"label": t(lang, "editor.option.city.new"), "value": NEW_CITY}]},
        "language": {"widget": "select", "options": _language_options(lang), "default": lang},
        "themes": {"widget": "select", "multiple": True, "options": themes,
                   **_counts(contribution["themes"])},
        "type": {"widget": "select", "options": _options(lang, "type", contribution["type"]["enum"]),
                 "default": "practice"},
        "status": {"widget": "select", "options": _options(lang, "status", contribution["status"]["enum"]),
                   "default": "draft"},
        "sensitivity": {"widget": "select",
                        "options": _options(lang, "sensitivity", contribution["sensitivity"]["enum"]),
                        "default": "public"},
        "submitted": {"widget": "datetime", "format": DATE_FORMAT, "date_format": DATE_FORMAT,
                      "time_format": False, "picker_utc": True, "default": "{{now}}"},
        "recommendations.id": {"widget": "string",
                               "pattern": _length_pattern(contribution["recommendations"]["items"]["properties"]["id"],
                                                          lang), "_required": False, "_computed": True},
        "related": {"widget": "select", "multiple": True, "options": ids},
        "supersedes": {"widget": "select", "multiple": True, "options": ids},
    }


def _apply_required(field: dict) -> dict:
    """Fields that the editor's script fills in when saving are not required in the form."""
    if "_required" in field:
        field["required"] = field.pop("_required")
    for sub in field.get("fields", []):
        _apply_required(sub)
    if isinstance(field.get("field"), dict):
        _apply_required(field["field"])
    return field


def _schema_fields(name: str, lang: str, special: dict[str, dict], optional: tuple[str, ...] = ()) -> list[dict]:
    node = schema(name)
    return [_apply_required(fields_for(sub, key, lang, key in node.get("required", []) and key not in optional,
                                       special))
            for key, sub in node["properties"].items()]


def contribution_collection(root: Path, manual: Manual, lang: str) -> dict:
    """Return the collection of contributions: a field per property of the schema, then the sections."""
    fields = _schema_fields("contribution", lang, _contribution_specials(root, manual, lang))
    city = next(i for i, f in enumerate(fields) if f["name"] == "city")
    # The id is filled in when saving: it comes after the city it is made from.
    fields.insert(city, fields.pop(next(i for i, f in enumerate(fields) if f["name"] == "id")))
    fields.insert(city + 1, {"name": NEW_CITY_FIELD, "label": t(lang, "editor.field.new_city"), "widget": "string",
                             "required": False, "hint": t(lang, "editor.hint.new_city"),
                             "pattern": ["^[a-z0-9]+(-[a-z0-9]+)*$", t(lang, "editor.valid.pattern.slug")]})
    fields += _section_fields(lang)
    fields += [{"name": KIND_FIELD, "widget": "hidden", "default": "contribution", "required": False},
               {"name": FILE_FIELD, "widget": "hidden", "required": False}]
    return {
        "name": "contributions", "label": t(lang, "editor.collection.contributions"),
        "label_singular": t(lang, "editor.collection.contribution"),
        "description": t(lang, "editor.collection.contributions.description"),
        "folder": "contributions", "path": "{{city}}/{{slug}}", "slug": "{{fields.%s}}" % FILE_FIELD,
        "extension": "md", "format": "continuum-contribution", "create": True, "delete": False,
        "identifier_field": "title", "summary": "{{id}} · {{title}}",
        "filter": {"field": KIND_FIELD, "value": "contribution"},
        "media_folder": "", "public_folder": "",
        "sortable_fields": ["id", "title", "submitted"],
        "view_groups": [{"label": t(lang, "editor.field.city"), "field": "city"}],
        "editor": {"preview": False},
        "fields": fields,
    }


def translation_collection(manual: Manual, lang: str) -> dict:
    """Return the collection of translations, each started from a published original."""
    originals = sorted(manual.contributions.values(), key=lambda c: c.id)
    special = {
        "translation_of": {"widget": "select",
                           "options": [{"label": f"{c.id} — {c.title}", "value": c.id} for c in originals]},
        "language": {"widget": "select", "options": _language_options(lang), "default": lang},
        "source_fingerprint": {"widget": "string", "_required": False, "_computed": True,
                               "pattern": _length_pattern(schema("translation")["properties"]["source_fingerprint"],
                                                          lang)},
    }
    # The title and summary are copied from the original when left empty, to be translated over.
    fields = _schema_fields("translation", lang, special, optional=("title", "summary"))
    fields += _section_fields(lang, type_hint=False)
    fields += [{"name": KIND_FIELD, "widget": "hidden", "default": "translation", "required": False},
               {"name": FILE_FIELD, "widget": "hidden", "required": False},
               {"name": "city", "widget": "hidden", "required": False}]
    return {
        "name": "translations", "label": t(lang, "editor.collection.translations"),
        "label_singular": t(lang, "editor.collection.translation"),
        "description": t(lang, "editor.collection.translations.description"),
        "folder": "contributions", "path": "{{city}}/{{slug}}", "slug": "{{fields.%s}}" % FILE_FIELD,
        "extension": "md", "format": "continuum-contribution", "create": True, "delete": False,
        "identifier_field": "translation_of", "summary": "{{translation_of}} ({{language}}) · {{title}}",
        "filter": {"field": KIND_FIELD, "value": "translation"},
        "media_folder": "", "public_folder": "",
        "editor": {"preview": False},
        "fields": fields,
    }


def city_collection(lang: str) -> dict:
    """Return the collection of the city registry: contributions/<city>/city.yml."""
    countries = sorted(({"label": f"{country_name(c.alpha_2, lang)} ({c.alpha_2})", "value": c.alpha_2}
                        for c in pycountry.countries), key=lambda o: o["label"].casefold())
    special = {"country": {"widget": "select", "options": countries},
               "names.key": {"widget": "select", "options": _language_options(lang)}}
    fields = _schema_fields("city", lang, special)
    fields.insert(1, {"name": FOLDER_FIELD, "label": t(lang, "editor.field.folder"), "widget": "string",
                      "required": False, "hint": t(lang, "editor.hint.folder"),
                      "pattern": ["^[a-z0-9]+(-[a-z0-9]+)*$", t(lang, "editor.valid.pattern.slug")]})
    return {
        "name": "cities", "label": t(lang, "editor.collection.cities"),
        "label_singular": t(lang, "editor.collection.city"),
        "description": t(lang, "editor.collection.cities.description"),
        "folder": "contributions", "path": "{{slug}}/city", "slug": "{{fields.%s}}" % FOLDER_FIELD,
        "extension": "yml", "format": "continuum-city", "create": True, "delete": False,
        "identifier_field": "name", "summary": "{{name}} ({{country}})",
        "editor": {"preview": False},
        "fields": fields,
    }
