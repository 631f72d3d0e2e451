#!/usr/bin/env python3
"""The command line of the Continuum manual: check, build, preview, export it, and start contributions.

Each command is a few lines over the pipeline in manual/: read → validate → merge → render.
Exit status: 0 success, 1 problems in the sources or a failed build, 2 wrong usage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import click

    from manual import __version__
    from manual.errors import CheckFailed, ManualError
    from manual.merge import localise, merge
    from manual.model import ERROR, Problem, Sources
    from manual.validate import check_tree
except ModuleNotFoundError as missing:
    sys.exit(f"build_manual.py: the Python package '{missing.name}' is not installed. Run 'make check' once in "
             "this folder: it creates .venv with everything the manual needs; then use "
             "'.venv/bin/python build_manual.py …' (or the make targets).")

ROOT = Path(__file__).resolve().parent
EXIT_CODES = """\b
Exit status:
  0  success (warnings allowed)
  1  problems found in the sources, or a build that failed (outputs unchanged)
  2  wrong usage: unknown option, missing or invalid answer, unknown git reference
"""


# --- output: quiet, verbose, colours, progress -----------------------------------------------

def _quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().meta.get("quiet"))


def say(message: str, *, err: bool = False) -> None:
    """Print an informative line, unless --quiet."""
    if not _quiet():
        click.echo(message, err=err)


def _styled(problem: Problem) -> str:
    colour = "red" if problem.severity == ERROR else "yellow"
    return (f"{click.style(f'{problem.file}:{problem.line}:{problem.column}:', bold=True)} "
            f"{click.style(problem.severity, fg=colour, bold=True)} [{problem.code}] {problem.message}")


@contextmanager
def progress(total: int, description: str) -> Iterator[callable]:
    """Show a progress bar on the terminal's stderr (none when quiet, piped or NO_COLOR's plain terminal)."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    disabled = _quiet() or not console.is_terminal
    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                   TimeElapsedColumn(), console=console, transient=True, disable=disabled)
    with bar:
        task = bar.add_task(description, total=total)

        def step(what: str) -> None:
            bar.update(task, description=what)

        def done() -> None:
            bar.advance(task)

        step.done = done  # type: ignore[attr-defined]
        yield step


# --- check's formats ------------------------------------------------------------------------

def _github(problem: Problem) -> str:
    def escape(value: str, *, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value
    return (f"::{problem.severity} file={escape(problem.file, prop=True)},line={problem.line},"
            f"col={problem.column},title={escape(problem.code, prop=True)}::{escape(problem.message)}")


def gitlab_report(problems: list[Problem]) -> list[dict]:
    """Return GitLab's Code Quality report: one issue per problem, with a stable fingerprint."""
    issues, seen = [], {}
    for p in problems:
        key = f"{p.file}\0{p.code}\0{p.message}"
        seen[key] = seen.get(key, 0) + 1
        issues.append({
            "type": "issue",
            "description": p.message,
            "check_name": p.code,
            "fingerprint": hashlib.sha256(f"{key}\0{seen[key]}".encode()).hexdigest(),
            "severity": "major" if p.severity == ERROR else "minor",
            "categories": ["Style"] if p.severity != ERROR else ["Bug Risk"],
            "location": {"path": p.file, "lines": {"begin": p.line}},
        })
    return issues


def report(sources: Sources, fmt: str, output: Path | None = None) -> None:
    """Print (or write to `output`) the problems of a check in the chosen format."""
    problems = sources.problems
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    if fmt in ("json", "gitlab"):
        data = (gitlab_report(problems) if fmt == "gitlab" else
                {"contributions": sources.contribution_files, "cities": len(sources.cities),
                 "themes": len(sources.themes), "problems": [p.as_dict() for p in problems]})
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text + "\n", encoding="utf-8")
        if fmt == "gitlab" or output is not None:
            for problem in problems:
                click.echo(str(problem), err=True)
    else:
        for problem in problems:
            click.echo(_github(problem) if fmt == "github" else _styled(problem))
    if fmt != "json":
        say(f"{sources.files_read} files checked: {errors} error{'s' * (errors != 1)}, "
            f"{warnings} warning{'s' * (warnings != 1)}.", err=True)


