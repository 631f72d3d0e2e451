"""The web editor at /admin/ in Chromium, driven as officers use it, against Decap's local backend.

A copy of the bundled corpus is built, the editor written into its site (manual.editor.write_editor) and
served on 127.0.0.1, with decap-server (from scripts/editor/, `make editor`) writing into the copy's
contributions/. A French officer of Nice writes a practice with an image; an English-speaking officer adds a
new city, Évora, and its first contribution. Then the files must pass `check` as written, and the site
built with drafts must show them.

Every screen is checked with axe-core (WCAG 2.1 A and AA): the test fails on any violation that is not in
CMS_VIOLATIONS, the list of what Decap CMS itself fails, which only its authors can fix. Nothing may leave
127.0.0.1. Screenshots go to build/screenshots/editor/, and into docs/images/ (which CONTRIBUTING.md shows)
when they are missing there or UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import functools
import json
import http.server
import os
import shutil
import socket
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from manual import editor, scaffold
from manual.merge import merge
from manual.validate import check_tree
from tests.conftest import REPO, copy_corpus, run

from .conftest import CHROMIUM, LAUNCH_ARGS, SCREENSHOTS, Browser, require_browser

DOCS_IMAGES = REPO / "docs" / "images"
SHOTS = SCREENSHOTS / "editor"
TIMEOUT = 15_000
# What axe-core still finds in Decap CMS 3.16's own markup: its authors' to fix. The rest of what it found
# is mended by the editor's page (scripts/editor/continuum-editor.css and continuum-editor.js: contrast,
# names of the rich-text boxes and of the Markdown switch, the thumbnails' alt); what is ours (the
# configuration, the labels, the page) must stay clean.
CMS_VIOLATIONS = {
    "nested-interactive": "the drop-downs of the rich-text toolbar (headings, add a component) are a focusable "
                          "span (react-aria-menubutton) around a <button>: a screen reader meets two controls",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def editor_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The corpus's copy with its site and the editor, served on 127.0.0.1, and decap-server writing into it."""
    require_browser()
    node = shutil.which("node")
    if not node or not editor.installed():
        message = "the editor's browser test needs node and the editor's npm package: run 'make editor'"
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    root = copy_corpus(tmp_path_factory.mktemp("editor") / "manual")
    port = _free_port()
    settings = (root / "manual.yml").read_text(encoding="utf-8").rstrip("\n")
    (root / "manual.yml").write_text(f"{settings}\n  local_backend: http://127.0.0.1:{port}/api/v1\n", encoding="utf-8")
    result = run("build", root=root)
    assert result.code == 0, result
    editor.write_editor(merge(check_tree(root)), root, root / "site")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "MODE": "fs",
           "GIT_REPO_DIRECTORY": str(root), "PORT": str(port), "BIND_HOST": "127.0.0.1", "LOG_LEVEL": "warn"}
    log = (root.parent / "decap-server.log").open("wb")
    server = subprocess.Popen([node, str(editor.MODULES / "decap-server" / "dist" / "index.js")], env=env,
                              stdout=log, stderr=subprocess.STDOUT, cwd=root)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root / "site")))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None and time.monotonic() < deadline, (
                f"decap-server did not start: {(root.parent / 'decap-server.log').read_text()}")
            time.sleep(0.1)
        yield root, f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


class Officer:
    """One officer's browser: a context that lets nothing leave 127.0.0.1, in the officer's language."""

    def __init__(self, chromium, base: str, locale: str, record: dict):
        self.lang = locale[:2]
        self.record = record
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
        self.outside = record.setdefault("outside", [])
        self.errors = record.setdefault("errors", [])

        def route(route) -> None:
            if route.request.url.startswith(("http://127.0.0.1:", "blob:", "data:")):
                route.continue_()
            else:
                self.outside.append(route.request.url)
                route.abort()

        self.context.route("**/*", route)
        self.context.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1:", "blob:", "data:"))
                        or r.url in self.outside else self.outside.append(r.url))
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.lang}: uncaught: {error}"))
        self.base = base

    def screen(self, name: str) -> None:
        """Check the screen as it is now with axe-core and take its screenshot."""
        self.page.wait_for_timeout(300)
        violations = Browser.axe(self.page)
        self.record.setdefault("axe", {})[f"{self.lang}-{name}"] = violations
        SHOTS.mkdir(parents=True, exist_ok=True)
        shot = SHOTS / f"editor-{self.lang}-{name}.png"
        self.page.screenshot(path=shot)
        docs = DOCS_IMAGES / shot.name
        if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not docs.exists():
            DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, docs)

    def field(self, name: str):
        """The input of a field of the form, by its name in the configuration."""
        return self.page.locator(f"[id^='{name}-field-']").first

    def choose(self, name: str, *options: str) -> None:
        """Pick options of a select by typing their names."""
        box = self.field(name)
        for option in options:
            box.click()
            box.fill(option)
            self.page.keyboard.press("Enter")

    def write(self, name: str, text: str) -> None:
        """Type into the rich-text box of a Markdown field."""
        box = self.page.locator("[aria-label='markdown field']",
                                has=self.page.locator(f"label[for^='{name}-field-']")).locator("[data-slate-editor]")
        box.click()
        self.page.keyboard.type(text)

    def publish(self, publish: str, now: str) -> None:
        self.page.get_by_role("button", name=publish, exact=True).first.click()
        self.page.get_by_role("menuitem", name=now).click()

    def close(self) -> None:
        self.context.close()


