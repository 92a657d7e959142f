"""Score candidate sentences with the trained answer ranker: P(this sentence answers the question).

The ranker is a small cross-encoder trained by `python -m rag.train`: the first layers of MiniLM
read question and sentence together, and a linear head scores the pair from the cosine of the two
segments' mean token vectors, their product and difference, and the mean of all tokens.
`load_ranker()` verifies every file of the model folder against its `manifest.json` before
loading, then keeps one instance per folder for the process::

    ranker = load_ranker()
    probabilities = ranker.score("Where will the talks take place?", sentences)
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelError

DEFAULT_RANKER_DIR = Path(__file__).resolve().parent.parent / "models" / "answer-ranker"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
# Between a sentence and its neighbours when the model reads context: the model's own separator
# token, so the candidate stays distinguishable from the text around it.
CONTEXT_SEPARATOR = " [SEP] "
_RETRAIN = "run `make train` (or `python -m rag.train`), or restore the shipped model with `git checkout -- models/answer-ranker`"


@dataclass(frozen=True)
class RankerSpec:
    """How the model reads its input, as recorded in the manifest at training time."""

    layers: int
    max_length: int
    uses_context: bool
    # how the encoder runs: one of PRECISIONS
    precision: str
    recommended_n: int
    # The refusal point chosen on held-out articles (max accuracy answerable vs unanswerable), if any
    threshold: float | None = None

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> RankerSpec:
        """The spec stored under `manifest["model"]`."""
        m = manifest["model"]
        threshold = m.get("threshold")
        return cls(
            layers=int(m["layers"]),
            max_length=int(m["max_length"]),
            uses_context=bool(m["uses_context"]),
            precision=str(m["precision"]),
            recommended_n=int(m["recommended_n"]),
            threshold=None if threshold is None else float(threshold),
        )


def second_segment(sentence: str, context: str | None, uses_context: bool) -> str:
    """What the model reads after the question: the sentence, then its neighbours if the model uses them."""
    if uses_context and context:
        return sentence + CONTEXT_SEPARATOR + context
    return sentence


def tokenize(tokenizer: Any, question: str | Sequence[str], seconds: Sequence[str], max_length: int) -> Any:
    """Padded tensors for (question, second segment) pairs; the one encoding of training and answering.

    Padding is to the longest pair of this batch only; truncation trims the longer side first, so a
    long sentence never pushes the question out.
    """
    questions = [question] * len(seconds) if isinstance(question, str) else list(question)
    return tokenizer(
        questions, list(seconds), padding=True, truncation="longest_first", max_length=max_length, return_tensors="pt"
    )


WEIGHTS = "model.safetensors"
CONFIG = "config.json"
# what a model folder cannot load without; each must be listed (with its sha256) in the manifest
REQUIRED = frozenset({WEIGHTS, CONFIG, "tokenizer.json", "tokenizer_config.json"})


def scorer_class() -> type:
    """The network class (defined on first use, so importing this module does not import torch)."""
    global _SCORER
    if _SCORER is None:
        import torch

        class AnswerScorer(torch.nn.Module):
            """Joint encoder + head over [cos(q, s), q*s, |q-s|, mean of all tokens] -> one logit per pair.

            q and s are the mean token vectors of the question and of the sentence, read from the
            joint encoding (so each has attended to the other). At initialisation the head weighs
            only the cosine: the model starts as a ranker by similarity (MiniLM was trained for
            mean-pooled similarity) and learns from there; a CLS head learnt nothing in 845 steps.
            """

            def __init__(self, encoder: Any, cls_id: int, sep_id: int) -> None:
                super().__init__()
                self.encoder = encoder
                width = encoder.config.hidden_size
                self.head = torch.nn.Linear(1 + 3 * width, 1)
                self.dropout = torch.nn.Dropout(encoder.config.hidden_dropout_prob)
                self.cls_id, self.sep_id = cls_id, sep_id

            def init_head(self) -> None:
                torch.nn.init.normal_(self.head.weight, std=0.01)
                with torch.no_grad():
                    self.head.weight[0, 0] = 8.0  # sigmoid(8 cos - 4): 0.5 at cosine 0.5
                    self.head.bias.fill_(-4.0)

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
                hidden = self.encoder(
                    input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
                ).last_hidden_state.float()
                mask = attention_mask.to(hidden.dtype)
                # segment of each token: 0 question, 1 sentence, 2 context (counting [SEP]s before it)
                seps = (input_ids == self.sep_id).to(torch.int64)
                segment = torch.cumsum(seps, dim=1) - seps
                text = mask * (input_ids != self.cls_id).to(hidden.dtype) * (1 - seps.to(hidden.dtype))

                def mean(weights: Any) -> Any:
                    w = weights.unsqueeze(-1)
                    return (hidden * w).sum(1) / w.sum(1).clamp(min=1.0)

                q = torch.nn.functional.normalize(mean(text * (segment == 0).to(hidden.dtype)), dim=-1)
                s = torch.nn.functional.normalize(mean(text * (segment == 1).to(hidden.dtype)), dim=-1)
                cos = (q * s).sum(-1, keepdim=True)
                features = torch.cat(
                    [cos, self.dropout(q * s), self.dropout((q - s).abs()), self.dropout(mean(mask))], -1
                )
                return self.head(features).reshape(-1)

        _SCORER = AnswerScorer
    return _SCORER


_SCORER: type | None = None


# How the encoder runs on CPU: "int8-dynamic" (Linear weights int8 per output channel, activations
# quantized per call: fastest, but a score moves slightly with the other pairs of its batch),
# "bf16" (bfloat16 weights and activations, per pair exact up to rounding) or "fp32".
PRECISIONS = ("int8-dynamic", "bf16", "fp32")


def for_inference(model: Any, precision: str) -> Any:
    """`model` in eval mode with its encoder in `precision` (see PRECISIONS); the head stays fp32."""
    import torch

    if precision not in PRECISIONS:
        raise ValueError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if precision == "int8-dynamic":
        with warnings.catch_warnings():
            # torch marks its quantized tensor API as deprecated; it is what torch 2.13 (pinned) offers.
            warnings.simplefilter("ignore")
            spec = {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig}
            model.encoder.encoder = torch.ao.quantization.quantize_dynamic(model.encoder.encoder, spec)
    elif precision == "bf16":
        model.encoder.to(torch.bfloat16)
    return model.eval()


def save_weights(model: Any, folder: Path) -> None:
    """The encoder config (config.json) and every weight in fp16 (model.safetensors) into `folder`."""
    from safetensors.torch import save_file

    model.encoder.config.save_pretrained(str(folder))
    state = {k: v.detach().to("cpu").half().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(folder / WEIGHTS), metadata={"format": "pt"})


def load_weights(folder: Path, tokenizer: Any) -> Any:
    """The network of `folder`, weights read from fp16 into fp32 (CPU matmuls run in fp32); strict."""
    import torch
    from safetensors.torch import load_file
    from transformers import BertConfig, BertModel

    config = BertConfig.from_pretrained(str(folder), local_files_only=True)
    model = scorer_class()(BertModel(config, add_pooling_layer=False), tokenizer.cls_token_id, tokenizer.sep_token_id)
    state = {k: v.to(torch.float32) for k, v in load_file(str(folder / WEIGHTS)).items()}
    model.load_state_dict(state, strict=True)
    return model.eval()


class Ranker:
    """A loaded answer ranker; `score` is safe to call from several threads.

    It runs on torch's process-wide thread count (`torch.set_num_threads`), which it leaves alone.
    """

    def __init__(self, model: Any, tokenizer: Any, spec: RankerSpec, path: Path | None = None) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.spec = spec
        self.path = path
        # The fast tokenizer is not re-entrant, and two cores gain nothing from two forwards at once.
        self._lock = threading.Lock()

    def score(self, question: str, sentences: Sequence[str], contexts: Sequence[str] | None = None) -> np.ndarray:
        """P(sentence answers `question`) for each sentence, float32 in [0, 1]; one forward for all of them.

        `contexts[i]` is the text around `sentences[i]` (its neighbours); it is read only by a
        model trained with context (`spec.uses_context`) and ignored otherwise.
        """
        import torch

        if not isinstance(question, str):
            raise ValueError(f"question must be a string, not {type(question).__name__}")
        if isinstance(sentences, str) or not all(isinstance(s, str) for s in sentences):
            raise ValueError("sentences must be a sequence of strings (a list, not a single string)")
        if contexts is not None and (isinstance(contexts, str) or len(contexts) != len(sentences)):
            raise ValueError(f"contexts must be a list with one string per sentence ({len(sentences)}), or None")
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        if not question.strip():
            raise ValueError("question is empty: pass the text of the question")
        seconds = [
            second_segment(s, None if contexts is None else contexts[i], self.spec.uses_context)
            for i, s in enumerate(sentences)
        ]
        with self._lock, torch.inference_mode():
            batch = tokenize(self.tokenizer, question, seconds, self.spec.max_length)
            logits = self.model(**batch).float()
        return torch.sigmoid(logits).numpy().astype(np.float32)

    def key_phrase(self, question: str, text: str, spans: Sequence[tuple[int, int]]) -> tuple[int, int] | None:
        """The span of `text` without which it answers `question` least: each blanked out in turn, scored together.

        The highlight with the ranker on, where the answer-type rules pick nothing; measured
        against them by `scripts/highlight_compare.py` (README, answer quality). None without spans.
        """
        if not spans:
            return None
        blanked = [text[:a] + "…" + text[b:] for a, b in spans]
        p = self.score(question, [text, *blanked])
        start, end = spans[int((p[0] - p[1:]).argmax())]
        return start, end


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def verify(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of the model folder `path`, after checking every listed file's size and sha256.

    Raises `ModelError` naming the first missing or damaged file.
    """
    folder = Path(path)
    manifest_path = folder / MANIFEST
    if not folder.is_dir():
        raise ModelError(f"answer ranker not found: no folder {folder}; {_RETRAIN}")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        files = manifest["files"]
        if manifest.get("format_version") != FORMAT_VERSION:
            raise ModelError(
                f"answer ranker {manifest_path} has format version {manifest.get('format_version')!r}, "
                f"this code reads {FORMAT_VERSION}; {_RETRAIN}"
            )
        spec = RankerSpec.from_manifest(manifest)
        if spec.precision not in PRECISIONS or not set(files) >= REQUIRED:
            raise ValueError(f"precision {spec.precision!r}, files {sorted(files)}")
    except FileNotFoundError:
        raise ModelError(f"answer ranker file missing: {manifest_path}; {_RETRAIN}") from None
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"answer ranker file damaged: {manifest_path} ({exc}); {_RETRAIN}") from None
    for name, entry in sorted(files.items()):
        file = folder / name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ModelError(f"answer ranker file damaged: {manifest_path} lists {name!r}; {_RETRAIN}")
        if not file.is_file():
            raise ModelError(f"answer ranker file missing: {file}; {_RETRAIN}")
        if file.stat().st_size != entry["size"] or _sha256(file) != entry["sha256"]:
            raise ModelError(f"answer ranker file damaged: {file} (size or sha256 differs from {MANIFEST}); {_RETRAIN}")
    return dict(manifest)


def _load(folder: Path) -> Ranker:
    manifest = verify(folder)
    spec = RankerSpec.from_manifest(manifest)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        model = load_weights(folder, tokenizer)
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(f"answer ranker in {folder} cannot be loaded ({exc}); {_RETRAIN}") from None
    model = for_inference(model, spec.precision)
    return Ranker(model, tokenizer, spec, folder)


_cache_lock = threading.Lock()
_cache: dict[str, Ranker] = {}


def load_ranker(path: str | os.PathLike[str] | None = None) -> Ranker:
    """The ranker of model folder `path` (default: `DEFAULT_RANKER_DIR`, the repository's model), loaded once.

    Offline and on CPU. Raises `ModelError` when a file is missing or damaged.
    """
    key = str(Path(DEFAULT_RANKER_DIR if path is None else path).resolve())
    with _cache_lock:
        ranker = _cache.get(key)
        if ranker is None:
            ranker = _load(Path(key))
            _cache[key] = ranker
        return ranker