def _build_date() -> dt.date | None:
    """Return the date of SOURCE_DATE_EPOCH if it is set (an edition sets its release date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise click.UsageError(f"SOURCE_DATE_EPOCH must be a number of seconds since 1970, not {epoch!r}") from None


def _checked(root: Path, fmt: str = "text") -> Sources:
    sources = check_tree(root)
    if sources.errors:
        report(sources, fmt)
        raise CheckFailed(f"{len(sources.errors)} error(s) in the sources: nothing was built. Fix them and run again.")
    if sources.problems:
        report(sources, fmt)
    return sources


# --- the commands ---------------------------------------------------------------------------

@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_CODES + "\nRun 'python build_manual.py COMMAND --help' for a command's options and examples.")
@click.version_option(__version__, prog_name="build_manual.py")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=ROOT, show_default="this folder",
              help="The manual's folder (with manual.yml, themes.yml, contributions/ and docs/).")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors: no progress, no summary lines.")
@click.option("-v", "--verbose", count=True, help="Say more about what is done (-vv for debugging details).")
@click.pass_context
def cli(ctx: click.Context, root: Path, quiet: bool, verbose: int) -> None:
    """Check, build and publish the Continuum manual; start a contribution or a city.

    \b
    Examples:
      python build_manual.py new                 # a new contribution, step by step
      python build_manual.py check               # every problem, in one run
      python build_manual.py serve               # live preview on http://127.0.0.1:8000/en/
      python build_manual.py build --pdf         # the website and the PDFs

    Colours are off when the output is not a terminal or when NO_COLOR is set.
    """
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    level = logging.WARNING if not verbose else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=logging.ERROR if quiet else level, format="%(levelname)s: %(message)s")
    if os.environ.get("NO_COLOR"):
        ctx.color = False
    ctx.meta["quiet"] = quiet
    ctx.obj = root.resolve()


@cli.command(epilog=EXIT_CODES)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "gitlab"]), default="text",
              show_default=True,
              help="text for people, json for tools, github for pull-request annotations, gitlab for GitLab's "
                   "Code Quality report (JSON).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the json or gitlab report to this file instead of the standard output (the problems "
                   "are still listed on the standard error).")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.pass_obj
def check(root: Path, fmt: str, output: Path | None, files: tuple[Path, ...]) -> None:
    """Check every contribution and report all problems at once.

    Every problem says file:line:column, what is wrong and how to fix it. The whole manual is always
    checked (ids and links cross files); with FILES, only the problems of those files are shown.

    \b
    Examples:
      python build_manual.py check
      python build_manual.py check contributions/nice/carnival.md
      python build_manual.py check --format github
      python build_manual.py check --format gitlab --output gl-code-quality-report.json
    """
    if output is not None and fmt not in ("json", "gitlab"):
        raise click.UsageError("--output goes with --format json or --format gitlab")
    sources = check_tree(root)
    if files:
        wanted = {_relative(root, f) for f in files}
        sources.problems = [p for p in sources.problems if p.file in wanted]
    report(sources, fmt, output)
    if sources.errors:
        sys.exit(1)


def _relative(root: Path, path: Path) -> str:
    """Return a path as the check names it: relative to the manual's folder, with slashes."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        return absolute.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@cli.command(epilog=EXIT_CODES)
@click.option("--preview", is_flag=True, help="Also show drafts and submitted contributions, under a banner.")
@click.option("--pdf", "with_pdf", is_flag=True, help="Also write the PDF of every language into dist/.")
@click.option("--members", is_flag=True,
              help="The network members' build: restricted contributions included, every page marked, written to "
                   "site-members/ and dist-members/, never to the public folders.")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the website (default: site/, or site-members/ with --members).")
