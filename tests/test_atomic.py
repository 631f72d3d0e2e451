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


def test_killed_builds_leave_the_previous_outputs(large: Path) -> None:
    assert _build(large).wait(timeout=300) == 0
    before = _outputs(large)
    assert any(name.endswith(".pdf") for name in before) and "site/en/index.html" in before
    # A change that would show in every output if it were published.
    page = next((large / "contributions").glob("*/*.md"))
    page.write_text(page.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1), encoding="utf-8")
    started = time.monotonic()
    full = _build(large)
    assert full.wait(timeout=300) == 0
    duration = time.monotonic() - started
    assert run_back(large, before)  # the next rounds start from the previous outputs again
    killed = 0
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.9):
        process = _build(large)
        time.sleep(duration * fraction)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed += 1
        assert _outputs(large) == before or process.returncode == 0, fraction
        if process.returncode == 0:  # finished before the kill: put the old outputs back for the next round
            assert run_back(large, before)
    assert killed >= 3
    assert _build(large).wait(timeout=300) == 0
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
