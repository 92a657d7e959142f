"""The boundary types of a source folder: `Document` (an article), `SourceFile` (a file), `FileRead` (what it gave)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The rules that read a file into `Document`s (header, date): bumped when they change, so that an
# index made under older ones is stale and its unchanged files are read again. 2: dates written in
# words or with a time, a day a text file's name starts with, other exports' JSONL field names,
# `author:` and `published:` header lines, a time after an inline `date 2022-01-04`, Markdown front matter.
READING_VERSION = 2


@dataclass(frozen=True)
class Document:
    """One article: quotes and passages are offsets into `text`.

    For a `.txt`/`.md` file `text` is the file's content, unchanged, and `body_start` is where
    its metadata header ends. For a saved page, feed entry or JSONL line it is the text
    `rag.ingest` extracted (the file itself holds markup), and `body_start` is 0.
    """

    doc_id: str
    text: str
    # of the file's bytes (.txt/.md), or of the extracted text and metadata (other formats): an
    # article whose hash is unchanged reuses its stored vectors
    sha256: str
    date: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    body_start: int = 0
    author: str | None = None

    def reading(self) -> tuple[Any, ...]:
        """What the reading rules make of the file besides its text: metadata and where the body starts."""
        return (self.date, self.title, self.source, self.url, self.author, self.body_start)

    @property
    def label(self) -> str:
        """What a reader calls this document: its title, else its id."""
        return self.title or self.doc_id

    def header_words(self) -> str:
        """Its title, source and author, joined: what names the article without being a quotable sentence."""
        return " ".join(filter(None, (self.title, self.source, self.author)))


@dataclass(frozen=True)
class SourceFile:
    """A candidate file of a source folder, before it is read."""

    doc_id: str  # its path relative to the folder, "/"-separated: the id of its article(s)
    path: str  # a plain string: a Path per file costs more than the stat, before every answer
    size: int
    mtime_ns: int
    # with size and mtime, what tells a rewritten file from an untouched one without reading it
    ctime_ns: int = 0
    inode: int = 0


@dataclass(frozen=True)
class FileRead:
    """What reading one source file gave: its articles, or why it was skipped or held back.

    `held_back` is set when the file changed while it was read (a writer is at work): it is
    neither indexed nor dropped this time; its previous version, if any, stays indexed.
    """

    documents: tuple[Document, ...] = ()
    skipped: str | None = None
    held_back: str | None = None
    warnings: tuple[str, ...] = ()  # one line each, naming the file: kept articles' problems
    sha256: str | None = None  # of the bytes read, when the whole file was read
