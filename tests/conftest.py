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


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed folder."""
    dst = tmp_path / "seeds"
    shutil.copytree(SEEDS, dst)
    return dst
