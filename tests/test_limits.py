"""manual/limits.py: each bound accepts a text just under it and refuses one just over it, at the right place."""

from __future__ import annotations

import struct
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from manual import limits
from manual.limits import image_problem, single_line_problem, text_limits

WORDS = "word " * 19 + "word"  # 99 characters, no formatting
CODES = {"text-too-long", "line-too-long", "word-too-long", "paragraph-too-long", "too-deeply-nested",
         "too-much-punctuation", "table-too-long", "too-many-headings", "too-many-list-items", "too-many-footnotes", "control-character"}


def paragraphs(count: int, paragraph: str = WORDS) -> str:
    return "\n\n".join([paragraph] * count) + "\n"


def only(text: str, first_line: int = 1) -> tuple[int, int, str, str]:
    """The one problem text_limits finds."""
    found = text_limits(text, first_line)
    assert len(found) == 1, found
    return found[0]


def test_ordinary_text_passes():
    text = ("## Context\n\nA *large* yearly festival, with [a link](https://example.org/a_b) and `code`.\n\n"
            "- one\n- two\n  - nested (with parentheses)\n\n> a quote\n> > inside a quote\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n<!--\n  guidance for the writer\n-->\n\n1. first\n2. second\n"
            "\n***\n\nSpeeds < 30 km/h, about ~5 km, snake_case_name, 2 * 3 = 6.\n")
    assert text_limits(text, 20) == []


# Size ---------------------------------------------------------------------------------------------

def test_text_size_bound():
    block = "\n".join([WORDS] * 10) + "\n\n"  # 1,001 characters
    text = block * 199 + WORDS * 8 + "x" * (200_000 - len(block) * 199 - len(WORDS) * 8)
    assert len(text.encode()) == 200_000
    assert text_limits(text, 7) == []
    assert only(text + "é", 7) == (
        7, 1, "text-too-long",
        "this text has 200,002 bytes; the manual accepts at most 200,000 (200 KB) in one text: shorten it, or "
        "split it into several contributions")


def test_line_length_bound_counts_in_code_too():
    line = "x" * 10_000
    assert text_limits(f"```\n{line}\n```\n", 1) == []
    assert only(f"```\n{line}y\n```\n", 1) == (
        2, 10_001, "line-too-long",
        "this line is 10,001 characters long; the manual accepts at most 10,000: break it into paragraphs, with an "
        "empty line between them")


def test_word_length_bound():
    assert text_limits("see " + "x" * 500 + " here\n", 1) == []
    assert only("see " + "x" * 501 + " here\n", 3) == (
        3, 5, "word-too-long",
        "this word or address is 501 characters long, without a space; the manual accepts at most 500: shorten it "
        "(for a web address, link to a shorter one)")


def test_paragraph_length_bound():
    lines = [WORDS] * 100  # 100 lines of 99 characters and 99 line breaks: 9,999
    text = "\n".join(lines) + "\n"
    assert text_limits(text + "\n" + text, 1) == []
    assert only("\n".join(lines[:-1] + [WORDS + "xx"]) + "\n", 4) == (
        4, 1, "paragraph-too-long",
        "this paragraph is 10,001 characters long; the manual accepts at most 10,000: split it into shorter "
        "paragraphs, with an empty line between them")


# Nesting ------------------------------------------------------------------------------------------

def test_quote_depth_bound():
    assert text_limits("> " * 8 + "x\n", 1) == []
    assert only("text\n\n" + "> " * 9 + "x\n", 10) == (
        12, 17, "too-deeply-nested",
        "these quotes are nested 9 levels deep ('>' inside '>'); the manual accepts at most 8: quote fewer levels")


def test_quotes_over_several_lines_are_reported_once_with_the_deepest():
    text = "> a\n> > b\n" + "> " * 9 + "c\n" + "> " * 12 + "d\n\nafter\n"
    assert only(text, 1) == (
        3, 17, "too-deeply-nested",
        "these quotes are nested 12 levels deep ('>' inside '>'); the manual accepts at most 8: quote fewer levels")


