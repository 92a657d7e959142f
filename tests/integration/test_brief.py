"""The briefing on a small real window of the Ukraine corpus, with the real model.

Three articles (11, 12 and 19 March 2022) are embedded once per module: the address of 11 March
says "we have already evacuated about one hundred thousand people", that of 19 March "more than
180,000 Ukrainians have been rescued by the humanitarian corridors".
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from support import ROOT

from rag.brief import (
    Briefing,
    DatedSentence,
    build_briefing,
    dated_sentences,
    in_window,
    make_briefing,
    topic_relevance,
)
from rag.brief.features import features
from rag.brief.salience import salience
from rag.config import MODEL_NAME
from rag.documents import Document, list_sources, read_files
from rag.duplicates import fingerprint, same_sentence
from rag.embedding import encode

DOCS = ROOT / "eval" / "ukraine_2022" / "docs"
WINDOW = ("2022-03-11-Hr8vf0MnUkg.txt", "2022-03-12-1GSDs_5lC_I.txt", "2022-03-19-xDiT-RaceKo.txt")


@pytest.fixture(scope="module")
def corpus() -> tuple[dict[str, Document], list[DatedSentence], np.ndarray]:
    listed = [s for s in list_sources(DOCS) if s.doc_id in WINDOW]
    documents = {d.doc_id: d for d in read_files(listed).documents}
    sentences = dated_sentences(documents.values())
    return documents, sentences, encode(MODEL_NAME, [s.text for s in sentences])


def brief(corpus, topic: str | None = None, **kw) -> Briefing:
    documents, sentences, vectors = corpus
    vector = encode(MODEL_NAME, [topic])[0] if topic else None
    return make_briefing(
        sentences, vectors, topic=topic, topic_vector=vector, document_text=lambda d: documents[d].text, **kw
    )


def test_every_item_quotes_its_article_exactly(corpus):
    documents, _, _ = corpus
    for topic in (None, "humanitarian corridors"):
        items = brief(corpus, topic).items
        assert items
        for item in items:
            assert documents[item.doc_id].text[item.start : item.end] == item.text
            assert item.date == documents[item.doc_id].date
            assert item.title == documents[item.doc_id].title and item.source == documents[item.doc_id].source


def test_labels_and_changes_are_taken_from_the_quotes(corpus):
    items = brief(corpus).items
    shown = " ".join(i.text for i in items)
    for item in items:
        assert all(piece in item.text for piece in item.label.split(" · ")), item.label
        if item.change:
            old, new = item.change.split(" → ")
            assert old in shown and new in item.text


def test_items_are_in_timeline_order(corpus):
    items = brief(corpus, max_items=12).items
    days = [i.timeline_date for i in items]
    assert days == sorted(days)
    assert len({i.date for i in items}) == 3  # every article of the window is heard, not just the first


def test_no_two_items_are_the_same_statement(corpus):
    _, sentences, vectors = corpus
    items = brief(corpus, max_items=15).items
    at = {(s.doc_id, s.start): vectors[k] for k, s in enumerate(sentences)}
    for a, b in itertools.combinations(items, 2):
        assert not same_sentence(fingerprint(a.text), fingerprint(b.text)), (a.text, b.text)
        if any(i.change and i.change.split(" → ")[0] in j.text for i, j in ((a, b), (b, a))):
            continue  # an update of a figure is shown with the statement it updates, however alike
        va, vb = at.get((a.doc_id, a.start)), at.get((b.doc_id, b.start))
        assert va is not None and vb is not None and float(va @ vb) < 0.85, (a.text, b.text)


def test_a_figure_that_changed_is_shown_with_both_quotes(corpus):
    items = brief(corpus, "humanitarian corridors evacuation").items
    changed = [i for i in items if i.change]
    assert changed, [i.text for i in items]
    newer = next(i for i in changed if "180,000" in i.text)
    old, new = newer.change.split(" → ")
    assert new == "180,000" and old == "one hundred thousand"
    earlier = [i for i in items if old in i.text]
    assert earlier and all(e.date < newer.date for e in earlier)


def test_a_syndicated_copy_is_one_item_citing_the_other_article(corpus):
    documents, sentences, vectors = corpus
    original = documents["2022-03-19-xDiT-RaceKo.txt"]
    copy = replace(original, doc_id="copy/2022-03-20-reprint.txt", date="2022-03-20")
    extra = dated_sentences([copy])
    both = sentences + [replace(s, unit=len(sentences) + k) for k, s in enumerate(extra)]
    more = np.vstack([vectors, vectors[[k for k, s in enumerate(sentences) if s.doc_id == original.doc_id]]])
    texts = {**{d: documents[d].text for d in documents}, copy.doc_id: copy.text}
    items = build_briefing(both, more, relevance=None, max_items=12, document_text=texts.__getitem__)
    assert all(i.doc_id != copy.doc_id for i in items)  # the earlier article is the one quoted
    cited = [i for i in items if i.doc_id == original.doc_id]
    assert cited and all(i.also_in == (copy.doc_id,) for i in cited if i.text in copy.text)
    assert len({i.text for i in items}) == len(items)


def test_an_empty_window_says_so(corpus):
    _, sentences, _ = corpus
    window = in_window(sentences, "2022-06-01", "2022-06-30", "2022-07-01")
    assert window == []
    result = make_briefing(window, np.zeros((0, 384), np.float32), since="2022-06-01", until="2022-06-30")
    assert result.items == () and result.articles == 0
    assert result.notice and "no articles" in result.notice
    assert result.to_dict()["since"] == "2022-06-01"


def test_a_topic_nothing_mentions_says_so(corpus):
    result = brief(corpus, "cryptocurrency mining")
    assert result.items == ()
    assert result.notice and "cryptocurrency mining" in result.notice
    assert result.articles == 3


def test_relevance_lends_a_neighbours_topic(corpus):
    documents, sentences, vectors = corpus
    topic = "humanitarian corridors"
    relevance = topic_relevance(topic, sentences, vectors, encode(MODEL_NAME, [topic])[0])
    assert relevance.shape == (len(sentences),) and relevance.min() >= 0 and relevance.max() <= 1
    k = next(k for k, s in enumerate(sentences) if "have already evacuated about one hundred thousand" in s.text)
    unrelated = next(k for k, s in enumerate(sentences) if s.text.startswith("Glory to Ukraine"))
    assert relevance[k] > 0.6 > relevance[unrelated]


def test_the_window_is_chosen_by_article_date(corpus):
    _, sentences, _ = corpus
    march_11 = in_window(sentences, date(2022, 3, 11), "2022-03-18", as_of="2022-03-11")
    assert {s.doc_id for s in march_11} == {"2022-03-11-Hr8vf0MnUkg.txt"}
    with pytest.raises(ValueError, match="swap"):
        in_window(sentences, "2022-03-19", "2022-03-11", None)


def test_bad_input_is_a_clear_error(corpus):
    _, sentences, vectors = corpus
    with pytest.raises(ValueError, match="one row per sentence"):
        build_briefing(sentences, vectors[:-1], relevance=None)
    with pytest.raises(ValueError, match="one value per sentence"):
        build_briefing(sentences, vectors, relevance=np.ones(3))
    with pytest.raises(ValueError, match="max_items"):
        build_briefing(sentences, vectors, relevance=None, max_items=0)
    with pytest.raises(ValueError, match="topic_vector"):
        make_briefing(sentences, vectors, topic="sanctions")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        make_briefing(sentences, vectors, since="last spring")


def test_a_reported_act_outranks_an_appeal_to_the_audience(corpus):
    _, sentences, _ = corpus
    score = salience(sentences).score
    at = {s.text: k for k, s in enumerate(sentences)}
    act = at["But the invaders started a tank attack exactly in the area where this corridor was supposed to be."]
    # a request to the audience that holds a figure, which alone used to outrank the attack
    appeal = at["And now I ask each of you to remember one number in each square... 79."]
    assert score[act] > score[appeal]


@pytest.mark.parametrize(
    ("text", "action", "addressed"),
    [
        ("Russian troops captured our convoy, our humanitarian cargo for the city of Vovchansk.", True, False),
        ("Today, at the initiative of the Russian side, the first round of negotiations took place.", True, False),
        ("I spoke about this with partners today.", False, False),
        ("Glory to the nations of Europe!", False, False),
        ("Where will you strike with chemical weapons?", True, True),
    ],
)
def test_features_tell_an_act_from_talk_and_an_appeal(text, action, addressed):
    found = features(text)
    assert (found.action, found.addressed) == (action, addressed)


def test_daily_counts_of_one_thing_are_one_thread_shown_at_its_newest():
    counts = {  # one daily count of the corridors per article, as the addresses of March give them
        "a/2022-03-11.txt": ("Our government officials have organized 12 humanitarian corridors today.", 11),
        "b/2022-03-17.txt": ("Today, 9 humanitarian corridors worked across the country.", 17),
        "c/2022-03-20.txt": ("During the day on March 20, only 4 humanitarian corridors worked.", 20),
        "d/2022-03-21.txt": ("During the day 8 humanitarian corridors worked.", 21),
    }
    news = [
        "Russian troops captured our convoy, our humanitarian cargo for the city of Vovchansk.",
        "But the invaders started a tank attack exactly in the area where this corridor was supposed to be.",
        "In total, more than 180,000 Ukrainians have been rescued by the humanitarian corridors.",
        "The occupiers shelled the evacuation route near Zaporizhzhia this morning.",
    ]
    rows = [(doc, text, day) for doc, (text, day) in counts.items()]
    rows += [(f"n{k}/2022-03-{12 + k}.txt", text, 12 + k) for k, text in enumerate(news)]
    sentences = [
        DatedSentence(k, doc, 0, len(text), text, date(2022, 3, day)) for k, (doc, text, day) in enumerate(rows)
    ]
    texts = {doc: text for doc, text, _ in rows}
    vectors = encode(MODEL_NAME, [s.text for s in sentences])
    items = build_briefing(sentences, vectors, relevance=None, max_items=6, document_text=texts.__getitem__)
    quoted = [i.text for i in items if "corridors worked" in i.text or "12 humanitarian corridors" in i.text]
    assert len(quoted) <= 2, quoted  # the newest count, and the one it changed from
    newest = next(i for i in items if i.text == counts["d/2022-03-21.txt"][0])
    assert newest.change is not None and newest.change.endswith("→ 8")
    assert sum(i.text in news for i in items) == 4  # the room goes to the other developments
