"""Measure near-duplicate detectors on eval/duplicates: quality on fit and held-out, then speed.

Every method gets its threshold from the FIT part of the real pairs (best F1 there); the
held-out part and the synthetic set are only scored. Prints markdown tables.

    HF_HUB_OFFLINE=1 python scripts/measure_duplicates.py            # everything
    HF_HUB_OFFLINE=1 python scripts/measure_duplicates.py --no-model # skip the MiniLM rows

The MinHash rows need `datasketch` (`pip install datasketch`); without it they are skipped.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rag import duplicates as dup  # noqa: E402

PAIRS = ROOT / "eval" / "duplicates" / "pairs.jsonl"
SYNTHETIC = ROOT / "eval" / "duplicates" / "synthetic.jsonl"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"
SET_THRESHOLDS = [round(0.30 + 0.05 * i, 2) for i in range(14)]  # 0.30 .. 0.95
COSINE_THRESHOLDS = [round(0.70 + 0.02 * i, 2) for i in range(15)]  # 0.70 .. 0.98


@dataclass(frozen=True)
class Pair:
    id: str
    a: str
    b: str
    label: int
    kind: str
    part: str


def load(path: Path) -> list[Pair]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        for side in ("a", "b"):
            ref = r[side]
            if "doc" in ref:  # a real sentence: its offsets must still point at it
                text = (ROOT / ref["doc"]).read_text(encoding="utf-8")
                if text[ref["start"] : ref["end"]] != ref["text"]:
                    raise SystemExit(f"{r['id']}: {side} no longer matches {ref['doc']} [{ref['start']}:{ref['end']}]")
        rows.append(Pair(r["id"], r["a"]["text"], r["b"]["text"], r["label"], r["kind"], r["part"]))
    return rows


def shingles(text: str, k: int) -> frozenset[str]:
    """Word k-shingles of the normalised words; a sentence shorter than k is one shingle."""
    w = dup.words(text)
    if len(w) <= k:
        return frozenset([" ".join(w)])
    return frozenset(" ".join(w[i : i + k]) for i in range(len(w) - k + 1))


RULES: dict[str, Callable[[dup.Fingerprint, dup.Fingerprint], bool]] = {
    "none": lambda a, b: True,
    "figures": lambda a, b: a.figures == b.figures,
    "figures+names": dup.facts_agree,  # the module's rule: names nest (one set holds the other)
    "figures+names equal": lambda a, b: a.figures == b.figures and a.names == b.names,
}


def prf(predicted: Sequence[bool], gold: Sequence[int]) -> tuple[float, float, float]:
    tp = sum(1 for p, g in zip(predicted, gold) if p and g)
    fp = sum(1 for p, g in zip(predicted, gold) if p and not g)
    fn = sum(1 for p, g in zip(predicted, gold) if not p and g)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def evaluate(
    name: str,
    score: Callable[[Pair], float],
    thresholds: Sequence[float],
    pairs: list[Pair],
    synthetic: list[Pair],
    fps: dict[str, dup.Fingerprint],
) -> list[tuple]:
    """Rows (method, rule, threshold, fit P/R/F1, held-out P/R/F1, synthetic held-out P/R/F1)."""
    scores = {p.id: score(p) for p in pairs + synthetic}
    out = []
    for rule_name, rule in RULES.items():
        agree = {p.id: rule(fps[p.a], fps[p.b]) for p in pairs + synthetic}

        def predict(rows: list[Pair], t: float, agree: dict[str, bool] = agree) -> list[bool]:
            return [agree[p.id] and scores[p.id] >= t for p in rows]

        fit = [p for p in pairs if p.part == "fit"]
        best = max(thresholds, key=lambda t: (prf(predict(fit, t), [p.label for p in fit])[2], t))
        row = [name, rule_name, best]
        for rows in (fit, [p for p in pairs if p.part == "held-out"], [p for p in synthetic if p.part == "held-out"]):
            row.extend(prf(predict(rows, best), [p.label for p in rows]))
        out.append(tuple(row))
    return out


def sweep(score: Callable[[Pair], float], pairs: list[Pair], fps: dict[str, dup.Fingerprint]) -> list[tuple]:
    """Held-out P/R/F1 of one score with the figures+names rule at every threshold."""
    held = [p for p in pairs if p.part == "held-out"]
    gold = [p.label for p in held]
    return [
        (t, *prf([dup.facts_agree(fps[p.a], fps[p.b]) and score(p) >= t for p in held], gold)) for t in SET_THRESHOLDS
    ]


def per_call_us(fn: Callable[[], object], repeat: int) -> float:
    """Best of 5 runs of the time of one call, in microseconds (the CPUs are shared: best is least disturbed)."""
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        runs.append((time.perf_counter() - start) / repeat * 1e6)
    return min(runs)


def either(
    pairs: list[Pair], synthetic: list[Pair], fps: dict[str, dup.Fingerprint], cosine: Callable[[Pair], float]
) -> tuple:
    """Facts rule, then word Jaccard OR MiniLM cosine; both thresholds chosen on fit."""

    def predict(rows: list[Pair], jt: float, ct: float) -> list[bool]:
        return [
            dup.facts_agree(fps[p.a], fps[p.b])
            and (dup.jaccard(fps[p.a].words, fps[p.b].words) >= jt or cosine(p) >= ct)
            for p in rows
        ]

    fit = [p for p in pairs if p.part == "fit"]
    gold = [p.label for p in fit]
    jt, ct = max(
        ((jt, ct) for jt in SET_THRESHOLDS for ct in COSINE_THRESHOLDS),
        key=lambda g: (prf(predict(fit, *g), gold)[2], g),
    )
    row = ["Jaccard 1-word OR cosine", "figures+names", f"{jt:.2f} / {ct:.2f}"]
    for rows in (fit, [p for p in pairs if p.part == "held-out"], [p for p in synthetic if p.part == "held-out"]):
        row.extend(prf(predict(rows, jt, ct), [p.label for p in rows]))
    return tuple(row)


def corpus_sentences() -> list[str]:
    from rag.chunking import sentence_units
    from rag.documents import list_sources, read_document

    out = []
    for source in list_sources(ROOT / "eval" / "ukraine_2022" / "docs"):
        doc = read_document(source)
        if not isinstance(doc, str):
            out.extend(u.text for u in sentence_units(doc))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-model", action="store_true", help="skip the MiniLM cosine rows")
    args = parser.parse_args()

    pairs, synthetic = load(PAIRS), load(SYNTHETIC)
    texts = sorted({t for p in pairs + synthetic for t in (p.a, p.b)})
    fps = {t: dup.fingerprint(t) for t in texts}
    count = {
        part: (sum(p.label for p in pairs if p.part == part), len([p for p in pairs if p.part == part]))
        for part in ("fit", "held-out")
    }
    syn_held = [p for p in synthetic if p.part == "held-out"]
    print(
        f"real pairs: fit {count['fit'][1]} ({count['fit'][0]} duplicates), held-out {count['held-out'][1]} "
        f"({count['held-out'][0]} duplicates); synthetic held-out {len(syn_held)} ({sum(p.label for p in syn_held)} duplicates)\n"
    )

    rows: list[tuple] = []
    rows += evaluate("exact (normalised)", lambda p: float(fps[p.a].key == fps[p.b].key), [1.0], pairs, synthetic, fps)
    sets = {k: {t: shingles(t, k) for t in texts} for k in (1, 2, 3)}
    for k in (1, 2, 3):
        rows += evaluate(
            f"Jaccard, {k}-word shingles",
            lambda p, k=k: dup.jaccard(sets[k][p.a], sets[k][p.b]),
            SET_THRESHOLDS,
            pairs,
            synthetic,
            fps,
        )

    minhash_speed: dict[int, tuple[float, float]] = {}
    try:
        from datasketch import MinHash
    except ImportError:
        print("datasketch is not installed: MinHash rows skipped (pip install datasketch)\n")
    else:
        for num_perm in (64, 128):
            for k in (1, 2):
                hashes = {}
                for t in texts:
                    m = MinHash(num_perm=num_perm, seed=1)
                    m.update_batch([s.encode("utf-8") for s in sets[k][t]])
                    hashes[t] = m
                rows += evaluate(
                    f"MinHash {num_perm}, {k}-word shingles",
                    lambda p, h=hashes: h[p.a].jaccard(h[p.b]),
                    SET_THRESHOLDS,
                    pairs,
                    synthetic,
                    fps,
                )

            def make(num_perm=num_perm, text=texts[0]):
                m = MinHash(num_perm=num_perm, seed=1)
                m.update_batch([s.encode("utf-8") for s in sets[1][text]])
                return m

            m1, m2 = make(), make(text=texts[1])
            minhash_speed[num_perm] = (per_call_us(make, 200), per_call_us(lambda m1=m1, m2=m2: m1.jaccard(m2), 2000))

    cosine_speed = None
    if not args.no_model:
        import numpy as np

        from rag.embedding import encode

        vectors = dict(zip(texts, encode(MODEL, texts)))
        rows += evaluate(
            "cosine MiniLM-L6",
            lambda p: float(np.dot(vectors[p.a], vectors[p.b])),
            COSINE_THRESHOLDS,
            pairs,
            synthetic,
            fps,
        )
        batch = texts[:256]
        start = time.perf_counter()
        encode(MODEL, batch)
        per_sentence = (time.perf_counter() - start) / len(batch) * 1e6
        va, vb = vectors[texts[0]], vectors[texts[1]]
        cosine_speed = (per_sentence, per_call_us(lambda: float(np.dot(va, vb)), 2000))
        rows.append(either(pairs, synthetic, fps, lambda p: float(np.dot(vectors[p.a], vectors[p.b]))))

    print(
        "| method | facts rule | threshold (fit) | fit P | fit R | fit F1 | held-out P | held-out R | held-out F1 | synthetic held-out P | R | F1 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        threshold = r[2] if isinstance(r[2], str) else f"{r[2]:.2f}"
        print(f"| {r[0]} | {r[1]} | {threshold} | " + " | ".join(f"{x:.3f}" for x in r[3:]) + " |")

    print("\nJaccard of 1-word shingles with the figures+names rule, held-out, by threshold:\n")
    print("| threshold | P | R | F1 |\n|---|---|---|---|")
    for t, p, r, f in sweep(lambda p: dup.jaccard(sets[1][p.a], sets[1][p.b]), pairs, fps):
        print(f"| {t:.2f} | {p:.3f} | {r:.3f} | {f:.3f} |")

    chosen = [dup.same_sentence(fps[p.a], fps[p.b]) for p in pairs if p.part == "held-out"]
    held_gold = [p.label for p in pairs if p.part == "held-out"]
    print(
        f"\nrag.duplicates.same_sentence (threshold {dup.JACCARD_THRESHOLD}) held-out P/R/F1: "
        + "/".join(f"{x:.3f}" for x in prf(chosen, held_gold))
    )
    errors = [p for p in pairs if p.part == "held-out" and dup.same_sentence(fps[p.a], fps[p.b]) != bool(p.label)]
    errors += [p for p in syn_held if dup.same_sentence(fps[p.a], fps[p.b]) != bool(p.label)]
    print(f"its held-out errors (real and synthetic), {len(errors)}:")
    for p in errors:
        print(f"  {p.id} gold={p.label} {p.kind}: {p.a!r} | {p.b!r}")

    # Speed: per fingerprint and per pair, then grouping at the sizes the engine uses.
    sentences = corpus_sentences()
    rng = random.Random(0)
    sample = rng.sample(sentences, 1000)
    fp_us = per_call_us(lambda: [dup.fingerprint(s) for s in sample[:100]], 5) / 100
    fa, fb = dup.fingerprint(sample[0]), dup.fingerprint(sample[1])
    ca, cb = dup.fingerprint("Glory to Ukraine!"), dup.fingerprint("Glory to Ukraine.")
    print("\n| method | µs per fingerprint | µs per pair |\n|---|---|---|")
    print(
        f"| rag.duplicates (sets) | {fp_us:.1f} | {per_call_us(lambda: dup.same_sentence(fa, fb), 20000):.2f} (different) / "
        f"{per_call_us(lambda: dup.same_sentence(ca, cb), 20000):.2f} (copies) |"
    )
    for num_perm, (f, p) in minhash_speed.items():
        print(f"| MinHash {num_perm} (+ rag fingerprint for the rule) | {f:.1f} + {fp_us:.1f} | {p:.2f} |")
    if cosine_speed:
        print(f"| cosine MiniLM-L6 (encode, batch of 256, CPU) | {cosine_speed[0]:.0f} | {cosine_speed[1]:.2f} |")

    print("\n| items grouped | fingerprints | group_duplicates | groups |\n|---|---|---|---|")
    glory = [s for s in sentences if s == "Glory to Ukraine!"]
    cases = [
        ("100 random sentences", sample[:100]),
        ("100 sentences, 40 of them copies of one", sample[:60] + glory[:40]),
        ("300 random sentences", sample[:300]),
        ("1,000 random sentences", sample),
        ("4,000 random sentences", rng.sample(sentences, 4000)),
        ("8,000 random sentences", rng.sample(sentences, 8000)),
        (f"all {len(sentences):,} sentences of the 175 articles", sentences),
    ]
    for label, items in cases:
        repeat = 20 if len(items) <= 1000 else 1
        fp_ms = per_call_us(lambda items=items: [dup.fingerprint(s) for s in items], repeat) / 1e3
        prints = [dup.fingerprint(s) for s in items]
        ms = per_call_us(lambda prints=prints: dup.group_duplicates(prints), repeat) / 1e3
        groups = dup.group_duplicates(prints)
        print(f"| {label} | {fp_ms:.1f} ms | {ms:.2f} ms | {len(set(groups)):,} |")


if __name__ == "__main__":
    main()
