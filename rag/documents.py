"""The articles of a source folder: `Document` and the readers, whose code lives in `rag.sources`.

Kept so that `from rag.documents import Document, read_sources, ...` goes on working.
"""

import os  # noqa: F401  tests spy on `rag.documents.os.open`: the module every reader opens files through

from .sources import (
    MAX_FILE_BYTES,
    SUFFIXES,
    Document,
    SourceFile,
    SourceRead,
    list_sources,
    parse_header,
    read_document,
    read_files,
    read_sources,
    sha256_file,
)

__all__ = [
    "MAX_FILE_BYTES",
    "SUFFIXES",
    "Document",
    "SourceFile",
    "SourceRead",
    "list_sources",
    "parse_header",
    "read_document",
    "read_files",
    "read_sources",
    "sha256_file",
]
