"""Builds that fail or are killed midway leave the previous index whole, loadable and answering."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import GENEVA_Q, ROOT, assert_exact, child_env, copy_seeds, write_articles

import rag
from rag.store import search as store_search
from rag.store import writer as store_writer


def test_index_folder_that_cannot_be_written_is_one_clear_error_and_keeps_nothing_half_done(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("I am a file")
    with pytest.raises(rag.RagError, match="cannot write the index") as info:
        rag.build_index(copy_seeds(tmp_path / "seeds"), not_a_folder / "index")
    assert isinstance(info.value, OSError)


def test_disk_full_while_writing_keeps_the_old_index_and_leaves_no_temp_files(
    seed_index: rag.Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index.path, index_dir)
    before = (index_dir / "manifest.json").read_bytes()
    write_articles(sources, 1)

    def disk_full(folder: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_writer, "_fsync_tree", disk_full)
    with pytest.raises(rag.RagError, match="No space left on device.*previous index"):
        rag.build_index(sources, index_dir)
    assert (index_dir / "manifest.json").read_bytes() == before
    segments = {s["name"] for s in json.loads(before)["segments"]}
    assert sorted(p.name for p in index_dir.iterdir() if p.name not in segments) == [".lock", "manifest.json"]
    a = rag.load_index(index_dir).answer(GENEVA_Q)
    assert a.found and "Geneva" in a.text


def test_a_build_failing_midway_keeps_the_old_index_and_leaves_no_temp_folder(
    seed_index: rag.Index, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = copy_seeds(tmp_path / "seeds")
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index.path, index_dir)
    before = (index_dir / "manifest.json").read_bytes()
    (sources / "new.txt").write_text("date 2022-01-11 A new article about sanctions.\n")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_search, "write_faiss", boom)
    with pytest.raises(OSError, match="disk full"):
        rag.build_index(sources, index_dir)
    assert (index_dir / "manifest.json").read_bytes() == before
    assert rag.load_index(index_dir).answer(GENEVA_Q).found
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".tmp-")]


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


@pytest.mark.slow
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
    a = index.answer(GENEVA_Q)
    assert a.found and "Geneva" in a.text, f"seed {seed}"
    assert_exact(index, a)
    # the next build cleans up after the dead one
    rag.build_index(source, index_dir)
    leftovers = [p.name for p in index_dir.iterdir() if p.name.startswith((".tmp-", ".manifest"))]
    named = {s["name"] for s in json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))["segments"]}
    assert leftovers == [] and {p.name for p in index_dir.glob("seg-*")} == named