@click.pass_obj
def build(root: Path, preview: bool, with_pdf: bool, members: bool, site_dir: Path | None) -> None:
    """Check the sources, merge them and build the website into site/.

    Nothing in site/ (or dist/) changes unless the whole build succeeds. SOURCE_DATE_EPOCH sets the
    build date; otherwise it is the newest date in the sources, so two builds are byte-identical.
    A build started while another of the same outputs runs stops at once (exit status 1): wait for
    the first to finish.

    \b
    Examples:
      python build_manual.py build
      python build_manual.py build --preview
      python build_manual.py build --pdf
      python build_manual.py build --members --pdf
      python build_manual.py build --site-dir public      # GitLab Pages' folder
    """
    from manual.render.output import exclusive, staged_files
    from manual.render.pdf import build_pdf, pdf_name
    from manual.render.site import build_site

    started = time.monotonic()
    suffix = "-members" if members else ""
    site_dir = (site_dir or root / f"site{suffix}").resolve()
    if members and site_dir in ((root / "site").resolve(), (root / "dist").resolve()):
        raise click.UsageError("the members' build never writes to the public site/ or dist/: choose another "
                               "--site-dir")
    # One build at a time of the same outputs (the members' build has its own lock: it writes elsewhere).
    lock = exclusive(root / "build" / f"build{suffix}.lock", "the members' build" if members else "the build")
    with lock:
        sources = _checked(root)
        manual = merge(sources, preview=preview, members=members, build_date=_build_date())
        languages = manual.settings.languages
        dist = root / f"dist{suffix}"
        work = root / "build" / f"pdf{suffix}"
        with staged_files(dist) as new, progress(len(languages) * with_pdf + 1, "Building") as step:
            pdfs = {}
            if with_pdf:
                work.mkdir(parents=True, exist_ok=True)
                for lang in languages:
                    step(f"PDF ({lang})")
                    pdfs[lang] = build_pdf(localise(manual, lang), root, new(pdf_name(manual, lang)), work)
                    step.done()
            downloads = {lang: (pdf_name(manual, lang), path) for lang, path in pdfs.items()}
            step(f"Website ({', '.join(languages)})")
            build_site(manual, root, site_dir, root / "build" / f"src{suffix}", downloads)
            step.done()
        for name, _ in downloads.values():
            say(f"Wrote {dist / name} ({(dist / name).stat().st_size // 1024} KiB).")
        say(f"Built the website of {manual.figures['contributions']} contributions in "
            f"{len(languages)} language(s) into {site_dir} in {time.monotonic() - started:.1f} s.")


@cli.command(epilog=EXIT_CODES)
@click.option("--format", "formats", type=click.Choice(["json", "csv", "docx"]), multiple=True,
              help="What to write (repeat for several); all three by default.")
@click.option("--members", is_flag=True, help="Include restricted contributions; write to dist-members/.")
@click.pass_obj
def export(root: Path, formats: tuple[str, ...], members: bool) -> None:
    """Export the manual as open data (JSON, CSV) and Word into dist/.

    The fields are documented in schema/export.schema.json.

    \b
    Examples:
      python build_manual.py export
      python build_manual.py export --format json
      python build_manual.py export --format csv --format docx
      python build_manual.py export --members
    """
    from manual.render.export import export as write_exports

    manual = merge(_checked(root), members=members, build_date=_build_date())
    dist = root / ("dist-members" if members else "dist")
    for path in write_exports(manual, dist, list(formats or ("json", "csv", "docx"))):
        say(f"Wrote {path}.")


# --- starting a contribution or a city --------------------------------------------------------

def _choose_themes(root: Path, lang: str, given: tuple[str, ...]) -> list[str]:
    from manual import scaffold

    known = scaffold.themes(root)
    ids = [theme_id for theme_id, _ in known]
    if given:
        unknown = [g for g in given if g not in ids]
        if unknown:
            raise click.BadParameter(f"unknown theme '{unknown[0]}'; the themes are: {', '.join(ids)}",
                                     param_hint="--theme")
        if not 1 <= len(set(given)) <= 3:
            raise click.BadParameter("give one to three different themes", param_hint="--theme")
        return list(dict.fromkeys(given))
    click.echo("Themes:")
    for number, (theme_id, names) in enumerate(known, start=1):
        click.echo(f"  {number:2d}. {scaffold.theme_name(names, lang, theme_id)}")

    def parse(text: str) -> list[str]:
        chosen = []
        for part in text.replace(",", " ").split():
            if part.isdigit() and 1 <= int(part) <= len(ids):
                chosen.append(ids[int(part) - 1])
            elif part in ids:
                chosen.append(part)
            else:
                raise click.BadParameter(f"'{part}' is not one of the numbers 1 to {len(ids)}")
        chosen = list(dict.fromkeys(chosen))
        if not 1 <= len(chosen) <= 3:
            raise click.BadParameter("give one to three themes, the main one first")
        return chosen

    return click.prompt("Themes: one to three numbers, the main one first (such as 2 or 2,5)", value_proc=parse)


