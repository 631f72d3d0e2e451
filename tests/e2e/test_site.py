"""Every page type of every language, opened in Chromium: accessible, self-contained, searchable, usable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from manual.i18n import t
from manual.render.links import check_links

from .conftest import LANGUAGES, LINKS_CHECKED, PAGE_TYPES, SCREENSHOTS, Browser

PAGES = [pytest.param(lang, kind, id=f"{lang}-{kind}") for lang in LANGUAGES for kind in PAGE_TYPES]
VIEWPORT_PAGES = [pytest.param(lang, kind, viewport, id=f"{lang}-{kind}-{viewport}")
                  for lang in LANGUAGES for kind in PAGE_TYPES for viewport in ("desktop", "phone")]
# Per language, a word to type in the search box and an inflected form of it that a practice contains.
SEARCH_WORDS = {"en": ("camera", "cameras"), "fr": ("caméra", "caméras")}
TIMEOUT = 10_000


def describe(violations: list[dict]) -> str:
    """Return axe-core's violations as one line per rule, with the elements concerned."""
    return "\n".join(f"  {v['id']} ({v['impact']}): {v['help']}: "
                     + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
                     + (f" (and {len(v['nodes']) - 5} more)" if len(v["nodes"]) > 5 else "")
                     for v in violations)


@pytest.mark.parametrize(("lang", "kind", "viewport"), VIEWPORT_PAGES)
def test_no_wcag_21_aa_violation(browser: Browser, lang: str, kind: str, viewport: str) -> None:
    visit = browser.visit(lang, kind, viewport)
    assert not visit.violations, f"axe-core found WCAG 2.1 A/AA violations on {visit.url}:\n" + describe(
        visit.violations)


@pytest.mark.parametrize(("lang", "kind", "viewport"), VIEWPORT_PAGES)
def test_page_loads_everything_from_localhost_without_errors(browser: Browser, lang: str, kind: str,
                                                              viewport: str) -> None:
    visit = browser.visit(lang, kind, viewport)
    assert visit.status == 200, f"{visit.url} answered {visit.status}"
    assert not visit.outside, f"{visit.url} tried to leave localhost:\n" + "\n".join(f"  {u}" for u in visit.outside)
    assert not visit.console_errors, f"{visit.url} logged errors:\n" + "\n".join(
        f"  {e}" for e in visit.console_errors)
    assert visit.screenshot.stat().st_size > 0


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_finds_an_inflected_form_in_this_language_only(browser: Browser, site: Path, lang: str) -> None:
    if lang not in SEARCH_WORDS:
        pytest.fail(f"no search word for '{lang}': add a word and an inflected form of it to SEARCH_WORDS")
    word, inflected = SEARCH_WORDS[lang]
    holder = re.compile(rf"\b{re.escape(inflected)}\b", re.IGNORECASE)
    root = site / browser.root(lang)
    practices = {f"{p.parent.relative_to(site).as_posix()}/"
                 for p in (root / "contributions").glob("*/index.html") if holder.search(p.read_text())}
    assert practices, f"no practice of the '{lang}' site contains '{inflected}': choose another word"
    with browser.page() as (page, outside):
        errors = browser.watch_console(page)
        page.goto(browser.url(lang), wait_until="networkidle")
        box = page.locator("input.md-search__input")
        box.click()
        box.press_sequentially(word, delay=30)
        page.locator(".md-search-result__item").first.wait_for(timeout=TIMEOUT)
        page.screenshot(path=SCREENSHOTS / lang / "search-desktop.png")
        found = [a.get_attribute("href") for a in page.locator("a.md-search-result__link").all()]
        violations = browser.axe(page)
        outside = list(outside)
    elsewhere = [href for href in found if not href.startswith(browser.url(lang))]
    assert not elsewhere, f"searching the '{lang}' site gave pages of another language: {elsewhere}"
    pages = {urlsplit(href).path.lstrip("/") for href in found}
    assert pages & practices, (f"searching '{word}' in '{lang}' found {sorted(pages)}, none of the practices "
                               f"containing '{inflected}': {sorted(practices)}")
    assert not outside, f"search tried to leave localhost: {outside}"
    assert not errors, f"search logged errors: {errors}"
    assert not violations, "axe-core found WCAG 2.1 A/AA violations in the search results:\n" + describe(violations)


