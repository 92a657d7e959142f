"""Shared fixtures: the real seed article, its index built once per session, the web app on loopback.

Helpers (paths, the offset rule, made-up articles) live in `support.py`; `tests/` is on
`sys.path` through the `pythonpath` setting in pyproject.toml, so every folder imports it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Before anything imports torch or the tokenizers.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from support import SEEDS, free_port  # noqa: E402

import rag  # noqa: E402


@pytest.fixture(scope="session")
def seed_dir() -> Path:
    """The committed seed articles (read-only: `support.copy_seeds` before editing)."""
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> rag.Index:
    """An index of the seeds, built once per test session in a temp folder (read-only: copy its folder)."""
    return rag.build_index(SEEDS, tmp_path_factory.mktemp("seed-index") / "index")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, seed_index: rag.Index):
    """(url, data dir) of the web app on a free loopback port, one per test module.

    It serves the session's seed index (loaded, not rebuilt) and is ready before the
    first request.
    """
    from ui import app as ui_app

    tmp = tmp_path_factory.mktemp("ui")
    demo = ui_app.build_app(seed_index.path, SEEDS, tmp / "data")
    ui_app.prepare(demo, log=False, background=False)
    url = ui_app.launch(demo, "127.0.0.1", free_port(), block=False)
    yield url, tmp / "data"
    demo.close()