def _title(text: str) -> str:
    text = " ".join(text.split())
    if not 5 <= len(text) <= 150:
        raise click.BadParameter(f"a title has 5 to 150 characters, not {len(text)}")
    return text


@cli.command(epilog=EXIT_CODES)
@click.option("--city", help="The city's folder name under contributions/ (such as nice).")
@click.option("--language", help="Two-letter code of the language you write in (en, fr, es, it, el…).")
@click.option("--type", "type_", type=click.Choice(["practice", "lesson-learned", "recommendation"]),
              help="practice: something your city does; lesson-learned: what an experience taught; "
                   "recommendation: advice for other cities.")
@click.option("--theme", "theme_ids", multiple=True,
              help="A theme id from themes.yml; repeat for up to three, the main one first.")
@click.option("--title", help="The title, in your language (5 to 150 characters).")
@click.option("--slug", help="The file's name without .md (default: made from the title).")
@click.pass_obj
def new(root: Path, city: str | None, language: str | None, type_: str | None, theme_ids: tuple[str, ...],
        title: str | None, slug: str | None) -> None:
    """Start a new contribution from a template, in your language.

    Asks for what is not given as an option, gives the contribution its id (the city's next free
    number), and writes contributions/<city>/<name>.md with the front matter filled in and the
    section headings to write under. The file passes 'check' as it is (status: draft).

    \b
    Examples:
      python build_manual.py new
      python build_manual.py new --city nice --language fr --type practice \\
          --theme major-events --theme training-exchange --title "Des policiers européens au Carnaval"
    """
    from manual import scaffold

    missing = [name for name, value in (("--city", city), ("--language", language), ("--type", type_),
                                        ("--theme", theme_ids), ("--title", title)) if not value]
    if missing and not sys.stdin.isatty():
        # No one to answer the questions (a script, a pipeline, /dev/null): say what to pass instead of "Aborted!".
        try:
            waiting = sys.stdin.buffer.peek(1)
        except (OSError, ValueError, AttributeError):  # answers piped in through another kind of stream
            waiting = b"?"
        if not waiting:
            raise click.UsageError("no terminal to ask the questions on: give every answer as an option: "
                                   + ", ".join(missing))
    cities = {c.id: c for c in scaffold.registry(root)}
    if not cities:
        raise click.UsageError("no city in contributions/ yet: add yours first with 'python build_manual.py new-city'")
    if city is None:
        click.echo("Cities: " + ", ".join(cities))
        city = click.prompt("City (its folder name)", type=click.Choice(list(cities)), show_choices=False)
    elif city not in cities:
        raise click.BadParameter(f"'{city}' is not a city of contributions/ (one of: {', '.join(cities)}); a new "
                                 "city first runs 'python build_manual.py new-city'", param_hint="--city")
    known = scaffold.languages()
    if language is None:
        language = click.prompt("Language of your text (" + ", ".join(known) + ")", type=click.Choice(known),
                                show_choices=False, default=scaffold.default_language(cities[city].country))
    elif language not in known:
        raise click.BadParameter(f"'{language}' has no section headings yet; use one of: {', '.join(known)}",
                                 param_hint="--language")
    if type_ is None:
        type_ = click.prompt("Type (practice: something your city does; lesson-learned: what an experience "
                             "taught; recommendation: advice for other cities)",
                             type=click.Choice(list(scaffold.TYPES)), default="practice")
    chosen = _choose_themes(root, language, theme_ids)
    title = _title(title) if title is not None else click.prompt("Title, in your language", value_proc=_title)
    try:
        path, contribution_id = scaffold.write_contribution(root, city=city, language=language, type_=type_,
                                                            theme_ids=chosen, title=title, slug=slug)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    rel = path.relative_to(root).as_posix()
    click.echo(f"Wrote {rel} ({contribution_id}).")
    say("Next: open it, replace the summary and write each section (the <!-- … --> comments say what goes "
        "where, delete them when done), then run\n"
        f"  python build_manual.py check {rel}\n"
        "and 'python build_manual.py serve' to see it on the site as you write. When it is ready, set "
        "'status: submitted' and open a pull request (see CONTRIBUTING.md).")


