"""The code that behavioural operators copy into a memory program, written here as a real module.

Operators bring the definitions a wrapper needs (and only those) into the child, with the imports they
use, so the child stays one standalone module (standard library only). Keeping the code here, not in
strings, means it is linted, type-checked by eye and unit-tested like any other code. Every tunable is a
parameter: the wrapper passes the child's UPPER_CASE constants, which the numeric mutator then tunes.

Names are prefixed (`_ledger_`, `_TurnLedger`) so that they do not clash with a program's own helpers.
"""

import dataclasses
import math
import re
from collections import Counter

_LEDGER_WORD = re.compile(r"[a-z0-9]+")
_LEDGER_KEY_WORDS = 6
_LEDGER_MONTHS = frozenset(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
)
_LEDGER_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)


class _TurnLedger:
    """Every turn written, by session, so that a wrapper can tell where a line of read() output was said.

    A line is matched to a stored turn by a run of the turn's first words (speaker included), so a line
    that a program reformatted (a date prefix, a bullet) is still found. Turns that start alike (a user's
    "I'm looking for some ..." in many chats) are told apart by how far each goes on like the line.

    Each turn with words gets a number: `places[n]` is its (session, index), `numbers` the way back, and
    `words[n]`, `turn_words[n]`, `roles[n]` and `speakers[n]` are worked out once, when it is written.
    """

    def __init__(self):
        self.sessions = []
        self.starts = {}
        self.key_lengths = set()
        self.postings = {}
        self.places = []
        self.numbers = {}
        self.words = []
        self.turn_words = []
        self.roles = []
        self.speakers = []
        self.session_words = []
        self.word_total = 0

    def add_session(self, raw_text):
        lines = [line.strip() for line in raw_text.splitlines() if line.strip()]
        date = ""
        if lines and lines[0].startswith("[") and lines[0].endswith("]"):
            header = lines[0][1:-1]
            date = header.split("|", 1)[1].strip() if "|" in header else ""
            lines = lines[1:]
        session = len(self.sessions)
        self.sessions.append((date, lines))
        self.session_words.append(Counter(_LEDGER_WORD.findall(" ".join(lines).lower())))
        for index, line in enumerate(lines):
            words = _LEDGER_WORD.findall(line.lower())
            if not words:
                continue
            self.word_total += len(words)
            key = tuple(words[:_LEDGER_KEY_WORDS])
            self.key_lengths.add(len(key))
            self.starts.setdefault(key, []).append((session, index))
            number = len(self.places)
            self.places.append((session, index))
            self.numbers[(session, index)] = number
            self.words.append(words)
            self.turn_words.append(frozenset(words))
            self.roles.append(_ledger_role(line))
            self.speakers.append(_ledger_speaker(line))
            for word in self.turn_words[-1]:
                self.postings.setdefault(word, []).append(number)

    def locate(self, line):
        """(session, turn index) of the stored turn `line` shows, or None."""
        words = _LEDGER_WORD.findall(line.lower())
        for start in range(len(words)):
            for length in sorted(self.key_lengths, reverse=True):
                found = self.starts.get(tuple(words[start : start + length]))
                if found is not None:
                    return found[0] if len(found) == 1 else self._closest(found, words[start:])
        return None

    def _closest(self, places, words):
        """Of the turns at `places`, which start alike, the first of those going on like `words` longest."""

        def shared(place):
            said = self.words[self.numbers[place]]
            count = 0
            while count < min(len(said), len(words)) and said[count] == words[count]:
                count += 1
            return count

        return max(places, key=shared)

    def turn(self, place):
        """The stored turn at `place` (session, index), as written."""
        return self.sessions[place[0]][1][place[1]]

    def date(self, place):
        """The date of the session of `place`, or "" when its header gave none."""
        return self.sessions[place[0]][0]

    def dated(self, place):
        """The stored turn at `place`, after its session's date in brackets when there is one."""
        date, turn = self.date(place), self.turn(place)
        return f"[{date}] {turn}" if date else turn


def _ledger_fit(lines, budget):
    """The lines, in order, that fit in `budget` characters (a line that does not fit is skipped)."""
    kept, used = [], 0
    for line in lines:
        if used + len(line) + 1 <= budget:
            kept.append(line)
            used += len(line) + 1
    return "\n".join(kept)


