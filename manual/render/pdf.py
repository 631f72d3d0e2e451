"""Render the PDF: Manual → one pandoc Markdown document per language → Typst → a tagged PDF.

pandoc (shipped by pypandoc-binary) writes the Typst markup; the typst package compiles it with
its embedded fonts (Libertinus Serif and New Computer Modern cover Latin, Greek and Cyrillic).
No TeX, no network. The page design is the preamble below; the content is plain Markdown.

What the PDF and the DOCX embed, and what pandoc and Typst may read and cost, is decided by
render/pandoc.py, whatever the check let through.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ..errors import BuildError, MissingTool
from ..i18n import country_name, evidence_label, format_date, language_name, strength_label, t
from ..editions import CONSULTATION, LIVING
from ..merge import in_one_language
from ..model import MISSING, OUTDATED, Contribution, Manual
from . import markdown as md
from .output import epoch
from .pandoc import (ConversionFailed, convert, converted, first_line, fresh_stage, published_image, stage_images,
                     typst_compile)

_HEADING = re.compile(r"^(#{1,4})(?=\s)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_IMAGE = re.compile(r'image\("([^"]+)"\)')
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_LANG_BLOCK = re.compile(r'(#set text\(lang: "[a-z]{2}"\)); ')


def pdf_name(manual: Manual, lang: str) -> str:
    """Return the file name of the PDF of one language."""
    return f"continuum-manual-{manual.settings.edition}-{lang}.pdf"


def build_pdf(view: Manual, root: Path, output: Path, work: Path) -> Path:
    """Write the PDF of the manual as read in one language (merge.localise) to `output`. Typst reads
    nothing but a staging folder under `work`."""
    lang = in_one_language(view).language
    try:
        import pypandoc  # noqa: F401 (pandoc's path comes from it)
        import typst  # noqa: F401 (it is run in a child process)
    except ImportError as exc:
        raise MissingTool(f"the PDF needs the Python package '{exc.name}': run 'make manual' "
                          "(or pip install -r requirements.txt)") from None
    document = Document(view, lang, root=root)
    markdown = document.markdown()
    stage = fresh_stage(work / f"stage-{lang}")
    stage_images(document, stage)
    body = converted(document, markdown, "typst", stage, f"convert the manual ({lang})", ["--wrap=preserve"])
    body = _fix_typst(body, document)
    source = stage / f"manual-{lang}.typ"
    source.write_text(document.preamble() + body + document.cities_index(), encoding="utf-8")
    try:
        typst_compile(source, stage, output, pdf_standards=["ua-1"], timestamp=epoch(view.build_date))
    except ConversionFailed as exc:
        raise BuildError(_typst_problem(str(exc), document, lang, stage)) from None
    return output


# --- what pandoc and Typst may read -------------------------------------------------------------

def _typst_problem(message: str, document: "Document", lang: str, stage: Path) -> str:
    """Explain a failed compile: Typst's message names no file, so try each image on its own (unless Typst
    fails on an empty page: then no contribution is to blame)."""
    found = []
    probe = stage / "image-probe.typ"
    probe.write_text("", encoding="utf-8")
    try:
        typst_compile(probe, stage)
    except ConversionFailed:
        probe.unlink(missing_ok=True)
        return f"Typst could not build the PDF ({lang}): {message.strip()}"
    for path, c in sorted(document.image_owners.items()):
        probe.write_text(f'#image({_typst_string(path)}, alt: "probe")\n', encoding="utf-8")
        try:
            typst_compile(probe, stage)
        except ConversionFailed as exc:  # any compile failure of this one image
            advice = "use a smaller image (fewer pixels)" if exc.exceeded else "use a valid PNG, JPEG or SVG file"
            found.append(f"{c.path}: the image '{path.rsplit('/', 1)[-1]}' cannot be put in the PDF "
                         f"({first_line(exc)}); {advice}")
    if not found:
        found = _probe_contributions(document, stage, probe)
    probe.unlink(missing_ok=True)
    return "\n".join(found) if found else f"Typst could not build the PDF ({lang}): {message.strip()}"


def _probe_contributions(document: "Document", stage: Path, probe: Path) -> list[str]:
    """Compile each contribution alone, to name the ones Typst cannot render."""
    known = {f"c-{c.id}" for c in document.m.contributions.values()} | set(document.m.recommendations)
    known |= {f"theme-{chapter.theme.id}" for chapter in document.m.chapters}

    def neutralise(match: re.Match) -> str:
        return '#link("#")' if match.group(1) in known else match.group(0)

    found = []
    for c in document.m.contributions.values():
        try:
            body = convert(document, document._contribution(c), "typst", stage)
            body = re.sub(r"#link\(<([^>]+)>\)", neutralise, _fix_typst(body, document))
            probe.write_text(body, encoding="utf-8")
            typst_compile(probe, stage)
        except ConversionFailed as exc:  # any failure of this one contribution
            found.append(f"{c.path}: this contribution cannot be put in the PDF "
                         f"({first_line(exc)}); check its links to '#…' anchors and "
                         "unusual Markdown")
    return found


def _fix_typst(body: str, document: "Document") -> str:
    """Adjust pandoc's Typst: language blocks on their own line, left-aligned tables, images with alt text."""
    body = _LANG_BLOCK.sub(r"\1\n", body).replace("align(center)[#table(", "[#table(")
    return _IMAGE.sub(lambda m: f'image("{m.group(1)}", alt: {_typst_string(document.alt.get(m.group(1), ""))})',
                      body)


