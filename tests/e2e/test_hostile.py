"""Hostile contributions in a real browser: no script of theirs runs, nothing leaves the site.

The small sample manual is built with every field a reader meets made hostile (tests/test_hostile_site.py
goes around `check`, which refuses most of it, to show that the site escapes it anyway), and with a
real Inkscape export as a contribution's image and attachment (accepted by the SVG check, published as
the drawing it read). Each page type, and the SVG opened as a document of the site's origin, are
opened in Chromium: a dialog, an uncaught error or a request off 127.0.0.1 fails the test.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_hostile_site import _build

from .conftest import Browser, _QuietHandler

DRAWING = REPO / "tests" / "fixtures" / "svg" / "inkscape.svg"
PAGES = ["en/", "en/contributions/nice-001/", "en/cities/nice/", "en/themes/major-events/", "en/recommendations/",
         "en/tags/carnival/", "fr/contributions/nice-001/", "en/contributions/nice-001/drawing.svg"]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile-browser") / "manual"
    shutil.copytree(REPO / "tests" / "fixtures" / "base", root)
    for part in ("mkdocs.yml", "overrides"):
        (shutil.copytree if (REPO / part).is_dir() else shutil.copyfile)(REPO / part, root / part)
    shutil.copyfile(DRAWING, root / "contributions" / "nice" / "drawing.svg")
    carnival = root / "contributions" / "nice" / "carnival.md"
    carnival.write_text(carnival.read_text(encoding="utf-8") + "\n![A checkpoint, drawn](drawing.svg)\n\n"
                        "The [drawing](drawing.svg) as a file.\n", encoding="utf-8")
    return _build(root, root / "site", hostile=True)


@pytest.fixture(scope="module")
def hostile_server(hostile_site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                            functools.partial(_QuietHandler, directory=str(hostile_site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


def test_the_published_drawing_is_what_the_check_read(hostile_site: Path) -> None:
    published = (hostile_site / "en" / "contributions" / "nice-001" / "drawing.svg").read_bytes()
    assert b"inkscape:" not in published and b"sodipodi" not in published and b"<!--" not in published
    assert published.startswith(b'<svg xmlns="http://www.w3.org/2000/svg"')


@pytest.mark.parametrize("path", PAGES)
def test_no_script_runs_and_nothing_leaves(chromium, hostile_server: str, path: str) -> None:
    browser = Browser(chromium, hostile_server, Path())
    context, outside = browser.context()
    try:
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        errors = Browser.watch_console(page)
        response = page.goto(hostile_server + path, wait_until="networkidle")
        assert response is not None and response.status == 200, path
        page.wait_for_timeout(200)  # an onload or onerror handler would have run by now
        assert dialogs == [], f"a contribution's script ran on {path}: {dialogs}"
        assert outside == [], f"{path} sent requests off the site: {outside}"
        assert [e for e in errors if "alert" in e or "uncaught" in e] == [], errors
        assert page.evaluate("document.querySelectorAll('[onload], [onerror], foreignObject, iframe').length") == 0
    finally:
        context.close()
