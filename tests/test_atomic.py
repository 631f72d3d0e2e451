"""A build killed at any moment leaves the previous site/ and dist/ exactly as they were."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from .conftest import REPO, tree_bytes


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("atomic") / "manual"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate_corpus.py"), "--contributions", "200",
                    "--out", str(root)], check=True)
    return root


def _build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build_manual.py"), "--root", str(root), "build", "--pdf"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _outputs(root: Path) -> dict[str, bytes]:
    return {**{f"site/{k}": v for k, v in tree_bytes(root / "site").items()},
            **{f"dist/{k}": v for k, v in tree_bytes(root / "dist").items()}}


def _published(root: Path) -> Path:
    """Return the file of the first published contribution by id: approved, public, not a translation."""
    found = {}
    for path in (root / "contributions").glob("*/*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])
        if front.get("status") == "approved" and front.get("sensitivity") == "public" and "id" in front \
                and "translation_of" not in front:
            found[front["id"]] = path
    assert found, "the generated corpus has no published contribution"
    return found[min(found)]


def _differing(old: dict[str, bytes], new: dict[str, bytes]) -> set[str]:
    return {name for name in old.keys() | new.keys() if old.get(name) != new.get(name)}


def test_killed_builds_leave_the_previous_outputs(large: Path) -> None:
    assert _build(large).wait(timeout=300) == 0
    before = _outputs(large)
    assert any(name.endswith(".pdf") for name in before) and "site/en/index.html" in before
    # A change that shows in every output: the title of a published contribution.
    page = _published(large)
    text = page.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    page.write_text(text.replace("\ntitle: ", "\ntitle: Changed ", 1), encoding="utf-8")
    started = time.monotonic()
    full = _build(large)
    assert full.wait(timeout=300) == 0
    duration = time.monotonic() - started
    after = _outputs(large)
    changed = _differing(before, after)
    # Both the site and every PDF changed: an output mixing old and new files is told from both.
    assert any(name.startswith("site/") for name in changed), "the change shows nowhere in the site"
    assert {name for name in changed if name.endswith(".pdf")} == {name for name in after if name.endswith(".pdf")}
    assert run_back(large, before)  # the next rounds start from the previous outputs again
    killed = 0
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        process = _build(large)
        time.sleep(duration * fraction)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed += 1
        else:
            assert process.returncode == 0, fraction
        outputs = _outputs(large)
        # Exactly the old outputs or exactly the new ones, never a mix, whether the build was killed or not.
        assert outputs == before or outputs == after, (fraction, sorted(_differing(before, outputs))[:10],
                                                      sorted(_differing(after, outputs))[:10])
        if outputs == after:  # finished before the kill: put the old outputs back for the next round
            assert run_back(large, before)
    assert killed >= 3
    assert _build(large).wait(timeout=300) == 0
    assert _outputs(large) == after
    leftovers = [p.name for folder in (large, large / "site", large / "dist", large / "build")
                 for p in folder.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def run_back(root: Path, before: dict[str, bytes]) -> bool:
    """Write the previous outputs back, so the next round starts from them again."""
    for folder in ("site", "dist"):
        shutil.rmtree(root / folder, ignore_errors=True)
    for name, data in before.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return _outputs(root) == before


def test_staged_files_replace_the_folder_in_one_step_and_keep_the_other_files(tmp_path: Path) -> None:
    from manual.render import output

    dist = tmp_path / "dist"
    dist.mkdir()
    for name, data in (("manual.json", b"export"), ("manual-en.pdf", b"old en"), ("manual-fr.pdf", b"old fr")):
        (dist / name).write_bytes(data)
    with output.staged_files(dist) as new:
        new("manual-en.pdf").write_bytes(b"new en")
        new("manual-fr.pdf").write_bytes(b"new fr")
        assert tree_bytes(dist) == {"manual.json": b"export", "manual-en.pdf": b"old en", "manual-fr.pdf": b"old fr"}
    assert tree_bytes(dist) == {"manual.json": b"export", "manual-en.pdf": b"new en", "manual-fr.pdf": b"new fr"}
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_staged_files_change_nothing_when_the_block_fails(tmp_path: Path) -> None:
    from manual.render import output

    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "manual-en.pdf").write_bytes(b"old en")
    with pytest.raises(RuntimeError):
        with output.staged_files(dist) as new:
            new("manual-en.pdf").write_bytes(b"new en")
            raise RuntimeError("the PDF of fr failed")
    assert tree_bytes(dist) == {"manual-en.pdf": b"old en"}
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]
