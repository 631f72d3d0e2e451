#!/usr/bin/env python3
"""The command line of the Continuum manual: check, build and export it.

Each command is a few lines over the pipeline in manual/: read → validate → merge → render.
Exit status: 0 success, 1 problems in the sources or a failed build, 2 wrong usage.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sys
import time
from pathlib import Path

try:
    import click

    from manual import __version__
    from manual.errors import CheckFailed
    from manual.merge import merge
    from manual.model import ERROR, Problem, Sources
    from manual.validate import check_tree
except ModuleNotFoundError as missing:
    sys.exit(f"build_manual.py: the Python package '{missing.name}' is not installed. Run 'make check' once in "
             "this folder: it creates .venv with everything the manual needs; then use "
             "'.venv/bin/python build_manual.py …' (or the make targets).")

ROOT = Path(__file__).resolve().parent


def _github(problem: Problem) -> str:
    def escape(value: str, *, prop: bool = False) -> str:
        value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return value.replace(":", "%3A").replace(",", "%2C") if prop else value
    return (f"::{problem.severity} file={escape(problem.file, prop=True)},line={problem.line},"
            f"col={problem.column},title={escape(problem.code, prop=True)}::{escape(problem.message)}")


def report(sources: Sources, fmt: str) -> None:
    """Print the problems of a check in the chosen format."""
    problems = sources.problems
    if fmt == "json":
        click.echo(json.dumps({"contributions": sources.contribution_files,
                               "cities": len(sources.cities), "themes": len(sources.themes),
                               "problems": [p.as_dict() for p in problems]}, ensure_ascii=False, indent=2))
        return
    for problem in problems:
        click.echo(_github(problem) if fmt == "github" else str(problem))
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    if fmt == "text":
        click.echo(f"{sources.files_read} files checked: {errors} error{'s' * (errors != 1)}, "
                   f"{warnings} warning{'s' * (warnings != 1)}.", err=True)


def _build_date() -> dt.date | None:
    """Return the date of SOURCE_DATE_EPOCH if it is set (an edition sets its release date)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="build_manual.py")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=ROOT, show_default="this folder",
              help="The manual's folder (with manual.yml, themes.yml, contributions/ and docs/).")
@click.pass_context
def cli(ctx: click.Context, root: Path) -> None:
    """Check, build and publish the Continuum manual."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    ctx.obj = root.resolve()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for tools, github for pull-request annotations.")
@click.pass_obj
def check(root: Path, fmt: str) -> None:
    """Check every contribution and report all problems at once.

    \b
    Examples:
      python build_manual.py check
      python build_manual.py check --format github
    """
    sources = check_tree(root)
    report(sources, fmt)
    if sources.errors:
        sys.exit(1)


@cli.command()
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

    Nothing in site/ (or dist/) changes unless the whole build succeeds.

    \b
    Examples:
      python build_manual.py build
      python build_manual.py build --preview
      python build_manual.py build --pdf
      python build_manual.py build --members --pdf
    """
    from manual.render.output import staged_files
    from manual.render.pdf import build_pdfs, pdf_name
    from manual.render.site import build_site

    started = time.monotonic()
    suffix = "-members" if members else ""
    site_dir = (site_dir or root / f"site{suffix}").resolve()
    if members and site_dir in ((root / "site").resolve(), (root / "dist").resolve()):
        raise click.UsageError("the members' build never writes to the public site/ or dist/: choose another "
                               "--site-dir")
    sources = _checked(root)
    manual = merge(sources, preview=preview, members=members, build_date=_build_date())
    dist = root / f"dist{suffix}"
    with staged_files(dist) as new:
        pdfs = build_pdfs(manual, root, new, root / "build" / f"pdf{suffix}") if with_pdf else {}
        downloads = {lang: (pdf_name(manual, lang), path) for lang, path in pdfs.items()}
        build_site(manual, root, site_dir, root / "build" / f"src{suffix}", downloads)
    for name, _ in downloads.values():
        click.echo(f"Wrote {dist / name} ({(dist / name).stat().st_size // 1024} KiB).")
    click.echo(f"Built the website of {manual.figures['contributions']} contributions in "
               f"{len(manual.settings.languages)} language(s) into {site_dir} in {time.monotonic() - started:.1f} s.")


@cli.command()
@click.option("--format", "formats", type=click.Choice(["json", "csv", "docx"]), multiple=True,
              help="What to write (repeat for several); all three by default.")
@click.option("--members", is_flag=True, help="Include restricted contributions; write to dist-members/.")
@click.pass_obj
def export(root: Path, formats: tuple[str, ...], members: bool) -> None:
    """Export the manual as open data (JSON, CSV) and Word into dist/.

    The fields are documented in schema/export.schema.json.

    \b
    Examples:
      python build_manual.py export --format json
      python build_manual.py export --format csv --format docx
    """
    from manual.render.export import export as write_exports

    manual = merge(_checked(root), members=members, build_date=_build_date())
    dist = root / ("dist-members" if members else "dist")
    for path in write_exports(manual, dist, list(formats or ("json", "csv", "docx"))):
        click.echo(f"Wrote {path}.")


if __name__ == "__main__":
    cli()
