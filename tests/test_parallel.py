"""Work spread over several processes gives exactly what one process gives.

- the website of one language built by several MkDocs processes (render/shards.py): the same
  files, byte for byte, as one MkDocs build;
- `check` reading and checking the files in several processes (validate.check_tree): the same
  records and the same problems, at the same places, as in one process.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pathspec
import pytest
import yaml

from manual import validate
from manual.render import shards, site

from .conftest import REPO, copy_corpus, run, tree_bytes

sys.path.insert(0, str(REPO / "benchmarks"))

from generate_corpus import generate


def _build(root: Path, monkeypatch: pytest.MonkeyPatch, cores: int) -> dict[str, bytes]:
    with monkeypatch.context() as patch:
        patch.setattr(site.os, "cpu_count", lambda: cores)
        patch.setattr(shards, "MIN_CONTRIBUTIONS", 1)
        result = run("build", root=root)
    assert result.code == 0, result
    return tree_bytes(root / "site")


@pytest.mark.parametrize("source", ["bundled", "generated"])
def test_sharded_site_is_the_same_as_one_build(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = []
    for name in ("one", "sharded"):
        root = tmp_path / name
        if source == "bundled":
            copy_corpus(root)
        else:
            generate(root, 120, seed=11)  # translations, originals' pages, images, withdrawn entries
        roots.append(root)
    one = _build(roots[0], monkeypatch, cores=2)  # two languages on two cores: one MkDocs each
    assert not list((roots[0] / "build" / "src").glob("*/mkdocs.shard-*.yml"))
    sharded = _build(roots[1], monkeypatch, cores=6)  # three MkDocs for each language
    configs = sorted((roots[1] / "build" / "src" / "en").glob("mkdocs.shard-*.yml"))
    assert [p.name for p in configs] == [f"mkdocs.shard-{i}.yml" for i in range(3)]
    # Each shard rendered part of the pages.
    for config in configs:
        assert yaml.safe_load(config.read_text(encoding="utf-8"))["exclude_docs"]
    assert sorted(one) == sorted(sharded)
    assert [name for name in one if one[name] != sharded[name]] == []


def test_every_page_is_rendered_by_one_shard(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    pages = ["index.md", "about.md", "recommendations.md", "themes/crowds.md", "cities/index.md", "cities/nice.md",
             "tags/index.md", "downloads/manual.pdf", "contributions/README.md"]
    pages += [f"contributions/city{i}-{i:03d}/{name}" for i in range(40)
              for name in ("index.md", "original.md", "photo.svg")]
    for page in pages:
        (docs / page).parent.mkdir(parents=True, exist_ok=True)
        (docs / page).write_text("x" * (len(page) * 50), encoding="utf-8")
    for count in (1, 2, 3, 5):
        parts = shards.plan(docs, count)
        specs = [pathspec.GitIgnoreSpec.from_lines(shards.exclusions(docs, parts, i).splitlines())
                 for i in range(count)]
        for page in pages:
            rendered_by = [i for i, spec in enumerate(specs) if not spec.match_file(page)]
            assert len(rendered_by) == 1, (count, page, rendered_by)
        if count > 1:
            assert all(parts), parts  # every shard has work


def test_parallel_check_finds_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "manual"
    generate(root, 150, seed=5)
    # Problems of every kind and place: in a worker (a file's own), in the parent (across files).
    public = [p for p in sorted((root / "contributions").glob("*/*.md"))
              if "sensitivity: public" in p.read_text(encoding="utf-8") and p.stem.count(".") == 0]
    first, second = public[:2]
    text = first.read_text(encoding="utf-8")
    first.write_text(text + "\nCall +33 6 12 34 56 78 or write to jean.dupont@example.org.\n", encoding="utf-8")
    second.write_text(second.read_text(encoding="utf-8").replace("\nthemes:", "\nphone: '0612345678'\nthemes:", 1),
                      encoding="utf-8")
    first.with_name("broken.md").write_text("---\nid: [\n---\n", encoding="utf-8")
    first.with_name("twin.md").write_text(text, encoding="utf-8")  # the same id twice
    one = validate.check_tree(root, workers=1)  # every file and every translation in this process
    monkeypatch.setattr(validate, "PARALLEL_MIN", 10)
    several = validate.check_tree(root, workers=3)  # files, then translations, in forked processes
    assert several.problems == one.problems
    codes = {p.code for p in one.problems}
    assert {"yaml-syntax", "duplicate-id", "personal-data", "unknown-field", "outdated-translation"} <= codes
    assert several.contributions == one.contributions
    assert several.translations == one.translations
    assert (several.files_read, several.contribution_files) == (one.files_read, one.contribution_files)


def test_shard_configurations_keep_what_the_editors_exclude(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nexclude_docs: |\n  drafts/\nmarkdown_extensions:\n"
                                         "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions"
                                         ".emoji.twemoji\n", encoding="utf-8")
    folder = tmp_path / "build" / "en"
    for page in ("index.md", "contributions/nice-001/index.md", "contributions/nice-002/index.md"):
        (folder / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
        (folder / "docs" / page).write_text("# x\n", encoding="utf-8")
    config = folder / "mkdocs.yml"
    config.write_text(yaml.safe_dump({"INHERIT": str(tmp_path / "mkdocs.yml"), "docs_dir": "docs"}), encoding="utf-8")
    configs = shards.write_configs(config, shards.plan(folder / "docs", 2))
    excluded = [yaml.safe_load(path.read_text(encoding="utf-8"))["exclude_docs"].split() for path in configs]
    assert all(patterns[0] == "drafts/" for patterns in excluded)
    assert excluded[0][1:] and excluded[1][1:]
