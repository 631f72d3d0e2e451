"""Build one language's website in several MkDocs processes at once, for large manuals.

MkDocs renders the pages of a site one after the other, on one core. A language with thousands of
contributions is split into shards: each shard is the same MkDocs configuration and the same docs/
folder, with `exclude_docs` naming the pages the other shards render. MkDocs still sees the
excluded pages, so links to them resolve to the right address (it reports them at INFO level,
never as warnings), and every shard renders the same navigation; each page is rendered by one
shard. A contribution's shard is chosen by the last character of its
id ([a-z0-9], by the format), so that one pattern names a shard's pages however many there are.

The shards' outputs are then put together: the pages and files each shard wrote, and one search
index and one sitemap with the entries in the order a single MkDocs build writes them. The site is
the same, byte for byte, whatever the number of shards (tests/test_shards.py builds both ways).
Like site.py, this module is specific to MkDocs: a move to another generator replaces both.
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import yaml

from ..errors import BuildError

# A language is split only from this many contribution pages: below it, starting another MkDocs
# (about a second) costs more than it saves.
MIN_CONTRIBUTIONS = 400
# The files every shard writes and that are put together rather than taken from one shard.
_SEARCH_INDEX = "search/search_index.json"
_SITEMAP = "sitemap.xml"
_SITEMAP_GZ = "sitemap.xml.gz"
_URL_BLOCK = re.compile(r"\n[ \t]*<url>.*?</url>", re.DOTALL)


def plan(docs: Path, shards: int) -> list[list[str]]:
    """Return, for each shard, what it renders: top-level entries of docs/ (other than contributions/)
    by name, and contributions by the last character of their id, as "contributions/*<char>".

    The parts are dealt out, heaviest first, to the shard with the least work so far.
    """
    weights: dict[str, float] = {}
    for entry in sorted(docs.iterdir()):
        if entry.name != "contributions":
            weights[entry.name] = _weight(entry, _INDEX_BYTE)
    contributions = docs / "contributions"
    if contributions.is_dir():
        for entry in sorted(contributions.iterdir()):
            char = entry.name[-1:]
            key = f"contributions/*{char}" if entry.is_dir() and char.isascii() and char.isalnum() else ""
            weights[key] = weights.get(key, 0.0) + _weight(entry, 1.0)
    loads = [0.0] * shards
    parts: list[list[str]] = [[] for _ in range(shards)]
    for name, weight in sorted(weights.items(), key=lambda item: (-item[1], item[0])):
        # What no pattern can name (files at the top of contributions/) stays with the first shard.
        lightest = 0 if name == "" else min(range(shards), key=lambda i: (loads[i], i))
        loads[lightest] += weight
        parts[lightest].append(name)
    return [sorted(part) for part in parts]


# What rendering a page costs: a fixed part (the page template), as many bytes of Markdown; and the
# bytes of the generated indexes cost more than a contribution's (measured at 5,000 contributions,
# their recommendation tables written as HTML: about 2 ms a page, 0.4 µs a byte of a contribution,
# 0.5 µs a byte of an index, whose lists of practices are still Markdown).
_PAGE_COST = 4_500
_INDEX_BYTE = 1.3


def _weight(path: Path, per_byte: float) -> float:
    if path.is_file():
        return path.stat().st_size * per_byte + _PAGE_COST if path.suffix == ".md" else 0.0
    return sum(_weight(child, per_byte) for child in path.iterdir())


def exclusions(docs: Path, parts: list[list[str]], shard: int) -> str:
    """Return the `exclude_docs` patterns (gitignore syntax) of shard number `shard`: what the others render."""
    mine = set(parts[shard])
    patterns = [f"/{entry.name}/" if entry.is_dir() else f"/{entry.name}"
                for entry in sorted(docs.iterdir()) if entry.name != "contributions" and entry.name not in mine]
    chars = "".join(sorted(name[-1] for name in mine if name.startswith("contributions/*")))
    if shard > 0:
        contributions = docs / "contributions"
        if contributions.is_dir():
            patterns += [f"/contributions/{entry.name}" for entry in sorted(contributions.iterdir())
                         if not entry.is_dir()]
    if len(chars) < 36:
        patterns.append(f"/contributions/*[!{chars}]/" if chars else "/contributions/*/")
    return "\n".join(patterns) + "\n" if patterns else ""


def write_configs(config_file: Path, parts: list[list[str]]) -> list[Path]:
    """Write one MkDocs configuration per shard beside `config_file`; return them."""
    base = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    docs = config_file.parent / base.get("docs_dir", "docs")
    # What the editors' mkdocs.yml excludes stays excluded.
    inherited = _inherited(config_file.parent / base["INHERIT"]).get("exclude_docs") if "INHERIT" in base else None
    configs = []
    for shard in range(len(parts)):
        config = dict(base, exclude_docs=(inherited or "").rstrip("\n") + "\n" + exclusions(docs, parts, shard))
        path = config_file.with_name(f"{config_file.stem}.shard-{shard}.yml")
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        configs.append(path)
    return configs


class _AnyTagLoader(yaml.SafeLoader):
    """Reads a mkdocs.yml with the tags of MkDocs and its extensions (!!python/name:…, !ENV), as nothing."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _inherited(path: Path) -> dict:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_AnyTagLoader) if path.is_file() else None
    return data if isinstance(data, dict) else {}


