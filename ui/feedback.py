"""Append like/dislike feedback to `<data>/feedback.jsonl`, one whole JSON object per line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.jsonlines import append_line, json_line

FEEDBACK_FILE = "feedback.jsonl"


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
    """Append `record` as one JSON line to `data_dir/feedback.jsonl` and return that path (see `append_line`)."""
    return append_line(Path(data_dir) / FEEDBACK_FILE, json_line(record))
