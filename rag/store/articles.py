"""The articles of a loaded index, read from each segment's documents.jsonl when asked for, not held in memory.

A loaded index needs every article's id and date at once, but the text of only the few articles a
question touches. Holding every text as a Python string cost 62 MB at 200k units and ~300 MB at
1M (a text with one non-ASCII character takes 2 or 4 bytes per character). So each file is parsed
once at load, to check every row and keep the ids, dates and text lengths, and an article is parsed
again from its line (`os.pread`: no memory map, whose touched pages would stay in the process's
memory) when it is asked for; the most recently used are kept.
"""

from __future__ import annotations

import functools
import json
import os
import weakref
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np

from ..documents import Document

# Parsed articles kept per index: a question touches ~50 articles, a briefing a window's worth.
# Re-parsing a line costs ~20 us; at 200k units a cache of 2,048 kept ~15 MB more for 4% more hits.
CACHE = 512


class ArticleFile:
    """One segment's documents.jsonl: checked once, its lines read again on demand."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        # the descriptor keeps the file readable even after a later build deletes its segment
        weakref.finalize(self, os.close, self._fd)
        offsets, ids, dates, lengths, headers = [0], [], [], [], []
        with open(path, "rb") as fh:
            for line in fh:
                doc = Document(**json.loads(line))  # every field checked, as a full load would
                offsets.append(offsets[-1] + len(line))
                ids.append(doc.doc_id)
                dates.append(doc.date)
                lengths.append(len(doc.text))
                headers.append(doc.header_words())
        self.offsets = np.array(offsets, dtype=np.int64)
        self.ids: list[str] = ids
        self.dates: list[str | None] = dates
        self.lengths = np.array(lengths, dtype=np.int64)
        self.headers: list[str] = headers

    def __len__(self) -> int:
        return len(self.ids)

    def read(self, i: int) -> Document:
        """Article `i` of this file, parsed from its line."""
        start, end = int(self.offsets[i]), int(self.offsets[i + 1])
        return Document(**json.loads(os.pread(self._fd, end - start, start)))


class Articles(Sequence[Document]):
    """Every article of an index by row (segment after segment): ids, dates, headers at hand, texts read on access."""

    def __init__(self, files: Sequence[ArticleFile]) -> None:
        self._files = list(files)
        self._first = np.cumsum([0, *(len(f) for f in self._files)]).astype(np.int64)
        self.ids: list[str] = [i for f in self._files for i in f.ids]
        self.dates: list[str | None] = [d for f in self._files for d in f.dates]
        self.headers: list[str] = [h for f in self._files for h in f.headers]
        self._read = functools.lru_cache(maxsize=CACHE)(self._parse)

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, row: int) -> Document: ...

    @overload
    def __getitem__(self, row: slice) -> list[Document]: ...

    def __getitem__(self, row: int | slice) -> Document | list[Document]:
        if isinstance(row, slice):
            return [self._read(i) for i in range(*row.indices(len(self.ids)))]
        row = int(row)
        if not 0 <= row < len(self.ids):
            raise IndexError(f"no article row {row}")
        return self._read(row)

    def _parse(self, row: int) -> Document:
        segment = int(np.searchsorted(self._first, row, side="right")) - 1
        return self._files[segment].read(row - int(self._first[segment]))

    def __iter__(self) -> Iterator[Document]:
        return (self[i] for i in range(len(self)))

    def doc_id(self, row: int) -> str:
        """The id of article `row` (nothing parsed)."""
        return self.ids[row]


class LiveArticles(Mapping[str, Document]):
    """The live articles of an index by id, in id order, each read when asked for."""

    def __init__(self, articles: Articles, rows: Mapping[str, int]) -> None:
        self._articles = articles
        self._rows = rows
        self._ids = sorted(rows)

    def __getitem__(self, doc_id: str) -> Document:
        return self._articles[self._rows[doc_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._rows
