#!/usr/bin/env python3
"""Benchmark check, website and PDF on synthetic manuals of 100 to 5,000 contributions.

    .venv/bin/python benchmarks/run.py                  # 100, 1,000 and 5,000 (the PDF also at 500)
    .venv/bin/python benchmarks/run.py 100 1000         # only these sizes

For each size it writes a corpus (benchmarks/generate_corpus.py) into a temporary folder, then
runs each measured step as a fresh process and records its wall time and its peak memory (the
largest resident set of the process and its children, from wait4, or the sum over the process
tree sampled every 20 ms, whichever is larger). The steps:

- check: `build_manual.py check`;
- own stages: `build_manual.py build` with MkDocs left out (reading, validating, merging and
  writing the generated Markdown of every language), timed inside the process;
- site: `build_manual.py build` of the first language alone, of each language alone, and of all
  configured languages together;
- plain MkDocs: `mkdocs build` of the Markdown and configuration the site build generated, to
  show the project's overhead as a ratio;
- PDF: `build_manual.py build --pdf` of the first language, with the website left out;
- serve: the rebuild after editing one contribution (manual/serve.py if it has a rebuild
  function; otherwise a new site build after editing one file, and the table says so).

It writes benchmarks/results.md and benchmarks/results.json: the machine, the date, every figure
and each target with whether it is reached.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate_corpus import generate
from prototypes import PROTOTYPES
from serve_probe import EDIT, one_contribution, serve_mode

PYTHON = sys.executable
MKDOCS = str(Path(sys.executable).with_name("mkdocs"))
SIZES = [100, 1000, 5000]
PDF_SIZES = [500]
# Seconds between two samples of the process tree's memory. A sample reads /proc for every process
# of the tree (about 2 ms a process): every 0.02 s this took a fifth of a core from the step measured,
# every 0.1 s still 6% of its time. The largest single process's peak is known exactly (ru_maxrss).
SAMPLE = 0.25
MB = 1024 * 1024


# --- measuring one process ------------------------------------------------------------------

def measure(cmd: list[str], *, timeout: float, log: Path, env: dict[str, str] | None = None) -> dict:
    """Run `cmd` as a fresh process; return its wall time, peak memory and exit status."""
    with open(log, "wb") as output:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
                                env=env)
        peak = [0, 0]
        done = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, peak, done), daemon=True)
        sampler.start()
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        timer.cancel()
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    result = {"wall": round(wall, 3), "cpu": round(usage.ru_utime + usage.ru_stime, 3), "peak_mb": round(max(peak[0], usage.ru_maxrss * 1024) / MB, 1),
              "largest_process_mb": round(usage.ru_maxrss / 1024, 1), "tree_peak_mb": round(peak[0] / MB, 1),
              "tree_resident_sum_mb": round(peak[1] / MB, 1),
              "status": proc.returncode}
    if killed.is_set():
        result["timed_out"] = True
    if proc.returncode:
        result["output_tail"] = log.read_text(encoding="utf-8", errors="replace")[-2000:]
    return result


def _sample(pid: int, peak: list[int], done: threading.Event) -> None:
    """Record the largest memory of the process `pid` and its descendants together.

    Counted as PSS (proportional set size: a page shared by forked workers counts once, split
    between them), which is what the tree really occupies; a sum of resident sizes would count
    the pages the language workers share with their parent twice. peak[1] keeps that sum too.
    """
    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not done.is_set():
        total = resident = 0
        try:
            processes = [parent, *parent.children(recursive=True)]
        except psutil.Error:
            processes = [parent]
        for process in processes:
            try:
                info = process.memory_full_info()
                total += getattr(info, "pss", info.rss)
                resident += info.rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        peak[1] = max(peak[1], resident)
        done.wait(SAMPLE)


def best(runs: list[dict]) -> dict:
    """Keep the fastest of repeated runs (the least disturbed), with the largest peak of all."""
    fastest = dict(min(runs, key=lambda r: r["wall"]))
    fastest["peak_mb"] = max(r["peak_mb"] for r in runs)
    if len(runs) > 1:
        fastest["walls"] = [r["wall"] for r in runs]
    return fastest


# --- the corpus's settings ------------------------------------------------------------------

def languages(root: Path) -> list[str]:
    return list(yaml.safe_load((root / "manual.yml").read_text(encoding="utf-8")).get("languages", ["en"]))


def set_languages(root: Path, langs: list[str]) -> None:
    """Make the corpus's manual.yml list `langs` (to build some languages alone)."""
    path = root / "manual.yml"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(?m)^languages:.*(\n[ \t]+-.*)*", f"languages: [{', '.join(langs)}]", text, count=1)
    path.write_text(new, encoding="utf-8")


