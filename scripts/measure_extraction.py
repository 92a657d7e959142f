"""Measure HTML extraction on the fixture pages, for each trafilatura setting, and print a table.

Per page: the share of the article's sentences kept in the extracted text (sentences from pysbd on the
expected paragraphs, matched with whitespace collapsed), the share of the page's boilerplate strings
dropped, extra paragraphs (extracted paragraphs that are not article paragraphs), and whether date,
title and author are right. Nothing is fitted on these pages: the settings compared are trafilatura's
own, and the one used is chosen by these figures.

    python scripts/measure_extraction.py [--pages tests/fixtures/ingest/pages] [--per-page]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pysbd  # noqa: E402

from rag.ingest.article import WarningLog  # noqa: E402
from rag.ingest.html import DEFAULT_SETTINGS, SETTINGS_TRIED, HtmlSettings, extract_html  # noqa: E402

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)


@dataclass(frozen=True)
class PageScore:
    """How one page came out under one setting."""

    name: str
    sentences_kept: float
    paragraphs_intact: float
    boilerplate_dropped: float
    extra_paragraphs: int
    date_ok: bool
    title_ok: bool
    author_ok: bool
    seconds: float


def _flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def score_page(html_path: Path, settings: HtmlSettings) -> PageScore:
    """Extract one page with `settings` and compare with its expected.json."""
    expected = json.loads(html_path.with_name(html_path.stem + ".expected.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    articles = extract_html(html_path.read_bytes(), WarningLog(html_path.name), settings)
    seconds = time.perf_counter() - started
    article = articles[0] if articles else None
    text = _flat(article.text) if article else ""
    sentences = [_flat(s) for p in expected["paragraphs"] for s in _SEGMENTER.segment(p) if s.strip()]
    article_paragraphs = {_flat(p) for p in expected["paragraphs"]}
    extracted_paragraphs = [_flat(p) for p in article.text.split("\n\n")] if article else []
    boilerplate = expected["boilerplate"]
    return PageScore(
        name=html_path.stem,
        sentences_kept=sum(s in text for s in sentences) / len(sentences),
        paragraphs_intact=len(article_paragraphs & set(extracted_paragraphs)) / len(article_paragraphs),
        boilerplate_dropped=sum(_flat(b) not in text for b in boilerplate) / len(boilerplate) if boilerplate else 1.0,
        extra_paragraphs=sum(p not in article_paragraphs for p in extracted_paragraphs),
        date_ok=article is not None and article.date == expected["date"],
        title_ok=article is not None and article.title == expected["title"],
        author_ok=article is not None and article.author == expected["author"],
        seconds=seconds,
    )


def score_all(pages: Path, settings: HtmlSettings) -> list[PageScore]:
    """Scores of every page in `pages` under `settings`, in name order."""
    return [score_page(p, settings) for p in sorted(pages.glob("*.html"))]


def summary(scores: list[PageScore]) -> dict[str, float]:
    """Overall figures: mean shares over pages, counts of right metadata, total extra paragraphs."""
    n = len(scores)
    return {
        "pages": n,
        "sentences_kept": sum(s.sentences_kept for s in scores) / n,
        "paragraphs_intact": sum(s.paragraphs_intact for s in scores) / n,
        "boilerplate_dropped": sum(s.boilerplate_dropped for s in scores) / n,
        "extra_paragraphs": sum(s.extra_paragraphs for s in scores),
        "dates_right": sum(s.date_ok for s in scores),
        "titles_right": sum(s.title_ok for s in scores),
        "authors_right": sum(s.author_ok for s in scores),
        "seconds_per_page": sum(s.seconds for s in scores) / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=ROOT / "tests" / "fixtures" / "ingest" / "pages")
    parser.add_argument("--per-page", action="store_true", help="also print one row per page and setting")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # trafilatura logs every block it discards
    results = {settings: score_all(args.pages, settings) for settings in SETTINGS_TRIED}
    if args.per_page:
        print(
            f"{'page':26} {'setting':21} {'sent.kept':>9} {'paras intact':>12} {'boiler.dropped':>14} {'extra':>5}  date  title author"
        )
        for settings, scores in results.items():
            for s in scores:
                flags = " ".join(f"{'ok' if ok else 'WRONG':5}" for ok in (s.date_ok, s.title_ok, s.author_ok))
                print(
                    f"{s.name:26} {settings.label:21} {s.sentences_kept:9.3f} {s.paragraphs_intact:12.3f} "
                    f"{s.boilerplate_dropped:14.3f} {s.extra_paragraphs:5d}  {flags}"
                )
        print()
    print(
        f"{'setting':21} {'pages':>5} {'sent. kept':>10} {'paras intact':>12} {'boiler. dropped':>15} {'extra paras':>11} "
        f"{'dates':>5} {'titles':>6} {'authors':>7} {'s/page':>7}"
    )
    for settings, scores in results.items():
        t = summary(scores)
        n = int(t["pages"])
        marker = "  <- default" if settings == DEFAULT_SETTINGS else ""
        print(
            f"{settings.label:21} {n:5d} {t['sentences_kept']:10.3f} {t['paragraphs_intact']:12.3f} {t['boilerplate_dropped']:15.3f} "
            f"{int(t['extra_paragraphs']):11d} {int(t['dates_right']):2d}/{n:<2d} {int(t['titles_right']):3d}/{n:<2d} "
            f"{int(t['authors_right']):4d}/{n:<2d} {t['seconds_per_page']:7.3f}{marker}"
        )


if __name__ == "__main__":
    main()
