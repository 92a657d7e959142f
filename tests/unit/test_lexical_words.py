"""The word-level readers: the word splitter gives exactly the words of the previous one (BM25, coverage and
names depend on them); figures are read as values and as counts of a noun."""

from __future__ import annotations

import random
import re
import unicodedata

from support import ROOT

from rag import lexical

_POSSESSIVE = re.compile(r"['’]s?$")


def previous_words(text: str) -> list[str]:
    """`lexical.words` as it was before (commit ceb9103), with today's acronym and accent rules (TERMS_VERSION 3)."""
    out = []
    tokens = lexical._TOKEN.findall(text)  # noqa: SLF001
    shouting = len(tokens) > 1 and text.isupper()
    caseless = shouting or (len(tokens) > 1 and text.islower())
    for tok in tokens:
        if tok[0].isdigit():
            tok = tok.replace(",", "")
        elif caseless and tok.replace(".", "").lower() == "us":
            tok = "US"
        elif not shouting and tok.isupper() and len(tok) > 1 and tok.replace(".", "").lower() in lexical._LOOKALIKES:  # noqa: SLF001
            tok = tok.replace(".", "")
        else:
            tok = _POSSESSIVE.sub("", tok.lower()).replace(".", "")
            tok = "".join(ch for ch in unicodedata.normalize("NFKD", tok) if not unicodedata.combining(ch))
        if tok:
            out.append(tok)
    return out


def test_same_words_on_real_text_and_on_awkward_tokens() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval").glob("*/docs/**/*.txt"))]
    lines = [line for t in texts for line in t.splitlines() if line.strip()]
    assert len(lines) > 2000
    rng = random.Random(4)
    pieces = [
        "U.S.",
        "WHO",
        "it's",
        "Kyiv’s",
        "O'Neil's",
        "1,000.5",
        "e.g.",
        "U.N.'s",
        "IT",
        "Ukraine'",
        "rock’n",
        "A.B.C.",
    ]
    awkward = [" ".join(rng.choice(pieces + ["word", "The", "and"]) for _ in range(12)) for _ in range(500)]
    awkward += [t.upper() for t in awkward[:100]]
    for text in lines + awkward:
        assert lexical.words(text) == previous_words(text), text


def test_the_country_is_not_the_pronoun() -> None:
    # "What has the US sent?" must not match "Russia sent armored vehicles against us."
    assert lexical.terms("the US sent") == lexical.terms("the U.S. sent") == ["US", "sent"]
    assert lexical.terms("They sent it to us") == ["sent", "us"]
    assert "US" not in lexical.terms("Give us the weapons we need")
    assert lexical.terms("The WHO said it") == ["WHO"]  # a stop word's acronym, as before
    assert lexical.terms("US") == ["US"]  # one all-caps word is an acronym: a name picked out of a question
    # typed without capitals, "us" is the country: what a question about "us troops" means
    assert lexical.terms("where are the us russia talks") == ["US", "russia", "talk"]
    # an all-caps text is shouting, not acronyms: "HOW MANY US TROOPS" asks what "How many US troops" does
    assert lexical.terms("HOW MANY US TROOPS") == lexical.terms("How many US troops") == ["US", "troop"]
    assert lexical.terms("U.S. SENDS AID") == lexical.terms("U.S. sends aid") == ["US", "send", "aid"]


def test_accents_do_not_keep_words_apart() -> None:
    # most people type "Herve" and "Sao Paulo": the article's "Hervé" and "São Paulo" must match them
    assert lexical.terms("Hervé led the Normans") == lexical.terms("Herve led the Normans")
    assert lexical.words("São Paulo, Kraków, Erdoğan, naïve") == ["sao", "paulo", "krakow", "erdogan", "naive"]
    assert lexical.words("Київ") == lexical.words("Киів")  # other scripts fold the same way on both sides


def test_a_name_is_found_as_written_only_inside_a_sentence() -> None:
    assert lexical.name_written("Shelling hit the capital Kyiv's suburbs.", lexical.terms("Kyiv")[0]) == "Kyiv's"
    assert lexical.name_written("Killed were 12 people.", "kill") is None  # capitalised only as the first word
    assert lexical.name_written("They said: Killed were 12.", "kill") is None
    assert lexical.name_written("Troops killed 12 near Kyiv.", "kill") is None  # not capitalised


def test_a_figure_is_read_as_its_value_however_written() -> None:
    for written, value in [
        ("1,000", 1000),
        ("1.000", 1000),
        ("a thousand", 1000),
        ("about 60 people", 60),
        ("$ 6.5 billion", 6.5e9),
        ("about one hundred thousand people", 1e5),
        ("8 thousand 57 people", 8000),  # the digits and their scale; the "57" written after is not read
        ("1.000.000", 1e6),
        ("6,5", 6.5),
    ]:
        assert lexical.number_value(written) == value, written
    for no_figure in ("people", "7.2.6", ""):
        assert lexical.number_value(no_figure) is None, no_figure


def test_a_figure_counts_the_first_plural_after_it() -> None:
    for text, counted in [
        ("Russia lost more than a thousand Russian tanks.", "tanks"),
        ("There were 7 missile strikes on Kharkiv.", "strikes"),  # strikes, not missiles
        ("More than 6,000 Mariupol residents were transported.", "residents"),
        ("We have lost 137 of our heroes today.", "heroes"),
        ("Our convoy with 100 tons of aid.", "tons"),
        ("He has 1 tank left.", "tank"),  # no plural: the first word
    ]:
        figure = re.search(r"\d[\d,]*|a thousand", text)
        assert figure is not None
        found = lexical.counted_noun(text, figure.end())
        assert found is not None and found[0] == counted and text[: found[1]].endswith(counted), text
    for text in ("20,000 of them managed to leave.", "Up to UAH 400 billion through bonds.", "It was 5."):
        figure = re.search(r"\d[\d,]*(?: billion)?", text)
        assert figure is not None and lexical.counted_noun(text, figure.end()) is None, text


def test_a_verb_and_its_noun_that_stem_apart_on_one_letter_are_one_word() -> None:
    # invade/invasion, decide/decision, defend/defense: the stemmer keeps them apart on the last letter
    for verb, noun in (("invade", "invasion"), ("decided", "decision"), ("expand", "expansion"), ("defend", "defense")):
        assert lexical.other_form(lexical.stem(verb)) == lexical.stem(noun)
        assert lexical.other_form(lexical.stem(noun)) == lexical.stem(verb)
    for word in ("discuss", "process", "bad", "2022"):  # "-ss", short words and numbers have none
        assert lexical.other_form(lexical.stem(word)) is None
