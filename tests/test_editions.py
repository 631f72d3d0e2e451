"""Editions: two releases in a temporary git repository, with contributions added, edited, withdrawn and
superseded between them; what each edition records, shows and refuses."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PRACTICE = """---
id: {id}
title: {title}
city: {city}
language: en
themes: [{theme}]
type: practice
summary: {title}, as the city describes it in a few words.
status: {status}
sensitivity: public
submitted: 2025-02-01
review_by: {review_by}
recommendations:
  - id: {id}-r1
    text: {recommendation}
{extra}---

## Context

Why the city did it.

## What was done

What the city did.

## Results

{results}
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=Editor", "-c", "user.email=editor@example.org",
                           *args], check=True, capture_output=True, text=True).stdout.strip()


def _write(root: Path, city: str, slug: str, *, id: str, title: str, theme: str = "drones", status: str = "approved",
           recommendation: str = "Plan the flights with the air traffic authority.", results: str = "It worked.",
           review_by: str = "2036-01-01", extra: str = "") -> Path:
    path = root / "contributions" / city / f"{slug}.md"
    path.write_text(PRACTICE.format(id=id, title=title, city=city, theme=theme, status=status, review_by=review_by,
                                    recommendation=recommendation, results=results, extra=extra), encoding="utf-8")
    return path


