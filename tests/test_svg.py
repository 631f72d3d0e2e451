"""SVG images are parsed and checked against an allowlist: the bypasses of the old regular expression fail."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manual.svg import ALLOWED_ELEMENTS, SVG_NS, XLINK_NS, XML_NS, clean_svg, svg_problem

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "svg"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPEN = f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}" viewBox="0 0 10 10">'
SCRIPT = "it contains a <script> element"
DOCTYPE = "it contains a document type declaration (<!DOCTYPE svg>)"


def svg(body: str, open_tag: str = OPEN) -> bytes:
    return f"{open_tag}{body}</svg>".encode()


HOSTILE = [
    ("prefixed-svg-script", svg(f'<x:script xmlns:x="{SVG_NS}">alert(1)</x:script>'), SCRIPT),
    ("xhtml-script", svg(f'<h:script xmlns:h="{XHTML_NS}">alert(1)</h:script>'), SCRIPT),
    ("utf16-bom-script", f"{OPEN}<script>alert(1)</script></svg>".encode("utf-16"), SCRIPT),
    ("utf16-declared-script",
     f'<?xml version="1.0" encoding="UTF-16"?>{OPEN}<script>alert(1)</script></svg>'.encode("utf-16-le"), SCRIPT),
    ("utf16be-declared-script",
     f'<?xml version="1.0" encoding="UTF-16"?>{OPEN}<script>alert(1)</script></svg>'.encode("utf-16-be"), SCRIPT),
    ("script-in-editor-data",
     svg('<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd">'
         "<script>alert(1)</script></sodipodi:namedview>"), SCRIPT),
    ("prefixed-foreignobject-iframe",
     svg(f'<x:foreignObject xmlns:x="{SVG_NS}" width="10" height="10">'
         f'<iframe xmlns="{XHTML_NS}" src="https://evil.example/"/></x:foreignObject>'),
     "the element <foreignObject> is not allowed"),
    ("xhtml-iframe", svg(f'<iframe xmlns="{XHTML_NS}" src="https://evil.example/"/>'),
     f"the element <iframe> is not allowed (namespace {XHTML_NS})"),
    ("css-escaped-import", svg(r"<style>@\69mport 'https://evil.example/x.css';</style>"),
     "its style contains a backslash escape"),
    ("css-escaped-url-in-style-attribute", svg(r'<rect style="fill:u\72l(https://evil.example/p.svg#p)"/>'),
     "its style contains a backslash escape"),
    ("css-escaped-url-in-attribute", svg(r'<rect fill="u\72l(https://evil.example/p.svg#p)"/>'),
     "the attribute 'fill' contains a backslash escape"),
    ("css-import", svg("<style>@IMPORT url(#a);</style>"), "its style imports another file (@import)"),
    ("css-url-in-style-element", svg("<style>@font-face{src:url( 'https://evil.example/f.woff' )}</style>"),
     "its style loads another file (url('https://evil.example/f.woff'))"),
    ("css-image-set", svg("<style>rect{fill:red;background:image-set('https://evil.example/a.png' 1x)}</style>"),
     "its style loads another file (image-set(…))"),
    ("entity-encoded-javascript-href", svg('<use href="&#106;avascript:alert(1)"/>'),
     "it contains a script link (href 'javascript:alert(1)')"),
    ("tab-split-javascript-href", svg('<use href=" java&#9;script:alert(1)"/>'),
     "it contains a script link (href 'javascript:alert(1)')"),
    ("char-referenced-https-xlink-href", svg('<use xlink:href="&#x68;ttps://evil.example/s.svg#a"/>'),
     "it refers to another site or file (xlink:href 'https://evil.example/s.svg#a')"),
    ("remote-use-href", svg('<use href="https://evil.example/sprite.svg#x"/>'),
     "it refers to another site or file (href 'https://evil.example/sprite.svg#x')"),
    ("local-file-use-href", svg('<use href="other.svg#x"/>'), "it refers to another site or file (href 'other.svg#x')"),
    ("image-data-href", svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="5" height="5"/>'),
     "the element <image> is not allowed"),
    ("set-href-javascript", svg('<a href="#r"><set attributeName="href" to="javascript:alert(1)"/></a>'),
     "the element <a> is not allowed"),
    ("set-alone", svg('<rect id="r"><set attributeName="href" to="javascript:alert(1)"/></rect>'),
     "the element <set> is not allowed"),
    ("animate-values", svg('<rect><animate attributeName="fill" values="red;blue"/></rect>'),
     "the element <animate> is not allowed"),
    ("feimage", svg('<filter id="f"><feImage href="https://evil.example/x.png"/></filter>'),
     "the element <feImage> is not allowed"),
    ("onload-on-root", svg("", f'<svg xmlns="{SVG_NS}" onload="alert(1)">'), "the attribute 'onload' is not allowed"),
    ("prefixed-onclick", svg(f'<rect xmlns:x="{SVG_NS}" x:onclick="alert(1)"/>'),
     "the attribute 'onclick' is not allowed"),
    ("remote-fill", svg('<rect fill="url(https://evil.example/p.svg#p)"/>'),
     "the attribute 'fill' loads another file (url(https://evil.example/p.svg#p))"),
    ("remote-filter", svg('<rect filter="url(//evil.example/f.svg#f)"/>'),
     "the attribute 'filter' loads another file (url(//evil.example/f.svg#f))"),
    ("remote-marker", svg('<path d="M0 0" marker-end="url(&quot;m.svg#m&quot;)"/>'),
     "the attribute 'marker-end' loads another file (url(\"m.svg#m\"))"),
    ("url-in-other-attribute", svg('<rect fill="https://evil.example/x"/>'),
     "it refers to another site or file (fill 'https://evil.example/x')"),
    ("xml-base", svg('<g xml:base="https://evil.example/"><use href="#a"/></g>'),
     "the attribute 'xml:base' is not allowed"),
    ("xml-lang-value", svg('<text xml:lang="javascript:alert(1)">x</text>'),
     "the attribute 'xml:lang' has an unexpected value ('javascript:alert(1)')"),
    ("xlink-other-attribute", svg('<use href="#a" xlink:show="new"/>'), "the attribute 'xlink:show' is not allowed"),
    ("xml-stylesheet", b'<?xml-stylesheet href="https://evil.example/x.css"?>' + svg(""),
     "it loads a style sheet (<?xml-stylesheet?>)"),
    ("billion-laughs",
     b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
     b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>' + svg("<text>&lol3;</text>"), DOCTYPE),
    ("external-entity", b'<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + svg("<text>&xxe;</text>"),
     DOCTYPE),
    ("illustrator-doctype",
     b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">' + svg(""),
     DOCTYPE),
    ("undeclared-entity", svg("\n<text>&xxe;</text>"), "it is not well-formed XML (line 2)"),
    ("not-well-formed", f"{OPEN}\n<g>\n</svg>".encode(), "it is not well-formed XML (line 3)"),
    ("empty-file", b"", "it is not well-formed XML (line 1)"),
    ("unsupported-encoding", b'<?xml version="1.0" encoding="shift_jis"?>' + svg(""),
     "its character encoding is not supported (save it as UTF-8)"),
    ("root-not-svg", f'<html xmlns="{XHTML_NS}"><body/></html>'.encode(),
     "it is not an SVG image (its root element is <html>)"),
    ("svg-without-namespace", b'<svg viewBox="0 0 1 1"><rect/></svg>',
     f'it is not an SVG image (its root element <svg> lacks xmlns="{SVG_NS}")'),
    ("html-renamed-svg",
     b"<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><script>alert(1)</script></body></html>",
     "it is not an SVG image (<!DOCTYPE html>)"),
    ("rdf-outside-metadata", svg('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'),
     "the element <RDF> is not allowed (namespace http://www.w3.org/1999/02/22-rdf-syntax-ns#)"),
    ("xhtml-in-metadata", svg(f'<metadata><h:iframe xmlns:h="{XHTML_NS}" src="https://evil.example/"/></metadata>'),
     f"the element <iframe> is not allowed (namespace {XHTML_NS})"),
    ("element-without-namespace", svg('<g xmlns=""><rect/></g>'), "the element <g> is not allowed (no namespace)"),
    ("style-with-children", svg(f'<style><x:rect xmlns:x="{SVG_NS}"/></style>'),
     "the element <style> may hold only CSS"),
    ("too-deep", svg("<g>" * 300 + "</g>" * 300), "it is nested too deeply (more than 256 levels)"),
]


@pytest.mark.parametrize(("data", "reason"), [(d, r) for _, d, r in HOSTILE], ids=[i for i, _, _ in HOSTILE])
def test_hostile_svg_is_refused(data: bytes, reason: str) -> None:
    assert svg_problem(data) == reason
    with pytest.raises(ValueError, match=f"^{re.escape(reason)}$"):
        clean_svg(data)


PLAIN = svg(
    "<title>Road block</title><desc>Two cars and a cone</desc>"
    '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000"/>'
    '</linearGradient><symbol id="car"><rect width="4" height="2" rx="0.5"/></symbol>'
    '<clipPath id="c"><circle cx="5" cy="5" r="5"/></clipPath>'
    '<filter id="f"><feGaussianBlur stdDeviation="0.2"/><feOffset dx="0.1"/></filter></defs>'
    '<style>/* cones */ .cone { fill: url( "#g" ); stroke: rgb(0, 0, 0) } g > path { opacity: .9 }</style>'
    '<g clip-path="url(#c)" filter="url(#f)"><path class="cone" d="M1 9 L3 1 L5 9 Z" fill="url(#g)"/>'
    '<use href="#car" x="5" y="5"/><use xlink:href="#car" x="1" y="1"/>'
    '<polygon points="0,0 1,1 0,1" style="fill:url(#g);stroke-width:0.1"/></g>'
    '<text x="1" y="9" font-family="\'DejaVu Sans\'" xml:space="preserve">Stop &amp; wait <tspan>here</tspan></text>'
    "<!-- a comment --><?my-tool ignore?>"
)
ILLUSTRATOR_EXPORT = (
    f'<svg id="Layer_1" data-name="Layer 1" xmlns="{SVG_NS}" viewBox="0 0 100 100"><defs><style>'
    ".cls-1{fill:#e30613;}.cls-2{fill:none;stroke:#1d1d1b;stroke-miterlimit:10;}</style></defs>"
    '<title>Asset 1</title><rect class="cls-1" x="10" y="10" width="80" height="80"/>'
    '<line class="cls-2" x1="10" y1="50" x2="90" y2="50"/></svg>'
).encode()
INKSCAPE = (FIXTURES / "inkscape.svg").read_bytes()


@pytest.mark.parametrize("data", [PLAIN, ILLUSTRATOR_EXPORT, INKSCAPE], ids=["plain", "illustrator", "inkscape"])
def test_drawings_are_accepted(data: bytes) -> None:
    assert svg_problem(data) is None


@pytest.mark.parametrize("data", [PLAIN, ILLUSTRATOR_EXPORT, INKSCAPE], ids=["plain", "illustrator", "inkscape"])
def test_clean_svg_is_checked_deterministic_and_inside_the_allowlist(data: bytes) -> None:
    cleaned = clean_svg(data)
    assert cleaned == clean_svg(data)
    assert svg_problem(cleaned) is None
    assert clean_svg(cleaned) == cleaned
    assert cleaned.startswith(f'<svg xmlns="{SVG_NS}"'.encode())
    assert b"<!--" not in cleaned and b"<?" not in cleaned and b"<!DOCTYPE" not in cleaned
    for element in ET.fromstring(cleaned).iter():
        namespace, _, local = element.tag[1:].partition("}")
        assert namespace == SVG_NS and local in ALLOWED_ELEMENTS
        for name in element.attrib:
            assert not name.startswith("{") or name in (f"{{{XLINK_NS}}}href", f"{{{XML_NS}}}space",
                                                        f"{{{XML_NS}}}lang")


def test_clean_svg_keeps_the_drawing_of_an_inkscape_export_and_drops_its_editor_data() -> None:
    cleaned = clean_svg(INKSCAPE).decode()
    for gone in ("inkscape:", "sodipodi:", "rdf", "metadata", "namedview", "Created with", "C:\\Users"):
        assert gone not in cleaned
    assert f'xmlns:xlink="{XLINK_NS}"' in cleaned
    assert 'xlink:href="#linearGradient2"' in cleaned and 'xlink:href="#circle1"' in cleaned
    assert 'style="fill:url(#linearGradient3)' in cleaned
    assert '<tspan id="tspan1" x="40" y="200">Barrier &amp; cones</tspan>' in cleaned
    assert 'xml:space="preserve"' in cleaned


def test_clean_svg_writes_utf8_whatever_the_encoding() -> None:
    text = f'{OPEN}<text>Straße – 街</text><use href=" #a "/></svg>'
    utf8 = clean_svg(text.encode())
    assert clean_svg(text.encode("utf-16")) == utf8
    assert clean_svg(f'<?xml version="1.0" encoding="UTF-16"?>{text}'.encode("utf-16-le")) == utf8
    assert "Straße – 街".encode() in utf8 and b'href="#a"' in utf8
    assert b"xmlns:xlink" not in utf8


def test_clean_svg_escapes_what_it_writes() -> None:
    text = '<text aria-label="&quot;a&quot; &lt;b&gt;&#10;c">x &lt; y &amp;&amp; <![CDATA[z > 1]]></text>'
    cleaned = clean_svg(svg(text))
    assert b'aria-label="&quot;a&quot; &lt;b&gt;&#10;c"' in cleaned
    assert b"x &lt; y &amp;&amp; z &gt; 1" in cleaned
    assert ET.fromstring(cleaned)[0].get("aria-label") == '"a" <b>\nc'


# Random documents built from pieces of the attacks above and of ordinary drawings (mostly ordinary ones, so
# that many are accepted and the property about accepted documents is really exercised).
SAFE_TAGS = ["g", "rect", "path", "use", "text", "tspan", "style", "defs", "metadata", "title", "filter",
             "linearGradient", "x:circle", "sodipodi:namedview", "inkscape:grid"]
HOSTILE_TAGS = ["script", "x:script", "h:script", "SCRIPT", "foreignObject", "x:foreignObject", "h:iframe", "image",
                "a", "set", "animate", "feImage", "rdf:RDF", "dc:title", "h:div", "unknown"]
SAFE_ATTRIBUTES = ["id", "fill", "filter", "mask", "clip-path", "marker-start", "cursor", "style", "href",
                   "xlink:href", "xml:space", "inkscape:label", "sodipodi:docname", "class"]
HOSTILE_ATTRIBUTES = ["onload", "ONCLICK", "x:onload", "h:onerror", "xml:base", "xlink:show", "rdf:resource",
                      "attributeName", "to", "values", "begin", "src"]
SAFE_VALUES = ["#a", " #a ", "url(#a)", "url( '#a' )", "red", "fill:url(#a);stroke:blue", "&amp;", "a&lt;b",
               "preserve", "href"]
HOSTILE_VALUES = ["javascript:alert(1)", "&#106;avascript:alert(1)", "java&#9;script:x", "JAVASCRIPT:x",
                  "vbscript:x", "https://evil/x", "&#x68;ttps://evil", "//evil/x", "data:image/png;base64,AAAA",
                  "url(https://evil/x)", "url(//evil/x)", r"u\72l(https://evil)", "@import 'https://evil/x.css'",
                  r"@\69mport 'https://evil'", "URL(http://evil)", "image-set('https://evil/a.png' 1x)",
                  "https://evil/x#a", "#a)url(https://evil", "url(#a) url(http://evil)"]
SAFE_TEXTS = ["", "hello", "Stop &amp; wait", ".a{fill:red}", "<![CDATA[.b{fill:url(#a)} g>path{}]]>"]
HOSTILE_TEXTS = ["@import url(https://evil/x.css);", "rect{fill:url(https://evil/x)}", r"@\69mport 'https://evil';",
                 "alert(1)", "a{b:url(HTTP://evil)}"]
ROOT_NAMESPACES = (f'xmlns="{SVG_NS}" xmlns:x="{SVG_NS}" xmlns:xlink="{XLINK_NS}" xmlns:h="{XHTML_NS}" '
                   'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
                   'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
                   'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                   'xmlns:dc="http://purl.org/dc/elements/1.1/"')


def _pick(draw: st.DrawFn, safe: list[str], hostile: list[str]) -> str:
    """One of `hostile` about one time in eight, else one of `safe`."""
    return draw(st.sampled_from(hostile if draw(st.integers(0, 7)) == 0 else safe))


def _attributes(draw: st.DrawFn) -> str:
    names = {_pick(draw, SAFE_ATTRIBUTES, HOSTILE_ATTRIBUTES) for _ in range(draw(st.integers(0, 3)))}
    return "".join(f' {name}="{_pick(draw, SAFE_VALUES, HOSTILE_VALUES)}"' for name in sorted(names))


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    tag = _pick(draw, SAFE_TAGS, HOSTILE_TAGS)
    children = draw(st.lists(elements(depth + 1), max_size=3)) if depth < 3 else []
    text = _pick(draw, SAFE_TEXTS, HOSTILE_TEXTS)
    return f"<{tag}{_attributes(draw)}>{text}{''.join(children)}</{tag}>"


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    root = _pick(draw, ["svg", "x:svg"], ["h:html", "rect"])
    body = "".join(draw(st.lists(elements(), max_size=4)))
    text = f"<{root} {ROOT_NAMESPACES}{_attributes(draw)}>{body}</{root}>"
    return text.encode(draw(st.sampled_from(["utf-8", "utf-16", "utf-16-le"])))


def _assert_harmless(cleaned: bytes) -> None:
    root = ET.fromstring(cleaned)
    for element in root.iter():
        assert "script" not in element.tag.lower()
        style = (element.text or "") if element.tag == f"{{{SVG_NS}}}style" else ""
        for name, value in [*element.attrib.items(), ("style element", style)]:
            local = name.rpartition("}")[2]
            compact = "".join(c for c in value if not c.isspace()).lower()
            assert not local.lower().startswith("on")
            assert "javascript:" not in compact and "http" not in compact


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_random_documents_never_raise_and_accepted_ones_are_harmless(data: bytes) -> None:
    problem = svg_problem(data)
    if problem is None:
        cleaned = clean_svg(data)
        _assert_harmless(cleaned)
        assert svg_problem(cleaned) is None
    else:
        assert isinstance(problem, str) and problem and problem == problem.rstrip(".")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.builds(lambda head, tail: head + tail, st.sampled_from([svg(""), OPEN.encode()]),
                                           st.binary(max_size=100)))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    problem = svg_problem(data)
    assert problem is None or isinstance(problem, str)
