"""Editions: what each released edition contained, what changed since, and the ids that must stay.

A release writes `releases/<edition>/manifest.json`: every contribution and recommendation id of
the edition with a fingerprint of its content, and the contributions withdrawn or superseded by
then. This module reads those manifests back and compares them with the sources; it only reads
and computes (the release stage, `release.py`, writes).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .model import ERROR, Contribution, Problem

RELEASES = "releases"
LIVING = "living"  # the version of the main branch, between editions
CONSULTATION = "-consultation"  # suffix of a consultation draft's version name: 2027-consultation
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
PUBLISHED, WITHDRAWN, SUPERSEDED = "published", "withdrawn", "superseded"
ADDED, UPDATED, UNCHANGED = "added", "updated", "unchanged"
CHANGES = (ADDED, UPDATED, WITHDRAWN, SUPERSEDED, UNCHANGED)
EDITION_NAME = re.compile(r"^[0-9]{4}(-[a-z0-9]+)?$")


@dataclass(frozen=True)
class Entry:
    """One contribution as an edition recorded it."""

    id: str
    city: str
    path: str
    title: str
    language: str
    themes: tuple[str, ...]
    state: str  # PUBLISHED, WITHDRAWN or SUPERSEDED
    fingerprint: str = ""
    recommendations: dict[str, str] = field(default_factory=dict)  # id → fingerprint
    superseded_by: str = ""
    since: str = ""  # the edition in which it was withdrawn or superseded


@dataclass(frozen=True)
class Edition:
    """A released edition (or a consultation draft), as its manifest says."""

    name: str
    released: dt.date
    source_commit: str
    languages: tuple[str, ...]
    entries: dict[str, Entry]
    draft: bool = False

    @property
    def published(self) -> dict[str, Entry]:
        return {i: e for i, e in self.entries.items() if e.state == PUBLISHED}


@dataclass(frozen=True)
class Change:
    """What happened to a recommendation (or a contribution) between two editions."""

    id: str
    contribution_id: str
    kind: str  # one of CHANGES
    superseded_by: str = ""


@dataclass
class Changelog:
    """The changes from `previous` (None: the first edition) to `current`, per recommendation and contribution."""

    current: str
    previous: str | None
    recommendations: list[Change]
    contributions: list[Change]

    def of(self, kind: str) -> list[Change]:
        return [c for c in self.recommendations if c.kind == kind]

    def contribution_kind(self, contribution_id: str) -> str | None:
        return self._kinds[0].get(contribution_id)

    def recommendation_kind(self, recommendation_id: str) -> str | None:
        return self._kinds[1].get(recommendation_id)

    @functools.cached_property
    def _kinds(self) -> tuple[dict[str, str], dict[str, str]]:
        """What happened to each contribution and to each recommendation, by id (the first change of an id
        counts): every page's badges look them up."""
        def kinds(changes: list[Change]) -> dict[str, str]:
            found: dict[str, str] = {}
            for change in changes:
                found.setdefault(change.id, change.kind)
            return found
        return kinds(self.contributions), kinds(self.recommendations)

    def as_dict(self) -> dict:
        def group(changes: list[Change]) -> dict[str, list[dict]]:
            return {kind: [{"id": c.id, "contribution": c.contribution_id,
                            **({"superseded_by": c.superseded_by} if c.superseded_by else {})}
                           for c in changes if c.kind == kind] for kind in CHANGES}
        return {"edition": self.current, "previous": self.previous,
                "recommendations": group(self.recommendations), "contributions": group(self.contributions)}


# --- fingerprints ----------------------------------------------------------------------------------

