"""Two builds of one manual at once: the second stops at once; neither removes the other's staging folders."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from manual.render.output import clean_stale

from .conftest import REPO, copy_corpus, tree_bytes


def _build(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build_manual.py"), "--root", str(root), "build", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _staging(root: Path) -> list[Path]:
    return [p for p in root.iterdir() if p.name.startswith(".site-")]


def test_a_second_build_refuses_while_the_first_runs(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    first = _build(root)
    deadline = time.monotonic() + 120
    while not _staging(root):  # the first build is writing its website
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.02)
    second = _build(root)
    out, err = second.communicate(timeout=60)
    assert first.poll() is None, "the first build ended before the second started: the test proves nothing"
    assert second.returncode == 1, (out, err)
    assert "another build of this manual is running" in err and "wait for it" in err, err
    assert "Traceback" not in err
    assert first.wait(timeout=300) == 0, first.communicate()
    built = tree_bytes(root / "site")
    assert "en/index.html" in built and "fr/index.html" in built
    assert _staging(root) == []
    # Nothing of the first build was lost: a build on its own writes the same site.
    again = _build(root)
    assert again.wait(timeout=300) == 0, again.communicate()
    assert tree_bytes(root / "site") == built


def test_the_members_build_runs_beside_the_public_one(tmp_path: Path) -> None:
    root = copy_corpus(tmp_path / "manual")
    public = _build(root)
    while not _staging(root):
        assert public.poll() is None, public.communicate()
        time.sleep(0.02)
    members = _build(root, "--members")
    assert members.wait(timeout=300) == 0, members.communicate()
    assert public.wait(timeout=300) == 0, public.communicate()
    assert (root / "site" / "en" / "index.html").is_file() and (root / "site-members" / "en" / "index.html").is_file()


def test_clean_stale_removes_only_the_staging_folders_of_its_own_output(tmp_path: Path) -> None:
    names = [".site-abcd1234", ".site-k_9z0qwe-old", ".site-members-abcd1234", ".site-members-k_9z0qwe-old",
             ".site-members-x1", ".sites-abcd1234", "site", "site-members", ".site.lock"]
    for name in names:
        (tmp_path / name).mkdir()
    clean_stale(tmp_path, "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])
    clean_stale(tmp_path, "site-members")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[4:])
