"""SVG images and attachments: parsed as XML and checked against an allowlist, never pattern-matched.

An SVG is a program as much as a picture: a browser runs its scripts and fetches what it refers to.
`svg_problem` parses the file's bytes with defusedxml (so a BOM or the XML declaration's encoding
is honoured, and character references are decoded before anything is checked) and accepts it only
when every part of it is drawing:

- no document type declaration at all (so no entities, internal or external), no `<?xml-stylesheet?>`;
  old Illustrator "Save as SVG" files carry a DOCTYPE and are refused: export them without one;
- the root is `<svg>` in the SVG namespace; every element is an SVG drawing element of `ALLOWED_ELEMENTS`
  (no script, foreignObject, a, image, feImage, animate*, set, font, cursor, ...), whatever its prefix;
- editor data is tolerated because real exports carry it: elements and attributes in the Inkscape,
  Sodipodi, Illustrator, Sketch and Affinity namespaces (`EDITOR_NAMESPACES`, e.g. sodipodi:namedview,
  inkscape:label), and, inside `<metadata>` only, RDF / Dublin Core / Creative Commons / XMP elements
  (Inkscape's licence block). Browsers give these no behaviour; their attributes are still held to the
  rules on `on…` and links, and `clean_svg` drops them all, with the whole of `<metadata>`;
- attributes: none whose name starts with "on"; namespaces only none, xml:space, xml:lang, xlink:href
  and the editor ones; every href is a same-document fragment `#id`; no `<image>` (bitmaps, embedded
  or not, are separate PNG/JPEG files);
- on drawing elements every attribute value and all CSS (style attributes, `<style>` elements) is CSS:
  no backslash (CSS escapes could spell `url(` or `@import`), no `@import`, `url(…)` only as `url(#id)`,
  no image-set()/image()/cross-fade()/src(), and no `scheme://` or `javascript:` anywhere.

`clean_svg` re-serialises the checked tree as UTF-8 (no comments, processing instructions or DOCTYPE),
so what the site publishes is exactly what was checked.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

FILTER_PRIMITIVES = frozenset({
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight", "feSpecularLighting",
    "feSpotLight", "feTile", "feTurbulence",
})
ALLOWED_ELEMENTS = FILTER_PRIMITIVES | frozenset({
    "svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "metadata", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter",
    # Inkscape's flowed text (0.92) and mesh gradients and hatches (1.x): inert where unsupported.
    "flowRoot", "flowRegion", "flowPara", "flowSpan", "flowDiv", "meshgradient", "meshrow", "meshpatch",
    "hatch", "hatchpath",
})
EDITOR_NAMESPACES = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://ns.adobe.com/AdobeIllustrator/10.0/",
    "http://www.bohemiancoding.com/sketch/ns",
    "http://www.serif.com/",
})
METADATA_NAMESPACES = frozenset({
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "http://purl.org/dc/elements/1.1/",
    "http://purl.org/dc/terms/",
    "http://creativecommons.org/ns#",
    "http://web.resource.org/cc/",
    "adobe:ns:meta/",
    "http://ns.adobe.com/xap/1.0/",
})
XML_ATTRIBUTES = {  # the xml: attributes allowed, each with the form of its value
    "space": re.compile(r"default|preserve"),
    "lang": re.compile(r"(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)?"),
}
MAX_DEPTH = 256

_FRAGMENT = re.compile(r"#[\w.:-]+")
_URL_FRAGMENT = re.compile(r"(['\"]?)#[\w.:-]+\1")
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
_CSS_URL = re.compile(r"url\(([^)]*)", re.IGNORECASE)
_CSS_LOADER = re.compile(r"(image-set|image|cross-fade|src)\(", re.IGNORECASE)
_SCRIPT_SCHEMES = ("javascript:", "vbscript:")

_SVG, _EDITOR, _METADATA = "svg", "editor", "metadata"


class _Refused(Exception):
    """A reason to refuse the SVG, raised while parsing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Builder(TreeBuilder):
    """A tree builder that refuses external style sheets (processing instructions are otherwise dropped)."""

    def pi(self, target: str, text: str | None = None) -> Element:
        if target.lower() == "xml-stylesheet":
            raise _Refused("it loads a style sheet (<?xml-stylesheet?>)")
        return super().pi(target, text)


