"""Issue 6: a document id is a key, never a path; the web app serves no file of the disk."""

from __future__ import annotations

import builtins
import http.client
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, SEEDS, copy_seeds, free_port

import rag

SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"


@pytest.fixture
def no_file_access(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Any attempt to open or read a file fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a file was opened: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    for name in ("open", "read_text", "read_bytes", "exists", "is_file", "resolve"):
        monkeypatch.setattr(Path, name, refuse)
    yield


BAD_IDS = [
    "",
    "nope.txt",
    "../seeds/" + SEED_ID,
    "./" + SEED_ID,
    "seeds/" + SEED_ID,
    SEED_ID + "/../" + SEED_ID,
    SEED_ID.upper(),
    SEED_ID + "\x00",
    " " + SEED_ID,
    "/etc/passwd",
    "../../../../etc/passwd",
    "..\\..\\README.md",
    "file:///etc/passwd",
    str(SEEDS / SEED_ID),
    str(ROOT / "README.md"),
    "README.md",
    "pyproject.toml",
    "index/manifest.json",
    "~/.bashrc",
]


def test_the_no_file_access_guard_does_catch_a_read(no_file_access: None) -> None:
    with pytest.raises(AssertionError, match="a file was opened"):
        (SEEDS / SEED_ID).read_text(encoding="utf-8")
    with pytest.raises(AssertionError, match="a file was opened"):
        open(SEEDS / SEED_ID)  # noqa: SIM115


@pytest.mark.parametrize("doc_id", BAD_IDS)
def test_unknown_or_path_like_document_id_is_a_key_error_and_reads_no_file(
    seed_index: rag.Index, doc_id: str, no_file_access: None
) -> None:
    with pytest.raises(KeyError, match="no document"):
        seed_index.document(doc_id)


@pytest.mark.parametrize("doc_id", [None, 7, 1.5, b"2022-01-04-biden-zelenskiy-call.txt", Path(SEED_ID), ("a",)])
def test_a_document_id_that_is_not_a_string_is_a_key_error(
    seed_index: rag.Index, doc_id: object, no_file_access: None
) -> None:
    with pytest.raises(KeyError):
        seed_index.document(doc_id)  # type: ignore[arg-type]


def test_unhashable_document_id_is_a_key_error(seed_index: rag.Index) -> None:
    with pytest.raises(KeyError):
        seed_index.document(["a"])  # type: ignore[arg-type]


def test_an_indexed_document_is_served_from_memory_without_reading_a_file(
    seed_index: rag.Index, no_file_access: None
) -> None:
    assert "Geneva" in seed_index.document(SEED_ID).text


def test_a_file_on_disk_that_is_not_indexed_is_a_key_error(tmp_path: Path) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02")  # skipped at build
    with pytest.warns(UserWarning, match="binary.txt"):
        index = rag.build_index(sources, tmp_path / "index")
    (sources / "later.txt").write_text("date 2022-01-09 Added after the build.\n", encoding="utf-8")
    shutil.copy(sources / SEED_ID, tmp_path / "index" / SEED_ID)  # even inside the index folder
    for doc_id in ("binary.txt", "later.txt", "index/" + SEED_ID, "../seeds/later.txt"):
        assert (sources / doc_id).exists() or (tmp_path / doc_id).exists() or doc_id.startswith("..")
        with pytest.raises(KeyError):
            index.document(doc_id)


# ---------------------------------------------------------------------------- the web app


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """(port, temp folder) of the real app serving the seeds on loopback, in this process."""
    ui_app = pytest.importorskip("ui.app")
    tmp = tmp_path_factory.mktemp("web")
    data = tmp / "data"
    data.mkdir()
    (data / "feedback.jsonl").write_text('{"secret": "FEEDBACK-LINE"}\n', encoding="utf-8")
    demo = ui_app.build_app(tmp / "index", SEEDS, data)
    ui_app.prepare(demo, log=False, background=False)
    port = free_port()
    ui_app.launch(demo, "127.0.0.1", port, block=False)
    yield port, tmp
    demo.close()


# Strings that would prove a file's content was served.
SECRETS = {
    "passwd": "root:x:0:0",
    "seed article": "Zelenskiy",
    "README": "word for word",
    "pyproject": "crisis-rag",
    "environment": "PATH=",
    "feedback": "FEEDBACK-LINE",
    "manifest": "rag-index",
    "source code": "import gradio",
}


def _file_routes(tmp: Path) -> list[str]:
    seed = (SEEDS / SEED_ID).resolve()
    (manifest,) = [tmp / "index" / "manifest.json"]
    targets = [
        "/etc/passwd",
        "/proc/self/environ",
        str(seed),
        str(ROOT / "README.md"),
        str(ROOT / "ui" / "app.py"),
        str(manifest),
        str(tmp / "data" / "feedback.jsonl"),
        "../README.md",
        "../../../../../etc/passwd",
        "README.md",
        "pyproject.toml",
        "seeds/" + SEED_ID,
        "ui/app.py",
        "%2Fetc%2Fpasswd",
        "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "%252e%252e/README.md",
        "//etc/passwd",
        "file:///etc/passwd",
    ]
    routes = []
    for target in targets:
        routes += [f"/file={target}", f"/gradio_api/file={target}"]
    routes += [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/../../../../etc/passwd",
        "/assets/../../../../etc/passwd",
        "/gradio_api/static/../../../../etc/passwd",
        "/seeds/" + SEED_ID,
        "/README.md",
        "/index/manifest.json",
        "/data/feedback.jsonl",
    ]
    return routes


def test_no_file_route_serves_a_file_of_the_disk(web: tuple[int, Path]) -> None:
    port, tmp = web
    served = []
    for route in _file_routes(tmp):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        conn.request("GET", route)  # sent as is: no client-side normalisation of `..`
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        conn.close()
        leaked = [name for name, secret in SECRETS.items() if secret in body]
        if resp.status < 400 or leaked:
            served.append((route, resp.status, leaked))
    assert served == []


def test_the_page_and_its_config_name_no_local_path(web: tuple[int, Path]) -> None:
    port, tmp = web
    for route in ("/", "/config", "/gradio_api/info"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        conn.request("GET", route)
        resp = conn.getresponse()
        body = resp.read().decode("utf-8", errors="replace")
        conn.close()
        assert resp.status == 200, route
        for path in (str(ROOT), str(tmp), str(SEEDS.resolve())):
            assert path not in body, (route, path)
