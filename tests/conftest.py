"""Shared fixtures: the real model, the real seed article, indexes built in temp folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import rag  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The committed seed articles (read-only: copy before editing)."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> rag.Index:
    """An index of the seeds, built once per test session in a temp folder."""
    return rag.build_index(SEEDS, tmp_path_factory.mktemp("seed-index") / "index")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index):
    """(url, data dir) of the web app on a free loopback port, one per test module.

    It serves the session's seed index (loaded, not rebuilt) and is ready before the
    first request.
    """
    from support import free_port

    from ui import app as ui_app

    tmp = tmp_path_factory.mktemp("ui")
    demo = ui_app.build_app(seed_index.path, SEEDS, tmp / "data")
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    yield url, tmp / "data"
    demo.close()


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed folder."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
