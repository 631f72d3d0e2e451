"""The multilingual manual: one site and one PDF per language, translations and their freshness."""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pypdf
import pytest
import yaml

from manual.merge import merge
from manual.translate import blocks, fingerprint, localise_headings
from manual.validate import check_tree

from .conftest import REPO, copy_corpus, run

LANGUAGES = yaml.safe_load((REPO / "manual.yml").read_text(encoding="utf-8"))["languages"]
# Words of the generated text that only appear in one language's pages.
OWN_WORDS = {"en": "Translation status", "fr": "État des traductions"}


def _pages(site: Path, lang: str) -> list[Path]:
    return sorted((site / lang).rglob("*.html"))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_at_least_english_and_french_are_configured() -> None:
    assert {"en", "fr"} <= set(LANGUAGES)


def test_each_language_has_its_pages_in_its_language(built_corpus: Path) -> None:
    site = built_corpus / "site"
    names = {lang: sorted(p.relative_to(site / lang).as_posix() for p in _pages(site, lang)) for lang in LANGUAGES}
    assert len(names["en"]) > 80
    for lang in LANGUAGES:
        assert names[lang] == names["en"], lang  # the same pages in every language
        for path in _pages(site, lang):
            html = path.read_text(encoding="utf-8")
            assert f'<html lang="{lang}"' in html, path
            for other, word in OWN_WORDS.items():
                if path.name != "404.html":
                    assert (word in html) == (other == lang), (path, word)


def test_each_search_index_has_only_its_language(built_corpus: Path) -> None:
    site = built_corpus / "site"
    for lang in LANGUAGES:
        index = json.loads((site / lang / "search" / "search_index.json").read_text(encoding="utf-8"))
        assert index["config"]["lang"] == [lang]
        locations = {doc["location"].split("#", 1)[0] for doc in index["docs"]}
        for location in locations:
            assert (site / lang / location / "index.html").is_file() or (site / lang / location).is_file(), location
        texts = " ".join(doc["title"] + " " + doc["text"] for doc in index["docs"])
        for other, word in OWN_WORDS.items():
            assert (word in texts) == (other == lang), (lang, word)
    # The French site's search uses the French stemmer: Material ships it and the page loads it.
    assert (site / "fr" / "assets" / "javascripts" / "lunr" / "min" / "lunr.fr.min.js").is_file()


def test_language_switcher_links_to_the_same_page(built_corpus: Path) -> None:
    site = built_corpus / "site"
    checked = 0
    for lang in LANGUAGES:
        for path in _pages(site, lang):
            if path.name == "404.html":
                continue
            html = path.read_text(encoding="utf-8")
            rel = path.relative_to(site / lang).as_posix()
            for other in LANGUAGES:
                match = re.search(rf'<a href="([^"]+)" hreflang="{other}"', html)
                assert match, (path, other)
                target = (path.parent / match.group(1)).resolve()
                target = target / "index.html" if target.is_dir() else target
                assert target == (site / other / rel).resolve(), (path, other, match.group(1))
                checked += 1
    assert checked > 150


def test_translated_outdated_and_missing_pages(built_corpus: Path) -> None:
    site = built_corpus / "site"

    def page(lang: str, cid: str, name: str = "index.html") -> str:
        return (site / lang / "contributions" / cid / name).read_text(encoding="utf-8")

    # Translated: the English text, a link to the original, which has its own page in its language.
    nice = page("en", "nice-005")
    assert "Securing the Promenade des Anglais" in nice and "Translated from French." in nice
    assert '<a href="original/">Read the original text</a>' in nice
    original = page("en", "nice-005", "original/index.html")
    assert '<div class="continuum-body" lang="fr">' in original and "Sécuriser la promenade" in original
    # Outdated: still published, under a notice.
    dijon = page("en", "dijon-001")
    assert "This translation may be out of date: the original text, in French, has changed" in dijon
    # Missing: the original text with a notice in the reader's language naming the original language.
    madrid = page("en", "madrid-002")
    assert "has not been translated into English yet; it is shown in its original language, Spanish." in madrid
    assert '<div class="continuum-body" lang="es">' in madrid and re.search(r'<h1 id="[^"]+" lang="es">', madrid)
    french = page("fr", "madrid-002")
    assert "n'a pas encore été traduite en français ; elle est présentée dans sa langue d'origine, espagnol." \
        in french.replace("&#39;", "'").replace("’", "'")
    # A French translation of a Spanish original.
    assert "Traduit de l'original en espagnol." in page("fr", "madrid-001").replace("&#39;", "'")


