"""Turn extracted text or an HTML fragment into tidy article text: paragraphs joined by a blank line."""

from __future__ import annotations

import re
import unicodedata

from lxml import etree
from lxml import html as lxml_html

PARAGRAPH_BREAK = "\n\n"

# Line and paragraph separators of every kind become "\n" (Unicode ones too: pysbd and the splitter
# only know "\n").
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Invisible characters that only hinder matching: C0 controls, DEL, zero-width space, word joiner, BOM,
# soft hyphen. Lone surrogates (from "\ud800" in JSON) cannot be written as UTF-8: they become U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\u200b\u2060\ufeff\u00ad]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Tabs and the Unicode spaces (no-break, thin, ideographic ...) are written as one plain space.
_SPACES = re.compile("[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")

# Elements whose content is never article text.
_DROPPED = frozenset(
    [
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "embed",
        "form",
        "button",
        "select",
        "textarea",
        "svg",
        "math",
        "template",
        "head",
        "audio",
        "video",
        "canvas",
        "map",
        "figcaption",
    ]
)
# Elements that end a paragraph: their text does not run into the text around them.
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "br",
        "hr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "td",
        "th",
        "caption",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "main",
        "figure",
        "address",
        "details",
        "summary",
        "center",
    ]
)


def tidy_text(text: str, *, lines_are_paragraphs: bool | None = None) -> str:
    """Normalise `text` to NFC with tidy whitespace, one paragraph per block, blocks joined by a blank line.

    Paragraphs are separated by blank lines when the text has any; a single line break inside one is a
    soft wrap and becomes a space. A text without blank lines has one paragraph per line. Pass
    `lines_are_paragraphs=True` when every line is known to be a paragraph (text from an HTML extractor).
    """
    text = unicodedata.normalize("NFC", _SURROGATE.sub("\ufffd", text))
    text = _INVISIBLE.sub("", _LINE_BREAKS.sub("\n", text))
    if lines_are_paragraphs is None:
        lines_are_paragraphs = _BLANK_LINE.search(text) is None
    blocks = text.split("\n") if lines_are_paragraphs else _BLANK_LINE.split(text)
    paragraphs = (_SPACES.sub(" ", block.replace("\n", " ")).strip() for block in blocks)
    return PARAGRAPH_BREAK.join(p for p in paragraphs if p)


def tidy_line(text: str | None) -> str | None:
    """A one-line field (title, author, site name): whitespace collapsed, None when empty."""
    if text is None:
        return None
    line = " ".join(tidy_text(text, lines_are_paragraphs=True).split())
    return line or None


def html_to_text(markup: str) -> str:
    """The visible text of an HTML fragment (a feed item's content), one paragraph per block element.

    Walks the tree without recursion, so a deeply nested fragment cannot exhaust the stack; scripts,
    styles, forms, embeds and captions are dropped.
    """
    if "<" not in markup and "&" not in markup:
        return tidy_text(markup)
    try:
        root = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (etree.ParserError, ValueError):
        return ""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        if current:
            paragraphs.append("".join(current))
            current.clear()

    walker = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, element in walker:
        if event in ("comment", "pi"):  # hidden, but the text after it is not
            if element.tail:
                current.append(element.tail)
            continue
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        is_block = tag in _BLOCKS
        if event == "start":
            if tag in _DROPPED:
                walker.skip_subtree()  # its "end" event still comes, and adds its tail
                continue
            if is_block:
                flush()
            if element.text:
                current.append(element.text)
        else:
            if is_block:
                flush()
            if element.tail and element is not root:
                current.append(element.tail)
    flush()
    return tidy_text("\n".join(paragraphs), lines_are_paragraphs=True)
