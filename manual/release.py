"""Release: cut an edition into releases/<edition>/, and check one later.

An edition is built once, from a committed state of the sources, with its release date as the
build date, and archived: the manifest (every id with a fingerprint of its content), the
changelog against the previous edition, the website of each language as a tarball, the PDFs, the
exports, and SHA-256 checksums of all of them. The folder appears complete or not at all, and a
released edition is never written again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .editions import CONSULTATION, EDITION_NAME, MANIFEST, RELEASES, SUMS, Changelog, manifest_dict, read_sums
from .errors import ManualError
from .merge import localise, merge
from .model import Manual, Sources
from .render.output import clean_stale, epoch, source_date

SOURCES = ("contributions", "docs", "manual.yml", "themes.yml")


@dataclass
class Plan:
    """What a release would write: checked, merged, compared with the previous edition."""

    name: str
    date: dt.date
    commit: str
    manual: Manual
    manifest: dict
    changes: Changelog
    draft: bool


def plan(root: Path, sources: Sources, edition: str, *, date: dt.date, draft: bool = False,
         defer: tuple[str, ...] = (), dry_run: bool = False) -> Plan:
    """Check that `edition` can be released now, and compute what it contains; write nothing.

    A dry run also works on sources that are not committed yet, to see what the edition would hold.
    """
    if not EDITION_NAME.fullmatch(edition) or edition.endswith(CONSULTATION):
        raise ManualError(f"'{edition}' is not an edition's name: use the year it is released for, such as 2027")
    if sources.settings.edition != edition:
        raise ManualError(f"manual.yml prepares edition {sources.settings.edition}, not {edition}: release "
                          f"{sources.settings.edition}, or change 'edition' in manual.yml first")
    name = f"{edition}{CONSULTATION}" if draft else edition
    existing = root / RELEASES / name
    if existing.exists():
        what = "consultation draft" if draft else "edition"
        raise ManualError(f"the {what} {name} was released already ({RELEASES}/{name}/); a release never changes. "
                          "Corrections go into the next edition")
    waiting = sorted((c for c in sources.contributions if c.status == "submitted" and c.id not in defer),
                     key=lambda c: c.id)
    if waiting and not draft:
        listed = "\n".join(f"  {c.id} ({c.path})" for c in waiting)
        raise ManualError(f"{len(waiting)} contribution(s) meant for this edition are still submitted, waiting for "
                          f"review:\n{listed}\nApprove them or return them to draft; or leave them for the next "
                          "edition: release " + edition + " " + " ".join(f"--defer {c.id}" for c in waiting))
    commit = _source_commit(root, allow_changes=dry_run)
    manual = merge(sources, build_date=date, version=name, release_date=date)
    manual = dataclasses.replace(manual, settings=dataclasses.replace(manual.settings, edition=name))
    # merge compared this edition with the previous one already: record it with its commit.
    current = dataclasses.replace(manual.record, source_commit=commit, draft=draft)
    return Plan(name=name, date=date, commit=commit, manual=manual, manifest=manifest_dict(current),
                changes=manual.changes, draft=draft)


def _source_commit(root: Path, *, allow_changes: bool = False) -> str:
    """Return the commit the sources are at; refuse sources with changes that are not committed."""
    git = shutil.which("git")
    if git is None:
        raise ManualError("git is not installed: a release records the commit of the sources it was made from")

    def run(*args: str) -> str:
        result = subprocess.run([git, "-C", str(root), *args], capture_output=True, text=True)
        if result.returncode != 0:
            raise ManualError(f"a release records the commit of its sources, and git says: "
                              f"{result.stderr.strip() or result.stdout.strip()}; release from the manual's "
                              "git repository")
        return result.stdout.rstrip()

    run("rev-parse", "--show-toplevel")
    changed = run("status", "--porcelain", "--", *SOURCES)
    if changed and allow_changes:
        return run("rev-parse", "HEAD") + " + uncommitted changes"
    if changed:
        files = "\n".join(f"  {line}" for line in changed.splitlines()[:20])
        raise ManualError(f"the sources have changes that are not committed:\n{files}\nCommit them first: an "
                          "edition is made from a commit, so that anyone can see what it was made from")
    return run("rev-parse", "HEAD")


def write(root: Path, p: Plan, formats: tuple[str, ...] = ("json", "csv", "docx")) -> Path:
    """Build and archive the edition into releases/<name>/, all or nothing; return the folder."""
    from .render.export import export as write_exports
    from .render.pdf import build_pdf, pdf_name
    from .render.site import build_version

    base = root / RELEASES
    base.mkdir(parents=True, exist_ok=True)
    clean_stale(base, p.name)
    stage = Path(tempfile.mkdtemp(prefix=f".{p.name}-", dir=base))
    (root / "build").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f"release-{p.name}-", dir=root / "build"))
    try:
        with source_date(p.date):
            manual = p.manual
            languages = manual.settings.languages
            downloads = {}
            (work / "pdf").mkdir()
            for lang in languages:
                path = build_pdf(localise(manual, lang), root, stage / pdf_name(manual, lang), work / "pdf")
                downloads[lang] = (path.name, path)
            site = work / "site"
            targets = build_version(manual, root, site, work / "src", downloads)
            for lang, folder in targets.items():
                _tarball(folder, stage / f"site-{lang}.tar.gz", p.date)
            write_exports(manual, stage, list(formats))
        (stage / MANIFEST).write_text(json.dumps(p.manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        (stage / "changelog.json").write_text(json.dumps(p.changes.as_dict(), ensure_ascii=False, indent=1) + "\n",
                                              encoding="utf-8")
        (stage / "CHANGELOG.md").write_text(changelog_markdown(p), encoding="utf-8")
        (stage / SUMS).write_text(_sums(stage), encoding="utf-8")
        os.chmod(stage, 0o755)
        os.rename(stage, base / p.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    return base / p.name


def _tarball(folder: Path, target: Path, date: dt.date) -> None:
    """Archive a folder the same way every time: sorted entries, one date, no owner."""
    mtime = epoch(date)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(folder.rglob("*")):
            info = tarfile.TarInfo(path.relative_to(folder).as_posix())
            info.mtime, info.uid, info.gid, info.uname, info.gname = mtime, 0, 0, "", ""
            if path.is_dir():
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                data = path.read_bytes()
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    with open(target, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(buffer.getvalue())


def _sums(folder: Path) -> str:
    lines = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != SUMS):
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}")
    return "\n".join(lines) + "\n"


def verify(root: Path, name: str) -> list[str]:
    """Compare an edition's files with its checksums; return one line per difference (none: intact)."""
    folder = root / RELEASES / name
    if not (folder / SUMS).is_file():
        raise ManualError(f"{RELEASES}/{name}/{SUMS} is missing: no edition {name} was released here"
                          if not folder.is_dir() else f"{RELEASES}/{name}/{SUMS} is missing")
    expected = read_sums(folder)
    found = []
    for file_name, digest in sorted(expected.items()):
        path = folder / file_name
        if not path.is_file():
            found.append(f"{RELEASES}/{name}/{file_name}: missing")
        elif hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            found.append(f"{RELEASES}/{name}/{file_name}: modified (its SHA-256 differs from {SUMS})")
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.name != SUMS and p.name not in expected):
        found.append(f"{RELEASES}/{name}/{path.name}: not part of the release (not in {SUMS})")
    if (folder / MANIFEST).is_file() and f"{MANIFEST}" in expected and not found:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("edition") != name:
            found.append(f"{RELEASES}/{name}/{MANIFEST}: says edition {manifest.get('edition')!r}, not {name!r}")
    return found


def changelog_markdown(p: Plan) -> str:
    """The changelog of an edition, for people: what is new, updated, withdrawn or superseded."""
    c = p.changes
    title = f"# Edition {p.name}" + (" (consultation draft)" if p.draft else "")
    lines = [title, "", f"Released on {p.date.isoformat()} from commit {p.commit}.", ""]
    lines.append(f"Compared with edition {c.previous}." if c.previous else "The first edition.")
    lines.append("")
    for kind, heading in (("added", "New"), ("updated", "Updated"), ("withdrawn", "Withdrawn"),
                          ("superseded", "Superseded"), ("unchanged", "Unchanged")):
        changes = c.of(kind)
        lines.append(f"## {heading} recommendations ({len(changes)})")
        lines.append("")
        lines += [f"- {ch.id} ({ch.contribution_id})" + (f", superseded by {ch.superseded_by}" if ch.superseded_by
                                                           else "") for ch in changes] or ["None."]
        lines.append("")
    return "\n".join(lines)
