"""A 1,000-article JSONL export: one changed line re-embeds one article; build progress on and off a terminal.

The articles are paragraphs of eval/ukraine_2022/docs (the CC0 ukraine-2022-statements corpus, see
eval/ukraine_2022/SOURCE.md).
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

from source_helpers import paragraph_records, write_jsonl
from support import ROOT, SEEDS, assert_exact, child_env

import rag
from rag.chunking import sentence_units
from rag.progress import EMBEDDING, READING, BuildProgress

SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"


def test_one_changed_line_of_a_1000_article_export_re_embeds_that_article_only(tmp_path: Path) -> None:
    sources, index_dir = tmp_path / "sources", tmp_path / "index"
    sources.mkdir()
    records = paragraph_records(1000)
    write_jsonl(sources / "export.jsonl", records)
    events: list[BuildProgress] = []
    first = rag.build_index(sources, index_dir, progress=events.append)
    assert len(first.doc_ids) == 1000 and first.report is not None
    assert first.report.embedded_units == first.manifest["counts"]["units"]
    # progress: the one file read, then every sentence embedded, articles counted up to all of them
    reading = [e for e in events if e.stage == READING]
    embedding = [e for e in events if e.stage == EMBEDDING]
    assert reading[-1].done == reading[-1].total == 1 and reading[-1].articles == 1000
    assert embedding[-1].done == embedding[-1].total == first.report.embedded_units
    assert embedding[-1].articles == 1000
    assert [e.done for e in embedding] == sorted(e.done for e in embedding)

    edited = dict(records[500], text=f"{records[500]['text']} Port officials in Velmar counted 4,217 sacks of flour.")
    write_jsonl(sources / "export.jsonl", records[:500] + [edited] + records[501:])
    second = rag.build_index(sources, index_dir)
    report = second.report
    assert report is not None
    doc_id = f"export.jsonl#{records[500]['id']}"
    assert report.changed == (doc_id,) and report.added == report.removed == ()
    assert len(report.reused) == 999
    assert report.embedded_units == len(sentence_units(second.document(doc_id)))
    a = second.answer("How many sacks of flour were counted in Velmar?")
    assert a.found and a.doc_id == doc_id and "4,217" in a.text
    assert_exact(second, a)


# ----------------------------------------------------------------------------- progress output


def _run_build(sources: Path, index_dir: Path, *extra: str, tty: bool = False) -> tuple[int, str, str]:
    """`python -m rag build` in a child process; stderr is a pseudo-terminal when `tty`."""
    args = [sys.executable, "-m", "rag", "build", "--sources", str(sources), "--index", str(index_dir), *extra]
    if not tty:
        proc = subprocess.run(args, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600)
        return proc.returncode, proc.stdout, proc.stderr
    leader, follower = pty.openpty()
    # a new pseudo-terminal is 0 columns wide: give it a terminal's size, or the bar has no room
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(args, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = proc.communicate(timeout=600)[0].decode()
    os.close(leader)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


def test_build_without_a_terminal_prints_no_bar_and_a_closing_summary(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(SEEDS / SEED_ID, sources)
    write_jsonl(sources / "export.jsonl", paragraph_records(40))
    code, out, err = _run_build(sources, tmp_path / "index")
    assert code == 0, err
    assert "\r" not in err and "it/s" not in err and "sentences/s" not in err and "%|" not in err
    assert err == ""  # nothing to warn about, and no bar in a log
    lines = out.splitlines()
    assert lines[0].startswith("indexed 41 documents") and "41 added" in lines[1]
    assert lines[2].startswith("41 articles (") and "articles/s" in lines[2] and "sentences/s" in lines[2]


def test_build_on_a_terminal_draws_one_bar_and_quiet_draws_none(tmp_path: Path) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    write_jsonl(sources / "export.jsonl", paragraph_records(30))
    code, out, err = _run_build(sources, tmp_path / "index", tty=True)
    assert code == 0, err
    assert "embedding" in err and "sentences/s" in err and "articles/s" in err
    assert "30 articles (" in out
    code, out, err = _run_build(sources, tmp_path / "index2", "--quiet", tty=True)
    assert code == 0 and "sentences/s" not in err and "embedding" not in err
