"""The PDF and the DOCX embed only files of the published contributions' own folders, whatever the texts say.

`check` refuses images outside a contribution's folder, but the renderers must be safe even where a
check misses one: these tests bypass it, giving the renderers a manual whose texts point at host
files (/etc/passwd, /etc/hostname) and at a restricted contribution's image.
"""

from __future__ import annotations

import dataclasses
import io
import json
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import pypandoc
import pypdf
import pytest
from PIL import Image

from manual.errors import BuildError
from manual.merge import localise, merge
from manual.model import Contribution, FileLink, Manual
from manual.render import pandoc
from manual.render.export import to_docx
from manual.render.pandoc import PANDOC_FORMAT, keep_images
from manual.render.pdf import build_pdf
from manual.validate import check_tree

from .conftest import FIXTURES, run, tree_bytes

SECRET = """---
id: paris-001
title: A restricted plan
city: paris
language: en
themes: [major-events]
type: practice
summary: For the network's members only.
status: approved
sensitivity: restricted
submitted: 2024-03-01
---

## Context

Restricted.

## What was done

![The restricted plan](secret.jpg)

## Results

None to share.
"""

# What a recommendation text and a body may say, if the check missed it.
IN_RECOMMENDATION = " ![Forbidden passwd](/etc/passwd)"
EVERYWHERE = """

![Forbidden hostname][r]

[r]: /etc/hostname

![Forbidden sibling](../paris/secret.jpg)

![Forbidden from the root](/contributions/paris/secret.jpg)

![Forbidden from the manual's folder](contributions/paris/secret.jpg)

![Forbidden name of another folder](secret.jpg)

---
abstract: "![Forbidden in the metadata](/etc/passwd)"
---
"""
# What Typst, with the manual's folder as its root, could read and embed (the others failed the build).
REACHABLE = "\n\n![Forbidden sibling](../paris/secret.jpg)\n"


def _jpeg(path: Path, colour: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="JPEG", quality=90)
    path.write_bytes(buffer.getvalue())
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manual, dict[str, bytes]]:
    """The base sample with a public image (Nice's) and a restricted contribution with its own image (Paris)."""
    root = tmp_path_factory.mktemp("inside") / "manual"
    shutil.copytree(FIXTURES / "base", root)
    nice = root / "contributions" / "nice"
    public = _jpeg(nice / "finish.jpg", (20, 160, 40), (9, 7))
    carnival = nice / "carnival.md"
    carnival.write_text(carnival.read_text(encoding="utf-8").replace(
        "Visiting officers joined the patrols.\n",
        "Visiting officers joined the patrols.\n\n![The finish line of the parade](finish.jpg)\n"), encoding="utf-8")
    paris = root / "contributions" / "paris"
    paris.mkdir()
    (paris / "city.yml").write_text("name: Paris\ncountry: FR\npolice_force: Police municipale de Paris\n"
                                    "networks: [EU-POLNET]\ncoordinates: {lat: 48.8566, lon: 2.3522}\n",
                                    encoding="utf-8")
    (paris / "secret.md").write_text(SECRET, encoding="utf-8")
    restricted = _jpeg(paris / "secret.jpg", (200, 10, 10), (11, 5))
    sources = check_tree(root)
    assert not sources.errors, sources.errors
    manual = merge(sources)
    assert "paris-001" not in manual.contributions and "nice-001" in manual.contributions
    secrets = {"restricted": restricted, "passwd": Path("/etc/passwd").read_bytes(),
               "hostname": Path("/etc/hostname").read_bytes()}
    return root, manual, {"public": public, **secrets}


def _hostile(manual: Manual, body: str, recommendation: str = IN_RECOMMENDATION) -> Manual:
    """Nice's contribution with the texts a missed check would let through, listed as its images too."""
    c = manual.contributions["nice-001"]
    r = c.recommendations[0]
    recommendations = (dataclasses.replace(r, text=r.text + recommendation),) + c.recommendations[1:]
    sources = ["../paris/secret.jpg", "/contributions/paris/secret.jpg", "contributions/paris/secret.jpg",
               "secret.jpg"]
    images = c.images + tuple(FileLink(source, "Forbidden", 1, 1) for source in sources if f"]({source})" in body)
    return with_contribution(manual, dataclasses.replace(c, body=c.body + body, recommendations=recommendations,
                                                 images=images))