def _digest(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _words(text: str) -> str:
    return " ".join(text.split())


def recommendation_fingerprint(text: str, strength: str | None) -> str:
    """Return the fingerprint of a recommendation: its words and its strength."""
    return _digest({"text": _words(text), "strength": strength})


def contribution_fingerprint(c: Contribution) -> str:
    """Return the fingerprint of what a contribution says: a change in it is an 'update' in the changelog."""
    return _digest({
        "title": _words(c.title), "summary": _words(c.summary), "body": _words(c.body), "themes": list(c.themes),
        "type": c.type, "evidence": c.evidence, "city": c.city, "language": c.language,
        "recommendations": [[r.id, _words(r.text), r.strength] for r in c.recommendations],
    })


# --- reading manifests ---------------------------------------------------------------------------

def read_editions(root: Path, problems: list[Problem]) -> list[Edition]:
    """Read every releases/<edition>/manifest.json, oldest first; an unreadable one is a problem."""
    base = root / RELEASES
    editions = []
    if not base.is_dir():
        return editions
    for folder in sorted(p for p in base.iterdir() if p.is_dir()):
        rel = f"{RELEASES}/{folder.name}/{MANIFEST}"
        if not (folder / MANIFEST).is_file():
            problems.append(Problem(rel, 1, 1, "missing-manifest",
                                    f"the folder {RELEASES}/{folder.name}/ has no {MANIFEST}; it is written by "
                                    "'python build_manual.py release': restore it from the repository's history"))
            continue
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            editions.append(_edition(data))
        except (ValueError, KeyError, TypeError) as exc:
            problems.append(Problem(rel, 1, 1, "unreadable-manifest",
                                    f"the manifest can't be read ({exc}); a manifest is never edited by hand: "
                                    "restore it from the repository's history"))
    return sorted(editions, key=lambda e: (e.released, e.name))


def _edition(data: dict) -> Edition:
    entries = {}
    for cid, e in data["contributions"].items():
        entries[cid] = Entry(id=cid, city=e["city"], path=e["path"], title=e["title"], language=e["language"],
                             themes=tuple(e.get("themes", [])), state=e["state"], fingerprint=e.get("fingerprint", ""),
                             recommendations=dict(e.get("recommendations", {})),
                             superseded_by=e.get("superseded_by", ""), since=e.get("since", ""))
    return Edition(name=data["edition"], released=dt.date.fromisoformat(data["released"]),
                   source_commit=data.get("source_commit", ""), languages=tuple(data.get("languages", [])),
                   entries=entries, draft=bool(data.get("draft", False)))


def manifest_dict(edition: Edition) -> dict:
    """Return the manifest of an edition, as written to releases/<edition>/manifest.json."""
    contributions = {}
    for cid, e in sorted(edition.entries.items()):
        item = {"city": e.city, "path": e.path, "title": e.title, "language": e.language, "themes": list(e.themes),
                "state": e.state}
        if e.state == PUBLISHED:
            item["fingerprint"] = e.fingerprint
            item["recommendations"] = dict(sorted(e.recommendations.items()))
        else:
            item["since"] = e.since
            if e.superseded_by:
                item["superseded_by"] = e.superseded_by
        contributions[cid] = item
    return {"edition": edition.name, "released": edition.released.isoformat(), "draft": edition.draft,
            "source_commit": edition.source_commit, "languages": list(edition.languages),
            "contributions": contributions}


def read_sums(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of each file of a release, as its SHA256SUMS lists them (empty if it has none)."""
    path = folder / SUMS
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        sums[name] = digest
    return sums


def released(editions: list[Edition]) -> list[Edition]:
    """Return the released editions (consultation drafts apart), oldest first."""
    return [e for e in editions if not e.draft]


# --- the state of the sources as an edition --------------------------------------------------------

def superseded_by(contributions: list[Contribution], published_ids: set[str]) -> dict[str, str]:
    """Return, for each superseded id, the published contribution that supersedes it."""
    found = {}
    for c in sorted(contributions, key=lambda c: c.id):
        if c.id in published_ids:
            for old in c.supersedes:
                found.setdefault(old, c.id)
    return found


def snapshot(name: str, date: dt.date, commit: str, languages: tuple[str, ...], published: list[Contribution],
             replaced: dict[str, str], all_contributions: list[Contribution], previous: list[Edition]) -> Edition:
    """Return what an edition made now would record: the published contributions (none of them
    superseded), and every id released before that is now withdrawn or superseded (`replaced`: id →
    its successor), with the edition that first recorded it so."""
    entries: dict[str, Entry] = {}
    by_id = {c.id: c for c in all_contributions}
    for c in published:
        entries[c.id] = Entry(id=c.id, city=c.city, path=c.path, title=c.title, language=c.language,
                              themes=c.themes, state=PUBLISHED, fingerprint=contribution_fingerprint(c),
                              recommendations={r.id: recommendation_fingerprint(r.text, r.strength)
                                               for r in c.recommendations})
    for edition in released(previous):
        for cid, old in edition.entries.items():
            if cid in entries:
                continue
            state = SUPERSEDED if cid in replaced else WITHDRAWN
            since = old.since if old.state == state and old.since else name
            source = by_id.get(cid)
            entries[cid] = Entry(id=cid, city=old.city, path=source.path if source else old.path,
                                 title=old.title, language=old.language, themes=old.themes, state=state,
                                 superseded_by=replaced.get(cid, ""), since=since)
    return Edition(name=name, released=date, source_commit=commit, languages=languages, entries=entries)


def changelog(current: Edition, previous: Edition | None) -> Changelog:
    """Compare two editions, per recommendation and per contribution."""
    recs: list[Change] = []
    contributions: list[Change] = []
    before = previous.entries if previous else {}
    for cid, entry in sorted(current.entries.items()):
        old = before.get(cid)
        if entry.state == PUBLISHED:
            if old is None or old.state != PUBLISHED:
                kind = ADDED
            else:
                kind = UNCHANGED if old.fingerprint == entry.fingerprint else UPDATED
            contributions.append(Change(cid, cid, kind))
            for rid, fp in sorted(entry.recommendations.items()):
                previous_fp = old.recommendations.get(rid) if old and old.state == PUBLISHED else None
                rkind = ADDED if previous_fp is None else UNCHANGED if previous_fp == fp else UPDATED
                recs.append(Change(rid, cid, rkind))
        elif old is not None and old.state == PUBLISHED:
            contributions.append(Change(cid, cid, entry.state, entry.superseded_by))
            recs.extend(Change(rid, cid, entry.state, entry.superseded_by) for rid in sorted(old.recommendations))
    return Changelog(current.name, previous.name if previous else None, recs, contributions)


# --- ids that were released -----------------------------------------------------------------------

def check_released_ids(editions: list[Edition], contributions: list[Contribution], published_ids: set[str],
                       where) -> list[Problem]:
    """Check that every id an edition released still stands for the same contribution and is never dropped.

    `where(contribution, path)` gives the Problem place of a value in a contribution's file.
    """
    problems: list[Problem] = []
    by_id = {c.id: c for c in contributions}
    replaced = superseded_by(contributions, published_ids)
    ever: dict[str, tuple[Edition, Entry]] = {}  # the last edition that recorded each id
    recommendations: dict[str, dict[str, str]] = {}  # contribution id → recommendation id → first edition
    for edition in released(editions):
        for cid, entry in edition.entries.items():
            ever[cid] = (edition, entry)
            for rid in entry.recommendations:
                recommendations.setdefault(cid, {}).setdefault(rid, edition.name)
    for cid, (edition, entry) in sorted(ever.items()):
        c = by_id.get(cid)
        manifest = f"{RELEASES}/{edition.name}/{MANIFEST}"
        if c is None:
            if cid not in replaced:
                problems.append(Problem(manifest, 1, 1, "released-id-dropped",
                                        f"'{cid}' ({entry.path}) was released in edition {edition.name} and is no "
                                        f"longer in the sources; restore the file with 'status: withdrawn', or "
                                        f"name '{cid}' in the 'supersedes' of the contribution that replaces it",
                                        ERROR))
            continue
        if c.city != entry.city:
            problems.append(where(c, ("city",), "released-id-city",
                                  f"'{cid}' was released in edition {edition.name} as a contribution of "
                                  f"'{entry.city}'; a released id never changes city: give this contribution the "
                                  f"next free id of '{c.city}'"))
        elif c.path != entry.path:
            problems.append(where(c, ("id",), "released-id-reused",
                                  f"'{cid}' was released in edition {edition.name} for {entry.path} "
                                  f"('{entry.title}'); an id is never given to another contribution: give this one "
                                  "a new id (if it is the same contribution, move it back to its file)"))
        if not (cid in published_ids or cid in replaced or c.status == "withdrawn"):
            problems.append(where(c, ("status",), "released-id-dropped",
                                  f"'{cid}' was released in edition {edition.name}: it can't go back to "
                                  f"'{c.status}' or leave the public manual; keep it approved, set "
                                  "'status: withdrawn', or name it in the 'supersedes' of the contribution that "
                                  "replaces it"))
        if cid in published_ids and cid not in replaced:
            current = {r.id for r in c.recommendations}
            for rid, first in sorted(recommendations.get(cid, {}).items()):
                if rid in current:
                    continue
                problems.append(where(c, ("recommendations",), "released-recommendation-dropped",
                                      f"the recommendation '{rid}' was released in edition {first}, and "
                                      "citations of it must keep working: keep it (its text may change), or "
                                      "withdraw the whole contribution"))
    return problems
