#!/usr/bin/env python3
"""The website's build once the manual has a released edition: what every build pays after the first
release (badges and What's new from the changelog, tombstones, the edition's site unpacked beside the
living version, the short addresses), at several sizes.

    .venv/bin/python benchmarks/edition.py 1000 5000                 # this checkout's code
    .venv/bin/python benchmarks/edition.py 5000 --code /tmp/before   # another checkout's build_manual.py

For each size it generates the corpus (benchmarks/generate_corpus.py, same seed as run.py), commits it
in a git repository of its own, releases its edition (the PDFs, which a later build never reads, are
left out to save the time), then changes it as a year of work would: 5% of the published
contributions edited, 1% withdrawn, the next edition in preparation. Then it builds the living
website in one language (`build --site-dir`) twice and keeps the faster, and prints a table. Corpora
are kept in --work (default: a temporary folder) so that another --code can be measured on the same
ones.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from benchmarks.generate_corpus import generate  # noqa: E402
from benchmarks.run import PYTHON, best, languages, measure, set_languages  # noqa: E402

EDITION = "2027"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def release_once(root: Path) -> dict:
    """Commit the corpus and release its edition (without PDFs); return what was released."""
    from unittest import mock

    from manual import release
    from manual.validate import check_tree

    _git(root, "init", "-q")
    _git(root, "-c", "user.name=Benchmark", "-c", "user.email=benchmark@example.org", "add", "-A")
    _git(root, "-c", "user.name=Benchmark", "-c", "user.email=benchmark@example.org", "commit", "-qm", "corpus")
    sources = check_tree(root)
    waiting = tuple(c.id for c in sources.contributions if c.status == "submitted")
    plan = release.plan(root, sources, EDITION, date=dt.date(2026, 11, 30), defer=waiting)

    def no_pdf(view, root, output, work):  # a later build never opens an edition's PDFs
        output.write_bytes(b"%PDF-1.7\n% left out by benchmarks/edition.py\n")
        return output

    started = time.perf_counter()
    with mock.patch("manual.render.pdf.build_pdf", no_pdf):
        release.write(root, plan)
    return {"released": len(plan.manifest["contributions"]), "seconds_to_release": round(time.perf_counter() - started, 1)}


def a_year_later(root: Path, seed: int) -> dict:
    """Edit 5% of the published contributions, withdraw 1%, prepare the next edition."""
    rng = random.Random(f"{seed}-a-year-later")
    published = sorted(p for p in (root / "contributions").glob("*/*.md")
                       if p.name.count(".") == 1 and re.search(r"^status: approved$", p.read_text(), re.MULTILINE))
    edited = rng.sample(published, len(published) // 20)
    withdrawn = rng.sample(sorted(set(published) - set(edited)), len(published) // 100)
    for path in edited:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n## ", "\nA sentence added in the year after the edition.\n\n## ", 1),
                        encoding="utf-8")
    for path in withdrawn:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^status: approved$", "status: withdrawn", text, count=1, flags=re.MULTILINE),
                        encoding="utf-8")
    settings = root / "manual.yml"
    settings.write_text(re.sub(r'^edition: .*$', f'edition: "{int(EDITION) + 1}"', settings.read_text(),
                               count=1, flags=re.MULTILINE), encoding="utf-8")
    return {"edited": len(edited), "withdrawn": len(withdrawn)}


def corpus(work: Path, size: int, seed: int) -> tuple[Path, dict]:
    root = work / f"corpus-{size}-edition"
    facts = root.parent / f"{root.name}.yml"
    if not root.exists():
        counts = generate(root, size, seed)
        counts.update(release_once(root))
        counts.update(a_year_later(root, seed))
        facts.write_text(yaml.safe_dump(counts), encoding="utf-8")
    return root, yaml.safe_load(facts.read_text(encoding="utf-8"))


def build_once(code: Path, root: Path, out: Path, log: Path) -> dict:
    return measure([PYTHON, str(code / "build_manual.py"), "--root", str(root), "--quiet", "build",
                    "--site-dir", str(out)], timeout=1800, log=log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--code", type=Path, default=REPO, help="the checkout whose build_manual.py is measured")
    parser.add_argument("--work", type=Path, help="where the corpora are kept (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="continuum-edition-"))
    work.mkdir(parents=True, exist_ok=True)
    commit = subprocess.run(["git", "-C", str(args.code), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, check=False).stdout.strip()
    rows = []
    for size in args.sizes:
        root, facts = corpus(work, size, args.seed)
        langs = languages(root)
        set_languages(root, langs[:1])
        try:
            runs = [build_once(args.code, root, work / f"site-{size}", work / f"build-{size}-{i}.log")
                    for i in range(args.repeat)]
        finally:
            set_languages(root, langs)
        fastest = best(runs)
        rows.append((size, facts, fastest))
        print(f"{size}: {fastest}", file=sys.stderr, flush=True)
    print(f"\nThe living website in one language ({langs[0]}), after edition {EDITION} was released "
          f"(code at {commit or args.code}; corpora in {work}):\n")
    print("| contributions | released | edited since | withdrawn since | build | peak memory |")
    print("|---:|---:|---:|---:|---:|---:|")
    for size, facts, run in rows:
        seconds = f"{run['wall']:.1f} s" if run["status"] == 0 else f"failed (exit {run['status']})"
        memory = f"{run['peak_mb']:,.0f} MB" if run.get("peak_mb") else "–"
        print(f"| {size:,} | {facts['released']:,} | {facts['edited']} | {facts['withdrawn']} | {seconds} | {memory} |")


if __name__ == "__main__":
    main()
