"""How the chat shows time, without a model: event marks in quotes, each kind of other report, escaping.

Markdown is rendered with markdown-it (CommonMark, as the chat's marked parses it) and the HTML
read back, so the tests see what a reader sees.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from support import rendered, squash

import rag
from rag.answer import Citation, EventDate
from ui import render as fmt


def _answer(updates: tuple[Citation, ...] = (), also_in: tuple[Citation, ...] = ()) -> rag.Answer:
    return rag.Answer(
        "How many?", True, "about 130,000 troops", "new.txt", 0, 20, "2022-01-11", None, (6, 13), 0.9,
        updates=updates, also_in=also_in,
    )  # fmt: skip


def test_each_kind_of_other_report_is_introduced_and_a_conflict_stands_out() -> None:
    evil = "<script>window.__xss=1</script> 120,000 troops"
    updates = (
        Citation("later.txt", 5, 40, "It had 140,000 troops.", "later", "2022-01-12", None, (7, 21)),
        Citation("same-day.txt", 0, len(evil), evil, "conflict", "2022-01-11", "[x](javascript:1)", (0, len(evil))),
        Citation("old.txt", 9, 30, "100,000 troops massed", "earlier", "2022-01-04", "Old <b>news</b>", (0, 14)),
        Citation("nodate.txt", 0, 300, "word " * 60, "undated"),
    )
    copies = (Citation("copy.txt", 0, 20, "about 130,000 troops", "copy", None, "Wire copy"),)
    markdown = fmt.reply_markdown(_answer(updates, copies))
    parsed = rendered(markdown)
    assert not {"script", "a", "b", "img"} & set(parsed.tags)
    lines = [squash(line) for line in "".join(parsed.text).split("\n") if line.strip()]
    tail = lines[-5:]
    assert tail[0] == "Later: “140,000 troops” (2022-01-12, later.txt, characters 5–40)"
    assert tail[1] == (
        "⚠ Conflicting report (same date, another article): “<script>window.__xss=1</script> 120,000 troops” "
        f"(2022-01-11, [x](javascript:1), characters 0–{len(evil)})"
    )
    assert tail[2] == "Earlier: “100,000 troops” (2022-01-04, Old <b>news</b>, characters 9–30)"
    assert tail[3].startswith("Undated: “word word") and tail[3].endswith(
        "…” (date unknown, nodate.txt, characters 0–300)"
    )
    assert tail[4] == "Also in: Wire copy (date unknown)"
    assert "conflict" in parsed.classes, "the conflict label carries the class the page's CSS colours"


EVENT_TOKENS = [*"ab1 \n\r\t<>&*_[]()`#!-+=|~\\.:/@$\"'", "www.", "http://", "&lt;", "<script>", "1. ", "- "]
TEXTS = st.lists(st.sampled_from(EVENT_TOKENS), max_size=25).map("".join)


@st.composite
def quotes_with_events(draw: st.DrawFn) -> tuple[str, tuple[int, int], list[EventDate]]:
    text = draw(TEXTS)
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6)))
    events = []
    for a, b in zip(cuts[::2], cuts[1::2], strict=False):
        phrase = text[a:b]
        if phrase.strip() and "\n" not in phrase and phrase == phrase.strip():
            events.append(EventDate(a, b, phrase, "2022-01-02", "2022-01-02"))
    lo, hi = sorted(draw(st.tuples(st.integers(0, len(text)), st.integers(0, len(text)))))
    return text, (lo, hi), events


@given(quotes_with_events())
@settings(max_examples=300, deadline=None)
def test_a_quote_with_marked_events_renders_as_exactly_its_text(case: tuple[str, tuple[int, int], list[EventDate]]):
    text, highlight, events = case
    parsed = rendered(fmt.quote_block(text, highlight, events))
    assert squash("".join(parsed.text)) == squash(text)
    assert set(parsed.tags) <= {"blockquote", "p", "br", "strong", "time"}, parsed.tags
    assert squash("".join(parsed.events)) == squash("".join(e.phrase for e in events))
    assert parsed.tags.count("time") == len(events), "one element per event, even where the highlight cuts it"
    phrase = text[highlight[0] : highlight[1]]
    if phrase.strip() and "\n" not in phrase:
        assert squash("".join(parsed.strong)) == squash(phrase)


def test_an_event_phrase_cut_by_the_highlight_stays_one_element() -> None:
    # a when-answer highlights "Sunday" inside the event phrase "Sunday’s": one <time>, the bold inside it
    text = "Zelenskiy wrote on Twitter after Sunday’s call."
    start = text.index("Sunday")
    event = EventDate(start, start + len("Sunday’s"), "Sunday’s", "2022-01-02", "2022-01-02")
    html = fmt.quote_block(text, (start, start + len("Sunday")), [event])
    assert html.count("<time ") == 1 and "<strong>Sunday</strong>’s</time>" in html
    assert squash("".join(rendered(html).events)) == "Sunday’s"


def test_an_update_with_a_script_is_shown_as_text_in_the_reply() -> None:
    evil = "<script>window.__xss=1</script>"
    citation = Citation("x.txt", 0, len(evil), evil, "earlier", "2022-01-04", evil, None)
    markdown = fmt.reply_markdown(_answer((citation,)))
    assert "<script" not in markdown
    parsed = rendered(markdown)
    assert "script" not in parsed.tags
    assert f"Earlier: “{evil}” (2022-01-04, {evil}, characters 0–{len(evil)})" in squash("".join(parsed.text))
