"""The `rag` command end to end: output a person can read, JSON a program can parse, and every user error
one line on stderr with exit status 2, never a traceback.

Argument parsing alone is in unit/test_cli_parsing.py.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import GENEVA_Q, ROOT, SEEDS, child_env

import rag
from rag.cli import main

# ----------------------------------------------------------------------------- answers and builds


def test_ask_prints_quote_then_document_date_and_offsets(seed_index, capsys):
    assert main(["ask", GENEVA_Q, "--index", str(seed_index.path)]) == 0
    out = capsys.readouterr().out
    assert "Geneva" in out and "2022-01-04" in out and "characters" in out
    assert out.index("Geneva") < out.index("2022-01-04")


def test_ask_json_is_the_answer(seed_index, capsys):
    assert (
        main(
            ["ask", "How many troops are massed near the border?", "--index", str(seed_index.path), "--json", "-k", "2"]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is True and "100,000 troops" in data["text"]
    doc = seed_index.document(data["doc_id"]).text
    assert doc[data["start"] : data["end"]] == data["text"]
    assert 1 <= len(data["passages"]) <= 2


def test_ask_refusal_says_so(seed_index, capsys):
    assert main(["ask", "What is the boiling point of water?", "--index", str(seed_index.path)]) == 0
    out = capsys.readouterr().out
    assert "don't say" in out and "not answers" in out


def test_ask_within_one_article_answers_from_it_and_an_unknown_id_is_one_line(seed_index, capsys):
    (doc_id,) = seed_index.doc_ids
    assert main(["ask", GENEVA_Q, "--index", str(seed_index.path), "--doc", doc_id, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is True and data["doc_id"] == doc_id and "Geneva" in data["text"]
    assert main(["ask", GENEVA_Q, "--index", str(seed_index.path), "--doc", "nope.txt"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "no document 'nope.txt'" in err and "Traceback" not in err


def test_build_reports_what_it_did(seed_dir, tmp_path, capsys):
    assert main(["build", "--sources", str(seed_dir), "--index", str(tmp_path / "ix")]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["build", "--sources", str(seed_dir), "--index", str(tmp_path / "ix")]) == 0
    out = capsys.readouterr().out
    assert "1 reused" in out and "0 units embedded" in out
    assert "articles dated 2022-01-04\n" in out


def test_build_says_how_many_articles_have_no_date_and_how_to_give_one(seed_dir, tmp_path, capsys):
    # an undated article is visible whatever the as_of and never the latest: a stream read without
    # its dates answers as if every report were of one day, so the build says so
    src = tmp_path / "src"
    shutil.copytree(seed_dir, src)
    (src / "note.txt").write_text("Notes\n\nTalks resumed in Geneva after a pause.\n", encoding="utf-8")
    assert main(["build", "--sources", str(src), "--index", str(tmp_path / "ix")]) == 0
    out = capsys.readouterr().out
    assert "articles dated 2022-01-04; 1 of 2 without a date" in out and "date: YYYY-MM-DD" in out
    for dated in src.glob("2022-*"):
        dated.unlink()
    assert main(["build", "--sources", str(src), "--index", str(tmp_path / "ix")]) == 0
    assert "no article has a date" in capsys.readouterr().out


# ----------------------------------------------------------------------------- user errors


def _garbage_manifest(index_dir: Path) -> None:
    (index_dir / "manifest.json").write_bytes(b"\x00\xffnot json at all")


def _future_version(index_dir: Path) -> None:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    (index_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _truncated_vectors(index_dir: Path) -> None:
    (path,) = index_dir.glob("seg-*/vectors.faiss")
    path.write_bytes(path.read_bytes()[:100])


def _deleted_segment(index_dir: Path) -> None:
    (path,) = index_dir.glob("seg-*")
    shutil.rmtree(path)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage-manifest": _garbage_manifest,
    "future-version": _future_version,
    "truncated-vectors": _truncated_vectors,
    "deleted-segment": _deleted_segment,
}


@pytest.fixture
def damaged(seed_index: rag.Index, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index.path, index_dir)
    DAMAGE[request.param](index_dir)
    return index_dir


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], capture_output=True, text=True, cwd=ROOT, env=child_env(), timeout=300
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "", "--index", "index"], "empty"),
        (["build", "--sources", "/nonexistent/seeds", "--index", "{tmp}/index"], "not found"),
        (["ask", "hello", "-k", "0"], "-k"),
    ],
)
def test_user_errors_are_one_line_exit_2_no_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    assert_one_line_error(run(*(a.replace("{tmp}", str(tmp_path)) for a in args)), message)
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_ask_on_a_damaged_index_is_one_line_saying_how_to_rebuild(damaged: Path) -> None:
    proc = run("ask", GENEVA_Q, "--index", str(damaged))
    assert_one_line_error(proc, "rag build --index", str(damaged))


def test_ask_on_a_missing_index_says_how_to_build() -> None:
    assert_one_line_error(run("ask", "q", "--index", "/nonexistent"), "no index at /nonexistent", "rag build")


def test_build_into_a_path_that_cannot_be_a_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run("build", "--sources", str(SEEDS), "--index", str(blocker / "index"))
    assert_one_line_error(proc, "cannot write the index", str(blocker / "index"))


@pytest.mark.parametrize("question", ["", "   ", "\t\n", "\x00\x01"])
def test_ask_an_empty_question_is_one_line(
    seed_index: rag.Index, capsys: pytest.CaptureFixture[str], question: str
) -> None:
    assert main(["ask", question, "--index", str(seed_index.path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("error: the question is empty")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["build", "--sources", "{tmp}/missing"], "source folder not found"),
        (["build", "--sources", "{tmp}/empty"], "no .txt or .md files"),
        (["build", "--sources", "{tmp}/only-bad"], "no readable article"),
        (["ask", "q", "--index", "{tmp}/missing-index", "--sources", "{tmp}/missing"], "source folder not found"),
        (["ask", "q", "--index", "{tmp}", "-k", "-1"], "-k must be at least 1"),
    ],
)
def test_source_and_option_errors_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], needle: str
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "only-bad").mkdir()
    (tmp_path / "only-bad" / "x.txt").write_bytes(b"\x00\x00")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if argv[0] == "build":
        argv += ["--index", str(tmp_path / "index")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len([line for line in err.splitlines() if line.startswith("error:")]) == 1 and needle in err
    assert "Traceback" not in err


def test_ask_with_sources_repairs_a_damaged_index_instead_of_failing(
    seed_index: rag.Index, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index.path, index_dir)
    _truncated_vectors(index_dir)
    assert (
        main(
            [
                "ask",
                GENEVA_Q,
                "--index",
                str(index_dir),
                "--sources",
                str(SEEDS),
            ]
        )
        == 0
    )
    assert "Geneva" in capsys.readouterr().out
    rag.load_index(index_dir)  # repaired on disk too
