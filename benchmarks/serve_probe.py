"""The one place of the benchmark that knows manual/serve.py: is there a rebuild, and how to time it."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

EDIT = "\nOne more sentence, written for the benchmark.\n"


def serve_mode() -> str:
    """Return 'serve' if manual/serve.py has a Preview with a rebuild method, 'build' otherwise."""
    if importlib.util.find_spec("manual.serve") is None:
        return "build"
    import manual.serve

    return "serve" if callable(getattr(getattr(manual.serve, "Preview", None), "rebuild", None)) else "build"


def one_contribution(root: Path) -> Path:
    """Return an approved, public original (not a translation) to edit."""
    for path in sorted((root / "contributions").glob("*/*.md")):
        if path.name.count(".") == 1:
            text = path.read_text(encoding="utf-8")
            if "\nstatus: approved\n" in text and "\nsensitivity: public\n" in text:
                return path
    raise SystemExit(f"no approved public contribution in {root}")


def rebuild_once(root: Path, extra: list[str]) -> dict[str, float]:
    """Build the preview once, edit one contribution, and time the rebuild that follows.

    `extra` may hold `--language <lang>` (repeated), as `build_manual.py serve` takes them.
    """
    from manual.serve import Preview

    languages = [extra[i + 1] for i, arg in enumerate(extra[:-1]) if arg == "--language"]
    folder = root / "build" / f"serve-benchmark-{'-'.join(languages) or 'all'}"
    shutil.rmtree(folder, ignore_errors=True)  # a cold first build, whatever ran before
    preview = Preview(root, folder, languages=languages or None)
    start = time.perf_counter()
    first = preview.rebuild()
    first_seconds = time.perf_counter() - start
    if not first.built:
        raise SystemExit(f"the first preview build failed: {first.error or first.errors[:3]}")
    path = one_contribution(root)
    original = path.read_text(encoding="utf-8")
    path.write_text(original + EDIT, encoding="utf-8")
    try:
        start, cpu = time.perf_counter(), time.process_time()
        second = preview.rebuild([path])
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    finally:
        path.write_text(original, encoding="utf-8")
    if not second.built:
        raise SystemExit(f"the rebuild failed: {second.error or second.errors[:3]}")
    return {"first_build": first_seconds, "rebuild": seconds, "rebuild_cpu": cpu, "files_reread": second.files_reread}
