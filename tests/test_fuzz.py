"""Property-based: whatever a contribution file holds, `check` ends with a list of problems, never a traceback."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
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
