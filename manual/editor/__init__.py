"""The web editor at /admin/ of the site: a form over the manual's format, for officers who write no YAML.

It is Decap CMS (https://decapcms.org), from npm (scripts/editor/, pinned in its lock file), served by
the site itself: its JavaScript is copied into site/admin/, so the page asks nothing of a CDN or a third
party, only of the forge the manual is configured for (GitHub or GitLab, `editor:` in manual.yml).

Everything the form offers is generated here from the format, never written by hand:

- one collection over contributions/<city>/*.md with a field for every property of
  schema/contribution.schema.json (`fields_for`, recursively: required ones required, enums as selects,
  patterns and lengths as validation, descriptions as hints), themes (themes.yml) and cities (the city
  registry) as selects named in the editor's language, and one text box per section of schema/sections.yml;
- one collection over the translations (<slug>.<lang>.md, schema/translation.schema.json), which a
  translator starts from a published original;
- one collection over contributions/<city>/city.yml (schema/city.schema.json), for a new city.

What the CMS cannot compute from its configuration, scripts/editor/continuum-editor.js does when an entry
is saved, from admin/continuum.json written here: the city's next free id, the recommendations' ids, the
file name, the `# yaml-language-server` line, the section headings of the type in the contribution's
language (as `build_manual.py new` writes them), the fingerprint of a translation's original.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from .. import scaffold
from ..errors import ConfigError, MissingTool
from ..i18n import t
from ..model import Manual
from ..translate import fingerprint
from ..validate import schema, sections
from .form import (NEW_CITY, SCHEMA_LINES, city_collection, contribution_collection, next_ids,
                   translation_collection)

HERE = Path(__file__).resolve().parent
EDITOR_PACKAGE = HERE.parent.parent / "scripts" / "editor"
MODULES = EDITOR_PACKAGE / "node_modules"
DECAP_DIST = MODULES / "decap-cms" / "dist"
JS_YAML = MODULES / "js-yaml" / "dist" / "js-yaml.min.js"
GLUE = EDITOR_PACKAGE / "continuum-editor.js"
INSTALL_HINT = ("the web editor (/admin/ of the site) needs Decap CMS from npm: run 'make editor' "
                "(npm ci --prefix scripts/editor --omit=peer --ignore-scripts; needs node and npm), or set "
                "'editor: {enabled: false}' in manual.yml")

# Decap CMS 3.16 has its interface in these languages (decap-cms-locales); others fall back to English.
DECAP_LOCALES = {"bg", "ca", "cs", "da", "de", "en", "es", "fa", "fr", "gr", "he", "hr", "hu", "it", "ja", "ko",
                 "lt", "mk", "nb_no", "nl", "nn_no", "pl", "pt", "ro", "ru", "sk", "sl", "sr_Cyrl", "sv", "th", "tr",
                 "ua", "uk", "vi", "zh_Hans", "zh_Hant"}
DECAP_LOCALE_NAMES = {"el": "gr", "nb": "nb_no", "nn": "nn_no"}


# --- settings --------------------------------------------------------------------------------------

def editor_settings(root: Path) -> dict[str, Any]:
    """Return the `editor:` block of manual.yml (empty when absent), validated by schema/manual.schema.json."""
    try:
        data = yaml.safe_load((root / "manual.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"manual.yml cannot be read: {exc}") from exc
    block = data.get("editor") or {}
    if not isinstance(block, dict):
        raise ConfigError("manual.yml: 'editor' must be a mapping (see schema/manual.schema.json)")
    return block


def enabled(root: Path) -> bool:
    """Tell whether the site gets the web editor at /admin/."""
    return bool(editor_settings(root).get("enabled", False))


def installed() -> bool:
    """Tell whether the editor's npm package is installed (make editor)."""
    return (DECAP_DIST / "decap-cms.js").is_file() and JS_YAML.is_file() and GLUE.is_file()


def backend(settings: dict[str, Any]) -> dict[str, Any]:
    """Return Decap CMS's `backend` block: GitHub or GitLab, with the editorial workflow's pull requests."""
    name = settings.get("backend", "github")
    out: dict[str, Any] = {"name": name, "repo": settings["repo"], "branch": settings.get("branch", "main")}
    for key in ("api_root", "base_url", "auth_endpoint", "app_id", "auth_type"):
        if settings.get(key):
            out[key] = settings[key]
    if name == "gitlab" and out.get("api_root") and not out.get("base_url"):
        # A self-managed GitLab signs officers in where its API is.
        out["base_url"] = re.match(r"^https?://[^/]+", out["api_root"]).group(0)
    if name == "gitlab" and settings.get("app_id") and "auth_type" not in out:
        out["auth_type"] = "pkce"  # GitLab signs officers in without any server of ours
    if name == "github":
        out["open_authoring"] = bool(settings.get("open_authoring", False))
    if settings.get("squash_merges"):
        out["squash_merges"] = True
    out["cms_label_prefix"] = "continuum/"
    return out


