"""How many of the updates an answer lists are other reports of what was asked, against hand labels.

    python scripts/updates_review.py eval/ukraine_2022          # reads eval/ukraine_2022/updates.jsonl

Each line of `updates.jsonl` labels one sentence an answer listed (or once listed) as an update:
`{"id": <question id>, "starts": <the sentence's first characters>, "right": <bool>, "why": <if not>}`.
Right: it reports, in another article, a different figure, date or fact for what the question asks
(an earlier count of the same thing, a conflicting report); wrong: it answers something else (a
count of the wounded asked for the killed, a day's figure asked for a total, a slogan). Every
question of the suite is answered as `rag eval` asks it (with its `as_of`); each update it lists is
looked up by (question, start of its text). Printed per part: updates listed, labelled right, labelled
wrong, not labelled (each then shown, to be labelled), and precision over the labelled ones.

The labels were written in one reading of every update the stream suite listed on 2026-11-30,
held-out questions included, and the update rules of that day were written after it: the
precision measures the rules on the sentences they were made for, a regression check rather than
a blind figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rag.eval import load_suite, suite_index

LABELS = "updates.jsonl"


def load_labels(path: Path) -> dict[str, list[tuple[str, bool]]]:
    """question id -> [(start of the sentence, right)], from `updates.jsonl`."""
    labels: dict[str, list[tuple[str, bool]]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not isinstance(row.get("starts"), str) or not row["starts"] or not isinstance(row.get("right"), bool):
            raise ValueError(f"{path}:{lineno}: each line needs a non-empty 'starts' and a boolean 'right'")
        labels.setdefault(row["id"], []).append((" ".join(row["starts"].split()), row["right"]))
    return labels


def label_of(labels: dict[str, list[tuple[str, bool]]], question_id: str, text: str) -> bool | None:
    """The label of update `text` listed for question `question_id`, or None when it has none."""
    flat = " ".join(text.split())
    return next((right for start, right in labels.get(question_id, []) if flat.startswith(start)), None)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("suite", type=Path)
    args = ap.parse_args()
    suite = load_suite(args.suite)
    labels = load_labels(args.suite / LABELS)
    unknown = set(labels) - {r.id for r in suite.rows}
    if unknown:
        raise SystemExit(f"{args.suite / LABELS}: ids not in qa.jsonl: {sorted(unknown)}")
    index, _ = suite_index(suite)
    counts: dict[str, list[int]] = {}
    unlabelled: list[str] = []
    for row in suite.rows:
        answer = index.answer(row.q, as_of=row.as_of)
        for update in answer.updates if answer.found else ():
            right = label_of(labels, row.id, update.text)
            tally = counts.setdefault(row.part or "fit", [0, 0, 0, 0])
            tally[0] += 1
            tally[1 if right else 2 if right is False else 3] += 1
            if right is None:
                unlabelled.append(f"  {row.id} {row.q!r}: {update.relation} {update.text[:120]!r}")
    print("part        listed  right  wrong  unlabelled  precision (labelled)")
    for part, (listed, right, wrong, none) in sorted(counts.items()):
        precision = f"{right / (right + wrong):.1%}" if right + wrong else "-"
        print(f"{part:10s}  {listed:6d}  {right:5d}  {wrong:5d}  {none:10d}  {precision}")
    if unlabelled:
        print("not labelled yet:")
        print("\n".join(unlabelled))


if __name__ == "__main__":
    main()
