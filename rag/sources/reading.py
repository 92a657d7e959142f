"""Read the listed files of a source folder into `Document`s: each file by its format, duplicates once."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..errors import SourceError
from .articles import read_article_file
from .document import Document, FileRead, SourceFile
from .listing import TEXT_SUFFIXES, list_sources
from .text_files import read_text_file


@dataclass(frozen=True)
class SourceRead:
    """What reading a list of source files gave: the articles, and why the others were left out."""

    documents: tuple[Document, ...]
    skipped: dict[str, str]  # file or article id -> why it is not indexed
    # sha256 of every file read whole, by file id
    sha256: dict[str, str]
    # file id -> why it is held back (being written): neither indexed anew nor dropped this time
    held_back: dict[str, str]


def read_file(source: SourceFile, settle: float = 0.0) -> FileRead:
    """Read one listed file by its format (see `read_text_file` and `read_article_file`)."""
    if source.doc_id.lower().endswith(TEXT_SUFFIXES):
        return read_text_file(source, settle)
    return read_article_file(source, settle)


def read_files(
    listed: Sequence[SourceFile], *, settle: float = 0.0, on_file: Callable[[int, int], None] | None = None
) -> SourceRead:
    """Read `listed`; each file skipped or held back, and each problem of a kept article, is one warning line.

    Articles with identical content are indexed once (the first id wins) and reported as
    duplicates. With `settle`, files written less than `settle` seconds ago are held back.
    `on_file(files read, articles so far)` is called after each file.
    """
    docs: list[Document] = []
    skipped: dict[str, str] = {}
    hashes: dict[str, str] = {}
    held_back: dict[str, str] = {}
    seen: dict[str, str] = {}
    ids: set[str] = set()
    lines: list[str] = []
    for done, source in enumerate(listed, start=1):
        read = read_file(source, settle)
        if read.sha256:
            hashes[source.doc_id] = read.sha256
        if read.held_back:
            held_back[source.doc_id] = read.held_back
            lines.append(f"held back {source.doc_id}: {read.held_back}; indexed once it has settled")
        elif read.skipped:
            skipped[source.doc_id] = read.skipped
            lines.append(f"skipped {source.doc_id}: {read.skipped}")
        lines.extend(read.warnings)
        for doc in read.documents:
            if doc.doc_id in ids:  # "x.jsonl#k.txt": a file named like another file's article
                skipped[doc.doc_id] = "another file gives an article of the same id; rename one of the two"
                lines.append(f"skipped {doc.doc_id}: {skipped[doc.doc_id]}")
            elif doc.sha256 in seen:
                skipped[doc.doc_id] = f"duplicate of {seen[doc.sha256]}"
                lines.append(f"skipped {doc.doc_id}: {skipped[doc.doc_id]}")
            else:
                seen[doc.sha256] = doc.doc_id
                ids.add(doc.doc_id)
                docs.append(doc)
        if on_file is not None:
            on_file(done, len(docs))
    for line in lines:
        warnings.warn(line, stacklevel=3)
    return SourceRead(tuple(docs), skipped, hashes, held_back)


def read_sources(folder: str | os.PathLike[str]) -> list[Document]:
    """Read every article of `folder` (see `read_files`).

    Raises `SourceError` when the folder is missing or nothing readable remains.
    """
    docs = list(read_files(list_sources(folder)).documents)
    if not docs:
        raise SourceError(f"no readable article in {folder!s} (every file was skipped; see warnings)")
    return docs
