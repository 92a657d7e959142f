"""The feedback record written for a like or dislike (`ui.feedback.feedback_record`).

Concurrent appends to the feedback log are in integration/test_concurrency.py.
"""

from __future__ import annotations

from rag import Answer
from ui.feedback import feedback_record


def test_feedback_record_fields():
    record = feedback_record(Answer("q?", True, "quote", "d.txt", 1, 6).to_dict(), True, "2024-01-01T00:00:00+00:00")
    assert record == {
        "time": "2024-01-01T00:00:00+00:00",
        "question": "q?",
        "answer": "quote",
        "found": True,
        "doc_id": "d.txt",
        "start": 1,
        "end": 6,
        "liked": True,
    }