def _coordinate(low: float, high: float):
    def parse(text: object) -> float:
        try:
            value = float(str(text).replace(",", "."))
        except ValueError:
            raise click.BadParameter(f"'{text}' is not a number such as 43.7034") from None
        if not low <= value <= high:
            raise click.BadParameter(f"{value} is outside {low} to {high}")
        return value
    return parse


@cli.command("new-city", epilog=EXIT_CODES)
@click.option("--id", "city_id", help="The folder name: the city's name in lower case, dashes for spaces.")
@click.option("--name", help="The city's local name, as its inhabitants write it.")
@click.option("--country", help="Two-letter ISO 3166-1 code of the country (FR, ES, GR…), or its English name.")
@click.option("--police-force", help="Name of the local police force.")
@click.option("--network", "network_names", multiple=True, help="A network the city belongs to; repeat for several.")
@click.option("--lat", type=float, help="Latitude of the city centre, in decimal degrees (43.7034).")
@click.option("--lon", type=float, help="Longitude of the city centre, in decimal degrees (7.2663).")
@click.option("--kind", type=click.Choice(["city", "organisation"]), default="city", show_default=True,
              help="organisation for a network body such as Efus.")
@click.pass_obj
def new_city(root: Path, city_id: str | None, name: str | None, country: str | None, police_force: str | None,
             network_names: tuple[str, ...], lat: float | None, lon: float | None, kind: str) -> None:
    """Add a city to the registry: contributions/<city>/city.yml.

    \b
    Examples:
      python build_manual.py new-city
      python build_manual.py new-city --id xabia --name Xàbia --country ES \\
          --police-force "Policia Local de Xàbia" --network EU-POLNET --lat 38.7896 --lon 0.1661
    """
    from manual import scaffold

    def valid_country(text: str) -> str:
        try:
            return scaffold.country_code(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    name = name or click.prompt("Name of the city, as its inhabitants write it")
    city_id = city_id or click.prompt("Folder name (lower case, dashes for spaces)", default=scaffold.slugify(name))
    country = valid_country(country) if country else click.prompt("Country (two-letter code such as FR)",
                                                                  value_proc=valid_country)
    police_force = police_force or click.prompt("Name of the local police force")
    allowed = scaffold.networks()
    if network_names:
        wrong = [n for n in network_names if n not in allowed]
        if wrong:
            raise click.BadParameter(f"'{wrong[0]}' is not a network of the manual: {', '.join(allowed)}",
                                     param_hint="--network")
    else:
        def parse(text: str) -> list[str]:
            chosen = [part.strip() for part in text.split(",") if part.strip()]
            wrong = [n for n in chosen if n not in allowed]
            if wrong or not chosen:
                raise click.BadParameter(f"give networks among: {', '.join(allowed)}, separated by commas")
            return chosen
        network_names = tuple(click.prompt(f"Networks, separated by commas ({', '.join(allowed)})",
                                           value_proc=parse, default="EU-POLNET"))
    lat = _coordinate(-90, 90)(lat) if lat is not None else click.prompt(
        "Latitude of the city centre (such as 43.7034)", value_proc=_coordinate(-90, 90))
    lon = _coordinate(-180, 180)(lon) if lon is not None else click.prompt(
        "Longitude of the city centre (such as 7.2663)", value_proc=_coordinate(-180, 180))
    text = scaffold.city_text(name=name, country=country, police_force=police_force,
                              network_names=list(dict.fromkeys(network_names)), lat=lat, lon=lon, kind=kind,
                              lang=scaffold.default_language(country))
    try:
        path = scaffold.write_city(root, city_id, text)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Wrote {path.relative_to(root).as_posix()}.")
    say(f"Next: 'python build_manual.py new --city {city_id}' starts the city's first contribution; "
        "'python build_manual.py codeowners' adds the city's team to CODEOWNERS.")


# --- preview, review and conventions ------------------------------------------------------------

@cli.command(epilog=EXIT_CODES)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="The port to serve on (0: any free port).")
@click.option("--language", "languages", multiple=True,
              help="Build only this language of the site (repeat for several; default: all of manual.yml).")
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the preview (default: build/serve/, never site/).")
@click.pass_obj
def serve(root: Path, port: int, languages: tuple[str, ...], site_dir: Path | None) -> None:
    """Preview the manual live on http://127.0.0.1:PORT/, drafts included.

    Rebuilds when anything under contributions/ or docs/ (or manual.yml, themes.yml) changes,
    re-reading only the changed files. The problems 'check' finds are printed here and shown on top
    of every page; the last good site stays served until they are fixed. Stop with Ctrl-C.

    \b
    Examples:
      python build_manual.py serve
      python build_manual.py serve --port 8080 --language fr
    """
    from manual.serve import Preview, serve_forever

    preview = Preview(root, (site_dir or root / "build" / "serve").resolve(), languages=languages or None)
    serve_forever(preview, port, echo=lambda text, err=False: click.echo(text, err=err),
                  style=_styled, quiet=_quiet())