def _typst_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_date(date: dt.date) -> str:
    return f"datetime(year: {date.year}, month: {date.month}, day: {date.day})"


def shift_headings(body: str, by: int) -> str:
    """Move the body's headings `by` levels down, outside fenced code blocks."""
    out, fence = [], None
    for line in body.split("\n"):
        marker = _FENCE.match(line)
        if marker:
            fence = None if fence == marker.group(1) else (fence or marker.group(1))
        elif fence is None:
            line = _HEADING.sub(lambda m: "#" * min(len(m.group(1)) + by, 6), line)
        out.append(line)
    return "\n".join(out)


class Document:
    """The manual of one language as a single Markdown document for pandoc."""

    def __init__(self, manual: Manual, lang: str, image_base: str = "/", root: str | Path | None = None):
        self.m = manual
        self.lang = lang
        self.image_base = image_base
        self.root = Path(root or manual.root)  # the manual's folder, where the images are read
        # The images the document may embed (published_image), found as its Markdown is written: the target
        # the Markdown gives each → its name in the manual's folder and in the staging folder; and, by the
        # path Typst reads it at, its description and its contribution.
        self.images: dict[str, str] = {}
        self.alt: dict[str, str] = {}
        self.image_owners: dict[str, Contribution] = {}

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def preamble(self) -> str:
        s = self.m.settings
        subtitle = s.subtitle.get(self.lang, s.subtitle.get("en", ""))
        title = f"{s.title}: {subtitle}" if subtitle else s.title
        date_text = format_date(self.m.build_date, self.lang)
        if self.m.version == LIVING:
            dated = self.t("pdf.living", date=date_text)
        elif self.m.version.endswith(CONSULTATION):
            dated = self.t("pdf.consultation", date=date_text)
        else:
            dated = self.t("pdf.released", date=date_text)
        q = _typst_string
        banner = ""
        if self.m.members:
            banner = (f", background: place(bottom + center, dy: -0.8cm, text(size: 8pt, weight: \"bold\", "
                      f"fill: rgb(\"#a00000\"))[{md_typst(self.t('members.banner'))}])")
        return f"""#set document(title: {q(f"{title} ({self._edition()})")}, author: {q(s.publisher)}, date: {_typst_date(self.m.build_date)})
#set text(lang: "{self.lang}", font: ("Libertinus Serif", "New Computer Modern"), size: 10.5pt)
#set par(justify: true)
#set page(paper: "a4", margin: (x: 2.3cm, top: 2.6cm, bottom: 2.4cm){banner})
#set heading(numbering: "1.")
#show heading.where(level: 2): set heading(numbering: none)
#show heading.where(level: 3): set heading(numbering: none, outlined: false)
#show heading.where(level: 4): set heading(numbering: none, outlined: false)
#show heading.where(level: 5): set heading(numbering: none, outlined: false)
#show heading.where(level: 1): it => {{ pagebreak(weak: true); v(1cm); it; v(0.4cm) }}
#show link: set text(fill: rgb("#1a3a8f"))
#set table(stroke: 0.4pt + luma(160), inset: 5pt)
#show table.cell: set align(left)
#show figure.where(kind: table): set block(breakable: true)
#show table: set text(size: 9pt)
#show table: set par(justify: false)

#page(numbering: none)[
  #v(5cm)
  #text(size: 34pt, weight: "bold")[{md_typst(s.title)}]
  #v(0.3cm)
  #text(size: 17pt)[{md_typst(subtitle)}]
  #v(1.2cm)
  #text(size: 14pt)[{md_typst(self._edition())}]
  #v(0.2cm)
  #text(size: 11pt)[{md_typst(dated)}]
  #v(1fr)
  #text(size: 11pt)[{md_typst(s.publisher)}]
  #v(0.2cm)
  #text(size: 10pt)[{md_typst(self.t("pdf.licence", licence=s.licence))}]
]

#set page(
  numbering: "1",
  header: context {{
    let starting = query(heading.where(level: 1)).filter(h => h.location().page() == here().page())
    let chapters = if starting.len() > 0 {{ starting }} else {{ query(selector(heading.where(level: 1)).before(here())) }}
    set text(size: 8.5pt, fill: luma(90))
    [{md_typst(self._running_title())}]
    h(1fr)
    if chapters.len() > 0 {{ chapters.last().body }}
    line(length: 100%, stroke: 0.3pt + luma(150))
  }},
  footer: context {{ set text(size: 9pt); h(1fr); counter(page).display("1"); h(1fr) }},
)
#counter(page).update(1)

#outline(title: {q(self.t("pdf.contents"))}, depth: 2)

"""

    def markdown(self) -> str:
        parts = []
        for chapter in self.m.chapters:
            theme = chapter.theme
            parts.append(f"# {md.text(theme.name(self.lang))} {{#theme-{theme.id}}}\n\n")
            intro = self.m.root and Path(self.m.root, "docs", self.lang, "themes", f"{theme.id}.md")
            if intro and intro.is_file():
                parts.append(shift_headings(intro.read_text(encoding="utf-8").strip(), 2) + "\n\n")
            if chapter.recommendations:
                parts.append(f"**{self.t('chapter.recommendations')}**\n\n" + self._table(chapter.recommendations))
            own = [c for c in chapter.contributions if c.themes[0] == theme.id]
            others = [c for c in chapter.contributions if c.themes[0] != theme.id]
            for c in own:
                parts.append(self._contribution(c))
            if others:
                parts.append(f"**{self.t('chapter.also')}**\n\n" + "".join(
                    f"- [{md.text(c.title)}](#c-{c.id}) ({self._city_name(c.city)})\n" for c in others) + "\n")
        return "".join(parts)

    def cities_index(self) -> str:
        rows = sorted((c for c in self.m.cities.values() if self.m.city_contributions(c.id)),
                      key=lambda c: (country_name(c.country, self.lang), c.display_name(self.lang)))
        q = _typst_string
        out = f"\n#heading(numbering: none)[{md_typst(self.t('pdf.cities_index'))}]\n\n"
        out += "#table(columns: (auto, auto, 1fr), table.header("
        out += ", ".join(f"[*{md_typst(self.t(k))}*]" for k in ("table.city", "table.country", "table.contributions"))
        out += "),\n"
        for city in rows:
            items = self.m.city_contributions(city.id)
            links = ", ".join(f"#link(label({q('c-' + c.id)}))[{c.id}]" for c in items) or "–"
            out += (f"  [{md_typst(city.display_name(self.lang))}], [{md_typst(country_name(city.country, self.lang))}],"
                    f" [{links}],\n")
        return out + ")\n"

    def _city_name(self, city_id: str) -> str:
        city = self.m.cities.get(city_id)
        return md.text(city.display_name(self.lang) if city else city_id)

    def _table(self, recommendations) -> str:
        head = [self.t("table.id"), self.t("table.recommendation"), self.t("table.strength"),
                self.t("table.evidence"), self.t("table.city")]
        rows = ["| " + " | ".join(head) + " |", "|---|------|---|---|---|"]
        for r in recommendations:
            c = self.m.contributions[r.contribution_id]
            rows.append(f"| [{r.id}](#{r.id}) | {md.inline(r.text)} | {self._strength(r.strength)} | "
                        f"{self._evidence(c.evidence)} | {self._city_name(c.city)} |")
        return "\n".join(rows) + "\n\n"

    def _evidence(self, evidence: str | None) -> str:
        return evidence_label(self.lang, evidence)

    def _strength(self, strength: str | None) -> str:
        return strength_label(self.lang, strength)

    def _edition(self) -> str:
        """"Edition 2026", or "Edition 2027 in preparation" for the living version."""
        key = "pdf.edition_preparing" if self.m.version == LIVING else "pdf.edition"
        return self.t(key, edition=self.m.settings.edition)

    def _running_title(self) -> str:
        s = self.m.settings
        return self.t("pdf.running_living", title=s.title) if self.m.version == LIVING else f"{s.title} {s.edition}"

    def _lang_open(self, language: str) -> str:
        return f"::: {{lang={language}}}\n" if language != self.lang else "::: {}\n"

    def _contribution(self, c: Contribution) -> str:
        city = self.m.cities.get(c.city)
        country = country_name(city.country, self.lang) if city else ""
        lang_open = f"::: {{lang={c.language}}}\n" if c.language != self.lang else "::: {}\n"
        facts = [f"**{self.t('contribution.id')}:** {c.id}",
                 f"**{self.t('contribution.city')}:** {self._city_name(c.city)} ({md.text(country)})",
                 f"**{self.t('contribution.type')}:** {self.t(f'type.{c.type}')}",
                 f"**{self.t('contribution.submitted')}:** {format_date(c.submitted, self.lang)}"]
        if c.last_reviewed:
            facts.append(f"**{self.t('contribution.last_reviewed')}:** {format_date(c.last_reviewed, self.lang)}")
        facts.append(f"**{self.t('contribution.evidence')}:** {self._evidence(c.evidence)}")
        state = self.m.localisations.get(c.id)
        if state and state.translation:
            language = self.t("translation.language", language=language_name(c.language, self.lang),
                              original=language_name(state.original_language, self.lang))
            facts.append(f"**{self.t('contribution.language')}:** {md.text(language)}")
        elif c.language != self.lang:
            facts.append(f"**{self.t('contribution.language')}:** {md.text(language_name(c.language, self.lang))}")
        out = f"## {md.text(c.title)} {{#c-{c.id}}}\n\n" + " · ".join(facts) + "\n\n"
        if state and state.state in (MISSING, OUTDATED):
            notice = self.t(f"translation.{state.state}",
                            language=language_name(state.original_language, self.lang))
            out += f"> {md.text(notice)}\n\n"
        if c.sensitivity == "restricted":
            out += f"**{md.text(self.t('members.restricted'))}**\n\n"
        out += lang_open + f"*{md.text(c.summary)}*\n:::\n\n"
        if c.recommendations:
            out += f"**{self.t('contribution.recommendations')}**\n\n"
            for r in c.recommendations:
                out += (f"[**{r.id}**]{{#{r.id}}} ({self.t('table.strength')}: {self._strength(r.strength)} · "
                        f"{self.t('table.evidence')}: {self._evidence(c.evidence)})\n\n"
                        f"{self._lang_open(r.language or c.language)}{r.text}\n:::\n\n")
        # Guidance comments of the template (<!-- … -->) are for the writer: raw HTML is off for pandoc, so
        # they would otherwise print as text.
        body = shift_headings(_COMMENT.sub("", c.body).strip(), 1)
        for image in c.images:
            name = published_image(self.root, c, image)
            if name is None:
                continue  # pandoc's AST will have its description instead (keep_images)
            target = f"{self.image_base}{c.folder}/{image.source}"
            self.images[target] = name
            self.alt[self.image_base + name] = image.alt
            self.image_owners[self.image_base + name] = c
            body = body.replace(f"]({image.source}", f"]({target}")
        out += lang_open + body + "\n:::\n\n"
        if c.related:
            out += f"**{self.t('contribution.related')}:** " + ", ".join(
                f"[{md.text(self.m.contributions[r].title)}](#c-{r})" for r in c.related) + "\n\n"
        return out


def md_typst(value: str) -> str:
    """Escape text for Typst markup inside [...]."""
    return re.sub(r"([\\#\[\]*_`$<>@=~/\"'-])", r"\\\1", value)
