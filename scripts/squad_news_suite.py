"""Write a dated probe suite shaped like a year of news, from SQuAD 1.1 train: `python scripts/squad_news_suite.py OUT`.

    python scripts/squad_news_suite.py /tmp/squad-news --titles 60 --lag 7
    rag eval /tmp/squad-news --part fit --gold-article

Each paragraph of `--titles` Wikipedia titles (seeded draw from `train/squad/train-v1.1.json.gz`)
becomes one article dated on a random day of 2022, so a title stands for a story reported many
times. One question per paragraph is asked `as_of` its paragraph's day plus 0 to `--lag` days:
later paragraphs are hidden, earlier ones of the same story compete. Parts are split by title.
It probes how much choosing the article costs (`--gold-article`), the gap an independent year of
news measured; it is not committed (60 titles write about 11 MB). Text: CC BY-SA 4.0, see
`train/squad/SOURCE.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQUAD = ROOT / "train" / "squad" / "train-v1.1.json.gz"
FIRST_DAY = dt.date(2022, 1, 1)


def write_suite(out: Path, titles: int, lag: int, seed: int) -> int:
    """Write `out/docs/` and `out/qa.jsonl`; the number of questions."""
    with gzip.open(SQUAD, "rt", encoding="utf-8") as fh:
        articles = sorted(json.load(fh)["data"], key=lambda a: a["title"])
    rng = random.Random(seed)
    picked = sorted(rng.sample(articles, titles), key=lambda a: a["title"])
    (out / "docs").mkdir(parents=True, exist_ok=False)
    rows = []
    for n, article in enumerate(picked):
        slug = re.sub(r"[^A-Za-z0-9]+", "-", article["title"]).strip("-")
        title = article["title"].replace("_", " ")
        for i, paragraph in enumerate(article["paragraphs"]):
            day = FIRST_DAY + dt.timedelta(days=rng.randrange(365))
            name = f"{day.isoformat()}-{slug}-{i:02d}.txt"
            header = (
                f"date: {day.isoformat()}\ntitle: {title} ({i})\nsource: SQuAD 1.1 train (Wikipedia, CC BY-SA 4.0)\n\n"
            )
            (out / "docs" / name).write_text(header + paragraph["context"] + "\n", encoding="utf-8")
            qa = rng.choice(paragraph["qas"])
            asked = day + dt.timedelta(days=rng.randint(0, lag))
            rows.append(
                {
                    "id": qa["id"],
                    "q": qa["question"],
                    "gold": sorted({a["text"] for a in qa["answers"]}),
                    "doc": name,
                    "as_of": asked.isoformat(),
                    "part": "fit" if n % 2 == 0 else "held-out",
                }
            )
    with (out / "qa.jsonl").open("w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to create (must not exist)")
    ap.add_argument("--titles", type=int, default=60, help="Wikipedia titles, each a story (default 60)")
    ap.add_argument("--lag", type=int, default=7, help="most days between an article and its question (default 7)")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args()
    print(f"{write_suite(args.out, args.titles, args.lag, args.seed)} questions written to {args.out}")


if __name__ == "__main__":
    main()
