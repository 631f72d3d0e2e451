"""Merge: validated records → the Manual, the one structure every renderer reads.

Decides what is published (approved and public; drafts too in a preview), orders chapters as
themes.yml does, and keeps only cross-references that land on a published page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .model import MISSING, ORIGINAL, OUTDATED, TRANSLATED, Chapter, Contribution, Localisation, Manual, Sources
from .editions import LIVING, PUBLISHED as RELEASED_STATE, changelog, released, snapshot, superseded_by
from .translate import as_contribution, fingerprint, not_translated_yet

PUBLISHED = ("approved",)
PREVIEWED = ("draft", "submitted", "approved")
LATEST = 6


def is_published(c: Contribution, *, preview: bool = False, members: bool = False) -> bool:
    """Tell whether a contribution appears in a build: public, preview, or the network members' one."""
    return (members or c.sensitivity == "public") and c.status in (PREVIEWED if preview else PUBLISHED)


def merge(sources: Sources, *, preview: bool = False, members: bool = False,
          build_date: dt.date | None = None, version: str = LIVING, release_date: dt.date | None = None) -> Manual:
    """Merge the sources into the manual that readers see (restricted content only if `members`).

    `version` is the name of what is built: the living version (the main branch), or an edition
    being released on `release_date`. A contribution superseded by a published one is not shown;
    if an edition released it, it keeps a short page (a tombstone) saying what replaced it.
    """
    candidates = [c for c in sources.contributions if is_published(c, preview=preview, members=members)]
    replaced = superseded_by(sources.contributions, {c.id for c in candidates})
    shown = sorted((c for c in candidates if c.id not in replaced), key=lambda c: c.id)
    ids = {c.id for c in shown}
    editions = list(sources.editions)
    before = [e for e in released(editions) if e.name != version]
    build_date = build_date or sources_date(sources)
    current = snapshot(version, release_date or build_date, "", sources.settings.languages, shown, replaced,
                       sources.contributions, before)
    tombstones = {cid: e for cid, e in current.entries.items() if e.state != RELEASED_STATE}
    shown = [dataclasses.replace(c, related=tuple(r for r in c.related if r in ids),
                                 supersedes=tuple(s for s in c.supersedes if s in ids or s in tombstones))
             for c in shown]
    contributions = {c.id: c for c in shown}
    recommendations = {r.id: r for c in shown for r in c.recommendations}
    chapters, tags = _chapters_and_tags(sources.themes, shown)
    translations: dict[str, dict[str, object]] = {}
    for tr in sorted(sources.translations, key=lambda tr: (tr.translation_of, tr.language)):
        if tr.translation_of in contributions and not not_translated_yet(contributions[tr.translation_of], tr):
            translations.setdefault(tr.translation_of, {})[tr.language] = tr
    contributing = {c.city for c in shown}
    figures = {
        "cities": len(contributing),
        "countries": len({sources.cities[city].country for city in contributing if city in sources.cities}),
        "contributions": len(shown),
        "recommendations": len(recommendations),
        "themes": sum(1 for chapter in chapters if chapter.contributions),
    }
    return Manual(
        root=sources.root, settings=sources.settings, chapters=chapters, cities=dict(sorted(sources.cities.items())),
        contributions=contributions, recommendations=dict(sorted(recommendations.items())),
        tags=tags,
        latest=sorted(shown, key=lambda c: (c.submitted, c.id), reverse=True)[:LATEST],
        figures=figures, build_date=build_date, preview=preview,
        members=members, translations=translations, fingerprints={c.id: fingerprint(c) for c in shown},
        version=version, editions=editions, tombstones=tombstones, record=current,
        changes=changelog(current, before[-1] if before else None) if before or version != LIVING else None,
    )


def _chapters_and_tags(themes, shown: list[Contribution]) -> tuple[list[Chapter], dict[str, list[Contribution]]]:
    chapters = []
    for theme in themes:
        in_chapter = sorted((c for c in shown if theme.id in c.themes),
                            key=lambda c: (c.themes.index(theme.id) > 0, c.city, c.id))
        chapters.append(Chapter(theme=theme, contributions=in_chapter,
                                recommendations=sorted((r for c in in_chapter for r in c.recommendations),
                                                       key=lambda r: r.id)))
    tags: dict[str, list[Contribution]] = {}
    for c in shown:
        for tag in c.tags:
            tags.setdefault(tag, []).append(c)
    return chapters, dict(sorted(tags.items()))


def localisation(manual: Manual, c: Contribution, lang: str) -> Localisation:
    """Tell how contribution `c` reads in `lang`: its own language, translated, outdated or missing."""
    if c.language == lang:
        return Localisation(ORIGINAL, c.language)
    tr = manual.translations.get(c.id, {}).get(lang)
    if tr is None:
        return Localisation(MISSING, c.language)
    fresh = tr.source_fingerprint == manual.fingerprints.get(c.id)
    return Localisation(TRANSLATED if fresh else OUTDATED, c.language, tr)


def in_one_language(manual: Manual) -> Manual:
    """Check that a renderer was given the manual in one language (localise), and return it."""
    if manual.language is None:
        raise ValueError("a renderer takes the manual as read in one language: merge.localise(manual, lang)")
    return manual


def localise(manual: Manual, lang: str) -> Manual:
    """Return the manual as a reader of `lang` sees it: each contribution in `lang` where it is translated
    (even if the translation is outdated), in its original language otherwise.

    The result has the same ids, order and structure; only texts and their languages change, and
    `localisations` tells for each contribution which case applies, and `originals` gives each as its
    city wrote it. Each view is computed once per manual (the site, the PDF and the DOCX share it);
    the view of `lang` is its own view.
    """
    if manual.language == lang:
        return manual
    if manual.language is not None:
        raise ValueError(f"this is the manual as read in '{manual.language}': localise the whole manual")
    views = manual.__dict__.setdefault("_views", {})  # (not a field: dataclasses.replace() starts afresh)
    if lang not in views:
        views[lang] = _localised(manual, lang)
    return views[lang]


def _localised(manual: Manual, lang: str) -> Manual:
    states = {cid: localisation(manual, c, lang) for cid, c in manual.contributions.items()}
    views = {cid: as_contribution(c, states[cid].translation) if states[cid].translation else c
             for cid, c in manual.contributions.items()}
    shown = list(views.values())
    chapters, tags = _chapters_and_tags([ch.theme for ch in manual.chapters], shown)
    latest = [views[c.id] for c in manual.latest]
    recommendations = {r.id: r for c in shown for r in c.recommendations}
    return dataclasses.replace(manual, contributions=views, chapters=chapters, tags=tags, latest=latest,
                               recommendations=dict(sorted(recommendations.items())), language=lang,
                               localisations=states, originals=manual.contributions)


def sources_date(sources: Sources) -> dt.date:
    """Return the newest date the sources mention: the default date of a build, so it is reproducible."""
    dates = [d for c in sources.contributions for d in (c.submitted, c.last_reviewed) if d]
    dates += [edition.released for edition in sources.editions]
    return max(dates, default=dt.date(2000, 1, 1))
