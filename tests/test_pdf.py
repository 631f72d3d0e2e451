"""The PDF of the bundled corpus, opened with pypdf: page size, outline, ids, links, fonts, tags, bytes."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pypdf
import pytest
import yaml

from manual.errors import BuildError
from manual.merge import localise, merge
from manual.render.pdf import build_pdf
from manual.validate import check_tree

from .conftest import REPO, copy_corpus, run
from .test_build_site import CANARY, _front_matters, _published
from .test_export import LANGUAGES, assert_in_its_language
from .test_outputs_stay_inside import with_contribution
from .test_trust import flat

PDF = "dist/continuum-manual-2027-en.pdf"


@pytest.fixture(scope="module")
def pdf_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("pdf") / "manual")
    result = run("build", "--pdf", root=root)
    assert result.code == 0, result
    return root


@pytest.fixture(scope="module")
def reader(pdf_root: Path) -> pypdf.PdfReader:
    return pypdf.PdfReader(pdf_root / PDF)


@pytest.fixture(scope="module")
def text(reader: pypdf.PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_site_offers_the_pdf(pdf_root: Path) -> None:
    home = (pdf_root / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert 'href="downloads/continuum-manual-2027-en.pdf"' in home
    assert (pdf_root / "site" / "en" / "downloads" / "continuum-manual-2027-en.pdf").read_bytes() == \
        (pdf_root / PDF).read_bytes()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_is_in_its_language(pdf_root: Path, lang: str) -> None:
    reader = pypdf.PdfReader(pdf_root / "dist" / f"continuum-manual-2027-{lang}.pdf")
    assert_in_its_language("\n".join(page.extract_text() for page in reader.pages), lang)


def test_a4_pages(reader: pypdf.PdfReader) -> None:
    assert len(reader.pages) > 10
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_outline_follows_the_chapters(reader: pypdf.PdfReader) -> None:
    themes = yaml.safe_load((REPO / "themes.yml").read_text(encoding="utf-8"))
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    expected = [f"{n}. {theme['name']['en']}" for n, theme in enumerate(themes, start=1)]
    assert top[:len(expected)] == expected
    assert top[-1] == "Index of contributing cities"


def test_every_published_recommendation_and_contribution_is_in_the_text(text: str) -> None:
    flat = " ".join(text.split())
    for fm in _published():
        assert fm["id"] in flat
        for rec in fm.get("recommendations", []):
            assert rec["id"] in flat, rec["id"]


def test_nothing_unpublished_is_in_the_pdf(pdf_root: Path, text: str) -> None:
    """Neither the title (as pandoc writes it: typographic quotes) nor the id of an unpublished contribution,
    unless a published one names it in its own words (xabia-001 names barcelona-001, a draft)."""
    assert CANARY not in text
    written = flat(text)
    published = {fm["id"] for fm in _published()}
    public_words = flat(" ".join(path.read_text(encoding="utf-8") for path in (REPO / "contributions").glob("*/*.md")
                                 if yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1]).get("id")
                                 in published))
    for fm in _front_matters():
        if fm["id"] not in published:
            for shown in (flat(fm["title"]), fm["id"]):
                assert shown in public_words or shown not in written, fm["id"]


def test_internal_links(reader: pypdf.PdfReader) -> None:
    links = [annot.get_object() for page in reader.pages for annot in page.get("/Annots", [])
             if annot.get_object().get("/Subtype") == "/Link"]
    assert len(links) > 50
    internal = [link for link in links if "/Dest" in link or link.get("/A", {}).get("/S") == "/GoTo"]
    assert len(internal) == len(links)


def test_fonts_are_embedded(reader: pypdf.PdfReader) -> None:
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target["/FontDescriptor"].get_object()
            assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")), font
            seen += 1
    assert seen


def test_greek_and_accented_text_is_real_text(text: str) -> None:
    flat = " ".join(text.split())
    greek = next(fm for fm in _published() if fm["language"] == "el")
    assert " ".join(greek["title"].split()) in flat
    for word in ("Liège", "Xàbia", "Carnaval de Nice", "Policía"):
        assert word in flat, word


def test_metadata_and_tagging(reader: pypdf.PdfReader) -> None:
    assert reader.metadata.title.startswith("Continuum: Manual of recommendations")
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp


def _alts(node, found: list[str], depth: int = 0) -> None:
    if depth > 60:
        return
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, dict):
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        kids = node.get("/K")
        if kids is not None:
            _alts(kids, found, depth + 1)
    elif isinstance(node, list):
        for kid in node:
            _alts(kid, found, depth + 1)


def test_images_keep_their_alt_text(reader: pypdf.PdfReader) -> None:
    found: list[str] = []
    _alts(reader.trailer["/Root"]["/StructTreeRoot"], found)
    # The English PDF shows the English translation's description of the image.
    body = (REPO / "contributions" / "nice" / "promenade-des-anglais-security.en.md").read_text(encoding="utf-8")
    alt = body.split("![", 1)[1].split("]", 1)[0]
    assert alt in found


def test_second_build_is_byte_identical(pdf_root: Path, tmp_path: Path) -> None:
    again = copy_corpus(tmp_path / "again")
    assert run("build", "--pdf", root=again).code == 0
    assert (again / PDF).read_bytes() == (pdf_root / PDF).read_bytes()


def _pdf_problems(manual, root: Path, tmp_path: Path) -> list[str]:
    """Build the English PDF of `manual` past the check; return the lines of the error it fails with."""
    work = root / "build" / "pdf"
    work.mkdir(parents=True, exist_ok=True)
    with pytest.raises(BuildError) as error:
        build_pdf(localise(manual, "en"), root, tmp_path / "manual.pdf", work)
    assert not (tmp_path / "manual.pdf").exists()
    return error.value.message.splitlines()


def test_unreadable_image_names_the_contribution(tmp_path: Path) -> None:
    # check refuses a file that is not an image: the renderer's own explanation is tested past it.
    root = copy_corpus(tmp_path / "manual")
    manual = merge(check_tree(root))
    (root / "contributions" / "nice" / "promenade-funding.svg").write_text("this is not an image", encoding="utf-8")
    # The English translation, which the English PDF shows, uses the image too.
    assert _pdf_problems(manual, root, tmp_path) == [
        "contributions/nice/promenade-des-anglais-security.en.md: the image 'promenade-funding.svg' cannot be put "
        "in the PDF (failed to parse SVG (unknown token at 1:1)); use a valid PNG, JPEG or SVG file"]


def test_missing_typst_says_what_to_install(base_tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "typst", None)
    result = run("build", "--pdf", root=base_tree)
    assert result.code == 1
    assert result.err.strip().splitlines()[-1] == (
        "Error: the PDF needs the Python package 'typst': run 'make manual' (or pip install -r requirements.txt)")


def test_construct_typst_cannot_render_names_the_contribution(tmp_path: Path) -> None:
    # check refuses a link to a missing anchor: the renderer's own explanation is tested past it.
    root = copy_corpus(tmp_path / "manual")
    manual = merge(check_tree(root))
    c = manual.contributions["madrid-001"]
    broken = with_contribution(manual, dataclasses.replace(
        c, body=c.body + "\nVéase [la sección](#no-existe) y [@smith].\n"))
    message = _pdf_problems(broken, root, tmp_path)
    assert message[0].startswith("contributions/madrid/drones-against-insecurity.md: this contribution "
                                 "cannot be put in the PDF (")
    assert len(message) == 1


def test_running_header_names_the_chapter_of_the_page(reader: pypdf.PdfReader) -> None:
    chapters = [item for item in reader.outline if not isinstance(item, list)]
    for item in chapters:
        page = reader.pages[reader.get_destination_page_number(item)]
        name = item.title.split(". ", 1)[-1]
        header = " ".join(page.extract_text().split())[:200]
        assert header.startswith(f"Continuum, living version {name}"), (item.title, header[:80])
    numbers = [reader.get_destination_page_number(item) for item in chapters]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_source_date_epoch_sets_the_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_corpus(tmp_path / "manual")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # 2027-01-01
    assert run("build", "--pdf", root=root).code == 0
    first = (root / PDF).read_bytes()
    reader = pypdf.PdfReader(root / PDF)
    assert reader.metadata["/CreationDate"].startswith("D:20270101")
    assert "January 1, 2027" in reader.pages[0].extract_text()
    assert run("build", "--pdf", root=root).code == 0
    assert (root / PDF).read_bytes() == first
    sitemap = (root / "site" / "en" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<lastmod>2027-01-01</lastmod>" in sitemap
