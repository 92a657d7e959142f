"""A document id is a key, never a path: an unknown or path-like id is a KeyError and reads no file.

That the web app serves no file of the disk is tested in web/test_security.py.
"""

from __future__ import annotations

import builtins
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import ROOT, SEED_ID, SEEDS, copy_seeds

import rag


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
    "../README.md",
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
