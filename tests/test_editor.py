"""The web editor at /admin/ (manual/editor/, scripts/editor/): its configuration is generated from the
format and offers every property of it; what its script writes passes check as written.

The browser test (tests/e2e/test_editor.py) drives the editor itself; these run without a browser. The
tests that run the editor's script need Node.js and `make editor` (npm ci --prefix scripts/editor); with
CI=true they fail, rather than skip, when either is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from manual import editor, scaffold
from manual.editor import form as editor_form
from manual.translate import fingerprint
from manual.errors import MissingTool
from manual.merge import merge
from manual.validate import check_tree, schema, sections

from .conftest import REPO, copy_corpus, run

SCRIPT = REPO / "scripts" / "editor" / "continuum-editor.js"
# The editor's script under Node.js: reads {"call": name, "args": [...]} on stdin, prints the result as JSON.
HARNESS = """
const api = require(process.argv[1]);
let input = '';
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const {call, args} = JSON.parse(input);
  try { process.stdout.write(JSON.stringify({ok: api[call](...args)})); }
  catch (e) { process.stdout.write(JSON.stringify({error: String(e.message)})); }
});
"""


def _need_node() -> str:
    node = shutil.which("node")
    missing = None if node else "node"
    if not missing and not editor.installed():
        missing = "the editor's npm package (make editor)"
    if missing:
        message = f"{missing} is not available: install Node.js and run 'make editor'"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return node


def call(function: str, *args: object) -> object:
    """Run one function of the editor's script under Node.js; return its result (or raise its error)."""
    node = _need_node()
    env = dict(os.environ, NODE_PATH=str(editor.MODULES))
    result = subprocess.run([node, "-e", HARNESS, str(SCRIPT)], input=json.dumps({"call": function, "args": args}),
                            capture_output=True, text=True, env=env, check=True, timeout=60)
    answer = json.loads(result.stdout)
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer["ok"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """A copy of the bundled corpus and its merged manual."""
    root = copy_corpus(tmp_path_factory.mktemp("editor") / "manual")
    return root, merge(check_tree(root))


def _fields(fields: list[dict], prefix: str = "") -> dict[str, dict]:
    """Every field of a collection by its dotted path, nested ones included."""
    found = {}
    for field in fields:
        path = f"{prefix}{field['name']}"
        found[path] = field
        found.update(_fields(field.get("fields", []), f"{path}."))
        if isinstance(field.get("field"), dict):
            found.update(_fields([field["field"]], f"{path}."))
    return found


def _properties(node: dict, prefix: str = "") -> dict[str, dict]:
    """Every property of a schema by its dotted path, recursively through objects and arrays."""
    found = {}
    for key, sub in node.get("properties", {}).items():
        path = f"{prefix}{key}"
        found[path] = sub
        if sub.get("type") == "object":
            found.update(_properties(sub, f"{path}."))
            if isinstance(sub.get("additionalProperties"), dict):
                found[f"{path}.key"] = sub.get("propertyNames", {"type": "string"})
                found[f"{path}.value"] = sub["additionalProperties"]
        items = sub.get("items", {})
        if sub.get("type") == "array" and items.get("type") == "object":
            found.update(_properties(items, f"{path}."))
        elif sub.get("type") == "array" and "enum" not in items and sub.get("items"):
            found[f"{path}.item"] = items
    return found


COLLECTIONS = {"contributions": "contribution", "translations": "translation", "cities": "city"}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(("collection", "schema_name"), list(COLLECTIONS.items()))
def test_every_property_of_the_schema_has_a_field(corpus, lang: str, collection: str, schema_name: str) -> None:
    root, manual = corpus
    config = editor.editor_config(manual, root, lang)
    fields = _fields(next(c for c in config["collections"] if c["name"] == collection)["fields"])
    node = schema(schema_name)
    # An array offered as a select of several values has no field per item.
    missing = sorted(path for path in set(_properties(node)) - set(fields)
                     if not (path.endswith(".item") and fields.get(path[:-5], {}).get("multiple")))
    assert not missing, f"the editor's {collection} offer no field for {missing}: see manual/editor/form.py fields_for"
    # Filled in by the editor's script on saving.
    computed = {"contributions": {"id", "recommendations.id"}, "translations": {"source_fingerprint"}}.get(collection,
                                                                                                          set())
    for path, prop in _properties(node).items():
        if path not in fields:
            continue  # an item of a multiple select
        field = fields[path]
        parent, _, name = path.rpartition(".")
        owner = _properties(node)[parent] if parent else node
        owner = owner.get("items", owner) if owner.get("type") == "array" else owner
        required = name in owner.get("required", []) and path not in computed
        if collection == "translations" and path in ("title", "summary"):
            required = False  # copied from the original when left empty
        if not path.endswith((".key", ".value", ".item")):
            assert field["required"] is required, f"{collection}: {path} required={field['required']}, not {required}"
        enum = prop.get("enum") or prop.get("items", {}).get("enum")
        if enum:
            assert field["widget"] == "select" and [o["value"] for o in field["options"]] == enum, path
        if prop.get("format") == "date":
            assert field["widget"] == "datetime" and field["time_format"] is False, path
        if prop.get("pattern") and field["widget"] in ("string", "text"):
            assert field["pattern"], path
        if "minLength" in prop or "maxLength" in prop:
            regex, message = field["pattern"]
            assert f"{{{prop.get('minLength', 0)},{prop.get('maxLength', '')}}}" in regex, (path, regex)
            assert message
        if lang == "en" and prop.get("description"):
            assert " ".join(prop["description"].split()) in field["hint"], path
        if prop.get("description"):
            assert field.get("hint"), f"{collection} in {lang}: {path} has no hint"


def test_a_new_kind_of_property_fails_loudly() -> None:
    with pytest.raises(ValueError, match="no field for 'odd'"):
        editor_form.fields_for({"type": "null"}, "odd", "en", False, {})


def test_selects_name_themes_and_cities_in_the_editors_language(corpus) -> None:
    root, manual = corpus
    for lang, theme in (("en", "Drones"), ("fr", "Vie nocturne")):
        fields = _fields(editor.editor_config(manual, root, lang)["collections"][0]["fields"])
        cities = {o["value"]: o["label"] for o in fields["city"]["options"]}
        themes = {o["label"] for o in fields["themes"]["options"]}
        assert theme in themes
        assert editor_form.NEW_CITY in cities and "nice" in cities and cities["nice"] == "Nice"
        city_card = yaml.safe_load((root / "contributions" / "brussels" / "city.yml").read_text())
        assert cities["brussels"] == city_card.get("names", {}).get(lang, city_card["name"])
        assert fields["themes"]["min"] == 1 and fields["themes"]["max"] == 3
        assert fields["recommendations"]["widget"] == "list"
        assert fields["submitted"]["widget"] == "datetime"
        markdown = [f for f in fields.values() if f.get("widget") == "markdown"]
        assert all(f["editor_components"] == ["image"] for f in markdown)


def test_backends_github_and_gitlab_with_their_settings(corpus) -> None:
    root, manual = corpus
    config = editor.editor_config(manual, root, "fr")
    assert config["publish_mode"] == "editorial_workflow" and config["locale"] == "fr"
    assert config["backend"]["name"] == "github" and config["backend"]["repo"] == "eu-polnet/continuum"
    page = editor.page(manual, root)
    assert "githubstatus" not in page and "connect-src 'self' blob: data: https://api.github.com" in page
    gitlab = editor.backend({"backend": "gitlab", "repo": "polnet/continuum",
                             "api_root": "https://git.city.example/api/v4", "base_url": "https://git.city.example",
                             "app_id": "abc"})
    assert gitlab == {"name": "gitlab", "repo": "polnet/continuum", "branch": "main",
                      "api_root": "https://git.city.example/api/v4", "base_url": "https://git.city.example",
                      "app_id": "abc", "auth_type": "pkce", "cms_label_prefix": "continuum/"}
    assert editor.forge_origins({"backend": "gitlab", "api_root": "https://git.city.example/api/v4"}) == [
        "https://git.city.example"]
    assert editor.backend({"backend": "gitlab", "repo": "a/b", "api_root": "https://git.city.example/api/v4"})[
        "base_url"] == "https://git.city.example"
    assert editor.ui_locale("el") == "gr" and editor.ui_locale("lv") == "en"


def test_write_editor_writes_the_page_its_configuration_and_the_cms(corpus, tmp_path: Path) -> None:
    _need_node()
    root, manual = corpus
    out = tmp_path / "site"
    editor.write_editor(manual, root, out)
    admin = out / "admin"
    for name in ("index.html", "config.yml", "config.fr.yml", "continuum.json", "continuum-editor.js",
                 "continuum-boot.js", "decap-cms.js", "js-yaml.min.js"):
        assert (admin / name).is_file(), name
    assert not list(admin.glob("*.map"))
    page = (admin / "index.html").read_text()
    assert "Content-Security-Policy" in page and "https://api.github.com" in page
    assert "<script src=\"decap-cms.js\"></script>" in page and "http" not in page.split("<body>")[1]
    config = yaml.safe_load((admin / "config.yml").read_text())
    assert config["locale"] == "en" and [c["name"] for c in config["collections"]] == list(COLLECTIONS)
    assert (admin / "config.yml").read_text().startswith("# Generated by build_manual.py")
    data = json.loads((admin / "continuum.json").read_text())
    assert data["next"]["nice"] == int(scaffold.next_id(root, "nice").rsplit("-", 1)[1])
    assert set(data["originals"]) == set(manual.contributions)  # published ones only: nothing restricted
    size = sum(p.stat().st_size for p in admin.rglob("*") if p.is_file())
    assert size < 20_000_000, f"the editor adds {size} bytes to the site"


def test_write_editor_without_the_npm_package_says_how_to_install_it(corpus, tmp_path: Path, monkeypatch) -> None:
    root, manual = corpus
    monkeypatch.setattr(editor, "DECAP_DIST", tmp_path / "missing")
    with pytest.raises(MissingTool, match="make editor"):
        editor.write_editor(manual, root, tmp_path / "site")


def test_write_editor_does_nothing_when_turned_off(corpus, tmp_path: Path) -> None:
    root, manual = corpus
    off = copy_corpus(tmp_path / "off")
    text = (off / "manual.yml").read_text().replace("  enabled: true", "  enabled: false")
    (off / "manual.yml").write_text(text)
    editor.write_editor(manual, off, tmp_path / "site")
    assert not (tmp_path / "site" / "admin").exists()


# --- what the editor's script writes -----------------------------------------------------------------

TRICKY = ['Title: with "quotes", a colon and a backslash \\ too', "yes", "no", "2026-01-15", "- a dash first",
          "# not a comment", "Ἀθῆναι et Łódź", "a  double  space " * 12, "nice-001", "on", "null", "123",
          "tabs\tinside", "long " + "word " * 60]


@pytest.fixture(scope="module")
def script_data(corpus) -> dict:
    root, manual = corpus
    return editor.script_data(manual, root)


def _save(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_new_contribution_from_the_form_passes_check_as_written(corpus, script_data, tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    form = {"continuum_kind": "contribution", "title": "Des policiers européens au Carnaval", "city": "nice",
            "language": "fr", "themes": ["major-events", "training-exchange"], "type": "recommendation",
            "summary": "Des agents de polices européennes patrouillent avec les agents niçois pendant le Carnaval.",
            "status": "draft", "sensitivity": "public", "submitted": "2026-01-15", "evidence": "",
            "recommendations": [{"text": "Invitez des agents étrangers pour les grands événements."}],
            "last_reviewed": "", "related": [], "events": [{"name": "Carnaval de Nice", "year": 2026}],
            "tags": ["carnaval"], "contacts": [{"role": "Chef de service", "organisation": "Police municipale",
                                                "email": "", "url": ""}],
            "section_context": "Le Carnaval accueille un million de visiteurs.", "section_lessons_learned": ""}
    done = call("completeContribution", script_data, form, "fr", {})
    nice = scaffold.next_id(root, "nice")
    assert done["id"] == nice and done["recommendations"][0]["id"] == f"{nice}-r1"
    assert done["file_name"] == "des-policiers-europeens-au-carnaval"
    text = call("writeEntry", script_data, done)
    assert text.startswith("---\n# yaml-language-server: $schema=../../schema/contribution.schema.json\n")
    heads = sections()
    body = text.split("\n---\n", 1)[1]
    wanted = [f"## {heads['sections'][key]['fr']}" for key in heads["required"]["recommendation"]]
    assert [line for line in body.splitlines() if line.startswith("## ")] == wanted
    assert "<!--" in body  # the guidance of the empty section, as `new` writes it
    _save(root, f"contributions/nice/{done['file_name']}.md", text)
    result = run("check", f"contributions/nice/{done['file_name']}.md", root=root)
    assert result.code == 0 and " 0 errors, 0 warnings" in result.err, result
    again = call("readEntry", script_data, text)
    assert again["section_context"] == form["section_context"] and again["section_lessons_learned"] == ""
    assert again["submitted"] == "2026-01-15" and again["continuum_kind"] == "contribution"
    assert call("writeEntry", script_data, again) == text  # reading and saving again changes nothing


@pytest.mark.parametrize("tricky", TRICKY)
def test_any_text_typed_in_the_form_reads_back_the_same(script_data, tricky: str) -> None:
    form = {"id": "nice-900", "title": tricky, "city": "nice", "language": "fr", "themes": ["drones"],
            "type": "practice", "summary": tricky * 2, "status": "draft", "sensitivity": "public",
            "submitted": "2026-01-15", "tags": ["a-b"], "events": [{"name": tricky}],
            "contacts": [{"role": tricky, "organisation": tricky}]}
    text = call("writeEntry", script_data, form)
    front = yaml.safe_load(text.split("---\n")[1])
    assert all(len(line) <= 100 for line in text.split("---\n")[1].splitlines() if " " in line.strip())
    assert front["title"] == tricky.strip() and front["summary"] == (tricky * 2).strip()
    assert front["events"] == [{"name": tricky.strip()}] and front["contacts"][0]["role"] == tricky.strip()
    assert str(front["submitted"]) == "2026-01-15"


def test_every_bundled_contribution_reads_and_writes_back_passing_check(corpus, script_data, tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    files = sorted((root / "contributions").glob("*/*.md"))
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    node = _need_node()
    env = dict(os.environ, NODE_PATH=str(editor.MODULES))
    # One Node.js process for them all: read each file as the editor does, and write it back.
    program = HARNESS.replace("api[call](...args)",
                              "args[1].map(t => api.writeEntry(args[0], api.readEntry(args[0], t)))")
    result = subprocess.run([node, "-e", program, str(SCRIPT)], capture_output=True, text=True, env=env, check=True,
                            input=json.dumps({"call": "", "args": [script_data, list(texts.values())]}))
    written = json.loads(result.stdout)["ok"]
    for path, text in zip(texts, written):
        path.write_text(text, encoding="utf-8")
        before = yaml.safe_load(texts[path].split("---\n")[1])
        after = yaml.safe_load(text.split("---\n")[1])
        assert after == before, path
    result = run("check", root=root)
    assert result.code == 0 and " 0 errors" in result.err, result.out[-2000:]
    assert run("build", root=root).code == 0


def test_a_translation_starts_from_its_original(corpus, script_data, tmp_path: Path) -> None:
    root, manual = corpus
    original = next(c for c in sorted(manual.contributions.values(), key=lambda c: c.id)
                    if c.language == "fr" and "en" not in manual.translations.get(c.id, {}))
    done = call("completeTranslation", script_data, {"continuum_kind": "translation", "translation_of": original.id,
                                                     "language": "en"}, "en")
    assert done["file_name"] == Path(original.path).stem + ".en" and done["city"] == original.city
    assert done["title"] == original.title and done["source_fingerprint"] == fingerprint(original)
    text = call("writeEntry", script_data, done)
    assert text.startswith("---\n# yaml-language-server: $schema=../../schema/translation.schema.json\n")
    assert "city:" not in text and "## Context" in text  # the original's text under English headings
    work = copy_corpus(tmp_path / "manual")
    _save(work, f"{Path(original.path).parent}/{done['file_name']}.md", text)
    result = run("check", root=work)
    assert result.code == 0 and " 0 errors" in result.err, result.out[-1500:]
    with pytest.raises(RuntimeError, match="already"):
        call("completeTranslation", script_data, {"translation_of": original.id, "language": original.language},
             "en")


def test_a_new_city_card_and_its_first_contribution(corpus, script_data, tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    card = call("completeCity", script_data, {"name": "Évora", "country": "PT", "police_force": "Polícia Municipal",
                                              "networks": ["EU-POLNET"],
                                              "coordinates": {"lat": 38.5714, "lon": -7.9135},
                                              "names": [{"key": "no", "value": "Évora"}], "kind": ""})
    assert card["folder"] == "evora"
    text = call("writeCity", script_data, card)
    assert text.startswith(editor_form.SCHEMA_LINES["city"] + "\n") and yaml.safe_load(text)["names"] == {"no": "Évora"}
    _save(root, "contributions/evora/city.yml", text)
    with pytest.raises(RuntimeError, match="identifier"):
        call("completeContribution", script_data, {"city": editor_form.NEW_CITY, "title": "x"}, "en", {})
    form = {"continuum_kind": "contribution", "city": editor_form.NEW_CITY, "new_city": "evora", "title": "Night patrols",
            "language": "en", "themes": ["night-time"], "type": "practice", "status": "draft",
            "sensitivity": "public", "summary": "Night patrols with the shopkeepers of the old town.",
            "submitted": "2026-02-01", "section_context": "See ![](map.png)."}
    with pytest.raises(RuntimeError, match="description"):
        call("completeContribution", script_data, form, "en", {})
    form["section_context"] = "The old town at night."
    used: dict = {}
    done = call("completeContribution", script_data, form, "en", used)
    assert done["id"] == "evora-001" and done["city"] == "evora" and "new_city" not in done
    _save(root, "contributions/evora/night-patrols.md", call("writeEntry", script_data, done))
    result = run("check", root=root)
    assert result.code == 0 and " 0 errors" in result.err, result.out[-1500:]


def test_the_interface_speaks_every_language_decap_has(corpus, tmp_path: Path) -> None:
    root, manual = corpus
    languages = editor.editor_languages(manual)
    assert languages[:2] == ["en", "fr"] and {"es", "it", "el", "pl"} <= set(languages) and "lv" not in languages
    config = editor.editor_config(manual, root, "el")
    assert config["locale"] == "gr" and config["site_url"].endswith("/en/")
    data = editor.script_data(manual, root)
    assert data["configs"]["es"] == "config.es.yml" and data["locales"]["el"] == "gr"


def test_the_members_site_has_no_editor(corpus, tmp_path: Path) -> None:
    root, manual = corpus
    import dataclasses
    editor.write_editor(dataclasses.replace(manual, members=True), root, tmp_path / "site")
    assert not (tmp_path / "site" / "admin").exists()
