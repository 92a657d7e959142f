"""The users file (`rag.access.users`) and `rag users`: hashed passwords, 0600, atomic writes, tampering refused."""

from __future__ import annotations

import io
import json
import os
import pty
import select
import signal
import stat
import sys
import time
from pathlib import Path

import pytest
from support import ROOT, child_env

from rag import cli
from rag.access import (
    EDITOR,
    READER,
    UsersFileError,
    add_user,
    key_path,
    load_users,
    remove_user,
    verify_password,
)

PASSWORD = "correct horse battery"


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "users.json"
    add_user(path, "alice", EDITOR, PASSWORD)
    add_user(path, "bob", READER, "bob's long password")
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_users_are_stored_with_argon2id_hashes_never_the_password(users_file: Path):
    text = users_file.read_text(encoding="utf-8")
    assert PASSWORD not in text and "bob's long password" not in text
    users = load_users(users_file)
    assert [(u.name, u.role) for u in users.users] == [("alice", EDITOR), ("bob", READER)]
    alice = users.get("alice")
    assert alice is not None and alice.password_hash.startswith("$argon2id$")
    assert verify_password(alice.password_hash, PASSWORD)
    assert not verify_password(alice.password_hash, PASSWORD + "!")
    assert not verify_password(None, PASSWORD)  # an unknown name never signs in


def test_the_file_and_its_key_are_private_and_nothing_is_left_behind(users_file: Path):
    assert _mode(users_file) == 0o600 and _mode(key_path(users_file)) == 0o600
    assert sorted(p.name for p in users_file.parent.iterdir()) == ["users.json", "users.json.key", "users.json.lock"]


def test_remove_and_update(users_file: Path):
    with pytest.raises(ValueError, match="already exists.*--update"):
        add_user(users_file, "bob", EDITOR, "another password")
    add_user(users_file, "bob", EDITOR, "another password", update=True)
    bob = load_users(users_file).get("bob")
    assert bob is not None and bob.role == EDITOR and verify_password(bob.password_hash, "another password")
    assert remove_user(users_file, "bob").name == "bob"
    assert load_users(users_file).get("bob") is None
    with pytest.raises(ValueError, match="no user 'bob'"):
        remove_user(users_file, "bob")


@pytest.mark.parametrize("name", ["", "../x", "a b", "-x", "x" * 65, "é"])
def test_bad_names_are_refused(tmp_path: Path, name: str):
    with pytest.raises(ValueError, match="bad user name"):
        add_user(tmp_path / "users.json", name, READER, PASSWORD)
    assert not (tmp_path / "users.json").exists()


@pytest.mark.parametrize("password", ["short", " leading space", "x" * 2000])
def test_weak_or_odd_passwords_are_refused(tmp_path: Path, password: str):
    with pytest.raises(ValueError, match="password"):
        add_user(tmp_path / "users.json", "carol", READER, password)


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")
    os.chmod(path, 0o600)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["users"]["bob"].update(role="editor"),  # a reader made editor by hand
        lambda d: d["users"].update(mallory=dict(d["users"]["alice"])),  # a name added by hand
        lambda d: d["users"].pop("alice"),
        lambda d: d.update(mac="0" * 64),
        lambda d: d.pop("mac"),
    ],
)
def test_a_hand_edit_fails_the_integrity_check(users_file: Path, change):
    _edit(users_file, change)
    with pytest.raises(UsersFileError, match="fails its integrity check"):
        load_users(users_file)


def test_a_file_restored_with_another_key_is_refused(users_file: Path, tmp_path: Path):
    other = tmp_path / "other" / "users.json"
    add_user(other, "alice", EDITOR, PASSWORD)
    key_path(users_file).write_bytes(key_path(other).read_bytes())
    with pytest.raises(UsersFileError, match="integrity check"):
        load_users(users_file)


