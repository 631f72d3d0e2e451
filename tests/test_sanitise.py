"""What reaches a reader's browser from a contribution is sanitised, whatever `check` let through."""

from __future__ import annotations

import re

import pytest

from manual.render.markdown import safe_body, safe_html, safe_inline

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    '<a href="vbscript:msgbox(1)">x</a>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://example.org"></iframe>',
    "<object data=x></object><embed src=x>",
    "<form action=x><input name=a></form>",
    "<style>body{display:none}</style>",
    "<svg><script>alert(1)</script></svg>",
    '<div onclick="alert(1)">x</div>',
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
]


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_markdown_is_defused(source: str) -> None:
    for output in (safe_html(source), safe_inline(source), safe_body("## Context\n\n" + source)):
        lowered = output.lower()
        assert "<script" not in lowered and "<iframe" not in lowered and "<object" not in lowered
        assert "<embed" not in lowered and "<form" not in lowered and "<style" not in lowered
        assert not re.search(r"\son[a-z]+\s*=", lowered)
        assert "style=" not in lowered
        for url in re.findall(r'(?:href|src)="([^"]*)"', lowered):
            assert not re.match(r"\s*(javascript|vbscript|data):", url), url


def test_headings_cannot_carry_attributes() -> None:
    output = safe_body("## Context {: onclick=\"alert(1)\" }\n\nText.\n")
    assert output.startswith("## Context\n")
    assert "onclick" not in output


def test_ordinary_markdown_survives() -> None:
    output = safe_body("## Context\n\nSome **bold** and [a link](https://example.org).\n\n"
                       "| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nline one\n\nline <three>\n```\n\n"
                       "![A map](map.png)\n")
    assert "<strong>bold</strong>" in output
    assert '<a href="https://example.org" rel="noopener noreferrer">a link</a>' in output
    assert "<table>" in output and "<td>1</td>" in output
    assert "line one\n\nline &lt;three&gt;" in output
    assert '<img alt="A map" src="map.png">' in output


def test_sanitised_sections_render_in_the_site(base_tree) -> None:
    import shutil

    from .conftest import REPO, run

    shutil.copyfile(REPO / "mkdocs.yml", base_tree / "mkdocs.yml")
    shutil.copytree(REPO / "overrides", base_tree / "overrides")
    page = base_tree / "contributions" / "nice" / "carnival.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n```\nfirst line\n\nafter a blank line\n```\n\n"
                    "A <b>bold</b> word.\n", encoding="utf-8")
    result = run("build", root=base_tree)
    assert result.code == 0, result
    html = (base_tree / "site" / "en" / "contributions" / "nice-001" / "index.html").read_text(encoding="utf-8")
    assert "first line\n\nafter a blank line" in html
    assert "A <b>bold</b> word." in html
    assert re.search(r'<h2 id="results">Results<a class="headerlink"', html)
