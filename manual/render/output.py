"""Write outputs atomically: build in a temporary folder, then swap it into place.

A staging folder of the output <name> is named .<name>-<8 characters> (or .<name>-<8 characters>-old,
during a swap without an atomic exchange) beside it, and only such folders are stale ones of <name>:
those of site-members/ (.site-members-…) are never taken for those of site/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ctypes
import ctypes.util
import fcntl
import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from ..errors import BuildRunning

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
# What tempfile.mkdtemp() puts after the prefix: 8 letters, digits or '_', never a dash.
_STAGE_TAIL = r"[a-z0-9_]{8}(?:-old)?"



@contextlib.contextmanager
def exclusive(lock: Path, what: str) -> Iterator[None]:
    """Hold the lock file `lock` for the block; stop at once with BuildRunning if another process holds it.

    The lock is the kernel's (flock): it goes with the process, so a killed build leaves none behind,
    and the file stays, empty of meaning, for the next build to lock.
    """
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            by = f"process {holder}, " if holder.isdigit() else ""
            raise BuildRunning(f"another build of this manual is running ({what}; {by}lock {lock}): wait for it "
                               "to finish, then run this one again. Nothing was changed.") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # (releases the lock)


def _new_stage(target: Path) -> Path:
    """Create an empty, private staging folder for `target`, beside it: .<name>-<8 characters>."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))


@contextlib.contextmanager
def staged(target: Path) -> Iterator[Path]:
    """Yield an empty folder beside `target`; on success it replaces `target` in one step.

    On any error, or if the process is killed, `target` is left exactly as it was and the
    staging folder is removed (or, after a kill, left as a hidden .<name>-* folder).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    stage = _new_stage(target)
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
    aside = _new_stage(folder)
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
    """Remove the staging folders of the output `name` left in `parent` by killed builds.

    Only .<name>-<8 characters>[-old]: not those of another output whose name starts with `name`
    (.site-members-… for site). The caller holds the build's lock, so no build of `name` is running.
    """
    pattern = re.compile(rf"\.{re.escape(name)}-{_STAGE_TAIL}")
    for stale in parent.glob(f".{glob.escape(name)}-*"):
        if pattern.fullmatch(stale.name):
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

    The files are written in a staging folder beside `folder`; when the block ends without error,
    the files of `folder` that were not written again are linked (or copied) beside them and the
    staging folder takes `folder`'s place in one step, as in staged(). Otherwise, or if the process
    is killed, `folder` is left exactly as it was. Builds and exports writing into the same folder
    take turns for that last step, so neither loses the files of the other.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(folder.parent, folder.name)
    stage = _new_stage(folder)
    names: set[str] = set()

    def new(name: str) -> Path:
        names.add(name)
        return stage / name

    try:
        yield new
        for name in names:
            os.chmod(stage / name, 0o644)
        with _turn(folder):
            _keep_the_others(folder, stage, names)
            _swap(stage, folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


@contextlib.contextmanager
def _turn(folder: Path) -> Iterator[None]:
    """Wait for, then hold, the turn to replace a folder of `folder`'s parent: a lock on the parent itself.

    The parent stays in place while the folders in it are swapped, so every writer locks the same thing.
    """
    fd = os.open(folder.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with contextlib.suppress(OSError):  # a file system without locks: the step takes milliseconds
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # (releases the lock)


def _keep_the_others(folder: Path, stage: Path, written: set[str]) -> None:
    """Put into `stage` the files of `folder` not in `written`: hard links, or copies where links fail."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name in written:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, stage / entry.name, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, stage / entry.name)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)
