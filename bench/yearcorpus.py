"""A year of news from real text: base articles (SQuAD 1.1, the Ukraine statements, the seed) and their variants.

Base articles are real text, each kept byte for byte:

* SQuAD 1.1 train (Wikipedia, CC BY-SA 4.0; see `train/squad/SOURCE.md`), every other title
  (alphabetically; half, because embedding all 91k of their sentences took hours on the shared
  machine): the paragraphs of one title, four at a time, make one article (about 20 sentences,
  3 kB, like a news story), dated on a day of 2022 drawn from its name;
* the 175 dated statements of `eval/ukraine_2022/docs` (CC0, see its SOURCE.md), as they are;
* the seed article (`seeds/`).

Larger corpora repeat SQuAD articles with variations, as a news stream repeats a story: in a
variant, about half of the mid-sentence names are swapped for other SQuAD names (one mapping per
article), every number is replaced by another of as many digits, the sentences of each
paragraph are shuffled, and the date is drawn again. Units (quotable sentences) of a base
article are the engine's own (`rag.chunking.sentence_units`); a variant's units are the base
units it was made of, at known offsets (`check_variant_units` measures how often the engine
would split them the same way). The vectors of the units are made in `bench.yearvectors`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import itertools
import json
import os
import random
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .common import ROOT

# Where SQuAD 1.1 train is read from: the repository's copy (train/squad/, added with the answer
# ranker), else the file named by $BENCH_SQUAD.
SQUAD_IN_REPO = ROOT / "train" / "squad" / "train-v1.1.json.gz"
UKRAINE_DIR = ROOT / "eval" / "ukraine_2022" / "docs"
SEED_DIR = ROOT / "seeds"
YEAR = 2022
PARAGRAPHS_PER_ARTICLE = 4
TITLE_STEP = 2  # every other SQuAD title
SQUAD_SOURCE = "SQuAD 1.1 train (Wikipedia, CC BY-SA 4.0)"

_NAME = re.compile(r"(?<=[a-z,;] )[A-Z][a-z]{2,}\b")
_NUMBER = re.compile(r"\b\d[\d,]*\b")
# Capitalised words that are not names: never swapped.
_NOT_NAMES = frozenset({"The", "This", "That", "These", "Those", "His", "Her", "Its", "Their", "Our", "And", "But"})
_NAME_POOL = 3000


def squad_path() -> Path:
    """SQuAD 1.1 train: the repository's copy, else $BENCH_SQUAD; `ValueError` saying how to provide it."""
    if SQUAD_IN_REPO.exists():
        return SQUAD_IN_REPO
    env = os.environ.get("BENCH_SQUAD")
    if env and Path(env).is_file():
        return Path(env)
    raise ValueError(
        f"SQuAD 1.1 train not found at {SQUAD_IN_REPO.relative_to(ROOT)}: "
        "set BENCH_SQUAD to the path of train-v1.1.json.gz (the shared train/squad folder)"
    )


@dataclass(frozen=True)
class SquadQuestion:
    """A SQuAD question whose paragraph is in a base article."""

    id: str
    q: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class BaseArticle:
    """One real article: its file name, text, where its units are, and (SQuAD) its questions."""

    doc_id: str
    text: str
    kind: str  # "squad", "ukraine" or "seed"
    units: tuple[tuple[int, int], ...]  # (start, end) of each sentence unit, as the engine splits it
    questions: tuple[SquadQuestion, ...] = ()
    title: str = ""

    @property
    def body_start(self) -> int:
        """Where the text starts after the header."""
        return self.text.index("\n\n") + 2


def _day(key: str) -> dt.date:
    """A day of `YEAR` drawn from `key` (the same on every run)."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    return dt.date(YEAR, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _slug(title: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")[:60] or "article"


def _squad_articles(path: Path) -> Iterator[tuple[str, str, list[SquadQuestion]]]:
    """(doc_id, text, questions) of each SQuAD article: a title's paragraphs, four at a time."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)["data"]
    for entry in sorted(data, key=lambda e: e["title"])[::TITLE_STEP]:
        title = entry["title"].replace("_", " ")
        paragraphs = entry["paragraphs"]
        for part, first in enumerate(range(0, len(paragraphs), PARAGRAPHS_PER_ARTICLE)):
            chunk = paragraphs[first : first + PARAGRAPHS_PER_ARTICLE]
            day = _day(f"squad:{entry['title']}:{part}")
            head = f"date: {day.isoformat()}\ntitle: {title} ({part + 1})\nsource: {SQUAD_SOURCE}\n\n"
            # a paragraph is one line: SQuAD's rare inner line breaks become spaces (answers stay verbatim)
            body = "\n\n".join(" ".join(p["context"].split("\n")) for p in chunk)
            questions = [
                SquadQuestion(qa["id"], qa["question"].strip(), tuple(dict.fromkeys(a["text"] for a in qa["answers"])))
                for p in chunk
                for qa in p["qas"]
            ]
            yield f"{day.isoformat()}-{_slug(entry['title'])}-{part + 1:02d}.txt", head + body + "\n", questions


def _file_articles(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.glob("*.txt")):
        yield path.name, path.read_text(encoding="utf-8")