def _png(width: int, height: int) -> bytes:
    """A small PNG of blue and yellow stripes: the picture the officer adds."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + b"".join(b"\x1f\x3a\x93" if (x // 20) % 2 else b"\xf2\xc1\x2e" for x in range(width))
                    for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _wait_for(page, path: Path, seconds: float = 30) -> Path:
    # The page's waits let Playwright answer the routed requests meanwhile (a sleep would hold them).
    start = time.monotonic()
    while not path.is_file():
        assert time.monotonic() < start + seconds, f"{path} was not written"
        page.wait_for_timeout(100)
    page.wait_for_timeout(300)
    print(f"{path.name} written after {time.monotonic() - start:.1f} s")
    return path


@pytest.fixture(scope="module")
def session(editor_root, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Two officers use the editor; return what they wrote and what the browser saw."""
    root, base = editor_root
    from playwright.sync_api import sync_playwright

    record: dict = {"root": root, "files": []}
    picture = tmp_path_factory.mktemp("picture") / "carnival-team.png"
    picture.write_bytes(_png(320, 200))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            _french_officer(Officer(chromium, base, "fr-FR", record), root, picture)
            _english_officer(Officer(chromium, base, "en-GB", record), root)
        finally:
            chromium.close()
    return record


def _french_officer(officer: Officer, root: Path, picture: Path) -> None:
    page = officer.page
    page.goto(officer.base + "admin/")
    login = page.get_by_role("button", name="Se connecter")
    login.wait_for()
    officer.record["lang_fr"] = page.evaluate("document.documentElement.lang")
    officer.screen("login")
    login.click()
    page.get_by_role("link", name="Contributions").first.wait_for()
    officer.screen("collections")
    page.goto(officer.base + "admin/#/collections/contributions/new")
    officer.field("title").wait_for()
    officer.screen("new")
    officer.field("title").fill("Des policiers européens au Carnaval de Nice")
    officer.choose("city", "Nice")
    officer.choose("themes", "Gestion des foules", "Formation et échanges")
    officer.choose("type", "Pratique")
    officer.field("summary").fill("Pendant le Carnaval, des agents de polices européennes patrouillent avec la "
                                  "police municipale pour accueillir les visiteurs dans leur langue.")
    officer.write("section_context", "Le Carnaval de Nice accueille chaque année un million de visiteurs.")
    officer.write("section_what_was_done", "Des agents de six pays patrouillent avec la police municipale.")
    officer.write("section_results", "Les visiteurs sont renseignés dans leur langue. ")
    results = page.locator("[aria-label='markdown field']", has=page.locator("label[for^='section_results-field-']"))
    results.get_by_role("button", name="Ajouter un composant").click()
    page.get_by_role("menuitem", name="Image").click()
    results.get_by_role("button", name="Choisir une image").click()
    page.locator("input[type=file]").set_input_files(picture)
    page.get_by_role("button", name="Choisir les éléments sélectionnés").wait_for()
    officer.screen("media")
    page.get_by_role("button", name="Choisir les éléments sélectionnés").click()
    officer.field("alt").fill("Des agents de plusieurs polices européennes sur la Promenade des Anglais")
    officer.screen("image")
    officer.publish("Publier", "Publier maintenant")
    written = _wait_for(page, root / "contributions" / "nice" / "des-policiers-europeens-au-carnaval-de-nice.md")
    officer.record["files"] += [written, root / "contributions" / "nice" / picture.name]
    page.get_by_text("MODIFICATIONS NON ENREGISTRÉES").wait_for(state="detached")
    officer.screen("saved")
    officer.close()


