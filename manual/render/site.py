"""Render the website: Manual → generated Markdown + one MkDocs config per language → MkDocs build.

Everything specific to MkDocs and Material is in this module and in shards.py (a large language built
by several MkDocs processes at once): moving the site to another generator (Zensical reads the same
mkdocs.yml) changes this stage and nothing else.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
import os
import re
import shutil
from pathlib import Path

import yaml

from ..editor import write_editor
from ..errors import BuildError
from ..i18n import country_name, evidence_label, format_date, language_name, strength_label, t
from ..editions import CONSULTATION, LIVING, released
from ..merge import in_one_language, localise
from ..parallel import run_jobs
from ..model import MISSING, ORIGINAL, OUTDATED, TRANSLATED, Contribution, Manual
from . import markdown as md
from . import urls
from . import shards
from ..svg import clean_svg
from .layout import assemble_versions, write_root
from .links import check_links
from .pictures import home_pictures
from .output import clean_stale, cleared_meanwhile, source_date, staged

log = logging.getLogger(__name__)


def build_site(manual: Manual, root: Path, site_dir: Path, src_dir: Path,
               downloads: dict[str, tuple[str, Path]] | None = None) -> None:
    """Build the website of every language of the manual into `site_dir`, atomically.

    `downloads` maps a language to the (name, file) of its PDF, which the home page offers.
    Once the manual has editions (releases/), the site is versioned: each language has the living
    version at <lang>/living/, each edition at <lang>/<edition>/ (unpacked, byte for byte, from what
    its release archived), <lang>/latest/ pointing at the newest edition, and Material's version
    selector reading <lang>/versions.json. Without editions each language is at <lang>/.
    """
    clean_stale(site_dir.parent, site_dir.name)
    clean_stale(src_dir.parent, src_dir.name)
    versioned = urls.is_versioned(manual)
    with cleared_meanwhile(src_dir), staged(src_dir) as src, staged(site_dir) as out:
        build_version(manual, root, out, src, downloads)
        # Every internal link and #anchor of what this build generated must land (released editions
        # were checked when they were built, and never change).
        dead = check_links(out, os.cpu_count() or 1)
        if dead:
            raise BuildError(f"{len(dead)} dead link(s) in the website, so nothing in {site_dir} changed:\n"
                             + "\n".join(f"  {message}" for message in dead))
        if versioned:
            assemble_versions(manual, root, out)
        write_root(out, manual)
        write_editor(manual, root, out)


def build_version(manual: Manual, root: Path, out: Path, src: Path,
                  downloads: dict[str, tuple[str, Path]] | None = None) -> dict[str, Path]:
    """Build the version `manual.version` in every language into out/<lang>/[<version>/]; return the folders."""
    versioned = urls.is_versioned(manual)
    languages = manual.settings.languages
    targets = {lang: out / lang / manual.version if versioned else out / lang for lang in languages}
    # The cores left for each language, once each language has one, build parts of its pages.
    cores = max(1, (os.cpu_count() or 1) // len(languages))
    # (each language's view is made here, before the languages' processes start, and shared by them)
    jobs = {lang: (localise(manual, lang), root, src / lang, (downloads or {}).get(lang), versioned, targets[lang],
                   cores) for lang in languages}
    run_jobs(_build_language, jobs)
    return targets


def _build_language(view: Manual, root: Path, folder: Path, download: tuple[str, Path] | None,
                    versioned: bool, target: Path, cores: int = 1) -> None:
    """One language's site: its generated Markdown, then MkDocs (in `cores` processes for a large manual)."""
    config = write_sources(view, root, folder, download, versioned=versioned, cores=cores)
    pages = len(view.contributions) + len(view.tombstones)
    run_mkdocs_sharded(config, target, view.build_date, cores if pages >= shards.MIN_CONTRIBUTIONS else 1)


# The search entries of the contribution pages (Pages.search), beside each language's mkdocs.yml.
SEARCH_ENTRIES = "search-entries.json"


def run_mkdocs_sharded(config_file: Path, site_dir: Path, build_date: dt.date, count: int = 1) -> None:
    """Build one language's site with `count` MkDocs processes at once (see shards.py; the same site as
    with one), and add the contribution pages' search entries to its search index."""
    docs = config_file.parent / "docs"
    entries_file = config_file.parent / SEARCH_ENTRIES
    entries = json.loads(entries_file.read_text(encoding="utf-8")) if entries_file.is_file() else {}
    order = shards.page_order(docs)  # the order of a single build, which every index keeps
    if count <= 1:
        run_mkdocs(config_file, site_dir, build_date)
        shards.add_search_entries(site_dir, entries, order)
        return
    configs = shards.write_configs(config_file, shards.plan(docs, count))
    parts = [site_dir] + [config_file.parent / f"site.shard-{i}" for i in range(1, count)]
    try:
        run_jobs(_run_shard, {str(i): (configs[i], parts[i], build_date, entries, order) for i in range(count)})
        site_url = yaml.safe_load(config_file.read_text(encoding="utf-8"))["site_url"]
        shards.merge(parts, site_dir, order, site_url)
    finally:
        for part in parts[1:]:
            shutil.rmtree(part, ignore_errors=True)


