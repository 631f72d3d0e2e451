"""The website's layout around the versions MkDocs built: the released editions unpacked beside the
living version, `latest`, each language's version list, the short addresses of practices, and the
files a host and a reuser look for at the site's root (index, 404 page, robots.txt, sitemap index,
favicon).

Works on the built HTML, whichever renderer made it.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import shutil
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

from ..editions import CONSULTATION, LIVING, read_sums, released
from ..errors import BuildError
from ..i18n import language_name, t
from ..model import Manual
from . import urls


def assemble_versions(manual: Manual, root: Path, out: Path) -> None:
    """Add the released editions (and consultation drafts) beside the living version, with `latest`,
    the version list of each language and the short address of every practice."""
    editions = released(manual.editions)
    for lang in manual.settings.languages:
        versions = [{"version": LIVING, "title": t(lang, "version.living"), "aliases": []}]
        present = []
        for edition in reversed(manual.editions):
            archive = release_archive(root, edition.name, lang)
            if not archive.is_file():
                continue
            unpack(archive, out / lang / edition.name)
            present.append(edition.name)
            title = (t(lang, "version.consultation", edition=edition.name[:-len(CONSULTATION)])
                     if edition.draft else edition.name)
            aliases = ["latest"] if editions and edition.name == editions[-1].name else []
            versions.append({"version": edition.name, "title": title, "aliases": aliases})
        newest = next((e.name for e in reversed(editions) if e.name in present), None)
        if newest:
            _redirects(out / lang / newest, out / lang / "latest", f"../{newest}/", lang)
        (out / lang / "versions.json").write_text(json.dumps(versions, ensure_ascii=False, indent=1) + "\n",
                                                   encoding="utf-8")
        home = "latest/" if newest else f"{LIVING}/"
        redirect_page(out / lang / "index.html", home, lang, _title_of(out / lang / home / "index.html"))
        _short_addresses(manual, out, lang, set(present))


def release_archive(root: Path, edition: str, lang: str) -> Path:
    """Return the archive of an edition's website in one language: releases/<edition>/site-<lang>.tar.gz."""
    return root / "releases" / edition / f"site-{lang}.tar.gz"


def unpack(archive: Path, target: Path) -> None:
    """Unpack an edition's website, after checking it against the edition's checksums."""
    actual = hashlib.sha256(archive.read_bytes()).hexdigest()
    if read_sums(archive.parent).get(archive.name) != actual:
        raise BuildError(f"{archive} does not match releases/{archive.parent.name}/SHA256SUMS: a released edition "
                         "never changes; restore it from the repository's history "
                         f"(python build_manual.py release verify {archive.parent.name})")
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(target, filter="data")


def _short_addresses(manual: Manual, out: Path, lang: str, present: set[str]) -> None:
    """Write /<lang>/contributions/<id>/, the short address of every practice, leading to the newest
    edition that holds it (or to the living version): what exports and citations of the living
    version give, and what the first edition's exports gave."""
    for cid, version in urls.newest_holders(manual, lang, present).items():
        target = out / lang / version / "contributions" / cid / "index.html"
        if target.is_file():
            redirect_page(out / lang / "contributions" / cid / "index.html", f"../../{version}/contributions/{cid}/",
                          lang, _title_of(target),
                          canonical=urls.short_address(manual.settings.site_url, lang, cid).replace(
                              f"/contributions/{cid}/", f"/{version}/contributions/{cid}/"))


def _redirects(source: Path, alias: Path, prefix: str, lang: str) -> None:
    """Write, for every page of `source`, a page at the same place under `alias` that sends the reader there."""
    for page in sorted(source.rglob("*.html")):
        rel = page.relative_to(source)
        # A folder's index.html is reached as the folder (…/x/), any other page by its name.
        served = rel.parent.as_posix() + "/" if rel.name == "index.html" else rel.as_posix()
        target = "../" * (len(rel.parts) - 1) + prefix + served.removeprefix("./")
        redirect_page(alias / rel, target, lang, _title_of(page))
    if (source / "sitemap.xml").is_file():  # what the version selector reads to find the same page
        alias.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / "sitemap.xml", alias / "sitemap.xml")


_TITLE = re.compile(r"<title>(.*?)</title>", re.DOTALL)


def _title_of(page: Path) -> str:
    """The <title> of a built page, as written (already escaped), or '' if it has none. Only the page's
    beginning is read: the title is near the top of <head>, and the pages are many."""
    if not page.is_file():
        return ""
    with page.open("rb") as file:
        head = file.read(16_384).decode("utf-8", "ignore")
    found = _TITLE.search(head)
    return " ".join(found.group(1).split()) if found else ""


