"""The `rag` command line: output a person can read, JSON a program can parse, clean errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main, parser

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "rag", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=300
    )


def test_ask_prints_quote_then_document_date_and_offsets(seed_index, capsys):
    assert main(["ask", "In which city will the talks take place?", "--index", str(seed_index.path)]) == 0
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


def test_build_reports_what_it_did(seed_dir, tmp_path, capsys):
    assert main(["build", "--sources", str(seed_dir), "--index", str(tmp_path / "ix")]) == 0
    assert "1 added" in capsys.readouterr().out
    assert main(["build", "--sources", str(seed_dir), "--index", str(tmp_path / "ix")]) == 0
    out = capsys.readouterr().out
    assert "1 reused" in out and "0 units embedded" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["ask", "", "--index", "index"], "empty"),
        (["ask", "hello", "--index", "/nonexistent/index"], "no index"),
        (["build", "--sources", "/nonexistent/seeds", "--index", "/tmp/x"], "not found"),
        (["ask", "hello", "-k", "0"], "-k"),
    ],
)
def test_user_errors_are_one_line_exit_2_no_traceback(args, message):
    proc = run(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_every_command_has_help_with_an_example():
    sub = next(a for a in parser()._actions if a.dest == "command")  # noqa: SLF001
    for name, command in sub.choices.items():
        assert command.description and "Example: rag " + name in command.description
