"""Command-line parsing of `rag` and `python -m ui`: help with examples, flags over environment, safe defaults."""

from __future__ import annotations

import pytest

from rag.cli import parser
from ui import cli as ui_cli


def test_every_command_has_help_with_an_example():
    sub = next(a for a in parser()._actions if a.dest == "command")  # noqa: SLF001
    for name, command in sub.choices.items():
        assert command.description and "Example: rag " + name in command.description


def test_flags_win_over_gradio_env_vars():
    env = {"GRADIO_SERVER_NAME": "127.0.0.2", "GRADIO_SERVER_PORT": "7999"}
    args = ui_cli.parse_args([], env=env)
    assert (args.host, args.port) == ("127.0.0.2", 7999)
    args = ui_cli.parse_args(["--host", "127.0.0.1", "--port", "8123"], env=env)
    assert (args.host, args.port) == ("127.0.0.1", 8123)
    args = ui_cli.parse_args([], env={})
    assert (args.host, args.port, args.sources, args.index, args.data) == ("127.0.0.1", 7860, "seeds", "index", "data")


def test_feedback_folder_must_be_outside_the_index():
    with pytest.raises(SystemExit):
        ui_cli.parse_args(["--index", "index", "--data", "index/feedback"], env={})


def test_command_line_defaults_to_loopback_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert ui_cli.parse_args([], env={}).host == "127.0.0.1"
    with pytest.raises(SystemExit):
        ui_cli.parse_args(["--help"], env={})
    assert "127.0.0.1" in capsys.readouterr().out
