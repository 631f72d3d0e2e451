"""pandoc and Typst, run on contributors' text so that it can read nothing and exhaust nothing.

What the PDF and the DOCX embed is decided here, whatever the check let through: pandoc's AST
keeps only the images of the published contributions' own folders (`published_image`), copied
into a staging folder that is the only place pandoc and Typst read from. pandoc and Typst run in
child processes with a memory ceiling and a time limit.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..errors import BuildError, MissingTool
from ..model import Contribution, FileLink
from ..validate import IMAGE_TYPES

if TYPE_CHECKING:
    from .pdf import Document

# Contributors' Markdown must not reach Typst as code: no raw blocks, no raw HTML or TeX.
PANDOC_FORMAT = ("markdown-raw_attribute-raw_html-raw_tex-tex_math_dollars-tex_math_single_backslash"
                 "-citations")
# Ceilings against runaway conversions, each a base plus so much per MB of input (pandoc: of the Markdown;
# Typst: of its source). pandoc's manual suggests 512 MB of heap for untrusted input. The 1,000 contributions
# of the benchmark (3.4 MB of Markdown, 3.6 MB of Typst) need about 300 MB of pandoc's heap and 5 s a step,
# 2 GB and 6 s for Typst: the ceilings leave two to three times that.
PANDOC_HEAP_MB, PANDOC_HEAP_MB_PER_MB = 512, 200
PANDOC_SECONDS, PANDOC_SECONDS_PER_MB = 120, 30
TYPST_MEMORY_MB, TYPST_MEMORY_MB_PER_MB = 1024, 600
TYPST_SECONDS, TYPST_SECONDS_PER_MB = 300, 60

_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


class ConversionFailed(Exception):
    """pandoc or Typst failed on one input, or went over its memory ceiling or time limit (`exceeded`)."""

    def __init__(self, message: str, *, exceeded: bool = False):
        super().__init__(message)
        self.exceeded = exceeded


def published_image(root: str | Path, c: Contribution, image: FileLink) -> str | None:
    """Return the name, in the manual's folder, of an image that contribution `c` may show; None if it may not.

    Only a regular file of the contribution's own folder, of an image type, reached through no symbolic
    link, is embedded in the PDF and the DOCX, whatever the check said.
    """
    source = unquote(image.source)
    relative = PurePosixPath(c.folder, source)
    if (not source or source.startswith("/") or "\\" in source or _SCHEME.match(source)
            or ".." in relative.parts or relative.parts[0] != "contributions"
            or relative.suffix.lower() not in IMAGE_TYPES):
        return None
    base = Path(root).resolve()
    path = base.joinpath(*relative.parts)
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode) or path.resolve(strict=True) != path:
            return None
    except (OSError, RuntimeError):  # missing, unreadable, or a loop of links
        return None
    return relative.as_posix()


def fresh_stage(folder: Path) -> Path:
    """Return `folder`, emptied: what pandoc and Typst may read is staged there and nowhere else."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def stage_images(document: "Document", stage: Path) -> None:
    """Copy the images the document may embed into `stage`, under their names in the manual's folder."""
    for name in sorted(set(document.images.values())):
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a file swapped for a link since it was looked at is not followed.
        fd = os.open(document.root / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as source, open(target, "wb") as copy:
            if not stat.S_ISREG(os.fstat(source.fileno()).st_mode):
                raise BuildError(f"{name}: this image is not a regular file")
            shutil.copyfileobj(source, copy)


def keep_images(ast: dict, allowed: set[str], renamed: dict[str, str] | None = None) -> dict:
    """Change pandoc's AST `ast` in place, metadata included: each Image whose target is not in `allowed`
    becomes its description, as plain words; a figure left without an image becomes its content. An
    allowed image in `renamed` takes the target given there (a drawing's raster copy, say)."""
    _keep(ast, allowed, renamed or {})
    return ast


def _keep(node: object, allowed: set[str], renamed: dict[str, str]) -> None:
    if isinstance(node, dict):
        for value in node.values():
            if isinstance(value, (list, dict)):
                _keep(value, allowed, renamed)
        return
    if not isinstance(node, list):
        return
    i = 0
    while i < len(node):
        item = node[i]
        kind = item.get("t") if isinstance(item, dict) else None
        if kind == "Image" and item["c"][2][0] not in allowed:
            node[i:i + 1] = words = _words(_plain(item["c"][1]))
            i += len(words)
            continue
        if kind == "Image" and item["c"][2][0] in renamed:
            item["c"][2][0] = renamed[item["c"][2][0]]
        shown = kind == "Figure" and _holds(item, "Image")
        _keep(item, allowed, renamed)
        if shown and not _holds(item, "Image"):
            blocks = [{"t": "Para", "c": b["c"]} if b.get("t") == "Plain" else b for b in item["c"][2]]
            node[i:i + 1] = blocks
            i += len(blocks)
            continue
        i += 1


def _holds(node: object, kind: str) -> bool:
    if isinstance(node, list):
        return any(_holds(item, kind) for item in node)
    if isinstance(node, dict):
        return node.get("t") == kind or any(_holds(value, kind) for value in node.values())
    return False


_QUOTES = {"SingleQuote": ("\u2018", "\u2019"), "DoubleQuote": ("\u201c", "\u201d")}


def _plain(node: object) -> str:
    """The words of pandoc inlines, without their markup, links or notes."""
    if isinstance(node, list):
        return "".join(_plain(item) for item in node)
    if not isinstance(node, dict):
        return ""
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[1]
    if kind in ("Link", "Image", "Span", "Cite"):
        return _plain(content[1])
    if kind == "Quoted":
        opening, closing = _QUOTES.get(content[0].get("t"), ('"', '"'))
        return opening + _plain(content[1]) + closing
    if kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
        return _plain(content)
    return ""


def _words(text: str) -> list[dict]:
    out: list[dict] = []
    for word in text.split():
        out += [{"t": "Space"}, {"t": "Str", "c": word}] if out else [{"t": "Str", "c": word}]
    return out


# --- running pandoc and Typst ------------------------------------------------------------------

def _ceiling(size: int, base: int, per_mb: int) -> int:
    return base + per_mb * -(-size // 1_000_000)


def pandoc(args: list[str], text: str, stage: Path, size: int) -> str:
    """Run pandoc on `text` in `stage`, with a memory ceiling and a time limit set by the size of the
    Markdown it comes from (`size` bytes); return its output."""
    import pypandoc

    heap = _ceiling(size, PANDOC_HEAP_MB, PANDOC_HEAP_MB_PER_MB)
    seconds = _ceiling(size, PANDOC_SECONDS, PANDOC_SECONDS_PER_MB)
    try:
        command = [pypandoc.get_pandoc_path(), "+RTS", f"-M{heap}m", "-RTS", *args]
        done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, cwd=stage, timeout=seconds)
    except OSError as exc:
        raise MissingTool(f"pandoc is missing: install the Python package pypandoc-binary ({exc})") from None
    except subprocess.TimeoutExpired:
        raise ConversionFailed(f"pandoc took more than {seconds} s", exceeded=True) from None
    if done.returncode:
        message = done.stderr.decode("utf-8", "replace").strip()
        if "Heap exhausted" in message:
            raise ConversionFailed(f"pandoc needed more than {heap} MB of memory", exceeded=True)
        raise ConversionFailed(message)
    return done.stdout.decode("utf-8")


def convert(document: "Document", text: str, to: str, stage: Path, args: list[str] = (),
            output: Path | None = None, renamed: dict[str, str] | None = None) -> str:
    """Convert Markdown `text` of the document to `to` (typst, docx) through pandoc's AST, keeping only the
    images the document may embed (those in `renamed` under another name), read from `stage`; raise
    ConversionFailed."""
    size = len(text.encode("utf-8"))
    ast = pandoc(["--sandbox", f"--from={PANDOC_FORMAT}", "--to=json"], text, stage, size)
    try:
        ast = json.dumps(keep_images(json.loads(ast), set(document.images), renamed))
    except RecursionError:
        raise ConversionFailed("the text is nested too deeply", exceeded=True) from None
    # The DOCX writer reads the images it embeds (a sandbox would stop it): from the staging folder only.
    writer = [f"--resource-path={stage.absolute()}"] if to == "docx" else ["--sandbox"]
    writer += ["--from=json", f"--to={to}", *args] + (["--output", str(output.absolute())] if output else [])
    return pandoc(writer, ast, stage, size)


def converted(document: "Document", text: str, to: str, stage: Path, what: str, args: list[str] = (),
              output: Path | None = None, renamed: dict[str, str] | None = None) -> str:
    """convert(), with a failure explained as a BuildError naming the contributions pandoc fails on alone
    (unless it fails on nothing at all: then no contribution is to blame)."""
    try:
        return convert(document, text, to, stage, args, output, renamed)
    except ConversionFailed as exc:
        found = []
        probe = stage / f"probe.{to}"
        for piece, c in [("", None)] + [(document._contribution(c), c) for c in document.m.contributions.values()]:
            try:
                convert(document, piece, to, stage, args, probe)
            except ConversionFailed as alone:
                if c is None:
                    break
                found.append(f"{c.path}: this contribution cannot be converted by pandoc ({first_line(alone)})")
        probe.unlink(missing_ok=True)
        raise BuildError("\n".join(found) or f"pandoc could not {what}: {exc}") from None


def raster_copies(document: "Document", stage: Path, width_cm: int = 16, ppi: int = 150) -> dict[str, str]:
    """Draw each SVG image the document embeds as a PNG beside it in `stage`, with Typst (a word processor
    that can't read SVG shows the PNG); return the images' targets with their PNG's name."""
    copies = {}
    for target, name in sorted(document.images.items()):
        if not name.lower().endswith(".svg"):
            continue
        source = stage / f"{name}.typ"
        source.write_text(f'#set page(width: auto, height: auto, margin: 0pt)\n'
                          f'#image("/{name}", width: {width_cm}cm)\n', encoding="utf-8")
        try:
            typst_compile(source, stage, stage / f"{name}.png", format="png", ppi=ppi)
        except ConversionFailed as exc:
            raise BuildError(f"{name}: this drawing cannot be turned into a picture for the DOCX ({first_line(exc)})") \
                from None
        finally:
            source.unlink(missing_ok=True)
        copies[target] = f"{name}.png"
    return copies


# Typst runs in a child process: its memory can be bounded there, and a runaway compile stopped.
_TYPST_CHILD = """
import json, sys
import typst
job, limit = json.load(sys.stdin), int(sys.argv[1])
try:
    import resource
    hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
    resource.setrlimit(resource.RLIMIT_DATA, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
except (ImportError, ValueError, OSError):
    pass
try:
    typst.compile(**job)
except MemoryError:
    sys.exit(3)
except Exception as exc:
    sys.stdout.buffer.write(str(exc).encode("utf-8"))
    sys.exit(1)
"""


def typst_compile(source: Path, root: Path, output: Path | None = None, **options: object) -> None:
    """Compile `source` with Typst, reading files under `root` only, with a memory ceiling and a time limit
    set by the size of the source; raise ConversionFailed with Typst's message."""
    size = source.stat().st_size
    memory = _ceiling(size, TYPST_MEMORY_MB, TYPST_MEMORY_MB_PER_MB)
    seconds = _ceiling(size, TYPST_SECONDS, TYPST_SECONDS_PER_MB)
    job = {"input": str(source.absolute()), "output": str(output.absolute()) if output else None,
           "root": str(root.absolute()), **options}
    try:
        # -P: nothing of the staging folder (the working directory) can pass for a Python module.
        done = subprocess.run([sys.executable, "-P", "-c", _TYPST_CHILD, str(memory << 20)],
                              input=json.dumps(job).encode("utf-8"), capture_output=True, cwd=root, timeout=seconds)
    except subprocess.TimeoutExpired:
        raise ConversionFailed(f"Typst took more than {seconds} s", exceeded=True) from None
    if done.returncode == 1 and done.stdout.strip():
        raise ConversionFailed(done.stdout.decode("utf-8", "replace"))
    if done.returncode == 3 or b"memory allocation" in done.stderr or b"MemoryError" in done.stderr:
        raise ConversionFailed(f"Typst needed more than {memory} MB of memory", exceeded=True)
    if done.returncode:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise ConversionFailed(message or f"Typst stopped (exit status {done.returncode})")


def first_line(exc: Exception) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__

