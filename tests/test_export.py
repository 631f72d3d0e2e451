"""The exports checked record by record against the bundled corpus."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from manual.validate import schema

from .conftest import REPO, copy_corpus, run
from .test_build_site import CANARY, _published, _translations

LANGUAGES = yaml.safe_load((REPO / "manual.yml").read_text(encoding="utf-8"))["languages"]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("export") / "manual")
    result = run("export", root=root)
    assert result.code == 0, result
    return root / "dist"


def _expected() -> dict[str, dict]:
    expected = {}
    for fm in _published():
        city = yaml.safe_load((REPO / "contributions" / fm["city"] / "city.yml").read_text(encoding="utf-8"))
        common = {"city": fm["city"], "country": city["country"], "themes": fm["themes"], "type": fm["type"],
                  "evidence": fm.get("evidence"), "language": fm["language"], "submitted": str(fm["submitted"]),
                  "last_reviewed": str(fm["last_reviewed"]) if "last_reviewed" in fm else None,
                  "review_by": str(fm["review_by"]) if "review_by" in fm else None, "title": fm["title"].strip()}
        url = f"https://manual.eu-polnet.example/en/contributions/{fm['id']}/"
        expected[fm["id"]] = {**common, "record": "contribution", "strength": None, "url": url}
        for rec in fm.get("recommendations", []):
            expected[rec["id"]] = {**common, "record": "recommendation", "strength": rec.get("strength"),
                                   "url": f"{url}#{rec['id']}", "text": " ".join(rec["text"].split())}
    return expected


def test_json_records_match_the_corpus(dist: Path) -> None:
    data = json.loads((dist / "continuum-manual-2027.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema("export")).validate(data)
    expected = _expected()
    by_id = {record["id"]: record for record in data["records"]}
    assert sorted(by_id) == sorted(expected)
    for record_id, want in expected.items():
        got = by_id[record_id]
        for key, value in want.items():
            assert got[key] == value, (record_id, key)


def test_csv_has_the_same_records(dist: Path) -> None:
    data = json.loads((dist / "continuum-manual-2027.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((dist / "continuum-manual-2027.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(data["records"])
    for row, record in zip(rows, data["records"]):
        for key, value in record.items():
            text = ";".join(value) if isinstance(value, list) else ("" if value is None else str(value))
            assert row[key] == text, (record["id"], key)


def test_docx_holds_the_manual_and_nothing_restricted(dist: Path) -> None:
    with zipfile.ZipFile(dist / "continuum-manual-2027-en.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    for fm in _published():
        assert fm["id"] in document
    assert CANARY not in document


def normalise(text: str) -> str:
    """Text as it can be compared across renderers: typographic quotes and apostrophes as plain ones (pandoc
    turns ' into ’), no spaces and no hyphens (Typst breaks and hyphenates justified lines)."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "«": '"', "»": '"',
                                         "\u00ad": ""}))
    return re.sub(r"[\s\-\u2010]+", "", text)


def shown_translations(lang: str) -> list[tuple[dict, dict]]:
    """The bundled translations into `lang` of published contributions, each with its original's front matter."""
    originals = {fm["id"]: fm for fm in _published()}
    return [(tr, originals[tr["translation_of"]]) for tr in _translations()
            if tr["language"] == lang and tr["translation_of"] in originals]


def assert_in_its_language(text: str, lang: str) -> None:
    """Assert that a manual's `text` shows each translation into `lang`, and not the original's title."""
    text = normalise(text)
    pairs = shown_translations(lang)
    assert pairs, lang  # the bundled corpus has translations into each of its languages
    for tr, original in pairs:
        assert normalise(tr["title"]) in text, (lang, tr["title"])
        assert normalise(tr["summary"]) in text, (lang, tr["summary"])
        if normalise(original["title"]) != normalise(tr["title"]):
            assert normalise(original["title"]) not in text, (lang, original["title"])


def docx_text(path: Path) -> str:
    """The words of a DOCX's body, run after run."""
    with zipfile.ZipFile(path) as docx:
        document = docx.read("word/document.xml").decode("utf-8")
    return html.unescape(" ".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", document)))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_docx_is_in_its_language(dist: Path, lang: str) -> None:
    assert_in_its_language(docx_text(dist / f"continuum-manual-2027-{lang}.docx"), lang)


def test_exports_are_reproducible(dist: Path, tmp_path: Path) -> None:
    again = copy_corpus(tmp_path / "again")
    assert run("export", root=again).code == 0
    for path in dist.iterdir():
        assert (again / "dist" / path.name).read_bytes() == path.read_bytes(), path.name


def test_no_restricted_or_unpublished_record(dist: Path) -> None:
    for name in ("continuum-manual-2027.json", "continuum-manual-2027.csv"):
        content = (dist / name).read_text(encoding="utf-8")
        assert CANARY not in content
        assert "nice-007" not in content and "paris-001" not in content


def test_a_renderer_refuses_the_manual_in_several_languages(base_tree: Path) -> None:
    """The DOCX, the PDF and the site take the manual as read in one language, computed once by
    merge.localise: given the whole manual, they stop instead of mixing languages."""
    from manual.merge import localise, merge
    from manual.render.export import to_docx
    from manual.render.pdf import build_pdf
    from manual.render.site import write_sources
    from manual.validate import check_tree

    manual = merge(check_tree(base_tree))
    for render in (lambda: to_docx(manual), lambda: build_pdf(manual, base_tree, base_tree / "x.pdf", base_tree),
                   lambda: write_sources(manual, base_tree, base_tree / "src")):
        with pytest.raises(ValueError, match="one language"):
            render()
    assert localise(manual, "fr") is localise(manual, "fr") and localise(manual, "fr").language == "fr"


def test_the_docx_pictures_are_raster_images_a_word_processor_reads(dist: Path, tmp_path: Path) -> None:
    """A drawing (the bundled corpus has an SVG diagram) goes into the DOCX as a PNG, which every word
    processor shows and pandoc reads back: an SVG alone needs a PNG beside it for older Word."""
    import pypandoc

    for lang in ("en", "fr"):
        docx = dist / f"continuum-manual-2027-{lang}.docx"
        with zipfile.ZipFile(docx) as archive:
            media = [name for name in archive.namelist() if name.startswith("word/media/")]
            assert media and all(archive.read(name)[:8] == b"\x89PNG\r\n\x1a\n" or archive.read(name)[:3] == b"\xff\xd8\xff"
                                 for name in media), media
        back = pypandoc.convert_file(str(docx), "markdown", extra_args=[f"--extract-media={tmp_path / lang}"])
        assert back.count("![") == len(media) and list((tmp_path / lang).rglob("*.png")), lang