def redirect_page(path: Path, target: str, lang: str, title: str = "", *, canonical: str = "") -> None:
    """Write a page that sends the reader to `target` (relative), keeping the #anchor they asked for; it
    says where it leads, by the target's `title` (HTML, escaped), for readers whose browser doesn't follow."""
    path.parent.mkdir(parents=True, exist_ok=True)
    href = html.escape(target)
    name = title or href
    path.write_text(
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{name}</title>\n'
        f'<meta http-equiv="refresh" content="0; url={href}">\n'
        f'<link rel="canonical" href="{html.escape(canonical) if canonical else href}">\n'
        f'<script>location.replace({json.dumps(target)} + location.hash)</script>\n'
        f'</head>\n<body>\n<p><a href="{href}">{name}</a></p>\n</body>\n</html>\n', encoding="utf-8")


# --- the site's root ----------------------------------------------------------------------------

def write_root(out: Path, manual: Manual) -> None:
    """Write what the site's root holds besides the languages: the home page that leads to the default
    language, the 404 page that GitHub and GitLab Pages serve for every dead address, robots.txt, the
    sitemap index of every language and version, and /favicon.ico."""
    s = manual.settings
    lang = s.languages[0]
    title = html.escape(s.title)
    links = "\n".join(f'<li><a href="{other}/" hreflang="{other}" lang="{other}">'
                      f'{html.escape(language_name(other, other).capitalize())}</a></li>'
                      for other in s.languages)
    icon = _favicon(out, lang)
    (out / "index.html").write_text(
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">\n{icon}'
        f'<meta http-equiv="refresh" content="0; url={lang}/">\n<link rel="canonical" href="{lang}/">\n</head>\n'
        f'<body>\n<h1>{title}</h1>\n<ul>\n{links}\n</ul>\n</body>\n</html>\n', encoding="utf-8")
    _not_found(out, manual, icon)
    # Each language's sitemap, or each of its versions' (not latest/'s, a copy): two levels down at most.
    sitemaps = sorted(p.relative_to(out).as_posix() for pattern in ("*/sitemap.xml", "*/*/sitemap.xml")
                      for p in out.glob(pattern) if p.parent.name != "latest")
    (out / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        + "".join(f"  <sitemap><loc>{html.escape(s.site_url + path)}</loc></sitemap>\n" for path in sitemaps)
        + "</sitemapindex>\n", encoding="utf-8")
    (out / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\nSitemap: {s.site_url}sitemap.xml\n", encoding="utf-8")


def _not_found(out: Path, manual: Manual, icon: str) -> None:
    """/404.html: self-contained (a host serves it at any depth), in every language of the manual."""
    s = manual.settings
    lang = s.languages[0]
    base = html.escape(urlsplit(s.site_url).path or "/")  # (served at any depth: addresses from the root)
    icon = icon.replace('href="', f'href="{base}')
    parts = "\n".join(
        f'<section lang="{other}">\n'
        + (f'<p><strong>{html.escape(t(other, "members.banner"))}</strong></p>\n' if manual.members else "")
        + f'<h2>{html.escape(t(other, "notfound.title"))}</h2>\n'
        f'<p>{html.escape(t(other, "notfound.text"))}</p>\n'
        f'<p><a href="{base}{other}/" hreflang="{other}">'
        f'{html.escape(t(other, "notfound.home", title=s.title))}</a></p>\n</section>' for other in s.languages)
    (out / "404.html").write_text(
        f'<!doctype html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<title>{html.escape(t(lang, "notfound.title"))} – {html.escape(s.title)}</title>\n'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">\n'
        f'<meta name="robots" content="noindex">\n{icon}'
        f'</head>\n<body>\n<main>\n<h1>{html.escape(s.title)}</h1>\n{parts}\n</main>\n</body>\n</html>\n',
        encoding="utf-8")


def _favicon(out: Path, lang: str) -> str:
    """Write /favicon.ico from the theme's icon of the default language, which browsers ask for at the
    root; return the <link> for the root's own pages ('' if the theme has no PNG icon)."""
    from PIL import Image

    found = sorted(out.glob(f"{lang}/assets/images/favicon.png")) or sorted(
        out.glob(f"{lang}/{LIVING}/assets/images/favicon.png"))
    if not found:
        return ""
    with Image.open(found[0]) as image:
        buffer = io.BytesIO()
        image.save(buffer, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    (out / "favicon.ico").write_bytes(buffer.getvalue())
    return '<link rel="icon" href="favicon.ico">\n'
