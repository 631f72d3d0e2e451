"""Shared helpers: throwaway manual trees built from the small sample in fixtures/base."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import build_manual

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent


@pytest.fixture
def base_tree(tmp_path: Path) -> Path:
    """A copy of the small sample manual: two cities, two contributions, three themes."""
    root = tmp_path / "manual"
    shutil.copytree(FIXTURES / "base", root)
    return root


def run(*args: str, root: Path | None = None) -> "CliResult":
    """Run the command line in this process and return its result."""
    argv = (["--root", str(root)] if root else []) + list(args)
    result = CliRunner().invoke(build_manual.cli, argv, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"CliResult(code={self.code}, out={self.out!r}, err={self.err!r})"


CORPUS_PARTS = ("manual.yml", "themes.yml", "mkdocs.yml", "contributions", "docs", "overrides")


def copy_corpus(target: Path, *, with_releases: bool = False) -> Path:
    """Copy the bundled corpus and the site's settings into `target`.

    Without its released editions (releases/) unless asked: the site is then one version per
    language, at site/<lang>/ (tests/test_bundled_edition.py builds it with them).
    """
    target.mkdir(parents=True, exist_ok=True)
    for part in CORPUS_PARTS + (("releases",) if with_releases else ()):
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copyfile(source, target / part)
    return target


@pytest.fixture(scope="session")
def built_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus, built once for the session; returns the manual's folder."""
    root = copy_corpus(tmp_path_factory.mktemp("corpus") / "manual")
    result = run("build", root=root)
    assert result.code == 0, result
    return root


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` with its bytes, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
