"""Helpers that write Markdown safely from the manual's data, shared by the site and the PDF."""

from __future__ import annotations

import html
import json
import posixpath
import re

_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!])")


def text(value: str) -> str:
    """Escape contributor text for inline Markdown: it shows as written, never as markup."""
    return _SPECIAL.sub(r"\\\1", html.escape(" ".join(value.split()), quote=False))


def inline(value: str) -> str:
    """Fold contributor Markdown onto one line, for a table cell, keeping its formatting."""
    return " ".join(value.split()).replace("|", "\\|")


def front_matter(**values: str) -> str:
    """Return a YAML front matter block for MkDocs with the given page values."""
    lines = [f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def link(source: str, target: str, anchor: str = "") -> str:
    """Return the relative link from the page `source` to the page `target` (paths in docs/)."""
    path = posixpath.relpath(target, posixpath.dirname(source) or ".")
    return path + (f"#{anchor}" if anchor else "")