def other_languages(lang: str) -> list[str]:
    """Return the languages a page of `lang` switches to, or skip if there are none."""
    if len(LANGUAGES) < 2:
        pytest.skip(f"only one language is configured in manual.yml ({LANGUAGES[0]}): no language switcher")
    return [other for other in LANGUAGES if other != lang]


@pytest.mark.parametrize(("lang", "kind"), PAGES)
def test_language_switcher_links_to_the_same_page(browser: Browser, site: Path, lang: str, kind: str) -> None:
    visit = browser.visit(lang, kind, "desktop")
    for other in other_languages(lang):
        path = browser.paths(other)[kind]
        assert visit.alternates.get(other) == browser.url(other, path), (
            f"on {visit.url} the switcher's link to '{other}' leads to {visit.alternates.get(other)}, "
            f"not to the same page {browser.url(other, path)}")
        assert (site / browser.root(other) / path / "index.html").is_file()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_language_switcher_takes_the_reader_there(browser: Browser, lang: str) -> None:
    others = other_languages(lang)
    path = browser.paths(lang)["practice"]
    with browser.page() as (page, outside):
        errors = browser.watch_console(page)
        for other in others:
            page.goto(browser.url(lang, path))
            link = page.locator(f'a[hreflang="{other}"]').first
            # The list of languages opens on hover, as a reader's mouse opens it.
            page.locator(".md-select", has=link).hover()
            link.click(timeout=TIMEOUT)
            expected = browser.url(other, browser.paths(other)["practice"])
            page.wait_for_url(lambda url, expected=expected: url.split("#")[0].split("?")[0] == expected,
                              timeout=TIMEOUT)
            assert page.locator("html").get_attribute("lang") == other
        assert not outside, f"the language switcher tried to leave localhost: {outside}"
        assert not errors, f"the language switcher logged errors: {errors}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_practice_is_readable_without_javascript(browser: Browser, lang: str) -> None:
    context, outside = browser.context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(browser.url(lang, browser.paths(lang)["practice"]))
        parts = {"title": "article h1", "summary": "article .continuum-summary", "text": "article .continuum-body p"}
        for name, selector in parts.items():
            part = page.locator(selector).first
            assert part.is_visible() and part.inner_text().strip(), f"{page.url}: the {name} ({selector}) is not " \
                                                                     "visible without JavaScript"
        page.screenshot(path=SCREENSHOTS / lang / "practice-nojs-desktop.png", full_page=True)
    finally:
        context.close()
    assert not outside, f"without JavaScript the page still tried to leave localhost: {outside}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_phone_reaches_a_practice_through_the_navigation_drawer(browser: Browser, lang: str) -> None:
    with browser.page("phone") as (page, outside):
        errors = browser.watch_console(page)
        page.goto(browser.url(lang))
        drawer_is_open = "document.querySelector('.md-sidebar--primary').getBoundingClientRect().left >= 0"
        assert not page.evaluate(drawer_is_open), "the navigation drawer is open before any click"
        page.locator('label.md-header__button[for="__drawer"]').click()
        page.wait_for_function(drawer_is_open, timeout=TIMEOUT)
        drawer = page.locator("nav.md-nav--primary")
        themes = drawer.locator("label.md-nav__link", has_text=t(lang, "nav.themes"))
        page.screenshot(path=SCREENSHOTS / lang / "drawer-phone.png")
        violations = browser.axe(page)
        assert not violations, "axe-core found WCAG 2.1 A/AA violations in the open drawer:\n" + describe(violations)
        themes.click()
        chapter = drawer.locator('a.md-nav__link[href*="themes/"]').first
        chapter.wait_for(state="visible", timeout=TIMEOUT)
        chapter.click()
        page.wait_for_url(f"{browser.url(lang)}themes/**", timeout=TIMEOUT)
        practice = page.locator('article a[href*="contributions/"]:not([href*="#"])').first
        practice.click()
        page.wait_for_url(re.compile(rf"^{re.escape(browser.url(lang))}contributions/[^/]+/$"), timeout=TIMEOUT)
        assert page.locator("article h1").is_visible()
        assert not outside, f"the navigation tried to leave localhost: {outside}"
        assert not errors, f"the navigation logged errors: {errors}"


