"""Review: what a pull request changes, in Markdown for its summary comment; CODEOWNERS from the registry."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from .model import ERROR, Document
from .read import CONTRIBUTIONS, read_tree
from .validate import check_tree

MAX_LISTED_PROBLEMS = 30


class GitError(Exception):
    """git is missing, or a reference is unknown."""


def _git(root: Path, *args: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise GitError("git is not installed: the summary compares two versions of the manual with git")
    try:
        return subprocess.run([git, "-C", str(root), *args], check=True, capture_output=True).stdout
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {' '.join(args[:2])} failed: {message[-1] if message else exc}") from None


def _extract(root: Path, ref: str, target: Path) -> None:
    """Write the manual's sources at `ref` into `target`."""
    try:
        _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    except GitError:
        raise GitError(f"the git reference '{ref}' is unknown here; fetch it first, such as "
                       "'git fetch origin main', or name a branch, a tag or a commit") from None
    listed = _git(root, "ls-tree", "--name-only", ref).decode().split()
    parts = [p for p in ("manual.yml", "themes.yml", CONTRIBUTIONS) if p in listed]
    if parts:
        archive = _git(root, "archive", "--format=tar", ref, *parts)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")


def _changed_files(root: Path, base: str, head: str | None) -> set[str]:
    """Return the files changed between `base` and `head` (or the working tree, new files included)."""
    names = _git(root, "diff", "--name-only", base, *([head] if head else []), "--", CONTRIBUTIONS).decode()
    if head is None:
        names += _git(root, "ls-files", "--others", "--exclude-standard", "--", CONTRIBUTIONS).decode()
    return set(names.split("\n")) - {""}


def _entries(docs: list[Document]) -> tuple[dict[str, dict], dict[str, dict]]:
    """Return contributions and recommendations by id, from the documents' front matter."""
    contributions, recommendations = {}, {}
    for doc in docs:
        data = doc.data
        if not isinstance(data.get("id"), str):
            continue
        key = data["id"] if data["id"] not in contributions else f"{data['id']} ({doc.path})"
        contributions[key] = {"path": doc.path, "title": str(data.get("title", "")),
                                     "status": str(data.get("status", "")), "front": data, "body": doc.body}
        for item in data.get("recommendations") or []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                recommendations[item["id"]] = {"text": " ".join(str(item.get("text", "")).split()),
                                               "strength": item.get("strength"), "contribution": data["id"]}
    return contributions, recommendations


def _translations(docs: list[Document]) -> dict[str, dict]:
    """Return translations by '<id> → <language>', from the documents' front matter."""
    found = {}
    for doc in docs:
        data = doc.data
        if isinstance(data, dict) and isinstance(data.get("translation_of"), str):
            key = f"{data['translation_of']} → {data.get('language', '?')}"
            found[key] = {"path": doc.path, "title": str(data.get("title", "")), "front": data, "body": doc.body}
    return found


def _diff(old: dict[str, dict], new: dict[str, dict]) -> tuple[list[str], list[str], list[str]]:
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    changed = sorted(k for k in set(old) & set(new) if old[k] != new[k])
    return added, changed, removed


def summarise(root: Path, base: str, head: str | None = None) -> str:
    """Return the Markdown summary of the changes from `base` to `head` (default: the working tree)."""
    with tempfile.TemporaryDirectory(prefix="continuum-summary-") as scratch:
        before = Path(scratch) / "base"
        before.mkdir()
        _extract(root, base, before)
        if head is None:
            after = root
        else:
            after = Path(scratch) / "head"
            after.mkdir()
            _extract(root, head, after)
        old_docs, new_docs = read_tree(before).contributions, read_tree(after).contributions
        old_c, old_r = _entries(old_docs)
        new_c, new_r = _entries(new_docs)
        old_t, new_t = _translations(old_docs), _translations(new_docs)
        sources = check_tree(after)
    c_added, c_changed, c_removed = _diff(old_c, new_c)
    r_added, r_changed, r_removed = _diff(old_r, new_r)
    t_added, t_changed, t_removed = _diff(old_t, new_t)
    touched = ({new_c[k]["path"] for k in c_added + c_changed} | {new_t[k]["path"] for k in t_added + t_changed}
               | _changed_files(root, base, head))
    problems = [p for p in sources.problems if p.file in touched or not p.file.startswith(f"{CONTRIBUTIONS}/")
                or p.file.endswith("/city.yml")]
    errors = [p for p in problems if p.severity == ERROR]
    warnings = [p for p in problems if p.severity != ERROR]

    out = ["## Continuum: what this change does", ""]
    out.append(f"| | added | changed | removed |\n|---|---:|---:|---:|\n"
               f"| contributions | {len(c_added)} | {len(c_changed)} | {len(c_removed)} |\n"
               f"| recommendations | {len(r_added)} | {len(r_changed)} | {len(r_removed)} |\n"
               f"| translations | {len(t_added)} | {len(t_changed)} | {len(t_removed)} |")
    out.append("")

    def contribution_line(key: str, entry: dict) -> str:
        return f"- `{key}` {_md(entry['title'])} ({entry['status']}, `{entry['path']}`)"

    for label, keys, table in (("Contributions added", c_added, new_c), ("Contributions changed", c_changed, new_c),
                               ("Contributions removed", c_removed, old_c)):
        if keys:
            out += [f"### {label}", "", *(contribution_line(k, table[k]) for k in keys), ""]
    for label, keys, table in (("Recommendations added", r_added, new_r),
                               ("Recommendations changed", r_changed, new_r),
                               ("Recommendations removed", r_removed, old_r)):
        if keys:
            out += [f"### {label}", "", *(f"- `{k}` {_md(_short(table[k]['text']))}" for k in keys), ""]
    for label, keys, table in (("Translations added", t_added, new_t), ("Translations changed", t_changed, new_t),
                               ("Translations removed", t_removed, old_t)):
        if keys:
            out += [f"### {label}", "", *(f"- `{k}` {_md(table[k]['title'])} (`{table[k]['path']}`)" for k in keys),
                    ""]
    if not (c_added or c_changed or c_removed):
        out += ["No contribution changed.", ""]
    if errors or warnings:
        out += [f"### Check: {len(errors)} error{'s' * (len(errors) != 1)}, "
                f"{len(warnings)} warning{'s' * (len(warnings) != 1)}", ""]
        out += [f"- {'❌' if p.severity == ERROR else '⚠️'} `{p.file}:{p.line}` {_md(p.message)}"
                for p in (errors + warnings)[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            out.append(f"- … and {len(problems) - MAX_LISTED_PROBLEMS} more: see the check job's log")
        out.append("")
    else:
        out += ["### Check: no problem in the changed files", ""]
    return "\n".join(out)


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace("@", "@\u200b")


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def codeowners_text(root: Path, org: str) -> str:
    """Return CODEOWNERS: the editorial board by default and for docs/, each city's team for its folder."""
    board = f"@{org}/editorial-board"
    lines = ["# Generated by 'python build_manual.py codeowners' from the cities of contributions/: do not edit,",
             "# run the command again after adding a city. GitHub and GitLab both read this file; the last",
             "# matching line wins.",
             f"* {board}",
             f"/docs/ {board}",
             f"/themes.yml {board}",
             f"/manual.yml {board}",
             f"/schema/ {board}",
             ""]
    base = root / CONTRIBUTIONS
    for card in sorted(base.glob("*/city.yml")) if base.is_dir() else []:
        lines.append(f"/{CONTRIBUTIONS}/{card.parent.name}/ @{org}/city-{card.parent.name}")
    return "\n".join(lines) + "\n"
