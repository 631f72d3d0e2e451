"""Serve: a live preview of the manual that rebuilds when its sources change.

Each file's document is cached with its modification time and size, so a rebuild re-reads only
what changed; the cross-file checks, the merge and the site's build run again on the whole. When
the sources have errors, the last good site stays served and every page shows the problems on
top; the same problems are printed in the terminal.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import http.server
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import read as reader
from .errors import ManualError
from .merge import merge
from .model import ERROR, Document, Problem, Sources
from .parallel import run_jobs
from .render.urls import contribution_in
from .validate import validate

log = logging.getLogger(__name__)

WATCHED_FOLDERS = ("contributions", "docs")
WATCHED_FILES = ("manual.yml", "themes.yml", "mkdocs.yml")
STATE_PATH = "/__preview__/state"
DEBOUNCE_SECONDS = 0.3


@dataclass
class _Cached:
    stamp: tuple[int, int]
    doc: Document | None
    problems: list[Problem]


@dataclass
class Result:
    """What a rebuild did: whether the site was rebuilt, the problems, and how long it took."""

    built: bool
    problems: list[Problem]
    seconds: float
    files_reread: int
    error: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


@dataclass
class _State:
    generation: int = 0
    problems: list[Problem] = field(default_factory=list)
    error: str = ""
    pages: dict[str, str] = field(default_factory=dict)


class Preview:
    """The preview of one manual: cached reading, and a site rebuilt into `site_dir`/site.

    `Preview(root, site_dir).rebuild(changed_paths)` is the whole cycle the server runs after an edit.
    """

    def __init__(self, root: Path, site_dir: Path, *, languages: Iterable[str] | None = None,
                 today: dt.date | None = None):
        self.root = Path(root).resolve()
        self.site_dir = Path(site_dir).resolve()
        self.languages = tuple(languages) if languages else None
        self.today = today
        self._cache: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self.state = _State()
        self.sources: Sources | None = None
        self._sources: dict[str, dict[str, str]] = {}  # language → generated file → digest, after a full build

    @property
    def site(self) -> Path:
        """The folder served: the last good build."""
        return self.site_dir / "site"

    # --- reading, with a cache per file ----------------------------------------------------

    def _read(self, rel: str, kind: str, force: set[str]) -> tuple[Document | None, list[Problem], bool]:
        path = self.root / rel
        try:
            stat = path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = (-1, -1)
        cached = self._cache.get(rel)
        if cached and cached.stamp == stamp and rel not in force:
            return cached.doc, cached.problems, False
        problems: list[Problem] = []
        doc = (reader.read_contribution if kind == "md" else reader.read_yaml)(self.root, rel, problems)
        self._cache[rel] = _Cached(stamp, doc, problems)
        return doc, problems, True

    def read(self, changed: Iterable[str | Path] = ()) -> tuple[reader.Tree, int]:
        """Read the tree as read.read_tree does, re-reading only files that changed; return it and that count."""
        force = {self._rel(p) for p in changed}
        reread = 0
        seen: set[str] = set()

        def cached(kind: str):
            def read(root: Path, rel: str, problems: list[Problem]) -> Document | None:
                nonlocal reread
                doc, found, fresh = self._read(rel, kind, force)
                problems.extend(found)
                reread += fresh
                seen.add(rel)
                return doc
            return read

        tree = reader.read_tree(self.root, yaml_reader=cached("yml"), markdown_reader=cached("md"))
        for gone in set(self._cache) - seen:
            del self._cache[gone]
        return tree, reread

    def _rel(self, path: str | Path) -> str:
        path = Path(path)
        if path.is_absolute():
            try:
                return path.resolve().relative_to(self.root).as_posix()
            except ValueError:
                return path.as_posix()
        return path.as_posix()

    # --- the cycle -------------------------------------------------------------------------

    def check(self, changed: Iterable[str | Path] = ()) -> tuple[Sources, int]:
        """Read (with the cache) and validate the whole manual."""
        tree, reread = self.read(changed)
        return validate(self.root, tree, today=self.today or dt.date.today()), reread

    def rebuild(self, changed_paths: Iterable[str | Path] = ()) -> Result:
        """Check, and if there is no error rebuild the preview site; never raises for bad sources."""
        from .render.layout import redirect_page
        from .render.output import staged

        started = time.perf_counter()
        with self._lock:
            sources, reread = self.check(changed_paths)
            self.sources = sources
            error = ""
            built = False
            if not sources.errors:
                try:
                    manual = merge(sources, preview=True)
                    languages = [lang for lang in manual.settings.languages
                                 if self.languages is None or lang in self.languages] or \
                        [manual.settings.languages[0]]
                    self.site_dir.mkdir(parents=True, exist_ok=True)
                    _render_texts(manual, languages)
                    if not self._update(manual, languages):
                        with staged(self.site_dir / "src") as src, staged(self.site) as out:
                            run_jobs(_build_language, {lang: (manual, self.root, src, out, lang) for lang in languages})
                            redirect_page(out / "index.html", f"{languages[0]}/", languages[0], "Preview")
                        self._sources = {}
                        for lang in languages:  # what the next rebuild compares with
                            self._sources[lang] = _snapshot(self.site_dir / "src" / lang)
                    built = True
                    self.state.pages = {c.id: c.path for c in manual.contributions.values()}
                except ManualError as exc:
                    error = exc.format_message()
                    log.debug("preview build failed", exc_info=True)
            self.state = _State(generation=self.state.generation + 1, problems=list(sources.problems), error=error,
                                pages=self.state.pages)
        return Result(built=built, problems=list(sources.problems), seconds=time.perf_counter() - started,
                      files_reread=reread, error=error)

    def _update(self, manual, languages: list[str]) -> bool:
        """Rebuild in place only the pages whose generated Markdown changed (MkDocs' dirty build).

        Returns False when a full build is needed: the first one, or when the navigation, the
        configuration or the set of pages changed. The search index keeps every page: the
        entries of the pages rebuilt are replaced, the others kept.
        """
        import shutil

        previous = self._sources
        if not previous or set(previous) != set(languages) or not self.site.is_dir():
            return False
        scratch = self.site_dir / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        # Each language on its own core: its pages written again, then what changed rebuilt.
        run_jobs(_write_scratch, {lang: (manual, self.root, scratch, lang) for lang in languages})
        plans, snapshots = {}, {}
        for lang in languages:
            now = json.loads((scratch / f"{lang}.json").read_text(encoding="utf-8"))
            before = previous[lang]
            if set(now) != set(before) or now.get("mkdocs.yml") != before.get("mkdocs.yml"):
                shutil.rmtree(scratch, ignore_errors=True)
                return False
            plans[lang] = [name for name, digest in now.items() if before.get(name) != digest]
            snapshots[lang] = now
        run_jobs(_rebuild_changed, {lang: (self.site_dir / "src" / lang, scratch / lang, changed, self.site / lang,
                                           manual.build_date) for lang, changed in plans.items() if changed})
        previous.update(snapshots)  # the sources are now what the scratch copy was
        shutil.rmtree(scratch, ignore_errors=True)
        return True

    # --- what the pages show ---------------------------------------------------------------

    def banner(self, url_path: str) -> str:
        """Return the HTML banner of problems for a page ('' if there is none)."""
        state = self.state
        if not state.problems and not state.error:
            return ""
        shown = contribution_in(url_path)
        page_file = state.pages.get(shown) if shown else None
        problems = sorted(state.problems, key=lambda p: (p.file != page_file, p.severity != ERROR, p))
        errors = sum(p.severity == ERROR for p in problems)
        stale = errors or state.error
        head = (f"{errors} error(s), {len(problems) - errors} warning(s)"
                + (": this is the last good version of the site, fix them to see your changes" if stale else ""))
        bold = ' style="font-weight:bold"'
        items = "".join(
            f"<li{bold if p.file == page_file else ''}>"
            f"<code>{html.escape(p.file)}:{p.line}:{p.column}</code> {html.escape(p.severity)} "
            f"[{html.escape(p.code)}] {html.escape(p.message)}</li>" for p in problems[:100])
        if state.error:
            items = f"<li><pre>{html.escape(state.error)}</pre></li>" + items
        colour = "#b00020" if stale else "#8a6d00"
        return (f'<div id="continuum-preview-problems" role="alert" style="position:relative;z-index:10;'
                f'background:#fff;border:3px solid {colour};padding:.5em 1em;margin:0;font:14px/1.4 sans-serif;'
                f'max-height:40vh;overflow:auto"><strong style="color:{colour}">Preview: {head}</strong>'
                f"<ul>{items}</ul></div>")

    def decorate(self, page: str, url_path: str) -> str:
        """Insert the problems banner and the reload script into an HTML page of the preview."""
        script = (f"<script>(function(){{var g={self.state.generation};setInterval(function(){{"
                  f"fetch('{STATE_PATH}').then(function(r){{return r.json()}}).then(function(s){{"
                  f"if(s.generation!==g)location.reload()}}).catch(function(){{}})}},1000)}})();</script>")
        inserted = self.banner(url_path) + script
        match = re.search(r"<body[^>]*>", page)
        return page[:match.end()] + inserted + page[match.end():] if match else inserted + page

    def state_json(self) -> str:
        return json.dumps({"generation": self.state.generation, "errors": sum(p.severity == ERROR for p in
                                                                              self.state.problems),
                           "problems": [p.as_dict() for p in self.state.problems], "error": self.state.error})


def _render_texts(manual, languages: list[str]) -> None:
    """Render contributors' Markdown in this process (on every core), before the languages' processes
    start: they find it rendered, and so does the next rebuild, which renders only what changed. The
    languages' views are made here too, for the same reason."""
    from .merge import localise
    from .render import markdown as md

    views = [manual] + [localise(manual, lang) for lang in languages]
    contributions = [c for view in views for c in view.contributions.values()]
    md.prerender([c.body for c in contributions], [r.text for c in contributions for r in c.recommendations],
                 os.cpu_count() or 1)


def _write_scratch(manual, root: Path, scratch: Path, lang: str) -> None:
    """Write a language's pages into scratch/<lang>/ and what they are into scratch/<lang>.json."""
    from .merge import localise
    from .render.site import write_sources

    write_sources(localise(manual, lang), root, scratch / lang)
    (scratch / f"{lang}.json").write_text(json.dumps(_snapshot(scratch / lang)), encoding="utf-8")


def _rebuild_changed(src: Path, scratch: Path, changed: list[str], site: Path, build_date) -> None:
    """Copy the `changed` files of a language from scratch to src and rebuild their pages (MkDocs' dirty build)."""
    import shutil

    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from .render.output import source_date
    from .render.site import refresh_search_index

    for name in changed:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(scratch / name, src / name)  # a new mtime: MkDocs rebuilds that page
    index = site / "search" / "search_index.json"
    before = index.read_text(encoding="utf-8") if index.is_file() else None
    quiet = logging.getLogger("mkdocs.commands.build")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # not the warning that a dirty build is for previews: it is one
    try:
        with source_date(build_date):
            build(load_config(config_file=str(src / "mkdocs.yml"), site_dir=str(site), strict=False), dirty=True)
    finally:
        quiet.setLevel(level)
    if before is not None:  # the dirty build indexed only the pages it rebuilt
        refresh_search_index(site, before, changed, src)


def _build_language(manual, root: Path, src: Path, out: Path, lang: str) -> None:
    from .merge import localise
    from .render.site import run_mkdocs_sharded, write_sources

    run_mkdocs_sharded(write_sources(localise(manual, lang), root, src / lang), out / lang, manual.build_date)


def _snapshot(folder: Path) -> dict[str, str]:
    """Return each file under `folder` with a digest of its bytes, by relative path."""
    import hashlib

    return {p.relative_to(folder).as_posix(): hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


# --- the web server and the watcher ---------------------------------------------------------

class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: Preview

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, directory=str(preview.site), **kwargs)

    def log_message(self, format: str, *args) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == STATE_PATH:
            return self._send(self.preview.state_json().encode(), "application/json")
        self.directory = str(self.preview.site)
        target = Path(self.translate_path(path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        if target.suffix == ".html" and target.is_file():
            page = target.read_text(encoding="utf-8", errors="replace")
            return self._send(self.preview.decorate(page, path).encode(), "text/html; charset=utf-8")
        if not self.preview.site.is_dir():
            page = "<!doctype html><html><head><meta charset='utf-8'><title>Preview</title></head><body></body></html>"
            return self._send(self.preview.decorate(page, path).encode(), "text/html; charset=utf-8", 503)
        return super().do_GET()

    def _send(self, body: bytes, kind: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class Server:
    """The preview served on 127.0.0.1, rebuilt by a watcher of the sources; `stop()` ends both."""

    def __init__(self, preview: Preview, port: int = 0, *, on_rebuild: Callable[[Result], None] | None = None):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.preview = preview
        self.on_rebuild = on_rebuild or (lambda result: None)
        handler = functools.partial(_Handler, preview=preview)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.httpd.server_address[1]
        self._pending: set[str] = set()
        self._timer: threading.Timer | None = None
        self._guard = threading.Lock()
        server = self

        class Changes(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                if event.event_type in ("opened", "closed_no_write"):
                    return
                for name in (event.src_path, getattr(event, "dest_path", "")):
                    if name:
                        server._changed(os.fsdecode(name))

        self.observer = Observer()
        for folder in WATCHED_FOLDERS:
            if (preview.root / folder).is_dir():
                self.observer.schedule(Changes(), str(preview.root / folder), recursive=True)
        self.observer.schedule(Changes(), str(preview.root), recursive=False)
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def start(self) -> Server:
        self.observer.start()
        self._thread.start()
        return self

    def _changed(self, path: str) -> None:
        rel = self.preview._rel(path)
        top = rel.split("/", 1)[0]
        if top not in WATCHED_FOLDERS and rel not in WATCHED_FILES:
            return
        if Path(rel).name.startswith(".") or rel.endswith("~"):
            return
        with self._guard:
            self._pending.add(rel)
            if self._timer:
                self._timer.cancel()
            self._timer = threading.Timer(DEBOUNCE_SECONDS, self._rebuild)
            self._timer.daemon = True
            self._timer.start()

    def _rebuild(self) -> None:
        with self._guard:
            changed, self._pending = self._pending, set()
        try:
            result = self.preview.rebuild(changed)
        except Exception:  # a bug must not stop the preview: log it and keep serving the last site
            log.exception("the preview could not be rebuilt")
            return
        self.on_rebuild(result)

    def stop(self) -> None:
        if self._timer:
            self._timer.cancel()
        self.observer.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        if self.observer.is_alive():
            self.observer.join(timeout=5)


def serve_forever(preview: Preview, port: int, *, echo: Callable[..., None], style: Callable[[Problem], str],
                  quiet: bool = False) -> None:
    """Build once, then serve and rebuild on every change until Ctrl-C; report each rebuild."""

    def report(result: Result) -> None:
        for problem in result.problems:
            echo(style(problem), err=True)
        if result.error:
            echo(result.error, err=True)
        if result.built:
            if not quiet:
                echo(f"[{time.strftime('%H:%M:%S')}] rebuilt in {result.seconds:.1f} s "
                     f"({result.files_reread} file(s) re-read, {len(result.problems)} warning(s)).", err=True)
        else:
            echo(f"[{time.strftime('%H:%M:%S')}] {len(result.errors)} error(s): the preview still shows the last "
                 "good version; the pages show the problems too.", err=True)

    report(preview.rebuild())
    try:
        server = Server(preview, port, on_rebuild=report).start()
    except OSError as exc:
        import click
        raise click.UsageError(f"cannot serve on port {port}: {exc.strerror}; choose another with --port") from None
    lang = (preview.languages or ("en",))[0] if preview.languages else None
    echo(f"Serving the preview on {server.url}{lang + '/' if lang else ''} (Ctrl-C to stop); watching "
         f"{', '.join(f + '/' for f in WATCHED_FOLDERS)} and {', '.join(WATCHED_FILES)}.")
    try:
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
