"""Bounds on what one contribution can cost the build: pure functions that `check` calls.

A hostile text of a few kilobytes can hang or break the renderers: pandoc backtracks on brackets it cannot close,
Typst refuses to nest blocks a few dozen deep, a long word makes pandoc quadratic, a PNG of 437 KB can declare 3.6
billion pixels. text_limits() and image_problem() say what is wrong, with its place; the build never sees it. Each
text problem is (line, column, code, message): 1-based lines of the file, columns of the line.

Every bound was measured with benchmarks/hostile.py (pandoc 3.9, typst 0.15, Python-Markdown 3.11, 2 cores): seconds
of the stage alone and peak MB of its process, for Python-Markdown + nh3 ("PM"), pandoc Markdown -> Typst of the
text in a contribution's ::: block ("pandoc"), and the Typst compile of that ("typst"). "At the bound" is the worst
text of about 195 KB that text_limits accepts for that bound (`hostile.py --bounds`).

- text-too-long, 200 KB: every worst accepted text costs at most PM 0.15 s, pandoc 1.4 s / 240 MB, typst 1 s /
  310 MB.
- line-too-long, 10,000 characters (40 KB at most): typst panics on a word of 64 KB ("byte index 65535 is not a char
  boundary").
- word-too-long, 500: at the bound pandoc 0.4 s; words of 1,000: 2.5 s; 19 of 10,000: 7.5 s; one of 100,000: over
  20 s.
- paragraph-too-long, 10,000 characters: at the bound typst 0.4 s (0.9 s with 100 emphases each); one of 225 KB:
  4.7 s.
- too-deeply-nested, 8 levels of quotes, lists and ::: or <div> sections: at the bound typst 0.3-1.0 s / 260 MB;
  typst fails ("maximum show rule depth exceeded") at 16 quotes, 22 quotes and lists, 31 lists or sections; PM fails
  (RecursionError) at 500 lists; pandoc takes 4.7 s for 5,000 quotes, over 20 s for 10,000.
- too-deeply-nested, 10 levels of emphasis (* _ ~ ^): at the bound typst 0.5 s; typst fails at 62.
- too-many-list-items, 2,000 list items and quotes: at the bound typst 0.7-1.0 s / 260 MB; 43,000 items 4 deep:
  6.7 s / 1.5 GB.
- table-too-long, 500 rows in a table, 1,000 in a text: at the bound typst 0.6 s / 160 MB; 5,000 rows: 1.1 s /
  370 MB; 45,000 rows: 10.9 s / 2.9 GB (pandoc 2.8 s / 500 MB, PM 2.6 s).
- too-many-headings, 200: at the bound typst 0.5 s / 160 MB; 10,000: 4.5 s / 780 MB.
- too-many-footnotes, 50: at the bound typst 0.6 s / 310 MB; 200: 1.3 s / 920 MB (one in each of 1,000 paragraphs:
  32 s); 20 in each of 10 paragraphs make typst fail ("tags weren't properly closed").
- too-much-punctuation, a run of more than 50 of [ ] ( ) ‹ › * _ ~ ` < > { }: at the bound pandoc 0.45 s; 500 '[':
  0.6 s, 5,000: over 20 s (PM 4.6 s); '[a](' and 5,000 '(': 5.5 s; 5,000 '<': 2.1 s; 50,000 '{': 9.5 s; 50,000 '‹':
  8 s.
- too-much-punctuation, brackets nested more than 4 deep: at the bound pandoc 0.9 s; links nested 14 deep: 0.5 s,
  20: over 20 s (exponential); spans [x]{} nested 500 deep: 4.4 s / 2.2 GB.
- too-much-punctuation, more than 5 '[' or '](' never closed in a text: at the bound pandoc 1.4 s (pandoc scans to
  the end of the paragraph for each: 10 before 10 KB: 1.5 s, 50: 11 s; 500 '[a](': over 20 s).
- too-much-punctuation, more than 50 '[', '(', '<' or '{' never closed in a paragraph: at the bound pandoc 0.5 s;
  5,000 '<a ': 8.3 s; 5,000 '(a ' after a link: over 20 s.
- too-much-punctuation, more than 20 '<' without a '>' after them on their line: at the bound pandoc 1.3 s; pandoc
  looks for a tag's '>' through the whole text (0.04 s per '<' before 190 KB; 500 of them: over 20 s).
- too-much-punctuation, more than 200 formatting signs (* _ ~ ^ ` [ < {) in a paragraph or 10,000 in a text: at the
  bound typst 0.4-0.9 s; typst pays for each in proportion to its paragraph's length (50,000 '*a*': 6.9 s in
  paragraphs of 200, 32 s in paragraphs of 4,000).
- control-character: C0 and C1 controls but tab, line feed and carriage return; U+2028, U+2029; lone surrogates
  (which YAML escapes can write) and U+FFFE, U+FFFF. They are invisible, break the renderers and the files written.
- image-too-large-pixels, 40 megapixels (width x height x frames): typst decodes the image: 40 MP cost 0.1 s /
  170 MB (RGB) to 0.5 s / 530 MB (16-bit RGBA); 100 MP 16-bit: 1.2 s / 1.25 GB; 60,000 x 60,000: 4.4 s / 3.7 GB.
  Typst takes an animation's first frame (400 frames of 1 MP: 56 MB) but a reader's browser decodes each frame as it
  plays it. A photograph of 2 MB, the size allowed, is at most about 16 MP.

Fenced code blocks (``` or ~~~ at the start of a line, after an empty line, closed by the same fence) count for
size, line length and control characters only: both renderers copy them (50,000 '[' in one: pandoc 0.04 s). A fence
that pandoc or Python-Markdown might not take for one is judged as text, so that nothing hides as code. The bounds
are per text: a pull request of many contributions adds their costs.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
import warnings
from pathlib import Path

Limit = tuple[int, int, str, str]

MAX_TEXT_BYTES = 200_000
MAX_LINE_CHARS = 10_000
MAX_WORD_CHARS = 500
MAX_PARAGRAPH_CHARS = 10_000
MAX_DEPTH = 8
MAX_INLINE_DEPTH = 10
MAX_RUN = 50
MAX_BRACKET_DEPTH = 4
MAX_UNCLOSED_LINKS = 5
MAX_UNMATCHED = 50
MAX_OPEN_ANGLES = 20
MAX_CONTAINERS = 2_000
MAX_MARKUP_PARAGRAPH = 200
MAX_MARKUP_TEXT = 10_000
MAX_TABLE_ROWS = 500
MAX_TABLE_ROWS_TEXT = 1_000
MAX_HEADINGS = 200
MAX_FOOTNOTES = 50
MAX_IMAGE_PIXELS = 40_000_000
# At most this many problems of one code are reported for one text: the first ones show what to fix.
MAX_REPORTS = 10

PUNCTUATION = "[]()‹›*_~`<>{}"

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_CONTROL_NAMES = {0x00: "NUL", 0x07: "BELL", 0x08: "BACKSPACE", 0x0B: "VERTICAL TAB", 0x0C: "FORM FEED",
                  0x1B: "ESCAPE", 0x7F: "DELETE", 0x85: "NEXT LINE", 0x2028: "LINE SEPARATOR",
                  0x2029: "PARAGRAPH SEPARATOR"}
_RUN = re.compile("[" + re.escape(PUNCTUATION) + "]{%d,}" % (MAX_RUN + 1))
_THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LONG_WORD = re.compile(r"\S{%d,}" % (MAX_WORD_CHARS + 1))
# A fence both pandoc and Python-Markdown see: at the line's start, with at most a language or {attributes}.
_FENCE_OPEN = re.compile(r"^(`{3,}|~{3,})[ ]*(?:\{[^\n]*\}|\.?[\w#.+-]*)[ ]*$")
_FENCE_LIKE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_MARKER = re.compile(r"(?:[-+*:~]|\d{1,9}[.)]|#[.)]|[a-zA-Z][.)]|[ivxlcdmIVXLCDM]{2,8}[.)]"
                          r"|\((?:\d{1,9}|[a-zA-Z]|[ivxlcdmIVXLCDM]{2,8}|#|@[\w-]*)\))(?=[ \t]|$)")
_DIV_FENCE = re.compile(r"^[ \t>]*(:{3,})[ \t]*(\S?)")
_HTML_DIV = re.compile(r"<(/?)div\b[^>]*>?", re.IGNORECASE)
_ATX_HEADING = re.compile(r"^[ \t>]*#{1,6}(?:[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_PIPE_DELIMITER = re.compile(r"^[ \t]*\|?(?:[ \t]*:?-+:?[ \t]*\|)+(?:[ \t]*:?-+:?[ \t]*)?$|"
                             r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$")
_GRID_BORDER = re.compile(r"^[ \t]*\+(?:[-=:]+\+)+[ \t]*$")
_DASH_GROUPS = re.compile(r"^[ \t]*-{2,}(?:[ \t]+-{2,})+[ \t]*$")
_DASHES = re.compile(r"^[ \t]*-{3,}[ \t]*$")
_TOKEN = re.compile(r"\\[!-/:-@\[-`{-~]|`+|[*_~^]+|[\[\]()<>{}]")
_SAME_RUN = re.compile(r"\*+|_+|~+|\^+")
_BACKTICKS = re.compile(r"`+")


def text_limits(text: str, first_line: int) -> list[Limit]:
    """Return what makes this Markdown text (a body, a recommendation) too costly to render.

    `first_line` is the file line of the text's first line. Each problem is (line, column, code,
    message); at most MAX_REPORTS of each code."""
    if _surely_within(text):
        return []
    return _full_limits(text, first_line)


# A line whose nesting prefix (what _Blocks.nesting reads: spaces, '>' and list markers) holds two quotes or
# markers, or whose first marker comes after 8 spaces or more. Searched after a line break ('\n' first: a fast
# scan); re.M only makes the markers' '$' the end of a line, as it is for a line alone.
_NESTING = r"[ \t]*(?:>|{m})[ \t]*(?:>|{m})| {{8,}}(?:{m})".format(m=_LIST_MARKER.pattern)
_NESTING_FIRST = re.compile(_NESTING, re.M)
_NESTING_LATER = re.compile("\n(?:" + _NESTING + ")", re.M)


def _surely_within(text: str) -> bool:
    """Whether cheap counts over the whole text prove that _full_limits(text) finds nothing.

    Every test is on the whole text, of which each line, paragraph or code block the full analysis reads
    holds a part (its lines are the text's lines less a trailing carriage return: `scan`), so each count is at least
    what the full analysis could count. For each bound:

    - size: at most MAX_TEXT_BYTES // 4 characters, at most 4 bytes each.
    - line, paragraph: a paragraph is lines with no empty line among them (and none starts or ends with a line
      break), so it lies within one piece of the text between two line breaks in a row, and so does a line: the
      text or each piece is at most MAX_PARAGRAPH_CHARS and MAX_LINE_CHARS long.
    - word: a run of MAX_WORD_CHARS + 1 non-spaces (within a line, so within the text) holds a whole block of
      (MAX_WORD_CHARS + 1) // 2 characters counted from the text's start: each block has a space, or _LONG_WORD
      finds nothing in the text.
    - control characters: one search of _CONTROL.
    - runs of punctuation: at most MAX_RUN signs of PUNCTUATION in all, or one search of _RUN (a run holds no
      line break).
    - headings, tables, list items and quotes: fewer than MAX_HEADINGS lines. A line is at most one heading; a
      table's rows less its 2 header (or border) lines are fewer than its lines (no grid table, below), the
      tables that _Blocks.run finds are on different lines, and so are multiline tables, so all tables have
      at most 2 rows a line (< MAX_TABLE_ROWS, MAX_TABLE_ROWS_TEXT); a line opens at most one list item or
      quote (below), so fewer than MAX_CONTAINERS.
    - nesting of blocks (_Blocks.nesting): a line's depth is the list items open at each of its quote levels
      (`stacks`), plus its quotes and markers, the open ':::' sections and <div>s, and a grid table cell's
      levels. _NESTING finds no line with two quotes or markers in its prefix, so a line has at most one; a
      marker is then the line's first sign, after its spaces (no tab: columns are characters) and never
      after a quote, so only level 0 has list items. Its stack of content columns grows by a marker at a
      column >= the top (the stack is popped to the marker's column first) and pushes at least column + 2
      (a marker is a sign or more, then a space or 1): the k-th entry is >= 2k, and the marker that pushes the
      k-th is at a column >= 2(k - 1). No marker after 8 spaces: 2(k - 1) <= 7, k <= 4 open items, on any
      line (a lazy line pops nothing but pushes nothing either). With its one quote or marker, a line is at
      most 5 deep from lists and quotes. Each ':::' section opened is a line with ':::', each <div> a '<':
      with at most MAX_DEPTH - 5 of them in all, a line is at most MAX_DEPTH deep. No grid table: its border
      line has '+-', '+=' or '+:'.
    - emphasis nesting: each pair of * _ ~ of weight w takes an opening run of 2w - 1 signs or more and a
      closing one, ^ one of w and a closing one, different runs for each pair; so the weight of all the pairs
      of a paragraph is at most (* _ ~) / 2 + ^ <= MAX_INLINE_DEPTH.
    - brackets nested: a pair is a '[', so at most MAX_BRACKET_DEPTH in all.
    - '[' or '](' never closed: each is a '[' or a '(' after a ']' in the text: at most MAX_UNCLOSED_LINKS.
    - unmatched '[', '(', '<', '{': each one of these signs: at most MAX_UNMATCHED in all.
    - formatting signs: each ` * _ ~ ^ [ < { counted once: at most MAX_MARKUP_PARAGRAPH (< MAX_MARKUP_TEXT).
    - footnotes: each at a '[^' or at a '^[' (one '^' can be both): at most 2 x '^' <= MAX_FOOTNOTES.
    - '<' without '>': each is a '<', at most MAX_DEPTH - 5 < MAX_OPEN_ANGLES.
    """
    if len(text) > MAX_TEXT_BYTES // 4:
        return False
    scan = text
    if "\r" in text:
        scan = "\n".join(line[:-1] if line.endswith("\r") else line for line in text.split("\n"))
    if scan.count("\n") >= MAX_HEADINGS or "\t" in scan:
        return False
    angles = scan.count("<")
    if angles + scan.count(":::") > MAX_DEPTH - 5 or "+-" in scan or "+=" in scan or "+:" in scan:
        return False
    opening = scan.count("[")
    if opening > MAX_BRACKET_DEPTH or opening + scan.count("](") > MAX_UNCLOSED_LINKS:
        return False
    carets = scan.count("^")
    emphasis = scan.count("*") + scan.count("_") + scan.count("~")
    if emphasis + 2 * carets > 2 * MAX_INLINE_DEPTH or 2 * carets > MAX_FOOTNOTES:
        return False
    parens, braces, backticks = scan.count("("), scan.count("{"), scan.count("`")
    if opening + parens + angles + braces > MAX_UNMATCHED:
        return False
    if backticks + emphasis + carets + opening + angles + braces > min(MAX_MARKUP_PARAGRAPH, MAX_MARKUP_TEXT):
        return False
    if _CONTROL.search(scan):
        return False
    signs = (opening + parens + angles + braces + backticks + emphasis + scan.count("]") + scan.count(")")
             + scan.count("‹") + scan.count("›") + scan.count(">") + scan.count("}"))
    if signs > MAX_RUN and _RUN.search(scan):
        return False
    longest = min(MAX_PARAGRAPH_CHARS, MAX_LINE_CHARS)
    if len(scan) > longest and max(map(len, scan.split("\n\n"))) > longest:
        return False
    if len(scan) > MAX_WORD_CHARS:
        # A word of MAX_WORD_CHARS + 1 characters holds one of these blocks whole: each must have a space.
        block = (MAX_WORD_CHARS + 1) // 2
        if any(scan.find(" ", start, start + block) < 0 for start in range(0, len(scan) - block + 1, block)):
            if _LONG_WORD.search(scan):
                return False
    return not (_NESTING_FIRST.match(scan) or _NESTING_LATER.search(scan))


def _full_limits(text: str, first_line: int) -> list[Limit]:
    """text_limits() by the full analysis, line by line and block by block."""
    found = _Found()
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TEXT_BYTES:
        found.add(first_line, 1, "text-too-long",
                  f"this text has {size:,} bytes; the manual accepts at most {MAX_TEXT_BYTES:,} "
                  f"({MAX_TEXT_BYTES // 1000} KB) in one text: shorten it, or split it into several contributions")
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    code = _code_lines(lines)
    for index, line in enumerate(lines):
        number = first_line + index
        if _CONTROL.search(line):
            for match in _CONTROL.finditer(line):
                found.add(number, match.start() + 1, "control-character", _control_message(match.group()))
        if len(line) > MAX_LINE_CHARS:
            found.add(number, MAX_LINE_CHARS + 1, "line-too-long",
                      f"this line is {len(line):,} characters long; the manual accepts at most {MAX_LINE_CHARS:,}: "
                      "break it into paragraphs, with an empty line between them")
        if index in code:
            continue
        if len(line) > MAX_WORD_CHARS:
            for match in _LONG_WORD.finditer(line):
                found.add(number, match.start() + 1, "word-too-long",
                          f"this word or address is {len(match.group()):,} characters long, without a space; the "
                          f"manual accepts at most {MAX_WORD_CHARS:,}: shorten it (for a web address, link to a "
                          "shorter one)")
        if len(line) > MAX_RUN and not _THEMATIC_BREAK.match(line):
            for match in _RUN.finditer(line):
                found.add(number, match.start() + 1, "too-much-punctuation",
                          f"this line has {len(match.group()):,} brackets or signs such as [ ( * _ ` < {{ in a row; "
                          f"the manual accepts at most {MAX_RUN}: remove them, or put spaces or words between them")
    _Blocks(lines, code, first_line, found).run()
    return found.sorted()


def single_line_problem(value: str, what: str = "this field") -> str | None:
    """Return why a one-line value (a title, a name, a summary) cannot be used, or None.

    It may not contain '<' or '>' (they would be read as markup) nor any control character."""
    control = _CONTROL.search(value)
    if control:
        char = control.group()
        return (f"{what} contains the invisible character {_describe(char)}; delete it (retype the words "
                "around it if your editor does not show it)")
    for char in "<>":
        if char in value:
            return (f"{what} may not contain '<' or '>' (it has a '{char}'); write the words out, such as "
                    "'less than' or 'more than'")
    return None


# The formats Pillow names, for each extension the manual accepts as an image (SVG is checked elsewhere).
IMAGE_FORMATS = {".png": {"PNG"}, ".jpg": {"JPEG", "MPO"}, ".jpeg": {"JPEG", "MPO"}, ".gif": {"GIF"},
                 ".webp": {"WEBP"}}
_FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "MPO": "JPEG", "GIF": "GIF", "WEBP": "WebP"}
_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "MPO": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


def image_problem(path: str | Path) -> tuple[str, str] | None:
    """Return (code, message) if the image at `path` cannot safely be put in the manual, or None.

    Pillow reads the file's header only (never its pixels): the image must be of the format its
    extension says, and have at most MAX_IMAGE_PIXELS pixels, counting every frame of an animation."""
    path = Path(path)
    name = path.name
    suffix = path.suffix.lower()
    expected = IMAGE_FORMATS.get(suffix)
    if expected is None:
        return None
    from PIL import Image  # (only for an image it reads: the import costs a tenth of a second)
    kind = _FORMAT_NAMES[next(iter(sorted(expected)))]
    unreadable = ("image-not-readable",
                  f"the image '{name}' is not a {kind} file that can be read (it may be damaged, or another kind of "
                  f"file renamed to {suffix}); open it in an image editor and save it again as {kind}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # DecompressionBombWarning: the bound below is lower
            with Image.open(path) as image:
                found = image.format
                if found not in expected:
                    real = _FORMAT_NAMES.get(found or "", found or "unknown")
                    return ("image-not-readable",
                            f"the image '{name}' is really a {real} file, not a {kind} file: save it again as "
                            f"{kind}, or rename it to {_EXTENSIONS.get(found or '', 'its real extension')}")
                width, height = image.size
                # Typst decodes every frame of an animation; a JPEG's other pictures (MPO) it leaves out.
                frames = max(1, int(getattr(image, "n_frames", 1) or 1)) if found in ("GIF", "PNG", "WEBP") else 1
                pixels = width * height * frames
                if pixels > MAX_IMAGE_PIXELS:
                    return ("image-too-large-pixels", _pixels_message(name, pixels, (width, height, frames)))
                if found == "PNG":
                    image.verify()  # every chunk's checksum, to the end of the file, without decoding the pixels
    except Image.DecompressionBombError as exc:  # over twice Pillow's own bound: the header says how many pixels
        declared = re.search(r"\((\d+) pixels\)", str(exc))
        return ("image-too-large-pixels", _pixels_message(name, int(declared.group(1)) if declared else None, None))
    except Exception:  # Pillow raises many kinds of error for a damaged or fake file
        return unreadable
    return None


def _pixels_message(name: str, pixels: int | None, size: tuple[int, int, int] | None) -> str:
    limit = f"the manual accepts at most {MAX_IMAGE_PIXELS // 1_000_000} million pixels"
    if size is None:
        amount = f"{pixels / 1e6:,.0f} million pixels" if pixels else "more than 179 million pixels"
        return f"the image '{name}' has {amount}; {limit}: make it smaller (such as 2,000 pixels wide)"
    width, height, frames = size
    if frames > 1:
        return (f"the image '{name}' has {frames:,} frames of {width:,} × {height:,} pixels ({pixels / 1e6:,.0f} "
                f"million pixels in all); {limit}, counting every frame: make it smaller or use fewer frames")
    return (f"the image '{name}' is {width:,} × {height:,} pixels ({pixels / 1e6:,.0f} million); {limit}: make it "
            "smaller (such as 2,000 pixels wide)")


def _describe(char: str) -> str:
    point = ord(char)
    name = _CONTROL_NAMES.get(point)
    if name is None:
        if 0xD800 <= point <= 0xDFFF:
            name = "half of a character, which cannot be shown"
        elif point in (0xFFFE, 0xFFFF):
            name = "not a character"
        else:
            name = unicodedata.name(char, "a control character")
    return f"U+{point:04X} ({name})"


def _control_message(char: str) -> str:
    if char in "\u2028\u2029\x85":
        return (f"the text contains {_describe(char)}, which the manual does not treat as a line break; replace it "
                "with an ordinary line break (Enter)")
    return (f"the text contains the invisible character {_describe(char)}; delete it (retype the words around it "
            "if your editor does not show it)")


class _Found:
    """The problems found, at most MAX_REPORTS of each code."""

    def __init__(self) -> None:
        self.items: list[Limit] = []
        self.counts: dict[str, int] = {}

    def add(self, line: int, column: int, code: str, message: str) -> None:
        count = self.counts.get(code, 0)
        if count < MAX_REPORTS:
            self.items.append((line, column, code, message))
        self.counts[code] = count + 1

    def full(self, code: str) -> bool:
        return self.counts.get(code, 0) >= MAX_REPORTS

    def sorted(self) -> list[Limit]:
        return sorted(self.items, key=lambda item: (item[0], item[1], item[2]))


def _code_lines(lines: list[str]) -> set[int]:
    """The indexes of the lines of fenced code blocks (fences included) that both renderers see as code:
    a fence at the line's start after an empty line (or the text's start), and the next fence-like line
    the same fence. Anything else is judged as ordinary text."""
    code: set[int] = set()
    index = 0
    while index < len(lines):
        opening = _FENCE_OPEN.match(lines[index])
        if opening and (index == 0 or not lines[index - 1].strip()):
            fence = opening.group(1)
            for end in range(index + 1, len(lines)):
                if _FENCE_LIKE.match(lines[end]):
                    if lines[end].rstrip(" ") == fence:
                        code.update(range(index, end + 1))
                        index = end
                    break
        index += 1
    return code


def _width(text: str) -> int:
    """The width of leading spaces and tabs, with tab stops every 4 columns."""
    column = 0
    for char in text:
        if char == " ":
            column += 1
        elif char == "\t":
            column += 4 - column % 4
        else:
            break
    return column


class _Blocks:
    """Walk the lines outside code once: nesting, tables, headings, and each paragraph's inline markup."""

    def __init__(self, lines: list[str], code: set[int], first_line: int, found: _Found):
        self.lines, self.code, self.first, self.found = lines, code, first_line, found
        self.stacks: dict[int, list[int]] = {}
        self.divs = 0
        self.html_divs = 0
        self.deep: tuple[int, int, int, set[str]] | None = None  # line, column, deepest, kinds
        self.table_rows = 0
        self.table_reported = False
        self.headings = 0
        self.markup = 0
        self.markup_reported = False
        self.unclosed: list[tuple[int, int, int]] = []
        self.open_angles: list[tuple[int, int]] = []
        # The last line with a comment's end: a '<!--' before it is a comment (pandoc's input loses them).
        self.comments_end = max((i for i, line in enumerate(lines) if "-->" in line and i not in code), default=-1)
        self.containers = 0
        self.previous_quotes = 0
        self.footnotes = 0

    def run(self) -> None:
        lines, code = self.lines, self.code
        segment: list[int] = []
        segment_is_item = False
        table: str | None = None
        table_start = 0
        table_rows = 0
        previous_blank = True
        previous_text = False
        for index, line in enumerate(lines):
            blank = index in code or not line.strip(" \t>")
            if blank:
                if segment:
                    self.paragraph(segment)
                    segment = []
                if table:
                    self.table(table_start, table_rows)
                    table = None
                self.nesting_end()
                self.previous_quotes = 0
                previous_blank, previous_text = True, False
                continue
            if previous_blank and table is None:
                table = self.table_kind(index)
                table_start, table_rows = index, 0
            marker = self.nesting(index, line, previous_blank, table == "grid")
            if table:
                if table != "grid" or line.lstrip(" \t>").startswith("+"):
                    table_rows += 1
                if table == "grid" and table_rows == 1:
                    table_rows += 1  # n + 1 borders for n rows
                self.paragraph([index])
                previous_blank, previous_text = False, False
                continue
            if _DIV_FENCE.match(line):  # a section's fence, ':::' with its attributes: not text
                if segment:
                    self.paragraph(segment)
                    segment = []
                previous_blank, previous_text = True, False
                continue
            if _ATX_HEADING.match(line) or (previous_text and _SETEXT.match(line)):
                self.heading(index)
            if marker and segment and segment_is_item:
                self.paragraph(segment)
                segment = []
            if not segment:
                segment_is_item = marker
            segment.append(index)
            previous_blank, previous_text = False, True
        if segment:
            self.paragraph(segment)
        if table:
            self.table(table_start, table_rows)
        self.nesting_end()
        self.multiline_tables()
        self.finish()

    # Tables --------------------------------------------------------------------------------------

    def table_kind(self, index: int) -> str | None:
        """The kind of table that starts at this line, if any (in a quote or a list item too)."""
        lines = self.lines
        line = lines[index].lstrip(" \t>")
        following = lines[index + 1].lstrip(" \t>") if index + 1 < len(lines) and index + 1 not in self.code else ""
        if _GRID_BORDER.match(line):
            return "grid"
        if "|" in line and "|" in following and _PIPE_DELIMITER.match(following):
            return "pipe"
        if _DASH_GROUPS.match(following) or (_DASH_GROUPS.match(line) and following.strip()):
            return "simple"
        return None

    def table(self, start: int, rows: int) -> None:
        rows = max(0, rows - 2)  # less the header and its delimiter line (pipe, simple), the borders (grid)
        self.table_rows += rows
        number = self.first + start
        if rows > MAX_TABLE_ROWS:
            self.found.add(number, 1, "table-too-long",
                           f"this table has {rows:,} rows; the manual accepts at most {MAX_TABLE_ROWS} rows in a "
                           "table: split it, or attach the data as a file (such as a .csv or .xlsx)")
        elif self.table_rows > MAX_TABLE_ROWS_TEXT and not self.table_reported:
            self.table_reported = True
            self.found.add(number, 1, "table-too-long",
                           f"with this table, the text's tables have {self.table_rows:,} rows; the manual accepts "
                           f"at most {MAX_TABLE_ROWS_TEXT:,} in one text: shorten them, or attach the data as a "
                           "file (such as a .csv or .xlsx)")

    def multiline_tables(self) -> None:
        """Pandoc's multiline tables: between two lines of dashes, rows separated by empty lines."""
        lines, code = self.lines, self.code
        index = 0
        while index < len(lines):
            line = lines[index]
            opens = (_DASHES.match(line) or _DASH_GROUPS.match(line)) and index not in code and (
                index == 0 or not lines[index - 1].strip()) and index + 1 < len(lines) and lines[index + 1].strip()
            if not opens:
                index += 1
                continue
            rows, blank_inside, grouped = 0, False, bool(_DASH_GROUPS.match(line))
            end = None
            for later in range(index + 1, len(lines)):
                if later in code:
                    break
                text = lines[later]
                if not text.strip():
                    blank_inside = True
                    continue
                if _DASH_GROUPS.match(text):
                    grouped = True
                if (_DASHES.match(text) or _DASH_GROUPS.match(text)) and (
                        later + 1 == len(lines) or not lines[later + 1].strip()) and blank_inside:
                    end = later
                    break
                if not (_DASHES.match(text) or _DASH_GROUPS.match(text)):
                    rows += 1
            if end is not None and grouped:
                self.table(index, rows + 1)
                index = end
            index += 1

    # Headings ------------------------------------------------------------------------------------

    def heading(self, index: int) -> None:
        self.headings += 1
        if self.headings == MAX_HEADINGS + 1:
            self.found.add(self.first + index, 1, "too-many-headings",
                           f"this text has more than {MAX_HEADINGS} headings (this is the {MAX_HEADINGS + 1}st); the "
                           "manual accepts at most that many in one text: merge sections, or split the text into "
                           "several contributions")

    # Nesting -------------------------------------------------------------------------------------

    def nesting(self, index: int, line: str, previous_blank: bool, grid: bool) -> bool:
        """Measure how deep this line is in quotes, lists and sections; return whether it starts a list item.

        Each level of quotes has its own stack of the content columns of the list items open in it: a
        line indented to an item's content is inside it. A lazy line (no marker, right after text)
        closes nothing."""
        depth, kinds, over = 0, set(), None
        position, column, quotes, length = 0, 0, 0, len(line)
        entered, starts_item, lazy, items = True, False, None, 0
        rule = _THEMATIC_BREAK.match(line) is not None  # '* * *' or '- - -': a line across, not lists
        while True:
            while position < length and line[position] in " \t":
                column += 4 - column % 4 if line[position] == "\t" else 1
                position += 1
            if position >= length:
                break
            marker = None if rule else _LIST_MARKER.match(line, position)
            quote = line[position] == ">"
            if lazy is None:
                lazy = not (marker or quote or previous_blank)
            if entered:
                stack = self.stacks.setdefault(quotes, [])
                if not lazy:
                    while stack and column < stack[-1]:
                        stack.pop()
                if stack:
                    depth += len(stack)
                    kinds.add("list")
                entered = False
                if depth > MAX_DEPTH and over is None:
                    over = position + 1
            start = position
            if quote:
                depth += 1
                kinds.add("quote")
                quotes += 1
                position += 1
                column += 1
                if position < length and line[position] == " ":
                    position += 1
                    column += 1
                entered = True
            elif marker:
                depth += 1
                kinds.add("list")
                starts_item = True
                items += 1
                position = marker.end()
                column += position - start
                after, spaces = position, 0
                while after < length and line[after] in " \t":
                    spaces += 4 - (column + spaces) % 4 if line[after] == "\t" else 1
                    after += 1
                self.stacks.setdefault(quotes, []).append(
                    column + (spaces if 1 <= spaces <= 4 and after < length else 1))
            else:
                break
            if depth > MAX_DEPTH and over is None:
                over = start + 1
        if not lazy:
            for deeper in [key for key in self.stacks if key > quotes]:
                del self.stacks[deeper]
        # Typst pays for each list item and quote (lists of 4 levels, 43,000 items: 6.7 s, 1.5 GB).
        opened = items + max(0, quotes - self.previous_quotes)
        self.previous_quotes = quotes
        if opened:
            before = self.containers
            self.containers += opened
            if before <= MAX_CONTAINERS < self.containers:
                self.found.add(self.first + index, 1, "too-many-list-items",
                               f"this text has more than {MAX_CONTAINERS:,} list items and quotes (counting up to "
                               f"this line); the manual accepts at most {MAX_CONTAINERS:,} in one text: shorten the "
                               "lists, or attach the data as a file")
        # Sections: pandoc's ':::' fences and HTML <div>s, open until their end.
        fence = _DIV_FENCE.match(line)
        if fence:
            if fence.group(2) and fence.group(2) != ":":
                self.divs += 1
            elif self.divs:
                self.divs -= 1
        if "<" in line and "div" in line.lower():
            for match in _HTML_DIV.finditer(line):
                self.html_divs = max(0, self.html_divs + (-1 if match.group(1) else 1))
        if self.divs or self.html_divs:
            depth += self.divs + self.html_divs
            kinds.add("section")
        if grid:
            cells = self.grid_cells(line)
            if cells:
                depth += cells
                kinds.add("table")
        if depth > MAX_DEPTH:
            column = over or 1 + len(line) - len(line.lstrip(" \t>"))
            if self.deep is None:
                self.deep = (index, max(1, column), depth, kinds)
            else:
                start_index, start_column, deepest, known = self.deep
                self.deep = (start_index, start_column, max(deepest, depth), known | kinds)
        else:
            self.nesting_end()
        return starts_item

    @staticmethod
    def grid_cells(line: str) -> int:
        """The deepest nesting a cell of a grid table's line may open, counted generously."""
        deepest = 0
        if not line.lstrip().startswith("|"):
            return 0
        for cell in line.strip().strip("|").split("|"):
            body = cell[1:] if cell.startswith(" ") else cell
            depth = _width(body) // 2
            position = len(body) - len(body.lstrip(" \t"))
            while position < len(body):
                marker = _LIST_MARKER.match(body, position)
                if body[position] == ">":
                    depth += 1
                    position += 1
                elif marker:
                    depth += 1
                    position = marker.end()
                elif body[position] in " \t":
                    position += 1
                else:
                    break
            deepest = max(deepest, depth)
        return deepest

    def nesting_end(self) -> None:
        if self.deep is None:
            return
        index, column, depth, kinds = self.deep
        self.deep = None
        if kinds <= {"list"}:
            what = f"this list is nested {depth:,} levels deep"
            fix = "flatten it into fewer levels"
        elif kinds <= {"quote"}:
            what = f"these quotes are nested {depth:,} levels deep ('>' inside '>')"
            fix = "quote fewer levels"
        else:
            names = [name for kind, name in (("list", "lists"), ("quote", "quotes"), ("section", "sections"),
                                             ("table", "table cells")) if kind in kinds]
            listed = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
            what = f"this text is nested {depth:,} levels deep ({listed} inside each other)"
            fix = "flatten it into fewer levels"
        self.found.add(self.first + index, column, "too-deeply-nested",
                       f"{what}; the manual accepts at most {MAX_DEPTH}: {fix}")

    # Paragraphs ----------------------------------------------------------------------------------

    def paragraph(self, indexes: list[int]) -> None:
        """Judge one paragraph (or list item, or table row): its length and its inline markup."""
        lines = self.lines
        text = "\n".join(lines[i] for i in indexes)
        starts = []
        offset = 0
        for i in indexes:
            starts.append(offset)
            offset += len(lines[i]) + 1

        def place(position: int) -> tuple[int, int]:
            row = bisect.bisect_right(starts, position) - 1
            return self.first + indexes[row], position - starts[row] + 1

        # Where each line's last '>' is: a '<' before it is closed on its line (pandoc looks for the '>' of a
        # tag from a '<' to wherever the next '>' is, in the whole text).
        last_closer = [starts[row] + lines[i].rfind(">") if ">" in lines[i] else -1 for row, i in enumerate(indexes)]
        found = self.found
        if len(text) > MAX_PARAGRAPH_CHARS:
            found.add(*place(0), "paragraph-too-long",
                      f"this paragraph is {len(text):,} characters long; the manual accepts at most "
                      f"{MAX_PARAGRAPH_CHARS:,}: split it into shorter paragraphs, with an empty line between them")
        spans = self.code_spans(text)
        brackets: list[int] = []
        parens: list[tuple[int, bool]] = []
        angles: list[int] = []
        braces: list[int] = []
        emphasis: list[tuple[str, int, int]] = []
        bracket_pairs: list[tuple[int, int, int]] = []
        emphasis_pairs: list[tuple[int, int, int]] = []
        markup = 0
        skip_until = -1
        for match in _TOKEN.finditer(text):
            start = match.start()
            if start < skip_until:
                continue
            token = match.group()
            first = token[0]
            if first == "\\":
                continue
            if first == "`":
                markup += len(token)
                closing = spans.get(start)
                if closing is not None:
                    skip_until = closing
                continue
            if first in "*_~^":
                markup += len(token)
                end = match.end()
                opens, closes = _flanking(token, text[start - 1] if start else " ",
                                          text[end] if end < len(text) else " ")
                if token[-1] == "^" and text.startswith("[", end):
                    self.footnote(place(end - 1))
                for run in _SAME_RUN.finditer(token):
                    char, size = run.group()[0], len(run.group())
                    if closes and any(other == char for other, _, _ in emphasis):
                        while emphasis:
                            other, levels, opened = emphasis.pop()
                            if other == char:
                                emphasis_pairs.append((opened, start + run.end(), levels))
                                break
                    elif opens:
                        emphasis.append((char, size if char == "^" else (size + 1) // 2, start + run.start()))
                continue
            if first in "[<{":
                markup += 1
            if first == "[":
                brackets.append(start)
                if text.startswith("[^", start):
                    close = text.find("]", start)
                    if close > 0 and not text.startswith(":", close + 1):
                        self.footnote(place(start))
            elif first == "]":
                if brackets:
                    bracket_pairs.append((brackets.pop(), start, 1))
            elif first == "(":
                parens.append((start, start > 0 and text[start - 1] == "]"))
            elif first == ")":
                if parens:
                    parens.pop()
            elif first == "<":
                angles.append(start)
                row = bisect.bisect_right(starts, start) - 1
                if last_closer[row] < start and not (
                        text.startswith("<!--", start) and indexes[row] <= self.comments_end):
                    self.open_angles.append(place(start))
            elif first == ">":
                if angles:
                    angles.pop()
            elif first == "{":
                braces.append(start)
            elif first == "}":
                if braces:
                    braces.pop()
        punctuation = False  # one problem of punctuation for a paragraph is enough to show where to look
        deep_bracket = _too_deep(bracket_pairs, MAX_BRACKET_DEPTH)
        if deep_bracket is not None:
            punctuation = True
            found.add(*place(deep_bracket), "too-much-punctuation",
                      f"here brackets are nested more than {MAX_BRACKET_DEPTH} deep ('[' inside '[' inside '[' …); "
                      f"the manual accepts at most {MAX_BRACKET_DEPTH}: remove some of them")
        deep_inline = _too_deep(emphasis_pairs, MAX_INLINE_DEPTH)
        if deep_inline is not None:
            found.add(*place(deep_inline), "too-deeply-nested",
                      f"here emphasis (*, _, ~ or ^) is nested more than {MAX_INLINE_DEPTH} levels deep; the "
                      f"manual accepts at most {MAX_INLINE_DEPTH}: remove some of the signs")
        unmatched = len(brackets) + len(parens) + len(angles) + len(braces)
        if unmatched > MAX_UNMATCHED and not punctuation:
            punctuation = True
            positions = sorted(brackets + [p for p, _ in parens] + angles + braces)
            found.add(*place(positions[0]), "too-much-punctuation",
                      f"this paragraph opens {unmatched:,} brackets ('[', '(', '<' or '{{') that it never closes; "
                      f"the manual accepts at most {MAX_UNMATCHED}: close them, or remove the ones not needed")
        unclosed = sorted([position for position in brackets] + [p - 1 for p, link in parens if link])
        if unclosed:
            self.unclosed.append((*place(unclosed[0]), len(unclosed)))
        if markup > MAX_MARKUP_PARAGRAPH and not punctuation:
            found.add(*place(0), "too-much-punctuation",
                      f"this paragraph has {markup:,} formatting signs (* _ ~ ^ ` [ < {{); the manual accepts "
                      f"at most {MAX_MARKUP_PARAGRAPH:,} in a paragraph: remove some formatting, or split the "
                      "paragraph")
        self.markup += markup
        if self.markup > MAX_MARKUP_TEXT and not self.markup_reported:
            self.markup_reported = True
            found.add(*place(0), "too-much-punctuation",
                      f"up to this paragraph, the text has {self.markup:,} formatting signs (* _ ~ ^ ` [ < {{);"
                      f" the manual accepts at most {MAX_MARKUP_TEXT:,} in one text: remove some formatting")

    def footnote(self, where: tuple[int, int]) -> None:
        """Typst lays footnotes out slowly in a contribution's block (1 in each of 200 paragraphs: 4 s; 1,000:
        32 s), and 200 of them can stop it with an internal error."""
        self.footnotes += 1
        if self.footnotes == MAX_FOOTNOTES + 1:
            self.found.add(*where, "too-many-footnotes",
                           f"this is footnote number {MAX_FOOTNOTES + 1} of the text; the manual accepts at most "
                           f"{MAX_FOOTNOTES} in one text: list the sources at the end of the text instead")

    @staticmethod
    def code_spans(text: str) -> dict[int, int]:
        """Code spans, as pandoc and Python-Markdown find them: {start of the opening run: end of the closing one}.

        A run of backticks opens a span unless a backslash escapes it; the next run of the same length
        closes it (a backslash inside a span is only a backslash)."""
        if "`" not in text:
            return {}
        runs: dict[int, list[int]] = {}
        for match in _BACKTICKS.finditer(text):
            runs.setdefault(len(match.group()), []).append(match.start())
        spans: dict[int, int] = {}
        position = 0
        while True:
            match = _BACKTICKS.search(text, position)
            if match is None:
                break
            start, size = match.start(), len(match.group())
            position = match.end()
            escaped = start > 0 and text[start - 1] == "\\" and (start < 2 or text[start - 2] != "\\")
            if escaped:
                continue
            starts = runs[size]
            later = bisect.bisect_right(starts, start)
            if later < len(starts):
                spans[start] = starts[later] + size
                position = starts[later] + size
        return spans

    def finish(self) -> None:
        if len(self.open_angles) > MAX_OPEN_ANGLES:
            count = len(self.open_angles)
            for line, column in self.open_angles:
                self.found.add(line, column, "too-much-punctuation",
                               f"this '<' has no '>' after it on its line, and the text has {count:,} such; the manual "
                               f"accepts at most {MAX_OPEN_ANGLES} in one text: write 'less than' instead (or '\\<')")
        count = sum(number for _, _, number in self.unclosed)
        if count > MAX_UNCLOSED_LINKS:
            for line, column, number in self.unclosed:
                here = "a '[' or '](' that is" if number == 1 else f"{number:,} '[' or '](' that are"
                self.found.add(line, column, "too-much-punctuation",
                               f"this paragraph has {here} never closed (the first here), and the text has "
                               f"{count:,} in all; the manual accepts at most {MAX_UNCLOSED_LINKS} in one text: close "
                               "each '[' with ']' and each '](' with ')', or write '\\[' to show a bracket")


def _too_deep(pairs: list[tuple[int, int, int]], limit: int) -> int | None:
    """Where matched pairs (start, end, weight), nested or apart, first go deeper than `limit`, or None."""
    if sum(weight for _, _, weight in pairs) <= limit:
        return None
    events = sorted([(start, 1, weight) for start, _, weight in pairs]
                    + [(end, 0, -weight) for _, end, weight in pairs])
    depth = 0
    for position, _, change in events:
        depth += change
        if depth > limit:
            return position
    return None


def _flanking(signs: str, before: str, after: str) -> tuple[bool, bool]:
    """Whether a cluster of emphasis signs between `before` and `after` can open and can close emphasis
    (CommonMark's flanking rules; '_' inside a word does neither)."""
    space_before, space_after = before.isspace(), after.isspace()
    punct_before = not space_before and not before.isalnum()
    punct_after = not space_after and not after.isalnum()
    left = not space_after and (not punct_after or space_before or punct_before)
    right = not space_before and (not punct_before or space_after or punct_after)
    if set(signs) == {"_"}:
        return left and (not right or punct_before), right and (not left or punct_after)
    return left, right
