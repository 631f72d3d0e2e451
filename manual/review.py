"""Review: what a pull request changes, in Markdown for its summary comment; CODEOWNERS from the registry.

The summary is posted where many can read it, and quotes what contributors wrote. So:

- a restricted contribution (one whose front matter does not say 'sensitivity: public', in the base or in
  the change) is listed by its id only, and so are its recommendations and its translations; the problems
  of its files are listed by place and rule code, without their messages (which quote its text);
- every piece of contributors' text quoted (ids, titles, statuses, recommendations, file names, problems'
  messages) is put in one inline code span by _code(): GitHub and GitLab render no Markdown, HTML, image,
  link, autolink, @mention or #reference inside one, and it is kept on one line, so it cannot start a
  heading, a table or a new list item either.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
import tempfile
import unicodedata
from pathlib import Path

from .errors import CodeownersError
from .model import ERROR, Document
from .read import CONTRIBUTIONS, read_tree
from .validate import check_tree

MAX_LISTED_PROBLEMS = 30
REDACTED = "restricted: its content is not shown here"
_DECLARED = re.compile(r"^(sensitivity|translation_of):[ \t]*[\"']?([^\"'#\s]*)", re.MULTILINE)


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


def _restricted_ids(*trees: list[Document]) -> set[str]:
    """Return the ids of the contributions not marked 'sensitivity: public' in any of the trees."""
    return {str(doc.data["id"]) for docs in trees for doc in docs
            if "id" in doc.data and "translation_of" not in doc.data and doc.data.get("sensitivity") != "public"}


def _restricted_paths(ids: set[str], *trees: list[Document]) -> set[str]:
    """Return the files of the restricted contributions `ids` and of their translations, in any of the trees."""
    return {doc.path for docs in trees for doc in docs
            if (str(doc.data.get("id")) in ids and "translation_of" not in doc.data)
            or str(doc.data.get("translation_of")) in ids}


def _declares_restricted(path: Path, ids: set[str]) -> bool:
    """Tell whether the text of a contribution that could not be read says it is restricted, or translates one."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    declared = dict(m.groups() for m in _DECLARED.finditer(text))
    return declared.get("sensitivity", "public") != "public" or declared.get("translation_of", "") in ids


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
        ids = _restricted_ids(old_docs, new_docs)
        hidden = _restricted_paths(ids, old_docs, new_docs)
        hidden |= {p.file for p in sources.problems if p.file.endswith(".md") and p.file not in hidden
                   and _declares_restricted(after / p.file, ids)}
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
        if str(entry["front"]["id"]) in ids:
            return f"- {_code(entry['front']['id'])} {REDACTED}"
        return f"- {_code(key)} {_code(entry['title'])} ({_code(entry['status'])}, {_code(entry['path'])})"

    def recommendation_line(key: str, entry: dict) -> str:
        owners = {entry["contribution"], old_r.get(key, entry)["contribution"], new_r.get(key, entry)["contribution"]}
        if owners & ids:
            return f"- {_code(key)} {REDACTED}"
        return f"- {_code(key)} {_code(_short(entry['text']))}"

    def translation_line(key: str, entry: dict) -> str:
        if str(entry["front"]["translation_of"]) in ids:
            return f"- {_code(key)} {REDACTED}"
        return f"- {_code(key)} {_code(entry['title'])} ({_code(entry['path'])})"

    def problem_line(p) -> str:
        where = f"{'❌' if p.severity == ERROR else '⚠️'} {_code(f'{p.file}:{p.line}')}"
        return f"- {where} {_code(p.code)} {REDACTED}" if p.file in hidden else f"- {where} {_code(p.message)}"

    for label, keys, table in (("Contributions added", c_added, new_c), ("Contributions changed", c_changed, new_c),
                               ("Contributions removed", c_removed, old_c)):
        if keys:
            out += [f"### {label}", "", *(contribution_line(k, table[k]) for k in keys), ""]
    for label, keys, table in (("Recommendations added", r_added, new_r),
                               ("Recommendations changed", r_changed, new_r),
                               ("Recommendations removed", r_removed, old_r)):
        if keys:
            out += [f"### {label}", "", *(recommendation_line(k, table[k]) for k in keys), ""]
    for label, keys, table in (("Translations added", t_added, new_t), ("Translations changed", t_changed, new_t),
                               ("Translations removed", t_removed, old_t)):
        if keys:
            out += [f"### {label}", "", *(translation_line(k, table[k]) for k in keys), ""]
    if not (c_added or c_changed or c_removed):
        out += ["No contribution changed.", ""]
    if errors or warnings:
        out += [f"### Check: {len(errors)} error{'s' * (len(errors) != 1)}, "
                f"{len(warnings)} warning{'s' * (len(warnings) != 1)}", ""]
        out += [problem_line(p) for p in (errors + warnings)[:MAX_LISTED_PROBLEMS]]
        if len(problems) > MAX_LISTED_PROBLEMS:
            out.append(f"- … and {len(problems) - MAX_LISTED_PROBLEMS} more: see the check job's log")
        out.append("")
    else:
        out += ["### Check: no problem in the changed files", ""]
    return "\n".join(out)


