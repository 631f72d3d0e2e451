#!/usr/bin/env python3
"""Measure what hostile Markdown and images cost the renderers, to choose the bounds of manual/limits.py.

    .venv/bin/python benchmarks/hostile.py --timeout 20           # every kind of hostile text, every size
    .venv/bin/python benchmarks/hostile.py brackets quotes        # only these kinds
    .venv/bin/python benchmarks/hostile.py --sizes 10,100 quotes  # at these sizes
    .venv/bin/python benchmarks/hostile.py --bounds               # the worst texts limits.py accepts
    .venv/bin/python benchmarks/hostile.py --images               # huge images, compiled by typst
    .venv/bin/python benchmarks/hostile.py --list                 # the kinds, their sizes, the worst texts

For each kind of hostile text (a run of brackets, nested quotes, a long table, ...) at a few sizes, it runs
each stage in a fresh process with a timeout and a memory ceiling (4 GB), and prints one table per kind
(size, seconds, peak MB, and ok, timeout, failed or memory for each stage):

- markdown: manual.render.markdown.safe_html (Python-Markdown with tables, fenced_code and sane_lists, then
  nh3), as the site renders a body;
- pandoc: pypandoc.convert_text(text, "typst", format=PANDOC_FORMAT, extra_args=["--wrap=preserve"]) of the
  text inside a `::: {}` block, as the PDF has a contribution's body;
- typst: typst.compile of pandoc's output under a preamble like the manual's (A4 pages, a running header
  that queries the headings, tables in 9 pt), to a PDF.

Seconds are the stage's own time inside the child (imports left out). MB is the peak resident set of the
child or of pandoc (VmHWM and RUSAGE_CHILDREN, read by the child; or the sum over the process tree sampled
every 50 ms, if larger or if the child was killed): about 25-45 MB is the interpreter alone. Once a size
times out, fails or exceeds the memory ceiling, the larger sizes of that kind are skipped for that stage (and
typst is skipped when pandoc gave nothing). With --timeout 20, every kind takes about 10 minutes on 2 cores;
--bounds about 1 minute, --images 20 s.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = sys.executable
MEMORY_CEILING_MB = 4000

PREAMBLE = """#set text(lang: "en", font: ("Libertinus Serif", "New Computer Modern"), size: 10.5pt)
#set par(justify: true)
#set page(paper: "a4", margin: (x: 2.3cm, top: 2.6cm, bottom: 2.4cm))
#set heading(numbering: "1.")
#show link: set text(fill: rgb("#1a3a8f"))
#set table(stroke: 0.4pt + luma(160), inset: 5pt)
#show table.cell: set align(left)
#show figure.where(kind: table): set block(breakable: true)
#show table: set text(size: 9pt)
#show table: set par(justify: false)
#let horizontalrule = line(length: 100%)
#set page(
  numbering: "1",
  header: context {
    let chapters = query(selector(heading.where(level: 1)).before(here()))
    set text(size: 8.5pt, fill: luma(90))
    [Continuum]
    h(1fr)
    if chapters.len() > 0 { chapters.last().body }
  },
)

= Chapter