def _with_neighbours(text, ledger, turns_around, hits, max_chars, budget):
    """Each of the first `hits` retrieved turns with the `turns_around` turns said before and after it in
    its session (each neighbour at most `max_chars` long), in session order; other lines unchanged."""
    lines, seen, expanded = [], set(), 0
    for line in text.splitlines():
        found = ledger.locate(line) if line.strip() else None
        if found is None:
            lines.append(line)
            continue
        if found in seen:
            continue
        seen.add(found)
        if expanded >= hits:
            lines.append(line)
            continue
        expanded += 1
        session, index = found
        turns = ledger.sessions[session][1]
        for other in range(max(0, index - turns_around), min(len(turns), index + turns_around + 1)):
            if other == index:
                lines.append(line)
            elif (session, other) not in seen and len(ledger.turn((session, other))) <= max_chars:
                seen.add((session, other))
                lines.append(ledger.dated((session, other)))
    return _ledger_fit(lines, budget)


def _date_shown(date, line):
    """Whether `line` shows `date`, however reformatted: its year and month name ("8 May 2023" shows
    "2:15 pm on 8 May, 2023"); a date with neither must appear as written."""
    words = _LEDGER_WORD.findall(date.lower())
    needed = [w for w in words if (len(w) == 4 and w.isdigit()) or w[:3] in _LEDGER_MONTHS]
    if not needed:
        return date in line
    shown = set(_LEDGER_WORD.findall(line.lower()))
    return all(w in shown for w in needed)


def _with_dates(text, ledger, budget):
    """Each line that shows a stored turn, prefixed with its session's date when the line lacks it."""
    lines = []
    for line in text.splitlines():
        found = ledger.locate(line) if line.strip() else None
        date = ledger.date(found) if found is not None else ""
        lines.append(f"[{date}] {line}" if date and not _date_shown(date, line) else line)
    return _ledger_fit(lines, budget)


def _query_text(query):
    """The longest text field of a query: the question itself, whatever the schema calls it."""
    texts = [value for value in vars(query).values() if isinstance(value, str)]
    return max(texts, key=len) if texts else ""


def _ledger_bm25(query_words, counts, average, total, holding, length_weight):
    """BM25 (k1 1.2, b `length_weight` clamped to [0, 1]) of a text whose words are `counts`, among
    `total` texts `average` words long of which `holding(word)` hold `word`. One formula for turns and
    for whole sessions."""
    b = min(max(length_weight, 0.0), 1.0)
    norm = 1.2 * (1 - b + b * sum(counts.values()) / max(average, 1.0))
    score = 0.0
    for word in query_words & counts.keys():
        seen, held = counts[word], holding(word)
        score += math.log(1 + (total - held + 0.5) / (held + 0.5)) * seen * 2.2 / (seen + norm)
    return score


def _second_signal(signal, line, query_words, query_names, ledger, length_weight=0.75):
    """How strongly a line matches by the second signal; higher is better. For `bm25` it is the line's
    BM25 against the stored turns with b `length_weight`: a long line matches many words by chance (a
    pasted document in a user's chat), and it takes more of the read's room."""
    if signal == "recency":
        found = ledger.locate(line)
        return found[0] + found[1] / 1000 if found is not None else -1.0
    if signal == "entity":
        return len(query_names & set(re.findall(r"\b[A-Z][a-z]+", line)))
    count = max(1, len(ledger.turn_words))
    counts = Counter(_LEDGER_WORD.findall(line.lower()))
    average = ledger.word_total / count
    return _ledger_bm25(
        query_words, counts, average, count, lambda word: len(ledger.postings.get(word, ())), length_weight
    )