def forge_origins(settings: dict[str, Any]) -> list[str]:
    """Return the origins the editor page may talk to: the forge's API, its sign-in, the local backend."""
    gitlab = settings.get("backend", "github") == "gitlab"
    urls = [settings.get("api_root") or ("https://gitlab.com/api/v4" if gitlab else "https://api.github.com"),
            settings.get("base_url") or ("" if not gitlab else settings.get("api_root") or "https://gitlab.com"),
            settings.get("local_backend", "")]
    if not gitlab and not settings.get("api_root"):
        # github.com's own hosts for what the API points at: avatars and the files' raw content.
        urls += ["https://avatars.githubusercontent.com", "https://raw.githubusercontent.com"]
    origins: list[str] = []
    for url in urls:
        match = re.match(r"^(https?://[^/]+)", url or "")
        if match and match.group(1) not in origins:
            origins.append(match.group(1))
    return origins


def editor_languages(manual: Manual) -> list[str]:
    """Return the languages of the editor's interface: the manual's, then every language contributions are
    written in that Decap CMS speaks (its own words in that language, the manual's labels in English)."""
    found = list(manual.settings.languages)
    found += [lang for lang in scaffold.languages() if lang not in found and ui_locale(lang) != "en"]
    return found


def ui_locale(lang: str) -> str:
    """Return Decap CMS's name of the interface language closest to `lang` (English if it has none)."""
    code = DECAP_LOCALE_NAMES.get(lang, lang)
    return code if code in DECAP_LOCALES else "en"


# --- what the form is generated from ---------------------------------------------------------------