def write_sources(manual: Manual, root: Path, folder: Path, download: tuple[str, Path] | None = None, *,
                  versioned: bool = False, cores: int = 1) -> Path:
    """Write the generated Markdown pages and the MkDocs config of the manual as read in one language
    (merge.localise); return the config.

    Contributors' Markdown is rendered first, in `cores` processes."""
    lang = in_one_language(manual).language
    views = (manual.originals.values(), manual.contributions.values())
    md.prerender([c.body for view in views for c in view],
                 [r.text for view in views for c in view for r in c.recommendations], cores)
    docs = folder / "docs"
    editorial = _editorial_pages(root, lang, manual.settings.languages[0], folder / "editorial")
    shutil.copytree(editorial, docs, ignore=shutil.ignore_patterns("index.md", "themes"))
    if download:
        (docs / "downloads").mkdir(exist_ok=True)
        shutil.copyfile(download[1], docs / "downloads" / download[0])
    pages = Pages(manual, lang, editorial, download[0] if download else None, originals=manual.originals)
    for path, content in pages.all():
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (folder / SEARCH_ENTRIES).write_text(json.dumps(pages.search, ensure_ascii=False, separators=(",", ":")),
                                         encoding="utf-8")
    for shown in (manual.originals, manual.contributions):
        for c in shown.values():
            for image in c.images + c.attachments:
                target = docs / urls.page_of(c.id).rsplit("/", 1)[0] / image.source
                if not target.exists():
                    _publish_file(root / c.folder / image.source, target)
    # The original text's page (…/<id>/original/) shows the original's images, linked relative to it.
    for cid, c in manual.originals.items():
        if manual.translations.get(cid):
            for image in c.images + c.attachments:
                _publish_file(root / c.folder / image.source, docs / urls.original_page_of(cid).removesuffix(".md")
                              / image.source)
    config = folder / "mkdocs.yml"
    config.write_text(yaml.safe_dump(_config(manual, root, lang, pages.nav(), versioned), allow_unicode=True,
                                     sort_keys=False),
                      encoding="utf-8")
    return config


