"""Translations of contributions: fingerprints, freshness, and the translators' files (PO).

A translation is a sibling file `<slug>.<lang>.md` of the original `<slug>.md`. It carries only
what is translated (title, summary, recommendation texts, body), the id it translates
(`translation_of`) and the fingerprint of the source text it was made from
(`source_fingerprint`). When the original's text changes, its fingerprint changes, and the
translation is reported as outdated.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import yaml

from .errors import ManualError
from .model import Contribution, Manual, Translation

if TYPE_CHECKING:
    import polib

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schema"

FINGERPRINT_LENGTH = 16


def fingerprint_texts(title: str, summary: str, recommendations: Iterable[tuple[str, str]], body: str) -> str:
    """Return the fingerprint of a contribution's translatable text.

    Only the words count: whitespace at the ends of each part and line endings are ignored, so
    re-wrapping a YAML block or saving with CRLF does not mark translations outdated.
    """
    digest = hashlib.sha256()
    parts = [title, summary, *(f"{rec_id}\n{text}" for rec_id, text in recommendations), body]
    for part in parts:
        digest.update(" ".join(part.split()).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def fingerprint(contribution: Contribution) -> str:
    """Return the fingerprint of a validated Contribution's translatable text."""
    return fingerprint_texts(contribution.title, contribution.summary,
                             [(r.id, r.text) for r in contribution.recommendations], contribution.body)


_HEADING_LINE = re.compile(r"^#{1,6}[ \t].*$", re.MULTILINE)


def not_translated_yet(original: Contribution, translation: Translation) -> bool:
    """Tell whether a translation still holds the original's words (as `translations new` writes it).

    Such a file is not shown as a translation: readers would get the original's language labelled
    as theirs.
    """
    def words(text: str) -> str:
        return " ".join(_HEADING_LINE.sub("", text).split())

    return (" ".join(original.title.split()) == " ".join(translation.title.split())
            or (words(original.body) == words(translation.body) and bool(words(original.body))))


def as_contribution(original: Contribution, translation: Translation) -> Contribution:
    """Return the original with the translation's text: what a reader of that language sees.

    A recommendation the translation lacks keeps its original text, marked with its language.
    """
    texts = dict(translation.recommendations)
    recommendations = tuple(
        dataclasses.replace(r, text=texts[r.id]) if r.id in texts else
        dataclasses.replace(r, language=r.language or original.language)
        for r in original.recommendations)
    return dataclasses.replace(
        original, path=translation.path, title=translation.title, summary=translation.summary,
        language=translation.language, body=translation.body, body_line=translation.body_line,
        recommendations=recommendations, images=translation.images, attachments=translation.attachments)


# --- what to translate ------------------------------------------------------------------------

@dataclass(frozen=True)
class Status:
    """The translation status of one language: published contributions written in another language."""

    language: str
    translated: list[tuple[Contribution, Translation]]
    outdated: list[tuple[Contribution, Translation, str]]  # with the fingerprint the translation must get
    missing: list[Contribution]

    @property
    def total(self) -> int:
        return len(self.translated) + len(self.outdated) + len(self.missing)


def status(manual: Manual, lang: str) -> Status:
    """Sort the manual's contributions written in another language than `lang` by translation state."""
    translated, outdated, missing = [], [], []
    for c in manual.contributions.values():
        if c.language == lang:
            continue
        tr = manual.translations.get(c.id, {}).get(lang)
        if tr is None:
            missing.append(c)
        elif tr.source_fingerprint == manual.fingerprints[c.id]:
            translated.append((c, tr))
        else:
            outdated.append((c, tr, manual.fingerprints[c.id]))
    return Status(lang, translated, outdated, missing)


def translation_path(original: Contribution, lang: str) -> str:
    """Return where the translation of `original` into `lang` lives: beside it, `<slug>.<lang>.md`."""
    stem = PurePosixPath(original.path).stem
    return f"{original.folder}/{stem}.{lang}.md"


# --- writing translation files ----------------------------------------------------------------

def render_translation(original: Contribution, lang: str, *, title: str, summary: str,
                       recommendations: Iterable[tuple[str, str]], body: str) -> str:
    """Return the text of a translation file of `original` into `lang`."""
    data: dict = {"translation_of": original.id, "language": lang, "source_fingerprint": fingerprint(original),
                  "title": title, "summary": summary}
    recs = [{"id": rec_id, "text": text} for rec_id, text in recommendations]
    if recs:
        data["recommendations"] = recs
    front = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return (f"---\n# yaml-language-server: $schema=../../schema/translation.schema.json\n{front}---\n\n"
            f"{body.strip()}\n")


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks (>-), the way contributors write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = ">" if len(value) > 80 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def localise_headings(body: str, source_lang: str, target_lang: str) -> str:
    """Replace the manual's section headings of `source_lang` by those of `target_lang`."""
    names = yaml.safe_load((SCHEMA_DIR / "sections.yml").read_text(encoding="utf-8"))["sections"]
    mapping = {by_lang[source_lang].casefold(): by_lang[target_lang] for by_lang in names.values()
               if source_lang in by_lang and target_lang in by_lang}

    def swap(match: re.Match) -> str:
        return f"## {mapping.get(match.group(1).strip().casefold(), match.group(1).strip())}"

    return re.sub(r"^##[ \t]+(.+?)[ \t]*$", swap, body, flags=re.MULTILINE)


