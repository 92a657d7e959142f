"""Convert a SQuAD v2.0 JSON file into a `rag eval` suite folder.

    python scripts/convert_squad.py ../shared/eval/squad_v2_small/squad_v2_small.json \
        eval/squad_v2_small --source-md ../shared/eval/squad_v2_small/SOURCE.md

Writes, replacing what an earlier run wrote:

- `docs/<article>/pNNN.txt`: one file per paragraph (NNN = its 0-based position in the
  article), `title: <Article title>`, a blank line, then the paragraph verbatim. The rag
  header parser reads the title and starts the body right after the blank line, so each
  answer sits at `header_length + answer_start`; every answer is checked there.
- `qa.jsonl`: one row per question: `id`, `q`, `gold` (the distinct answer texts) or
  `unanswerable: true`, `doc` (the paragraph file) and `part` (`fit` for the articles named
  with `--fit`, default Normans; `held-out` for the others).
- `SOURCE.md`: the attribution given with `--source-md`, plus how the suite was made.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from rag.documents import parse_header  # noqa: E402

FIT_TITLES = ("Normans",)


def slug(title: str) -> str:
    """Folder name of an article: `Computational_complexity_theory` -> `computational_complexity_theory`."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_") or "article"


def header(title: str) -> str:
    """The metadata header written before a paragraph."""
    return f"title: {title.replace('_', ' ')}\n\n"


def convert(
    squad: dict[str, Any], *, fit_titles: tuple[str, ...] = FIT_TITLES
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The paragraph files ({doc_id: text}) and qa rows of a SQuAD v2 dataset.

    Raises `ValueError` when an answer is not at its `answer_start`, or when the header
    would shift the paragraph (so that offsets could not be trusted).
    """
    if not isinstance(squad.get("data"), list):
        raise ValueError('not SQuAD JSON: expected {"data": [{"title": ..., "paragraphs": [...]}]}')
    docs: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for article in squad["data"]:
        title = article["title"]
        part = "fit" if title in fit_titles else "held-out"
        for n, paragraph in enumerate(article["paragraphs"]):
            doc_id = f"{slug(title)}/p{n:03d}.txt"
            context = paragraph["context"]
            head = header(title)
            text = head + context + "\n"
            meta, body_start = parse_header(text)
            if body_start != len(head) or meta.get("title") != title.replace("_", " "):
                raise ValueError(f"{doc_id}: the header parser puts the body at {body_start}, not {len(head)}")
            docs[doc_id] = text
            for qa in paragraph["qas"]:
                row: dict[str, Any] = {"id": qa["id"], "q": qa["question"].strip()}
                answers = [] if qa.get("is_impossible") else qa["answers"]
                for a in answers:
                    at = body_start + a["answer_start"]
                    if text[at : at + len(a["text"])] != a["text"]:
                        raise ValueError(f"{qa['id']}: answer {a['text']!r} is not at {a['answer_start']} in {doc_id}")
                if answers:
                    row["gold"] = list(dict.fromkeys(a["text"] for a in answers))
                else:
                    row["unanswerable"] = True
                row["doc"] = doc_id
                row["part"] = part
                rows.append(row)
    return docs, rows


def write_suite(out: Path, docs: dict[str, str], rows: list[dict[str, Any]], source_md: str | None = None) -> None:
    """Write `docs/`, `qa.jsonl` (and `SOURCE.md`) under `out`; an old `docs/` is replaced."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "docs", ignore_errors=True)  # a paragraph dropped upstream must not linger
    for doc_id, text in docs.items():
        path = out / "docs" / doc_id
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))  # bytes: no newline translation on any OS
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    (out / "qa.jsonl").write_bytes(lines.encode("utf-8"))
    if source_md is not None:
        (out / "SOURCE.md").write_bytes((source_md.rstrip("\n") + "\n\n" + CONVERSION_NOTE).encode("utf-8"))


CONVERSION_NOTE = """## Conversion

The files of this folder are converted from that JSON file by `scripts/convert_squad.py`
(run it again to regenerate; it checks every answer offset), the text itself unchanged:
`docs/<article>/pNNN.txt` is paragraph NNN (0-based) of the article under a `title:` header
line and a blank line, the paragraph text unchanged; `qa.jsonl` has one row per question with
the distinct gold answer texts (or `"unanswerable": true`), the paragraph file as `doc`, and
its `part` ("fit" or "held-out", by article, as said above).
"""


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="Convert SQuAD v2 JSON into a rag eval suite (docs/ + qa.jsonl).")
    p.add_argument("squad_json", type=Path, help="SQuAD v2.0 JSON file")
    p.add_argument("out", type=Path, help="suite folder to write, e.g. eval/squad_v2_small")
    p.add_argument(
        "--fit",
        action="append",
        default=None,
        help="title of an article for the fit part (repeatable; default: Normans)",
    )
    p.add_argument("--source-md", type=Path, default=None, help="attribution to copy into SOURCE.md")
    args = p.parse_args(argv)
    squad = json.loads(args.squad_json.read_text(encoding="utf-8"))
    docs, rows = convert(squad, fit_titles=tuple(args.fit or FIT_TITLES))
    source_md = args.source_md.read_text(encoding="utf-8") if args.source_md else None
    write_suite(args.out, docs, rows, source_md)
    answerable = sum("gold" in r for r in rows)
    print(f"wrote {len(docs)} paragraphs and {len(rows)} questions ({answerable} answerable) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