@cli.command(epilog=EXIT_CODES)
@click.option("--base", default="origin/main", show_default=True,
              help="The git reference to compare with: the pull request's target branch.")
@click.option("--head", default=None, help="The git reference of the changes (default: the working tree).")
@click.pass_obj
def summary(root: Path, base: str, head: str | None) -> None:
    """Print, in Markdown, what a pull request changes: for its summary comment.

    Lists the contributions and recommendations added, changed and removed since BASE, and the
    problems 'check' finds in the changed files.

    \b
    Examples:
      python build_manual.py summary --base origin/main
      python build_manual.py summary --base main --head HEAD > summary.md
    """
    from manual.review import GitError, summarise

    try:
        click.echo(summarise(root, base, head), nl=False)
    except GitError as exc:
        raise click.UsageError(str(exc)) from None


@cli.command(epilog=EXIT_CODES)
@click.option("--org", default="eu-polnet", show_default=True, help="The GitHub organisation or GitLab group.")
@click.option("--check", "check_only", is_flag=True, help="Only tell whether CODEOWNERS is up to date (exit 1 if not).")
@click.pass_obj
def codeowners(root: Path, org: str, check_only: bool) -> None:
    """Write CODEOWNERS from the city registry: each city's team owns its folder.

    GitHub and GitLab both read the root CODEOWNERS. The team of a city is @ORG/city-<folder>; the
    editorial board (@ORG/editorial-board) owns docs/, the settings and everything else.

    \b
    Examples:
      python build_manual.py codeowners
      python build_manual.py codeowners --check
    """
    from manual.review import codeowners_text

    text = codeowners_text(root, org)
    path = root / "CODEOWNERS"
    if check_only:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            click.echo("CODEOWNERS is not up to date with the cities of contributions/: run "
                       "'python build_manual.py codeowners'", err=True)
            sys.exit(1)
        say("CODEOWNERS is up to date.")
        return
    path.write_text(text, encoding="utf-8")
    say(f"Wrote {path.relative_to(root)}.")


# --- translations -------------------------------------------------------------------------------

@cli.group(invoke_without_command=True, epilog=EXIT_CODES)
@click.option("--lang", "languages", multiple=True, metavar="XX",
              help="Only this language (repeatable); default: every language of the manual (manual.yml).")
@click.pass_context
def translations(ctx: click.Context, languages: tuple[str, ...]) -> None:
    """Show, per language, what is translated, outdated or missing, and what to do next.

    A translation is a file beside the original, <slug>.<lang>.md, with the translated title,
    summary, recommendations and text, and the fingerprint of the original it was made from.

    \b
    Examples:
      python build_manual.py translations
      python build_manual.py translations --lang fr
      python build_manual.py translations new madrid-002 --lang en
      python build_manual.py translations export --lang fr --output fr.po
      python build_manual.py translations import fr.po
    """
    if ctx.invoked_subcommand is not None:
        return
    from manual.translate import status

    root = ctx.obj
    sources = _checked(root)
    manual = merge(sources)
    for lang in languages or manual.settings.languages:
        state = status(manual, lang)
        click.echo(f"{lang}: {len(state.translated)} translated, {len(state.outdated)} outdated, "
                   f"{len(state.missing)} missing (of {state.total} contributions written in another language)")
        for c, tr, current in state.outdated:
            click.echo(f"  outdated  {c.id}: {tr.path} was made from an earlier text of {c.path}; update it, "
                       f"then write 'source_fingerprint: {current}'")
        for c in state.missing:
            click.echo(f"  missing   {c.id} ({c.language}): python build_manual.py translations new {c.id} "
                       f"--lang {lang}")