def new_translation(root: Path, manual: Manual, contribution_id: str, lang: str) -> Path:
    """Create the translation file of a contribution into `lang`, to be translated over; return its path."""
    original = manual.contributions.get(contribution_id)
    if original is None:
        raise ManualError(f"no published contribution has the id '{contribution_id}'; "
                          "'python build_manual.py translations' lists what can be translated")
    if original.language == lang:
        raise ManualError(f"{contribution_id} is written in '{lang}' already: choose another language")
    rel = translation_path(original, lang)
    target = root / rel
    if target.exists():
        raise ManualError(f"{rel} exists already: edit it, and copy the fingerprint that 'check' gives "
                          "once it is up to date")
    body = localise_headings(original.body, original.language, lang)
    target.write_text(render_translation(original, lang, title=original.title, summary=original.summary,
                                         recommendations=[(r.id, r.text) for r in original.recommendations],
                                         body=body), encoding="utf-8")
    return target


# --- gettext PO files for translators -------------------------------------------------------------

_BLANK = re.compile(r"\n[ \t]*\n")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def blocks(body: str) -> list[str]:
    """Split a Markdown text into the blocks a translator works on: paragraphs, headings, lists, code."""
    found: list[str] = []
    current: list[str] = []
    fence = None
    for line in body.strip().split("\n"):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
        if fence is None and not marker and not line.strip():
            if current:
                found.append("\n".join(current))
                current = []
            continue
        current.append(line.rstrip())
    if current:
        found.append("\n".join(current))
    return found


def export_po(manual: Manual, lang: str) -> "polib.POFile":
    """Return a PO file with the texts of every contribution not translated into `lang`, or outdated there."""
    import polib

    state = status(manual, lang)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": f"{manual.settings.title} {manual.settings.edition}",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "build_manual.py translations export",
    }
    todo = [(c, None) for c in state.missing] + [(c, tr) for c, tr, _ in state.outdated]
    for c, previous in sorted(todo, key=lambda item: item[0].id):
        note = f"source_fingerprint: {manual.fingerprints[c.id]}"
        if previous is not None:
            note += f"\nupdates the outdated translation {previous.path}"
        units = [("title", c.title), ("summary", c.summary)]
        units += [(r.id, r.text) for r in c.recommendations]
        units += [(f"body:{index}", block) for index, block in enumerate(blocks(c.body), start=1)]
        for name, text in units:
            po.append(polib.POEntry(msgctxt=f"{c.id}|{name}", msgid=text, msgstr="", comment=note,
                                    occurrences=[(c.path, "")]))
    return po


@dataclass(frozen=True)
class Imported:
    """What `import_po` did: the files written, and the contributions left out because incomplete."""

    written: list[Path]
    incomplete: list[str]


def import_po(root: Path, manual: Manual, po_path: Path) -> Imported:
    """Write the translations of a PO file into translation files.

    The whole file is refused when any of its originals changed since it was exported (their
    fingerprints differ), so nothing is written from stale texts; a contribution whose texts are
    not all translated (or still fuzzy) is left out and reported.
    """
    import polib

    try:
        po = polib.pofile(str(po_path))
    except (OSError, ValueError) as exc:
        raise ManualError(f"{po_path} can't be read as a PO file: {exc}") from None
    lang = (po.metadata.get("Language") or "").strip().split("_")[0].lower()
    if not re.fullmatch(r"[a-z]{2}", lang):
        raise ManualError(f"{po_path} does not say its language: its header needs a line \"Language: fr\\n\"")
    units: dict[str, dict[str, polib.POEntry]] = {}
    stale = []
    for entry in po:
        if entry.obsolete or "|" not in (entry.msgctxt or ""):
            continue
        cid, name = entry.msgctxt.split("|", 1)
        units.setdefault(cid, {})[name] = entry
    for cid, entries in sorted(units.items()):
        original = manual.contributions.get(cid)
        if original is None:
            raise ManualError(f"{po_path}: '{cid}' is no published contribution's id; was the PO file exported "
                              "from this manual?")
        notes = {m.group(1) for e in entries.values() for m in [re.search(r"source_fingerprint: ([0-9a-f]+)",
                                                                          e.comment or "")] if m}
        if notes != {manual.fingerprints[cid]}:
            stale.append(f"  {cid} ({original.path}) has changed since the file was exported")
    if stale:
        raise ManualError(f"{po_path} was made from texts that have changed since, so it is refused and nothing "
                          "was written:\n" + "\n".join(stale) + "\nExport again ('python build_manual.py "
                          f"translations export --lang {lang}'), and let the translation memory carry the work over")
    written, incomplete = [], []
    for cid, entries in sorted(units.items()):
        original = manual.contributions[cid]
        if original.language == lang:
            raise ManualError(f"{po_path} is in '{lang}', the language of {cid}'s original")
        done = {name: e.msgstr for name, e in entries.items() if e.msgstr.strip() and "fuzzy" not in e.flags}
        needed = ["title", "summary", *(r.id for r in original.recommendations),
                  *(f"body:{i}" for i in range(1, len(blocks(original.body)) + 1))]
        if any(name not in done for name in needed):
            incomplete.append(cid)
            continue
        body = "\n\n".join(done[f"body:{i}"].strip("\n") for i in range(1, len(blocks(original.body)) + 1))
        text = render_translation(original, lang, title=done["title"].strip(),
                                  summary=" ".join(done["summary"].split()),
                                  recommendations=[(r.id, done[r.id].strip()) for r in original.recommendations],
                                  body=body)
        target = root / translation_path(original, lang)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return Imported(written, incomplete)
