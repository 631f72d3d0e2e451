"""Render open data: the published recommendations and contributions as JSON and CSV, the manual as DOCX.

One record per published contribution and per published recommendation; the fields are
documented in schema/export.schema.json. Restricted and unpublished contributions never
reach this stage: the merge left them out.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from pathlib import Path

from ..errors import MissingTool
from ..merge import in_one_language, localise
from ..model import Contribution, Manual
from . import urls
from .output import source_date, staged_files
from .pandoc import converted, fresh_stage, raster_copies, stage_images
from .pdf import Document

FIELDS = ("record", "id", "contribution_id", "title", "text", "city", "city_name", "country", "themes", "type",
          "evidence", "strength", "language", "submitted", "last_reviewed", "review_by", "url")


def records(manual: Manual) -> list[dict]:
    """Return the export records: each contribution, then its recommendations, by id."""
    lang = manual.settings.languages[0]
    out = []
    for c in manual.contributions.values():
        url = urls.permanent_address(manual, lang, c.id)
        base = _common(manual, c, lang)
        out.append({"record": "contribution", "id": c.id, "contribution_id": c.id, "title": c.title,
                    "text": c.summary, **base, "strength": None, "url": url})
        for r in c.recommendations:
            out.append({"record": "recommendation", "id": r.id, "contribution_id": c.id, "title": c.title,
                        "text": " ".join(r.text.split()), **base, "strength": r.strength,
                        "url": urls.permanent_address(manual, lang, c.id, r.id)})
    return [{name: record[name] for name in FIELDS} for record in out]


def _common(manual: Manual, c: Contribution, lang: str) -> dict:
    city = manual.cities.get(c.city)
    return {
        "city": c.city,
        "city_name": city.display_name(lang) if city else c.city,
        "country": city.country if city else None,
        "themes": list(c.themes),
        "type": c.type,
        "evidence": c.evidence,
        "language": c.language,
        "submitted": c.submitted.isoformat(),
        "last_reviewed": c.last_reviewed.isoformat() if c.last_reviewed else None,
        "review_by": c.review_by.isoformat() if c.review_by else None,
    }


def to_json(manual: Manual) -> bytes:
    """Return the JSON export: the manual's identity and its records."""
    s = manual.settings
    document = {"$schema": "https://eu-polnet.example/continuum/schema/export.schema.json",
                "title": s.title, "edition": s.edition, "date": manual.build_date.isoformat(),
                "licence": s.licence, "records": records(manual)}
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def to_csv(manual: Manual) -> bytes:
    """Return the CSV export: one row per record, themes joined with ';'."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for record in records(manual):
        writer.writerow({k: (";".join(v) if isinstance(v, list) else ("" if v is None else v))
                         for k, v in record.items()})
    return buffer.getvalue().encode("utf-8")


def to_docx(view: Manual) -> bytes:
    """Return the whole manual as read in one language (merge.localise) as a Word document, through pandoc,
    with the images of the published contributions' own folders only."""
    lang = in_one_language(view).language
    try:
        import pypandoc  # noqa: F401 (pandoc's path comes from it)
    except ImportError:
        raise MissingTool("the DOCX export needs pandoc: install the Python package pypandoc-binary "
                          "(make manual does)") from None
    s = view.settings
    subtitle = s.subtitle.get(lang, s.subtitle.get("en", ""))
    header = (f"---\ntitle: {json.dumps(s.title)}\nsubtitle: {json.dumps(subtitle)}\n"
              f"date: {json.dumps(view.build_date.isoformat())}\nlang: {lang}\n---\n\n")
    document = Document(view, lang, image_base="")
    markdown = header + document.markdown()
    with tempfile.TemporaryDirectory() as work, source_date(view.build_date):
        stage = fresh_stage(Path(work) / "stage")
        stage_images(document, stage)
        target = Path(work) / "manual.docx"
        # Drawings as pictures: pandoc can't add the PNG that Word needs beside an SVG.
        converted(document, markdown, "docx", stage, f"write the DOCX ({lang})", ["--toc"], output=target,
                  renamed=raster_copies(document, stage))
        return target.read_bytes()


def export(manual: Manual, dist: Path, formats: list[str]) -> list[Path]:
    """Write the chosen exports into `dist`; none is replaced unless all are written."""
    name = f"continuum-manual-{manual.settings.edition}"
    outputs: list[tuple[str, bytes]] = []
    for fmt in formats:
        if fmt == "json":
            outputs.append((f"{name}.json", to_json(manual)))
        elif fmt == "csv":
            outputs.append((f"{name}.csv", to_csv(manual)))
        elif fmt == "docx":
            outputs += [(f"{name}-{lang}.docx", to_docx(localise(manual, lang)))
                        for lang in manual.settings.languages]
    with staged_files(dist) as new:
        for filename, data in outputs:
            new(filename).write_bytes(data)
    return [dist / filename for filename, _ in outputs]
