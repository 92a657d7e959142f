"""Sign-in over HTTP on loopback: every upload checked by the server, brute force and questions rate-limited,
upload sizes bounded, and a server that must not start open (off loopback, missing or tampered users file) refusing to."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gradio as gr
import httpx
import pytest
from support import GENEVA_Q, ROOT, SEEDS, SignedInApp, child_env, free_port, start_signed_in

import rag
from rag.access import EDITOR, READER, add_user
from ui import app as ui_app
from ui import cli as ui_cli
from ui.articles_tab import ArticleHandlers
from ui.limits import Limits, Rate
from ui.signin import OPEN, Access
from ui.uploads import Articles

EDITOR_LOGIN = ("ed", "editor passphrase")
READER_LOGIN = ("rita", "reader passphrase")
ARTICLE = b"date 2022-03-02 The ferry to Ostrin resumed service on Wednesday, the operator said.\n"
# small enough for a test to reach, large enough for the logins and questions each test needs
LIMITS = Limits(
    questions=Rate(3, 600.0),
    signin_per_name=Rate(3, 600.0),
    signin_per_address=Rate(50, 600.0),
    max_upload_request_bytes=20_000,
)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index) -> Iterator[SignedInApp]:
    logins = {
        READER_LOGIN[0]: (READER, READER_LOGIN[1]),
        EDITOR_LOGIN[0]: (EDITOR, EDITOR_LOGIN[1]),
        "quinn": (READER, "quinn passphrase"),
        "brutus": (EDITOR, "brutus passphrase"),
    }
    app = start_signed_in(tmp_path_factory.mktemp("access-http"), seed_index, logins, LIMITS)
    yield app
    app.demo.close()


@contextmanager
def _client(served: SignedInApp, login: tuple[str, str] | None = None) -> Iterator[httpx.Client]:
    """An HTTP client of the app, signed in as `login` (name, password) when given."""
    with httpx.Client(base_url=served.url, timeout=120) as client:
        if login:
            r = client.post("/login", data={"username": login[0], "password": login[1]})
            assert r.status_code == 200, r.text
        yield client


def _upload(client: httpx.Client, body: bytes = ARTICLE, name: str = "ferry.txt") -> httpx.Response:
    return client.post("/gradio_api/upload", files={"files": (name, body, "text/plain")})


def _ask(client: httpx.Client, question: str) -> str:
    """POST a question to /answer and return the whole event stream."""
    r = client.post("/gradio_api/call/answer", json={"data": [question]})
    assert r.status_code == 200, r.text[:300]
    return client.get(f"/gradio_api/call/answer/{r.json()['event_id']}").text


def test_without_sign_in_nothing_is_served_and_no_upload_is_taken(served: SignedInApp):
    with _client(served) as anonymous:
        assert _upload(anonymous).status_code == 403
        assert anonymous.get("/config").status_code == 401
        assert anonymous.post("/gradio_api/call/answer", json={"data": [GENEVA_Q]}).status_code == 401
    assert not (served.data / "audit.jsonl").exists()


def test_a_reader_may_ask_but_not_upload(served: SignedInApp):
    with _client(served, READER_LOGIN) as reader:
        refused = _upload(reader)
        assert refused.status_code == 403 and "only editors may upload" in refused.json()["detail"]
        assert "event: complete" in _ask(reader, GENEVA_Q)


def test_a_forged_add_event_from_a_reader_is_refused_and_its_file_deleted(served: SignedInApp, tmp_path: Path):
    """The check in the event itself, behind the gate: a reader's add never reaches the source folder."""
    upload_root = tmp_path / "uploads"
    (upload_root / "abc").mkdir(parents=True)
    sent = upload_root / "abc" / "forged.txt"
    sent.write_bytes(ARTICLE)
    access: Access = served.demo.access
    handlers = ArticleHandlers(Articles(served.demo.backend, upload_root), access)
    payload = [{"path": str(sent), "orig_name": "forged.txt"}]
    with pytest.raises(gr.Error, match="only editors may add or remove articles"):
        next(handlers.add(payload, False, gr.Request(username=READER_LOGIN[0])))
    assert not sent.exists()
    assert not (served.sources / "forged.txt").exists()
    assert not (served.data / "audit.jsonl").exists()


def test_uploads_over_the_size_limit_are_refused_with_a_clear_message(served: SignedInApp):
    with _client(served, EDITOR_LOGIN) as editor:
        big = _upload(editor, b"x" * (LIMITS.max_upload_request_bytes + 1), "big.txt")
        assert big.status_code == 413
        assert "over the 20,000-byte limit of one upload" in big.json()["detail"]
        assert _upload(editor).status_code == 200  # the editor's upload of a fitting file goes through


