"""Write outputs atomically: build in a temporary folder, then swap it into place."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target` in one step.

    On any error, or if the process is killed, `target` is left exactly as it was and the
    staging folder is removed (or, after a kill, left as a hidden .<name>-* folder).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield stage
        _swap(stage, target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _swap(stage: Path, target: Path) -> None:
    """Put `stage` at `target`'s place; the old `target` ends up at `stage`'s place."""
    os.chmod(stage, 0o755)
    if not target.exists():
        os.rename(stage, target)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(stage), _AT_FDCWD, os.fsencode(target), _RENAME_EXCHANGE) == 0:
            return
    # No atomic exchange on this system: two renames, with a window of a few microseconds.
    old = stage.with_name(stage.name + "-old")
    os.rename(target, old)
    os.rename(stage, target)
    os.rename(old, stage)


def clean_stale(parent: Path, name: str) -> None:
    """Remove staging folders left behind by killed builds."""
    for stale in parent.glob(f".{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)
