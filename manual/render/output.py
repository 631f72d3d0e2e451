"""Write outputs atomically: build in a temporary folder, then swap it into place."""

from __future__ import annotations

import contextlib
import datetime as dt
import ctypes
import ctypes.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator

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


@contextlib.contextmanager
def cleared_meanwhile(folder: Path) -> Iterator[None]:
    """Move a scratch `folder` aside and remove it in another process while the block runs.

    For folders whose old content the build replaces and never reads (build/src): on thousands of
    pages, removing it takes seconds that the build's own waiting can absorb. A removal cut short is
    finished by clean_stale() the next time.
    """
    if not folder.exists():
        yield
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    os.rename(folder, aside / folder.name)
    rm = shutil.which("rm")
    remover = subprocess.Popen([rm, "-rf", "--", str(aside)], stdin=subprocess.DEVNULL) if rm else None
    try:
        yield
    finally:
        if remover is not None:
            remover.wait()
        shutil.rmtree(aside, ignore_errors=True)


def clean_stale(parent: Path, name: str) -> None:
    """Remove staging folders left behind by killed builds."""
    for stale in parent.glob(f".{name}-*"):
        shutil.rmtree(stale, ignore_errors=True)


def epoch(date: dt.date) -> int:
    """Return the Unix time of midnight UTC on `date`."""
    return int(dt.datetime.combine(date, dt.time(), dt.timezone.utc).timestamp())


@contextlib.contextmanager
def source_date(date: dt.date) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH to `date` for the tools run inside, unless the caller already set it."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    if saved is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch(date))
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


@contextlib.contextmanager
def staged_files(folder: Path) -> Iterator[Callable[[str], Path]]:
    """Yield `new(name)`, which gives a path to write the file `name` of `folder` to.

    The files are written in a staging folder beside `folder`; when the block ends without
    error they are moved into `folder` together. Otherwise, or if the process is killed,
    `folder` is left exactly as it was.
    """
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent, folder.name)
    stage = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    names: list[str] = []

    def new(name: str) -> Path:
        names.append(name)
        return stage / name

    try:
        yield new
        for name in names:
            os.chmod(stage / name, 0o644)
            os.replace(stage / name, folder / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
