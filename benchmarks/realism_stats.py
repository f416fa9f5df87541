"""Measurable properties of conversation data that make memory retrieval hard, for any ConversationDataset.

Used by `benchmarks/data_realism.py` to put the built-in generator's data beside real slices (LoCoMo,
LongMemEval): every property is computed the same way from the dataset alone (turn texts, session order,
questions and their evidence), never from how the data was made. Questions without evidence are skipped
where a property is about evidence.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable

from evaluators.conversation.data import Conversation, ConversationDataset
from evaluators.text import content_words

RELATIVE_TIME = re.compile(
    r"\b(yesterday|today|tonight|tomorrow|last (night|week|weekend|month|year|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)|next (week|month|year|weekend)|"
    r"this (morning|week|weekend|month|year)|(a|an|one|two|three|four|five|six|few|couple of|\d+) "
    r"(days?|weeks?|weekends?|months?|years?) ago|recently|the other day|a while back)\b",
    re.IGNORECASE,
)
"""Time said relative to when it was said: the reader must resolve it against the session's date."""

FIXED_PHRASING = re.compile(
    r"\b(i work as|working as|i'?m an? \w+( \w+)? at|i live in|living in|home is|moved to|relocated to|"
    r"started as|job as|my (sister|brother|mother|father|son|daughter|aunt|uncle|niece|nephew|"
    r"grandmother|grandfather) [A-Z])",
    re.IGNORECASE,
)
"""The fixed phrasings that offline fact-extraction rules key on ("I work as", "I live in", "my sister X")."""

LABEL = re.compile(r"^\s*[^:]{1,40}:\s")
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|my|we|we're|our)\b", re.IGNORECASE)
PHOTO = re.compile(r"\[shares a photo", re.IGNORECASE)
LONG_TURN_WORDS = 40


def _mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def _answerable(conversation: Conversation) -> list[tuple[list[str], list[int], str]]:
    """(evidence texts, evidence session positions, question) of each answerable question with evidence."""
    session_of = {
        turn.turn_id: position
        for position, session in enumerate(conversation.sessions)
        for turn in session.turns
    }
    turns = conversation.turns_by_id()
    found = []
    for question in conversation.questions:
        ids = [t for t in question.evidence if t in turns]
        if question.answerable and ids:
            found.append(([turns[t].text for t in ids], [session_of[t] for t in ids], question.question))
    return found


def question_overlap(conversation: Conversation) -> list[float]:
    """Per question: share of its content words (speaker names excluded) found in its evidence turns."""
    names = {w for speaker in conversation.speakers for w in content_words(speaker)}
    shares = []
    for texts, _, question in _answerable(conversation):
        wanted = set(content_words(question)) - names
        if wanted:
            stated = set().union(*(content_words(t) for t in texts))
            shares.append(len(wanted & stated) / len(wanted))
    return shares


def lexical_competitors(conversation: Conversation) -> list[float]:
    """Per question: non-evidence turns sharing at least as many of the question's content words (names
    excluded) as its best evidence turn does; distractors that word overlap cannot tell apart."""
    names = {w for speaker in conversation.speakers for w in content_words(speaker)}
    bags = [
        (turn.text, set(content_words(turn.text)))
        for session in conversation.sessions
        for turn in session.turns
    ]
    counts = []
    for texts, _, question in _answerable(conversation):
        wanted = set(content_words(question)) - names
        if not wanted:
            continue
        best = max(len(wanted & set(content_words(t))) for t in texts)
        if best == 0:
            continue
        evidence = set(texts)
        counts.append(sum(1 for text, bag in bags if text not in evidence and len(wanted & bag) >= best))
    return counts


def sessions_back(conversation: Conversation) -> list[float]:
    """Per question: sessions between its earliest evidence turn's session and the end (the question)."""
    last = len(conversation.sessions) - 1
    return [last - min(sessions) for _, sessions, _ in _answerable(conversation)]


def evidence_turns(conversation: Conversation) -> list[float]:
    return [len(texts) for texts, _, _ in _answerable(conversation)]


def evidence_words(conversation: Conversation) -> list[float]:
    return [len(t.split()) for texts, _, _ in _answerable(conversation) for t in texts]


def _turn_texts(conversation: Conversation) -> list[str]:
    return [turn.text for session in conversation.sessions for turn in session.turns]


def _later_lines(conversation: Conversation) -> list[str]:
    """Lines after the first of multi-line turns: written to memory as lines of their own, with no speaker."""
    return [line for text in _turn_texts(conversation) for line in text.splitlines()[1:] if line.strip()]


STATISTICS: dict[str, tuple[str, Callable[[Conversation], list[float]]]] = {
    "turn_words": ("words per turn (mean)", lambda c: [len(t.split()) for t in _turn_texts(c)]),
    "long_turns": (
        f"share of turns over {LONG_TURN_WORDS} words",
        lambda c: [len(t.split()) > LONG_TURN_WORDS for t in _turn_texts(c)],
    ),
    "turns_per_session": ("turns per session (mean)", lambda c: [len(s.turns) for s in c.sessions]),
    "sessions": ("sessions per conversation", lambda c: [len(c.sessions)]),
    "evidence_words": ("words per evidence turn (mean)", evidence_words),
    "question_overlap": ("question words found in its evidence (mean share)", question_overlap),
    "competitors": (
        "distractor turns matching the question as well as its evidence (mean)",
        lexical_competitors,
    ),
    "sessions_back": ("sessions between evidence and question (mean)", sessions_back),
    "evidence_turns": ("evidence turns per question (mean)", evidence_turns),
    "multi_turn_answers": (
        "share of questions with evidence in 2+ turns",
        lambda c: [n >= 2 for n in evidence_turns(c)],
    ),
    "relative_time": (
        "share of turns with a relative time",
        lambda c: [bool(RELATIVE_TIME.search(t)) for t in _turn_texts(c)],
    ),
    "fixed_phrasing": (
        "share of evidence turns in a fixed fact phrasing",
        lambda c: [bool(FIXED_PHRASING.search(t)) for texts, _, _ in _answerable(c) for t in texts],
    ),
    "later_lines": (
        "extra lines per turn (lists, paragraphs)",
        lambda c: [len(_later_lines(c)) / max(1, len(_turn_texts(c)))],
    ),
    "label_lines": (
        "share of extra lines with a 'label:' prefix",
        lambda c: [bool(LABEL.match(line)) for line in _later_lines(c)],
    ),
    "first_person_lines": (
        "share of extra lines in the first person",
        lambda c: [bool(FIRST_PERSON.search(line)) for line in _later_lines(c)],
    ),
    "photos": (
        "share of turns with a photo caption",
        lambda c: [bool(PHOTO.search(t)) for t in _turn_texts(c)],
    ),
    "unanswerable": (
        "share of questions that are unanswerable",
        lambda c: [not q.answerable for q in c.questions],
    ),
}


def measure(dataset: ConversationDataset) -> dict[str, float]:
    """Every statistic of `dataset`: the mean of its per-item values pooled over all conversations."""
    return {
        key: _mean([float(v) for c in dataset.conversations for v in function(c)])
        for key, (_, function) in STATISTICS.items()
    }