def test_list_depth_bound_by_indentation():
    nested = ["  " * i + "- item" for i in range(9)]
    assert text_limits("\n".join(nested[:8]) + "\n", 1) == []
    assert only("\n".join(nested) + "\n", 1) == (
        9, 17, "too-deeply-nested",
        "this list is nested 9 levels deep; the manual accepts at most 8: flatten it into fewer levels")


def test_list_depth_follows_pandoc_indentation_rules():
    # One space more per line does not nest in pandoc; lazy lines close nothing; a new paragraph closes all.
    assert text_limits("\n".join(" " * i + "- item" for i in range(12)) + "\n", 1) == []
    lazy = "\n".join("  " * i + "- item\nlazy" for i in range(9)) + "\n"
    assert only(lazy, 1)[:3] == (17, 17, "too-deeply-nested")
    closed = "\n".join("  " * i + "- item" for i in range(5)) + "\n\nparagraph\n\n" + "\n".join(
        "  " * i + "- item" for i in range(5)) + "\n"
    assert text_limits(closed, 1) == []


def test_ordered_lists_on_one_line_and_mixed_with_quotes():
    assert only("1. " * 9 + "x\n", 1)[:3] == (1, 25, "too-deeply-nested")
    assert only("> - > - > - > - > x\n", 5) == (
        5, 17, "too-deeply-nested",
        "this text is nested 9 levels deep (lists and quotes inside each other); the manual accepts at most 8: "
        "flatten it into fewer levels")
    assert text_limits("> - > - > - > - x\n", 5) == []


def test_sections_count_as_levels():
    assert text_limits("::: {}\n" * 8 + "x\n" + ":::\n" * 8, 1) == []
    message = ("this text is nested 9 levels deep (sections inside each other); the manual accepts at most 8: "
               "flatten it into fewer levels")
    assert only("::: {}\n" * 9 + "x\n" + ":::\n" * 9, 1) == (9, 1, "too-deeply-nested", message)
    assert only("<div>\n" * 9 + "x\n" + "</div>\n" * 9, 1) == (9, 1, "too-deeply-nested", message)


def test_emphasis_depth_bound():
    assert text_limits("*_" * 5 + "x" + "_*" * 5 + "\n", 1) == []
    assert only("*_" * 5 + "*x*" + "_*" * 5 + "\n", 2) == (
        2, 11, "too-deeply-nested",
        "here emphasis (*, _, ~ or ^) is nested more than 10 levels deep; the manual accepts at most 10: remove "
        "some of the signs")
    # Signs that never close nest nothing.
    assert text_limits("*a " * 40 + "\n\n" + "~5 km " * 40 + "\n", 1) == []


def test_grid_table_cells_count_as_levels():
    row = "| " + "> " * 9 + "x |"
    table = "+" + "-" * (len(row) - 2) + "+\n" + row + "\n+" + "-" * (len(row) - 2) + "+\n"
    assert only(table, 1)[:3] == (2, 1, "too-deeply-nested")


# Punctuation --------------------------------------------------------------------------------------

def test_run_bound():
    assert text_limits("a " + "]" * 50 + " b\n", 1) == []
    assert only("a " + "]" * 51 + " b\n", 1) == (
        1, 3, "too-much-punctuation",
        "this line has 51 brackets or signs such as [ ( * _ ` < { in a row; the manual accepts at most 50: remove "
        "them, or put spaces or words between them")
    assert only("a " + "‹" * 51 + " b\n", 1)[:3] == (1, 3, "too-much-punctuation")


def test_horizontal_rules_are_not_runs():
    assert text_limits("text\n\n" + "_" * 80 + "\n\n" + "* " * 40 + "\n", 1) == []


def test_bracket_depth_bound():
    assert text_limits("[[[[x](y)](y)](y)](y)\n", 1) == []
    assert only("[[[[[x](y)](y)](y)](y)](y)\n", 1) == (
        1, 5, "too-much-punctuation",
        "here brackets are nested more than 4 deep ('[' inside '[' inside '[' …); the manual accepts at most 4: "
        "remove some of them")