def with_contribution(manual: Manual, new: Contribution) -> Manual:
    """The manual with contribution `new` in place of the one of its id, in its chapters too."""
    contributions = {**manual.contributions, new.id: new}
    recommendations = {r.id: r for c in contributions.values() for r in c.recommendations}
    chapters = [dataclasses.replace(ch, contributions=[contributions[c.id] for c in ch.contributions],
                                    recommendations=[recommendations[r.id] for r in ch.recommendations])
                for ch in manual.chapters]
    return dataclasses.replace(manual, contributions=contributions, chapters=chapters,
                               recommendations=dict(sorted(recommendations.items())))


def _leaks(blob: bytes, secret: bytes) -> bool:
    """Tell whether `blob` holds `secret` (a short one only if it is all of `blob`: it could be anywhere)."""
    return secret in blob if len(secret) >= 16 else blob.strip() == secret.strip()


def _pdf_streams(path: Path) -> list[bytes]:
    """Every stream of the PDF, as stored and decoded."""
    reader = pypdf.PdfReader(path)
    found = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(pypdf.generic.IndirectObject(number, 0, reader))
        except Exception:  # a free entry of the cross-reference table
            continue
        if isinstance(obj, pypdf.generic.StreamObject):
            found.append(obj._data)
            try:
                found.append(obj.get_data())
            except Exception:  # an image filter pypdf does not decode: its stored bytes are enough
                pass
    return found


def _targets(node: object) -> list[str]:
    if isinstance(node, list):
        return [target for item in node for target in _targets(item)]
    if not isinstance(node, dict):
        return []
    here = [node["c"][2][0]] if node.get("t") == "Image" else []
    return here + [target for value in node.values() for target in _targets(value)]


def test_keep_images_leaves_only_the_allowed_targets() -> None:
    text = ('---\nabstract: "In the metadata ![meta](/etc/passwd)"\n---\n\n![A figure](/etc/passwd)\n\n'
            "Inline ![a *b*](bad.png), ![ok](good.png) and ![outer ![inner](bad.png)](good.png).\n")
    ast = keep_images(json.loads(pypandoc.convert_text(text, "json", format=PANDOC_FORMAT)), {"good.png"})
    assert _targets(ast) == ["good.png", "good.png"]
    assert [block["t"] for block in ast["blocks"]] == ["Para", "Para"]  # the figure without its image is a paragraph
    plain = " ".join(pypandoc.convert_text(json.dumps(ast), "plain", format="json").split())
    assert plain == "A figure Inline a b, [ok] and [outer inner]."  # the plain writer shows an image as [alt]
    assert "/etc/passwd" not in json.dumps(ast) and '{"t": "Str", "c": "meta"}' in json.dumps(ast["meta"])


def test_docx_embeds_only_the_contributions_own_images(tree) -> None:
    root, manual, files = tree
    with zipfile.ZipFile(io.BytesIO(to_docx(localise(_hostile(manual, EVERYWHERE), "en")))) as docx:
        media = [docx.read(name) for name in docx.namelist() if name.startswith("word/media/")]
        document = docx.read("word/document.xml")
    assert files["public"] in media
    for name in ("restricted", "passwd", "hostname"):
        assert not any(_leaks(blob, files[name]) for blob in media), name
    assert files["passwd"] not in document
    text = document.decode("utf-8")
    for alt in ("Forbidden passwd", "Forbidden hostname", "Forbidden sibling", "Forbidden from the root",
                "Forbidden in the metadata"):
        assert alt in text, alt  # the image left its description in its place


@pytest.mark.parametrize("body, recommendation", [(EVERYWHERE, IN_RECOMMENDATION), (REACHABLE, "")],
                         ids=["everywhere", "reachable-by-typst"])
def test_pdf_embeds_only_the_contributions_own_images(tree, tmp_path: Path, body: str, recommendation: str) -> None:
    root, manual, files = tree
    output, work = tmp_path / "manual.pdf", root / "build" / "pdf"
    work.mkdir(parents=True, exist_ok=True)  # as the build does
    build_pdf(localise(_hostile(manual, body, recommendation), "en"), root, output, work)
    streams = _pdf_streams(output)
    assert files["public"] in streams
    whole = output.read_bytes()
    for name in ("restricted", "passwd", "hostname"):
        assert not any(_leaks(blob, files[name]) for blob in streams + [whole]), name
    text = " ".join(" ".join(page.extract_text() for page in pypdf.PdfReader(output).pages).split())
    assert "Forbidden sibling" in text


