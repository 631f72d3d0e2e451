"""`summary`: the pull request's comment, from a temporary git repository."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, run

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   check=True, capture_output=True)


@pytest.fixture
def repo(base_tree: Path) -> Path:
    _git(base_tree, "init", "--quiet", "--initial-branch=main")
    _git(base_tree, "add", ".")
    _git(base_tree, "commit", "--quiet", "-m", "base")
    return base_tree


def test_summary_of_no_change(repo: Path) -> None:
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    assert "| contributions | 0 | 0 | 0 |" in result.out
    assert "No contribution changed." in result.out


def test_summary_lists_added_changed_removed_and_problems(repo: Path) -> None:
    nice = repo / "contributions" / "nice" / "carnival.md"
    madrid = repo / "contributions" / "madrid" / "drones.md"
    text = nice.read_text(encoding="utf-8")
    assert "-r1" in text
    nice.write_text(text.replace("## ", "## ", 1) + "\nOne more sentence.\n", encoding="utf-8")
    madrid.unlink()
    assert run("new", "--city", "nice", "--language", "en", "--type", "recommendation", "--theme", "drones",
               "--title", "Drones over the carnival", root=repo).code == 0
    shutil.copyfile(FIXTURES / "check" / "unknown-theme.md", repo / "contributions" / "nice" / "unknown-theme.md")
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    out = result.out
    assert out.startswith("## Continuum: what this change does\n")
    assert "| contributions | 2 | 1 | 1 |" in out  # the broken file reuses the id nice-002: both are listed
    assert "### Contributions added\n\n- `nice-002` Drones over the carnival (draft, " \
           "`contributions/nice/drones-over-the-carnival.md`)" in out
    assert "### Contributions changed\n\n- `nice-001`" in out
    assert "### Contributions removed\n\n- `madrid-001`" in out
    assert "### Recommendations added\n\n- `nice-002-r1`" in out
    assert re.search(r"### Check: [3-9] errors, \d+ warnings?\n", out)
    assert "the id 'nice-002' is already used by contributions/nice/drones-over-the-carnival.md" in out
    assert "`contributions/nice/unknown-theme.md:6` unknown theme 'major-event'" in out


def test_summary_between_two_commits_and_a_bad_reference(repo: Path) -> None:
    (repo / "contributions" / "nice" / "carnival.md").unlink()
    _git(repo, "commit", "--quiet", "-am", "remove")
    result = run("summary", "--base", "main~1", "--head", "main", root=repo)
    assert result.code == 0 and "| contributions | 0 | 0 | 1 |" in result.out
    result = run("summary", "--base", "no-such-branch", root=repo)
    assert result.code == 2 and "the git reference 'no-such-branch' is unknown" in result.err


def test_summary_counts_translations(repo: Path) -> None:
    shutil.copyfile(FIXTURES / "check" / "translation-ok" / "carnival.fr.md",
                    repo / "contributions" / "nice" / "carnival.fr.md")
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    assert "| translations | 1 | 0 | 0 |" in result.out
    assert "### Translations added\n\n- `nice-001 → fr` La foule du Carnaval avec des policiers invités " \
           "(`contributions/nice/carnival.fr.md`)" in result.out
    assert "### Check: no problem in the changed files" in result.out
