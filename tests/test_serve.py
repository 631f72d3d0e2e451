"""`serve`: a live preview that rebuilds after an edit and shows problems instead of crashing."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from manual.serve import Preview, Server

from .conftest import copy_corpus

PAGE = "en/contributions/nice-004/"
SOURCE = "contributions/nice/schools-shops-security.md"  # no translation: its page shows it


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _wait_for(url: str, predicate, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, page = _get(url)
        if predicate(page):
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never changed as expected; last page:\n{page[:2000]}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = copy_corpus(tmp_path_factory.mktemp("serve") / "manual")
    preview = Preview(root, root / "build" / "serve", languages=["en"])
    first = preview.rebuild()
    assert first.built, first
    running = Server(preview, 0).start()  # port 0: a free port
    yield running
    running.stop()


def test_serves_on_a_free_local_port_and_rebuilds_after_an_edit(server: Server) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.port > 0
    status, page = _get(server.url + PAGE)
    assert status == 200 and "Sécurisation des écoles" in page
    assert "last good version of the site" not in page  # warnings may show, errors not
    source = server.preview.root / SOURCE
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("## Contexte\n", "## Contexte\n\nUne phrase ajoutée pendant la prévisualisation.\n"),
                      encoding="utf-8")
    _wait_for(server.url + PAGE, lambda page: "Une phrase ajoutée pendant la prévisualisation." in page)


def test_errors_show_on_the_page_and_the_last_good_site_stays(server: Server) -> None:
    source = server.preview.root / SOURCE
    good = source.read_text(encoding="utf-8")
    source.write_text(good.replace("themes: [schools-shops]", "themes: [schools-shop]")
                      .replace("## Résultats\n", "## Résultats\n\nCette phrase a une erreur à côté.\n"), encoding="utf-8")
    page = _wait_for(server.url + PAGE, lambda page: "last good version of the site" in page)
    assert "unknown theme &#x27;schools-shop&#x27;" in page
    assert "Cette phrase a une erreur" not in page  # the site was not rebuilt from the broken sources
    state = json.loads(_get(server.url + "__preview__/state")[1])
    assert state["errors"] == 1
    assert [p["file"] for p in state["problems"] if p["severity"] == "error"] == [SOURCE]
    source.write_text(good, encoding="utf-8")
    _wait_for(server.url + PAGE, lambda page: "last good version of the site" not in page)


def test_a_rebuild_rereads_only_the_changed_file(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    preview = Preview(root, tmp_path / "serve", languages=["en"])
    first = preview.rebuild()
    assert first.built and first.files_reread > 20
    source = root / SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    again = preview.rebuild([source])
    assert again.built and again.files_reread == 1
    assert "Une ligne de plus." in (preview.site / PAGE / "index.html").read_text(encoding="utf-8")
    source.write_text("---\nid: [\n---\n", encoding="utf-8")
    broken = preview.rebuild([source])
    assert not broken.built and broken.errors[0].code == "yaml-syntax"
    assert "Une ligne de plus." in (preview.site / PAGE / "index.html").read_text(encoding="utf-8")


def test_a_rebuild_keeps_every_page_in_the_search(tmp_path: Path) -> None:
    """A rebuild renders only the changed pages; the search index keeps every page, with the new text."""
    root = copy_corpus(tmp_path / "manual")
    preview = Preview(root, tmp_path / "serve", languages=["en"])
    assert preview.rebuild().built

    def index() -> dict[str, list[dict]]:
        data = json.loads((preview.site / "en" / "search" / "search_index.json").read_text(encoding="utf-8"))
        pages: dict[str, list[dict]] = {}
        for entry in data["docs"]:
            pages.setdefault(entry["location"].split("#", 1)[0], []).append(entry)
        return pages

    before = index()
    assert "contributions/nice-004/" in before and len(before) > 30
    source = root / SOURCE
    source.write_text(source.read_text(encoding="utf-8") + "\nUne phrase introuvable ailleurs.\n", encoding="utf-8")
    assert preview.rebuild([source]).built
    after = index()
    assert sorted(after) == sorted(before)
    assert [page for page in after if after[page] != before[page]] == ["contributions/nice-004/"]
    assert "introuvable" in " ".join(entry["text"] for entry in after["contributions/nice-004/"])
