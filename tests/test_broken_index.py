"""Issue 6: a damaged, half-written, foreign or stale index is refused with a rebuild hint, or rebuilt; never a wrong quote."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from support import ROOT, assert_exact, child_env, copy_seeds, write_articles

import rag
from rag import store
from rag.store import writer as store_writer

QUESTION = "In which city will the talks take place?"
SEED_ID = "2022-01-04-biden-zelenskiy-call.txt"


def _index_files() -> list[str]:
    """manifest.json and every file of the data folder, as `data/<path>` (layout of the committed index)."""
    try:
        manifest = json.loads((ROOT / "index" / "manifest.json").read_text(encoding="utf-8"))
        data_files = sorted(manifest["files"])
    except (OSError, ValueError, KeyError):
        data_files = ["documents.jsonl", "units.jsonl", "passages.jsonl", "units.faiss", "bm25/params.index.json"]
    return ["manifest.json", *(f"data/{name}" for name in data_files)]


def _locate(index_dir: Path, name: str) -> Path:
    if name.startswith("data/"):
        (data,) = index_dir.glob("data-*")
        return data / name.removeprefix("data/")
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


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(sources, index folder) of the seed article, built once for this module; copy before damaging."""
    root = tmp_path_factory.mktemp("pristine")
    sources = copy_seeds(root / "seeds")
    index_dir = root / "index"
    rag.build_index(sources, index_dir)
    return sources, index_dir


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
    a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    _assert_answers_from_the_files(index_dir, sources, a)


def test_every_file_of_the_index_folder_is_covered(pristine: tuple[Path, Path]) -> None:
    index_dir = pristine[1]
    (data,) = index_dir.glob("data-*")
    on_disk = {"manifest.json"} | {f"data/{p.relative_to(data).as_posix()}" for p in data.rglob("*") if p.is_file()}
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
        {"data": "../../etc"},
        {"data": "/etc"},
        {"data": ".."},
        {"files": {"../../../etc/passwd": {"sha256": "0" * 64, "bytes": 1}}},
        {"files": {}},
        {"files": []},
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