def editor_config(manual: Manual, root: Path, lang: str) -> dict:
    """Return Decap CMS's configuration in the editor's language `lang`, generated from the format."""
    settings = editor_settings(root)
    site = manual.settings.site_url
    # The site the editor links back to: in the editor's language if the manual has it.
    site_lang = lang if lang in manual.settings.languages else manual.settings.languages[0]
    config: dict[str, Any] = {
        "backend": backend(settings),
        "publish_mode": "editorial_workflow",
        "locale": ui_locale(lang),
        "site_url": f"{site}{site_lang}/",
        "display_url": f"{site}{site_lang}/",
        "media_folder": "contributions",
        "public_folder": "",
        "slug": {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"},
        "show_preview_links": False,
        "search": True,
        "collections": [contribution_collection(root, manual, lang), translation_collection(manual, lang),
                        city_collection(lang)],
    }
    if settings.get("local_backend"):
        config["local_backend"] = {"url": settings["local_backend"], "allowed_hosts": ["localhost", "127.0.0.1"]}
    return config


# --- what the editor's script needs -----------------------------------------------------------------

def script_data(manual: Manual, root: Path) -> dict:
    """Return admin/continuum.json: what the editor's script computes entries from when they are saved."""
    heads = sections()
    writing = scaffold.languages()
    guidance = {lang: {"intro": t(lang, "scaffold.intro") + " " + t(lang, "scaffold.guide.people"),
                       **{key: t(lang, f"scaffold.guide.{key}") for key in heads["sections"]}}
                for lang in writing}
    languages = editor_languages(manual)
    messages = {lang: {key: t(lang, f"editor.message.{key}")
                       for key in ("image_alt", "recommendation_needed", "new_city", "original", "same_language",
                                   "translated", "city", "image", "image_file", "image_description",
                                   "image_description_hint")}
                for lang in languages}
    originals = {}
    for c in sorted(manual.contributions.values(), key=lambda c: c.id):
        originals[c.id] = {"path": c.path, "language": c.language, "type": c.type, "fingerprint": fingerprint(c),
                           "title": c.title, "summary": c.summary,
                           "recommendations": [{"id": r.id, "text": r.text} for r in c.recommendations],
                           "body": c.body, "translated": sorted(manual.translations.get(c.id, {}))}
    return {
        "languages": languages,
        "configs": {lang: config_name(manual, lang) for lang in languages},
        "locales": {lang: ui_locale(lang) for lang in languages},
        "next": next_ids(root),
        "sections": {"order": list(heads["sections"]), "names": heads["sections"], "required": heads["required"]},
        "guidance": guidance,
        "schema_lines": SCHEMA_LINES,
        "order": {name: list(schema(name)["properties"]) for name in ("contribution", "translation", "city")},
        "dates": sorted({key for key, node in schema("contribution")["properties"].items()
                         if node.get("format") == "date"}),
        "new_city": NEW_CITY,
        "originals": originals,
        "messages": messages,
    }


def config_name(manual: Manual, lang: str) -> str:
    """Return the name of the configuration file of a language: config.yml for the default one."""
    return "config.yml" if lang == manual.settings.languages[0] else f"config.{lang}.yml"


def page(manual: Manual, root: Path) -> str:
    """Return admin/index.html: the CMS's page, which asks nothing of anyone but the site and the forge."""
    settings = editor_settings(root)
    lang = manual.settings.languages[0]
    connect = " ".join(["'self'", "blob:", "data:", *forge_origins(settings)])
    # Decap CMS styles itself inline (emotion) and compiles its configuration's schema (ajv): hence
    # 'unsafe-inline' styles and 'unsafe-eval'. Nothing is loaded from anywhere but the site, and the page
    # talks to the forge only: the browser refuses anything else (such as Decap's look at githubstatus.com,
    # which it then takes for "GitHub is up").
    policy = (f"default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
              f"img-src 'self' blob: data: {' '.join(forge_origins(settings))}; connect-src {connect}; "
              "font-src 'self' data:; frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")
    title = f"{manual.settings.title} — {t(lang, 'editor.page.title')}"
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<title>{_escape(title)}</title>
<link rel="stylesheet" href="continuum-editor.css">
</head>
<body>
<noscript>{_escape(t(lang, 'editor.page.noscript'))}</noscript>
<script src="continuum-boot.js"></script>
<script src="js-yaml.min.js"></script>
<script src="decap-cms.js"></script>
<script src="continuum-editor.js"></script>
</body>
</html>
"""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


BOOT = ("// Decap CMS waits for continuum-editor.js, which registers the manual's formats first.\n"
        "window.CMS_MANUAL_INIT = true;\n")


def write_editor(manual: Manual, root: Path, out: Path) -> None:
    """Write the web editor into out/admin/ (out: the built site's root, beside en/ fr/ index.html).

    Does nothing when manual.yml does not turn it on (`editor: {enabled: true}`), nor for the members'
    build (officers contribute through the public site; every page of the members' site carries its
    banner). Raises MissingTool when Decap CMS is not installed (make editor).
    """
    settings = editor_settings(root)
    target = out / "admin"
    if not settings.get("enabled") or manual.members:
        return
    if not installed():
        raise MissingTool(INSTALL_HINT)
    if not settings.get("repo"):
        raise ConfigError("manual.yml: the editor needs 'repo' (owner/name on GitHub, group/project on GitLab)")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    header = ("# Generated by build_manual.py (manual/editor/) from schema/*.json, schema/sections.yml, "
              "themes.yml,\n# the city registry and manual.yml's 'editor' settings: never edit it by hand.\n")
    for lang in editor_languages(manual):
        text = yaml.safe_dump(editor_config(manual, root, lang), sort_keys=False, allow_unicode=True, width=120)
        (target / config_name(manual, lang)).write_text(header + text, encoding="utf-8")
    data = json.dumps(script_data(manual, root), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (target / "continuum.json").write_text(data + "\n", encoding="utf-8")
    (target / "index.html").write_text(page(manual, root), encoding="utf-8")
    (target / "continuum-boot.js").write_text(BOOT, encoding="utf-8")
    shutil.copyfile(GLUE, target / "continuum-editor.js")
    shutil.copyfile(GLUE.with_suffix(".css"), target / "continuum-editor.css")
    shutil.copyfile(JS_YAML, target / "js-yaml.min.js")
    for source in sorted(DECAP_DIST.iterdir()):
        # The bundle, the chunks it loads on demand and its WebAssembly; neither the source maps nor the
        # second copy of the same bundle (cms.js and its chunks).
        if source.is_file() and not source.name.endswith(".map") and (
                source.name.startswith("decap-cms.js") or source.name.endswith((".decap-cms.js", ".wasm"))):
            shutil.copyfile(source, target / source.name)
    licences = target / "licences"
    licences.mkdir()
    for package in ("decap-cms", "js-yaml"):
        for name in ("LICENSE", "LICENSE.md", "LICENSE.txt"):
            if (MODULES / package / name).is_file():
                shutil.copyfile(MODULES / package / name, licences / f"{package}-{name}")
