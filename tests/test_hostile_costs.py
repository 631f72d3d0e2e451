"""Small texts that exhausted the build are refused by `check`, with their file and line, before any
renderer sees them; and the costliest contribution `check` accepts still builds, PDF included.

The cases are the ones a hostile pull request sent (each hung `build --pdf` or took gigabytes); the
bounds are measured in manual/limits.py, and benchmarks/hostile.py measures the renderers on them.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from manual.limits import MAX_DEPTH, MAX_RUN, MAX_TABLE_ROWS

from .conftest import FIXTURES, REPO, run

TEMPLATE = (FIXTURES / "check" / "valid-minimal.md").read_text(encoding="utf-8")
BODY_LINE = TEMPLATE.count("\n", 0, TEMPLATE.index("No incident reported.")) + 1


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


HOSTILE = {
    "brackets": ("[" * 50_000, "too-much-punctuation"),
    "guillemets": ("‹" * 50_000, "too-much-punctuation"),
    "link-of-parentheses": ("[a](" + "(" * 50_000, "too-much-punctuation"),
    "table": ("| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * 15_000, "table-too-long"),  # (under 200 KB)
    "quotes": ("\n".join(">" * depth + " a" for depth in range(1, 40)), "too-deeply-nested"),
    "nested-quotes": (">" * 10_000 + " deep", "too-deeply-nested"),
    "nested-lists": ("\n".join("  " * depth + "- item" for depth in range(300)), "too-deeply-nested"),
    "nul": ("a \x00 b", "control-character"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_check_refuses_what_exhausted_the_build(case: str, base_tree: Path) -> None:
    text, code = HOSTILE[case]
    target = base_tree / "contributions" / "nice" / f"{case}.md"
    target.write_text(TEMPLATE.replace("No incident reported.", text), encoding="utf-8")
    result = run("check", root=base_tree)
    assert result.code == 1 and "Traceback" not in result.out + result.err
    found = [line for line in result.out.splitlines() if f"[{code}]" in line]
    assert found and all(line.startswith(f"contributions/nice/{case}.md:") for line in found), result.out
    line = int(found[0].split(":")[1])
    assert BODY_LINE <= line <= BODY_LINE + text.count("\n"), found[0]


def test_check_refuses_an_image_of_billions_of_pixels(base_tree: Path) -> None:
    folder = base_tree / "contributions" / "nice"
    (folder / "huge.png").write_bytes(_png(60_000, 60_000))
    (folder / "huge.md").write_text(TEMPLATE.replace("No incident reported.", "![A plan](huge.png)"),
                                    encoding="utf-8")
    result = run("check", root=base_tree)
    assert result.code == 1
    assert f"contributions/nice/huge.md:{BODY_LINE}:1: error [image-too-large-pixels]" in result.out, result.out


def worst_accepted() -> str:
    """A body at several bounds at once: quotes and lists nested to the limit, a run of brackets, a table
    as long as allowed."""
    quotes = ">" * MAX_DEPTH + " quoted"
    lists = "\n".join("  " * depth + "- item" for depth in range(MAX_DEPTH))
    run_of_brackets = "[]" * (MAX_RUN // 2)
    table = "| a | b |\n|---|---|\n" + "| 1 | 2 |\n" * (MAX_TABLE_ROWS - 1)
    return "\n\n".join([quotes, lists, run_of_brackets, table])


def test_the_costliest_accepted_contribution_builds(base_tree: Path) -> None:
    for part in ("mkdocs.yml", "overrides"):
        source = REPO / part
        if source.is_dir():
            import shutil
            shutil.copytree(source, base_tree / part)
        else:
            (base_tree / part).write_bytes(source.read_bytes())
    (base_tree / "contributions" / "nice" / "worst.md").write_text(
        TEMPLATE.replace("No incident reported.", worst_accepted()), encoding="utf-8")
    checked = run("check", root=base_tree)
    assert " error [" not in checked.out, checked.out
    built = run("build", "--pdf", root=base_tree)
    assert built.code == 0, built
    assert (base_tree / "site" / "en" / "contributions" / "nice-002" / "index.html").is_file()