def _reranked(text, query, ledger, signal, weight, rrf_k, budget):
    """The lines of `text` ordered by reciprocal-rank fusion of their own order and a second signal
    (`bm25`, `recency` or `entity`) with `weight`; lines no signal favours keep their place."""
    lines = [line for line in text.splitlines() if line.strip()]
    question = _query_text(query)
    query_words = set(_LEDGER_WORD.findall(question.lower())) - _LEDGER_STOPWORDS
    query_names = set(re.findall(r"\b[A-Z][a-z]+", question))
    strength = [_second_signal(signal, line, query_words, query_names, ledger) for line in lines]
    order = sorted(range(len(lines)), key=lambda i: (-strength[i], i))
    second_rank = {i: rank for rank, i in enumerate(order)}
    fused = sorted(
        range(len(lines)), key=lambda i: (-(1 / (rrf_k + i + 1) + weight / (rrf_k + second_rank[i] + 1)), i)
    )
    return _ledger_fit([lines[i] for i in fused], budget)


def _best_sessions(query_words, ledger, count):
    """The `count` sessions whose words, all their turns together, match `query_words` best by BM25
    (k1 1.2, b 0.75), best first; sessions matching none are left out."""
    bags = ledger.session_words
    total = len(bags)
    if not total or not query_words:
        return []
    average = sum(sum(bag.values()) for bag in bags) / total
    frequency = {word: sum(1 for bag in bags if word in bag) for word in query_words}
    scores = []
    for number, bag in enumerate(bags):
        score = _ledger_bm25(query_words, bag, average, total, frequency.get, 0.75)
        if score > 0:
            scores.append((-score, number))
    return [number for _, number in sorted(scores)[:count]]


def _session_first(text, query, ledger, sessions, turns, budget):
    """The question's best `turns` turns (BM25) in each of its best `sessions` sessions, dated, first;
    then the lines of `text` they do not already show."""
    question = _query_text(query)
    query_words = set(_LEDGER_WORD.findall(question.lower())) - _LEDGER_STOPWORDS
    first, shown = [], set()
    for session in _best_sessions(query_words, ledger, sessions):
        said = ledger.sessions[session][1]
        strength = [_second_signal("bm25", turn, query_words, set(), ledger) for turn in said]
        matching = [index for index in range(len(said)) if strength[index] > 0]
        for index in sorted(matching, key=lambda i: -strength[i])[:turns]:
            first.append(ledger.dated((session, index)))
            shown.add((session, index))
    rest = [line for line in text.splitlines() if line.strip() and ledger.locate(line) not in shown]
    return _ledger_fit(first + rest, budget)


_LEDGER_SPEAKER = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*([A-Z][\w.'-]*(?: [A-Z][\w.'-]*)?):\s")


def _ledger_speaker(turn):
    """The speaker a stored turn starts with ("Maya: ..."), or None."""
    match = _LEDGER_SPEAKER.match(turn)
    return match.group(1) if match else None


_LEDGER_ROLE = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(user|assistant):\s", re.I)
_ASKED_OF_ASSISTANT = re.compile(
    r"\byou\s+(?:\w+\s+)?(?:said|told|gave|wrote|sent|showed|\w+ed)\b|\bdid you\b"
    r"|\bour (?:previous|last|earlier|other) (?:conversation|chat|discussion)\b|\bwe (?:discussed|talked)\b",
    re.I,
)
_SAID_BY_USER = re.compile(r"\bI\s+(?:\w+\s+)?(?:said|told|mentioned|wrote|shared)\b")


def _ledger_role(turn):
    """The chat role a stored turn starts with ("user: ..." or "assistant: ..."), lower-cased, or None."""
    match = _LEDGER_ROLE.match(turn)
    return match.group(1).lower() if match else None


def _party_asked_about(question, ledger):
    """(who said each stored turn, by its number in the ledger; the party) when `question` is about one
    party of the conversation, else None. In a chat between a user and an assistant the question is the
    user's: one pointing back at what the assistant said ("you recommended", "did you say", "our previous
    conversation") is about the assistant; any other is about the user's own life and world ("my
    commute", "Who became a parent first, Rachel or Alex?"), which only the user told of. In a dialogue
    between named people it is about the one speaker it names, if it names exactly one."""
    if {"user", "assistant"} <= set(ledger.roles):
        if _ASKED_OF_ASSISTANT.search(question) and not _SAID_BY_USER.search(question):
            return ledger.roles, "assistant"
        return ledger.roles, "user"
    speakers = set(ledger.speakers) - {None}
    named = [name for name in speakers if re.search(r"\b" + re.escape(name) + r"\b", question)]
    return (ledger.speakers, named[0]) if len(named) == 1 else None


