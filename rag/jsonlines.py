"""Append-only JSON Lines logs (feedback, audit): one whole JSON object per line, never torn or interleaved."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# `str.splitlines` also breaks on these; JSON leaves them raw with ensure_ascii=False.
_LINE_BREAKERS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def json_line(record: Mapping[str, Any]) -> bytes:
    """`record` as one line of UTF-8 JSON, its newline included; no character in it breaks a line."""
    text = json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
    for raw, escaped in _LINE_BREAKERS.items():
        text = text.replace(raw, escaped)
    return (text + "\n").encode("utf-8")


def append_line(path: str | os.PathLike[str], line: bytes, *, mode: int = 0o644, sync: bool = False) -> Path:
    """Append `line` to `path` (created with `mode`, its folder too) and return the path; `sync`: fsync it.

    Safe under concurrent writers, threads or processes: the file is opened with O_APPEND
    (each write lands at the current end) and the line goes out in a single `os.write` under
    an exclusive `flock`, so lines never interleave or tear even if a write were split or
    another writer does not use O_APPEND.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), mode)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            written = os.write(fd, line)
            # a regular file takes the whole buffer; finish a short write (disk full, signal) under the lock
            while written < len(line):
                written += os.write(fd, line[written:])
            if sync:
                os.fsync(fd)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
    return target