def _english_officer(officer: Officer, root: Path) -> None:
    page = officer.page
    page.goto(officer.base + "admin/")
    login = page.get_by_role("button", name="Login")
    login.wait_for()
    officer.record["lang_en"] = page.evaluate("document.documentElement.lang")
    officer.screen("login")
    login.click()
    page.get_by_role("link", name="Cities").first.wait_for()
    officer.screen("collections")
    page.goto(officer.base + "admin/#/collections/cities/new")
    officer.field("name").wait_for()
    officer.screen("new-city")
    officer.field("name").fill("Évora")
    officer.choose("country", "Portugal")
    officer.field("police_force").fill("Polícia Municipal de Évora")
    officer.choose("networks", "EU-POLNET")
    officer.field("lat").fill("38.5714")
    officer.field("lon").fill("-7.9135")
    officer.publish("Publish", "Publish now")
    card = _wait_for(page, root / "contributions" / "evora" / "city.yml")
    officer.record["files"].append(card)
    page.get_by_text("UNSAVED CHANGES").wait_for(state="detached")
    page.goto(officer.base + "admin/#/collections/contributions/new")
    officer.field("title").wait_for()
    officer.field("title").fill("Night patrols with the shopkeepers")
    officer.choose("city", "A new city")
    officer.field("new_city").fill("evora")
    officer.choose("themes", "Night-time economy")
    officer.choose("type", "Lesson learned")
    officer.field("summary").fill("Officers and shopkeepers of the old town walk the streets together on "
                                  "summer nights, and agree on who calls whom.")
    officer.write("section_context", "The old town empties of residents at night and fills with visitors.")
    officer.write("section_what_was_done", "Joint walks every Friday and Saturday from June to September.")
    officer.write("section_lessons_learned", "Agree on one phone number for the shopkeepers.")
    officer.screen("new-filled")
    officer.publish("Publish", "Publish now")
    written = _wait_for(page, root / "contributions" / "evora" / "night-patrols-with-the-shopkeepers.md")
    officer.record["files"].append(written)
    page.get_by_text("UNSAVED CHANGES").wait_for(state="detached")
    officer.close()


def test_the_officers_files_pass_check_as_written(session: dict) -> None:
    root = session["root"]
    rels = [p.relative_to(root).as_posix() for p in session["files"] if p.suffix in (".md", ".yml")]
    result = run("check", *rels, root=root)
    assert result.code == 0 and " 0 errors, 0 warnings" in result.err, result
    nice = yaml.safe_load(session["files"][0].read_text(encoding="utf-8").split("---\n")[1])
    assert nice["id"] == scaffold.next_id(REPO, "nice") and nice["status"] == "draft"
    assert nice["language"] == "fr" and nice["themes"] == ["major-events", "training-exchange"]
    text = session["files"][0].read_text(encoding="utf-8")
    assert text.startswith("---\n# yaml-language-server: $schema=../../schema/contribution.schema.json\n")
    assert "![Des agents de plusieurs polices européennes sur la Promenade des Anglais](carnival-team.png)" in text
    assert [line for line in text.splitlines() if line.startswith("## ")] == [
        "## Contexte", "## Ce qui a été fait", "## Résultats"]
    evora = session["files"][-1].read_text(encoding="utf-8")
    assert "id: evora-001\n" in evora and "city: evora\n" in evora and "language: en\n" in evora
    assert [line for line in evora.splitlines() if line.startswith("## ")] == [
        "## Context", "## What was done", "## Lessons learned"]
    card = session["files"][2].read_text(encoding="utf-8")
    assert card.startswith("# yaml-language-server: $schema=../../schema/city.schema.json\n")
    assert yaml.safe_load(card)["country"] == "PT"


def test_the_site_built_with_drafts_shows_them(session: dict) -> None:
    root = session["root"]
    result = run("build", "--preview", root=root)
    assert result.code == 0, result
    nice = scaffold.next_id(REPO, "nice")
    page = (root / "site" / "fr" / "contributions" / nice / "index.html").read_text(encoding="utf-8")
    assert "Des policiers européens au Carnaval de Nice" in page and "carnival-team.png" in page
    assert "Night patrols with the shopkeepers" in (root / "site" / "en" / "contributions" / "evora-001" /
                                                   "index.html").read_text(encoding="utf-8")
    assert (root / "site" / "en" / "cities" / "evora" / "index.html").is_file()


def test_nothing_leaves_the_machine(session: dict) -> None:
    assert not session["outside"], "the editor tried to leave 127.0.0.1:\n" + "\n".join(session["outside"])
    assert not session["errors"], "\n".join(session["errors"])


def test_the_interface_is_in_the_officers_language(session: dict) -> None:
    assert session["lang_fr"] == "fr" and session["lang_en"] == "en"


def test_the_editor_passes_axe_as_far_as_the_cms_allows(session: dict) -> None:
    found = {(screen, v["id"]): v for screen, violations in session["axe"].items() for v in violations}
    ours = {key: v for key, v in found.items() if key[1] not in CMS_VIOLATIONS}
    assert len(session["axe"]) >= 8, sorted(session["axe"])
    assert not ours, "axe-core found WCAG 2.1 A/AA violations that are not Decap CMS's own:\n" + "\n".join(
        f"  {screen}: {v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4]) for (screen, _), v in ours.items())
    print("Decap CMS's own violations: " + ", ".join(sorted({rule for _, rule in found})))
    if os.environ.get("EDITOR_AXE_REPORT"):
        Path(os.environ["EDITOR_AXE_REPORT"]).write_text(json.dumps(
            {f"{screen} {rule}": [v["help"], v["impact"], [" ".join(n["target"]) for n in v["nodes"][:3]],
                                  [n.get("failureSummary", "")[:300] for n in v["nodes"][:1]]]
             for (screen, rule), v in found.items()}, indent=1, ensure_ascii=False))