def _asked_party_first(text, query, ledger, turns, budget, length_weight):
    """When the question is about one party (`_party_asked_about`): the lines of `text` said by another
    are left out, the party's `turns` best turns for the question (BM25 with b `length_weight`, dated)
    that `text` lacks are added after its own, and then the party's replies to the lines left out (the
    next turn of the session, dated, when the party said it): a question put to the party matched the
    question's words, and the answer is in the reply, said in words of its own. Any other question
    reads `text`'s lines. Cut to `budget` either way."""
    question = _query_text(query)
    asked = _party_asked_about(question, ledger)
    if asked is None:
        return _ledger_fit([line for line in text.splitlines() if line.strip()], budget)
    said_by, party = asked
    kept, shown, replies = [], set(), []
    for line in text.splitlines():
        place = ledger.locate(line) if line.strip() else None
        if place is not None and said_by[ledger.numbers[place]] != party:
            reply = (place[0], place[1] + 1)
            if reply in ledger.numbers and said_by[ledger.numbers[reply]] == party:
                replies.append(reply)
        elif line.strip():
            kept.append(line)
            shown.add(place)
    query_words = set(_LEDGER_WORD.findall(question.lower())) - _LEDGER_STOPWORDS - {party.lower()}
    scored = []
    for number, place in enumerate(ledger.places):
        if place not in shown and said_by[number] == party:
            strength = _second_signal("bm25", ledger.turn(place), query_words, set(), ledger, length_weight)
            if strength > 0:
                scored.append((-strength, place))
    best = [place for _, place in sorted(scored)[:turns]]
    shown.update(best)
    later = [place for place in dict.fromkeys(replies) if place not in shown]
    return _ledger_fit(kept + [ledger.dated(place) for place in best + later], budget)


def _expanded_query(query, ledger, terms, pool):
    """The query with up to `terms` words added to its question: the words that most often share a turn
    with the question's words in the store (among the first `pool` turns holding each), weighted by
    their rarity. Bridges a question's words and the different words its answer was said in."""
    question = _query_text(query)
    if not question or terms < 1:
        return query
    asked = set(_LEDGER_WORD.findall(question.lower()))
    count = max(1, len(ledger.turn_words))
    together = Counter()
    for word in asked - _LEDGER_STOPWORDS:
        for number in ledger.postings.get(word, ())[:pool]:
            together.update(ledger.turn_words[number] - asked - _LEDGER_STOPWORDS)
    scored = {
        word: seen * math.log(1 + count / len(ledger.postings[word]))
        for word, seen in together.items()
        if seen > 1 and len(word) > 2
    }
    extra = sorted(scored, key=lambda word: (-scored[word], word))[:terms]
    if not extra:
        return query
    field = next(name for name, value in vars(query).items() if value is question)
    return dataclasses.replace(query, **{field: question + " " + " ".join(extra)})


def _fused_lines(first, second, second_weight, rrf_k, budget):
    """Two read() outputs merged by weighted reciprocal rank of their lines, duplicates (a line whose
    words another kept line already holds) removed, cut to `budget` characters."""
    scores, lines = {}, {}
    for weight, text in ((1.0 - second_weight, first), (second_weight, second)):
        for rank, line in enumerate(part for part in text.splitlines() if part.strip()):
            key = line.strip()
            lines.setdefault(key, line)
            scores[key] = scores.get(key, 0.0) + weight / (rrf_k + rank + 1)
    kept, kept_words = [], []
    for key in sorted(scores, key=lambda k: -scores[k]):
        words = set(_LEDGER_WORD.findall(key.lower()))
        if len(words) > 3 and any(words <= o or o <= words for o in kept_words if len(o) > 3):
            continue
        kept.append(lines[key])
        kept_words.append(words)
    return _ledger_fit(kept, budget)