def test_unclosed_brackets_bound():
    assert text_limits(paragraphs(5, "[a " + WORDS), 1) == []
    found = text_limits(paragraphs(3, "[a " + WORDS) + "\n" + paragraphs(3, WORDS + " [a](b"), 1)
    message = ("this paragraph has a '[' or '](' that is never closed (the first here), and the text has 6 in all; the "
               "manual accepts at most 5 in one text: close each '[' with ']' and each '](' with ')', or write '\\[' "
               "to show a bracket")
    assert found == [(1, 1, "too-much-punctuation", message), (3, 1, "too-much-punctuation", message),
                     (5, 1, "too-much-punctuation", message), (7, 103, "too-much-punctuation", message),
                     (9, 103, "too-much-punctuation", message), (11, 103, "too-much-punctuation", message)]


def test_brackets_in_code_spans_and_escaped_ones_are_not_open():
    assert text_limits(paragraphs(10, "`[a` and \\[b and ``[c `` d"), 1) == []


def test_a_backslash_does_not_end_a_code_span_early():
    # `a\` is a code span: the '[' after it is open, whatever a later backtick says.
    found = text_limits(paragraphs(1, "`a\\` " + "[x " * 51 + "`"), 1)
    assert (1, 6, "too-much-punctuation") in [problem[:3] for problem in found]


def test_unmatched_openers_bound():
    assert text_limits(" ".join(["(a"] * 50) + "\n", 1) == []
    assert only(" ".join(["(a"] * 25 + ["{a"] * 26) + "\n", 1) == (
        1, 1, "too-much-punctuation",
        "this paragraph opens 51 brackets ('[', '(', '<' or '{') that it never closes; the manual accepts at most "
        "50: close them, or remove the ones not needed")


def test_open_angle_bound():
    assert text_limits("\n".join(["a < b"] * 20 + ["<span>x</span>"] * 30) + "\n", 1) == []
    found = text_limits("\n".join(["a < b"] * 21) + "\n", 1)
    assert len(found) == limits.MAX_REPORTS
    assert found[0] == (1, 3, "too-much-punctuation",
                        "this '<' has no '>' after it on its line, and the text has 21 such; the manual accepts at "
                        "most 20 in one text: write 'less than' instead (or '\\<')")


def test_comments_are_not_open_angles():
    assert text_limits(paragraphs(30, "<!--\n  guidance\n-->"), 1) == []


def test_formatting_bound_per_paragraph():
    assert text_limits(" ".join(["*a*"] * 100) + "\n", 1) == []
    assert only(" ".join(["*a*"] * 100) + " *b\n", 6) == (
        6, 1, "too-much-punctuation",
        "this paragraph has 201 formatting signs (* _ ~ ^ ` [ < {); the manual accepts at most 200 in a paragraph: "
        "remove some formatting, or split the paragraph")


def test_formatting_bound_per_text():
    paragraph = " ".join(["*a*"] * 100)
    assert text_limits(paragraphs(50, paragraph), 1) == []
    assert only(paragraphs(50, paragraph) + "\n*b\n", 1) == (
        101, 1, "too-much-punctuation",
        "up to this paragraph, the text has 10,001 formatting signs (* _ ~ ^ ` [ < {); the manual accepts at most "
        "10,000 in one text: remove some formatting")


# Code blocks ----------------------------------------------------------------------------------------

HOSTILE = "[" * 5_000 + "\n" + "> " * 100 + "\n" + "<" * 100 + "\n" + "- " * 100 + "\n| a |\n|---|\n" + "| 1 |\n" * 600


def test_fenced_code_is_judged_for_size_and_characters_only():
    assert text_limits("text\n\n```\n" + HOSTILE + "```\n\nmore\n\n~~~ python\n" + HOSTILE + "~~~\n", 1) == []
    assert only("```\n" + HOSTILE + "a\x00\n```\n", 1)[:3] == (608, 2, "control-character")