def _publish_file(source: Path, target: Path) -> None:
    """Copy a contribution's image or attachment into the site; an SVG as the drawing check read in it
    (svg.clean_svg), so that nothing but that drawing reaches a reader who opens it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix.lower() == ".svg":
        target.write_bytes(clean_svg(source.read_bytes()))
    else:
        shutil.copyfile(source, target)


def _editorial_pages(root: Path, lang: str, default: str, target: Path) -> Path:
    """Gather the editorial pages of `lang` (docs/<lang>/) into `target`.

    A page the language does not have yet is taken from the default language, marked with that
    language, so that every language has the same pages and the switcher always finds its page.
    """
    own, fallback = root / "docs" / lang, root / "docs" / default
    target.mkdir(parents=True, exist_ok=True)
    names = {p.relative_to(base).as_posix() for base in (own, fallback) if base.is_dir()
             for p in base.rglob("*") if p.is_file()}
    for name in sorted(names):
        out = target / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if (own / name).is_file():
            shutil.copyfile(own / name, out)
        elif name.endswith(".md"):
            text = (fallback / name).read_text(encoding="utf-8")
            out.write_text(f'<div lang="{default}" markdown>\n\n{text.strip()}\n\n</div>\n', encoding="utf-8")
        else:
            shutil.copyfile(fallback / name, out)
    return target


def _escaped_titles(nav: list) -> list:
    """The navigation with its titles HTML-escaped, at every level."""
    return [{md.attribute(title): _escaped_titles(target) if isinstance(target, list) else target
             for title, target in item.items()} for item in nav]


def _config(manual: Manual, root: Path, lang: str, nav: list, versioned: bool = False) -> dict:
    s = manual.settings
    version = f"{manual.version}/" if versioned else ""
    # The theme writes the site's name and its footer as they are: they are escaped here.
    config = {
        "INHERIT": str(root / "mkdocs.yml"),
        "site_name": md.attribute(f"{s.title}: {s.subtitle.get(lang, s.subtitle.get('en', ''))}".rstrip(": ")),
        "site_url": f"{s.site_url}{lang}/{version}",
        "docs_dir": "docs",
        "copyright": md.attribute(t(lang, "footer.licence_living" if manual.version == LIVING else "footer.licence",
                                    title=s.title, edition=s.edition, licence=s.licence)),
        "theme": {"language": lang},
        "plugins": {"search": {"lang": [lang]}},
        "nav": nav,
        "extra": {
            "generator": False,
            "members_banner": md.attribute(t(lang, "members.banner")) if manual.members else "",
            # The language switcher (overrides/partials/alternate.html links each page to the same page
            # in the other languages; every language has the same pages).
            "alternate": [{"name": md.attribute(language_name(other, other).capitalize()),
                           "link": f"../../{other}/{version}" if versioned else f"../{other}/",
                           "lang": other} for other in s.languages] if len(s.languages) > 1 else [],
            "version_banner": md.attribute(_version_banner(manual, lang)),
        },
    }
    if versioned:
        # Material's version selector: it reads ../versions.json and keeps the reader on the same page.
        config["extra"]["version"] = {"provider": "mike", "default": "latest", "alias": True}
    overrides = root / "overrides"
    if overrides.is_dir():
        config["theme"]["custom_dir"] = str(overrides)
    return config


def _version_banner(manual: Manual, lang: str) -> str:
    """The banner of a version that is not a released edition: the living version, or a consultation draft."""
    editions = released(manual.editions)
    if manual.version == LIVING:
        if not editions:
            return ""
        latest = editions[-1]
        return t(lang, "version.living_banner", edition=latest.name)
    if manual.version.endswith(CONSULTATION):
        return t(lang, "version.consultation_banner", edition=manual.version[:-len(CONSULTATION)])
    return ""


def refresh_search_index(site_dir: Path, before: str, changed: list[str], src: Path) -> None:
    """After a dirty MkDocs build (the live preview's) of the files `changed` (paths in `src`), put back
    in the search index the entries of the pages it did not rebuild: it wrote only those it rebuilt.
    `before` is the index as it was; the contribution pages' entries come from search-entries.json."""
    path = site_dir / "search" / "search_index.json"
    if not path.is_file():
        return
    rebuilt = {urls.page_url(name.removeprefix("docs/")) for name in changed
            if name.startswith("docs/") and name.endswith(".md")}
    entries_file = src / SEARCH_ENTRIES
    entries = json.loads(entries_file.read_text(encoding="utf-8")) if entries_file.is_file() else {}
    old, new = json.loads(before), json.loads(path.read_text(encoding="utf-8"))
    docs = [entry for entry in old["docs"] if entry["location"].split("#", 1)[0] not in rebuilt]
    docs += [entry for entry in new["docs"] if entry["location"].split("#", 1)[0] in rebuilt]
    docs += [entry for url in sorted(rebuilt) for entry in entries.get(url, [])]
    shards.write_search_index(path, new["config"], docs, shards.page_order(src / "docs"))


def _not_about_other_shards(record: logging.LogRecord) -> bool:
    return "excluded from the built site" not in record.getMessage()


def _run_shard(config_file: Path, site_dir: Path, build_date: dt.date, entries: dict[str, list[dict]],
               order: dict[str, int]) -> None:
    """One shard's MkDocs, without its notes (shown with -v) about the pages the other shards render, then
    the search entries of the pages it rendered."""
    loggers = [logging.getLogger(name) for name in ("mkdocs.structure.pages", "mkdocs.structure.nav")]
    for logger in loggers:
        logger.addFilter(_not_about_other_shards)
    try:
        run_mkdocs(config_file, site_dir, build_date)
        shards.add_search_entries(site_dir, entries, order)
    finally:
        for logger in loggers:
            logger.removeFilter(_not_about_other_shards)


class _MkDocsLog(logging.Handler):
    """Keep MkDocs' warnings, to report them if the strict build fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_mkdocs(config_file: Path, site_dir: Path, build_date: dt.date) -> None:
    """Build one language's site with MkDocs, in this process."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    handler = _MkDocsLog()
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    try:
        with source_date(build_date):
            build(load_config(config_file=str(config_file), site_dir=str(site_dir)))
    except (MkDocsException, SystemExit) as exc:
        details = "\n".join(f"  {m}" for m in handler.messages)
        raise BuildError(f"the website of '{config_file.parent.name}' could not be built: {exc}\n{details}".rstrip())
    finally:
        mkdocs_log.removeHandler(handler)


# What Material's search keeps of a section's HTML (its other tags are dropped, their text kept).
_SEARCH_TAGS = {"p", "code", "pre", "li", "ol", "ul", "sub", "sup"}
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")


def search_entries(url: str, sections: tuple[tuple[str, str], ...]) -> list[dict]:
    """The search entries of a page, in Material's format, from its (heading, HTML) sections; the first
    is the page's title and what comes before the first heading.

    The anchors are those MkDocs gives the headings: Python-Markdown's toc, with its default slugify,
    on a page whose only ids are its headings' (tests/test_build_site.py checks every one lands).
    """
    from markdown.extensions.toc import slugify, unique

    used: set[str] = set()
    counters: dict[str, int] = {}
    entries = []
    for index, (title, text) in enumerate(sections):
        anchor = unique(slugify(" ".join(title.split()), "-"), used, counters)
        text = _HTML_TAG.sub(lambda m: f"<{m.group(1)}{m.group(2).lower()}>" if m.group(2).lower() in _SEARCH_TAGS
                             else "", text)
        entries.append({"location": url if index == 0 else f"{url}#{anchor}",
                        "title": html.escape(" ".join(title.split()), quote=False), "text": " ".join(text.split())})
    return entries


class Pages:
    """The generated pages of one language, as (path in docs/, Markdown) pairs."""

    def __init__(self, manual: Manual, lang: str, editorial: Path, download: str | None = None,
                 originals: dict[str, Contribution] | None = None):
        self.m = manual  # the manual as read in `lang` (merge.localise)
        self.lang = lang
        self.editorial = editorial
        self.download = download
        self.originals = originals or manual.contributions
        # The search entries of the contribution pages, by page address (see search_entries()).
        self.search: dict[str, list[dict]] = {}

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def all(self) -> list[tuple[str, str]]:
        pages = [("index.md", self.home()), ("recommendations.md", self.recommendations()),
                 ("cities/index.md", self.cities()), ("tags/index.md", self.tags())]
        pages += [(f"themes/{ch.theme.id}.md", self.chapter(ch)) for ch in self.m.chapters]
        pages += [(f"cities/{city_id}.md", self.city(city_id)) for city_id in self.m.cities]
        pages += [(f"tags/{tag}.md", self.tag(tag)) for tag in self.m.tags]
        pages += [(urls.page_of(c.id), self.contribution(c)) for c in self.m.contributions.values()]
        # The original text of every translated contribution, in every language (so that the same
        # pages exist in all languages).
        pages += [(urls.original_page_of(cid), self.original(self.originals[cid]))
                  for cid in self.m.contributions if self.m.translations.get(cid)]
        pages.append(("translations.md", self.translations()))
        pages.append(("whats-new.md", self.whats_new()))
        pages += [(urls.page_of(cid), self.tombstone(entry)) for cid, entry in self.m.tombstones.items()]
        return pages

    def nav(self) -> list:
        """The navigation: chapters and indexes, their titles escaped (themes write them as they are)."""
        return _escaped_titles(self._nav())

    def _nav(self) -> list:
        nav: list = [{self.t("nav.home"): "index.md"}]
        nav.append({self.t("nav.themes"): [{self.t("chapter.title", number=ch.theme.number,
                                                   name=ch.theme.name(self.lang)): f"themes/{ch.theme.id}.md"}
                                           for ch in self.m.chapters]})
        nav.append({self.t("nav.recommendations"): "recommendations.md"})
        nav.append({self.t("nav.cities"): "cities/index.md"})
        nav.append({self.t("nav.tags"): "tags/index.md"})
        nav.append({self.t("nav.whatsnew"): "whats-new.md"})
        nav.append({self.t("nav.translations"): "translations.md"})
        for name, key in (("about.md", "nav.about"), ("contribute.md", "nav.contribute")):
            if (self.editorial / name).is_file():
                nav.append({self.t(key): name})
        return nav

    # --- helpers ---------------------------------------------------------------------------

    def _editorial(self, name: str) -> str:
        path = self.editorial / name
        return path.read_text(encoding="utf-8").strip() + "\n\n" if path.is_file() else ""

    def _lang_attr(self, c: Contribution) -> str:
        return "" if c.language == self.lang else f' lang="{c.language}"'

    def _rec_lang_attr(self, c: Contribution, r) -> str:
        language = r.language or c.language
        return "" if language == self.lang else f' lang="{language}"'

    def _language_name(self, code: str) -> str:
        return md.text(language_name(code, self.lang))

    def _title_link(self, source: str, c: Contribution) -> str:
        lang = f"{{: lang=\"{c.language}\" }}" if c.language != self.lang else ""
        return f"[{md.text(c.title)}]({urls.link(source, urls.page_of(c.id))}){lang}"

    def _city(self, source: str, city_id: str, *, as_html: bool = False) -> str:
        """The city linked to its page, and its country, in Markdown (or HTML)."""
        city = self.m.cities.get(city_id)
        escape = html.escape if as_html else md.text
        if city is None:
            return escape(city_id)
        name, country = escape(city.display_name(self.lang)), escape(country_name(city.country, self.lang))
        if as_html:
            return f'<a href="{html.escape(urls.url(source, f"cities/{city_id}.md"))}">{name}</a> ({country})'
        return f"[{name}]({urls.link(source, f'cities/{city_id}.md')}) ({country})"

    def _city_name(self, city_id: str) -> str:
        city = self.m.cities.get(city_id)
        return md.text(city.display_name(self.lang) if city else city_id)

    def _summary_line(self, source: str, c: Contribution) -> str:
        return " · ".join([self._city(source, c.city), self.t(f"type.{c.type}"), format_date(c.submitted, self.lang)])

    def _list_item(self, source: str, c: Contribution) -> str:
        return f"- {self._title_link(source, c)}{self._badge(c.id)}: {self._summary_line(source, c)}"

    def _change(self, item_id: str, *, recommendation: bool = False) -> str | None:
        """Return 'added' or 'updated' for what changed since the previous edition (none in a first one)."""
        changes = self.m.changes
        if changes is None or changes.previous is None:
            return None
        kind = changes.recommendation_kind(item_id) if recommendation else changes.contribution_kind(item_id)
        return kind if kind in ("added", "updated") else None

    def _badge(self, item_id: str, *, recommendation: bool = False) -> str:
        kind = self._change(item_id, recommendation=recommendation)
        if kind is None:
            return ""
        return f' <span class="continuum-badge continuum-badge-{kind}">{html.escape(self.t(f"badge.{kind}"))}</span>'

    def _version_name(self) -> str:
        if self.m.version == LIVING:
            return self.t("cite.living", date=format_date(self.m.build_date, self.lang))
        return self.t("cite.edition", edition=self.m.version)

    def _citation(self, text: str) -> str:
        """A citation in a code block: Material's copy button copies it in one click."""
        return f'<pre class="continuum-cite"><code>{html.escape(text)}</code></pre>\n\n'

    def _evidence(self, evidence: str | None) -> str:
        return evidence_label(self.lang, evidence)

    def _strength(self, strength: str | None) -> str:
        return strength_label(self.lang, strength)

    def _rec_table(self, source: str, recommendations, *, with_theme: bool = False) -> str:
        head = [self.t("table.id"), self.t("table.recommendation"), self.t("table.strength"),
                self.t("table.evidence"), self.t("table.city")]
        if with_theme:
            head.append(self.t("table.theme"))
        # An HTML table, as Python-Markdown would write the same table in Markdown: on the pages that list
        # thousands of recommendations, MkDocs then has nothing to parse (links are final addresses).
        escape = html.escape
        rows = ["<table>", "<thead>", "<tr>", *(f"<th>{escape(cell)}</th>" for cell in head), "</tr>", "</thead>",
                "<tbody>"]
        for r in recommendations:
            c = self.m.contributions[r.contribution_id]
            city = self.m.cities.get(c.city)
            row = [f'<a href="{escape(urls.url(source, urls.page_of(c.id), r.id))}">{r.id}</a>'
                   f"{self._badge(r.id, recommendation=True)}",
                   f"<span{self._rec_lang_attr(c, r)}>{md.safe_inline(r.text)}</span>",
                   escape(self._strength(r.strength)), escape(self._evidence(c.evidence)),
                   escape(city.display_name(self.lang) if city else c.city)]
            if with_theme:
                theme = self.m.theme(c.themes[0])
                row.append(f'<a href="{escape(urls.url(source, f"themes/{theme.id}.md"))}">'
                           f"{escape(theme.name(self.lang))}</a>")
            rows += ["<tr>", *(f"<td>{cell}</td>" for cell in row), "</tr>"]
        return "\n".join(rows + ["</tbody>", "</table>"]) + "\n\n"

    # --- pages -----------------------------------------------------------------------------

    def home(self) -> str:
        src = "index.md"
        out = md.front_matter(title=self.m.settings.title)
        out += self._editorial("index.md") or f"# {md.text(self.m.settings.title)}\n\n"
        out += f"## {self.t('home.figures')}\n\n<div class=\"continuum-figures\" markdown>\n\n"
        for key in ("cities", "countries", "contributions", "recommendations", "themes"):
            out += f"- **{self.m.figures[key]}** {self.t(f'home.figure.{key}')}\n"
        out += "\n</div>\n\n"
        # The map of the contributing cities and the charts: inline SVG with text alternatives, no script.
        out += home_pictures(self.m, self.lang, lambda city_id: f"cities/{city_id}/") + "\n"
        if self.download:
            out += f"[{self.t('home.download')}](downloads/{self.download}){{ .md-button }}\n\n"
        out += f"## {self.t('home.chapters')}\n\n"
        for ch in self.m.chapters:
            out += (f"{ch.theme.number}. [{md.text(ch.theme.name(self.lang))}]({urls.link(src, f'themes/{ch.theme.id}.md')})"
                    f" ({len(ch.contributions)})\n")
        out += f"\n## {self.t('home.latest')}\n\n"
        out += "\n".join(self._list_item(src, c) for c in self.m.latest) + "\n"
        return out

    def chapter(self, chapter) -> str:
        src = f"themes/{chapter.theme.id}.md"
        title = self.t("chapter.title", number=chapter.theme.number, name=chapter.theme.name(self.lang))
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        out += self._editorial(f"themes/{chapter.theme.id}.md")
        out += f"## {self.t('chapter.recommendations')}\n\n"
        out += self._rec_table(src, chapter.recommendations) if chapter.recommendations else \
            self.t("chapter.no_recommendations") + "\n\n"
        out += f"## {self.t('chapter.contributions')}\n\n"
        if not chapter.contributions:
            out += self.t("chapter.no_contributions") + "\n"
        for c in chapter.contributions:
            out += f"### {self._title_link(src, c)}\n\n{self._summary_line(src, c)}\n\n"
            out += f"<p{self._lang_attr(c)}>{html.escape(c.summary)}</p>\n\n"
        return out

    def contribution(self, c: Contribution) -> str:
        src = urls.page_of(c.id)
        # Material's search leaves this page out: its entries are written from the data (search_entries).
        out = md.front_matter(title=c.title, description=c.summary, search={"exclude": True})
        heading_lang = f" {{: lang=\"{c.language}\" }}" if c.language != self.lang else ""
        out += f"# {md.text(c.title)}{heading_lang}\n\n"
        if c.sensitivity == "restricted":
            out += f"!!! danger \"{self.t('members.restricted')}\"\n\n"
        if c.status != "approved":
            out += f"!!! warning \"{self.t('contribution.draft_banner', status=self.t(f'status.{c.status}'))}\"\n\n"
        out += self._translation_notice(src, c)
        if c.review_by and c.review_by < self.m.build_date:
            out += f"!!! warning \"\"\n\n    {md.text(self.t('review.due', date=format_date(c.review_by, self.lang)))}\n\n"
        # The facts and the recommendations are written as HTML, not Markdown: MkDocs then has nothing to
        # parse in them, which on thousands of pages is much of a build. Their links are the final
        # addresses (MkDocs rewrites Markdown links only); every one is checked after the build.
        escape = html.escape
        facts = [
            (self.t("contribution.id"), f"<code>{escape(c.id)}</code>"),
            (self.t("contribution.city"), self._city(src, c.city, as_html=True)),
            (self.t("contribution.type"), escape(self.t(f"type.{c.type}"))),
            (self.t("contribution.themes"), ", ".join(
                f'<a href="{escape(urls.url(src, f"themes/{th}.md"))}">{escape(self.m.theme(th).name(self.lang))}</a>'
                for th in c.themes)),
            (self.t("contribution.evidence"), escape(self._evidence(c.evidence))),
            (self.t("contribution.submitted"), escape(format_date(c.submitted, self.lang))),
        ]
        if c.last_reviewed:
            facts.append((self.t("contribution.last_reviewed"), escape(format_date(c.last_reviewed, self.lang))))
        if c.review_by:
            facts.append((self.t("contribution.review_by"), escape(format_date(c.review_by, self.lang))))
        state = self.m.localisations.get(c.id)
        if state and state.translation:
            language = self.t("translation.language", language=language_name(c.language, self.lang),
                              original=language_name(state.original_language, self.lang))
        else:
            language = language_name(c.language, self.lang)
        label = "contribution.translated_language" if state and state.translation else "contribution.language"
        facts.append((self.t(label), escape(language)))
        change = self._change(c.id)
        if change:
            facts.append((self.t("contribution.change"), self._badge(c.id).strip()))
        out += "<div class=\"continuum-meta\">\n<ul>\n"
        out += "\n".join(f"<li><strong>{escape(label)}:</strong> {value}</li>" for label, value in facts)
        out += "\n</ul>\n</div>\n\n"
        out += f"<p class=\"continuum-summary\"{self._lang_attr(c)}><em>{html.escape(c.summary)}</em></p>\n\n"
        # The page's sections as the search has them: (heading, HTML); the first is the title's.
        sections = [(c.title, "<ul>" + "".join(f"<li>{escape(label)}: {value}</li>" for label, value in facts)
                     + f"</ul><p>{escape(c.summary)}</p>")]
        if c.recommendations:
            out += f"## {self.t('contribution.recommendations')}\n\n"
            sections.append((self.t("contribution.recommendations"), "".join(
                f"<p>{r.id} · {escape(self.t('table.strength'))}: {escape(self._strength(r.strength))}</p>"
                f"{md.safe_html(r.text)}" for r in c.recommendations)))
            for r in c.recommendations:
                cite = self.t("cite.recommendation", publisher=self.m.settings.publisher, title=self._manual_title(),
                              version=self._version_name(), id=r.id,
                              url=urls.permanent_address(self.m, self.lang, c.id, r.id))
                out += (f"<div class=\"continuum-rec\" id=\"{r.id}\">\n\n"
                        f"<p class=\"continuum-rec-id\">{r.id} · {self.t('table.strength')}: "
                        f"{html.escape(self._strength(r.strength))}{self._badge(r.id, recommendation=True)}</p>\n\n"
                        f"<div{self._rec_lang_attr(c, r)}>\n{md.safe_html(r.text)}\n</div>\n\n"
                        f"{self._citation(cite)}</div>\n\n")
        parts = md.sections(c.body)
        out += f"<div class=\"continuum-body\"{self._lang_attr(c)} markdown>\n\n{md.safe_body(c.body, parts)}\n\n</div>\n\n"
        for level, title, content in parts:
            text = md.safe_html(content) if content else ""
            if title:
                sections.append((title, text))
            else:  # text before the first heading: the end of the section before
                sections[-1] = (sections[-1][0], sections[-1][1] + text)
        if c.related:
            out += f"## {self.t('contribution.related')}\n\n"
            out += "\n".join(self._list_item(src, self.m.contributions[r]) for r in c.related) + "\n\n"
            sections.append((self.t("contribution.related"), "<ul>" + "".join(
                f"<li>{escape(self.m.contributions[r].title)}</li>" for r in c.related) + "</ul>"))
        if c.supersedes:
            out += f"## {self.t('contribution.supersedes')}\n\n"
            sections.append((self.t("contribution.supersedes"), "<ul>" + "".join(
                f"<li>{escape(self.m.contributions[old].title if old in self.m.contributions else self.m.tombstones[old].title)}"
                "</li>" for old in c.supersedes) + "</ul>"))
            items = []
            for old in c.supersedes:
                if old in self.m.contributions:
                    items.append(self._list_item(src, self.m.contributions[old]))
                else:  # released before, now a tombstone
                    entry = self.m.tombstones[old]
                    items.append(f"- [{md.text(entry.title)}]({urls.link(src, urls.page_of(old))}) (`{old}`)")
            out += "\n".join(items) + "\n\n"
        if c.events:
            out += f"## {self.t('contribution.events')}\n\n"
            out += "\n".join(f"- {md.text(e['name'])}" + (f" ({e['year']})" if "year" in e else "")
                             for e in c.events) + "\n\n"
            sections.append((self.t("contribution.events"), "<ul>" + "".join(
                f"<li>{escape(e['name'])}" + (f" ({e['year']})" if "year" in e else "") + "</li>" for e in c.events)
                + "</ul>"))
        if c.contacts:
            out += f"## {self.t('contribution.contacts')}\n\n"
            sections.append((self.t("contribution.contacts"), "<ul>" + "".join(
                f"<li>{escape(contact['role'])}, {escape(contact['organisation'])}</li>" for contact in c.contacts)
                + "</ul>"))
            for contact in c.contacts:
                line = f"- {md.text(contact['role'])}, {md.text(contact['organisation'])}"
                if "email" in contact:
                    line += f" <{contact['email']}>"
                out += line + "\n"
            out += "\n"
        if c.tags:
            out += f"## {self.t('contribution.tags')}\n\n"
            out += ", ".join(f"[{md.text(tag)}]({urls.link(src, f'tags/{tag}.md')})" for tag in c.tags) + "\n\n"
            sections.append((self.t("contribution.tags"), f"<p>{escape(', '.join(c.tags))}</p>"))
        out += f"## {self.t('cite.title')}\n\n"
        citation = self.t("cite.practice", publisher=self.m.settings.publisher, title=self._manual_title(),
                          version=self._version_name(), contribution=c.title, id=c.id,
                          url=urls.permanent_address(self.m, self.lang, c.id))
        out += self._citation(citation)
        sections.append((self.t("cite.title"), f"<pre><code>{escape(citation)}</code></pre>"))
        self.search[urls.page_url(src)] = search_entries(urls.page_url(src), tuple(sections))
        return out

    def _manual_title(self) -> str:
        s = self.m.settings
        subtitle = s.subtitle.get(self.lang, s.subtitle.get("en", ""))
        return f"{s.title}: {subtitle}" if subtitle else s.title

    def tombstone(self, entry) -> str:
        """The page a withdrawn or superseded contribution keeps, so that links and citations still land."""
        src = urls.page_of(entry.id)
        out = md.front_matter(title=entry.title)
        heading_lang = f" {{: lang=\"{entry.language}\" }}" if entry.language != self.lang else ""
        out += f"# {md.text(entry.title)}{heading_lang}\n\n"
        if entry.state == "superseded" and entry.superseded_by in self.m.contributions:
            successor = self.m.contributions[entry.superseded_by]
            link = f"[{md.text(successor.title)}]({urls.link(src, urls.page_of(successor.id))})"
            before, _, after = self.t("tombstone.superseded", edition=entry.since, successor="\0").partition("\0")
            out += f"!!! note \"\"\n\n    {md.text(before)}{link}{md.text(after)}\n\n"
        else:
            out += f"!!! note \"\"\n\n    {md.text(self.t('tombstone.withdrawn', edition=entry.since))}\n\n"
        out += f"`{entry.id}` · {self.t('tombstone.city', city=self._city(src, entry.city))}\n"
        return out

    def whats_new(self) -> str:
        """What changed in this version: per theme, new and updated recommendations; what was withdrawn."""
        src = "whats-new.md"
        changes = self.m.changes
        editions = released(self.m.editions)
        if self.m.version != LIVING:
            title = self.t("whatsnew.title_edition", edition=self.m.version)
        elif editions:
            title = self.t("whatsnew.title_living", edition=editions[-1].name)
        else:
            title = self.t("whatsnew.title_none")
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        if changes is None:
            return out + self.t("whatsnew.none_released") + "\n"
        gone = [e for e in self.m.tombstones.values() if e.since == changes.current]
        if changes.previous is None:
            out += self.t("whatsnew.first", edition=self.m.version, contributions=self.m.figures["contributions"],
                          recommendations=self.m.figures["recommendations"]) + "\n\n"
        else:
            out += self.t("whatsnew.intro", previous=changes.previous, added=len(changes.of("added")),
                          updated=len(changes.of("updated")), gone=len(gone)) + "\n\n"
        if changes.previous is not None:
            touched = [self.m.contributions[ch.id] for ch in changes.contributions
                       if ch.kind in ("added", "updated") and ch.id in self.m.contributions]
            out += f"## {self.t('whatsnew.contributions')} ({len(touched)})\n\n"
            out += ("\n".join(self._list_item(src, c) for c in touched) if touched
                    else self.t("whatsnew.nothing")) + "\n\n"
        for kind, key in (("added", "whatsnew.added"), ("updated", "whatsnew.updated")):
            if changes.previous is None and kind == "updated":
                continue
            items = [self.m.recommendations[ch.id] for ch in changes.of(kind) if ch.id in self.m.recommendations]
            out += f"## {self.t(key)} ({len(items)})\n\n"
            if not items:
                out += self.t("whatsnew.nothing") + "\n\n"
            for chapter in self.m.chapters:
                in_theme = [r for r in items if self.m.contributions[r.contribution_id].themes[0] == chapter.theme.id]
                if not in_theme:
                    continue
                out += (f"### [{md.text(chapter.theme.name(self.lang))}]"
                        f"({urls.link(src, f'themes/{chapter.theme.id}.md')})\n\n")
                for r in in_theme:
                    c = self.m.contributions[r.contribution_id]
                    out += (f"- [{r.id}]({urls.link(src, urls.page_of(c.id), r.id)}): "
                            f"<span{self._rec_lang_attr(c, r)}>{md.safe_inline(r.text)}</span>\n")
                out += "\n"
        if changes.previous is not None:
            out += f"## {self.t('whatsnew.gone')} ({len(gone)})\n\n"
            if not gone:
                out += self.t("whatsnew.nothing") + "\n\n"
            for entry in gone:
                if entry.state == "superseded" and entry.superseded_by in self.m.contributions:
                    successor = f"[{entry.superseded_by}]({urls.link(src, urls.page_of(entry.superseded_by))})"
                    before, _, after = self.t("whatsnew.superseded_in", successor="\0",
                                              edition=entry.since).partition("\0")
                    what = f"{md.text(before)}{successor}{md.text(after)}"
                else:
                    what = md.text(self.t("whatsnew.withdrawn_in", edition=entry.since))
                out += f"- [{md.text(entry.title)}]({urls.link(src, urls.page_of(entry.id))}) (`{entry.id}`): {what}\n"
            out += "\n"
        return out

    def _translation_notice(self, src: str, c: Contribution) -> str:
        """Say how the page's text relates to the original: translated, perhaps outdated, or not translated."""
        state = self.m.localisations.get(c.id)
        if state is None or state.state == ORIGINAL:
            return ""
        language = language_name(state.original_language, self.lang)
        link = f"[{self.t('translation.read_original')}]({urls.link(src, urls.original_page_of(c.id))})"
        if state.state == MISSING:
            return f"!!! note \"\"\n\n    {md.text(self.t('translation.missing', language=language))}\n\n"
        if state.state == OUTDATED:
            return (f"!!! warning \"\"\n\n    {md.text(self.t('translation.outdated', language=language))} "
                    f"{link}\n\n")
        return f"!!! info \"\"\n\n    {md.text(self.t('translation.translated', language=language))} {link}\n\n"

    def original(self, c: Contribution) -> str:
        """The original text of a translated contribution, marked with its language."""
        src = urls.original_page_of(c.id)
        title = self.t("translation.original_title", title=c.title)
        # Not in the search: the translation is, and links here (one result per practice, not two).
        out = md.front_matter(title=title, description=c.summary, search={"exclude": True})
        out += f"# {md.text(c.title)} {{: lang=\"{c.language}\" }}\n\n"
        out += (f"{md.text(self.t('translation.original_intro', language=language_name(c.language, self.lang)))} "
                f"[{self.t('translation.back')}]({urls.link(src, urls.page_of(c.id))})\n\n")
        out += f"<p class=\"continuum-summary\" lang=\"{c.language}\"><em>{html.escape(c.summary)}</em></p>\n\n"
        if c.recommendations:
            out += f"## {self.t('contribution.recommendations')}\n\n"
            for r in c.recommendations:
                out += (f"<div class=\"continuum-rec\">\n\n<p class=\"continuum-rec-id\">{r.id}</p>\n\n"
                        f"<div lang=\"{c.language}\">\n{md.safe_html(r.text)}\n</div>\n\n</div>\n\n")
        out += f"<div class=\"continuum-body\" lang=\"{c.language}\" markdown>\n\n{md.safe_body(c.body)}\n\n</div>\n"
        return out

    def translations(self) -> str:
        """The translation status of this language: what is translated, outdated or still missing."""
        src = "translations.md"
        title = self.t("translations.title")
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        groups: dict[str, list[Contribution]] = {TRANSLATED: [], OUTDATED: [], MISSING: []}
        for cid, state in self.m.localisations.items():
            if state.state in groups:
                groups[state.state].append(self.m.contributions[cid])
        total = sum(len(items) for items in groups.values())
        out += self.t("translations.intro", total=total, translated=len(groups[TRANSLATED]),
                      outdated=len(groups[OUTDATED]), missing=len(groups[MISSING])) + "\n\n"
        if (self.editorial / "contribute.md").is_file():
            out += self.t("translations.help").replace("../contribute.md", "contribute.md") + "\n\n"
        for state, key in ((OUTDATED, "translations.outdated"), (MISSING, "translations.missing"),
                           (TRANSLATED, "translations.translated")):
            out += f"## {self.t(key)} ({len(groups[state])})\n\n"
            if not groups[state]:
                out += self.t("translations.none") + "\n\n"
                continue
            head = [self.t("table.id"), self.t("table.title"), self.t("table.original_language"),
                    self.t("table.file")]
            out += "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
            for c in groups[state]:
                original = self.originals[c.id]
                path = self.m.localisations[c.id].translation.path if state != MISSING else original.path
                out += (f"| `{c.id}` | {self._title_link(src, c)} | {self._language_name(original.language)} | "
                        f"<code>{html.escape(path)}</code> |\n")
            out += "\n"
        return out

    def cities(self) -> str:
        src = "cities/index.md"
        title = self.t("cities.title")
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        contributing = [cid for cid in self.m.cities if self.m.city_contributions(cid)]
        countries = {self.m.cities[cid].country for cid in contributing}
        out += self.t("cities.intro", cities=len(contributing), countries=len(countries)) + "\n\n"
        head = [self.t("table.city"), self.t("table.country"), self.t("city.police_force"),
                self.t("table.contributions")]
        out += "| " + " | ".join(head) + " |\n|" + "---|" * len(head) + "\n"
        rows = sorted(self.m.cities.values(), key=lambda c: (country_name(c.country, self.lang), c.display_name(self.lang)))
        for city in rows:
            out += (f"| [{md.text(city.display_name(self.lang))}]({urls.link(src, f'cities/{city.id}.md')}) | "
                    f"{md.text(country_name(city.country, self.lang))} | {md.text(city.police_force)} | "
                    f"{len(self.m.city_contributions(city.id))} |\n")
        return out

    def city(self, city_id: str) -> str:
        src = f"cities/{city_id}.md"
        city = self.m.cities[city_id]
        name = city.display_name(self.lang)
        out = md.front_matter(title=name) + f"# {md.text(name)}\n\n"
        facts = []
        if name != city.name:
            facts.append((self.t("city.local_name"), md.text(city.name)))
        facts += [(self.t("city.country"), md.text(country_name(city.country, self.lang))),
                  (self.t("city.police_force"), md.text(city.police_force)),
                  (self.t("city.networks"), md.text(", ".join(city.networks)))]
        out += "<div class=\"continuum-meta\" markdown>\n\n"
        out += "\n".join(f"- **{label}:** {value}" for label, value in facts) + "\n\n</div>\n\n"
        out += f"## {self.t('city.contributions')}\n\n"
        items = self.m.city_contributions(city_id)
        out += ("\n".join(f"- {self._title_link(src, c)}: {self.t(f'type.{c.type}')}, "
                          f"{format_date(c.submitted, self.lang)}" for c in items) if items else self.t("city.none"))
        return out + "\n"

    def recommendations(self) -> str:
        title = self.t("recommendations.title")
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        out += self.t("recommendations.intro", count=len(self.m.recommendations)) + "\n\n"
        return out + self._rec_table("recommendations.md", self.m.recommendations.values(), with_theme=True)

    def tags(self) -> str:
        src = "tags/index.md"
        title = self.t("tags.title")
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n{self.t('tags.intro')}\n\n"
        out += "\n".join(f"- [{md.text(tag)}]({urls.link(src, f'tags/{tag}.md')}) ({len(items)})"
                         for tag, items in self.m.tags.items())
        return out + "\n"

    def tag(self, tag: str) -> str:
        src = f"tags/{tag}.md"
        title = self.t("tag.title", tag=tag)
        out = md.front_matter(title=title) + f"# {md.text(title)}\n\n"
        return out + "\n".join(self._list_item(src, c) for c in self.m.tags[tag]) + "\n"