def _fusion_convert(value, cls):
    """`value` (the first memory's KnowledgeItem or Query) as the second memory's `cls`: fields of the
    same name are copied, a text field without a match gets the longest text of `value` (the question,
    the session), a date-like one is left to its default, and any other keeps its default."""
    given = vars(value)
    text = max((v for v in given.values() if isinstance(v, str)), key=len, default="")
    arguments = {}
    for spec in dataclasses.fields(cls):
        missing = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
        if spec.name in given:
            arguments[spec.name] = given[spec.name]
        elif spec.type in (str, "str") and (missing or not re.search(r"date|time|when|day", spec.name)):
            arguments[spec.name] = text
        elif missing:
            arguments[spec.name] = [] if "list" in str(spec.type) else None
    return cls(**arguments)


class _SecondChroma:
    """The vector store as the second of two fused memories sees it: its collections get their own names,
    so that two memories using the same collection name do not share (and double) its contents."""

    def __init__(self, chroma):
        self.chroma = chroma

    def get_or_create_collection(self, name, *args, **kwargs):
        return self.chroma.get_or_create_collection("second_" + name, *args, **kwargs)

    def create_collection(self, name, *args, **kwargs):
        return self.chroma.create_collection("second_" + name, *args, **kwargs)

    def get_collection(self, name, *args, **kwargs):
        return self.chroma.get_collection("second_" + name, *args, **kwargs)

    def delete_collection(self, name):
        return self.chroma.delete_collection("second_" + name)

    def __getattr__(self, name):
        return getattr(self.chroma, name)


class _SecondToolkit:
    """The toolkit as the second of two fused memories sees it: the same, with its own collections."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.chroma = _SecondChroma(toolkit.chroma)

    def __getattr__(self, name):
        return getattr(self.toolkit, name)


_PLACES_SEEN = re.compile(
    r"(?:On the|The) (?P<place>[a-z]+ \d+)(?:, you see| is open\. In it, you see)"
    r" (?P<listing>.*?)(?:\.(?:\s|$)|$)"
)
_PLACES_OBJECT = re.compile(r"\b([a-z]+) \d+\b")
_PLACES_TREATMENT = re.compile(r"^>\s*(?P<command>(?:heat|cool|clean) [a-z]+ \d+ with [a-z]+ \d+)\s*$")
_PLACES_PLAY = re.compile(
    r"^\W*(?:\[[^\]]*\]\s*)*"
    r"(?:>|you (?:arrive|open|close|pick|put|move|heat|cool|clean|turn)\b|nothing happens)",
    re.I,
)
"""A line of a trajectory's play: a command, or what the world answered to one. (The patterns' groups have
names, not numbers: the numeric mutator tunes a helper's integer literals, and `group(2)` is none.)"""


class _PlaceCounts:
    """Where each kind of object was seen (every object of every "On the countertop 2, you see ..." line of
    every trajectory written, not only the task's), and the treatments that worked, in the order learnt."""

    def __init__(self):
        self.where = {}
        self.treatments = []

    def add_trajectory(self, raw_text):
        for line in raw_text.splitlines():
            seen = _PLACES_SEEN.search(line)
            if seen:
                for kind in _PLACES_OBJECT.findall(seen.group("listing")):
                    self.where.setdefault(kind, Counter())[seen.group("place")] += 1
            treatment = _PLACES_TREATMENT.match(line.strip())
            if treatment and treatment.group("command") not in self.treatments:
                self.treatments.append(treatment.group("command"))


def _places_first(text, query, counts, per_kind, budget):
    """The treatments that share a word with the query, then, for each kind of object the query names, up
    to `per_kind` places it was seen, most often first; then the lines of `text` that are not the raw play
    of a trajectory (commands, what the world answered, what a receptacle held), which the counts hold in
    short. Cut to `budget`."""
    words = list(dict.fromkeys(_LEDGER_WORD.findall(_query_text(query).lower())))
    first = [
        treatment for treatment in counts.treatments if set(_LEDGER_WORD.findall(treatment)) & set(words)
    ]
    for kind in words:
        for place, times in counts.where.get(kind, Counter()).most_common(per_kind):
            first.append(f"{kind} seen at {place}, {times} {'time' if times == 1 else 'times'}")
    rest = [line for line in text.splitlines() if line.strip() and not _PLACES_PLAY.match(line)]
    return _ledger_fit(first + [line for line in rest if not _PLACES_SEEN.search(line)], budget)