def _pdf(manual: Manual, root: Path, tmp_path: Path) -> bytes:
    work = root / "build" / "pdf"
    work.mkdir(parents=True, exist_ok=True)
    return build_pdf(localise(manual, "en"), root, tmp_path / "manual.pdf", work).read_bytes()


@pytest.mark.parametrize("render", [lambda m, root, tmp: to_docx(localise(m, "en")), _pdf], ids=["docx", "pdf"])
def test_pandoc_over_its_memory_ceiling_names_the_contribution(tree, tmp_path: Path, monkeypatch, render) -> None:
    root, manual, _ = tree
    monkeypatch.setattr(pandoc, "PANDOC_HEAP_MB", 64)
    monkeypatch.setattr(pandoc, "PANDOC_HEAP_MB_PER_MB", 0)
    c = manual.contributions["madrid-001"]
    huge = with_contribution(manual, dataclasses.replace(c, body=c.body + "\n\n" + "palabra " * 300_000))
    with pytest.raises(BuildError) as error:
        render(huge, root, tmp_path)
    assert error.value.message == ("contributions/madrid/drones.md: this contribution cannot be converted by "
                                   "pandoc (pandoc needed more than 64 MB of memory)")


@pytest.mark.parametrize("tool, what", [("PANDOC", "pandoc could not convert the manual (en): pandoc"),
                                        ("TYPST", "Typst could not build the PDF (en): Typst")])
def test_time_limit_is_a_build_error(tree, tmp_path: Path, monkeypatch, tool: str, what: str) -> None:
    root, manual, _ = tree
    monkeypatch.setattr(pandoc, f"{tool}_SECONDS", 0)
    monkeypatch.setattr(pandoc, f"{tool}_SECONDS_PER_MB", 0)
    with pytest.raises(BuildError) as error:
        _pdf(manual, root, tmp_path)
    assert error.value.message == f"{what} took more than 0 s"


def _png_bomb(path: Path, side: int) -> None:
    """Write a grey PNG of side × side pixels, all black: a few hundred KB that decode to side² bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = bytes(side + 1)  # the filter byte, then the pixels
    pixels = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


def test_typst_over_its_memory_ceiling_names_the_image(tree, tmp_path: Path, monkeypatch) -> None:
    root, manual, _ = tree
    _png_bomb(root / "contributions" / "nice" / "bomb.png", 12_000)
    monkeypatch.setattr(pandoc, "TYPST_MEMORY_MB", 100)
    monkeypatch.setattr(pandoc, "TYPST_MEMORY_MB_PER_MB", 0)
    c = manual.contributions["nice-001"]
    bomb = with_contribution(manual, dataclasses.replace(c, body=c.body + "\n\n![A large picture](bomb.png)\n",
                                                         images=c.images + (FileLink("bomb.png", "A large picture",
                                                                                     1, 1),)))
    with pytest.raises(BuildError) as error:
        _pdf(bomb, root, tmp_path)
    assert error.value.message == ("contributions/nice/carnival.md: the image 'bomb.png' cannot be put in the PDF "
                                   "(Typst needed more than 100 MB of memory); use a smaller image (fewer pixels)")
    monkeypatch.setattr(pandoc, "TYPST_MEMORY_MB", 5)  # too little for any page: no contribution is to blame
    with pytest.raises(BuildError) as error:
        _pdf(manual, root, tmp_path)
    assert error.value.message == "Typst could not build the PDF (en): Typst needed more than 5 MB of memory"


def test_a_limit_hit_fails_the_export_and_leaves_the_outputs(base_tree: Path, monkeypatch) -> None:
    assert run("export", root=base_tree).code == 0
    before = tree_bytes(base_tree / "dist")
    monkeypatch.setattr(pandoc, "PANDOC_SECONDS", 0)
    monkeypatch.setattr(pandoc, "PANDOC_SECONDS_PER_MB", 0)
    result = run("export", root=base_tree)
    assert result.code == 1
    assert result.err.strip().splitlines()[-1] == ("Error: pandoc could not write the DOCX (en): pandoc took more "
                                                   "than 0 s")
    assert tree_bytes(base_tree / "dist") == before
