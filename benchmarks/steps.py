#!/usr/bin/env python3
"""Run one measured step of the benchmark in this (fresh) process and write its inner timings as JSON.

benchmarks/run.py starts this script once per step, so each step's wall time and peak memory are
those of a new process. The steps run the project's own command line (build_manual.py) in this
process, with timers around its stages:

    check    `build_manual.py check` (run.py uses this one only to try prototypes)
    build    `build_manual.py build`: reading, validating, merging, generated Markdown, MkDocs
    stages   the same with MkDocs left out: everything the project does itself
    pdf      `build_manual.py build --pdf` with the website left out: check, merge, pandoc, Typst
    serve    a rebuild by manual/serve.py after editing one contribution (if manual/serve.py exists)

    .venv/bin/python benchmarks/steps.py build --root /tmp/corpus --report /tmp/build.json -- --site-dir /tmp/site
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse
import functools
import importlib
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TIMES: dict[str, float] = {}
CALLS: dict[str, int] = {}


def timed(module: str, name: str, label: str, *, replace=None) -> None:
    """Wrap `module.name` (name may be dotted: Class.method) so that the time spent in it adds up under `label` (or replace it)."""
    try:
        owner = importlib.import_module(module)
        *parents, name = name.split(".")
        for parent in parents:
            owner = getattr(owner, parent)
        original = getattr(owner, name)
    except (ImportError, AttributeError):
        return  # the project changed; the step still runs, without this detail

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return (replace or original)(*args, **kwargs)
        finally:
            TIMES[label] = TIMES.get(label, 0.0) + time.perf_counter() - start
            CALLS[label] = CALLS.get(label, 0) + 1

    setattr(owner, name, wrapper)


def run_cli(args: list[str]) -> int:
    """Run build_manual.py with `args` in this process; return its exit status."""
    import build_manual

    # Reading and validating run together, in several processes from 1,000 files (validate.check_tree):
    # one time for both.
    timed("build_manual", "check_tree", "read+validate")
    timed("build_manual", "merge", "merge")
    try:
        build_manual.cli.main(args, prog_name="build_manual.py", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _mkdocs_runner() -> str:
    """Return the function of manual/render/site.py that runs MkDocs for all languages (or for one)."""
    from manual.render import site

    for name in ("run_mkdocs_all", "run_mkdocs_sharded"):
        if hasattr(site, name):
            return name
    return "run_mkdocs"  # run_mkdocs: in each worker


def step_build(root: str, extra: list[str]) -> int:
    timed("manual.render.site", "write_sources", "markdown")
    timed("manual.render.site", _mkdocs_runner(), "mkdocs")
    timed("manual.render.site", "check_links", "links")
    return run_cli(["--root", root, "build", *extra])


def step_stages(root: str, extra: list[str]) -> int:
    timed("manual.render.site", "write_sources", "markdown")
    for runner in ("run_mkdocs_all", "run_mkdocs_sharded", "run_mkdocs"):  # whichever build_site calls, in this process or a worker
        timed("manual.render.site", runner, "mkdocs", replace=lambda *args, **kwargs: None)
    return run_cli(["--root", root, "build", *extra])


def step_pdf(root: str, extra: list[str]) -> int:
    timed("manual.render.site", "build_site", "site", replace=lambda *args, **kwargs: None)
    timed("manual.render.pdf", "Document.markdown", "document")
    timed("pypandoc", "convert_text", "pandoc")
    timed("typst", "compile", "typst")
    return run_cli(["--root", root, "build", "--pdf", *extra])


def step_serve(root: str, extra: list[str]) -> int:
    """Build once, edit one contribution, and time the rebuild of manual/serve.py."""
    from serve_probe import rebuild_once  # benchmarks/serve_probe.py: the one place that knows serve's API

    result = rebuild_once(Path(root), extra)
    TIMES.update(result)
    return 0


def step_check(root: str, extra: list[str]) -> int:
    return run_cli(["--root", root, "check", *extra])


STEPS = {"check": step_check, "build": step_build, "stages": step_stages, "pdf": step_pdf, "serve": step_serve}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="Arguments after -- go to the build "
                                     "command.")
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--root", required=True, help="the corpus's folder")
    parser.add_argument("--report", type=Path, required=True, help="where to write the JSON of inner timings")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1:] if "--" in argv else []
    args = parser.parse_args(argv[:len(argv) - len(extra) - ("--" in argv)])
    args.extra = extra
    status = 1
    try:
        prototypes = [name for name in os.environ.get("CONTINUUM_PROTOTYPES", "").split(",") if name]
        if prototypes:
            from prototypes import apply  # benchmarks/prototypes.py: proposed changes, tried at run time

            apply(prototypes, args.step)
        status = STEPS[args.step](args.root, args.extra)
    finally:
        TIMES["total"] = time.perf_counter() - STARTED
        TIMES["own"] = TIMES["total"] - TIMES.get("mkdocs", 0.0) - TIMES.get("site", 0.0)
        args.report.write_text(json.dumps({"status": status, "times": TIMES, "calls": CALLS}, indent=1),
                               encoding="utf-8")
    sys.exit(status)


if __name__ == "__main__":
    main()
