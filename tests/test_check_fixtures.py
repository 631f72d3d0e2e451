"""`check` on one broken (or tricky) file at a time: the exact messages it prints.

Each case is tests/fixtures/check/<case>.md, dropped into the sample manual as
contributions/nice/<case>.md, or a folder tests/fixtures/check/<case>/ whose files are all copied
there, with its expected output in <case>.expected (one problem a line).
City cases are tests/fixtures/city/<case>.yml, used as contributions/madrid/city.yml.
To rewrite the expectations after a deliberate change of wording:
    CONTINUUM_REGENERATE=1 .venv/bin/python -m pytest tests/test_check_fixtures.py
then read the diff before committing it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import FIXTURES, run

CASES = sorted(p for p in (FIXTURES / "check").iterdir() if p.suffix == ".md" or p.is_dir())
CITY_CASES = sorted(p for p in (FIXTURES / "city").iterdir() if p.suffix == ".yml")


def _compare(case: Path, result) -> None:
    expected_file = case.with_suffix(".expected")
    if os.environ.get("CONTINUUM_REGENERATE"):
        # (on CI the expectations are what is tested, never what is written: a regenerated file would be
        # compared with itself)
        assert os.environ.get("CI", "").lower() not in ("true", "1", "yes"), \
            "CONTINUUM_REGENERATE is set on CI: the fixtures would be compared with themselves"
        expected_file.write_text(result.out, encoding="utf-8")
    expected = expected_file.read_text(encoding="utf-8")
    assert result.out == expected
    has_error = any(" error [" in line for line in expected.splitlines())
    assert result.code == (1 if has_error else 0), result
    assert "Traceback" not in result.out + result.err


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_contribution_case(case: Path, base_tree: Path) -> None:
    if case.is_dir():  # a case that needs files beside the contribution: all copied into the city's folder
        shutil.copytree(case, base_tree / "contributions" / "nice", dirs_exist_ok=True)
    else:
        shutil.copyfile(case, base_tree / "contributions" / "nice" / case.name)
    _compare(case, run("check", root=base_tree))


@pytest.mark.parametrize("case", CITY_CASES, ids=[c.stem for c in CITY_CASES])
def test_city_case(case: Path, base_tree: Path) -> None:
    shutil.copyfile(case, base_tree / "contributions" / "madrid" / "city.yml")
    _compare(case, run("check", root=base_tree))


def test_every_case_has_an_expectation() -> None:
    for case in CASES + CITY_CASES:
        assert case.with_suffix(".expected").is_file(), case.name
