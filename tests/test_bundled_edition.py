"""The bundled manual's first edition, 2026: intact, and published beside the living version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, copy_corpus, run

EDITION = "2026"


@pytest.fixture(scope="module")
def versioned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("bundled") / "manual", with_releases=True)
    result = run("build", root=root)
    assert result.code == 0, result
    return root


def test_the_first_edition_is_intact_and_the_next_is_in_preparation() -> None:
    result = run("release", "verify", EDITION, root=REPO)
    assert result.code == 0, result
    manifest = json.loads((REPO / "releases" / EDITION / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["edition"] == EDITION and re.fullmatch(r"[0-9a-f]{40}", manifest["source_commit"])
    assert len([e for e in manifest["contributions"].values() if e["state"] == "published"]) >= 25
    settings = yaml.safe_load((REPO / "manual.yml").read_text(encoding="utf-8"))
    assert int(settings["edition"]) == int(EDITION) + 1


def test_the_site_shows_the_edition_the_living_version_and_the_selector(versioned: Path) -> None:
    for lang in ("en", "fr"):
        site = versioned / "site" / lang
        versions = json.loads((site / "versions.json").read_text(encoding="utf-8"))
        assert [(v["version"], v["aliases"]) for v in versions] == [("living", []), (EDITION, ["latest"])]
        assert (site / EDITION / "index.html").is_file() and (site / "living" / "index.html").is_file()
        assert "url=latest/" in (site / "index.html").read_text(encoding="utf-8")
    living = (versioned / "site" / "en" / "living" / "index.html").read_text(encoding="utf-8")
    assert "Living version: it changes as cities contribute and is not a released edition. To cite the manual, " \
           f"use edition {EDITION}." in living
    edition = (versioned / "site" / "en" / EDITION / "index.html").read_text(encoding="utf-8")
    assert "continuum-version-banner" not in edition
    # Both versions switch language on the same page, inside their own version.
    page = versioned / "site" / "en" / "living" / "contributions" / "nice-005" / "index.html"
    assert 'href="../../../../fr/living/contributions/nice-005/" hreflang="fr"' in page.read_text(encoding="utf-8")
    old = versioned / "site" / "en" / EDITION / "contributions" / "nice-005" / "index.html"
    assert f'href="../../../../fr/{EDITION}/contributions/nice-005/" hreflang="fr"' in old.read_text(
        encoding="utf-8")


def test_the_living_version_shows_what_changed_since_the_edition(versioned: Path) -> None:
    manifest = json.loads((REPO / "releases" / EDITION / "manifest.json").read_text(encoding="utf-8"))
    text = (versioned / "site" / "en" / "living" / "whats-new" / "index.html").read_text(encoding="utf-8")
    assert f"What&#39;s new since edition {EDITION}" in text or f"What's new since edition {EDITION}" in text
    new = [cid for cid in ("xabia-001",) if cid not in manifest["contributions"]]
    assert new, "a contribution approved after the edition shows what the living version adds"
    for cid in new:
        assert f"contributions/{cid}/" in text
        page = (versioned / "site" / "en" / "living" / "contributions" / cid / "index.html").read_text(
            encoding="utf-8")
        assert 'continuum-badge-added">New</span>' in page