def test_index_folder_that_cannot_be_written_is_one_clear_error_and_keeps_nothing_half_done(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("I am a file")
    with pytest.raises(rag.RagError, match="cannot write the index") as info:
        rag.build_index(copy_seeds(tmp_path / "seeds"), not_a_folder / "index")
    assert isinstance(info.value, OSError)


def test_disk_full_while_writing_keeps_the_old_index_and_leaves_no_temp_files(
    pristine: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    shutil.copytree(pristine[1], index_dir)
    before = (index_dir / "manifest.json").read_bytes()
    write_articles(sources, 1)

    def disk_full(folder: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_writer, "_fsync_tree", disk_full)
    with pytest.raises(rag.RagError, match="No space left on device.*previous index"):
        rag.build_index(sources, index_dir)
    assert (index_dir / "manifest.json").read_bytes() == before
    assert sorted(p.name for p in index_dir.iterdir() if not p.name.startswith("data-")) == [".lock", "manifest.json"]
    a = rag.load_index(index_dir).answer(QUESTION)
    assert a.found and "Geneva" in a.text


# ----------------------------------------------------------------------------- killed builds

# Loads the model once, then for each line `index_dir folder...` on stdin forks a child that
# builds those folders into index_dir in turn, forever, until the test SIGKILLs it.
_BUILD_SERVER = """
import itertools, os, sys
import rag
from rag import embedding
embedding.get_model(rag.Settings().model_name)
print("ready", flush=True)
for line in sys.stdin:
    index_dir, *folders = line.split()
    pid = os.fork()
    if pid == 0:
        try:
            for i in itertools.count():
                rag.build_index(folders[i % len(folders)], index_dir)
                print("built", flush=True)
        finally:
            os._exit(1)
    print("child", pid, flush=True)
    _, status = os.waitpid(pid, 0)
    print("reaped", status, flush=True)
"""


def test_a_build_killed_at_random_points_leaves_the_old_index_loadable_and_answering(tmp_path: Path) -> None:
    """SIGKILL lands in reading, embedding, writing, fsync or the manifest swap: the folder stays sound."""
    runs = int(os.environ.get("KILL_RUNS", "4"))
    seed = int(os.environ.get("KILL_SEED", str(time.time_ns() % 100_000)))
    rng = random.Random(seed)
    bigger = copy_seeds(tmp_path / "bigger")
    write_articles(bigger, 16, sentences=10)
    smaller = copy_seeds(tmp_path / "smaller")
    write_articles(smaller, 15, sentences=10)
    seeds_only = copy_seeds(tmp_path / "seeds")
    folders = (bigger, smaller, seeds_only)
    # the old index: of the smaller folder, so the killed builds mostly reuse vectors and spend
    # their time writing and swapping; one run starts from the seeds alone and dies embedding
    rag.build_index(smaller, tmp_path / "old-smaller")
    rag.build_index(seeds_only, tmp_path / "old-seeds")

    server = subprocess.Popen(
        [sys.executable, "-c", _BUILD_SERVER],
        cwd=ROOT,
        env=child_env(),
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdin is not None and server.stdout is not None
    report = []
    try:
        assert server.stdout.readline().strip() == "ready", "the build server did not start"
        for run in range(runs):
            index_dir = tmp_path / f"index-{run}"
            shutil.copytree(tmp_path / ("old-seeds" if run == 0 else "old-smaller"), index_dir)
            server.stdin.write(f"{index_dir} {bigger} {smaller}\n")
            server.stdin.flush()
            pid = int(server.stdout.readline().split()[1])
            delay = rng.uniform(0.05, 2.0)
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            built = 0
            while (line := server.stdout.readline()).startswith("built"):
                built += 1
            assert line.split() == ["reaped", str(signal.SIGKILL)], f"the build died by itself: {line!r} (seed {seed})"
            report.append(f"killed after {delay:.2f} s and {built} builds")
            _assert_sound_after_a_crash(index_dir, folders, seed)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(f"seed {seed}: " + "; ".join(report))


def _assert_sound_after_a_crash(index_dir: Path, folders: tuple[Path, ...], seed: int) -> None:
    index = rag.load_index(index_dir)  # whatever the kill interrupted, a whole index is there
    source = next(f for f in folders if sorted(p.name for p in f.iterdir()) == sorted(index.doc_ids))
    for doc_id in index.doc_ids:  # and it is the index of files that exist, byte for byte
        assert index.document(doc_id).text == (source / doc_id).read_text(encoding="utf-8")
    a = index.answer(QUESTION)
    assert a.found and "Geneva" in a.text, f"seed {seed}"
    assert_exact(index, a)
    # the next build cleans up after the dead one
    rag.build_index(source, index_dir)
    leftovers = [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp-", ".manifest"))]
    assert leftovers == [] and len(list(index_dir.glob("data-*"))) == 1


# ----------------------------------------------------------------------------- stale sources


@pytest.fixture
def live(tmp_path: Path) -> tuple[Path, Path]:
    """(sources, index folder): the seeds plus two made-up articles, indexed through the default path."""
    sources = copy_seeds(tmp_path / "seeds")
    write_articles(sources, 2, sentences=3)
    index_dir = tmp_path / "index"
    a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    assert a.found and "Geneva" in a.text
    return sources, index_dir


def _assert_served_from_the_file(sources: Path, a: rag.Answer) -> None:
    if a.found:
        assert a.doc_id is not None
        assert (sources / a.doc_id).read_text(encoding="utf-8")[a.start : a.end] == a.text
    for p in a.passages:
        assert (sources / p.doc_id).read_text(encoding="utf-8")[p.start : p.end] == p.text


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Geneva", "Lisbon"), encoding="utf-8")  # same length
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # as `cp -p`, `rsync -t` or `tar x` would leave it
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    assert a.found and "Lisbon" in a.text and "Geneva" not in a.text
    _assert_served_from_the_file(sources, a)


def test_a_file_replaced_by_rename_with_the_same_size_and_mtime_is_still_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    st = path.stat()
    new = sources / ".edit.tmp"
    new.write_text(path.read_text(encoding="utf-8").replace("Geneva", "Vienna"), encoding="utf-8")
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, path)  # how editors save
    a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    assert a.found and "Vienna" in a.text
    _assert_served_from_the_file(sources, a)


def test_quick_successive_edits_are_each_seen(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    path = sources / SEED_ID
    original = path.read_text(encoding="utf-8")
    for city in ("Lisbon", "Vienna", "Bogota"):
        path.write_text(original.replace("Geneva", city), encoding="utf-8")
        a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
        assert a.found and city in a.text
        _assert_served_from_the_file(sources, a)


def test_an_added_article_is_answered_and_a_removed_one_is_never_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    (sources / "later.txt").write_text(
        "date 2022-01-12 The grain corridor through the port of Odesa reopened on Wednesday, the port authority said.\n",
        encoding="utf-8",
    )
    question = "When did the grain corridor through Odesa reopen?"
    a = rag.answer(question, sources=sources, index_dir=index_dir)
    assert a.found and a.doc_id == "later.txt" and "Wednesday" in a.text
    (sources / "later.txt").unlink()
    a = rag.answer(question, sources=sources, index_dir=index_dir)
    assert a.doc_id != "later.txt" and all(p.doc_id != "later.txt" for p in a.passages)
    assert "later.txt" not in rag.load_index(index_dir).doc_ids
    _assert_served_from_the_file(sources, a)


def test_an_article_turned_into_garbage_is_no_longer_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    (sources / SEED_ID).write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")
    with pytest.warns(UserWarning, match=SEED_ID):
        a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    assert a.doc_id != SEED_ID and all(p.doc_id != SEED_ID for p in a.passages)
    _assert_served_from_the_file(sources, a)


def test_when_every_article_is_deleted_nothing_deleted_is_quoted(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    for path in sources.iterdir():
        path.unlink()
    with pytest.raises(rag.SourceError, match="no .txt or .md files"):
        rag.answer(QUESTION, sources=sources, index_dir=index_dir)


def test_without_a_source_folder_the_index_is_served_as_it_is(live: tuple[Path, Path]) -> None:
    sources, index_dir = live
    shutil.rmtree(sources)  # a deployment that ships only the index
    a = rag.answer(QUESTION, sources=sources, index_dir=index_dir)
    assert a.found and "Geneva" in a.text
    assert_exact(rag.load_index(index_dir), a)
