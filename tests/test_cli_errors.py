"""Issue 6: every user error of the `rag` command is one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from support import ROOT, child_env

import rag
from rag.cli import main


def _garbage_manifest(index_dir: Path) -> None:
    (index_dir / "manifest.json").write_bytes(b"\x00\xffnot json at all")


def _future_version(index_dir: Path) -> None:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    (index_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _truncated_vectors(index_dir: Path) -> None:
    (path,) = index_dir.glob("data-*/units.faiss")
    path.write_bytes(path.read_bytes()[:100])


def _deleted_data(index_dir: Path) -> None:
    (path,) = index_dir.glob("data-*")
    shutil.rmtree(path)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage-manifest": _garbage_manifest,
    "future-version": _future_version,
    "truncated-vectors": _truncated_vectors,
    "deleted-data-folder": _deleted_data,
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


@pytest.mark.parametrize("damaged", list(DAMAGE), indirect=True)
def test_ask_on_a_damaged_index_is_one_line_saying_how_to_rebuild(damaged: Path) -> None:
    proc = run("ask", "In which city will the talks take place?", "--index", str(damaged))
    assert_one_line_error(proc, "rag build --index", str(damaged))


def test_ask_on_a_missing_index_says_how_to_build() -> None:
    assert_one_line_error(run("ask", "q", "--index", "/nonexistent"), "no index at /nonexistent", "rag build")


def test_build_into_a_path_that_cannot_be_a_folder_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    proc = run("build", "--sources", str(ROOT / "seeds"), "--index", str(blocker / "index"))
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
                "In which city will the talks take place?",
                "--index",
                str(index_dir),
                "--sources",
                str(ROOT / "seeds"),
            ]
        )
        == 0
    )
    assert "Geneva" in capsys.readouterr().out
    rag.load_index(index_dir)  # repaired on disk too
