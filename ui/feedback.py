"""Append like/dislike feedback to `<data>/feedback.jsonl`, one whole JSON object per line."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

FEEDBACK_FILE = "feedback.jsonl"

# `str.splitlines` also breaks on these; JSON leaves them raw with ensure_ascii=False.
_LINE_BREAKERS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _line(record: dict[str, Any]) -> bytes:
    text = json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKERS.items():
        text = text.replace(raw, escaped)
    return (text + "\n").encode("utf-8")


def feedback_record(record: Mapping[str, Any], liked: bool | str | None, when: str) -> dict[str, Any]:
    """One line of feedback.jsonl for the reply `record`."""
    return {
        "time": when,
        "question": record.get("question"),
        "answer": record.get("text"),
        "found": record.get("found"),
        "doc_id": record.get("doc_id"),
        "start": record.get("start"),
        "end": record.get("end"),
        "liked": liked,
    }


def append_feedback(data_dir: str | os.PathLike[str], record: dict[str, Any]) -> Path:
    """Append `record` as one JSON line to `data_dir/feedback.jsonl` and return that path.

    Safe under concurrent writers, threads or processes: the file is opened with
    O_APPEND (each write lands at the current end) and the line goes out in a single
    `os.write` under an exclusive `flock`, so lines never interleave or tear even if a
    write were split or another writer does not use O_APPEND.
    """
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FEEDBACK_FILE
    data = _line(record)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            written = os.write(fd, data)
            # a regular file takes the whole buffer; finish a short write (disk full, signal) under the lock
            while written < len(data):
                written += os.write(fd, data[written:])
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return path