def test_a_fence_pandoc_or_python_markdown_may_not_see_is_judged_as_text():
    for text in ("text\n```\n" + "[" * 60 + "\n```\n",          # no empty line before: pandoc reads text
                 "  ```\n" + "[" * 60 + "\n  ```\n",            # indented: Python-Markdown reads text
                 "```\n" + "[" * 60 + "\n````\n",               # closed by a longer fence: Python-Markdown does not
                 "``` two words\n" + "[" * 60 + "\n```\n",      # an info string Python-Markdown does not take
                 "```\n" + "[" * 60 + "\n"):                    # never closed
        assert "too-much-punctuation" in {code for _, _, code, _ in text_limits(text, 1)}, text


# Tables and headings ----------------------------------------------------------------------------

def table(rows: int) -> str:
    return "| a | b |\n|---|---|\n" + "".join(f"| {i} | x |\n" for i in range(rows))


def test_table_rows_bound():
    assert text_limits(table(500), 1) == []
    assert only("text\n\n" + table(501), 1) == (
        3, 1, "table-too-long",
        "this table has 501 rows; the manual accepts at most 500 rows in a table: split it, or attach the data as "
        "a file (such as a .csv or .xlsx)")


def test_table_rows_bound_per_text():
    assert text_limits(table(500) + "\n" + table(500), 1) == []
    assert only(table(500) + "\n" + table(500) + "\n" + table(1), 1) == (
        1007, 1, "table-too-long",
        "with this table, the text's tables have 1,001 rows; the manual accepts at most 1,000 in one text: shorten "
        "them, or attach the data as a file (such as a .csv or .xlsx)")


def test_tables_in_quotes_and_list_items_count_too():
    assert only("> " + table(501).replace("\n", "\n> "), 1)[:3] == (1, 1, "table-too-long")
    assert only("- item\n\n  " + table(501).replace("\n", "\n  "), 1)[:3] == (3, 1, "table-too-long")


def test_other_pandoc_tables_count_too():
    grid = "+---+---+\n" + "| a | b |\n+---+---+\n" * 501
    assert only(grid, 1)[:3] == (1, 1, "table-too-long")
    simple = "a     b\n---   ---\n" + "1     x\n" * 501
    assert only(simple, 1)[:3] == (1, 1, "table-too-long")
    multiline = "-------------\na     b\n---   ---\n" + "1     x\nmore  y\n\n" * 501 + "-------------\n"
    assert only(multiline, 1)[:3] == (1, 1, "table-too-long")


def test_headings_bound():
    assert text_limits("".join(f"## Heading {i}\n\ntext\n\n" for i in range(200)), 1) == []
    assert only("".join(f"## Heading {i}\n\ntext\n\n" for i in range(201)), 1) == (
        801, 1, "too-many-headings",
        "this text has more than 200 headings (this is the 201st); the manual accepts at most that many in one "
        "text: merge sections, or split the text into several contributions")


def test_list_items_bound():
    assert text_limits("- item\n" * 2000, 1) == []
    assert only("- item\n" * 2001, 1) == (
        2001, 1, "too-many-list-items",
        "this text has more than 2,000 list items and quotes (counting up to this line); the manual accepts at most "
        "2,000 in one text: shorten the lists, or attach the data as a file")
    assert only(paragraphs(1001, "> > quoted"), 1)[:3] == (2001, 1, "too-many-list-items")


# Control characters -----------------------------------------------------------------------------

@pytest.mark.parametrize("char, name", [("\x00", "NUL"), ("\x7f", "DELETE"), ("\x1b", "ESCAPE"), ("\x0c", "FORM FEED"),
                                        ("\x85", None), ("\u2028", None), ("\u2029", None), ("\ud800", "half")])
def test_control_characters(char, name):
    problem = only(f"first line\nab{char}c\n", 40)
    assert problem[:3] == (41, 3, "control-character")
    assert f"U+{ord(char):04X}" in problem[3]
    if name:
        assert name in problem[3]
    else:
        assert "replace it with an ordinary line break" in problem[3]


