"""The index folder: what is on disk, and a damaged, foreign or future index refused with a rebuild hint or rebuilt.

Never a wrong quote. Builds that fail or are killed midway are in test_build_atomicity.py.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support import GENEVA_Q, ROOT, SEED_ID, SEEDS, assert_exact

import rag
from rag import store
from rag.store import stale_reason


def _index_files() -> list[str]:
    """manifest.json and every file of a segment, as `segment/<path>`."""
    return ["manifest.json", *(f"segment/{name}" for name in store.layout.REQUIRED_FILES)]


def _locate(index_dir: Path, name: str) -> Path:
    if name.startswith("segment/"):
        (segment,) = index_dir.glob("seg-*")
        return segment / name.removeprefix("segment/")
    return index_dir / name


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _delete(path: Path) -> None:
    path.unlink()


def _garbage_same_size(path: Path) -> None:
    # same length: only the sha256 in the manifest can tell
    path.write_bytes(random.Random(path.name).randbytes(path.stat().st_size))


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


FAULTS: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "deleted": _delete,
    "garbage": _garbage_same_size,
    "one-bit-flipped": _flip_one_byte,
}


@pytest.fixture
def pristine(seed_index: rag.Index) -> tuple[Path, Path]:
    """(sources, index folder) of the seed article: the session's index; copy it before damaging."""
    return SEEDS, seed_index.path


def _damaged_copy(pristine: tuple[Path, Path], dst: Path, file: str, fault: str) -> Path:
    shutil.copytree(pristine[1], dst)
    FAULTS[fault](_locate(dst, file))
    return dst


def _assert_answers_from_the_files(index_dir: Path, sources: Path, a: rag.Answer) -> None:
    assert a.found and "Geneva" in a.text and a.doc_id == SEED_ID
    assert_exact(rag.load_index(index_dir), a)
    assert (sources / a.doc_id).read_text(encoding="utf-8")[a.start : a.end] == a.text


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("file", _index_files())
def test_damaged_index_file_is_refused_with_one_error_that_says_how_to_rebuild(
    pristine: tuple[Path, Path], tmp_path: Path, file: str, fault: str
) -> None:
    index_dir = _damaged_copy(pristine, tmp_path / "index", file, fault)
    with pytest.raises((rag.IndexCorruptError, rag.IndexNotFoundError)) as info:
        rag.load_index(index_dir)
    message = str(info.value)
    assert "rag build --index" in message and str(index_dir) in message
    assert "\n" not in message


def _rebuild_cases() -> list[tuple[str, str]]:
    """Every file with every fault when RELIABILITY_FULL=1 (30 rebuilds); else every file once, faults in turn.

    Each rebuild re-embeds the article (~0.5 s), and a truncated, deleted or garbled data
    file all fail the same size-and-sha256 check, so CI runs one fault per data file and
    all three on the manifest (whose faults take different paths).
    """
    faults = ["truncated", "deleted", "garbage"]
    files = _index_files()
    if os.environ.get("RELIABILITY_FULL"):
        return [(f, fault) for f in files for fault in faults]
    return [("manifest.json", fault) for fault in faults] + [(f, faults[i % 3]) for i, f in enumerate(files[1:])]


@pytest.mark.parametrize("file, fault", _rebuild_cases())
def test_default_path_rebuilds_a_damaged_index_by_itself_and_answers(
    pristine: tuple[Path, Path], tmp_path: Path, file: str, fault: str
) -> None:
    sources = pristine[0]
    index_dir = _damaged_copy(pristine, tmp_path / "index", file, fault)
    a = rag.answer(GENEVA_Q, sources=sources, index_dir=index_dir)
    _assert_answers_from_the_files(index_dir, sources, a)


def test_every_file_of_the_index_folder_is_covered(pristine: tuple[Path, Path]) -> None:
    index_dir = pristine[1]
    (segment,) = index_dir.glob("seg-*")
    on_disk = {"manifest.json"} | {
        f"segment/{p.relative_to(segment).as_posix()}" for p in segment.rglob("*") if p.is_file()
    }
    assert on_disk == set(_index_files())


