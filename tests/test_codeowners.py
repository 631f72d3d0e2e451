"""`codeowners`: a city folder or an owner that would change CODEOWNERS' syntax is refused, never written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import run

INJECTED = "zz\n* @someone #"


def _city(root: Path, folder: str) -> Path:
    """Add the city `folder`, with a copy of Nice's card."""
    card = root / "contributions" / folder / "city.yml"
    card.parent.mkdir()
    shutil.copyfile(root / "contributions" / "nice" / "city.yml", card)
    return card


@pytest.mark.parametrize("folder", [INJECTED, "zz #", "Zz", "zz*", "zz -x", "-zz",
                                    "zz--x", "zz\t@someone", "zz\n"])
def test_a_city_folder_that_would_change_the_syntax_is_refused(base_tree: Path, folder: str) -> None:
    assert run("codeowners", root=base_tree).code == 0
    written = (base_tree / "CODEOWNERS").read_bytes()
    _city(base_tree, folder)
    result = run("codeowners", root=base_tree)
    assert result.code == 1, result
    assert repr(f"contributions/{folder}/")[1:-1] in result.err
    assert "lower-case letters and digits" in result.err and "rename" in result.err
    assert "Traceback" not in result.err
    assert (base_tree / "CODEOWNERS").read_bytes() == written
    checked = run("codeowners", "--check", root=base_tree)
    assert checked.code == 1 and repr(f"contributions/{folder}/")[1:-1] in checked.err, checked


def test_the_injected_line_is_never_written(base_tree: Path) -> None:
    _city(base_tree, INJECTED)
    assert run("codeowners", root=base_tree).code == 1
    assert not (base_tree / "CODEOWNERS").exists()


@pytest.mark.parametrize("org", ["eu-polnet\n* @someone", "eu polnet", "@eu-polnet", "eu-polnet#", "", "eu/"])
def test_an_organisation_that_would_change_the_syntax_is_refused(base_tree: Path, org: str) -> None:
    result = run("codeowners", "--org", org, root=base_tree)
    assert result.code == 1, result
    assert "CODEOWNERS" in result.err and repr(org)[1:-1] in result.err and "Traceback" not in result.err
    assert not (base_tree / "CODEOWNERS").exists()
    assert run("codeowners", "--check", "--org", org, root=base_tree).code == 1


@pytest.mark.parametrize("org", ["eu-polnet", "EU_Polnet.2", "polnet/continuum"])
def test_organisations_and_gitlab_subgroups_are_accepted(base_tree: Path, org: str) -> None:
    result = run("codeowners", "--org", org, root=base_tree)
    assert result.code == 0, result
    text = (base_tree / "CODEOWNERS").read_text(encoding="utf-8")
    assert f"/contributions/nice/ @{org}/city-nice\n" in text and f"* @{org}/editorial-board\n" in text
    assert run("codeowners", "--check", "--org", org, root=base_tree).code == 0


def test_every_line_of_the_file_is_a_path_and_owners(base_tree: Path) -> None:
    _city(base_tree, "kordelio-evosmos")
    assert run("codeowners", root=base_tree).code == 0
    for line in (base_tree / "CODEOWNERS").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            path, *owners = line.split(" ")
            assert path.startswith("/") or path == "*"
            assert owners and all(o.startswith("@") for o in owners), line