# --- the benchmark --------------------------------------------------------------------------

class Bench:
    """Run the steps for each size, keeping every figure in `self.results`."""

    def __init__(self, args: argparse.Namespace, work: Path):
        self.args = args
        self.work = work
        self.results: dict = {"machine": machine(), "command": "benchmarks/run.py " + " ".join(sys.argv[1:]),
                              "seed": args.seed, "repeat": args.repeat, "prototypes": args.prototype, "sizes": {}}
        self.env = dict(os.environ, CONTINUUM_PROTOTYPES=",".join(args.prototype)) if args.prototype else None
        if args.resume and self.output("json").is_file():
            earlier = json.loads(self.output("json").read_text(encoding="utf-8"))
            earlier.setdefault("resumed", []).append({"command": self.results["command"],
                                                      "date": self.results["machine"]["date"],
                                                      "load_average_start": self.results["machine"][
                                                          "load_average_start"]})
            self.results = earlier

    def run(self, name: str, cmd: list[str], size: int) -> dict:
        """Measure one step `repeat` times; print and return the best run."""
        runs = []
        if self.args.profile and cmd[0] == PYTHON:
            self.args.profile.mkdir(parents=True, exist_ok=True)
            cmd = [PYTHON, "-m", "cProfile", "-o", str(self.args.profile / f"{name}-{size}.prof"), *cmd[1:]]
        for _ in range(self.args.repeat):
            runs.append(measure(cmd, timeout=self.args.timeout, log=self.work / f"{name}-{size}.log", env=self.env))
            report = self.work / f"{name}-{size}.json"
            if report.is_file():
                runs[-1]["inner"] = json.loads(report.read_text(encoding="utf-8"))["times"]
                report.unlink()
            if runs[-1]["status"]:
                break
        result = best(runs)
        inner = ", ".join(f"{k} {v:.2f}" for k, v in sorted(result.get("inner", {}).items()))
        print(f"  {name:<12} {result['wall']:8.2f} s {result['cpu']:8.2f} cpu {result['peak_mb']:8.0f} MB"
              f"{'  FAILED (status ' + str(result['status']) + ')' if result['status'] else ''}"
              f"{'  [' + inner + ']' if inner else ''}", file=sys.stderr, flush=True)
        return result

    def step(self, name: str, size: int, extra: list[str]) -> dict:
        kind, _, label = name.rpartition(":")
        kind = kind or label
        report = self.work / f"{label}-{size}.json"
        return self.run(label, [PYTHON, str(HERE / "steps.py"), kind, "--root", str(self.work / f"corpus-{size}"),
                                "--report", str(report), "--", *extra], size)

    def size(self, size: int, *, full: bool) -> None:
        args, work = self.args, self.work
        root = work / f"corpus-{size}"
        entry = self.results["sizes"].setdefault(str(size), {"contributions": size, "steps": {}})
        steps = entry["steps"]
        stats = work / f"corpus-{size}.json"
        if not root.exists():
            start = time.perf_counter()
            counts = generate(root, size, args.seed)
            counts["seconds_to_generate"] = round(time.perf_counter() - start, 2)
            stats.write_text(json.dumps(counts), encoding="utf-8")
        entry["corpus"] = json.loads(stats.read_text(encoding="utf-8")) if stats.is_file() else {}
        langs = languages(root)
        entry["languages"] = langs
        print(f"{size} contributions ({entry.get('corpus', {}).get('translations', '?')} translations), "
              f"languages {', '.join(langs)}:", file=sys.stderr, flush=True)
        wanted = set(args.steps)
        if "check" in wanted and args.prototype:
            steps["check"] = self.step("check", size, [])
            self.save()
        elif "check" in wanted:
            steps["check"] = self.run("check", [PYTHON, str(REPO / "build_manual.py"), "--root", str(root), "check"],
                                      size)
            self.save()
        if full and "stages" in wanted:
            steps["stages"] = self.step("stages", size, ["--site-dir", str(work / f"site-stages-{size}")])
            self.save()
        if full and "site" in wanted:
            steps["site_all"] = self.step("build:site_all", size, ["--site-dir", str(work / f"site-all-{size}")])
            self.save()
            if "mkdocs" in wanted:
                steps["mkdocs"] = self.plain_mkdocs(root, size, langs)
                self.save()
            if len(langs) > 1:
                each = {}
                for lang in langs:
                    set_languages(root, [lang])
                    try:
                        each[lang] = self.step(f"build:site_{lang}", size,
                                               ["--site-dir", str(work / f"site-{lang}-{size}")])
                    finally:
                        set_languages(root, langs)
                steps["site_each"] = each
                steps["site_one"] = dict(each[langs[0]], language=langs[0])
            else:
                steps["site_one"] = dict(steps["site_all"], language=langs[0], same_as="site_all")
            self.save()
        for folder in work.glob(f"site-*-{size}"):
            shutil.rmtree(folder, ignore_errors=True)  # gigabytes at 5,000; measured already
        if full and "serve" in wanted and size <= args.serve_max:
            steps["serve"] = self.serve(root, size)
            self.save()
        if "pdf" in wanted and (not full or size <= args.pdf_max):
            set_languages(root, langs[:1])
            try:
                steps["pdf"] = dict(self.step("pdf", size, []), language=langs[0])
            finally:
                set_languages(root, langs)
            self.save()

    def plain_mkdocs(self, root: Path, size: int, langs: list[str]) -> dict:
        """Run plain `mkdocs build` on the Markdown and config the site build generated, per language."""
        runs = {}
        for lang in langs:
            config = root / "build" / "src" / lang / "mkdocs.yml"
            out = self.work / f"site-mkdocs_{lang}-{size}"
            runs[lang] = self.run(f"mkdocs_{lang}", [MKDOCS, "build", "--quiet", "--config-file", str(config),
                                                     "--site-dir", str(out)], size)
            shutil.rmtree(out, ignore_errors=True)
        return {"wall": round(sum(r["wall"] for r in runs.values()), 3),
                "cpu": round(sum(r["cpu"] for r in runs.values()), 3),
                "peak_mb": max(r["peak_mb"] for r in runs.values()),
                "status": max(r["status"] for r in runs.values()), "per_language": runs}

    def serve(self, root: Path, size: int) -> dict:
        """Time the rebuild after editing one contribution: with manual/serve.py, or a new build."""
        if serve_mode() == "serve":
            result = self.step("serve", size, [])
            result = dict(result, mode="serve", rebuild=result.get("inner", {}).get("rebuild"))
            langs = languages(root)
            if len(langs) > 1:
                one = self.step(f"serve:serve_{langs[0]}", size, ["--language", langs[0]])
                result["one_language"] = dict(one, language=langs[0], rebuild=one.get("inner", {}).get("rebuild"))
            return result
        path = one_contribution(root)
        original = path.read_text(encoding="utf-8")
        path.write_text(original + EDIT, encoding="utf-8")
        try:
            result = self.step("build:serve_fallback", size, ["--site-dir", str(self.work / f"site-all-{size}")])
        finally:
            path.write_text(original, encoding="utf-8")
        return dict(result, mode="build", rebuild=result["wall"], edited=str(path.relative_to(root)))

    def save(self) -> None:
        self.results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        self.results["targets"] = targets(self.results)
        self.args.out.mkdir(parents=True, exist_ok=True)
        self.output("json").write_text(json.dumps(self.results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        self.output("md").write_text(table(self.results), encoding="utf-8")

    def output(self, suffix: str) -> Path:
        """Return results.<suffix>, or results-<prototypes>.<suffix> for a run with prototypes."""
        name = "-".join(["results", *self.args.prototype])
        return self.args.out / f"{name}.{suffix}"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    git = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True,
                         check=False)
    return {"cpu": cpu, "cores": os.cpu_count(), "physical_cores": psutil.cpu_count(logical=False),
            "ram_gib": round(psutil.virtual_memory().total / 1024 ** 3, 1), "python": platform.python_version(),
            "os": platform.platform(), "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "commit": git.stdout.strip() or "unknown",
            "load_average_start": [round(x, 2) for x in os.getloadavg()]}


# --- targets and the table ------------------------------------------------------------------

def _get(results: dict, size: int, *keys: str):
    value = results["sizes"].get(str(size), {}).get("steps", {})
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _ok(step: dict | None) -> bool:
    return bool(step) and not step.get("status")


OWN_STAGES = ("read+validate", "merge")  # the project's own stages, as the issue names them


def own_fraction(results: dict, size: int) -> float | None:
    """Reading, validating and merging, as a share of the whole site build (all languages).

    The generated Markdown, the process start and the link check are part of the site build
    and show in the table, but are not "own stages" here.
    """
    stages, site = _get(results, size, "stages"), _get(results, size, "site_all")
    if not (_ok(stages) and _ok(site) and "inner" in stages):
        return None
    return sum(stages["inner"].get(name, 0.0) for name in OWN_STAGES) / site["wall"]


def targets(results: dict) -> list[dict]:
    """Return each target with what was measured and whether it is reached (None: not measured)."""
    found = []

    def target(name: str, measured: str | None, reached: bool | None) -> None:
        found.append({"target": name, "measured": measured or "not measured",
                      "reached": None if measured is None else reached})

    check = _get(results, 5000, "check")
    target("check of 5,000 contributions < 2 s",
           f"{check['wall']:.2f} s" if _ok(check) else None, _ok(check) and check["wall"] < 2)
    sizes = sorted(int(s) for s, e in results["sizes"].items() if "stages" in e["steps"])
    fractions = {s: own_fraction(results, s) for s in sizes}
    measured = [f"{s:,}: {f:.0%}" for s, f in fractions.items() if f is not None]
    target("own stages (read and validate, merge) < 10% of the site build at every size",
           ", ".join(measured) if measured else None,
           all(f is not None and f < 0.10 for f in fractions.values()))
    small, large = _get(results, 1000, "site_all"), _get(results, 5000, "site_all")
    if _ok(small) and _ok(large):
        ratio = (large["wall"] / 5000) / (small["wall"] / 1000)
        cpu = (f"; CPU time {large['cpu'] / 5:.2f} ms vs {small['cpu']:.2f} ms, {large['cpu'] / small['cpu'] / 5:.2f}×"
               if "cpu" in large and "cpu" in small else "")
        target("site build linear: time per contribution at 5,000 ≤ 1.25 × at 1,000",
               f"{large['wall'] / 5 :.2f} ms vs {small['wall']:.2f} ms per contribution ({ratio:.2f}×{cpu})",
               ratio <= 1.25)
    else:
        target("site build linear: time per contribution at 5,000 ≤ 1.25 × at 1,000", None, None)
    one = _get(results, 5000, "site_one")
    target("site of 5,000 contributions in one language < 40 s",
           f"{one['wall']:.1f} s" if _ok(one) else None, _ok(one) and one["wall"] < 40)
    each, every = _get(results, 5000, "site_each"), _get(results, 5000, "site_all")
    if each and _ok(every):
        total = sum(r["wall"] for r in each.values())
        target("all languages in less than the sum of each (5,000)",
               f"{every['wall']:.1f} s vs {total:.1f} s", every["wall"] < total)
    elif _ok(every):
        target("all languages in less than the sum of each (5,000)",
               "one language configured: nothing to compare", None)
    else:
        target("all languages in less than the sum of each (5,000)", None, None)
    pdf = _get(results, 500, "pdf")
    target("PDF of 500 contributions < 15 s and < 2 GB",
           f"{pdf['wall']:.1f} s, {pdf['peak_mb']:.0f} MB" if _ok(pdf) else None,
           _ok(pdf) and pdf["wall"] < 15 and pdf["peak_mb"] < 2048)
    serve = _get(results, 1000, "serve")
    measured = None
    if _ok(serve) and serve.get("rebuild") is not None:
        one = serve.get("one_language")
        measured = f"{serve['rebuild']:.2f} s" + (
            " (no rebuild in manual/serve.py: a whole new build)" if serve["mode"] != "serve" else
            f" (all languages; {one['language']} alone: {one['rebuild']:.2f} s)" if _ok(one) else "")
    target("serve rebuild after editing one contribution of 1,000 < 3 s", measured,
           measured is not None and serve["rebuild"] < 3)
    site = _get(results, 5000, "site_all")
    target("peak memory of the 5,000-contribution site build < 1 GB",
           f"{site['peak_mb']:.0f} MB" if _ok(site) else None, _ok(site) and site["peak_mb"] < 1024)
    return found


def _cell(step: dict | None, detail: str = "") -> str:
    if step is None:
        return "–"
    if step.get("status"):
        return "timed out" if step.get("timed_out") else f"failed ({step['status']})"
    cpu = f" (cpu {step['cpu']:.2f})" if "cpu" in step else ""
    return f"{step['wall']:.2f} s{cpu} · {step['peak_mb']:.0f} MB{detail}"


def _inner(step: dict | None, keys: list[str]) -> str:
    inner = (step or {}).get("inner", {})
    parts = [f"{key} {inner[key]:.2f}" for key in keys if key in inner]
    return f" ({', '.join(parts)})" if parts else ""


def table(results: dict) -> str:
    """Return results.md: the machine, a table of every step by size, and the targets."""
    m = results["machine"]
    sizes = sorted(int(s) for s in results["sizes"])
    langs = next((e.get("languages") for e in results["sizes"].values() if e.get("languages")), ["en"])
    resumed = "".join(f" Then `{r['command'].strip()}` on {r['date']} (load average {r['load_average_start']})."
                      for r in results.get("resumed", []))
    out = ["# Benchmark results", "",
           f"`{results['command'].strip()}` on {m['date']}, commit {m['commit']}.{resumed}", "",
           (f"Machine: {m['cpu']}, {m['cores']} cores ({m['physical_cores']} physical), {m['ram_gib']} GiB RAM, "
            f"Python {m['python']}, {m['os']}. Load average at the start {m['load_average_start']}, at the end "
            f"{m.get('load_average_end')} (above 0.5 the machine was busy with other work and the times are "
            "high)."), "",
           *([(f"**Prototypes applied** (changes proposed for manual/, not its code as it is): "
               f"{', '.join(results['prototypes'])}."), ""] if results.get("prototypes") else []),
           (f"Languages of the manual: {', '.join(langs)}. Each cell: wall time (CPU time, user and system, of "
            f"the process and its children: less sensitive to other work on the machine) · peak memory "
            f"(PSS of the process and its children: pages shared by forked workers counted once) of a fresh "
            f"process; the best of {results['repeat']} run(s)."), "",
           "| step | " + " | ".join(f"{s:,}" for s in sizes) + " |", "|---|" + "---:|" * len(sizes)]

    def row(label: str, cell) -> None:
        out.append(f"| {label} | " + " | ".join(cell(s) for s in sizes) + " |")

    def corpus(s: int) -> str:
        c = results["sizes"][str(s)].get("corpus", {})
        return f"{c.get('contributions', s):,} + {c.get('translations', 0):,} translations" if c else "–"

    def steps(s: int) -> dict:
        return results["sizes"][str(s)]["steps"]

    row("files (contributions + translations)", corpus)
    row("`check`", lambda s: _cell(steps(s).get("check")))
    row("build without MkDocs (s: read and validate, merge, generated Markdown)",
        lambda s: _cell(steps(s).get("stages"), _inner(steps(s).get("stages"),
                                                         ["read+validate", "merge", "markdown"])))
    row(f"site, first language ({langs[0]}) (s: read and validate, merge, generated Markdown, MkDocs, link check)",
        lambda s: _cell(steps(s).get("site_one"), _inner(steps(s).get("site_one"),
                                                           ["read+validate", "merge", "markdown", "mkdocs", "links"])))
    for lang in langs if len(langs) > 1 else []:
        row(f"site, {lang} alone", lambda s, lang=lang: _cell((steps(s).get("site_each") or {}).get(lang)))
    row(f"site, all languages ({', '.join(langs)})",
        lambda s: _cell(steps(s).get("site_all"), _inner(steps(s).get("site_all"), ["mkdocs"])))
    row("plain `mkdocs build` of the same Markdown", lambda s: _cell(steps(s).get("mkdocs")))

    def ratio(s: int) -> str:
        site, plain = steps(s).get("site_all"), steps(s).get("mkdocs")
        return f"{site['wall'] / plain['wall']:.2f}×" if _ok(site) and _ok(plain) else "–"

    row("site build ÷ plain mkdocs", ratio)
    row("own stages (read and validate, merge) ÷ site build",
        lambda s: f"{own_fraction(results, s):.0%}" if own_fraction(results, s) is not None else "–")
    row("site build per contribution",
        lambda s: f"{steps(s)['site_all']['wall'] / s * 1000:.2f} ms" if _ok(steps(s).get("site_all")) else "–")
    row(f"PDF, {langs[0]} (s: Markdown, pandoc, Typst)",
        lambda s: _cell(steps(s).get("pdf"), _inner(steps(s).get("pdf"), ["document", "pandoc", "typst"])))

    def serve(s: int) -> str:
        step = steps(s).get("serve")
        if not _ok(step):
            return _cell(step)
        if step["mode"] == "serve":
            one = step.get("one_language")
            alone = (f"; {one['language']} alone {one['rebuild']:.2f} s" if _ok(one) and one.get("rebuild") is not None
                     else "")
            return f"{step['rebuild']:.2f} s{alone} (manual/serve.py)"
        return f"{step['rebuild']:.2f} s · {step['peak_mb']:.0f} MB (whole build)"

    row("rebuild after editing one contribution", serve)
    out += ["", "## Targets", "", "| target | measured | reached |", "|---|---|---|"]
    for t in results.get("targets", []):
        reached = {True: "yes", False: "**no**", None: "–"}[t["reached"]]
        out.append(f"| {t['target']} | {t['measured']} | {reached} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("sizes", type=int, nargs="*", default=SIZES,
                        help="numbers of contributions, every step (default: 100 1000 5000)")
    parser.add_argument("--pdf-sizes", type=int, nargs="*", default=PDF_SIZES,
                        help="more sizes at which only check and the PDF are measured (default: 500)")
    parser.add_argument("--pdf-max", type=int, default=5000,
                        help="the largest of the sizes at which the PDF is measured too (default: 5000)")
    parser.add_argument("--serve-max", type=int, default=5000,
                        help="the largest of the sizes at which the serve rebuild is measured (default: 5000)")
    parser.add_argument("--steps", nargs="+", default=["check", "stages", "site", "mkdocs", "serve", "pdf"],
                        choices=["check", "stages", "site", "mkdocs", "serve", "pdf"], help="what to measure")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step; the fastest counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a step is stopped")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write results.md and results.json")
    parser.add_argument("--work", type=Path, help="the folder for corpora and outputs (default: a temporary one)")
    parser.add_argument("--resume", action="store_true",
                        help="add to the results already in --out, measuring again only the sizes and steps given")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--prototype", action="append", default=[], choices=sorted(PROTOTYPES),
                        help="apply a change proposed for manual/ at run time (benchmarks/prototypes.py); the "
                             "results go to results-<names>.md and .json")
    parser.add_argument("--profile", type=Path, help="write a cProfile file per Python step here (slows them)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="continuum-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, work)
    try:
        for size in sorted(set(args.sizes) | set(args.pdf_sizes)):
            bench.size(size, full=size in args.sizes)
    finally:
        bench.save()
        if not (args.keep or args.work):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"Work folder kept: {work}", file=sys.stderr)
    print(bench.output("md").read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