def test_control_character_message():
    assert only("a\x00b", 1) == (
        1, 2, "control-character",
        "the text contains the invisible character U+0000 (NUL); delete it (retype the words around it if your "
        "editor does not show it)")
    assert only("a\u2028b", 1) == (
        1, 2, "control-character",
        "the text contains U+2028 (LINE SEPARATOR), which the manual does not treat as a line break; replace it "
        "with an ordinary line break (Enter)")


def test_tabs_and_line_endings_are_allowed():
    assert text_limits("a\tb\r\nc\r\n\r\n- d\r\n  - e\r\n", 1) == []


def test_reports_are_capped_per_code():
    found = text_limits("\x00" * 100, 1)
    assert len(found) == limits.MAX_REPORTS
    assert [column for _, column, _, _ in found] == list(range(1, limits.MAX_REPORTS + 1))


# One-line fields --------------------------------------------------------------------------------

def test_single_line_accepts_ordinary_values():
    assert single_line_problem("Carnival crowds with visiting officers – 2024 (Nice) & co.") is None
    assert single_line_problem("tab\tand line\nbreaks are spaces") is None


@pytest.mark.parametrize("value, char", [("a < b", "<"), ("<script>", "<"), ("a > b", ">")])
def test_single_line_refuses_angle_brackets(value, char):
    assert single_line_problem(value, "a title") == (
        f"a title may not contain '<' or '>' (it has a '{char}'); write the words out, such as 'less than' or "
        "'more than'")


@pytest.mark.parametrize("char, name", [("\x00", "NUL"), ("\x7f", "DELETE"), ("\x85", "NEXT LINE"),
                                        ("\u2028", "LINE SEPARATOR"), ("\u2029", "PARAGRAPH SEPARATOR"),
                                        ("\x1b", "ESCAPE"), ("\ud800", "half of a character, which cannot be shown")])
def test_single_line_refuses_control_characters(char, name):
    assert single_line_problem(f"Title{char}here") == (
        f"this field contains the invisible character U+{ord(char):04X} ({name}); delete it (retype the words "
        "around it if your editor does not show it)")


# Images -----------------------------------------------------------------------------------------

