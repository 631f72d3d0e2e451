"""`summary`: the pull request's comment, from a temporary git repository."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

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
    assert "-r1" in text and "alongside yours" in text
    # The recommendation's text changes, and the body: both the contribution and its recommendation changed.
    nice.write_text(text.replace("alongside yours", "alongside your own", 1) + "\nOne more sentence.\n",
                    encoding="utf-8")
    madrid.unlink()
    assert run("new", "--city", "nice", "--language", "en", "--type", "recommendation", "--theme", "drones",
               "--title", "Drones over the carnival", root=repo).code == 0
    shutil.copyfile(FIXTURES / "check" / "unknown-theme.md", repo / "contributions" / "nice" / "unknown-theme.md")
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    out = result.out
    assert out.startswith("## Continuum: what this change does\n")
    assert "| contributions | 2 | 1 | 1 |" in out  # the broken file reuses the id nice-002: both are listed
    assert "### Contributions added\n\n- `nice-002` `Drones over the carnival` (`draft`, " \
           "`contributions/nice/drones-over-the-carnival.md`)" in out
    assert "### Contributions changed\n\n- `nice-001`" in out
    assert "### Contributions removed\n\n- `madrid-001`" in out
    assert "| recommendations | 1 | 1 | 0 |" in out
    assert "### Recommendations added\n\n- `nice-002-r1`" in out
    assert "### Recommendations changed\n\n- `nice-001-r1` `Invite officers of partner cities to work alongside " \
           "your own during a major event.`" in out
    assert re.search(r"### Check: [3-9] errors, \d+ warnings?\n", out)
    assert "the id 'nice-002' is already used by contributions/nice/drones-over-the-carnival.md" in out
    assert "`contributions/nice/unknown-theme.md:6` `unknown theme 'major-event'" in out


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
    assert "### Translations added\n\n- `nice-001 → fr` `La foule du Carnaval avec des policiers invités` " \
           "(`contributions/nice/carnival.fr.md`)" in result.out
    assert "### Check: no problem in the changed files" in result.out


# --- restricted contributions are never shown; contributors' text is never live Markdown ----------------

REDACTED = "restricted: its content is not shown here"
SECRETS = ("Harbour", "harbour", "secrète", "Carnival crowds", "Invite officers", "La foule")


def _write(path: Path, front: dict, body: str = "## Context\n\nText.\n") -> None:
    text = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    path.write_text(f"---\n{text}---\n\n{body}", encoding="utf-8")


def _front(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def _restricted(repo: Path) -> None:
    """Add nice-002, restricted, with a French translation and a problem quoting its text."""
    front = _front(repo / "contributions" / "nice" / "carnival.md")
    front.update(id="nice-002", title="Harbour surveillance operation", sensitivity="restricted",
                 themes=["harbour-cameras"], related=[],
                 recommendations=[{"id": "nice-002-r1", "text": "Hide harbour cameras.", "strength": "strong"}])
    _write(repo / "contributions" / "nice" / "secret.md", front, "## Context\n\nThe harbour plan.\n")
    _write(repo / "contributions" / "nice" / "secret.fr.md",
           {"translation_of": "nice-002", "language": "fr", "source_fingerprint": "0000000000000000",
            "title": "Opération secrète au port", "summary": "Opération secrète au port de Nice, en français.",
            "recommendations": [{"id": "nice-002-r1", "text": "Cacher les caméras, opération secrète."}]})


def test_summary_redacts_a_restricted_contribution(repo: Path) -> None:
    _restricted(repo)
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    out = result.out
    assert "| contributions | 1 | 0 | 0 |" in out and "| translations | 1 | 0 | 0 |" in out
    assert f"### Contributions added\n\n- `nice-002` {REDACTED}\n" in out
    assert f"### Recommendations added\n\n- `nice-002-r1` {REDACTED}\n" in out
    assert f"### Translations added\n\n- `nice-002 → fr` {REDACTED}\n" in out
    # Its problems are counted and located, their messages (which quote it) are not shown.
    assert re.search(r"### Check: [1-9]\d* errors?", out)
    assert re.search(rf"- ❌ `contributions/nice/secret\.md:\d+` `unknown-theme` {REDACTED}\n", out)
    for secret in SECRETS:
        assert secret not in out, secret


@pytest.mark.parametrize("before, after", [("public", "restricted"), ("restricted", "public")])
def test_summary_redacts_a_contribution_that_becomes_or_was_restricted(repo: Path, before: str, after: str) -> None:
    carnival = repo / "contributions" / "nice" / "carnival.md"
    shutil.copyfile(FIXTURES / "check" / "translation-ok" / "carnival.fr.md", carnival.with_suffix(".fr.md"))
    front = _front(carnival)
    front["sensitivity"] = before
    _write(carnival, front)
    _git(repo, "add", ".")
    _git(repo, "commit", "--quiet", "-m", before)
    front.update(sensitivity=after, title="Carnival crowds, the 2025 plan")
    front["recommendations"][0]["text"] = "Invite officers of partner cities, and brief them."
    _write(carnival, front)
    fr = carnival.with_suffix(".fr.md")
    fr.write_text(fr.read_text(encoding="utf-8").replace("La foule", "La foule immense"), encoding="utf-8")
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    out = result.out
    assert f"### Contributions changed\n\n- `nice-001` {REDACTED}\n" in out
    assert f"### Recommendations changed\n\n- `nice-001-r1` {REDACTED}\n" in out
    assert f"### Translations changed\n\n- `nice-001 → fr` {REDACTED}\n" in out
    for secret in SECRETS:
        assert secret not in out, secret


PAYLOAD = ("![x](http://tracker.example/t.png) <img src=http://tracker.example/i.png> [click](http://evil.example) "
           "@someone #12 org/repo#3 | cell | <script>alert(1)</script> &amp; `tick` ``two`` *em* _u_ ~~s~~")


def _defused(out: str) -> None:
    """Assert that, rendered, the summary has only its own headings and table, and no live contributor text."""
    markdown_it = pytest.importorskip("markdown_it")
    html = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(out)
    assert "<img" not in html and "<a " not in html and "<script" not in html and "<em>" not in html
    assert html.count("<table>") == 1
    for heading in re.findall(r"<h\d>(.*?)</h\d>", html):
        assert re.fullmatch(r"Continuum: what this change does|(Contributions|Recommendations|Translations) "
                            r"(added|changed|removed)|Check: .*", heading), heading
    # Outside code spans (where GitHub and GitLab link, mention and render nothing), no contributor text.
    live = re.sub(r"<code>.*?</code>", "", html, flags=re.DOTALL)
    for word in ("someone", "#12", "#3", "http", "tracker", "cell", "script", "alert", "tick", "two", "Injected"):
        assert word not in live, (word, live)


def test_summary_defuses_contributors_markdown(repo: Path) -> None:
    front = _front(repo / "contributions" / "nice" / "carnival.md")
    front.update(id="nice-003 `x` <img src=http://tracker.example/id.png>", title=PAYLOAD + "\n# Injected heading",
                 status="approved\n\n## Injected", themes=[PAYLOAD], related=[],
                 recommendations=[{"id": "nice-003-r1 | @someone", "text": PAYLOAD + "\n\n| a | b |\n|---|---|",
                                   "strength": "strong"}])
    _write(repo / "contributions" / "nice" / "payload.md", front)
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    out = result.out
    assert "| contributions | 1 | 0 | 0 |" in out and "### Check: " in out
    assert "is not a valid 'themes[1]'" in out  # the problem quoting the payload is listed, defused
    _defused(out)


def test_summary_redacts_the_problems_of_an_unreadable_restricted_contribution(repo: Path) -> None:
    text = (repo / "contributions" / "nice" / "carnival.md").read_text(encoding="utf-8")
    text = text.replace("sensitivity: public", "sensitivity: restricted").replace(
        "title: Carnival crowds with visiting officers", "title: Harbour plan: the night watch")
    (repo / "contributions" / "nice" / "secret.md").write_text(text, encoding="utf-8")
    result = run("summary", "--base", "main", root=repo)
    assert result.code == 0, result
    assert re.search(rf"- ❌ `contributions/nice/secret\.md:\d+` `yaml-syntax` {REDACTED}\n", result.out), result.out
    assert "Harbour" not in result.out
