"""Assistant-style built-in data: one user asking an assistant for help over many sessions (LongMemEval-like).

Each session is a task (meal prep, a budget, a job search ...): the user asks, the assistant answers at
length with a numbered list of suggestions, the user follows up. Facts about the user are mentioned in
passing inside those requests ("By the way, my daily commute is 45 minutes each way"), so most of the text
is the assistant's advice, and the few turns that matter are short and buried. Questions follow
LongMemEval's types, in about the mix of LongMemEval S dev45: a fact the user mentioned (single-hop), advice
that should build on a preference the user showed (single-hop, answer: what to build on), what the assistant
itself said (single-hop, evidence: the assistant's turn), a count that changed (knowledge update: the stale
and the current value, in two sessions), facts said in two or three sessions to gather (multi-hop: which
items, how many, or what total), when something happened, which of two events came first or how many days
passed between them (temporal; the two events in different sessions), and things never said (abstention).
Some questions are partly in other words than their evidence, as real users' are.

    dataset = generate_assistant_dataset(seed=0)      # "synthetic(style=assistant,seed=0,conversations=10)"

Callers may rely on what `synthetic.generate_dataset` promises (determinism, prefixes, `D{s}:{t}` turn
ids, stale-then-current knowledge-update evidence); session dates are LongMemEval's "2023/05/30 (Tue) 23:40".
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from evaluators.conversation import assistant_templates as tpl
from evaluators.conversation.data import Conversation, ConversationDataset, Question, Session, Turn
from evaluators.conversation.synthetic import DAYS_AGO, NOT_MENTIONED, WEEKDAYS, resolve_when

SPEAKERS = ("user", "assistant")
DEFAULT_SESSIONS = (30, 40)
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
_WHEN = (*DAYS_AGO, "last week", "last weekday")
_EXACT_WHEN = (*DAYS_AGO, "last weekday")
"""The phrases that name one day: the events of questions comparing two dates use only these."""
_SAID_AGAIN = {4: 0.8, 6: 0.6}
"""How often a user-fact (4) or knowledge-update (6) question reuses its fact's words. In LongMemEval S dev45,
0.67 and 0.82 of such a question's words are in its evidence; the literal questions here reach about 0.66
and 1.0, the partly reworded ones about 0.3 and 0.5."""


@dataclass(eq=False)
class _Note:
    """A clause the user says in passing in session `session`; `turn_id` is set once it is laid out."""

    session: int
    clause: str
    turn_id: str = ""


@dataclass(frozen=True)
class _Ask:
    category: int
    question: str
    answer: str
    notes: tuple[_Note, ...] = ()
    when: str = ""  # temporal: the relative phrase said in notes[0], resolved against its session's date


def generate_assistant_dataset(
    seed: int = 0, conversations: int = 10, sessions: tuple[int, int] = DEFAULT_SESSIONS
) -> ConversationDataset:
    """`conversations` user-assistant histories of `sessions` (min, max) sessions, about 15 questions each."""
    if conversations < 1 or not 8 <= sessions[0] <= sessions[1]:
        raise ValueError("conversations must be at least 1, and sessions a (min, max) with 8 <= min <= max.")
    master = random.Random(f"assistant-{seed}")
    seeds = [master.getrandbits(64) for _ in range(conversations)]
    dialogues = tuple(
        _conversation(random.Random(s), f"synth-assistant-{seed}-{i:03d}", sessions)
        for i, s in enumerate(seeds)
    )
    name = f"synthetic(style=assistant,seed={seed},conversations={conversations}"
    if sessions != DEFAULT_SESSIONS:
        name += f",sessions={sessions[0]}-{sessions[1]}"
    return ConversationDataset(name=name + ")", conversations=dialogues)


def _conversation(rng: random.Random, conversation_id: str, sessions: tuple[int, int]) -> Conversation:
    moments = _session_moments(rng, rng.randint(*sessions))
    count = len(moments)
    notes: list[_Note] = []
    asks: list[_Ask] = []

    def note(session: int, clause: str) -> _Note:
        made = _Note(session, clause)
        notes.append(made)
        return made

    def sessions_apart(k: int) -> list[int]:
        return sorted(rng.sample(range(count - 1), k))

    # The mix of question types follows LongMemEval S dev45's: about as many single-session user, assistant
    # and preference questions, knowledge updates, multi-session and temporal questions; most of the last
    # three need turns of two or more sessions.
    for clause, questions, answer in rng.sample(tpl.SINGLE_FACTS, 2):
        slots = _slots(rng, clause + answer)
        fact = note(rng.randrange(count - 1), clause.format(**slots))
        asks.append(_Ask(4, _worded(rng, questions, _SAID_AGAIN[4]), answer.format(**slots), (fact,)))
    for clause, question, key in rng.sample(tpl.PREFERENCES, 2):
        slots = _slots(rng, clause)
        said = [note(rng.randrange(count - 1), clause.format(**slots))]
        if rng.random() < 0.5:  # a preference often comes up twice in its session
            said.append(
                note(said[0].session, rng.choice(tpl.PREFERENCE_AGAIN).format(key=key.format(**slots)))
            )
        asks.append(_Ask(4, question, key.format(**slots), tuple(said)))
    counters = rng.sample(tpl.COUNTERS, 2)
    for clause, questions in counters:
        question = _worded(rng, questions, _SAID_AGAIN[6])
        slots = _slots(rng, clause + question)
        first, second = sorted(rng.sample(range(2, 40), 2))
        early, late = sessions_apart(2)
        stale = note(early, clause.format(count=first, **slots))
        current = note(late, clause.format(count=second, **slots))
        asks.append(_Ask(6, question.format(**slots), str(second), (stale, current)))
    # Books counted by a knowledge update are not gathered again: "how many novels" would have two answers.
    reading = any("books" in clause for clause, _ in counters)
    asks += _multi_session(rng, note, sessions_apart, avoid={"book"} if reading else set())
    asks += _temporal(rng, note, sessions_apart, moments)
    for question in rng.sample(tpl.ABSENT_QUESTIONS, 2):
        asks.append(_Ask(5, question, NOT_MENTIONED))

    for clause in rng.sample(tpl.BACKGROUND, rng.randint(6, 10)):
        note(rng.randrange(count), clause)
    laid_out, said = _sessions(rng, moments, notes)
    by_topic = {
        topic: (index, turn_id, topic, key, position) for index, turn_id, topic, key, position in said
    }
    for session_index, turn_id, topic, key, position in rng.sample(sorted(by_topic.values()), 2):
        question = (
            f"In our conversation about {topic}, what was the {ORDINALS[position]} suggestion you gave me?"
        )
        asks.append(_Ask(4, question, key, (_Note(session_index, "", turn_id),)))
    rng.shuffle(asks)
    asked_on = _date_text(moments[-1] + timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 12)))
    questions = tuple(
        Question(
            f"{conversation_id}-q{number:03d}",
            ask.question,
            ask.answer,
            tuple(n.turn_id for n in ask.notes),
            ask.category,
            asked_on,
        )
        for number, ask in enumerate(asks, start=1)
    )
    return Conversation(conversation_id, SPEAKERS, laid_out, questions)


def _multi_session(
    rng: random.Random,
    note: Callable[[int, str], _Note],
    sessions_apart: Callable[[int], list[int]],
    avoid: set[str],
) -> list[_Ask]:
    """Two questions gathering what the user said in several sessions: which items, how many, or what total
    (`avoid`: the pools of lists not to use)."""
    asks = []
    lists = iter(rng.sample([entry for entry in tpl.LISTS if entry[-1] not in avoid], 2))
    for kind in rng.sample(("which", "how many", "total"), 2):
        count = rng.randint(2, 3)
        if kind == "total":
            clause, question, pool = rng.choice(tpl.TOTALS)
            items = rng.sample(tpl.SLOTS[pool], count)
            amounts = [rng.randrange(15, 250) for _ in items]
            said = tuple(
                note(s, clause.format(amount=a, item=i))
                for s, a, i in zip(sessions_apart(count), amounts, items, strict=True)
            )
            asks.append(_Ask(1, question, f"${sum(amounts)}", said))
            continue
        clauses, which, how_many, pool = next(lists)
        items = rng.sample(tpl.SLOTS[pool], count)
        said = tuple(
            note(s, rng.choice(clauses).format(item=i))
            for s, i in zip(sessions_apart(count), items, strict=True)
        )
        if kind == "which":
            asks.append(_Ask(1, which, ", ".join(items), said))
        else:
            asks.append(_Ask(1, how_many, str(count), said))
    return asks


def _temporal(
    rng: random.Random,
    note: Callable[[int, str], _Note],
    sessions_apart: Callable[[int], list[int]],
    moments: list[datetime],
) -> list[_Ask]:
    """When one event happened, and, from two events said in different sessions, which came first and how
    many days passed between two (their dates resolved exactly; a pair on the same day is not asked)."""
    asks = []
    events = rng.sample(tpl.EVENTS, 4)
    dated = []
    for number, (session, (clause, question, event_name)) in enumerate(
        zip(sessions_apart(len(events)), events, strict=True)
    ):
        slots = _slots(rng, clause + question)
        when = rng.choice(_WHEN if number == 0 else _EXACT_WHEN)
        if when == "last weekday":
            when = f"last {rng.choice(WEEKDAYS)}"
        event = note(session, clause.format(when=when, **slots))
        said_on = moments[session].date()
        if number == 0:
            asks.append(_Ask(2, question.format(**slots), resolve_when(when, said_on), (event,), when))
        else:
            dated.append((_resolve_day(when, said_on), event_name, event))
    rng.shuffle(dated)
    (one_day, one, one_note), (other_day, other, other_note), (third_day, third, third_note) = dated
    if one_day != other_day:
        earlier = one if one_day < other_day else other
        asks.append(_Ask(2, f"Which happened first, {one} or {other}?", earlier, (one_note, other_note)))
    if one_day != third_day:
        days = abs((third_day - one_day).days)
        asks.append(
            _Ask(
                2, f"How many days passed between {one} and {third}?", f"{days} days", (one_note, third_note)
            )
        )
    return asks


def _resolve_day(when: str, said_on: date) -> date:
    """The day an exact relative phrase ("two days ago", "last Friday") said on `said_on` refers to."""
    if when in DAYS_AGO:
        return said_on - timedelta(days=DAYS_AGO[when])
    weekday = WEEKDAYS.index(when.removeprefix("last "))
    return said_on - timedelta(days=(said_on.weekday() - weekday) % 7 or 7)


def _worded(rng: random.Random, questions: tuple[str, str], literal: float) -> str:
    """The question in the fact's own words with probability `literal`, else the one partly in other words."""
    return questions[0] if rng.random() < literal else questions[1]