def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int, height: int, *, pixels: bool = True) -> bytes:
    """A 1-bit PNG, written row by row (a huge one compresses to almost nothing); or only its header."""
    data = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    if pixels:
        packer = zlib.compressobj(9)
        row = b"\0" * (1 + (width + 7) // 8)
        data += _chunk(b"IDAT", b"".join(packer.compress(row) for _ in range(height)) + packer.flush())
    return data + _chunk(b"IEND", b"")


def test_ordinary_images_pass(tmp_path: Path):
    Image.new("RGB", (1200, 800), "red").save(tmp_path / "photo.jpg")
    Image.new("RGB", (640, 480)).save(tmp_path / "chart.png")
    Image.new("RGB", (64, 64)).save(tmp_path / "icon.webp")
    Image.new("P", (64, 64)).save(tmp_path / "logo.gif")
    (tmp_path / "exact.png").write_bytes(png(8_000, 5_000))  # 40,000,000 pixels: the bound
    for name in ("photo.jpg", "chart.png", "icon.webp", "logo.gif", "exact.png"):
        assert image_problem(tmp_path / name) is None, name
    assert image_problem(tmp_path / "drawing.svg") is None  # another module's business


def test_too_many_pixels(tmp_path: Path):
    (tmp_path / "big.png").write_bytes(png(8_000, 5_001))
    assert image_problem(tmp_path / "big.png") == (
        "image-too-large-pixels",
        "the image 'big.png' is 8,000 × 5,001 pixels (40 million); the manual accepts at most 40 million pixels: "
        "make it smaller (such as 2,000 pixels wide)")


def test_a_decompression_bomb_is_read_from_its_header_only(tmp_path: Path):
    path = tmp_path / "bomb.png"
    path.write_bytes(png(60_000, 60_000, pixels=False))  # 3.6 billion pixels declared in 57 bytes
    started = time.perf_counter()
    assert image_problem(path) == (
        "image-too-large-pixels",
        "the image 'bomb.png' has 3,600 million pixels; the manual accepts at most 40 million pixels: make it "
        "smaller (such as 2,000 pixels wide)")
    assert time.perf_counter() - started < 10  # (decoding its pixels would take minutes and gigabytes)
    path.write_bytes(png(10_000, 10_000, pixels=False))  # under Pillow's own guard, over ours
    assert image_problem(path)[0] == "image-too-large-pixels"


def test_every_frame_of_an_animation_counts(tmp_path: Path):
    frames = [Image.new("P", (1000, 1000), i) for i in range(41)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert image_problem(tmp_path / "anim.gif") == (
        "image-too-large-pixels",
        "the image 'anim.gif' has 41 frames of 1,000 × 1,000 pixels (41 million pixels in all); the manual accepts "
        "at most 40 million pixels, counting every frame: make it smaller or use fewer frames")
    frames[0].save(tmp_path / "short.gif", save_all=True, append_images=frames[1:40])
    assert image_problem(tmp_path / "short.gif") is None


def test_fake_and_damaged_images(tmp_path: Path):
    Image.new("RGB", (10, 10)).save(tmp_path / "photo.jpg")
    (tmp_path / "photo.jpg").rename(tmp_path / "fake.png")
    assert image_problem(tmp_path / "fake.png") == (
        "image-not-readable",
        "the image 'fake.png' is really a JPEG file, not a PNG file: save it again as PNG, or rename it to .jpg")
    Image.new("RGB", (10, 10)).save(tmp_path / "real.png")
    (tmp_path / "real.png").rename(tmp_path / "fake.jpg")
    assert image_problem(tmp_path / "fake.jpg") == (
        "image-not-readable",
        "the image 'fake.jpg' is really a PNG file, not a JPEG file: save it again as JPEG, or rename it to .png")
    unreadable = ("image-not-readable",
                  "the image 'text.png' is not a PNG file that can be read (it may be damaged, or another kind of file "
                  "renamed to .png); open it in an image editor and save it again as PNG")
    (tmp_path / "text.png").write_text("<svg>not a picture</svg>", encoding="utf-8")
    assert image_problem(tmp_path / "text.png") == unreadable
    (tmp_path / "text.png").write_bytes(png(100, 100)[:70])  # cut short
    assert image_problem(tmp_path / "text.png") == unreadable
    (tmp_path / "text.png").write_bytes(b"")
    assert image_problem(tmp_path / "text.png") == unreadable


# Whatever the text, text_limits answers, quickly -----------------------------------------------

PIECES = list("[]()‹›*_~`<>{}^\\!|#:-+.= \n\t>aé\x00\u2028") + ["1. ", "- ", "```", "~~~", "\r\n", "\n\n", "[a](",
                                                                  "<!--", "-->", ":::", "| a |", "|---|", "    "]
PUNCTUATION_HEAVY = st.lists(st.sampled_from(PIECES), max_size=20_000).map("".join).map(lambda text: text[:50_000])


REPEATED = st.tuples(st.lists(st.sampled_from(PIECES), min_size=1, max_size=40).map("".join),
                     st.integers(min_value=1, max_value=50_000)).map(lambda pair: (pair[0] * pair[1])[:50_000])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(PUNCTUATION_HEAVY, REPEATED, st.text(max_size=2_000)), st.integers(min_value=1, max_value=500))
def test_never_raises_and_does_not_hang(text: str, first_line: int):
    # (not a timing: a guard against a pattern that backtracks, which would take minutes, not seconds)
    started = time.perf_counter()
    found = text_limits(text, first_line)
    assert time.perf_counter() - started < 15
    last = first_line + text.count("\n")
    for line, column, code, message in found:
        assert first_line <= line <= last and column >= 1 and code in CODES and message


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=1_000, max_value=50_000), st.sampled_from(list("[(<{*_`~‹") + ["[a](", "> ", "- "]))
def test_repeated_hostile_patterns_do_not_hang(size: int, unit: str):
    text = (unit * (size // len(unit)))[:50_000]
    started = time.perf_counter()
    text_limits(text, 1)
    text_limits(" ".join([unit] * (size // (len(unit) + 1))), 1)
    assert time.perf_counter() - started < 15  # (as above: minutes if a pattern backtracks)


# The fast path: whole-text counts that prove the full analysis finds nothing ---------------------

SPARSE = st.lists(st.one_of(st.sampled_from(PIECES), st.sampled_from(["word ", "word", " ", "\n", "\n\n"])),
                  max_size=80).map("".join)
LINE = st.tuples(st.sampled_from(["", " ", "  ", "   ", "    ", "      ", "       ", "        ", "         "]),
                 st.sampled_from(["", "", "- ", "* ", "+ ", "1. ", "a) ", "iv. ", "(@x) ", "> ", "> - ", "- > ",
                                  "- - ", "1. - ", ": ", "~ ", "-", ">", "#. ", "(1) "]),
                 st.sampled_from(["word", "two words", "", "***", "* * *", "- - -", "|a|b|", "|-|-|", "+--+",
                                  ":::", "::: {}", "<div>", "</div>", "[a](b)", "**b**", "`c`", "x^[n]"]),
                 ).map("".join)
LINES = st.lists(LINE, max_size=40).map("\n".join)


def same_answers(text: str, first_line: int = 1) -> bool:
    """text_limits equals the full analysis; and whatever the fast path accepts, the full analysis accepts."""
    full = limits._full_limits(text, first_line)
    fast = limits._surely_within(text)
    assert not (fast and full), (text, full)
    assert text_limits(text, first_line) == full
    return fast


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.one_of(SPARSE, LINES, PUNCTUATION_HEAVY.map(lambda text: text[:3_000])),
       st.integers(min_value=1, max_value=500))
def test_fast_path_agrees_with_the_full_analysis(text: str, first_line: int):
    same_answers(text, first_line)


def corpus_texts(root: Path) -> list[str]:
    """Every body and recommendation text of the contributions under `root` (front matter between '---')."""
    import yaml

    texts = []
    for path in sorted(root.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
        if lines[0].rstrip() != "---" or end is None:
            texts.append("\n".join(lines))
            continue
        texts.append("\n".join(lines[end + 1:]))
        data = yaml.safe_load("\n".join(lines[1:end]))
        entries = data.get("recommendations") if isinstance(data, dict) else None
        texts.extend(entry["text"] for entry in entries or () if isinstance(entry, dict)
                     and isinstance(entry.get("text"), str))
    return texts


def test_fast_path_on_the_bundled_corpus():
    texts = corpus_texts(Path(__file__).resolve().parent.parent / "contributions")
    assert len(texts) > 50
    fast = [same_answers(text) for text in texts]
    assert sum(fast) >= 0.9 * len(texts)


def test_fast_path_on_a_generated_corpus(tmp_path: Path):
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(repo / "benchmarks" / "generate_corpus.py"), "--contributions", "300",
                    "--out", str(tmp_path / "corpus")], check=True, capture_output=True)
    texts = corpus_texts(tmp_path / "corpus")
    assert len(texts) > 300
    fast = [same_answers(text) for text in texts]
    assert sum(fast) >= 0.9 * len(texts)
    # Each bound's edge is a text of the fast path's own making: just over each, the full analysis decides.
    for text in texts[:50]:
        for extra in ["\n" + "- " * 9 + "x", "\n" + "> " * 9 + "x", "\n" + " " * 8 + "- x", "\n" + "[" * 5 + "x",
                      "\n" + "*" * 21, "\n" + "^[n]" * 26, "\n+--+", "\n:::{}\n" * 4, "\t", "\r\n- x\r",
                      "\n" + "x" * 501, "\n" + "(" * 51, "\x00"]:
            same_answers(text + extra)