def page_order(docs: Path) -> dict[str, int]:
    """Return the address of every page of docs/ with its place in the order MkDocs builds them:
    folder by folder in name order, a folder's files before its subfolders, index.md first."""
    order: dict[str, int] = {}
    for folder, subfolders, names in os.walk(docs):
        subfolders.sort()
        relative = Path(folder).relative_to(docs).as_posix()
        relative = "" if relative == "." else relative
        for name in sorted(names, key=lambda n: (posixpath.splitext(n)[0] not in ("index", "README"), n)):
            stem, suffix = posixpath.splitext(name)
            if suffix != ".md":
                continue
            if stem in ("index", "README"):
                url = f"{relative}/" if relative else ""
            else:
                url = posixpath.join(relative, stem) + "/"
            order.setdefault(quote(url), len(order))
    return order


def merge(parts: list[Path], target: Path, order: dict[str, int], site_url: str) -> None:
    """Move what the shards `parts[1:]` built into `target` (what the first shard built), and put
    the search indexes and sitemaps together, in `order` (page_order())."""
    indexes = [target / _SEARCH_INDEX]
    sitemaps = [target / _SITEMAP]
    for part in parts[1:]:
        for folder, _, names in os.walk(part):
            for name in names:
                source = Path(folder) / name
                relative = source.relative_to(part).as_posix()
                if relative == _SEARCH_INDEX:
                    indexes.append(source)
                elif relative == _SITEMAP:
                    sitemaps.append(source)
                elif relative == _SITEMAP_GZ:
                    continue
                elif (target / relative).exists():
                    # Theme files, 404 page: every shard writes them, the same.
                    if (target / relative).read_bytes() != source.read_bytes():
                        raise BuildError(f"the website's shards disagree on {relative}: this is a bug in the build")
                else:
                    (target / relative).parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(source, target / relative)
    if all(path.is_file() for path in indexes):
        _merge_search_indexes(indexes, target / _SEARCH_INDEX, order)
    if all(path.is_file() for path in sitemaps):
        _merge_sitemaps(sitemaps, target / _SITEMAP, order, site_url)


def add_search_entries(site_dir: Path, entries: dict[str, list[dict]], order: dict[str, int]) -> None:
    """Add to the search index of `site_dir` the entries (by page address) of the pages it holds, in
    build order (the contribution pages' entries, written from the data rather than parsed by Material)."""
    path = site_dir / _SEARCH_INDEX
    mine = [entry for url, page in entries.items() if (site_dir / url / "index.html").is_file() for entry in page]
    if not mine or not path.is_file():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    write_search_index(path, index["config"], index["docs"] + mine, order)


def write_search_index(path: Path, config: dict, docs: list[dict], order: dict[str, int]) -> None:
    """Write a search index in Material's format, its entries in build order (a page's in their order)."""
    docs = sorted(docs, key=lambda entry: _place(order, entry["location"].split("#", 1)[0]))
    path.write_text(json.dumps({"config": config, "docs": docs}, separators=(",", ":"), default=str), encoding="utf-8")


def _merge_search_indexes(paths: list[Path], target: Path, order: dict[str, int]) -> None:
    """One search index (Material's format) with every shard's entries, in build order."""
    indexes = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    write_search_index(target, indexes[0]["config"], [entry for index in indexes for entry in index["docs"]], order)


def _merge_sitemaps(paths: list[Path], target: Path, order: dict[str, int], site_url: str) -> None:
    """One sitemap (and its gzip copy, as MkDocs writes it) with every shard's pages, in build order."""
    first = paths[0].read_text(encoding="utf-8")
    blocks = [block for path in paths for block in _URL_BLOCK.findall(path.read_text(encoding="utf-8"))]

    def key(block: str) -> int:
        loc = re.search(r"<loc>(.*?)</loc>", block)
        url = loc.group(1).replace("&amp;", "&") if loc else ""
        return _place(order, url.removeprefix(site_url))

    blocks.sort(key=key)
    head = _URL_BLOCK.split(first, maxsplit=1)[0]
    tail = first[first.rindex("</url>") + len("</url>"):] if "</url>" in first else first[len(head):]
    text = head + "".join(blocks) + tail
    target.write_text(text, encoding="utf-8")
    gz = target.with_name(_SITEMAP_GZ)
    mtime = int.from_bytes(gz.read_bytes()[4:8], "little") if gz.is_file() else 0
    with open(gz, "wb") as handle, gzip.GzipFile(fileobj=handle, filename=str(gz), mode="wb", mtime=mtime) as out:
        out.write(text.encode("utf-8"))


def _place(order: dict[str, int], url: str) -> int:
    try:
        return order[url]
    except KeyError:
        raise BuildError(f"the website has a page at '{url}' that its sources do not explain: "
                         "this is a bug in the build") from None
