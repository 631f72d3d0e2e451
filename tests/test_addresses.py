"""Every address the manual gives a reader or a reuser leads somewhere in the website.

The bundled manual is built with its released edition (2026) and its living version exported; every
address of the site in every export (JSON, CSV, DOCX, PDF, released and living), and in the citations
of every practice page, must be a page of the built site, or a redirect page that leads to one, with
the #anchor it names. The 2026 exports were written before the site had versions, with the short
address /<lang>/contributions/<id>/: the site keeps those alive.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from manual.render import urls

from .conftest import copy_corpus, run

SITE_URL = "https://manual.eu-polnet.example/"
_URL = re.compile(re.escape(SITE_URL) + r"[^\s\"'<>)\]]*")
_REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')
_ID = re.compile(r'\bid="([^"]+)"')


@pytest.fixture(scope="module")
def manual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("addresses") / "manual", with_releases=True)
    assert run("build", "--pdf", root=root).code == 0
    assert run("export", root=root).code == 0
    return root


def _docx_addresses(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as docx:
        text = "".join(docx.read(name).decode("utf-8") for name in docx.namelist() if name.endswith((".xml", ".rels")))
    return [html.unescape(u) for u in _URL.findall(text)]


def _pdf_addresses(data: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(data))
    found = []
    for page in reader.pages:
        found += _URL.findall(page.extract_text() or "")
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and action.get("/URI"):
                found.append(str(action["/URI"]))
    return found


def addresses(files: list[Path]) -> dict[str, set[str]]:
    """Every address of the site given in `files`, with the files that give it."""
    found: dict[str, set[str]] = {}
    for path in files:
        data = path.read_bytes()
        if path.suffix == ".json":
            given = [r["url"] for r in json.loads(data)["records"]]
        elif path.suffix == ".csv":
            given = [r["url"] for r in csv.DictReader(io.StringIO(data.decode("utf-8")))]
        elif path.suffix == ".docx":
            given = _docx_addresses(data)
        elif path.suffix == ".pdf":
            given = _pdf_addresses(data)
        else:
            given = [html.unescape(u) for u in _URL.findall(data.decode("utf-8"))]
        for address in given:
            found.setdefault(address, set()).add(path.name)
    return found


def resolve(site: Path, address: str, hops: int = 3) -> tuple[Path, str]:
    """The built page an address of the site leads to (through redirect pages), and its #anchor."""
    path, _, anchor = address.removeprefix(SITE_URL).partition("#")
    page = site / path / "index.html" if path.endswith("/") or not path else site / path
    assert page.is_file(), f"{address}: no such page in the site"
    refresh = _REFRESH.search(page.read_text(encoding="utf-8"))
    if refresh and hops:
        target = (page.parent / html.unescape(refresh.group(1))).resolve().relative_to(site.resolve()).as_posix()
        return resolve(site, SITE_URL + target + ("/" if refresh.group(1).endswith("/") else "")
                       + (f"#{anchor}" if anchor else ""), hops - 1)
    return page, anchor


def test_every_address_of_every_export_leads_to_its_page(manual: Path) -> None:
    exports = sorted((manual / "releases").glob("*/continuum-manual-*")) + sorted((manual / "dist").glob("*"))
    kinds = {p.suffix for p in exports}
    assert {".json", ".csv", ".docx", ".pdf"} <= kinds, kinds
    found = addresses(exports)
    assert len(found) > 70, len(found)
    bad = []
    for address, where in sorted(found.items()):
        try:
            page, anchor = resolve(manual / "site", address)
            assert not anchor or anchor in _ID.findall(page.read_text(encoding="utf-8")), f"{address}: no #{anchor}"
        except AssertionError as problem:
            bad.append(f"{problem} (in {', '.join(sorted(where))})")
    assert not bad, f"{len(bad)} of {len(found)} addresses lead nowhere:\n" + "\n".join(bad[:20])


def test_every_citation_leads_to_its_page(manual: Path) -> None:
    pages = sorted((manual / "site").glob("*/*/contributions/*/index.html"))
    found = addresses(pages)
    assert len(found) > 50
    for address in found:
        page, anchor = resolve(manual / "site", address)
        assert not anchor or anchor in _ID.findall(page.read_text(encoding="utf-8")), address


def test_the_short_address_leads_to_the_newest_edition_that_holds_the_practice(manual: Path) -> None:
    site = manual / "site"
    released = json.loads((manual / "releases" / "2026" / "manifest.json").read_text())["contributions"]
    for lang in ("en", "fr"):
        for page in sorted((site / lang / "living" / "contributions").glob("*/index.html")):
            cid = page.parent.name
            target, _ = resolve(site, urls.short_address(SITE_URL, lang, cid))
            version = "2026" if released.get(cid, {}).get("state") == "published" else "living"
            assert target == site / lang / version / "contributions" / cid / "index.html", (lang, cid)


def test_what_hosts_and_reusers_look_for_at_the_root(manual: Path) -> None:
    site = manual / "site"
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in not_found and '<section lang="fr">' in not_found
    assert 'href="/en/"' in not_found and 'href="/fr/"' in not_found and "https://" not in not_found
    assert "Sitemap: https://manual.eu-polnet.example/sitemap.xml" in (site / "robots.txt").read_text()
    index = (site / "sitemap.xml").read_text(encoding="utf-8")
    listed = re.findall(r"<loc>([^<]+)</loc>", index)
    assert listed == sorted(listed) and len(listed) == 4, listed  # living and 2026, in each language
    assert all((site / loc.removeprefix(SITE_URL)).is_file() for loc in listed)
    assert (site / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an icon file
    for redirect in [site / "en" / "index.html", site / "en" / "latest" / "index.html",
                     site / "en" / "contributions" / "nice-001" / "index.html"]:
        title = re.search(r"<title>(.*)</title>", redirect.read_text(encoding="utf-8")).group(1)
        assert "/" not in title and "Continuum" in title, (redirect, title)
