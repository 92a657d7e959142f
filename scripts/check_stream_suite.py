"""Validate the dated-stream QA suite and briefing gold set (`qa.jsonl`, `briefing.jsonl` over `docs/`).

    python scripts/check_stream_suite.py [eval/ukraine_2022] [--quiet]

Lists every problem (exit status 1): unparsable rows, unknown keys, duplicate ids, dates not in
YYYY-MM-DD, gold or development phrases missing from their article, answering articles dated
after `as_of`, `after-as-of` rows whose article is not after `as_of`, developments outside their
window, parts that are not the part of the row's article, and counts below those README.md
promises. Unless --quiet it first prints author aids (never failures): the sentences to read to
confirm that a `latest` gold is the newest answer and that refused rows have no answer by `as_of`.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

DEFAULT_SUITE = Path(__file__).resolve().parent.parent / "eval" / "ukraine_2022"
PART_SEED = 20220224  # the day of the invasion; README.md states the split rule
FIT, HELD_OUT = "fit", "held-out"
ANSWER_KINDS = ("latest", "when", "named-date", "relative-date", "plain")
REFUSE_KINDS = ("after-as-of", "absent")
KINDS = ANSWER_KINDS + REFUSE_KINDS
TIME_KINDS = KINDS[:4] + REFUSE_KINDS
ANSWER_KEYS = frozenset({"id", "q", "as_of", "kind", "gold", "doc", "part", "date"})
REFUSE_KEYS = frozenset({"id", "q", "as_of", "kind", "unanswerable", "doc", "part"})
BRIEF_KEYS = frozenset({"id", "since", "until", "topic", "as_of", "developments"})
DEVELOPMENT_KEYS = frozenset({"id", "date", "phrases", "doc"})
# What README.md promises; fewer is a failure so that a trimmed file cannot pass silently.
MIN_ROWS, MIN_TIME_ROWS, MIN_PER_KIND, MIN_PLAIN = 100, 80, 14, 10
MIN_BRIEFS, MIN_DEVELOPMENTS, DEVELOPMENTS_PER_BRIEF = 5, 30, range(4, 9)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTES = str.maketrans({c: '"' for c in "“”„‟«»″"} | {c: "'" for c in "‘’‚‛′`"})
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_FIGURE = re.compile(r"\d|\b(?:hundred|thousand|million|billion|dozen)s?\b", re.IGNORECASE)
# Words nearly every question here has (question words, the parties): no help in telling articles apart.
_STOP = frozenset(
    word
    for words in (
        "a an and are as at be been by did do does for from has have how in is it its of on or so the their there",
        "they this to was were what when where which who why will with according said say says per get got",
        "zelenskyy zelenskyy's ukraine ukraine's ukrainian ukrainians russia russia's russian",
        "many much far now today yesterday since latest current total number",
    )
    for word in words.split()
)

Row = dict[str, Any]


def normalize(text: str) -> str:
    """`text` as the scorer compares it: NFKC, straight quotes, collapsed whitespace, case folded.

    A copy of `rag.eval.normalize` (a test keeps them equal), so that this script runs
    without importing the engine and its model stack.
    """
    return " ".join(unicodedata.normalize("NFKC", text).translate(_QUOTES).split()).casefold()


@dataclass(frozen=True)
class Article:
    """One file of `docs/`: its name, header date and body (the text after the header's blank line)."""

    name: str
    date: date
    text: str


def load_articles(docs_dir: Path) -> dict[str, Article]:
    """The articles of `docs_dir` by file name; `ValueError` for a file without the corpus header.

    Phrases are checked against the body only: a quote of the text cannot contain the title line.
    """
    articles = {}
    for path in sorted(docs_dir.glob("*.txt")):
        header, blank, body = path.read_text(encoding="utf-8").partition("\n\n")
        match = re.fullmatch(r"date (\d{4}-\d{2}-\d{2})", header.partition("\n")[0].strip())
        if not match or not blank:
            raise ValueError(f"{path}: needs a header starting 'date YYYY-MM-DD' and a blank line before the text")
        articles[path.name] = Article(path.name, date.fromisoformat(match.group(1)), body)
    if not articles:
        raise ValueError(f"{docs_dir}: no .txt articles; pass the suite folder that holds docs/")
    return articles


def held_out_articles(names: list[str] | set[str], seed: int = PART_SEED) -> set[str]:
    """The seeded random half of the article names (the odd one included) that forms the held-out part."""
    ordered = sorted(names)
    return set(random.Random(seed).sample(ordered, (len(ordered) + 1) // 2))


def read_jsonl(path: Path) -> tuple[list[Row], list[str]]:
    """The JSON objects of `path`, one per non-blank line, and a problem for each line that is not one."""
    rows, problems = [], []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            row = json.loads(line) if line.strip() else {}
        except json.JSONDecodeError as exc:
            problems.append(f"{path.name}:{lineno}: not valid JSON ({exc.msg})")
            continue
        if not isinstance(row, dict):
            problems.append(f"{path.name}:{lineno}: a row must be a JSON object")
        elif row:
            rows.append(row)
    return rows, problems


def _day(value: Any) -> date | None:
    """`value` as a date when it is a YYYY-MM-DD string, else None."""
    if isinstance(value, str) and _ISO.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _missing(phrases: Any, article: Article, where: str) -> list[str]:
    """Problems of a phrase list: not a non-empty list of strings, or a phrase absent from `article`."""
    if not isinstance(phrases, list) or not phrases or not all(isinstance(p, str) and normalize(p) for p in phrases):
        return [f"{where}: give a non-empty list of phrases"]
    body = normalize(article.text)
    return [f"{where}: phrase {p!r} is not in {article.name}" for p in phrases if normalize(p) not in body]


def check_qa(rows: list[Row], articles: dict[str, Article]) -> list[str]:
    """Every problem of the QA rows, as messages naming the row and what to fix."""
    problems: list[str] = []
    held, seen = held_out_articles(set(articles)), set()
    for n, row in enumerate(rows, start=1):
        rid, kind, as_of = row.get("id"), row.get("kind"), _day(row.get("as_of"))
        where = f"qa row {n} ({rid})"
        if not isinstance(rid, str) or not rid or rid in seen:
            problems.append(f"{where}: give a unique non-empty string id (duplicate id or none)")
        seen.add(str(rid))
        if kind not in KINDS:
            problems.append(f"{where}: kind must be one of {', '.join(KINDS)}")
            continue
        allowed = REFUSE_KEYS if kind in REFUSE_KINDS else ANSWER_KEYS
        if unknown := sorted(set(row) - allowed):
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}; a {kind} row allows {sorted(allowed)}")
        if not isinstance(row.get("q"), str) or not row["q"].strip():
            problems.append(f'{where}: "q" must be a non-empty question')
        if as_of is None:
            problems.append(f'{where}: "as_of" must be a YYYY-MM-DD date')
        article = articles.get(row["doc"]) if isinstance(row.get("doc"), str) else None
        if article is None:
            problems.append(f'{where}: "doc" {row.get("doc")!r} is not a file of docs/')
            continue
        part = HELD_OUT if article.name in held else FIT
        if row.get("part") != part:
            problems.append(f'{where}: "part" must be {part!r}, the part of its doc')
        if kind in REFUSE_KINDS:
            if row.get("unanswerable") is not True:
                problems.append(f'{where}: a {kind} row needs "unanswerable": true')
            if kind == "after-as-of" and as_of and article.date <= as_of:
                problems.append(f"{where}: its doc must be dated after as_of {as_of}, not {article.date}")
            continue
        problems += _missing(row.get("gold"), article, f"{where} gold")
        if as_of and article.date > as_of:
            problems.append(f"{where}: doc {article.name} is dated after as_of {as_of}; the answer is not visible")
        if ("date" in row or kind == "when") and _day(row.get("date")) is None:
            problems.append(f'{where}: "date" (required for when rows) must be the resolved YYYY-MM-DD day')
    return problems


def check_briefing(rows: list[Row], articles: dict[str, Article]) -> list[str]:
    """Every problem of the briefing rows, as messages naming the row and what to fix."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=1):
        rid = str(row.get("id"))
        where = f"briefing row {n} ({rid})"
        if not isinstance(row.get("id"), str) or not rid or rid in seen:
            problems.append(f"{where}: give a unique non-empty string id")
        seen.add(rid)
        if unknown := sorted(set(row) - BRIEF_KEYS):
            problems.append(f"{where}: unknown key(s) {', '.join(unknown)}; allowed {sorted(BRIEF_KEYS)}")
        since, until, as_of = (_day(row.get(k)) for k in ("since", "until", "as_of"))
        if since is None or until is None or as_of is None or not since <= until <= as_of:
            problems.append(f"{where}: need YYYY-MM-DD dates with since <= until <= as_of")
            continue
        if row.get("topic") is not None and not (isinstance(row["topic"], str) and row["topic"].strip()):
            problems.append(f'{where}: "topic" must be null or a non-empty string')
        developments = row.get("developments")
        if not isinstance(developments, list) or len(developments) not in DEVELOPMENTS_PER_BRIEF:
            problems.append(f"{where}: give {min(DEVELOPMENTS_PER_BRIEF)}-{max(DEVELOPMENTS_PER_BRIEF)} developments")
            continue
        for dev in developments:
            if not isinstance(dev, dict):
                problems.append(f"{where}: a development must be a JSON object")
                continue
            did = dev.get("id")
            at = f"{where} development {did}"
            if not isinstance(did, str) or not did.startswith(f"{rid}-d") or did in seen:
                problems.append(f"{at}: id must be unique and start with {rid}-d")
            seen.add(str(did))
            if unknown := sorted(set(dev) - DEVELOPMENT_KEYS):
                problems.append(f"{at}: unknown key(s) {', '.join(unknown)}; allowed {sorted(DEVELOPMENT_KEYS)}")
            article = articles.get(dev["doc"]) if isinstance(dev.get("doc"), str) else None
            if article is None:
                problems.append(f'{at}: "doc" {dev.get("doc")!r} is not a file of docs/')
                continue
            if not since <= article.date <= until:
                problems.append(f"{at}: doc {article.name} is outside the window {since}..{until}")
            day = _day(dev.get("date"))
            if day is None or not since <= day <= min(until, article.date):
                problems.append(f'{at}: "date" must be a YYYY-MM-DD day in the window and not after its doc')
            problems += _missing(dev.get("phrases"), article, at)
    return problems


def count_problems(qa: list[Row], briefing: list[Row]) -> list[str]:
    """Problems of size: fewer rows of a kind, or fewer developments, than README.md promises."""
    kinds = Counter(r.get("kind") for r in qa)
    developments = sum(len(r["developments"]) for r in briefing if isinstance(r.get("developments"), list))
    wanted = [
        (len(qa), MIN_ROWS, "qa rows"),
        (sum(kinds[k] for k in TIME_KINDS), MIN_TIME_ROWS, "time-question rows"),
        *((kinds[k], MIN_PER_KIND, f"{k} rows") for k in TIME_KINDS),
        (kinds["plain"], MIN_PLAIN, "plain rows"),
        (len(briefing), MIN_BRIEFS, "briefing rows"),
        (developments, MIN_DEVELOPMENTS, "developments"),
    ]
    return [f"only {have} {what}; README.md promises at least {need}" for have, need, what in wanted if have < need]


def key_terms(question: str) -> set[str]:
    """The content words of `question` that an answering sentence would likely share."""
    return {w for w in _WORD.findall(normalize(question)) if len(w) > 2 and w not in _STOP}


@dataclass(frozen=True)
class Sentence:
    """One sentence (or line) of an article with its set of words, for lexical matching."""

    article: Article
    text: str
    words: frozenset[str]


def author_aids(rows: list[Row], articles: dict[str, Article], per_row: int = 4) -> list[str]:
    """Lines that help an author confirm `latest`, `after-as-of` and `absent` rows by reading.

    `latest`: sentences of the other articles dated up to `as_of` sharing two key terms and a
    figure (or three terms), newest first; those not older than the gold article are marked
    NEWER and must be read, as none may give a newer answer. Refused rows: the best matches
    dated up to `as_of`, ranked by the rarity (idf) of the shared terms, so that a sentence
    naming the question's rare subject comes first.
    """
    sentences = [
        Sentence(a, part.strip(), frozenset(_WORD.findall(normalize(part))))
        for a in articles.values()
        for part in re.split(r"(?<=[.!?])\s+|\n+", a.text)
        if part.strip()
    ]
    df = Counter(w for s in sentences for w in s.words)
    idf = {w: math.log(len(sentences) / n) for w, n in df.items()}
    lines = []
    for row in rows:
        as_of, kind, doc = _day(row.get("as_of")), row.get("kind"), row.get("doc")
        if as_of is None or kind not in ("latest", *REFUSE_KINDS) or not isinstance(row.get("q"), str):
            continue
        terms = key_terms(row["q"])
        visible = [s for s in sentences if s.article.date <= as_of and s.article.name != doc]
        gold_day = articles[doc].date if doc in articles else date.min
        lines.append(f"[{row.get('id')}] {kind} as_of {as_of}: {row['q']}  (doc {doc})")
        if kind == "latest":
            shared = [(len(terms & s.words), s) for s in visible]
            found = [(k, s) for k, s in shared if k >= min(2, len(terms)) and k + bool(_FIGURE.search(s.text)) >= 3]
            found.sort(key=lambda m: (-m[1].article.date.toordinal(), -m[0]))
        else:
            found = [(sum(idf[t] for t in terms & s.words), s) for s in visible if terms & s.words]
            found.sort(key=lambda m: -m[0])
        for score, s in found[:per_row]:
            flag = "NEWER " if kind == "latest" and s.article.date >= gold_day else ""
            lines.append(f"    {flag}{s.article.date} {s.article.name[11:22]} ({score:.3g}): {s.text[:160]}")
    return lines


def counts(qa: list[Row], briefing: list[Row]) -> list[str]:
    """A table of rows per kind and part, and the briefing totals."""
    table = Counter((r.get("kind"), r.get("part")) for r in qa)
    lines = [f"{'kind':<15}{FIT:>6}{HELD_OUT:>10}{'total':>7}"]
    for kind in (*KINDS, None):
        fit = sum(v for (k, p), v in table.items() if p == FIT and kind in (k, None))
        held = sum(v for (k, p), v in table.items() if p == HELD_OUT and kind in (k, None))
        lines.append(f"{kind or 'all':<15}{fit:>6}{held:>10}{fit + held:>7}")
    developments = sum(len(r.get("developments") or []) for r in briefing)
    topics = ", ".join(str(r.get("topic") or "everything") for r in briefing)
    lines.append(f"briefing: {len(briefing)} requests, {developments} developments (topics: {topics})")
    return lines


def check_suite(root: Path) -> tuple[list[str], list[Row], list[Row], dict[str, Article]]:
    """(problems, qa rows, briefing rows, articles) of the suite folder `root`."""
    articles = load_articles(root / "docs")
    dates = [a for a in articles.values() if not a.name.startswith(a.date.isoformat())]
    problems = [f"docs/{a.name}: header date {a.date} is not the date of its file name" for a in dates]
    qa, qa_problems = read_jsonl(root / "qa.jsonl")
    briefing, brief_problems = read_jsonl(root / "briefing.jsonl")
    problems += qa_problems + brief_problems + check_qa(qa, articles) + check_briefing(briefing, articles)
    return problems + count_problems(qa, briefing), qa, briefing, articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check the dated-stream QA suite and briefing gold set.")
    parser.add_argument("suite", nargs="?", type=Path, default=DEFAULT_SUITE, help="default: eval/ukraine_2022")
    parser.add_argument("--quiet", action="store_true", help="print only problems and counts, not the author aids")
    args = parser.parse_args(argv)
    try:
        problems, qa, briefing, articles = check_suite(args.suite)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        print("\n".join(author_aids(qa, articles)) + "\n")
    print("\n".join(counts(qa, briefing)))
    print("".join(f"PROBLEM {p}\n" for p in problems) + f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