@translations.command("new", epilog=EXIT_CODES)
@click.argument("contribution_id", metavar="ID")
@click.option("--lang", required=True, metavar="XX", help="The language to translate into (two letters).")
@click.pass_obj
def translations_new(root: Path, contribution_id: str, lang: str) -> None:
    """Create the translation file of contribution ID, ready to translate over.

    The file starts as a copy of the original's text, with the section headings already in the
    new language and the original's fingerprint filled in.

    \b
    Example:
      python build_manual.py translations new madrid-002 --lang en
    """
    from manual.translate import new_translation

    path = new_translation(root, merge(_checked(root)), contribution_id, lang)
    click.echo(f"Created {_relative(root, path)}: translate the title, the summary, the recommendations and the "
               "text, then run 'python build_manual.py check'.")


@translations.command("export", epilog=EXIT_CODES)
@click.option("--lang", required=True, metavar="XX", help="The language translators will translate into.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The PO file to write (default: translations-<lang>.po in this folder).")
@click.pass_obj
def translations_export(root: Path, lang: str, output: Path | None) -> None:
    """Write the missing and outdated texts into a gettext PO file for translators.

    Translation tools (Poedit, OmegaT, Weblate, an agency's CAT tool) open it; each text is one
    entry, each paragraph of a contribution its own entry.

    \b
    Example:
      python build_manual.py translations export --lang fr --output fr.po
    """
    from manual.translate import export_po

    po = export_po(merge(_checked(root)), lang)
    target = output or Path(f"translations-{lang}.po")
    po.save(str(target))
    contributions = len({entry.msgctxt.split("|", 1)[0] for entry in po})
    click.echo(f"Wrote {target}: {len(po)} texts of {contributions} contributions to translate into '{lang}'.")


