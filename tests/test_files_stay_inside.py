"""Cases that fixture files can't carry (links, large files): each with its exact message."""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import FIXTURES, run

VALID = (FIXTURES / "check" / "valid-minimal.md").read_text(encoding="utf-8")


def _lines(result) -> list[str]:
    return result.out.splitlines()


def test_symlinked_image_is_refused(base_tree: Path) -> None:
    nice = base_tree / "contributions" / "nice"
    os.symlink("/etc/passwd", nice / "map.png")
    (nice / "symlink.md").write_text(VALID + "\n![A map](map.png)\n", encoding="utf-8")
    result = run("check", root=base_tree)
    assert result.code == 1
    assert _lines(result) == [
        "contributions/nice/map.png:1:1: error [symlink] 'contributions/nice/map.png' is a symbolic link; a "
        "contribution's files must be real files inside its folder: replace the link with the file itself"]


def test_symlinked_contribution_and_city_folder_are_refused(base_tree: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "secret").mkdir(parents=True)
    (outside / "secret" / "city.yml").write_text("name: Secret\n", encoding="utf-8")
    (outside / "note.md").write_text(VALID, encoding="utf-8")
    os.symlink(outside / "secret", base_tree / "contributions" / "secret")
    os.symlink(outside / "note.md", base_tree / "contributions" / "nice" / "note.md")
    result = run("check", root=base_tree)
    assert result.code == 1
    assert _lines(result) == [
        "contributions/nice/note.md:1:1: error [symlink] 'contributions/nice/note.md' is a symbolic link; a "
        "contribution's files must be real files inside its folder: replace the link with the file itself",
        "contributions/secret:1:1: error [symlink] 'contributions/secret' is a symbolic link; a contribution's "
        "files must be real files inside its folder: replace the link with the file itself"]


def test_image_too_large(base_tree: Path) -> None:
    nice = base_tree / "contributions" / "nice"
    (nice / "photo.jpg").write_bytes(b"\xff\xd8" + b"\0" * 2_500_000)
    (nice / "large.md").write_text(VALID + "\n![A photo of the finish](photo.jpg)\n", encoding="utf-8")
    result = run("check", root=base_tree)
    assert _lines(result) == [
        "contributions/nice/large.md:26:1: error [image-too-large] the image 'photo.jpg' is 2.5 MB, more than the "
        "2 MB allowed; make it smaller (a lower resolution or a compressed format)"]


def test_text_too_large(base_tree: Path) -> None:
    (base_tree / "contributions" / "nice" / "long.md").write_text(VALID + "word " * 50_000, encoding="utf-8")
    result = run("check", root=base_tree)
    assert _lines(result) == [
        "contributions/nice/long.md:1:1: error [file-too-large] the file is 250,375 bytes, more than the 200,000 "
        "allowed; shorten the text or split it into several contributions"]


def test_a_folder_name_that_changes_generated_files_is_refused(base_tree: Path) -> None:
    """A city folder named with a newline (which made CODEOWNERS give every file to someone) or a space is
    reported once, on one line, and nothing in it is read until it is renamed."""
    odd = base_tree / "contributions" / "zz\n* @someone #"
    odd.mkdir()
    (odd / "city.yml").write_text("name: Zz\n", encoding="utf-8")
    (base_tree / "contributions" / "Two Words").mkdir()
    result = run("check", root=base_tree)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "unsafe-name" in line]
    assert lines == [
        "contributions/Two Words:1:1: error [unsafe-name] the name 'Two Words' is not allowed; use lower-case "
        "letters, digits and dashes only, such as 'two-words'",
        "contributions/zz\\n* @someone #:1:1: error [unsafe-name] the name 'zz\\n* @someone #' is not allowed; use "
        "lower-case letters, digits and dashes only, such as 'zz-someone'"], result.out
    assert "someone #/city.yml" not in result.out
