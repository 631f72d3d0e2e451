"""The command line's formats, exit codes and schemas."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import yaml

from manual import i18n
from manual.validate import SCHEMA_DIR

from .conftest import FIXTURES, REPO, run


def _broken(base_tree: Path) -> Path:
    shutil.copyfile(FIXTURES / "check" / "unknown-theme.md", base_tree / "contributions" / "nice" / "unknown-theme.md")
    return base_tree


def test_clean_tree_exits_0(base_tree: Path) -> None:
    result = run("check", root=base_tree)
    assert (result.code, result.out, result.err) == (0, "", "6 files checked: 0 errors, 0 warnings.\n")


def test_json_format(base_tree: Path) -> None:
    result = run("check", "--format", "json", root=_broken(base_tree))
    assert result.code == 1
    data = json.loads(result.out)
    assert (data["contributions"], data["cities"], data["themes"]) == (3, 2, 3)
    assert data["problems"][0] == {
        "file": "contributions/nice/unknown-theme.md", "line": 6, "column": 10, "severity": "error",
        "code": "unknown-theme",
        "message": "unknown theme 'major-event'; did you mean 'major-events'? the themes are listed in themes.yml"}
    assert len(data["problems"]) == 2


def test_github_format(base_tree: Path) -> None:
    result = run("check", "--format", "github", root=_broken(base_tree))
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "::error file=contributions/nice/unknown-theme.md,line=6,col=10,title=unknown-theme::unknown theme "
        "'major-event'; did you mean 'major-events'? the themes are listed in themes.yml")


def test_every_problem_of_a_broken_tree_in_one_run(base_tree: Path) -> None:
    for case in ("unknown-theme", "duplicate-key", "not-utf8", "missing-image", "front-matter-list"):
        shutil.copyfile(FIXTURES / "check" / f"{case}.md", base_tree / "contributions" / "nice" / f"{case}.md")
    result = run("check", root=base_tree)
    assert result.code == 1
    files = {line.split(":", 1)[0] for line in result.out.splitlines()}
    assert len(files) == 5
    assert "Traceback" not in result.out + result.err


def test_build_refuses_errors_without_traceback(base_tree: Path) -> None:
    result = run("build", root=_broken(base_tree))
    assert result.code == 1
    assert result.err.endswith("Error: 2 error(s) in the sources: nothing was built. Fix them and run again.\n")
    assert not (base_tree / "site").exists()


def test_schemas_are_valid_json_schemas() -> None:
    for path in SCHEMA_DIR.glob("*.schema.json"):
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def _schema_paths(node: dict, path: str = "") -> set[str]:
    """Every property of a schema, as the web editor names its hint: 'recommendations.strength'."""
    found = set()
    for name, child in node.get("properties", {}).items():
        found.add(path + name)
        found |= _schema_paths(child.get("items", child), f"{path}{name}.")
    return found


def test_label_files_have_the_same_keys() -> None:
    """Every language has every label; only the web editor's hints of the format's fields, which in
    English are the schemas' own descriptions, are in the other languages alone, each naming a field."""
    keys = {lang: set(i18n._load(lang)) for lang in i18n.available()}
    assert keys["en"]
    fields = set().union(*(_schema_paths(json.loads(p.read_text(encoding="utf-8")))
                           for p in SCHEMA_DIR.glob("*.schema.json")))
    for lang, found in keys.items():
        assert keys["en"] <= found, (lang, sorted(keys["en"] - found))
        extra = {key.removeprefix("editor.hint.") for key in found - keys["en"]}
        assert all(f"editor.hint.{name}" in found and name in fields for name in extra), (lang, sorted(extra - fields))


def test_sections_exist_for_every_language_of_the_network() -> None:
    sections = yaml.safe_load((SCHEMA_DIR / "sections.yml").read_text(encoding="utf-8"))
    network = {"en", "fr", "es", "it", "pt", "nl", "pl", "lv", "et", "lt", "el", "hu", "sk"}
    for name, titles in sections["sections"].items():
        assert network <= set(titles), name


def test_contribution_files_point_editors_to_the_schema() -> None:
    for path in (REPO / "contributions").glob("*/*.md"):
        schema = "translation" if "\ntranslation_of:" in path.read_text(encoding="utf-8") else "contribution"
        assert f"# yaml-language-server: $schema=../../schema/{schema}.schema.json" in path.read_text(
            encoding="utf-8"), path
