"""The benchmark's synthetic corpus: valid in the project's own format, and the same for the same seed."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from .conftest import REPO, run

sys.path.insert(0, str(REPO / "benchmarks"))

from generate_corpus import generate


def digest(root: Path) -> str:
    """Return one hash of every file's path and bytes under `root`."""
    sha = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def test_corpus_passes_check_and_is_deterministic(tmp_path: Path) -> None:
    stats = generate(tmp_path / "a", 60, seed=7)
    assert stats["translations"] > 0 and stats["outdated"] > 0
    assert len(list((tmp_path / "a" / "contributions").glob("*/*.*.md"))) == stats["translations"]
    result = run("check", root=tmp_path / "a")
    assert result.code == 0, result.out
    assert " 0 errors" in result.err
    assert result.out.count("[outdated-translation]") == stats["outdated"]  # made outdated on purpose
    generate(tmp_path / "b", 60, seed=7)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")
    generate(tmp_path / "c", 60, seed=8)
    assert digest(tmp_path / "a") != digest(tmp_path / "c")


def test_translations_leave_the_originals_unchanged(tmp_path: Path) -> None:
    generate(tmp_path / "with", 30, seed=7)
    generate(tmp_path / "without", 30, seed=7, translations=False)
    for path in (tmp_path / "with").rglob("*"):
        if path.is_file() and path.name.count(".") == 1 and path.parent.parent.name == "contributions":
            assert path.read_bytes() == (tmp_path / "without" / path.relative_to(tmp_path / "with")).read_bytes()
