"""Write `eval/squad_dev/`, the QA suite of the SQuAD 2.0 dev articles the answer ranker never trained on.

    python scripts/squad_dev_suite.py

From `train/squad/dev-v2.0-train-split.json.gz`, split by article as `rag.train` splits it
(`rag.train.squad.split_dev`): the ranker's "fit-tune" articles become the suite's `fit` part (the
signal weights and the refusal model are fitted there), its "report" articles the `held-out` part.
The "fit-train" articles are left out: the ranker learnt from them. Paragraph files and rows as
`scripts/convert_squad.py` writes them (every answer offset checked).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing
sys.path.insert(0, str(ROOT / "scripts"))

from convert_squad import convert, write_suite  # noqa: E402

from rag.train import squad  # noqa: E402

OUT = ROOT / "eval" / "squad_dev"

SOURCE = """# SQuAD 2.0 dev articles held out from the answer ranker (CC BY-SA 4.0)

Stanford Question Answering Dataset 2.0, Rajpurkar, Jia and Liang (2018), licensed CC BY-SA 4.0;
taken from the project's copy `train/squad/dev-v2.0-train-split.json.gz` (see `train/squad/SOURCE.md`).
Written by `scripts/squad_dev_suite.py`. Parts, by article (`rag.train.squad.split_dev`):
`fit` = the ranker's fit-tune articles ({tune}); `held-out` = its report articles ({report}).
The ranker's fit-train articles are not here.
"""


def main() -> int:
    data = squad._read_json(squad.DATA_DIR / squad.DEV_FILE)
    split = squad.split_dev([a["title"] for a in data["data"]])
    chosen = [a for a in data["data"] if a["title"] in split.fit_tune + split.report]
    docs, rows = convert({"data": chosen}, fit_titles=split.fit_tune)
    source = SOURCE.format(tune=", ".join(split.fit_tune), report=", ".join(split.report))
    write_suite(OUT, docs, rows, source_md=source)
    parts = {p: sum(r["part"] == p for r in rows) for p in ("fit", "held-out")}
    print(f"wrote {OUT.relative_to(ROOT)}: {len(docs)} paragraphs, {len(rows)} questions {parts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