def svg_problem(data: bytes) -> str | None:
    """Return None if the SVG `data` is safe to publish, else a short reason in plain English."""
    try:
        root = _parse(data)
    except _Refused as refused:
        return refused.reason
    return _tree_problem(root)


def clean_svg(data: bytes) -> bytes:
    """Return the checked SVG re-serialised as UTF-8, without editor data; ValueError if it is unsafe."""
    try:
        root = _parse(data)
    except _Refused as refused:
        raise ValueError(refused.reason) from None
    problem = _tree_problem(root)
    if problem:
        raise ValueError(problem)
    kept = _kept(root)
    xlink = any(f"{{{XLINK_NS}}}href" in e.attrib for e in kept.iter())
    head = f' xmlns="{SVG_NS}"' + (f' xmlns:xlink="{XLINK_NS}"' if xlink else "")
    return (_serialise(kept, head) + "\n").encode("utf-8")


def _parse(data: bytes) -> Element:
    """Parse `data` as XML with DTDs, entities and external references forbidden."""
    parser = DefusedXMLParser(target=_Builder(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(data)
        return parser.close()
    except DTDForbidden as dtd:
        name = dtd.name or ""
        if name.rpartition(":")[2].lower() != "svg":
            raise _Refused(f"it is not an SVG image (<!DOCTYPE {name}>)") from None
        raise _Refused(f"it contains a document type declaration (<!DOCTYPE {name}>)") from None
    except DefusedXmlException:
        raise _Refused("it declares entities or refers to external ones") from None
    except ParseError as error:
        raise _Refused(f"it is not well-formed XML (line {error.position[0]})") from None
    except (ValueError, LookupError, UnicodeError):
        raise _Refused("its character encoding is not supported (save it as UTF-8)") from None


def _split(name: str) -> tuple[str | None, str]:
    """Split an ElementTree name '{namespace}local' into its namespace (None if none) and local name."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name


def _tree_problem(root: Element) -> str | None:
    """Check every element of the tree, in document order, and return the first problem."""
    namespace, local = _split(root.tag)
    if local != "svg":
        return f"it is not an SVG image (its root element is <{local}>)"
    if namespace != SVG_NS:
        return f'it is not an SVG image (its root element <svg> lacks xmlns="{SVG_NS}")'
    stack: list[tuple[Element, int, bool]] = [(root, 1, False)]
    while stack:
        element, depth, in_metadata = stack.pop()
        if depth > MAX_DEPTH:
            return f"it is nested too deeply (more than {MAX_DEPTH} levels)"
        kind, problem = _element_kind(element, in_metadata)
        problem = problem or _attributes_problem(element, kind) or _content_problem(element, kind)
        if problem:
            return problem
        inside = in_metadata or (kind == _SVG and element.tag == f"{{{SVG_NS}}}metadata")
        stack.extend((child, depth + 1, inside) for child in reversed(element))
    return None


def _element_kind(element: Element, in_metadata: bool) -> tuple[str, str | None]:
    """Classify an element as drawing, editor data or metadata, or return why it is refused."""
    namespace, local = _split(element.tag)
    if local.lower() == "script":
        return "", f"it contains a <{local}> element"
    if namespace == SVG_NS:
        return (_SVG, None) if local in ALLOWED_ELEMENTS else ("", f"the element <{local}> is not allowed")
    if namespace in EDITOR_NAMESPACES:
        return _EDITOR, None
    if in_metadata and namespace in METADATA_NAMESPACES:
        return _METADATA, None
    where = f"namespace {namespace}" if namespace else "no namespace"
    return "", f"the element <{local}> is not allowed ({where})"


def _attributes_problem(element: Element, kind: str) -> str | None:
    """Check each attribute of an element of the given kind."""
    for name, value in element.attrib.items():
        problem = _attribute_problem(name, value, kind)
        if problem:
            return problem
    return None


def _attribute_problem(name: str, value: str, kind: str) -> str | None:
    namespace, local = _split(name)
    if local.lower().startswith("on"):
        return f"the attribute '{local}' is not allowed"
    if namespace is None:
        if local == "href":
            return _href_problem("href", value)
        if kind != _SVG:
            return None
        return _css_problem("its style" if local == "style" else f"the attribute '{local}'", value, local)
    if namespace == XML_NS:
        return _xml_attribute_problem(local, value)
    if namespace == XLINK_NS:
        if local == "href":
            return _href_problem("xlink:href", value)
        return f"the attribute 'xlink:{local}' is not allowed"
    if namespace in EDITOR_NAMESPACES or (kind == _METADATA and namespace in METADATA_NAMESPACES):
        return None
    return f"the attribute '{local}' is not allowed (namespace {namespace})"


def _xml_attribute_problem(local: str, value: str) -> str | None:
    """Only xml:space and xml:lang are allowed, each with a value of its own form."""
    form = XML_ATTRIBUTES.get(local)
    if form is None:
        return f"the attribute 'xml:{local}' is not allowed"
    if form.fullmatch(value.strip()):
        return None
    return f"the attribute 'xml:{local}' has an unexpected value ('{_shown(value)}')"


def _content_problem(element: Element, kind: str) -> str | None:
    """Check the CSS of a <style> element, which may hold nothing but text."""
    if kind != _SVG or element.tag != f"{{{SVG_NS}}}style":
        return None
    if len(element):
        return "the element <style> may hold only CSS"
    return _css_problem("its style", element.text or "", "style")


def _href_problem(name: str, value: str) -> str | None:
    """A link must be a fragment of the same document, such as '#shape'."""
    if _FRAGMENT.fullmatch(value.strip()):
        return None
    return _link_problem(name, value) or f"it refers to another site or file ({name} '{_shown(value)}')"


def _link_problem(name: str, value: str) -> str | None:
    """Refuse a value holding a script link or an address of another site, however it is spaced or cased."""
    compact = _INVISIBLE.sub("", value).lower()
    if any(scheme in compact for scheme in _SCRIPT_SCHEMES):
        return f"it contains a script link ({name} '{_shown(value)}')"
    if "://" in compact or compact.startswith(("data:", "//")):
        return f"it refers to another site or file ({name} '{_shown(value)}')"
    return None


def _css_problem(where: str, css: str, name: str) -> str | None:
    """Check CSS text (or an attribute value, which browsers read as CSS) for anything that loads a file."""
    if "\\" in css:
        return f"{where} contains a backslash escape"
    if "@import" in css.lower():
        return f"{where} imports another file (@import)"
    for match in _CSS_URL.finditer(css):
        target = _INVISIBLE.sub("", match.group(1))
        if not _URL_FRAGMENT.fullmatch(target):
            return f"{where} loads another file (url({_shown(target)}))"
    loader = _CSS_LOADER.search(css)
    if loader:
        return f"{where} loads another file ({loader.group(1).lower()}(…))"
    return _link_problem(name, css)


def _shown(value: str, limit: int = 60) -> str:
    """The value as a reason quotes it: without invisible characters, and shortened."""
    compact = _INVISIBLE.sub("", value)
    return compact if len(compact) <= limit else compact[:limit] + "…"


def _kept(element: Element) -> Element:
    """A copy of a checked drawing element without editor data, metadata or their attributes."""
    copy = Element(element.tag, {name: _kept_value(name, value) for name, value in element.attrib.items()
                                 if _split(name)[0] in (None, XML_NS, XLINK_NS)})
    copy.text = element.text
    for child in element:
        if child.tag.startswith(f"{{{SVG_NS}}}") and child.tag != f"{{{SVG_NS}}}metadata":
            kept = _kept(child)
            kept.tail = child.tail
            copy.append(kept)
        elif child.tail:
            _append_text(copy, child.tail)
    return copy


def _kept_value(name: str, value: str) -> str:
    return value.strip() if _split(name)[1] == "href" else value


def _append_text(parent: Element, text: str) -> None:
    """Append text after the last child of `parent` (or to its text when it has none)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _serialise(element: Element, head: str = "") -> str:
    """Write an element of the cleaned tree: SVG as the default namespace, xml: and xlink: as prefixes."""
    tag = _qualified(element.tag)
    attributes = "".join(f' {_qualified(name)}="{_escape(value, True)}"' for name, value in element.attrib.items())
    inner = _escape(element.text or "") + "".join(_serialise(child) + _escape(child.tail or "") for child in element)
    if not inner:
        return f"<{tag}{head}{attributes}/>"
    return f"<{tag}{head}{attributes}>{inner}</{tag}>"


def _qualified(name: str) -> str:
    namespace, local = _split(name)
    prefix = {XML_NS: "xml:", XLINK_NS: "xlink:"}.get(namespace or "", "")
    return prefix + local


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return text