def base_articles(squad: Path | None = None, toy: bool = False) -> list[BaseArticle]:
    """Every base article, sorted by id, with the engine's sentence units (takes ~3 minutes: pysbd).

    `toy`: the seed, 3 statements and the first 10 SQuAD articles (none when SQuAD is not
    available), for the smoke test.
    """
    from rag import chunking

    ukraine = list(_file_articles(UKRAINE_DIR))
    raw: list[tuple[str, str, str, tuple[SquadQuestion, ...]]] = []
    raw += [(d, t, "seed", ()) for d, t in _file_articles(SEED_DIR)]
    raw += [(d, t, "ukraine", ()) for d, t in (ukraine[:3] if toy else ukraine)]
    if not toy or SQUAD_IN_REPO.exists() or os.environ.get("BENCH_SQUAD"):
        found = itertools.islice(_squad_articles(squad or squad_path()), 10 if toy else None)
        raw += [(d, t, "squad", tuple(q)) for d, t, q in found]
    out = []
    for doc_id, text, kind, questions in sorted(raw):
        doc = as_document(doc_id, text)
        units = tuple((u.start, u.end) for u in chunking.sentence_units(doc))
        out.append(BaseArticle(doc_id, text, kind, units, questions, doc.title or ""))
    return out


def as_document(doc_id: str, text: str):  # type: ignore[no-untyped-def]
    """The `rag.Document` the engine would read from a file of `text` named `doc_id`."""
    from rag.documents import Document, parse_header

    meta, body_start = parse_header(text)
    return Document(
        doc_id=doc_id,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        date=meta.get("date"),
        title=meta.get("title"),
        source=meta.get("source"),
        url=meta.get("url"),
        body_start=body_start,
    )


# ----------------------------------------------------------------------------- variants


def name_pool(articles: Sequence[BaseArticle]) -> list[str]:
    """The commonest mid-sentence capitalised words of the SQuAD articles: what names are swapped for."""
    counts: Counter[str] = Counter()
    for a in articles:
        if a.kind == "squad":
            counts.update(m.group() for m in _NAME.finditer(a.text, a.body_start))
    return [w for w, _ in counts.most_common(_NAME_POOL) if w not in _NOT_NAMES]


@dataclass(frozen=True)
class Variant:
    """A variant article: its text, units, and for each unit the base unit it rewrites."""

    doc_id: str
    text: str
    units: tuple[tuple[int, int], ...]
    base_units: tuple[int, ...]  # index of each unit among its base article's units
    changed: tuple[bool, ...]  # True when the unit's text differs from its base unit's


def variant(base: BaseArticle, k: int, pool: Sequence[str]) -> Variant:
    """Variant `k` (>= 1) of a SQuAD article: names and numbers swapped, sentences shuffled, redated."""
    rng = random.Random(hashlib.sha256(f"{base.doc_id}:{k}".encode()).digest())
    names = sorted({m.group() for m in _NAME.finditer(base.text, base.body_start)} - _NOT_NAMES)
    swapped = {n: rng.choice(pool) for n in names if rng.random() < 0.5}

    def rewrite(sentence: str) -> str:
        if swapped:
            sentence = re.sub(
                r"\b(" + "|".join(map(re.escape, swapped)) + r")\b", lambda m: swapped[m.group()], sentence
            )
        return _NUMBER.sub(lambda m: _same_digits(m.group(), rng), sentence)

    day = _day(f"variant:{base.doc_id}:{k}")
    title = f"{base.title} (update {k})"
    head = f"date: {day.isoformat()}\ntitle: {title}\nsource: {SQUAD_SOURCE}, varied\n\n"
    text, units, base_units, changed = head, [], [], []
    for line in _lines_of(base):
        order = list(line)
        rng.shuffle(order)
        pieces = []
        for i in order:
            a, b = base.units[i]
            new = rewrite(base.text[a:b])
            start = len(text) + sum(len(p) + 1 for p in pieces)
            units.append((start, start + len(new)))
            base_units.append(i)
            changed.append(new != base.text[a:b])
            pieces.append(new)
        text += " ".join(pieces) + "\n\n"
    doc_id = f"{day.isoformat()}-{base.doc_id[11:-4]}-u{k}.txt"
    return Variant(doc_id, text.rstrip("\n") + "\n", tuple(units), tuple(base_units), tuple(changed))


def _same_digits(number: str, rng: random.Random) -> str:
    """Another number with as many digits, in the same grouping style."""
    digits = number.replace(",", "")
    new = str(rng.randint(10 ** (len(digits) - 1) if len(digits) > 1 else 0, 10 ** len(digits) - 1))
    return f"{int(new):,}" if "," in number else new


def _lines_of(base: BaseArticle) -> list[list[int]]:
    """The base article's units grouped by the line (paragraph) they are on."""
    lines: list[list[int]] = []
    last_line = -1
    for i, (a, _) in enumerate(base.units):
        line = base.text.count("\n", 0, a)
        if line != last_line:
            lines.append([])
            last_line = line
        lines[-1].append(i)
    return lines


def check_variant_units(variants: Sequence[Variant], sample: int = 300) -> dict[str, float]:
    """How often the engine's own sentence splitter gives exactly a variant's constructed units."""
    from rag import chunking

    rng = random.Random(7)
    chosen = rng.sample(list(variants), min(sample, len(variants)))
    same = total = 0
    for v in chosen:
        found = {(u.start, u.end) for u in chunking.sentence_units(as_document(v.doc_id, v.text))}
        same += sum(1 for u in v.units if u in found)
        total += len(v.units)
    return {"articles": len(chosen), "units": total, "units_split_alike": round(same / max(total, 1), 4)}