@translations.command("import", epilog=EXIT_CODES)
@click.argument("po_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def translations_import(root: Path, po_file: Path) -> None:
    """Write the translations of a PO file into translation files.

    A file exported from originals that have changed since is refused as a whole; a contribution
    whose texts are not all translated is left out and named.

    \b
    Example:
      python build_manual.py translations import fr.po
    """
    from manual.translate import import_po

    result = import_po(root, merge(_checked(root)), po_file)
    for path in result.written:
        click.echo(f"Wrote {_relative(root, path)}")
    for cid in result.incomplete:
        click.echo(f"Left out {cid}: its texts are not complete (empty or fuzzy entries) in {po_file}")
    click.echo(f"{len(result.written)} translation(s) written; run 'python build_manual.py check'.")


# --- editions -----------------------------------------------------------------------------------

@cli.command(epilog=EXIT_CODES)
@click.argument("edition", metavar="EDITION | verify EDITION")
@click.argument("verified", required=False, metavar="")
@click.option("--dry-run", is_flag=True, help="Check and show what the edition would contain; write nothing.")
@click.option("--draft", is_flag=True,
              help="A consultation draft (version <edition>-consultation, under a banner); released editions "
                   "are not touched.")
@click.option("--defer", multiple=True, metavar="ID",
              help="Leave this submitted contribution for the next edition (repeatable).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", default=None,
              help="The release date (default: today, or SOURCE_DATE_EPOCH).")
@click.pass_obj
def release(root: Path, edition: str, verified: str | None, dry_run: bool, draft: bool, defer: tuple[str, ...],
            date_text: str | None) -> None:
    """Release an edition into releases/<edition>/, or verify one.

    The edition is built from the committed sources with its release date as the build date:
    the manifest (every id with a fingerprint), the changelog against the previous edition, the
    website of each language (archived), the PDFs, the exports and their SHA-256 checksums.
    It is refused while `check` finds errors, while contributions are still submitted, and
    for an edition released already.

    \b
    Examples:
      python build_manual.py release 2027 --dry-run
      python build_manual.py release 2027
      python build_manual.py release 2027 --draft          # consultation draft
      python build_manual.py release 2027 --defer nice-009  # nice-009 waits for 2028
      python build_manual.py release verify 2026
    """
    from manual import release as releasing

    if edition == "verify":
        if not verified:
            raise click.UsageError("name the edition to verify: release verify 2026")
        differences = releasing.verify(root, verified)
        for line in differences:
            click.echo(line)
        if differences:
            raise ManualError(f"edition {verified}: {len(differences)} file(s) differ from what was released")
        say(f"Edition {verified}: every file matches its SHA-256 checksum.")
        return
    if verified:
        raise click.UsageError(f"unexpected argument '{verified}'")
    try:
        date = dt.date.fromisoformat(date_text) if date_text else (_build_date() or dt.date.today())
    except ValueError:
        raise click.BadParameter(f"'{date_text}' is not a date: write YYYY-MM-DD", param_hint="--date") from None
    sources = _checked(root)
    plan = releasing.plan(root, sources, edition, date=date, draft=draft, defer=defer, dry_run=dry_run)
    counts = {kind: len(plan.changes.of(kind)) for kind in ("added", "updated", "withdrawn", "superseded",
                                                            "unchanged")}
    published = sum(1 for e in plan.manifest["contributions"].values() if e["state"] == "published")
    say(f"Edition {plan.name} of {date.isoformat()}, from commit {plan.commit[:12]}: {published} contributions; "
        f"recommendations compared with {plan.changes.previous or 'nothing (first edition)'}: "
        + ", ".join(f"{n} {kind}" for kind, n in counts.items()) + ".")
    if dry_run:
        for kind in ("added", "updated", "withdrawn", "superseded"):
            ids = [c.id for c in plan.changes.contributions if c.kind == kind]
            if ids:
                click.echo(f"  contributions {kind}: {', '.join(ids)}")
        click.echo("Dry run: nothing written.")
        return
    started = time.monotonic()
    with progress(1, "Releasing") as step:
        step(f"Edition {plan.name}")
        folder = releasing.write(root, plan)
        step.done()
    say(f"Wrote {_relative(root, folder)}/ in {time.monotonic() - started:.1f} s: "
        + ", ".join(sorted(p.name for p in folder.iterdir())) + ".")
    if not draft:
        say(f"Next: commit {_relative(root, folder)}/, tag the commit edition-{edition}, and set 'edition' in "
            "manual.yml to the next one.")


@cli.command(epilog=EXIT_CODES)
@click.option("--within", type=click.IntRange(0, 3650), default=90, show_default=True,
              help="Also list reviews due within this many days.")
@click.option("--date", "date_text", metavar="YYYY-MM-DD", default=None, help="Count from this day (default: today).")
@click.pass_obj
def review(root: Path, within: int, date_text: str | None) -> None:
    """List, per city, the published contributions whose review is due or due soon.

    A contribution says by when it must be reviewed again (review_by). Editors chase the cities
    before the yearly release; the page of an overdue contribution says so too.

    \b
    Examples:
      python build_manual.py review
      python build_manual.py review --within 180
    """
    try:
        today = dt.date.fromisoformat(date_text) if date_text else dt.date.today()
    except ValueError:
        raise click.BadParameter(f"'{date_text}' is not a date: write YYYY-MM-DD", param_hint="--date") from None
    sources = _checked(root)
    manual = merge(sources)
    horizon = today + dt.timedelta(days=within)
    due = sorted((c for c in manual.contributions.values() if c.review_by and c.review_by <= horizon),
                 key=lambda c: (c.city, c.review_by, c.id))
    if not due:
        say(f"No review due by {horizon.isoformat()}.")
        return
    overdue = sum(1 for c in due if c.review_by < today)
    click.echo(f"{len(due)} review(s) due by {horizon.isoformat()}, {overdue} of them overdue (as of "
               f"{today.isoformat()}):")
    for city in sorted({c.city for c in due}):
        name = manual.cities[city].name if city in manual.cities else city
        click.echo(f"{name} ({city})")
        for c in (c for c in due if c.city == city):
            when = (f"due since {c.review_by.isoformat()}" if c.review_by < today
                    else f"due on {c.review_by.isoformat()}")
            click.echo(f"  {when:<22} {c.id:<22} {c.path}")


if __name__ == "__main__":
    cli()