def _code(text: object) -> str:
    """Return `text` as one inline code span, in which nothing is live in GitHub's or GitLab's comment.

    Whitespace, newlines included, becomes single spaces (so the text stays inside its list item),
    control and invisible format characters (bidirectional overrides, zero-width ones) are dropped,
    and the span's fence is one backtick longer than the longest run of backticks in the text.
    """
    text = "".join(ch for ch in " ".join(str(text).split()) if unicodedata.category(ch) not in ("Cc", "Cf"))
    if not text.strip():
        return "(empty)"
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# A city's folder name, the only text of the registry that goes into CODEOWNERS.
_CITY_FOLDER = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# An owner, as GitHub and GitLab read them: @user, @org/team (GitLab: @group/subgroup/…), or an e-mail.
_HANDLE = re.compile(r"@[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?(?:/[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)*")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[A-Za-z0-9._%+-]+@{_LABEL}(?:\.{_LABEL})+")



def is_owner(text: str) -> bool:
    """Tell whether `text` is one CODEOWNERS owner: @user, @org/team, @group/subgroup/team or an e-mail."""
    return bool(_HANDLE.fullmatch(text) or _EMAIL.fullmatch(text))


def _city_folders(root: Path) -> list[str]:
    """Return the city folders of the registry, sorted; refuse any name that CODEOWNERS cannot hold as it is."""
    base = root / CONTRIBUTIONS
    folders = sorted(card.parent.name for card in base.glob("*/city.yml")) if base.is_dir() else []
    bad = [name for name in folders if not _CITY_FOLDER.fullmatch(name)]
    if bad:
        shown = ", ".join(repr(f"{CONTRIBUTIONS}/{name}/") for name in bad)
        raise CodeownersError(
            f"CODEOWNERS cannot be made, nothing was written: the city folder name{'s' * (len(bad) > 1)} "
            f"{shown} would change its syntax (a space, a newline, '#' or a pattern character gives files to "
            "other owners). A city's folder name is lower-case letters and digits joined by single dashes, such "
            "as 'nice' or 'budapest-7': rename the folder, then run 'python build_manual.py codeowners' again.")
    return folders


def _owner(handle: str, org: str) -> str:
    """Return `handle` if it is a valid owner; otherwise refuse, naming the organisation it came from."""
    if not is_owner(handle):
        raise CodeownersError(
            f"CODEOWNERS cannot be made, nothing was written: the organisation or group {org!r} gives the "
            f"owner {handle!r}, which is not an @organisation/team handle. Give --org as the GitHub "
            "organisation or the GitLab group path: letters, digits, '-', '_' and '.', a GitLab subgroup after "
            "'/' (such as 'eu-polnet' or 'polnet/continuum'), without '@'.")
    return handle


def codeowners_text(root: Path, org: str) -> str:
    """Return CODEOWNERS: the editorial board by default and for docs/, each city's team for its folder.

    Raises CodeownersError, and writes nothing, if a city folder or `org` would change the file's syntax.
    """
    board = _owner(f"@{org}/editorial-board", org)
    lines = ["# Generated by 'python build_manual.py codeowners' from the cities of contributions/: do not edit,",
             "# run the command again after adding a city. GitHub and GitLab both read this file; the last",
             "# matching line wins.",
             f"* {board}",
             f"/docs/ {board}",
             f"/themes.yml {board}",
             f"/manual.yml {board}",
             f"/schema/ {board}",
             ""]
    for name in _city_folders(root):
        lines.append(f"/{CONTRIBUTIONS}/{name}/ {_owner(f'@{org}/city-{name}', org)}")
    return "\n".join(lines) + "\n"
