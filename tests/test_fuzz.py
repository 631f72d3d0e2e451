"""Property-based: whatever a contribution file holds, `check` ends with a list of problems, never a traceback."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manual.read import _Loader, parse_yaml
from manual.validate import check_tree

from .conftest import FIXTURES

VALID = (FIXTURES / "check" / "valid-minimal.md").read_text(encoding="utf-8")
FRONT, BODY = VALID.split("---\n")[1], VALID.split("---\n", 2)[2]
FIELDS = yaml.safe_load(FRONT)

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                    st.dates().map(dt.date.isoformat))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                      max_leaves=10)


def _check(text: str | bytes) -> list:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "manual"
        shutil.copytree(FIXTURES / "base", root)
        target = root / "contributions" / "nice" / "fuzz.md"
        target.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        return check_tree(root).problems


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(FIELDS) + ["extra", "recommendations", "related", "contacts"]),
                       values, max_size=12), st.text(max_size=300))
def test_random_front_matter_and_body(front: dict, body: str) -> None:
    fields = {**FIELDS, **front}
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + body
    for problem in _check(text):
        assert problem.file == "contributions/nice/fuzz.md" and problem.line >= 1 and problem.message


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_mutated_valid_file(data: st.DataObject) -> None:
    raw = bytearray(VALID.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 6))):
        position = data.draw(st.integers(0, len(raw) - 1))
        action = data.draw(st.sampled_from(["flip", "delete", "insert"]))
        if action == "flip":
            raw[position] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del raw[position]
        else:
            raw[position:position] = data.draw(st.sampled_from([b":", b"-", b"[", b"{", b"&a ", b"*a", b"!!", b"\t",
                                                                b"\n", b"---\n", b"'", b'"', b"\xff", b"#"]))
    for problem in _check(bytes(raw)):
        assert problem.line >= 1 and problem.column >= 1 and problem.message


# The reader builds the values in the same walk that records their places; they must be what
# PyYAML's safe loader builds (the reader's own loader keeps dates as text).
@settings(max_examples=200, deadline=None)
@given(st.recursive(scalars, lambda inner: st.one_of(
           st.lists(inner, max_size=4),
           st.dictionaries(st.one_of(st.text(max_size=10), st.integers(), st.booleans(), st.none()), inner,
                           max_size=4)), max_leaves=12),
       st.sampled_from([None, True, False]))
def test_read_values_are_pyyamls(value, flow: bool | None) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=True)
    problems: list = []
    doc = parse_yaml(text, "fuzz.yml", problems, first_line=1)
    assert problems == [] and doc is not None
    assert doc.data == yaml.load(text, Loader=_Loader)


@pytest.mark.parametrize("text", [
    "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",            # a merge key
    "base: &b {x: 1}\nc:\n  <<: [*b, {z: 3}]\n  x: 2\n",   # merge keys, overridden
    "1: one\non: yes\n~: n\n2.5: [1, 0x1f, .inf]\n",      # keys that are not texts
    "d: !!binary aGVsbG8=\ns: !!set {a, b}\no: !!omap [a: 1, b: 2]\nt: !!str 12\nk: !!int \"7\"\n",
    "a: &x [1, {b: c}]\nb: *x\ndate: 2025-01-02\n",
])
def test_read_values_with_tags_and_merges(text: str) -> None:
    problems: list = []
    doc = parse_yaml(text, "case.yml", problems, first_line=1)
    assert problems == [] and doc is not None
    assert doc.data == yaml.load(text, Loader=_Loader)


# --- hostile text in the fields a reader sees -------------------------------------------------------

# Pieces an attacker strings together: markup, entities, schemes, Markdown images and references,
# characters YAML reads as line breaks, and plain words.
HOSTILE_PIECES = ["<", ">", '"', "'", "&", "&lt;", "&#106;", "</title>", "<svg onload=alert(1)>", "<script>",
                  "<img src=x onerror=alert(1)>", "javascript:", "java\tscript:", "onload=", "![x](/etc/passwd)",
                  "![x][r]", "\n\n[r]: /etc/hostname\n", "[a](javascript:alert(1))", "[b](#nowhere)", "`", "*", "_",
                  "\x00", "\x7f", "\x85", "\u2028", "{#c-nice-001}", "http://tracker.example/p.png", " ", "text"]
hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=6).map("".join)
# In one-line fields check refuses '<', '>' and invisible characters outright (fixtures show it): the
# rest is what must come out as text.
ONE_LINE_PIECES = [p for p in HOSTILE_PIECES if not re.search("[<>\x00-\x1f\x7f-\x9f\u2028\u2029]", p)]
one_line_text = st.lists(st.sampled_from(ONE_LINE_PIECES), min_size=1, max_size=12).map("".join)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _elements(markup: str) -> _Elements:
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser


def _accepted(title: str, summary: str, recommendation: str, body: str, city: str):
    fields = {**FIELDS, "title": title, "summary": summary,
              "recommendations": [{"id": "nice-002-r1", "text": recommendation}]}
    text = "---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n" + BODY + "\n" + body + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "manual"
        shutil.copytree(FIXTURES / "base", root)
        (root / "contributions" / "nice" / "fuzz.md").write_text(text, encoding="utf-8")
        card = root / "contributions" / "nice" / "city.yml"
        registry = yaml.safe_load(card.read_text(encoding="utf-8"))
        card.write_text(yaml.safe_dump({**registry, "name": city, "police_force": city}, allow_unicode=True),
                        encoding="utf-8")
        sources = check_tree(root)
    return None if sources.errors else (next(c for c in sources.contributions if c.id == "nice-002"),
                                        sources.cities["nice"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(one_line_text.map(lambda t: "Title " + t), one_line_text.map(lambda t: "A summary long enough " + t),
       hostile_text.map(lambda t: "Do this and that " + t), hostile_text, one_line_text.map(lambda t: "Nice " + t))
def test_what_check_accepts_renders_without_live_markup(title: str, summary: str, recommendation: str,
                                                        body: str, city_name: str) -> None:
    """Whatever hostile text check lets through, in a contribution or a city's card, the site's HTML of it
    has only the elements, attributes and link schemes contributors may use, and a page's metadata and
    its escaped texts are text."""
    from manual.render import markdown as md

    accepted = _accepted(title, summary, recommendation, body, city_name)
    if accepted is None:
        return
    c, city = accepted
    for name in (city.name, city.police_force, c.title):
        written = _elements(f"<p>{md.text(name)}</p>")
        assert [tag for tag, _ in written.elements] == ["p"] and "".join(written.text).replace("\\", "") == \
            " ".join(name.split()), name
    for part in [md.safe_html(text) for text in [r.text for r in c.recommendations]
                                                 + [content for _, _, content in md.sections(c.body)]]:
        for tag, attrs in _elements(part).elements:
            assert tag in md.SAFE_TAGS, (tag, part)
            assert set(attrs) <= md.SAFE_ATTRIBUTES.get(tag, set()), (tag, attrs)
            for name in ("href", "src"):
                assert re.match(r"^(https?:|mailto:|#|[^:]*$)", attrs.get(name) or ""), attrs
            assert not (tag == "img" and re.match(r"^(/|\.\.)", attrs.get("src") or "")), attrs
    meta = yaml.safe_load(md.front_matter(title=c.title, description=c.summary, city=city.name).split("---\n")[1])
    for value, written in ((c.title, meta["title"]), (c.summary, meta["description"]), (city.name, meta["city"])):
        page = _elements(f'<title>{written}</title><meta content="{written}">')
        assert [tag for tag, _ in page.elements] == ["title", "meta"]
        assert "".join(page.text) == value and page.elements[1][1]["content"] == value