def _edition(root: Path, name: str) -> None:
    settings = root / "manual.yml"
    settings.write_text(re.sub(r'edition: "\d+"', f'edition: "{name}"', settings.read_text(encoding="utf-8")),
                        encoding="utf-8")


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "--quiet", "-m", message)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Edition 2026, then edition 2027 after an edit, an addition, a withdrawal and a replacement."""
    from .conftest import FIXTURES, REPO

    root = tmp_path_factory.mktemp("editions") / "manual"
    shutil.copytree(FIXTURES / "base", root)
    shutil.copyfile(REPO / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", root / "overrides")
    _write(root, "madrid", "night-patrols", id="madrid-002", title="Drone patrols at night")
    _write(root, "madrid", "festival-drones", id="madrid-003", title="Drones over the summer festival",
           status="submitted")
    _edition(root, "2026")
    _git(root, "init", "--quiet", "--initial-branch=main")
    _commit(root, "sources of edition 2026")
    refused = run("release", "2026", "--date", "2026-03-01", root=root)
    assert refused.code == 1 and "madrid-003 (contributions/madrid/festival-drones.md)" in refused.err, refused
    dry = run("release", "2026", "--date", "2026-03-01", "--defer", "madrid-003", "--dry-run", root=root)
    assert dry.code == 0 and "Dry run: nothing written." in dry.out, dry
    assert not (root / "releases").exists()
    first = run("release", "2026", "--date", "2026-03-01", "--defer", "madrid-003", root=root)
    assert first.code == 0, first
    _commit(root, "edition 2026")
    # Between the editions: nice-001's recommendation is rewritten, madrid-001 withdrawn, madrid-002
    # replaced by madrid-004 (its file deleted), nice-002 added; madrid-003 is still waiting.
    nice = root / "contributions" / "nice" / "carnival.md"
    nice.write_text(nice.read_text(encoding="utf-8").replace(
        "Invite officers of partner cities to work alongside yours during a major event.",
        "Invite officers of partner cities to patrol alongside yours during a major event, in mixed pairs."),
        encoding="utf-8")
    drones = root / "contributions" / "madrid" / "drones.md"
    drones.write_text(drones.read_text(encoding="utf-8").replace("status: approved", "status: withdrawn"),
                      encoding="utf-8")
    (root / "contributions" / "madrid" / "night-patrols.md").unlink()
    _write(root, "madrid", "night-patrols-2", id="madrid-004", title="Drone patrols at night, second version",
           extra="supersedes: [madrid-002]\n")
    _write(root, "nice", "drones-carnival", id="nice-002", title="Drones over the Carnival", theme="major-events",
           review_by="2026-06-01")
    _edition(root, "2027")
    _commit(root, "sources of edition 2027")
    second = run("release", "2027", "--date", "2027-03-01", "--defer", "madrid-003", root=root)
    assert second.code == 0, second
    _commit(root, "edition 2027")
    built = run("build", root=root)
    assert built.code == 0, built
    return root


def _manifest(root: Path, name: str) -> dict:
    return json.loads((root / "releases" / name / "manifest.json").read_text(encoding="utf-8"))


def test_manifest_records_ids_fingerprints_date_and_commit(history: Path) -> None:
    first, second = _manifest(history, "2026"), _manifest(history, "2027")
    assert first["released"] == "2026-03-01" and first["edition"] == "2026"
    assert re.fullmatch(r"[0-9a-f]{40}", first["source_commit"])
    assert first["source_commit"] == _git(history, "rev-list", "-n", "1", "HEAD~3")
    assert sorted(first["contributions"]) == ["madrid-001", "madrid-002", "nice-001"]  # madrid-003 waited
    assert set(first["contributions"]["nice-001"]["recommendations"]) == {"nice-001-r1"}
    assert re.fullmatch(r"[0-9a-f]{16}", first["contributions"]["nice-001"]["fingerprint"])
    states = {cid: entry["state"] for cid, entry in second["contributions"].items()}
    assert states == {"madrid-001": "withdrawn", "madrid-002": "superseded", "madrid-004": "published",
                      "nice-001": "published", "nice-002": "published"}
    assert second["contributions"]["madrid-002"]["superseded_by"] == "madrid-004"
    assert second["contributions"]["madrid-001"]["since"] == "2027"
    assert first["contributions"]["nice-001"]["recommendations"] != second["contributions"]["nice-001"]["recommendations"]


def test_changelog_per_recommendation(history: Path) -> None:
    changes = json.loads((history / "releases" / "2027" / "changelog.json").read_text(encoding="utf-8"))
    recs = {kind: [c["id"] for c in items] for kind, items in changes["recommendations"].items()}
    assert changes["previous"] == "2026"
    assert recs == {"added": ["madrid-004-r1", "nice-002-r1"], "updated": ["nice-001-r1"], "withdrawn": [],
                    "superseded": ["madrid-002-r1"], "unchanged": []}
    assert [c["superseded_by"] for c in changes["recommendations"]["superseded"]] == ["madrid-004"]
    contributions = {kind: [c["id"] for c in items] for kind, items in changes["contributions"].items()}
    assert contributions["withdrawn"] == ["madrid-001"] and contributions["updated"] == ["nice-001"]
    first = json.loads((history / "releases" / "2026" / "changelog.json").read_text(encoding="utf-8"))
    assert first["previous"] is None and [c["id"] for c in first["recommendations"]["added"]] == \
        ["madrid-002-r1", "nice-001-r1"]
    text = (history / "releases" / "2027" / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## Updated recommendations (1)\n\n- nice-001-r1 (nice-001)" in text


def test_checksums_cover_every_artifact(history: Path) -> None:
    folder = history / "releases" / "2027"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["CHANGELOG.md", "SHA256SUMS", "changelog.json", "continuum-manual-2027-en.docx",
                     "continuum-manual-2027-en.pdf", "continuum-manual-2027-fr.docx", "continuum-manual-2027-fr.pdf",
                     "continuum-manual-2027.csv", "continuum-manual-2027.json", "manifest.json", "site-en.tar.gz",
                     "site-fr.tar.gz"]
    sums = dict(line.split("  ")[::-1] for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert set(sums) == set(names) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    result = run("release", "verify", "2027", root=history)
    assert result.code == 0 and "every file matches" in result.out


def test_verify_catches_a_modified_artifact(history: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(history / "releases", copy / "releases")
    pdf = copy / "releases" / "2026" / "continuum-manual-2026-en.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"%")
    (copy / "releases" / "2026" / "notes.txt").write_text("added later", encoding="utf-8")
    result = run("release", "verify", "2026", root=copy)
    assert result.code == 1
    assert result.out.splitlines() == [
        "releases/2026/continuum-manual-2026-en.pdf: modified (its SHA-256 differs from SHA256SUMS)",
        "releases/2026/notes.txt: not part of the release (not in SHA256SUMS)"]
    assert "edition 2026: 2 file(s) differ from what was released" in result.err


def test_releasing_an_edition_twice_is_refused(history: Path) -> None:
    _edition(history, "2027")
    result = run("release", "2027", "--defer", "madrid-003", root=history)
    assert result.code == 1
    assert "the edition 2027 was released already (releases/2027/); a release never changes" in result.err
    wrong = run("release", "2028", root=history)
    assert wrong.code == 1 and "manual.yml prepares edition 2027, not 2028" in wrong.err


def test_each_edition_keeps_its_site_and_latest_points_at_the_newest(history: Path) -> None:
    site = history / "site" / "en"
    versions = json.loads((site / "versions.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("living", []), ("2027", ["latest"]),
                                                                 ("2026", [])]
    assert 'url=latest/' in (site / "index.html").read_text(encoding="utf-8")
    assert "../2027/contributions/nice-001/" in \
        (site / "latest" / "contributions" / "nice-001" / "index.html").read_text(encoding="utf-8")
    # The 2026 edition is served exactly as it was archived: madrid-002 still has its page there.
    old = (site / "2026" / "contributions" / "madrid-002" / "index.html").read_text(encoding="utf-8")
    assert "Drone patrols at night" in old and "superseded" not in old
    config = (site / "2027" / "index.html").read_text(encoding="utf-8")
    # Material's version selector is on, reading ../versions.json as mike would write it.
    assert '"version": {"alias": true, "default": "latest", "provider": "mike"}' in config


def test_badges_show_what_changed_in_an_edition(history: Path) -> None:
    site = history / "site" / "en" / "2027"
    updated = (site / "contributions" / "nice-001" / "index.html").read_text(encoding="utf-8")
    assert '<span class="continuum-badge continuum-badge-updated">Updated</span>' in updated
    new = (site / "contributions" / "nice-002" / "index.html").read_text(encoding="utf-8")
    assert '<span class="continuum-badge continuum-badge-added">New</span>' in new
    first = (history / "site" / "en" / "2026" / "contributions" / "nice-001" / "index.html").read_text(
        encoding="utf-8")
    assert "continuum-badge" not in first  # everything is new in a first edition: no badge at all


def test_tombstones_keep_old_links_landing(history: Path) -> None:
    site = history / "site" / "en" / "2027"
    withdrawn = (site / "contributions" / "madrid-001" / "index.html").read_text(encoding="utf-8")
    assert "This contribution was withdrawn in edition 2027." in withdrawn
    superseded = (site / "contributions" / "madrid-002" / "index.html").read_text(encoding="utf-8")
    assert "This contribution was replaced in edition 2027 by" in superseded
    assert '<a href="../madrid-004/">Drone patrols at night, second version</a>' in superseded
    living = history / "site" / "en" / "living"
    assert (living / "contributions" / "madrid-002" / "index.html").is_file()
    whats_new = (site / "whats-new" / "index.html").read_text(encoding="utf-8")
    assert "What&#39;s new in edition 2027" in whats_new or "What's new in edition 2027" in whats_new
    assert "Compared with edition 2026: 2 new recommendations, 1 updated, 2 withdrawn or superseded." in whats_new
    assert 'href="../contributions/nice-002/#nice-002-r1"' in whats_new


def test_living_version_says_it_is_not_an_edition_and_cites_itself(history: Path) -> None:
    living = history / "site" / "en" / "living"
    page = (living / "contributions" / "nice-002" / "index.html").read_text(encoding="utf-8")
    assert "Living version: it changes as cities contribute and is not a released edition. To cite the manual, " \
           "use edition 2027." in page
    edition = (history / "site" / "en" / "2027" / "contributions" / "nice-002" / "index.html").read_text(
        encoding="utf-8")
    assert "continuum-version-banner" not in edition
    assert ("Test network. Continuum: Test manual, edition 2027, recommendation nice-002-r1. "
            "https://manual.example/en/2027/contributions/nice-002/#nice-002-r1") in edition
    assert '<pre class="continuum-cite"><code>' in edition


def test_released_ids_are_never_dropped_reused_or_moved(history: Path, tmp_path: Path) -> None:
    root = tmp_path / "manual"
    shutil.copytree(history, root, ignore=shutil.ignore_patterns("site", "build", ".git"))
    assert run("check", root=root).code == 0
    (root / "contributions" / "madrid" / "drones.md").unlink()
    nice = root / "contributions" / "nice" / "drones-carnival.md"
    nice.write_text(nice.read_text(encoding="utf-8").replace("status: approved", "status: draft"), encoding="utf-8")
    _write(root, "madrid", "another", id="madrid-004", title="Something else entirely")
    (root / "contributions" / "madrid" / "night-patrols-2.md").unlink()
    result = run("check", root=root)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "released-" in line]
    assert lines == [
        "contributions/madrid/another.md:2:5: error [released-id-reused] 'madrid-004' was released in edition "
        "2027 for contributions/madrid/night-patrols-2.md ('Drone patrols at night, second version'); an id is "
        "never given to another contribution: give this one a new id (if it is the same contribution, move it "
        "back to its file)",
        "contributions/nice/drones-carnival.md:9:9: error [released-id-dropped] 'nice-002' was released in "
        "edition 2027: it can't go back to 'draft' or leave the public manual; keep it approved, set "
        "'status: withdrawn', or name it in the 'supersedes' of the contribution that replaces it",
        "releases/2027/manifest.json:1:1: error [released-id-dropped] 'madrid-001' "
        "(contributions/madrid/drones.md) was released in edition 2027 and is no longer in the sources; restore "
        "the file with 'status: withdrawn', or name 'madrid-001' in the 'supersedes' of the contribution that "
        "replaces it",
        # Nothing supersedes madrid-002 any more: its successor's file is gone.
        "releases/2027/manifest.json:1:1: error [released-id-dropped] 'madrid-002' "
        "(contributions/madrid/night-patrols.md) was released in edition 2027 and is no longer in the sources; "
        "restore the file with 'status: withdrawn', or name 'madrid-002' in the 'supersedes' of the contribution "
        "that replaces it",
    ]


def test_a_released_recommendation_stays(history: Path, tmp_path: Path) -> None:
    root = tmp_path / "manual"
    shutil.copytree(history, root, ignore=shutil.ignore_patterns("site", "build", ".git"))
    nice = root / "contributions" / "nice" / "drones-carnival.md"
    nice.write_text(nice.read_text(encoding="utf-8").replace("  - id: nice-002-r1", "  - id: nice-002-r2"),
                    encoding="utf-8")
    result = run("check", root=root)
    assert "error [released-recommendation-dropped] the recommendation 'nice-002-r1' was released in edition " \
           "2027, and citations of it must keep working" in result.out


def test_consultation_draft_leaves_the_editions_alone(history: Path, tmp_path: Path) -> None:
    root = tmp_path / "manual"
    shutil.copytree(history, root)
    _edition(root, "2028")
    _commit(root, "prepare 2028")
    before = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "releases").rglob("*") if p.is_file()}
    result = run("release", "2028", "--draft", "--date", "2027-10-01", root=root)  # madrid-003 may wait
    assert result.code == 0, result
    after = {p.relative_to(root).as_posix(): p.read_bytes() for p in (root / "releases").rglob("*") if p.is_file()}
    assert {k: v for k, v in after.items() if not k.startswith("releases/2028-consultation/")} == before
    assert json.loads((root / "releases" / "2028-consultation" / "manifest.json").read_text())["draft"] is True
    _commit(root, "consultation")
    assert run("build", root=root).code == 0
    versions = json.loads((root / "site" / "en" / "versions.json").read_text(encoding="utf-8"))
    assert [(v["version"], v["title"], v["aliases"]) for v in versions] == [
        ("living", "Living version", []), ("2028-consultation", "2028 (consultation draft)", []),
        ("2027", "2027", ["latest"]), ("2026", "2026", [])]
    page = (root / "site" / "en" / "2028-consultation" / "index.html").read_text(encoding="utf-8")
    assert "Consultation draft of edition 2028: not a released edition" in page


def test_review_lists_what_is_due_per_city(history: Path) -> None:
    result = run("review", "--date", "2026-11-22", root=history)
    assert result.code == 0, result
    listing = result.out.split("1 review(s) due by", 1)[1].splitlines()
    assert listing == [
        " 2027-02-20, 1 of them overdue (as of 2026-11-22):",
        "Nice (nice)",
        "  due since 2026-06-01   nice-002               contributions/nice/drones-carnival.md",
    ]
    page = (history / "site" / "en" / "living" / "contributions" / "nice-002" / "index.html").read_text(
        encoding="utf-8")
    assert "The review of this contribution is due since June 1, 2026" in page


def test_a_release_needs_committed_sources(history: Path, tmp_path: Path) -> None:
    root = tmp_path / "manual"
    shutil.copytree(history, root)
    _edition(root, "2028")
    result = run("release", "2028", "--defer", "madrid-003", root=root)
    assert result.code == 1
    assert "the sources have changes that are not committed:\n   M manual.yml\nCommit them first" in result.err


def test_the_first_edition_cites_its_own_permanent_urls(history: Path) -> None:
    page = (history / "site" / "en" / "2026" / "contributions" / "nice-001" / "index.html").read_text(
        encoding="utf-8")
    assert ("Test network. Continuum: Test manual, edition 2026, recommendation nice-001-r1. "
            "https://manual.example/en/2026/contributions/nice-001/#nice-001-r1") in page
