"""A source folder of articles: list its files, read each into `Document`s by its format, add files to it.

`.txt`/`.md` files are articles byte for byte (an optional metadata header on top); saved
pages (`.html`/`.htm`), RSS/Atom feeds (`.xml`/`.rss`/`.atom`) and JSONL exports (`.jsonl`)
are read through `rag.ingest` into one or many articles of extracted text. `add` copies
files in atomically and indexes them.
"""

from .adding import AddReport, add, checked_name, copy_into
from .articles import article_sha256, read_article_file
from .document import READING_VERSION, Document, FileRead, SourceFile
from .listing import (
    ARTICLE_SUFFIXES,
    SUFFIXES,
    TEXT_SUFFIXES,
    is_source_name,
    list_sources,
    settled_sources,
    sha256_file,
    young,
)
from .reading import SourceRead, read_file, read_files, read_sources
from .text_files import MAX_FILE_BYTES, parse_header, read_document, read_text_file

__all__ = [
    "READING_VERSION",
    "AddReport",
    "ARTICLE_SUFFIXES",
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "TEXT_SUFFIXES",
    "Document",
    "FileRead",
    "SourceFile",
    "SourceRead",
    "add",
    "article_sha256",
    "checked_name",
    "copy_into",
    "is_source_name",
    "list_sources",
    "parse_header",
    "read_article_file",
    "read_document",
    "read_file",
    "read_files",
    "read_sources",
    "read_text_file",
    "settled_sources",
    "sha256_file",
    "young",
]
