"""What kind of phrase a question asks for, and where such a phrase sits in a sentence.

`who` wants a person, `how many` a number, `when` a date, `where` a place, `why` a reason.
A sentence that holds a phrase of the wanted kind, one the question does not already
contain, is more likely to answer; that phrase is also what the answer highlights.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

from .lexical import NUMBER_SCALES, NUMBER_UNITS, PLURAL, STOPWORDS, counted_noun, stem, words

PERSON, NUMBER, DATE, PLACE, REASON = "person", "number", "date", "place", "reason"

_Q_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (
            NUMBER,
            r"\bhow\s+(?:many|much|long|far|old|large|big|often)\b|\b(?:number|amount|percentage|share|size|count)\s+of\b|\bwhat\s+(?:percent|percentage|number)\b",
        ),
        (
            DATE,
            r"\bwhen\b|\bwhat\s+(?:year|date|day|month|time|century|decade)\b|\bwhich\s+(?:year|date|day|month|century|decade)\b|\bsince\s+when\b",
        ),
        (
            PLACE,
            r"\bwhere\b|\b(?:what|which)\s+(?:city|country|countries|place|region|town|state|capital|nation|location|area|continent)\b",
        ),
        (
            PERSON,
            r"\bwho(?:m|se)?\b|\bname\s+of\s+(?:the\s+)?(?:[\w’']+\s+){0,3}(?:adviser|advisor|minister|president|leader|spokes\w+|secretary|official|ambassador|envoy|commander|chief|head|general|director|king|queen|duke|founder)\b|\b(?:what|which)\s+(?:person|leader|official|president|minister|secretary|spokesman|spokeswoman|spokesperson|man|woman|king|ruler|duke|general)\b|\bname\s+of\s+the\s+(?:person|leader|official)\b",
        ),
        (REASON, r"\bwhy\b|\bfor\s+what\s+reason\b|\bwhat\s+(?:caused|causes|led\s+to)\b"),
    )
)

_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Whole words only: "ten" is not a number inside "kindergarten", nor "six" inside "sixteen".
_NUMBER_WORDS = r"\b(?:" + "|".join([*NUMBER_UNITS, *(f"{w}s?" for w in (*NUMBER_SCALES, "dozen"))]) + r")\b"
_DAY_OF_MONTH = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}},?\s+)?$")
_DAY_MONTH = re.compile(rf"\d{{1,2}}\s+{_MONTH}")
# The words of a phrase that carry its value: digits, number words, months and weekdays.
_FIGURE_WORD = re.compile(rf"\d[\d,.]*|{_NUMBER_WORDS}|{_MONTH}|{_WEEKDAY}", re.IGNORECASE)
_DURATION = r"\b(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b"
# A question about time ("how long", "how old", "how many days") is answered by a duration; any
# other count is not: "in five days" does not say how many people were evacuated.
_ASKS_TIME = re.compile(rf"\bhow\s+(?:long|old)\b|{_DURATION}|\btime\b", re.IGNORECASE)
# A question about money ("how much money", "how much did it cost") is answered by an amount of
# money only: "200,000 have been sent to seize Ukraine" does not say how much a campaign raised.
_ASKS_MONEY = re.compile(
    r"\bhow\s+much\s+(?:(?:money|cash|funds?|funding)\b|(?:[\w’'-]+\s+){0,8}?"
    r"(?:costs?|raised?|raising|pay|paid|spend|spent|worth|earn(?:ed)?|donated?|allocated?)\b)",
    re.IGNORECASE,
)
_CURRENCY_SYMBOL = r"[$€£₴¥]"
_CURRENCY_CODE = r"(?:US\$|USD|EUR|GBP|UAH|RUB)"
_CURRENCY_SIGN = re.compile(rf"{_CURRENCY_SYMBOL}|\b{_CURRENCY_CODE}\s*$")
_CURRENCY_WORD = r"(?:dollars?|euros?|pounds?\s+sterling|hryvnias?|hryvnyas?|rubles?|roubles?|yuan|yen|francs?|USD|EUR|GBP|UAH|RUB)\b"
_CURRENCY_AFTER = re.compile(rf"\s*(?:(?:million|billion|thousand|trillion|mln|bn)\s+)?{_CURRENCY_WORD}", re.IGNORECASE)
_CURRENCY_IN = re.compile(rf"\b{_CURRENCY_WORD}", re.IGNORECASE)
_PHRASES: dict[str, re.Pattern[str]] = {
    NUMBER: re.compile(
        # a duration ("nearly an hour", "two weeks") answers "how long" as a number does
        rf"\b(?:(?:about|around|nearly|almost|over|more\s+than|less\s+than|at\s+least|some|up\s+to)\s+)?(?:an?|one|a\s+few|several|{_NUMBER_WORDS}|\d+)\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries)\b|"
        rf"(?:(?:about|around|nearly|almost|over|more\s+than|at\s+least|some|up\s+to)\s+)?"
        # a figure is a whole token: not the "142" of "M142", nor the "17" of "17th" (an ordinal counts nothing)
        rf"(?:[$€£]\s?)?(?:(?<![\w.,])(?:\d[\d,.]*\d|\d)(?:bn|[mk])?(?!\w)|{_NUMBER_WORDS})(?:\s*(?:%|percent|per\s+cent|million|billion|thousand|hundred))?"
        rf"(?:\s+(?!(?:and|or|the|of|to|in|on|at|for|by|from|with|a|an|was|were|is|are|be|been|has|have|had|will|would|near|who|which|that|this|these|those|there|it|its|they|we|he|she|you)\b)[A-Za-z][\w-]*){{0,1}}",
        re.IGNORECASE,
    ),
    DATE: re.compile(
        rf"\b(?:(?:{_WEEKDAY}|{_MONTH})(?:\s+(?:and|or)\s+(?:{_WEEKDAY}|{_MONTH}))?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?"
        rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?|(?:in|since|by|until|from|before|after)\s+(?:the\s+)?(?:\d{{4}}s?|\d{{1,2}}(?:st|nd|rd|th)\s+century)"
        rf"|\d{{4}}-\d{{2}}-\d{{2}}|\b1[0-9]{{3}}\b|\b20[0-9]{{2}}\b"
        # "Today we ...", "Last week ..." begin sentences; "From This Day Forward" is a title
        rf"|(?:[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate|[Ee]arlier|[Ll]ater)\s+(?:this\s+|next\s+|last\s+)?(?:week|month|year|day|decade|century|spring|summer|autumn|fall|winter)"
        rf"|[Tt]he\s+next\s+day|[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)\b"
    ),
    PLACE: re.compile(
        r"\b(?:in|at|near|from|to|into|across|outside|inside)\s+((?:the\s+)?[A-Z][\w’'-]+(?:\s+(?:of\s+)?[A-Z][\w’'-]+)*)"
    ),
    PERSON: re.compile(
        r"\b(?:[A-Z][a-z]+\.?\s+)?[A-Z][a-z’'-]+(?:\s+(?:de\s+|of\s+|van\s+|von\s+)?[A-Z][a-z’'-]+)+|"
        r"\b(?:press\s+secretary|spokes(?:man|woman|person)|president|prime\s+minister|minister|secretary|adviser|advisor|official|officials|king|queen|duke)\b"
    ),
    REASON: re.compile(
        r"\b(?:because|since|due\s+to|as\s+a\s+result|in\s+order\s+to|so\s+that|to\s+(?!the\b)[a-z]+|after|amid|over)\b[^,.;]*",
        re.IGNORECASE,
    ),
}


_ORGANISATION = re.compile(
    r"\b(?:Council|Organi[sz]ation|Committee|Ministry|Ministers|Cabinet|Government|Service|Treasury|House|Agency|Office"
    r"|Department|Union|Party|Assembly|Parliament|Congress|Bank|Fund|Court|Commission|Alliance|Forces|Army|Navy)\b"
)
_AFTER_IN = re.compile(r"\bin\s+(?:the\s+)?$")
# A form of address, the opening of a speech or letter: "Mr. Prime Minister!", "Dear members of parliament!",
# "Dear Mr. Speaker, members of the Knesset."
_ADDRESS = re.compile(r"\s*(?:Dear\b|(?:Mr|Mrs|Ms|Madam|Mister)\b\.?(?:\s+[A-Z][\w’'-]*)*\s*!)")
# Or bare vocatives, each a few capitalised words with "of", "the" or "and" between them, ending in "!"
# or ",": "Distinguished Members of the Japanese Parliament!", "Ladies and Gentlemen,".
_VOCATIVE_WORDS = 6
_VOCATIVE_FILLER = frozenset({"of", "the", "and"})


# The thing a question counts or whose holder it asks for: "how many [Russian tanks]", "the
# number of [missiles] fired", "who is the [US ambassador]", "the name of [Putin's adviser]". Its
# last word must be in the answering sentence: 100,000 troops do not answer "how many tanks".
_FOCUS = re.compile(
    r"\b(?:how\s+(?:many|much)|(?:number|count|total|tally)\s+of)\s+((?:[\w’'-]+\s+){0,3}?[\w’'-]+?)"
    r"(?=\s+(?:are|is|was|were|have|has|had|did|do|does|will|would|could|can|in|of|on|at|near|to|for|from"
    r"|since|during|by|after|before|until|so|this|that|who|which|as)\b|\s*[?.!]?$)"
    r"|\bwho\s+(?:is|was|are|were)\s+(?:the\s+)?((?:[\w’'-]+\s+){0,3}?[\w’'-]+?)(?=\s+(?:of|to|for|in|at|on|who|that)\b|\s*[?.!]?$)"
    r"|\bname\s+of\s+(?:the\s+)?((?:[\w’'-]+\s+){0,3}?[\w’'-]+?)(?=\s+(?:of|to|for|in|at|on|who|that)\b|\s*[?.!]?$)",
    re.IGNORECASE,
)


# "How much money was raised?" is answered by "$6.5 billion has been raised", without the word.
_SAID_BY_THE_FIGURE = frozenset({"money", "cash", "funds", "funding"})


def focus(question: str) -> str | None:
    """The counted or asked-for noun of `question`, if it has one: "corridors" of "how many humanitarian corridors ..."."""
    found = _focus(question)
    return found[1] if found else None


def focus_modifiers(question: str) -> tuple[str, ...]:
    """The words before the counted noun that narrow it: "humanitarian" of "how many humanitarian corridors were ...".

    Names are left out ("Russian tanks" counts tanks, whoever's): they are adjectives of origin.
    """
    found = _focus(question)
    return found[0] if found else ()


@lru_cache(maxsize=1024)  # asked once per candidate sentence of a question, and by several rules
def _focus(question: str) -> tuple[tuple[str, ...], str] | None:
    """(the modifiers, the noun) of the counted or asked-for noun phrase of `question`, if it has one."""
    m = _FOCUS.search(question.strip())
    if not m:
        return None
    phrase = next(g for g in m.groups() if g)
    found = words(phrase)
    if m.group(1) and not phrase.isupper():
        # "how many Russian tanks are ...", "how many humanitarian corridors were ...", "how many
        # people live ...": the counted noun is the first plural among the words not capitalised
        # (names before it are adjectives of origin; common words before it narrow it; words after
        # it start the verb phrase); without a plural, the first word not capitalised
        if re.search(r",|\b(?:and|or)\b", phrase):
            return None  # "how many embassies and missions": a sentence counting either answers
        common = [w for w in phrase.split() if not w[0].isupper()]
        at = next((i for i, w in enumerate(common) if PLURAL.fullmatch(w)), 0)
        modifiers = [w for word in common[:at] for w in words(word)]
        common = common[at:]
        found = words(common[0]) if common else found
        if not found or found[0] in _SAID_BY_THE_FIGURE:
            return None
        return tuple(modifiers), found[0]
    return ((), found[-1]) if found else None


# "which city", "what year": a noun that names the kind of answer, not something the
# article must repeat ("Geneva" answers "which city" without the word "city").
_CATEGORY = re.compile(
    r"\b(?:which|what)\s+(city|cities|country|countries|town|place|region|state|capital|nation|location|area|continent"
    r"|year|date|day|month|time|century|decade|person|people|leader|official|man|woman)\b",
    re.IGNORECASE,
)


def category_noun(question: str) -> str | None:
    """The answer-kind noun of `question` ("city" in "In which city ..."), if any."""
    m = _CATEGORY.search(question)
    return m.group(1).lower() if m else None


# "Where does the application stand?" asks how far along something is, not for a place.
_WHERE_IT_STANDS = re.compile(
    r"\bwhere\s+(?:does|do|did|is|are|things)\b(?:\s+[\w’'-]+){0,8}?\s+stands?\b", re.IGNORECASE
)


def is_address(sentence: str) -> bool:
    """True for a form of address ("Mr. Prime Minister!"): it names whom a speech speaks to and answers nothing.

    Also a run of bare vocatives: "Americans! Friends!", "Distinguished Mr. Prime Minister!",
    "Members of Congress, Ladies and Gentlemen,". "Glory to Ukraine!" says something.
    """
    if _ADDRESS.match(sentence) is not None:
        return True
    text = sentence.strip()
    if not text or text[-1] not in "!,":
        return False
    calls = [piece.split() for piece in re.split(r"[!,\n]+", text) if piece.strip()]
    return all(
        len(call) <= _VOCATIVE_WORDS and all(w[0].isupper() or w in _VOCATIVE_FILLER for w in call) for call in calls
    )


# "<post> of <Name>": the prime minister of Ukraine, the mayor of Melitopol, the capital of France.
# A post, not any head noun: "the areal of the La Tène culture" or "an analysis of the DNA" do
# not exclude each other's namesakes the way two countries' prime ministers do.
_POSTS = (
    r"president|minister|chancellor|secretary|ambassador|governor|mayor|king|queen|emperor|empress"
    r"|prince|princess|duke|duchess|bishop|archbishop|chairman|chairwoman|chief|commander|head|leader|capital"
)
_POST_OF = re.compile(rf"\b(?i:({_POSTS})\s+of\s+(?:the\s+)?)([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)")
# In a question the post follows an article: "who is the mayor of Kyiv", not "the leader of X's mayor".
_ASKED_POST_OF = re.compile(rf"\b(?i:the|a|an)\s+(?:[\w’'-]+\s+)?{_POST_OF.pattern}")


@lru_cache(maxsize=1024)  # the question's own are read once per candidate sentence
def _posts_of(text: str, asked: bool = False) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(post, the name's words) of each "<post> of <Name>" of `text` (`asked`: after an article, as a question names one)."""
    pattern = _ASKED_POST_OF if asked else _POST_OF
    return tuple((m.group(1).lower(), tuple(words(m.group(2)))) for m in pattern.finditer(text))


def names_another(question: str, sentence: str) -> bool:
    """True when `sentence` names the asked post of another place or body, and never of the asked one.

    "Prime Minister of Canada Trudeau" does not say who is the prime minister of Ukraine. One name
    must begin the other: a sentence's runs on into the holder's ("Prime Minister of Ukraine Denys
    Shmyhal"), a question's may say more ("the mayor of New York City" for "the mayor of New York").
    """
    for post, name in _posts_of(question, asked=True):
        said = [n for p, n in _posts_of(sentence) if p == post]
        if said and not any(n[: len(name)] == name[: len(n)] for n in said):
            return True
    return False


_ASKS_COUNT = re.compile(r"\bhow\s+many\b", re.IGNORECASE)


def asks_count(question: str) -> bool:
    """True when `question` asks how many: only a figure answers it.

    Narrower than the NUMBER kind, whose "how much", "how long" or "the number of" are often
    answered in words ("little support", "until after the war", "a large number of preachers").
    """
    return _ASKS_COUNT.search(question) is not None


def asks_figure(question: str) -> bool:
    """True when only a figure answers `question`: it asks how many, or how much money.

    A figure is preferred for both, but only a count is refused without one: "How much did the
    Italian government have to pay?" may be answered by what it failed to pay for.
    """
    return asks_count(question) or _figure_asked(question)[1]


def holds_figure(text: str, question: str) -> bool:
    """True when `text` holds a figure that answers `question`: the phrase `best_phrase` would highlight.

    One test for the preference of a near-best sentence holding one (`temporal.prefer_figure`) and
    for the refusal of a count whose quote holds none (`Index.answer`), so the two agree.
    """
    return best_phrase(NUMBER, text, question) is not None


def question_kind(question: str) -> str | None:
    """The kind of phrase `question` asks for, or None when it is not clear."""
    if _WHERE_IT_STANDS.search(question):
        return None
    for kind, rule in _Q_RULES:
        if rule.search(question):
            return kind
    return None


def phrases(kind: str, sentence: str, question: str, names_only: bool = False) -> Iterator[tuple[int, int]]:
    """(start, end) in `sentence` of each phrase of `kind` that the question does not contain.

    With `names_only`, a person must be a proper name: "officials" or "the adviser" is a
    role, and a sentence naming only roles does not say who.
    """
    asked = set(words(question))
    durations, money, counted = _figure_asked(question) if kind == NUMBER else (False, False, None)
    for m in _PHRASES[kind].finditer(sentence):
        start, end = m.span(1) if kind == PLACE else m.span()
        found = [w for w in words(sentence[start:end]) if w not in {"the", "of", "in", "at", "on", "and"}]
        if not found:
            continue
        if kind in (PERSON, PLACE) and all(w in asked for w in found):
            continue  # the question's own name is not an answer to it
        figures = [w for w in found if _FIGURE_WORD.fullmatch(w)] if kind in (NUMBER, DATE) else []
        if figures and all(w in asked for w in figures):
            continue  # nor its own figure or date: "in 2014" does not say when, asked "what happened in 2014?"
        if (
            kind == NUMBER
            and not any(ch.isdigit() for ch in sentence[start:end])
            and not re.search(rf"{_NUMBER_WORDS}|{_DURATION}", sentence[start:end], re.IGNORECASE)
        ):
            continue
        if kind == NUMBER and not durations and re.search(_DURATION, sentence[start:end], re.IGNORECASE):
            continue
        if money and not _is_money(sentence, start, end):
            continue
        if kind == NUMBER and (_DAY_OF_MONTH.search(sentence, 0, start) or _DAY_MONTH.match(sentence, start)):
            continue  # the "3" of "March 3" (or "3 March", or the 2022 of "March 3, 2022") is a date, not a count
        if kind == PERSON and names_only and not sentence[start].isupper():
            continue
        if kind == PERSON and names_only and _ORGANISATION.search(sentence, start, end):
            continue  # "the Cabinet of Ministers" is a body, not who holds a post
        if kind == PERSON and start == 0 and " " not in sentence[start:end].strip():
            continue  # a lone capitalised first word is just the start of the sentence
        yield start, _through_counted(sentence, start, end, counted) if counted else end


def _through_counted(sentence: str, start: int, end: int, counted: str) -> int:
    """`end`, moved on to the end of the noun the figure counts when that is the `counted` noun.

    "more than a thousand Russian tanks", not "a thousand Russian".
    """
    wanted = stem(counted)
    if any(stem(w) == wanted for w in words(sentence[start:end])):
        return end
    noun = counted_noun(sentence, end)
    return noun[1] if noun is not None and stem(noun[0]) == wanted else end


@lru_cache(maxsize=1024)  # `phrases` reads every candidate sentence of one question
def _figure_asked(question: str) -> tuple[bool, bool, str | None]:
    """What figure `question` asks for: (a duration, an amount of money, the count of this noun)."""
    durations = _ASKS_TIME.search(question) is not None
    money = not durations and _ASKS_MONEY.search(question) is not None
    return durations, money, focus(question)


def _is_money(sentence: str, start: int, end: int) -> bool:
    """True when the figure at [start, end) is an amount of money: "$ 6.5 billion", "UAH 400 billion", "5 million euros"."""
    figure = sentence[start:end]
    if _CURRENCY_SIGN.search(figure) or _CURRENCY_IN.search(figure):
        return True
    return bool(_CURRENCY_SIGN.search(sentence[max(0, start - 5) : start]) or _CURRENCY_AFTER.match(sentence, end))


def best_phrase(kind: str | None, sentence: str, question: str) -> tuple[int, int] | None:
    """The phrase of the wanted kind to highlight in `sentence`, or None.

    Among several, the one nearest to words the question shares with the sentence wins:
    the answer usually sits next to the part of the sentence the question echoes.
    """
    if kind is None or kind == REASON:
        return None
    found = list(phrases(kind, sentence, question))
    if kind == NUMBER:
        found = _not_superseded(found, sentence)
    counted = focus(question) if kind == NUMBER else None
    if counted is not None:  # "More than 400 Russian tanks" answers "how many tanks", not "hundreds" of planes
        wanted = stem(counted)
        found = [s for s in found if any(stem(w) == wanted for w in words(sentence[s[0] : s[1]]))] or found
    if kind == PERSON:  # a name answers "who" better than a job title
        found = [s for s in found if sentence[s[0]].isupper()] or found
    if kind == PLACE:  # "in Geneva" names a place; "at the NATO-Russia Council" names a body
        found = [s for s in found if not _ORGANISATION.search(sentence[s[0] : s[1]])] or found
        found = [s for s in found if _AFTER_IN.search(sentence[: s[0]])] or found
        # "in the Ukrainian cities", "from Amazonian rivers": an adjective of origin before a noun is no place
        found = [s for s in found if not _ADJECTIVE_OF_ORIGIN.match(sentence, s[1])]
    return best_of(found, sentence, question, by_sentence=kind in (NUMBER, DATE))


_ADJECTIVE_OF_ORIGIN = re.compile(r"(?<=ian|ese|ish|ean)\s+[a-z]")

# "from USD 10 billion to USD 12 billion", "rose from 100,000 to 130,000": a figure and the one it became
_FROM_FIGURE = re.compile(rf"\bfrom\s+(?:{_CURRENCY_SYMBOL}|{_CURRENCY_CODE})?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_TO_FIGURE = re.compile(rf"\s+to\s+(?:{_CURRENCY_SYMBOL}|{_CURRENCY_CODE})?\s*", re.IGNORECASE)


def _not_superseded(found: Sequence[tuple[int, int]], sentence: str) -> list[tuple[int, int]]:
    """`found` without each figure that the sentence says changed into the next one: that one is the news."""
    superseded = {
        a
        for a, b in zip(found, found[1:])
        if _FROM_FIGURE.search(sentence, max(0, a[0] - 12), a[0])
        and _TO_FIGURE.fullmatch(sentence, a[1], b[0])
        and not _YEAR.fullmatch(sentence, *a)  # "from 2014 to 2022" is a span of time
    }
    return [s for s in found if s not in superseded]


def best_of(
    found: Sequence[tuple[int, int]], sentence: str, question: str, *, by_sentence: bool = False
) -> tuple[int, int] | None:
    """The phrase of `found` nearest to words the question shares with `sentence` (the first when none), or None.

    With `by_sentence` (figures and days), in a quote of several sentences the phrase of the one
    echoing most of the question's words wins first ("... killed enemy soldiers is approaching
    14,000. Tens of thousands of Russian servicemen were wounded." answers how many soldiers were
    killed with 14,000): a figure counts, and a day dates, what its own sentence says. A place or a
    name is often in the sentence before the one that echoes ("... meet on Monday in Geneva ...
    Those talks are to be followed by meetings ... in Europe"), so for them only the distance counts.
    """
    if not found:
        return None
    asked = set(words(question)) - STOPWORDS
    anchors = [m for m in re.finditer(r"\w+", sentence) if m.group().lower() in asked and len(m.group()) > 3]
    if not anchors:
        return found[0]
    ends = [m.end() for m in _SENTENCE_END.finditer(sentence)]

    def sentence_of(position: int) -> int:
        return sum(end <= position for end in ends)

    def echoed(span: tuple[int, int]) -> int:
        if not by_sentence:
            return 0
        return len({m.group().lower() for m in anchors if sentence_of(m.start()) == sentence_of(span[0])})

    def distance(span: tuple[int, int]) -> int:
        return min(min(abs(m.start() - span[0]), abs(m.start() - span[1])) for m in anchors)

    return min(found, key=lambda span: (-echoed(span), distance(span)))


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


_PHRASE_KINDS = (NUMBER, DATE, PERSON, PLACE)


def candidate_phrases(question: str, sentence: str) -> list[tuple[int, int]]:
    """Phrases of `sentence` that may answer `question`: of its kind, or of every kind when it has none.

    What a model chooses among when the rules (`best_phrase`) pick nothing: a "why" question, a
    question of no clear kind, or a sentence without a phrase of the asked kind.
    """
    kind = question_kind(question)
    for kinds in ((kind,), _PHRASE_KINDS) if kind in _PHRASE_KINDS else (_PHRASE_KINDS,):
        found: list[tuple[int, int]] = []
        for k in kinds:
            found += [span for span in phrases(k, sentence, question) if span not in found]
        if found:
            return found
    return []
