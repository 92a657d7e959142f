"""The audit log (`rag.access.audit`): one JSON line per event, appended whole even by concurrent writers, read back
with torn or edited lines counted, and an article id traced to the file and the line that brought it in."""

from __future__ import annotations

import json
import stat
import threading
from pathlib import Path

import pytest

from rag.access import AuditEvent, append_event, audit_trail, file_of, read_events


def _event(action: str = "add", file: str = "a.txt", sha: str | None = "1" * 64, **kw) -> AuditEvent:
    return AuditEvent("2022-03-01T10:00:00+00:00", "ed", action, file, sha, 10, **kw)


def test_each_event_is_one_private_line_and_reads_back_equal(tmp_path: Path):
    log = tmp_path / "data" / "audit.jsonl"
    odd = _event(file="line\u2028break\x85.txt", result="two\nlines", articles=("a.txt#1",))
    append_event(log, _event())
    append_event(log, odd)
    lines = log.read_text(encoding="utf-8").split("\n")
    assert len(lines) == 3 and lines[-1] == ""  # no raw line break of any kind inside a line
    assert json.loads(lines[1])["file"] == odd.file
    assert read_events(log) == ([_event(), odd], 0)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_concurrent_writers_never_interleave(tmp_path: Path):
    log = tmp_path / "audit.jsonl"
    big = "x" * 20_000  # well past a pipe buffer: one write per line still holds under the lock

    def write(n: int) -> None:
        for i in range(25):
            append_event(log, _event(file=f"{n}-{i}.txt", result=big))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    events, bad = read_events(log)
    assert bad == 0 and len(events) == 100 and len({e.file for e in events}) == 100


def test_a_torn_or_edited_line_is_counted_not_read(tmp_path: Path):
    log = tmp_path / "audit.jsonl"
    append_event(log, _event())
    with log.open("a", encoding="utf-8") as fh:
        fh.write('{"time": "x", "user": 3}\n')  # edited: a field of the wrong type
        fh.write('{"time": "2022-03-01", "user": "ed", "action": "add", "fi')  # torn: no newline
    events, bad = read_events(log)
    assert events == [_event()] and bad == 1
    with pytest.raises(ValueError, match="unknown audit action"):
        _event(action="rewrite")


def test_file_of_finds_the_source_file_of_feed_and_jsonl_articles():
    files = {"feed.rss": {}, "odd#name.jsonl": {}, "a.txt": {}}
    assert file_of("a.txt", files) == "a.txt"
    assert file_of("feed.rss#3", files) == "feed.rss"
    assert file_of("odd#name.jsonl#7", files) == "odd#name.jsonl"


def test_the_trail_without_an_index_is_the_last_add_not_removed_since(tmp_path: Path):
    log = tmp_path / "audit.jsonl"
    append_event(log, _event(sha="1" * 64))
    append_event(log, _event("replace", sha="2" * 64))
    trail = audit_trail("a.txt", log)
    assert trail.source is not None and trail.source.sha256 == "2" * 64 and len(trail.events) == 2
    append_event(log, _event("remove", sha="2" * 64))
    assert audit_trail("a.txt", log).source is None
    assert audit_trail("b.txt", log).events == ()
