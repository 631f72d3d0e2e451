"""The manual's addresses, in one place: where each page is in the generated docs/, its address in the
built site, the relative links between pages, and the permanent addresses readers cite and reuse.

The site's layout: without editions, each language at /<lang>/; once an edition is released, the
living version at /<lang>/living/, each edition at /<lang>/<edition>/, /<lang>/latest/ leading to the
newest. A practice's permanent addresses never change: /<lang>/<edition>/contributions/<id>/ in an
edition, and the short /<lang>/contributions/<id>/, which always leads to the newest edition that
holds it (to the living version before its first release).
"""

from __future__ import annotations

import functools
import posixpath

from ..editions import LIVING, released
from ..model import Manual

def page_of(contribution_id: str) -> str:
    """Return the page of a contribution in docs/: its URL is /<lang>/contributions/<id>/."""
    return f"contributions/{contribution_id}/index.md"


def original_page_of(contribution_id: str) -> str:
    """Return the page of a translated contribution's original text: /<lang>/contributions/<id>/original/."""
    return f"contributions/{contribution_id}/original.md"


def is_versioned(manual: Manual) -> bool:
    """Tell whether the site of `manual` is laid out by version (<lang>/<version>/): an edition being
    released always is; the living version is once editions exist, except in the members' manual,
    which is one living version (the editions are public releases)."""
    return manual.version != LIVING or (bool(manual.editions) and not manual.members)


@functools.lru_cache(maxsize=65536)
def _relative(target: str, folder: str) -> str:
    """The relative path from `folder` to `target`, both relative to docs/ (no filesystem access)."""
    up = folder.split("/") if folder else []
    down = target.split("/")
    common = 0
    while common < min(len(up), len(down) - 1) and up[common] == down[common]:
        common += 1
    return "/".join([".."] * (len(up) - common) + down[common:])


def link(source: str, target: str, anchor: str = "") -> str:
    """Return the relative link from the page `source` to the page `target` (paths in docs/)."""
    path = _relative(target, posixpath.dirname(source))
    return path + (f"#{anchor}" if anchor else "")


def page_url(path: str) -> str:
    """The address, relative to the site's root, of the page `path` of docs/ (a/b.md → a/b/, a/index.md → a/)."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return (stem.removesuffix("index") if stem.endswith("/index") else stem + "/")


def url(source: str, target: str, anchor: str = "") -> str:
    """Return the relative address from the page `source` to the page `target` (paths in docs/), as the
    built site has it: what MkDocs makes of md.link(source, target) in Markdown, for links in HTML."""
    start, goal = page_url(source), page_url(target)
    relative = posixpath.relpath(goal or ".", start or ".") + "/"
    relative = "./" if relative == "./" else relative.removeprefix("./")
    return relative + (f"#{anchor}" if anchor else "")


# --- full addresses -------------------------------------------------------------------------------

def version_folder(manual: Manual) -> str:
    """The folder of the version built, inside a language's: 'living/', '2026/'…, or '' before any edition."""
    return f"{manual.version}/" if is_versioned(manual) else ""


def address(manual: Manual, lang: str, path: str = "", anchor: str = "") -> str:
    """The full address of a page of the version built: `path` is its address inside the version
    ('contributions/x/'; page_url() of its docs/ path)."""
    return f"{manual.settings.site_url}{lang}/{version_folder(manual)}{path}" + (f"#{anchor}" if anchor else "")


def short_address(site_url: str, lang: str, contribution_id: str, anchor: str = "") -> str:
    """The short address of a practice, the same in every version: /<lang>/contributions/<id>/."""
    return f"{site_url}{lang}/contributions/{contribution_id}/" + (f"#{anchor}" if anchor else "")


def permanent_address(manual: Manual, lang: str, contribution_id: str, anchor: str = "") -> str:
    """What readers cite and reuse of a practice or (with `anchor`) a recommendation: its page in the
    edition built, or, from the living version, the short address, which leads to its newest edition."""
    if manual.version == LIVING:
        return short_address(manual.settings.site_url, lang, contribution_id, anchor)
    return address(manual, lang, page_url(page_of(contribution_id)), anchor)


def newest_holders(manual: Manual, lang: str, present: set[str]) -> dict[str, str]:
    """Where the short address of each practice leads, as the version folder that shows it: the newest
    released edition that published it (among those whose site is `present` in `lang`), otherwise the
    living version, for every practice the living version shows or keeps a tombstone of."""
    holders = {cid: LIVING for cid in list(manual.contributions) + list(manual.tombstones)}
    for edition in released(manual.editions):  # oldest first: the newest wins
        if edition.name in present:
            holders.update(dict.fromkeys(edition.published, edition.name))
    return dict(sorted(holders.items()))


def contribution_in(url_path: str) -> str | None:
    """The id of the practice whose page (or whose original text) `url_path` is, if it is one."""
    parts = [part for part in url_path.split("/") if part]
    if "contributions" in parts[:-1]:
        return parts[parts.index("contributions") + 1]
    return None