def _slots(rng: random.Random, text: str) -> dict[str, str]:
    """A value for every slot of `SLOTS` that `text` names; `Fact` is left to the caller."""
    return {name: rng.choice(pool) for name, pool in tpl.SLOTS.items() if "{" + name + "}" in text}


def _session_moments(rng: random.Random, count: int) -> list[datetime]:
    """Session times from a random start in 2023, hours to a few days apart, sometimes several a day."""
    moment = datetime(2023, 1, 1) + timedelta(days=rng.randint(0, 300), minutes=rng.randint(0, 1439))
    moments = [moment]
    for _ in range(count - 1):
        moment += timedelta(minutes=rng.randint(30, 4 * 24 * 60))
        moments.append(moment)
    return moments


def _sessions(
    rng: random.Random, moments: list[datetime], notes: list[_Note]
) -> tuple[tuple[Session, ...], list[tuple[int, str, str, str, int]]]:
    """Lay the sessions out; also returns, for the first answer of each session, (session, turn id, topic,
    the key of one listed suggestion, its position), for questions about what the assistant said."""
    laid_out = []
    said = []
    for index, moment in enumerate(moments):
        topic = rng.choice(tpl.TOPICS)
        mine = [n for n in notes if n.session == index]
        exchanges = max(len(mine), rng.randint(3, 6))
        carriers = sorted(rng.sample(range(exchanges), len(mine)))
        tips = rng.sample(topic.tips, len(topic.tips))
        turns: list[Turn] = []
        for exchange in range(exchanges):
            request = rng.choice(topic.requests) if exchange == 0 else rng.choice(tpl.FOLLOW_UPS)
            if rng.random() < 0.5:
                request = f"{request} {rng.choice(tpl.USER_CONTEXT)}"
            turn_id = f"D{index + 1}:{len(turns) + 1}"
            if exchange in carriers:
                carried = mine[carriers.index(exchange)]
                carried.turn_id = turn_id
                request = _with_fact(rng, request, carried.clause)
            turns.append(Turn(turn_id, "user", request))
            listed = [tips.pop() if tips else rng.choice(topic.tips) for _ in range(rng.randint(5, 7))]
            turns.append(
                Turn(f"D{index + 1}:{len(turns) + 1}", "assistant", _advice(rng, topic.name, listed))
            )
            if exchange == 0:
                position = rng.randrange(len(listed))
                said.append((index, turns[-1].turn_id, topic.name, listed[position][0], position))
        laid_out.append(Session(f"session_{index + 1}", _date_text(moment), tuple(turns)))
    return tuple(laid_out), said