def test_malformed_missing_and_open_files_each_give_one_clear_error(users_file: Path, tmp_path: Path):
    with pytest.raises(UsersFileError, match=r"users file not found: .*rag users add"):
        load_users(tmp_path / "nowhere.json")
    os.chmod(users_file, 0o644)
    with pytest.raises(UsersFileError, match=r"open to other accounts \(mode 0644\): run chmod 600"):
        load_users(users_file)
    users_file.write_text('{"format": "crisis-rag-users", "users": {', encoding="utf-8")
    os.chmod(users_file, 0o600)
    with pytest.raises(UsersFileError, match="not valid JSON"):
        load_users(users_file)
    other = tmp_path / "other.json"
    add_user(other, "alice", EDITOR, PASSWORD)
    key_path(other).unlink()
    with pytest.raises(UsersFileError, match="key file not found"):
        load_users(other)


def test_a_users_file_without_its_key_is_never_given_a_new_one(users_file: Path):
    key_path(users_file).unlink()
    with pytest.raises(UsersFileError, match="key file not found"):
        add_user(users_file, "carol", READER, PASSWORD)
    assert not key_path(users_file).exists()


# ---------------------------------------------------------------------------- rag users


def test_cli_add_list_remove_with_password_stdin(tmp_path: Path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long passphrase\n"))
    assert cli.main(["users", "add", "dana", "--role", "reader", "--password-stdin", "--file", str(path)]) == 0
    dana = load_users(path).get("dana")
    assert dana is not None and verify_password(dana.password_hash, "a long passphrase")
    assert cli.main(["users", "list", "--file", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].split("\t")[:2] == ["dana", "reader"]
    assert cli.main(["users", "remove", "dana", "--file", str(path)]) == 0
    assert cli.main(["users", "remove", "dana", "--file", str(path)]) == cli.EXIT_USAGE
    assert "no user 'dana'" in capsys.readouterr().err


def test_cli_refuses_a_bad_role_and_a_tampered_file(users_file: Path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["users", "add", "erin", "--role", "admin", "--file", str(users_file)])
    assert "invalid choice: 'admin'" in capsys.readouterr().err
    _edit(users_file, lambda d: d["users"]["bob"].update(role="editor"))
    assert cli.main(["users", "list", "--file", str(users_file)]) == cli.EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "fails its integrity check" in err


def _run_on_a_terminal(args: list[str], answers: list[str], timeout: float = 60.0) -> tuple[int, str]:
    """Run `python -m rag ARGS` on a pseudo-terminal, typing each answer at each prompt; (exit code, what it showed)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: its terminal is the pty
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "rag", *args], child_env())
    shown = b""
    pending = list(answers)
    answered_at = 0  # what was shown when the last answer was typed: answer only a prompt that came after it
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown[answered_at:].rstrip().endswith(b":"):
                os.write(fd, (pending.pop(0) + "\n").encode())
                answered_at = len(shown)
    done, status = os.waitpid(pid, os.WNOHANG)
    grace = time.monotonic() + 10
    while not done and time.monotonic() < grace:
        time.sleep(0.1)
        done, status = os.waitpid(pid, os.WNOHANG)
    if not done:  # still waiting for input: stop it rather than hang the suite
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_cli_prompts_twice_without_echo(tmp_path: Path):
    path = tmp_path / "users.json"
    code, shown = _run_on_a_terminal(
        ["users", "add", "frank", "--role", "editor", "--file", str(path)], ["typed twice!", "typed twice!"]
    )
    assert code == 0, shown
    assert "Password:" in shown and "Password again:" in shown
    assert "typed twice!" not in shown  # not echoed
    frank = load_users(path).get("frank")
    assert frank is not None and frank.role == EDITOR and verify_password(frank.password_hash, "typed twice!")

    code, shown = _run_on_a_terminal(
        ["users", "add", "gina", "--role", "reader", "--file", str(path)], ["first version", "second version"]
    )
    assert code == cli.EXIT_USAGE and "the two passwords differ" in shown
    assert load_users(path).get("gina") is None
