"""Split a document into sentence units (what can be quoted) and passages (context chunks).

The offset rule, tested on every unit and passage: `document.text[start:end] == text`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from .documents import Document

# The rules that cut an article into sentence units and passages: bumped when they change, so that
# an index cut by older ones is stale and every article is cut and embedded again (an index made
# before the manifest recorded it counts as 1).
UNITS_VERSION = 1

# Caption and credit lines are never quoted: `Photo: AP`, `Image credit: Reuters`, `(AP Photo/...)`.
_CAPTION = re.compile(
    r"""^[(\[]?\s*(?:(?:file\s+)?(?:photo|photograph|image|picture|video|graphic|illustration|caption)s?
        (?:\s+credit)?\s*(?::|/|by\b|courtesy\b)|credits?\s*:|(?:AP|AFP|Reuters|Getty\s+Images)\s+photo\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_CAPTION_MAX_CHARS = 200
# A sentence that opens with one of these continues the previous one (`“...,” he said.`).
_CONTINUATION = re.compile(r"^(?:[a-z]|[”’\"')\]]|—|–)")


@dataclass(frozen=True)
class Span:
    """A stretch of one document: `text == document.text[start:end]`."""

    doc_id: str
    start: int
    end: int
    text: str


def is_caption(line: str) -> bool:
    """True for a photo caption or credit line such as `Photo: AP`."""
    stripped = line.strip()
    return len(stripped) <= _CAPTION_MAX_CHARS and bool(_CAPTION.match(stripped))


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _lines(text: str, start: int) -> Iterator[tuple[int, int]]:
    """(start, end) of each non-blank line from `start`, whitespace trimmed."""
    for m in re.finditer(r"[^\n]+", text[start:]):
        a, b = start + m.start(), start + m.end()
        line = text[a:b]
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        if b - trail > a + lead:
            yield a + lead, b - trail


def sentence_units(doc: Document) -> list[Span]:
    """The quotable sentences of `doc`, in order; captions and the header are left out.

    Sentences come from pysbd, one line at a time (a line break always ends a sentence in
    news copy). pysbd returns strings, not offsets; each is located in order from a moving
    cursor inside its line and checked, so a repeated sentence can never point at its twin.
    A piece that opens in lower case or with a closing quote is joined to the sentence
    before it, which keeps a quote and its attribution together.
    """
    text = doc.text
    units: list[Span] = []
    for a, b in _lines(text, doc.body_start):
        line = text[a:b]
        if is_caption(line):
            continue
        pieces: list[tuple[int, int]] = []
        cursor = 0
        for seg in _segmenter().segment(line):
            seg = seg.strip()
            if not seg:
                continue
            at = line.find(seg, cursor)
            if at < 0:  # pysbd altered the text; fall back to the whole rest of the line
                pieces.append((cursor, len(line)))
                break
            if pieces and _CONTINUATION.match(seg):
                pieces[-1] = (pieces[-1][0], at + len(seg))
            else:
                pieces.append((at, at + len(seg)))
            cursor = at + len(seg)
        if pieces and pieces[-1][1] < len(line.rstrip()):
            pieces[-1] = (pieces[-1][0], len(line))
        for s, e in pieces:
            units.append(Span(doc.doc_id, a + s, a + e, text[a + s : a + e]))
    return units


def passages(doc: Document, chunk_size: int, chunk_overlap: int) -> list[Span]:
    """Context chunks of `doc` from langchain's RecursiveCharacterTextSplitter.

    Offsets are placed by `_place`, not taken from the splitter's `start_index`: that one searches
    each chunk from where it guesses the chunk starts, and a chunk repeated nearby ("Photo: AP"
    twice) lands on its first copy, leaving the later one uncovered. Then checked.
    """
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=chunk_overlap,
        separators=["\n\n", "\n", ". ", " ", ""],
        keep_separator="end",
    )
    body = doc.text[doc.body_start :]
    chunks = splitter.split_text(body)
    spans = []
    for chunk, at in zip(chunks, _place(body, chunks, chunk_overlap), strict=True):
        start = doc.body_start + at
        end = start + len(chunk)
        if doc.text[start:end] != chunk:  # never serve a misplaced offset
            raise AssertionError(f"splitter offset mismatch in {doc.doc_id} at {start}")
        spans.append(Span(doc.doc_id, start, end, chunk))
    return spans


_SPACE = re.compile(r"\s*")


def _place(body: str, chunks: list[str], overlap: int) -> list[int]:
    """Where each of the splitter's `chunks` starts in `body`.

    The splitter's chunks cover the body in order: the first starts at its first visible
    character, each next one starts after the previous one's start, either overlapping its end
    by at most `overlap` characters or after white space only, and the last ends at the body's
    last visible character. Text that repeats can fit a chunk at several places; this keeps,
    chunk by chunk, every start reachable under those rules, and walks back from the end.
    """
    if not chunks:
        return []
    first = _SPACE.match(body).end()  # type: ignore[union-attr]
    # per chunk: each start it can have, with the start of the previous chunk that leads to it
    layers: list[dict[int, int]] = [{first: -1} if body.startswith(chunks[0], first) else {}]
    for previous, chunk in zip(chunks, chunks[1:], strict=False):
        reachable: dict[int, int] = {}
        for s in layers[-1]:
            end = s + len(previous)
            latest = _SPACE.match(body, end).end()  # type: ignore[union-attr]
            at = body.find(chunk, max(s + 1, end - overlap), latest + len(chunk))
            while at != -1:
                reachable.setdefault(at, s)
                at = body.find(chunk, at + 1, latest + len(chunk))
        layers.append(reachable)
    text_end = len(body.rstrip())
    ends = [s for s in layers[-1] if s + len(chunks[-1]) == text_end]
    if not ends:
        raise AssertionError("the splitter's chunks do not cover the body in order")
    starts = [min(ends)]
    for layer in reversed(layers[1:]):
        starts.append(layer[starts[-1]])
    return starts[::-1]
