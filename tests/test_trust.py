"""Restricted content: never in any public output, everywhere in the members' build, always marked."""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from pathlib import Path

import pypdf
import pytest

from .conftest import copy_corpus, run, tree_bytes
from .test_build_site import CANARY, _front_matters

RESTRICTED = [fm for fm in _front_matters() if fm["sensitivity"] == "restricted"]
BANNERS = {"en": "Restricted — network members only", "fr": "Diffusion restreinte — réservé aux membres du réseau"}
TRANSLATION_CANARY = "CANARY-TRANSLATION-NICE-007"


def flat(text: str) -> str:
    """A text as the outputs may give it: typographic quotes and apostrophes made plain, HTML's escapes of
    them undone, and whitespace (where a PDF breaks lines) collapsed."""
    for fancy, plain in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("&#39;", "'"),
                         ("&#x27;", "'"), ("&quot;", '"'), ("&amp;", "&"), ("\u00a0", " "), ("\u202f", " ")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def _texts(folder: Path) -> dict[str, str]:
    """Return the readable text of every file under `folder`: gzip, PDF and DOCX opened."""
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if path.suffix == ".pdf":
            text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
        elif path.suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as docx:
                text = "\n".join(docx.read(name).decode("utf-8", "replace") for name in docx.namelist())
        else:
            text = data.decode("utf-8", "replace")
        texts[path.relative_to(folder).as_posix()] = flat(text)
    return texts


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_corpus(tmp_path_factory.mktemp("trust") / "manual")
    # A public contribution that points to the restricted one must show nothing of it.
    public = root / "contributions" / "nice" / "carnival-visiting-officers.md"
    public.write_text(public.read_text(encoding="utf-8").replace(
        "related: [madrid-002, madrid-003, nice-003]", "related: [madrid-002, madrid-003, nice-003, nice-007]"),
        encoding="utf-8")
    # A translation of the restricted contribution is restricted too.
    from manual.merge import merge
    from manual.translate import new_translation
    from manual.validate import check_tree
    translation = new_translation(root, merge(check_tree(root), members=True), "nice-007", "en")
    text = translation.read_text(encoding="utf-8")
    text = re.sub(r"^title: (?:>-\n(?:  .*\n)+|.*\n)",
                  "title: 'Operational note: coordinating the Carnival with visiting officers'\n",
                  text, count=1, flags=re.MULTILINE)
    translation.write_text(text.replace("## What was done", f"## What was done\n\n{TRANSLATION_CANARY}", 1),
                           encoding="utf-8")
    for args in (("build", "--pdf"), ("export",), ("build", "--members", "--pdf"), ("export", "--members")):
        result = run(*args, root=root)
        assert result.code == 0, (args, result)
    return root


def test_the_corpus_has_a_restricted_canary() -> None:
    assert RESTRICTED and any(fm["id"] == "nice-007" for fm in RESTRICTED)


def test_no_public_output_holds_restricted_content(both: Path) -> None:
    texts = {**{f"site/{k}": v for k, v in _texts(both / "site").items()},
             **{f"dist/{k}": v for k, v in _texts(both / "dist").items()}}
    kinds = {name.rsplit(".", 1)[-1] for name in texts}
    assert {"html", "json", "xml", "pdf", "csv", "docx"} <= kinds
    assert "site/en/search/search_index.json" in texts and "site/en/sitemap.xml.gz" in texts
    for fm in RESTRICTED:
        for name, text in texts.items():
            assert CANARY not in text, name
            assert fm["id"] not in text, name
            assert flat(fm["title"]) not in text, name
            assert TRANSLATION_CANARY not in text, name
            for banner in BANNERS.values():
                assert banner not in text, name


def test_tags_only_a_restricted_contribution_has_are_not_public(both: Path) -> None:
    public_tags = {t for fm in _front_matters() if fm["sensitivity"] == "public" and fm["status"] == "approved"
                   for t in fm.get("tags", [])}
    for fm in RESTRICTED:
        for tag in set(fm.get("tags", [])) - public_tags:
            assert not (both / "site" / "en" / "tags" / tag).exists()


def test_members_build_has_it_and_marks_every_page(both: Path) -> None:
    site = both / "site-members"
    page = (site / "en" / "contributions" / "nice-007" / "index.html").read_text(encoding="utf-8")
    assert CANARY in page
    pages = list(site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        if path != site / "index.html":  # (the root's 404 page speaks every language, the default first)
            lang = path.relative_to(site).parts[0] if path.parent != site else "en"
            assert BANNERS[lang] in path.read_text(encoding="utf-8"), path
    english = (site / "en" / "contributions" / "nice-007" / "index.html").read_text(encoding="utf-8")
    assert TRANSLATION_CANARY in english
    for lang, banner in BANNERS.items():
        reader = pypdf.PdfReader(both / "dist-members" / f"continuum-manual-2027-{lang}.pdf")
        for number, pdf_page in enumerate(reader.pages, start=1):
            assert " ".join(banner.split()) in " ".join(pdf_page.extract_text().split()), (lang, number)
        assert CANARY in "\n".join(p.extract_text() for p in reader.pages)
    assert "nice-007" in (both / "dist-members" / "continuum-manual-2027.json").read_text(encoding="utf-8")


def test_members_build_never_touches_the_public_folders(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    assert run("build", "--pdf", root=root).code == 0
    before = {**tree_bytes(root / "site"), **{f"dist/{k}": v for k, v in tree_bytes(root / "dist").items()}}
    assert run("build", "--members", "--pdf", root=root).code == 0
    after = {**tree_bytes(root / "site"), **{f"dist/{k}": v for k, v in tree_bytes(root / "dist").items()}}
    assert after == before
    result = run("build", "--members", "--site-dir", str(root / "site"), root=root)
    assert result.code == 2 and "never writes to the public site/" in result.err