def test_translation_status_page_counts_every_state(built_corpus: Path) -> None:
    text = _text((built_corpus / "site" / "en" / "translations" / "index.html").read_text(encoding="utf-8"))
    match = re.search(r"Of the (\d+) contributions written in another language: translated into English, (\d+); "
                      r"with a translation that may be out of date, (\d+); not translated yet, (\d+)\.", text)
    assert match, text[:500]
    total, translated, outdated, missing = map(int, match.groups())
    assert total == translated + outdated + missing and translated >= 3 and outdated == 1 and missing >= 10
    outdated = text.rsplit("Translations that may be out of date", 1)[1].rsplit("Not yet translated", 1)[0]
    assert "dijon-001" in outdated


def test_outdated_translation_is_detected_after_editing_its_source(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    assert "nice-005" not in run("check", root=root).out
    original = root / "contributions" / "nice" / "promenade-des-anglais-security.md"
    original.write_text(original.read_text(encoding="utf-8").replace(
        "## Résultats\n", "## Résultats\n\nUne phrase ajoutée après la traduction.\n", 1), encoding="utf-8")
    result = run("check", root=root)
    assert result.code == 0
    assert re.search(r"contributions/nice/promenade-des-anglais-security\.en\.md:\d+:\d+: warning "
                     r"\[outdated-translation\] the original \(contributions/nice/promenade-des-anglais-security\.md\) "
                     r"has changed since this translation was made; bring the translation up to date, then write "
                     r"'source_fingerprint: [0-9a-f]{16}'", result.out), result.out
    # Re-wrapping the text without changing a word does not make a translation outdated.
    root2 = copy_corpus(tmp_path / "again")
    original = root2 / "contributions" / "nice" / "promenade-des-anglais-security.md"
    original.write_text(original.read_text(encoding="utf-8").replace("la sécurisation de la\npromenade",
                                                                     "la sécurisation\nde la promenade"),
                        encoding="utf-8")
    assert "outdated-translation] the original (contributions/nice/promenade" not in run("check", root=root2).out


def test_status_command_lists_what_to_do() -> None:
    result = run("translations", root=REPO)
    assert result.code == 0, result
    assert re.search(r"en: \d+ translated, 1 outdated, \d+ missing", result.out), result.out
    assert re.search(r"fr: \d+ translated, 0 outdated, \d+ missing", result.out), result.out
    assert "contributions/dijon/on-dijon-command-centre.en.md" in result.out
    assert "python build_manual.py translations new madrid-002 --lang en" in result.out
    only = run("translations", "--lang", "fr", root=REPO)
    assert "fr:" in only.out and "en:" not in only.out


def test_new_translation_has_the_fingerprint_and_passes_check(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    result = run("translations", "new", "madrid-002", "--lang", "en", root=root)
    assert result.code == 0, result
    created = root / "contributions" / "madrid" / "mado-festival-cooperation.en.md"
    assert str(created.relative_to(root)) in result.out
    text = created.read_text(encoding="utf-8")
    sources = check_tree(root)
    original = next(c for c in sources.contributions if c.id == "madrid-002")
    assert f"source_fingerprint: {fingerprint(original)}" in text
    assert "## Context" in text and "## Contexto" not in text  # section headings in the translation's language
    # It passes check; until someone translates it, it says so and readers keep the original's notice.
    assert [p.code for p in sources.problems if p.file.endswith(".en.md") and "mado" in p.file] == \
        ["not-translated-yet"]
    again = run("translations", "new", "madrid-002", "--lang", "en", root=root)
    assert again.code == 1 and "exists already" in again.err
    wrong = run("translations", "new", "madrid-002", "--lang", "es", root=root)
    assert wrong.code == 1 and "is written in 'es' already" in wrong.err
    unknown = run("translations", "new", "madrid-099", "--lang", "fr", root=root)
    assert unknown.code == 1 and "no published contribution has the id 'madrid-099'" in unknown.err


def _translate(entry: polib.POEntry, source_lang: str) -> str:
    """What a translator would write: here, the French headings and a marked text."""
    if entry.msgid.startswith("## "):
        return localise_headings(entry.msgid, source_lang, "fr")
    return "FR " + entry.msgid


def test_export_then_import_round_trips(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    po_file = tmp_path / "fr.po"
    result = run("translations", "export", "--lang", "fr", "--output", str(po_file), root=root)
    assert result.code == 0, result
    po = polib.pofile(str(po_file))
    manual = merge(check_tree(root))
    todo = {c.id for c in manual.contributions.values() if c.language != "fr"} - \
        {cid for cid, by_lang in manual.translations.items() if "fr" in by_lang}
    assert {e.msgctxt.split("|")[0] for e in po} == todo
    assert po.metadata["Language"] == "fr"
    madrid = manual.contributions["madrid-002"]
    assert len([e for e in po if e.msgctxt.startswith("madrid-002|body:")]) == len(blocks(madrid.body))
    for entry in po:
        entry.msgstr = _translate(entry, manual.contributions[entry.msgctxt.split("|")[0]].language)
    # One contribution left half-done is not written.
    half = next(e for e in po if e.msgctxt == "madrid-002|summary")
    half.msgstr = ""
    po.save(str(po_file))
    result = run("translations", "import", str(po_file), root=root)
    assert result.code == 0, result
    assert "madrid-002" in result.out and "not complete" in result.out
    sources = check_tree(root)
    assert not sources.errors, sources.errors
    after = merge(sources)
    for cid in todo - {"madrid-002"}:
        translation = after.translations[cid]["fr"]
        assert translation.title == "FR " + after.contributions[cid].title
        assert translation.source_fingerprint == after.fingerprints[cid]
    assert "fr" not in after.translations.get("madrid-002", {})
    status = run("translations", "--lang", "fr", root=root)
    assert "fr: " in status.out and ", 0 outdated, 1 missing" in status.out


def test_import_refuses_a_file_made_from_changed_originals(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    po_file = tmp_path / "en.po"
    assert run("translations", "export", "--lang", "en", "--output", str(po_file), root=root).code == 0
    po = polib.pofile(str(po_file))
    for entry in po:
        entry.msgstr = "EN " + entry.msgid
    po.save(str(po_file))
    original = root / "contributions" / "madrid" / "mado-festival-cooperation.md"
    original.write_text(original.read_text(encoding="utf-8") + "\nUna frase nueva.\n", encoding="utf-8")
    before = sorted(p.name for p in (root / "contributions").rglob("*.en.md"))
    result = run("translations", "import", str(po_file), root=root)
    assert result.code == 1
    assert "madrid-002 (contributions/madrid/mado-festival-cooperation.md) has changed since the file was " \
           "exported" in result.err
    assert "nothing was written" in result.err
    assert sorted(p.name for p in (root / "contributions").rglob("*.en.md")) == before


def test_a_pdf_per_language_with_the_fallback_notice(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    assert run("build", "--pdf", root=root).code == 0
    for lang, notice, translated in (
            ("en", "has not been translated into English yet", "Securing the Promenade des Anglais"),
            ("fr", "pas encore été traduite en français", "Des sessions de formation et des ateliers thématiques")):
        reader = pypdf.PdfReader(root / "dist" / f"continuum-manual-2027-{lang}.pdf")
        assert reader.trailer["/Root"]["/Lang"] == lang
        text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
        assert notice in text.replace("’", "'"), lang
        assert translated in text, lang


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_generated_text_is_translated(lang: str) -> None:
    en = yaml.safe_load((REPO / "manual" / "labels" / "en.yml").read_text(encoding="utf-8"))
    other = yaml.safe_load((REPO / "manual" / "labels" / f"{lang}.yml").read_text(encoding="utf-8"))
    assert set(other) == set(en)
    themes = yaml.safe_load((REPO / "themes.yml").read_text(encoding="utf-8"))
    assert all(lang in theme["name"] for theme in themes)
    assert sorted(p.name for p in (REPO / "docs" / lang).rglob("*.md")) == \
        sorted(p.name for p in (REPO / "docs" / "en").rglob("*.md"))


def test_adding_a_language_is_a_line_in_manual_yml(tmp_path: Path) -> None:
    """Spanish with its theme names but no labels nor editorial pages yet: every page exists, and what is
    not translated yet is marked as English."""
    root = copy_corpus(tmp_path / "manual")
    themes = root / "themes.yml"
    themes.write_text(re.sub(r"^(    fr: .*)$", r"\1\n    es: Capítulo", themes.read_text(encoding="utf-8"),
                             flags=re.MULTILINE), encoding="utf-8")
    settings = root / "manual.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("languages: [en, fr]", "languages: [en, fr, es]"),
                        encoding="utf-8")
    assert run("build", root=root).code == 0
    site = root / "site"
    assert sorted(p.relative_to(site / "es").as_posix() for p in _pages(site, "es")) == \
        sorted(p.relative_to(site / "en").as_posix() for p in _pages(site, "en"))
    about = (site / "es" / "about" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in about and '<div lang="en">' in about
    # A Spanish original is shown as the original in the Spanish site: no notice.
    madrid = (site / "es" / "contributions" / "madrid-002" / "index.html").read_text(encoding="utf-8")
    assert "admonition" not in madrid and 'lang="es"' not in madrid.split("<body", 1)[1].split("md-content", 1)[1][:2000]