def test_brute_force_sign_in_is_rate_limited_even_for_the_right_password(served: SignedInApp):
    with _client(served) as attacker:
        codes = [
            attacker.post("/login", data={"username": "brutus", "password": f"guess number {i}"}).status_code
            for i in range(LIMITS.signin_per_name.burst)
        ]
        assert codes == [400] * LIMITS.signin_per_name.burst
        locked = attacker.post("/login", data={"username": "brutus", "password": "brutus passphrase"})
        assert locked.status_code == 429
        assert "too many failed sign-ins" in locked.json()["detail"] and int(locked.headers["retry-after"]) > 0
    with _client(served, EDITOR_LOGIN):  # another name is not locked out by them
        pass


def test_questions_are_rate_limited_per_user_with_a_clear_message(served: SignedInApp):
    with _client(served, ("quinn", "quinn passphrase")) as quinn:
        for _ in range(LIMITS.questions.burst):
            assert "event: complete" in _ask(quinn, GENEVA_Q)
        stream = _ask(quinn, GENEVA_Q)
        assert "event: error" in stream and "too many questions in a short time" in stream
        assert "try again in" in stream


# ---------------------------------------------------------------------------- when the server must not start


def test_off_loopback_without_sign_in_python_m_ui_refuses_to_start(tmp_path: Path):
    """`python -m ui --host 0.0.0.0` exits at once with one line saying how to configure sign-in (it never binds)."""
    args = ["--host", "0.0.0.0", "--port", str(free_port()), "--data", str(tmp_path / "data")]
    args += ["--index", str(tmp_path / "index"), "--sources", str(SEEDS)]
    done = subprocess.run(
        [sys.executable, "-m", "ui", *args], cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2
    err = done.stderr.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error: refusing to serve on 0.0.0.0 without sign-in")
    assert "rag users add" in err and "--users" in err and "--insecure-no-auth" in err
    assert "Running on" not in done.stdout and not (tmp_path / "index").exists()


def test_launch_itself_refuses_a_non_loopback_host_without_sign_in(tmp_path: Path):
    demo = ui_app.build_app(tmp_path / "index", SEEDS, tmp_path / "data")
    with pytest.raises(ValueError, match="refusing to serve on 0.0.0.0 without sign-in"):
        ui_app.launch(demo, "0.0.0.0", free_port(), block=False)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_on_loopback_sign_in_stays_optional(host: str, tmp_path: Path):
    args = ui_cli.parse_args(["--host", host, "--data", str(tmp_path)], env={})
    assert not ui_cli.access_of(args).signed_in


def test_a_missing_or_tampered_users_file_stops_the_server_with_one_line(tmp_path: Path, capsys):
    users = tmp_path / "users.json"
    base = ["--host", "0.0.0.0", "--data", str(tmp_path), "--index", str(tmp_path / "index")]
    assert ui_cli.main([*base, "--users", str(users)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "users file not found" in err and "rag users add" in err

    add_user(users, "rita", READER, READER_LOGIN[1])
    data = json.loads(users.read_text(encoding="utf-8"))
    data["users"]["rita"]["role"] = EDITOR  # a reader made editor by hand
    users.write_text(json.dumps(data), encoding="utf-8")
    assert ui_cli.main([*base, "--users", str(users)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "fails its integrity check" in err and "Traceback" not in err
    assert not (tmp_path / "index").exists()


def test_insecure_no_auth_is_loud_in_the_log_and_on_the_page_and_takes_no_upload(tmp_path: Path, seed_index, capfd):
    demo = ui_app.build_app(seed_index.path, SEEDS, tmp_path / "data", Access(OPEN))
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    try:
        assert "WARNING: serving on 127.0.0.1 WITHOUT SIGN-IN (--insecure-no-auth)" in capfd.readouterr().err
        with httpx.Client(base_url=url, timeout=60) as client:
            assert "No sign-in" in client.get("/config").text
            refused = _upload(client)
        assert refused.status_code == 403 and "uploads are turned off" in refused.json()["detail"]
    finally:
        demo.close()


def test_insecure_no_auth_and_a_users_file_together_are_refused(tmp_path: Path):
    add_user(tmp_path / "users.json", "rita", READER, READER_LOGIN[1])
    args = ui_cli.parse_args(["--data", str(tmp_path), "--insecure-no-auth"], env={})
    with pytest.raises(ValueError, match="contradicts the users file"):
        ui_cli.access_of(args)