def test_built_site_has_no_dead_link(site: Path) -> None:
    LINKS_CHECKED.append(sum(1 for _ in site.rglob("*.html")))
    dead = check_links(site)
    assert not dead, f"{len(dead)} dead link(s) in the built site:\n" + "\n".join(dead[:50])


def test_the_guards_catch_what_they_watch_for(browser: Browser) -> None:
    """A request to elsewhere, from the page or from a worker, is blocked and listed; a console error is kept."""
    with browser.page() as (page, outside):
        errors = browser.watch_console(page)
        page.goto(browser.url(LANGUAGES[0]))
        page.evaluate("""async () => {
            await fetch('https://example.invalid/from-page').catch(() => null);
            const worker = new Worker(URL.createObjectURL(new Blob(
                ["fetch('https://example.invalid/from-worker').catch(() => null).then(() => postMessage(1))"])));
            await new Promise(done => { worker.onmessage = done; });
            console.error('a deliberate error');
        }""")
        caught = list(outside)
    assert "https://example.invalid/from-page" in caught
    assert "https://example.invalid/from-worker" in caught
    assert any("a deliberate error" in e for e in errors)


def _editions(site: Path, lang: str) -> list[str]:
    versions = json.loads((site / lang / "versions.json").read_text(encoding="utf-8"))
    return [v["version"] for v in versions if v["version"] != "living"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_version_selector_keeps_the_reader_on_the_same_page(browser: Browser, site: Path, lang: str) -> None:
    editions = _editions(site, lang)
    assert editions, "the bundled manual has a released edition"
    path = "contributions/nice-005/"
    with browser.page() as (page, outside):
        errors = browser.watch_console(page)
        page.goto(browser.url(lang, path), wait_until="networkidle")
        selector = page.locator(".md-version")
        selector.wait_for()
        titles = page.eval_on_selector_all(".md-version__list .md-version__link", "links => links.map(a => a.textContent.trim())")
        # Each edition's entry shows its name, and its alias for the newest one ("2026 latest").
        assert any(title.startswith(editions[0]) for title in titles) and len(titles) == len(editions) + 1, titles
        # The list opens on hover; a click on the edition's entry goes through Material's version handler.
        link = page.locator(".md-version__link", has_text=editions[0]).first
        link.evaluate("a => a.click()")
        page.wait_for_url(f"{browser.base}{lang}/{editions[0]}/{path}")
        page.wait_for_load_state("networkidle")
        assert page.locator("article h1").count() == 1 and not page.locator(".continuum-version-banner").count()
        assert not errors and not outside, (errors, outside)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_latest_and_the_language_root_lead_to_the_newest_edition(browser: Browser, site: Path, lang: str) -> None:
    newest = _editions(site, lang)[0]  # versions.json lists the newest first
    with browser.page() as (page, outside):
        page.goto(f"{browser.base}{lang}/latest/contributions/nice-005/")
        page.wait_for_url(f"{browser.base}{lang}/{newest}/contributions/nice-005/")
        page.goto(f"{browser.base}{lang}/")
        page.wait_for_url(f"{browser.base}{lang}/{newest}/")
        assert not outside


def test_living_version_banner_is_accessible(browser: Browser) -> None:
    visit = browser.visit(LANGUAGES[0], "home", "desktop")
    assert not visit.violations
    with browser.page() as (page, _):
        page.goto(browser.url(LANGUAGES[0]), wait_until="networkidle")
        assert "not a released edition" in page.locator(".continuum-version-banner").inner_text()


def test_citation_is_copied_in_one_click(browser: Browser, site: Path) -> None:
    edition = _editions(site, LANGUAGES[0])[0]
    url = f"{browser.base}{LANGUAGES[0]}/{edition}/contributions/nice-005/"
    context, outside = browser.context("desktop", permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        cite = page.locator("pre.continuum-cite").first
        expected = cite.locator("code").inner_text()
        assert f"edition {edition}" in expected and f"/{edition}/contributions/nice-005/#nice-005-r1" in expected
        cite.hover()
        cite.locator("button[data-md-type=copy]").click()
        assert page.evaluate("navigator.clipboard.readText()") == expected
        assert not outside
    finally:
        context.close()