def _with_fact(rng: random.Random, request: str, clause: str) -> str:
    passing = rng.choice(tpl.PASSING).format(fact=clause, Fact=clause[:1].upper() + clause[1:])
    return f"{passing} {request}" if rng.random() < 0.5 else f"{request} {passing}"


def _advice(rng: random.Random, topic: str, listed: list[tuple[str, str]]) -> str:
    """A long assistant answer: an opening, the numbered suggestions with detail, a closing."""
    lines = [f"{rng.choice(tpl.ANSWER_OPENINGS).format(topic=topic)} {rng.choice(tpl.ANSWER_CONTEXT)}", ""]
    bold = rng.random() < 0.5  # about half of real assistant answers use markdown emphasis
    for number, (key, sentence) in enumerate(listed, start=1):
        details = rng.choice(tpl.ANSWER_DETAILS)
        if rng.random() < 0.1:
            details = rng.choice(tpl.FIRST_PERSON_DETAILS)
        lines.append(f"{number}. {f'**{key}**' if bold else key}: {sentence} {details}")
        if rng.random() < 0.7:
            lines += rng.sample(tpl.SUB_POINTS, rng.randint(1, 2))
    lines += ["", rng.choice(tpl.ANSWER_CLOSINGS)]
    return "\n".join(lines)


def _date_text(moment: datetime) -> str:
    """LongMemEval's session date style: "2023/05/30 (Tue) 23:40"."""
    return moment.strftime("%Y/%m/%d (%a) %H:%M")