def test_missing_index_folder_is_not_found_and_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(rag.IndexNotFoundError, match="rag build --index") as info:
        rag.load_index(tmp_path / "nowhere")
    assert isinstance(info.value, FileNotFoundError)


def _edit_manifest(index_dir: Path, **changes: object) -> None:
    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.update(changes)
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_manifest_of_a_future_format_version_is_refused_naming_the_version(
    pristine: tuple[Path, Path], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine[1], index_dir)
    _edit_manifest(index_dir, format_version=999)
    with pytest.raises(rag.IndexCorruptError) as info:
        rag.load_index(index_dir)
    message = str(info.value)
    assert "999" in message and f"({store.FORMAT_VERSION})" in message
    assert "upgrade the library" in message and "rag build --index" in message


@pytest.mark.parametrize(
    "changes",
    [
        {"format_version": "1"},
        {"format_version": True},
        {"format_version": 0},
        {"format_version": None},
        {"format": "something-else"},
        {"segments": [{"name": "../../etc", "files": {}}]},
        {"segments": [{"name": "/etc", "files": {}}]},
        {"segments": [{"name": "..", "files": {}}]},
        {"segments": []},
        {"segments": "seg-0123456789abcdef"},
        {"removed": {"seg-0123456789abcdef": ["x.txt"]}},
        {"removed": []},
    ],
    ids=lambda c: "-".join(f"{k}={v!r}"[:30] for k, v in c.items()),
)
def test_manifest_with_impossible_fields_is_refused(
    pristine: tuple[Path, Path], tmp_path: Path, changes: dict[str, object]
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine[1], index_dir)
    _edit_manifest(index_dir, **changes)
    with pytest.raises(rag.IndexCorruptError, match="rag build --index"):
        rag.load_index(index_dir)


@pytest.mark.parametrize(
    "files",
    [
        {"../../../etc/passwd": {"sha256": "0" * 64, "bytes": 1}},
        {"/etc/passwd": {"sha256": "0" * 64, "bytes": 1}},
        {},
    ],
    ids=["parent path", "absolute path", "no files"],
)
def test_a_segment_listing_files_outside_itself_or_none_is_refused(
    pristine: tuple[Path, Path], tmp_path: Path, files: dict[str, object]
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(pristine[1], index_dir)
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    _edit_manifest(index_dir, segments=[{**manifest["segments"][0], "files": files}])
    with pytest.raises(rag.IndexCorruptError, match="rag build --index"):
        rag.load_index(index_dir)


def test_index_folder_is_readable_and_versioned(seed_index: rag.Index) -> None:
    import numpy as np

    manifest = json.loads((seed_index.path / "manifest.json").read_text())
    assert manifest["format_version"] == store.FORMAT_VERSION == 2
    assert manifest["model"] == {"name": "sentence-transformers/all-MiniLM-L6-v2", "dimension": 384}
    assert manifest["settings"]["chunk_size"] == seed_index.settings.chunk_size
    (segment,) = manifest["segments"]
    folder = seed_index.path / segment["name"]
    units = np.load(folder / "units.npy", allow_pickle=False)
    assert units.dtype == np.int32 and len(units) == manifest["counts"]["units"] == segment["counts"]["units"]
    rows = [json.loads(line) for line in (folder / "documents.jsonl").read_text().splitlines()]
    text = rows[0]["text"]
    assert all(text[start:end].strip() == text[start:end] and end > start for _, start, end in units)
    (sha,) = [s["sha256"] for s in manifest["sources"].values()]
    assert len(sha) == 64
    assert not list(seed_index.path.rglob("*.pkl")) and not list(seed_index.path.rglob("*.pickle"))


def test_save_then_load_gives_identical_answers(seed_index: rag.Index) -> None:
    loaded = rag.load_index(seed_index.path)
    questions = [
        "How many troops are massed near the border?",
        GENEVA_Q,
        "Who issued the White House statement after the call?",
        "What is the boiling point of water?",
    ]
    for q in questions:
        assert loaded.answer(q) == seed_index.answer(q)


def test_committed_index_matches_the_seeds() -> None:
    index = rag.load_index(ROOT / "index")
    assert stale_reason(index.manifest, SEEDS, rag.Settings()) is None