"""


def _words(n: int) -> str:
    return " ".join("word" for _ in range(n))


def _nested_list(n: int) -> str:
    return "\n".join("  " * i + "- item" for i in range(n)) + "\n"


def _nested_ordered(n: int) -> str:
    return "\n".join("   " * i + "1. item" for i in range(n)) + "\n"


def _table(n: int) -> str:
    return "| a | b | c |\n|---|---|---|\n" + "".join(f"| {i} | cell | more |\n" for i in range(n))


def _simple_table(n: int) -> str:
    return "a     b\n---   ---\n" + "".join(f"{i}     x\n" for i in range(n))


def _grid_table(n: int) -> str:
    return "+---+---+\n| a | b |\n+===+===+\n" + "".join(f"| {i % 10} | x |\n+---+---+\n" for i in range(n))


def _divs(n: int) -> str:
    return "".join(":" * 3 + " {}\n" for _ in range(n)) + "text\n" + "".join(":::\n" for _ in range(n))


# Each kind: a function of the size, and the sizes to try (smallest first).
KINDS: dict[str, tuple[Callable[[int], str], list[int]]] = {
    # runs of one character, in a paragraph
    "brackets": (lambda n: "text " + "[" * n + " end\n", [50, 500, 5_000, 50_000]),
    "closing-brackets": (lambda n: "text " + "]" * n + " end\n", [50, 500, 5_000, 50_000]),
    "guillemets": (lambda n: "text " + "‹" * n + " end\n", [50, 500, 5_000, 50_000]),
    "link-parens": (lambda n: "text [a](" + "(" * n + " end\n", [50, 500, 5_000, 50_000]),
    "parens": (lambda n: "text " + "(" * n + " end\n", [50, 500, 5_000, 50_000]),
    "stars": (lambda n: "text " + "*" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "underscores": (lambda n: "text " + "_" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "tildes": (lambda n: "text " + "~" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "backticks": (lambda n: "text " + "`" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "angles": (lambda n: "text " + "<" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "braces": (lambda n: "text " + "{" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "carets": (lambda n: "text " + "^" * n + "a end\n", [50, 500, 5_000, 50_000]),
    "bracket-spans": (lambda n: "text " + "[" * n + "x" + "]{}" * n + " end\n", [50, 500, 5_000]),
    # the same characters spread out: one unmatched opener per word
    "spread-brackets": (lambda n: "text " + "[a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-parens": (lambda n: "text [a](b " + "(a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-link-open": (lambda n: "text " + "[a](" * n + " end\n", [50, 500, 5_000, 20_000]),
    "spread-stars": (lambda n: "text " + "*a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-underscores": (lambda n: "text " + "_a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-angles": (lambda n: "text " + "<a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-backticks": (lambda n: "text " + "`a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-guillemets": (lambda n: "text " + "‹a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-carets": (lambda n: "text " + "^a " * n + "end\n", [50, 500, 5_000, 50_000]),
    "spread-braces": (lambda n: "text " + "a{ " * n + "end\n", [50, 500, 5_000, 50_000]),
    # the same characters, matched: what ordinary text does
    "links": (lambda n: "text " + "[a](b) " * n + "end\n", [50, 500, 5_000, 20_000]),
    "ref-brackets": (lambda n: "text " + "[a] " * n + "end\n", [50, 500, 5_000, 20_000]),
    "paren-pairs": (lambda n: "text " + "(a) " * n + "end\n", [50, 500, 5_000, 20_000]),
    "angle-pairs": (lambda n: "text " + "<a> " * n + "end\n", [50, 500, 5_000, 20_000]),
    "emphasis-pairs": (lambda n: "text " + "*a* _b_ **c** " * n + "end\n", [50, 500, 5_000]),
    "emphasis-nest": (lambda n: "*_" * n + "x" + "_*" * n + "\n", [50, 500, 5_000]),
    "link-nest": (lambda n: "[" * n + "x" + "](y)" * n + "\n", [50, 500, 5_000]),
    "html-nest": (lambda n: "<span>" * n + "x" + "</span>" * n + "\n", [50, 500, 5_000]),
    # nesting of blocks
    "quotes": (lambda n: "> " * n + "text\n", [8, 50, 500, 5_000, 10_000]),
    "quote-lines": (lambda n: "\n".join(">" * (i + 1) + " text" for i in range(n)) + "\n", [8, 50, 500]),
    "lists": (lambda n: "- " * n + "text\n", [8, 50, 500, 5_000]),
    "indented-lists": (_nested_list, [8, 50, 500, 5_000]),
    "ordered-lists": (_nested_ordered, [8, 50, 500]),
    "quote-list-mix": (lambda n: "> - " * n + "text\n", [8, 50, 500, 5_000]),
    "divs": (_divs, [8, 50, 500, 5_000]),
    "html-divs": (lambda n: "<div>\n" * n + "text\n" + "</div>\n" * n, [8, 50, 500, 5_000]),
    # size
    "table": (_table, [100, 500, 1_000, 5_000, 45_000]),
    "simple-table": (_simple_table, [100, 500, 5_000]),
    "grid-table": (_grid_table, [100, 500, 5_000]),
    "long-line": (lambda n: _words(n // 5) + "\n", [10_000, 100_000, 1_000_000]),
    "long-paragraph": (lambda n: "word\n" * n, [1_000, 10_000, 45_000]),
    "many-paragraphs": (lambda n: "word word word word.\n\n" * n, [1_000, 10_000, 45_000]),
    "list-items": (lambda n: "- item\n" * n, [500, 5_000, 45_000]),
    "headings": (lambda n: "".join(f"## Heading {i}\n\ntext\n\n" for i in range(n)), [100, 1_000, 10_000]),
    "long-word": (lambda n: "x" * n + "\n", [10_000, 100_000, 1_000_000]),
    "code-block": (lambda n: "```\n" + "[" * n + "\n" + "> " * (n // 10) + "x\n```\n", [500, 5_000, 50_000]),
    "code-span": (lambda n: "`" + "[" * n + "`\n", [500, 5_000, 50_000]),
}

# The worst texts manual/limits.py accepts, each about 200 KB: one per bound, at the bound. `--bounds`
# measures them (and says whether text_limits accepts them, which it should).
_SENTENCE = "The officers of the partner city walked the route with ours before the parade began. "


def _fill(paragraphs: list[str], budget: int = 195_000) -> str:
    """The paragraphs, then ordinary paragraphs up to `budget` characters."""
    text = "\n\n".join(paragraphs) + "\n\n"
    filler = (_SENTENCE * 6).strip() + "\n\n"
    return text + filler * max(0, (budget - len(text)) // len(filler))


def _repeat(paragraph: str, budget: int = 195_000) -> str:
    return (paragraph.strip("\n") + "\n\n") * max(1, budget // (len(paragraph) + 2))


def _words_to(length: int) -> str:
    """Ordinary words, about `length` characters, in lines of about 100."""
    words = (_SENTENCE * (length // len(_SENTENCE) + 1))[:length].rsplit(" ", 1)[0].split(" ")
    return "\n".join(" ".join(words[i:i + 15]) for i in range(0, len(words), 15))


def _lines(items: list[str], per_line: int) -> str:
    return "\n".join(" ".join(items[i:i + per_line]) for i in range(0, len(items), per_line))


BOUNDS: dict[str, Callable[[], str]] = {
    # nesting: 8 levels, 2,000 list items and quotes
    "quotes-8": lambda: _fill([("> " * 8 + _SENTENCE + "\n") * 4] * 250),
    "lists-8": lambda: _fill(["\n".join("  " * i + "- " + _SENTENCE for i in range(8))] * 250),
    "quote-list-8": lambda: _fill(["> - > - > - > - " + _SENTENCE] * 250),
    "list-quote-8": lambda: _fill(["- > - > - > - > " + _SENTENCE] * 250),
    "divs-8": lambda: _repeat("::: {}\n" * 8 + _SENTENCE + "\n" + ":::\n" * 8),
    "deepest-mixed": lambda: _fill(["> - > - > - > - " + "*_" * 5 + "x [[[[y]{}]{}]{}](z)" + "_*" * 5 + " " + _SENTENCE]
                                   * 250),
    "list-items-2000": lambda: _fill(["- item " + _SENTENCE] * 2000),
    "lists-4-x500": lambda: _fill(["- - - - " + _SENTENCE] * 500),
    "emphasis-10": lambda: _fill([_lines(["*_" * 5 + "x" + "_*" * 5] * 10, 5)] * 50),
    # tables: 500 rows, 1,000 in a text
    "tables-2x500": lambda: _fill([_table(500).strip(), _table(500).strip()]),
    # punctuation
    "runs-50": lambda: _fill([_SENTENCE + " ".join(c * 50 for c in "]`}_*)(›‹~")] * 40, 185_000),
    "unmatched-50": lambda: _fill([_lines(["(a", "{a"] * 25, 10)] * 400),
    "open-angles-20": lambda: _fill([_SENTENCE + "< " + _SENTENCE] * 20),
    "unclosed-5-brackets": lambda: _fill(["[a " + _words_to(9_900)] * 5),
    "unclosed-5-links": lambda: _fill(["[a](" + _words_to(9_900)] * 5),
    "links-nested-4": lambda: _fill([_lines(["[[[[x](y)](y)](y)](y)"] * 50, 5)] * 50),
    "emphasis-pairs": lambda: _fill([_lines(["*a*"] * 100, 20)] * 50),
    "code-spans": lambda: _fill([_lines(["`a`"] * 100, 20)] * 50),
    "literal-stars": lambda: _fill([_lines(["*a"] * 200, 20)] * 50),
    "footnotes-50": lambda: _fill([f"word^[a note] {_SENTENCE}"] * 50),
    "footnotes-200": lambda: _fill([f"word^[a note] {_SENTENCE}"] * 200),  # refused: 4 s
    "footnotes-20x10": lambda: _fill([_lines(["word^[a note]"] * 20, 5)] * 10),  # refused: typst fails
    "reference-links": lambda: _fill([_lines([f"[a{i}][r{i}]" for i in range(k, k + 100)], 10)
                                      for k in range(0, 2000, 100)]
                                     + [f"[r{i}]: https://example.org/{i}" for i in range(2000)], 150_000),
    "line-blocks": lambda: _repeat("\n".join(["| " + _SENTENCE] * 100)),
    "definition-lists": lambda: _fill([f"Term {i}\n:   {_SENTENCE}" for i in range(1900)]),
    # size
    "words-500": lambda: _repeat(" ".join(["x" * 500] * 19)),
    "paragraphs-10k": lambda: _repeat(_words_to(9_950)),
    "paragraphs-10k-markup": lambda: _repeat(_words_to(9_950 - 400) + "\n" + _lines(["*a*"] * 100, 20)),
    "headings-200": lambda: _fill([f"## Heading {i}\n\n{_SENTENCE}" for i in range(200)]),
    "code-block": lambda: "```\n" + ("[" * 5_000 + "\n" + "> " * 2_000 + "\n- " * 40 + "\n<" * 100 + "\n") * 12
                          + "```\n",
}

STAGES = ("markdown", "pandoc", "typst")


# Images for --images: (name, width, height, bits per sample and PNG colour type, frames). Each is drawn
# small (one colour compresses to almost nothing, as a hostile file would), then compiled by typst.
IMAGES = [
    ("rgb-10mp", 3_872, 2_592, (8, 2), 1),
    ("rgb-24mp", 6_000, 4_000, (8, 2), 1),
    ("rgb-40mp", 7_746, 5_164, (8, 2), 1),
    ("rgb-100mp", 12_247, 8_165, (8, 2), 1),
    ("rgb-200mp", 17_321, 11_547, (8, 2), 1),
    ("rgba16-40mp", 7_746, 5_164, (16, 6), 1),
    ("rgba16-100mp", 12_247, 8_165, (16, 6), 1),
    ("1bit-40mp", 7_746, 5_164, (1, 0), 1),
    ("1bit-400mp", 20_000, 20_000, (1, 0), 1),
    ("1bit-3600mp", 60_000, 60_000, (1, 0), 1),
    ("gif-1mp-x100", 1_000, 1_000, None, 100),
    ("gif-1mp-x40", 1_000, 1_000, None, 40),
    ("gif-1mp-x400", 1_000, 1_000, None, 400),
]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def solid_png(width: int, height: int, depth: int = 8, colour: int = 2) -> bytes:
    """A valid PNG of one colour, written row by row so that a huge one costs no memory to make."""
    import struct
    import zlib
    channels = {0: 1, 2: 3, 6: 4}[colour]
    row = b"\0" + b"\x40" * ((width * channels * depth + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0))
            + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b""))


def animated_gif(width: int, height: int, frames: int, path: Path) -> None:
    from PIL import Image
    images = [Image.new("P", (width, height), i % 200) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=40, loop=0, optimize=False)


# ----------------------------------------------------------------------------------------------
# The children: each runs one stage on one file and prints {"seconds": ...} on its last line.

def child(stage: str, source: Path, target: Path) -> None:
    sys.path.insert(0, str(REPO))
    text = source.read_text(encoding="utf-8")
    if stage == "markdown":
        from manual.render.markdown import safe_html
        start = time.perf_counter()
        out = safe_html(text)
    elif stage == "pandoc":
        import pypandoc
        try:
            from manual.render.pandoc import PANDOC_FORMAT
        except ImportError:  # before the PDF's pandoc helpers had their own module
            from manual.render.pandoc import PANDOC_FORMAT
        start = time.perf_counter()
        out = pypandoc.convert_text("::: {}\n" + text + "\n:::\n", "typst", format=PANDOC_FORMAT,
                                    extra_args=["--wrap=preserve"])
    else:
        import typst
        typ = target.with_suffix(".main.typ")
        typ.write_text(PREAMBLE + text, encoding="utf-8")
        if stage == "image":  # the source names an image beside it
            typ.write_text(PREAMBLE + f'#image("{text.strip()}", width: 10cm, alt: "probe")\n', encoding="utf-8")
        start = time.perf_counter()
        out = typst.compile(str(typ), root=str(target.parent))
    seconds = time.perf_counter() - start
    if stage in ("markdown", "pandoc"):
        target.write_text(out, encoding="utf-8")
    print(json.dumps({"seconds": seconds, "out": len(out), "peak": _own_peak()}))


def _own_peak() -> int:
    """The peak resident set, in bytes, of this process (VmHWM: its own, since exec) and of the
    children it waited for (pandoc). wait4's ru_maxrss would also count the parent's size at fork."""
    import resource
    own = 0
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                own = int(line.split()[1]) * 1024
    return max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)


# ----------------------------------------------------------------------------------------------
# The parent: run a child with a timeout and a memory ceiling, and measure it.

def _tree_rss(process: psutil.Process) -> int:
    try:
        procs = [process] + process.children(recursive=True)
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def run_stage(stage: str, source: Path, target: Path, timeout: float) -> dict:
    command = [PYTHON, str(Path(__file__).resolve()), "--child", stage, str(source), str(target)]
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    ps = psutil.Process(proc.pid)
    peak = [0]
    verdict = [None]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.05):
            rss = _tree_rss(ps)
            peak[0] = max(peak[0], rss)
            over_time = time.perf_counter() - start > timeout
            if rss > MEMORY_CEILING_MB * 1e6 or over_time:
                verdict[0] = "timeout" if over_time else "memory"
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    readers = [threading.Thread(target=lambda s=s, c=c: c.append(s.read()), daemon=True)
               for s, c in ((proc.stdout, out_chunks), (proc.stderr, err_chunks))]
    for r in readers:
        r.start()
    _, status = os.waitpid(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    watcher.join()
    for r in readers:
        r.join()
    wall = time.perf_counter() - start
    mb = peak[0] / 1e6  # sampled, for a child killed or failed; its own report below otherwise
    stdout = b"".join(out_chunks).decode(errors="replace").strip().splitlines()
    stderr = b"".join(err_chunks).decode(errors="replace").strip().splitlines()
    if verdict[0]:
        return {"status": verdict[0], "seconds": wall, "mb": mb}
    if proc.returncode != 0 or not stdout:
        reason = stderr[-1][:90] if stderr else f"exit {proc.returncode}"
        return {"status": "failed", "seconds": wall, "mb": mb, "why": reason}
    result = json.loads(stdout[-1])
    return {"status": "ok", "seconds": result["seconds"], "mb": max(result["peak"], peak[0]) / 1e6,
            "out": result["out"]}


def measure(kinds: list[str], timeout: float) -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp)
        for kind in kinds:
            make, sizes = KINDS[kind]
            stopped: set[str] = set()
            results[kind] = []
            for size in sizes:
                text = make(size)
                source = folder / f"{kind}-{size}.md"
                source.write_text(text, encoding="utf-8")
                row = {"size": size, "bytes": len(text.encode()), "lines": text.count("\n")}
                for stage in STAGES:
                    if stage in stopped:
                        row[stage] = {"status": "skipped"}
                        continue
                    stage_input = source
                    if stage == "typst":
                        stage_input = folder / f"{kind}-{size}.typ"
                        if row["pandoc"]["status"] != "ok":
                            row[stage] = {"status": "skipped"}
                            continue
                    target = folder / f"{kind}-{size}.{'typ' if stage == 'pandoc' else stage}"
                    row[stage] = run_stage(stage, stage_input, target, timeout)
                    if row[stage]["status"] != "ok":
                        stopped.add(stage)
                results[kind].append(row)
                print_row(kind, row, flush=True)
    return results


def measure_images(timeout: float) -> None:
    print(f"\nimages: typst.compile of one #image, 10 cm wide\n{'image':<14} {'pixels':>15} {'frames':>6} "
          f"{'file KB':>8} | typst")
    with tempfile.TemporaryDirectory(prefix="hostile-images-") as tmp:
        folder = Path(tmp)
        for name, width, height, png, frames in IMAGES:
            image = folder / (f"{name}.png" if png else f"{name}.gif")
            if png:
                image.write_bytes(solid_png(width, height, *png))
            else:
                animated_gif(width, height, frames, image)
            source = folder / f"{name}.txt"
            source.write_text(image.name, encoding="utf-8")
            result = run_stage("image", source, folder / f"{name}.pdf", timeout)
            print(f"{name:<14} {f'{width:,} x {height:,}':>15} {frames:>6} {image.stat().st_size / 1e3:>8,.0f} | "
                  f"{_cell(result)}", flush=True)
            if result.get("why"):
                print(f"{'':>21}failed: {result['why']}", flush=True)
            image.unlink()


def measure_bounds(names: list[str], timeout: float) -> None:
    sys.path.insert(0, str(REPO))
    from manual.limits import text_limits
    print("\nthe worst texts that text_limits accepts")
    print(f"{'text':<22} {'bytes':>9} {'accepted':<9}| " + " | ".join(f"{s:<26}" for s in STAGES))
    with tempfile.TemporaryDirectory(prefix="hostile-bounds-") as tmp:
        folder = Path(tmp)
        for name in names:
            text = BOUNDS[name]()
            problems = text_limits(text, 1)
            verdict = "yes" if not problems else ",".join(sorted({p[2] for p in problems}))[:8]
            source = folder / f"{name}.md"
            source.write_text(text, encoding="utf-8")
            results = {}
            for stage in STAGES:
                stage_input = source
                if stage == "typst":
                    stage_input = folder / f"{name}.typ"
                    if results["pandoc"]["status"] != "ok":
                        results[stage] = {"status": "skipped"}
                        continue
                target = folder / f"{name}.{'typ' if stage == 'pandoc' else stage}"
                results[stage] = run_stage(stage, stage_input, target, timeout)
            print(f"{name:<22} {len(text.encode()):>9,} {verdict:<9}| " + " | ".join(_cell(results[s]) for s in STAGES),
                  flush=True)
            for stage in STAGES:
                if results[stage].get("why"):
                    print(f"{'':>21}{stage} failed: {results[stage]['why']}", flush=True)
            if problems:
                print(f"{'':>21}refused: {problems[0][2]} at {problems[0][0]}:{problems[0][1]}", flush=True)


def _cell(result: dict) -> str:
    status = result["status"]
    if status == "skipped":
        return f"{'-':<26}"
    text = f"{result['seconds']:7.2f} s {result['mb']:5.0f} MB"
    return f"{text} {'' if status == 'ok' else status:<7}"


_printed_header: set[str] = set()


def print_row(kind: str, row: dict, flush: bool = False) -> None:
    if kind not in _printed_header:
        _printed_header.add(kind)
        print(f"\n{kind}")
        print(f"{'size':>9} {'bytes':>9} | " + " | ".join(f"{s:<26}" for s in STAGES))
    print(f"{row['size']:>9,} {row['bytes']:>9,} | " + " | ".join(_cell(row[s]) for s in STAGES), flush=flush)
    for stage in STAGES:
        if row[stage].get("why"):
            print(f"{'':>21}{stage} failed: {row[stage]['why']}", flush=flush)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kinds", nargs="*", help=f"kinds to measure (default: all): {', '.join(KINDS)}")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per stage and size (default 60)")
    parser.add_argument("--sizes", help="comma-separated sizes instead of each kind's own")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--list", action="store_true", help="list the kinds and their sizes")
    parser.add_argument("--images", action="store_true", help="measure typst on huge images instead of texts")
    parser.add_argument("--bounds", action="store_true",
                        help="measure the worst texts manual/limits.py accepts (the kinds are then their names)")
    args = parser.parse_args()
    if args.list:
        for kind, (_, sizes) in KINDS.items():
            print(f"{kind:<20} {', '.join(f'{s:,}' for s in sizes)}")
        print(f"--bounds: {', '.join(BOUNDS)}")
        return
    if args.bounds:
        unknown = [k for k in args.kinds if k not in BOUNDS]
        if unknown:
            parser.error(f"unknown texts: {', '.join(unknown)}")
        started = time.perf_counter()
        measure_bounds(args.kinds or list(BOUNDS), args.timeout)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
        return
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kinds: {', '.join(unknown)}")
    if args.sizes:
        sizes = [int(s) for s in args.sizes.split(",")]
        for kind in args.kinds or list(KINDS):
            KINDS[kind] = (KINDS[kind][0], sizes)
    started = time.perf_counter()
    if args.images:
        measure_images(args.timeout)
        print(f"\ntotal {time.perf_counter() - started:.0f} s")
        return
    results = measure(args.kinds or list(KINDS), args.timeout)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
