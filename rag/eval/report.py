"""`rag eval` as text: a table per suite, the coverage/accuracy curve, the failures by cause."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .metrics import SuiteReport


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _points(a: float | None, b: float | None) -> str:
    """`a` - `b` in percentage points, signed ("+9.6 points"), or "–" when either is missing."""
    return "–" if a is None or b is None else f"{100 * (a - b):+.1f} points"


def _num(value: float | None, fmt: str = ".3f") -> str:
    return "–" if value is None else format(value, fmt)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_report(report: SuiteReport, *, failures: int | None = None) -> str:
    """The report as a readable table and curve; `failures` lists failed questions.

    `failures` is the most to list per cause (0 = all, None = none).
    """
    m = report.overall
    thr = "as answered" if report.threshold is None else f"{report.threshold:.2f}"
    lines = [
        f"== {report.suite} ({report.path}): {m.questions} question{'' if m.questions == 1 else 's'}, {m.answerable} answerable, "
        f"{m.unanswerable} unanswerable; threshold {thr}"
    ]
    if report.build_seconds is not None:
        lines.append(
            f"index built in {report.build_seconds:.1f}s" + (f" ({report.index_note})" if report.index_note else "")
        )
    header = ("part", "n", "accuracy", "abstain", "precision", "R@1", "R@5", "MRR", "offsets", "p50 ms", "p95 ms")
    rows = [("all", m), *report.parts]
    table = [header] + [
        (
            name,
            str(x.questions),
            _pct(x.accuracy),
            _pct(x.abstention),
            _pct(x.precision),
            _pct(x.recall_at_1),
            _pct(x.recall_at_5),
            _num(x.mrr),
            _pct(x.offset_exact),
            _num(x.latency_p50_ms, ".1f"),
            _num(x.latency_p95_ms, ".1f"),
        )
        for name, x in rows
    ]
    lines += _columns(table)
    if report.kinds:
        lines.append("")
        lines.append("by kind of question (dated: right quote carrying the event's day, over rows that give it):")
        kind_rows = [("kind", "n", "accuracy", "abstain", "dated", "held-out acc", "held-out abst")]
        for name, x in report.kinds:
            held = [o for o in report.outcomes if o.row.kind == name and o.row.part == "held-out"]
            answerable = [o for o in held if o.row.answerable]
            unanswerable = [o for o in held if not o.row.answerable]
            kind_rows.append(
                (
                    name,
                    str(x.questions),
                    _pct(x.accuracy),
                    _pct(x.abstention),
                    _pct(x.dated),
                    _pct(sum(o.correct for o in answerable) / len(answerable) if answerable else None),
                    _pct(sum(not o.found for o in unanswerable) / len(unanswerable) if unanswerable else None),
                )
            )
        lines += _columns(kind_rows)
    if report.gold_article:
        lines.append("")
        lines.append("choosing the article (answerable questions naming theirs: over every article / handed only it):")
        gold_rows = [("part", "n", "accuracy", "gold article", "gap")]
        for g in report.gold_article:
            points = _points(g.gold_accuracy, g.open_accuracy)
            gold_rows.append((g.part, str(g.questions), _pct(g.open_accuracy), _pct(g.gold_accuracy), points))
        lines += _columns(gold_rows)
    if report.naive:
        lines.append("")
        lines.append(
            "against a naive dense top-1 chunk pipeline (answerable questions; it never refuses and is right"
            " when a gold phrase is anywhere in its 400-character chunk):"
        )
        naive_rows = [("part", "n", "engine right", "naive right", "gap", "engine: its article", "naive: its article")]
        for n in report.naive:
            points = _points(n.accuracy, n.naive_accuracy)
            naive_rows.append(
                (
                    n.part,
                    str(n.questions),
                    _pct(n.accuracy),
                    _pct(n.naive_accuracy),
                    points,
                    _pct(n.article),
                    _pct(n.naive_article),
                )
            )
        lines += _columns(naive_rows)
    lines.append("")
    lines.append("coverage/accuracy trade-off (accuracy over answerable, abstention over unanswerable):")
    head = ["threshold", "answered", "accuracy", "abstain"]
    for name, _ in report.parts:
        head += [f"{name} acc", f"{name} abst"]
    curves = [m.curve] + [x.curve for _, x in report.parts]
    body = []
    for i, point in enumerate(m.curve):
        cells = [
            f"{point.threshold:.2f}" + (" *" if point.chosen else ""),
            _pct(point.answered),
            _pct(point.accuracy),
            _pct(point.abstention),
        ]
        for c in curves[1:]:
            cells += [_pct(c[i].accuracy), _pct(c[i].abstention)]
        body.append(tuple(cells))
    lines += _columns([tuple(head), *body])
    if report.threshold is not None:
        lines.append("(* the chosen threshold: the numbers above the curve)")
    if not report.offsets_ok:
        bad = [o for o in report.outcomes if o.offset_errors]
        lines.append(f"OFFSET ERRORS in {len(bad)} answers, e.g. {bad[0].row.id}: {bad[0].offset_errors[0]}")
    if failures is not None:
        lines += _failure_lines(report, failures)
    return "\n".join(lines)


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
        for r in rows
    ]


def _failure_lines(report: SuiteReport, limit: int) -> list[str]:
    lines = []
    for cause, outcomes in report.failures().items():
        shown = outcomes if limit == 0 else outcomes[:limit]
        lines.append("")
        lines.append(
            f"-- {cause}: {len(outcomes)}" + (f" (showing {len(shown)})" if len(shown) < len(outcomes) else "")
        )
        for o in shown:
            part = f" [{o.row.part}]" if o.row.part else ""
            lines.append(f"  {o.row.id}{part} conf {o.confidence:.2f}  Q: {o.row.q}")
            if o.row.gold:
                lines.append(f"      gold: {' | '.join(o.row.gold)}" + (f"  (in {o.row.doc})" if o.row.doc else ""))
            quoted = "refused" if not o.found else f"{o.doc_id}: “{_shorten(o.text, 220)}”"
            lines.append(f"      quoted: {quoted}")
            if not o.found and o.quoted and o.row.gold:  # what a lower threshold would have given
                verdict = "right" if o.quote_ok else "wrong"
                lines.append(f"      under the threshold ({verdict}): {o.doc_id}: “{_shorten(o.text, 160)}”")
            for err in o.offset_errors[:3]:
                lines.append(f"      offset: {err}")
    return lines
