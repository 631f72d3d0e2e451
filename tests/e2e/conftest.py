"""The website in a real browser: the bundled corpus built once, served on 127.0.0.1, opened in Debian's Chromium.

Every page type of every configured language is visited once on a desktop and once on a phone; each
visit records the requests that tried to leave localhost, the console errors, axe-core's WCAG 2.1 A/AA
violations and a screenshot in build/screenshots/<lang>/<page-type>-<desktop|phone>.png.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import os
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SCREENSHOTS = REPO / "build" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The languages of the manual, read when the tests are collected so that each one is a parameter.
LANGUAGES: tuple[str, ...] = tuple(yaml.safe_load((REPO / "manual.yml").read_text(encoding="utf-8"))["languages"])
PAGE_TYPES = ("home", "theme", "practice", "city", "cities", "recommendations", "tags", "tag", "whats-new",
              "translations")

# What the session checked, for the closing summary.
CHECKED: set[tuple[str, str]] = set()
LINKS_CHECKED: list[int] = []
NOT_RUN: list[str] = []  # why the browser tests did not run


def browser_unavailable(executable: Path | None = None) -> str | None:
    """Return why the browser tests cannot run here, or None if they can: Chromium must be there and
    answer `--version` as Chromium."""
    executable = executable or CHROMIUM
    if not (executable.is_file() and os.access(executable, os.X_OK)):
        return (f"the browser tests need Chromium at {executable}: install it with "
                "'apt-get install chromium' (.ci/run does it on a CI machine)")
    version = _version(str(executable))
    if "Chromium" not in version:
        return (f"the browser tests need Chromium at {executable}, which does not run as Chromium "
                f"({version or 'it printed nothing'}): install it with 'apt-get install chromium'")
    return None


@functools.cache
def _version(executable: str) -> str:
    import subprocess

    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return " ".join((done.stdout + done.stderr).split())[:200]


def require_browser(executable: Path | None = None, environ: Mapping[str, str] = os.environ) -> None:
    """Skip the browser tests if Chromium is missing, or fail them on CI (CI=true), where they must run."""
    reason = browser_unavailable(executable)
    if reason is None:
        return
    if environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def page_paths(lang_dir: Path) -> dict[str, str]:
    """Return the path (relative to the language's root) of one page of each type in a built language."""
    def first(folder: str, prefer: str = "") -> str:
        pages = sorted(p.parent.name for p in (lang_dir / folder).glob("*/index.html"))
        assert pages, f"no page under {lang_dir / folder}"
        rich = [name for name in pages if prefer and prefer in (lang_dir / folder / name / "index.html").read_text()]
        return f"{folder}/{(rich or pages)[0]}/"
    return {"home": "", "theme": first("themes"), "practice": first("contributions", 'class="continuum-rec"'),
            "city": first("cities"), "cities": "cities/", "recommendations": "recommendations/", "tags": "tags/",
            "tag": first("tags"), "whats-new": "whats-new/", "translations": "translations/"}


@dataclasses.dataclass
class Visit:
    """What one page showed in one viewport."""

    lang: str
    kind: str
    viewport: str
    url: str
    status: int
    outside: list[str]
    console_errors: list[str]
    violations: list[dict]
    screenshot: Path
    alternates: dict[str, str]  # language → where the language switcher's link leads


class Browser:
    """One Chromium for the session, with one context per viewport that lets nothing leave localhost."""

    def __init__(self, browser, base: str, site: Path):
        self.browser = browser
        self.base = base
        self.site = site
        self._visits: dict[tuple[str, str, str], Visit] = {}
        self._shared: dict[str, tuple[object, list[str]]] = {}
        self._paths: dict[str, dict[str, str]] = {}

    def root(self, lang: str) -> str:
        """Return the folder of a language's pages in the site: <lang>/, or <lang>/living/ once there are editions."""
        return f"{lang}/living/" if (self.site / lang / "living" / "index.html").is_file() else f"{lang}/"

    def url(self, lang: str, path: str = "") -> str:
        return f"{self.base}{self.root(lang)}{path}"

    def paths(self, lang: str) -> dict[str, str]:
        if lang not in self._paths:
            self._paths[lang] = page_paths(self.site / self.root(lang))
        return self._paths[lang]

    def context(self, viewport: str = "desktop", **options) -> tuple[object, list[str]]:
        """Open a context that blocks every request to anywhere but the local server; return it and those URLs."""
        context = self.browser.new_context(viewport=VIEWPORTS[viewport], **options)
        outside: list[str] = []

        def route(route) -> None:
            if route.request.url.startswith(self.base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        def request(request) -> None:
            # Also what a route might not see (a worker's requests, say).
            if not request.url.startswith((self.base, "data:", "blob:")) and request.url not in outside:
                outside.append(request.url)

        context.route("**/*", route)
        context.on("request", request)
        return context, outside

    @staticmethod
    def watch_console(page) -> list[str]:
        """Return the list that collects the page's console errors and uncaught exceptions."""
        errors: list[str] = []
        page.on("console", lambda message: errors.append(f"{message.text} ({message.location.get('url')})")
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
        return errors

    def visit(self, lang: str, kind: str, viewport: str) -> Visit:
        """Open a page of a type in a viewport once; return what it showed (cached for the session)."""
        key = (lang, kind, viewport)
        if key not in self._visits:
            self._visits[key] = self._visit(*key)
            CHECKED.add((lang, kind))
        return self._visits[key]

    @staticmethod
    def axe(page) -> list[dict]:
        """Return the WCAG 2.1 A and AA violations axe-core finds in the page as it is now."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                           "resultTypes": ["violations"]})
        return results.response["violations"]

    @contextlib.contextmanager
    def page(self, viewport: str = "desktop") -> Iterator[tuple[object, list[str]]]:
        """Yield a new page in the viewport's shared context, and the URLs it tried to reach outside localhost."""
        # Pages open one at a time, so what left localhost while a page was open is that page's doing.
        if viewport not in self._shared:
            self._shared[viewport] = self.context(viewport)
        context, outside = self._shared[viewport]
        outside.clear()
        page = context.new_page()
        try:
            yield page, outside
        finally:
            page.close()

    def _visit(self, lang: str, kind: str, viewport: str) -> Visit:
        url = self.url(lang, self.paths(lang)[kind])
        with self.page(viewport) as (page, outside):
            errors = self.watch_console(page)
            response = page.goto(url, wait_until="networkidle")
            violations = self.axe(page)
            screenshot = SCREENSHOTS / lang / f"{kind}-{viewport}.png"
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=screenshot, full_page=True)
            alternates = dict(page.eval_on_selector_all("a[hreflang]", "links => links.map(a => [a.hreflang, a.href])"))
            return Visit(lang, kind, viewport, url, response.status if response else 0, list(outside),
                         errors, violations, screenshot, alternates)

    def close(self) -> None:
        for context, _ in self._shared.values():
            context.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus's website as it is published: the living version beside its released editions."""
    from tests.conftest import copy_corpus, run

    root = copy_corpus(tmp_path_factory.mktemp("published") / "manual", with_releases=True)
    result = run("build", root=root)
    assert result.code == 0, result
    return root / "site"


@pytest.fixture(scope="session")
def server(site: Path) -> Iterator[str]:
    """Serve the website on 127.0.0.1 on a free port; return its base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright; one for the whole session."""
    if reason := browser_unavailable():
        NOT_RUN.append(reason)
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def browser(chromium, server: str, site: Path) -> Iterator[Browser]:
    """The browser, the served site and the session's cache of visited pages."""
    browser = Browser(chromium, server, site)
    yield browser
    browser.close()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say how much of the website the browser checked."""
    languages = {lang for lang, _ in CHECKED}
    if CHECKED:
        terminalreporter.write_line(f"browser: {len(CHECKED)} pages checked in {len(languages)} "
                                    f"language{'s' * (len(languages) != 1)} ({', '.join(sorted(languages))}); "
                                    f"screenshots in {SCREENSHOTS.relative_to(REPO)}/")
    elif NOT_RUN:
        terminalreporter.write_line(f"browser: 0 pages checked: {NOT_RUN[0]}")
    if LINKS_CHECKED:
        terminalreporter.write_line(f"links: {LINKS_CHECKED[-1]} HTML files of the built site checked")
