"""Experiments: changes proposed for manual/, applied at run time inside the benchmark's processes only.

`benchmarks/run.py --prototype NAME` (repeatable) applies them in every measured step, so the
table shows what a proposed change would gain before anyone makes it in manual/ itself. Nothing
of the project uses this module; when manual/ changes, a prototype may stop matching it (each
one checks what it replaces, and says so instead of measuring something else).

    fast-markdown       one reused Python-Markdown instance and a cache by text in
                        render/markdown.safe_html; a cache in render/markdown.link
    parallel-languages  each language's generated Markdown written in the worker process that
                        then runs its MkDocs build (render/site.build_site), not before, in series
    fast-check          validate: the e-mail pattern only on texts with an '@'; the JSON Schemas
                        first checked by jsonschema-rs (if installed), jsonschema only to explain
    serve-dirty         serve.Preview.rebuild: the generated Markdown and the site kept from one
                        rebuild to the next, only changed pages rewritten, MkDocs run with
                        dirty=True so it renders only those (only for the serve step)
"""

from __future__ import annotations

import functools
import os
import sys


def fast_markdown() -> None:
    import markdown as python_markdown
    import nh3

    import manual.render.markdown as md

    renderer = python_markdown.Markdown(extensions=["tables", "fenced_code", "sane_lists"])
    original = md.safe_html

    @functools.cache
    def safe_html(source: str) -> str:
        rendered = renderer.reset().convert(source)
        return nh3.clean(rendered, tags=md.SAFE_TAGS, attributes=md.SAFE_ATTRIBUTES,
                         url_schemes={"http", "https", "mailto"},
                         clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript"})

    sample = "Some *text* with a [link](https://example.org/) and a <b>tag</b>.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    if safe_html(sample) != original(sample):
        raise SystemExit("prototype fast-markdown: render/markdown.safe_html has changed; update the prototype")
    md.safe_html = safe_html
    import manual.render.urls as urls

    urls.link = functools.lru_cache(maxsize=None)(urls.link)


_MANUAL = None  # the manual of the build, inherited by the forked workers instead of being pickled


def _one_language(root, src, out, lang, download) -> None:
    from manual.merge import localise
    from manual.render import site

    config = site.write_sources(localise(_MANUAL, lang), root, src / lang, download)
    site.run_mkdocs(config, out / lang, _MANUAL.build_date)


def parallel_languages() -> None:
    import concurrent.futures
    import multiprocessing

    from manual.render import site

    def build_site(manual, root, site_dir, src_dir, downloads=None) -> None:
        global _MANUAL
        site.clean_stale(site_dir.parent, site_dir.name)
        site.clean_stale(src_dir.parent, src_dir.name)
        langs = manual.settings.languages
        with site.staged(src_dir) as src, site.staged(site_dir) as out:
            jobs = [(root, src, out, lang, (downloads or {}).get(lang)) for lang in langs]
            workers = min(len(langs), os.cpu_count() or 1)
            if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
                _MANUAL = manual
                context = multiprocessing.get_context("fork")
                with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                    for future in [pool.submit(_one_language, *job) for job in jobs]:
                        future.result()
            else:
                _MANUAL = manual
                for job in jobs:
                    _one_language(*job)
            site._write_root(out, manual)

    for name in ("write_sources", "run_mkdocs", "staged", "clean_stale", "_write_root"):
        if not hasattr(site, name):
            raise SystemExit(f"prototype parallel-languages: render/site.py has no {name} any more; update it")
    site.build_site = build_site


class _AtFirst:
    """The e-mail pattern, tried only on texts that contain an '@' (the same matches, much sooner)."""

    def __init__(self, pattern):
        self.pattern = pattern

    def finditer(self, text: str):
        return self.pattern.finditer(text) if "@" in text else iter(())

    def search(self, text: str):
        return self.pattern.search(text) if "@" in text else None

    def __getattr__(self, name):
        return getattr(self.pattern, name)


def fast_check() -> None:
    from manual import validate

    validate._EMAIL = _AtFirst(validate._EMAIL)
    extra = os.environ.get("CONTINUUM_PROTOTYPE_PATH")  # where jsonschema-rs was installed, if not in .venv
    if extra:
        sys.path.append(extra)
    try:
        import jsonschema_rs
    except ImportError:
        print("prototype fast-check: jsonschema-rs is not installed; schemas checked by jsonschema alone",
              file=sys.stderr)
        return
    original = validate.schema_problems

    @functools.cache
    def fast(name: str):
        return jsonschema_rs.validator_for(validate.schema(name), validate_formats=True)

    def schema_problems(doc, name):
        return [] if fast(name).is_valid(doc.data) else original(doc, name)

    validate.schema_problems = schema_problems


def _sync(source, target) -> None:
    """Make folder `target` hold the files of `source`, rewriting only those whose bytes differ."""
    import shutil

    seen = set()
    for path in source.rglob("*"):
        if path.is_dir():
            continue
        rel = path.relative_to(source)
        seen.add(rel)
        dest = target / rel
        if not dest.is_file() or dest.read_bytes() != path.read_bytes():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
    for path in list(target.rglob("*")):
        if path.is_file() and path.relative_to(target) not in seen:
            path.unlink()


def serve_dirty() -> None:
    import contextlib
    import shutil

    from manual.render import output, site

    @contextlib.contextmanager
    def in_place(target):
        target.mkdir(parents=True, exist_ok=True)
        yield target

    write_sources = site.write_sources

    def write_changed(manual, root, folder, download=None, **options):
        scratch = folder.parent / f".{folder.name}-scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        config = write_sources(manual, root, scratch, download, **options)
        folder.mkdir(parents=True, exist_ok=True)
        _sync(scratch, folder)
        shutil.rmtree(scratch)
        return folder / config.relative_to(scratch)

    def run_mkdocs_dirty(config_file, site_dir, build_date) -> None:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        with output.source_date(build_date):
            build(load_config(config_file=str(config_file), site_dir=str(site_dir), strict=False), dirty=True)

    output.staged = in_place  # the preview's folders persist from one rebuild to the next
    site.write_sources = write_changed
    site.run_mkdocs = run_mkdocs_dirty


PROTOTYPES = {"fast-markdown": fast_markdown, "parallel-languages": parallel_languages, "fast-check": fast_check,
              "serve-dirty": serve_dirty}


ONLY_FOR = {"serve-dirty": "serve"}  # prototypes that change one step only


def apply(names: list[str], step: str) -> None:
    """Apply the named prototypes that concern `step` in this process."""
    for name in names:
        if ONLY_FOR.get(name, step) == step:
            PROTOTYPES[name]()
