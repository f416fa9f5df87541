"""The built-in conversation data: seeded multi-session dialogues whose questions are answerable by design.

Two people chat over weeks. Between greetings and some small talk they mention facts about themselves
(job, city, pets, relatives, hobby), dated events ("I ran a half marathon yesterday") and changes (a move, a
new job, another pet), and keep coming back to them (`*_MENTIONS`) without saying anything new. Every
question is built together with the turns that state its answer, so its gold `answer` and `evidence` are
right without any annotation; questions about things never said (or said by the other person) have the
answer `NOT_MENTIONED` and no evidence.

    dataset = generate_dataset(seed=0)          # 10 conversations, the project's default data
    dataset.name                                # "synthetic(seed=0,conversations=10)"

Callers may rely on: the same arguments give the same dataset (and `fingerprint()`) in any process; a
dataset with fewer conversations is a prefix of one with more (same seed and ranges); turn ids are LoCoMo's
`D{session}:{turn}`; knowledge-update evidence lists the turn stating the stale value first and the one
stating the current value last; a temporal answer is a day ("7 May 2023"), "the week before 8 May 2023",
a month ("April 2023") or a year ("2022"), derived from the evidence turn's phrase and its session's date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from evaluators.conversation import synthetic_templates as tpl
from evaluators.conversation.data import Conversation, ConversationDataset, Question, Session, Turn

DEFAULT_SEED = 0
DEFAULT_CONVERSATIONS = 10
DEFAULT_SESSIONS = (15, 25)
DEFAULT_TURNS_PER_SESSION = (15, 25)
NOT_MENTIONED = "Not mentioned in the conversation"
QUESTIONS_PER_CONVERSATION = (30, 50)
CATEGORY_MIX = {4: 0.35, 1: 0.15, 2: 0.20, 6: 0.10, 5: 0.20}
"""Target share of each category (LoCoMo-like); a conversation short of candidates tops up from the others."""
MAX_CATEGORY_SHARE = 0.45
WORK_MENTIONS = (5, 9)
PET_MENTIONS = (4, 7)
RELATIVE_MENTIONS = (2, 5)
HOBBY_MENTIONS = (8, 13)
EVENT_MENTIONS = (1, 3)
"""How often (min, max) a thread comes up again after it was said: friends keep returning to their work, pets,
family, hobby and big moments. Real conversations are mostly about the speakers' own lives, so a question's
words recur in turns that do not answer it (LoCoMo dev slice: a median of 3 such turns per question, see
`benchmarks/results/data_realism.md`); with one or two mentions per thread, as before, a question's words
were nearly unique to its evidence and word overlap alone found it. Mentions fill the room facts leave, so
they replace generic small talk rather than lengthen sessions."""
MONTHS = tuple(date(2000, month, 1).strftime("%B") for month in range(1, 13))
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYS_AGO = {"yesterday": 1, "two days ago": 2, "three days ago": 3}
_MIN_TURNS = 4  # a greeting and a goodbye, each answered
_FACT_TURNS = 3  # at most: a prompt by the listener, the statement, the listener's reaction


@dataclass(eq=False)
class _Fact:
    """A statement one speaker makes; `after` must have been said in an earlier session."""

    owner: str
    text: str
    mood: str = "neutral"
    early: bool = False  # background (job, home, pet ...) is introduced in the first half of the dialogue
    after: _Fact | None = None
    topic: str = "that"  # how the listener refers to it in a reaction ("the half marathon", "Biscuit")
    mention: bool = False  # a later mention of `after`: no new fact, never evidence, placed last
    caption: str = ""  # what a photo shared with it shows; empty for a generic one
    session: int = -1
    turn_id: str = ""


@dataclass(frozen=True)
class _Ask:
    """A question in the making; its evidence comes from `facts` once they are placed in sessions."""

    category: int
    question: str
    answer: str
    facts: tuple[_Fact, ...] = ()
    when: str = ""  # temporal: the relative phrase, resolved against the fact's session date


@dataclass
class _Person:
    """One speaker as the script sees them; `species` and `relations` feed the adversarial questions."""

    name: str
    other: str
    species: list[str] = field(default_factory=list)
    relations: list[str] = field(default_factory=list)


@dataclass
class _Script:
    """Everything said and asked in one conversation, before it is laid out into sessions."""

    rng: random.Random
    facts: list[_Fact] = field(default_factory=list)
    asks: list[_Ask] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    def fresh(self, pool: tuple[str, ...]) -> str:
        """A value from `pool` not used yet in this conversation, so names and places never collide."""
        value = self.rng.choice([v for v in pool if v not in self.used])
        self.used.add(value)
        return value

    def say(
        self,
        person: _Person,
        templates: tuple[str, ...],
        mood: str = "neutral",
        early: bool = False,
        after: _Fact | None = None,
        topic: str = "that",
        mention: bool = False,
        caption: str = "",
        **slots: str,
    ) -> _Fact:
        text = _capitalize(self.rng.choice(templates).format(**slots))
        fact = _Fact(person.name, text, mood, early, after, topic, mention, caption)
        self.facts.append(fact)
        return fact

    def mention(self, fact: _Fact, templates: tuple[str, ...], count: int, **slots: str) -> None:
        """`count` later mentions of `fact` by its owner, each in a later session, in the same words."""
        person = _Person(fact.owner, "")
        for template in self.rng.sample(templates, min(count, len(templates))):
            text = template.format(topic=fact.topic, **slots)
            self.say(person, (text,), after=fact, topic=fact.topic, mention=True, caption=fact.caption)

    def ask(
        self,
        category: int,
        templates: tuple[str, ...],
        answer: str,
        *facts: _Fact,
        when: str = "",
        **slots: str,
    ) -> None:
        self.asks.append(_Ask(category, self.rng.choice(templates).format(**slots), answer, facts, when))


def generate_dataset(
    seed: int = DEFAULT_SEED,
    conversations: int = DEFAULT_CONVERSATIONS,
    sessions: tuple[int, int] = DEFAULT_SESSIONS,
    turns_per_session: tuple[int, int] = DEFAULT_TURNS_PER_SESSION,
) -> ConversationDataset:
    """`conversations` dialogues of `sessions` (min, max) sessions of `turns_per_session` (min, max) turns.

    Each conversation gets about 30-50 questions. Very short dialogues have no room for every fact: the
    questions that would need an unsaid fact are left out, so tiny ranges yield fewer answerable questions.
    """
    if conversations < 1 or not 1 <= sessions[0] <= sessions[1]:
        raise ValueError("conversations must be at least 1, and sessions a (min, max) with 1 <= min <= max.")
    if not _MIN_TURNS <= turns_per_session[0] <= turns_per_session[1]:
        raise ValueError(f"turns_per_session must be a (min, max) range with {_MIN_TURNS} <= min <= max.")
    master = random.Random(seed)
    seeds = [master.getrandbits(64) for _ in range(conversations)]  # one stream each: prefixes stay stable
    dialogues = tuple(
        _conversation(random.Random(s), f"synth-{seed}-{i:03d}", sessions, turns_per_session)
        for i, s in enumerate(seeds)
    )
    name = f"synthetic(seed={seed},conversations={conversations}"
    if (sessions, turns_per_session) != (DEFAULT_SESSIONS, DEFAULT_TURNS_PER_SESSION):
        name += f",sessions={sessions[0]}-{sessions[1]},turns={turns_per_session[0]}-{turns_per_session[1]}"
    return ConversationDataset(name=name + ")", conversations=dialogues)


def _conversation(
    rng: random.Random, conversation_id: str, sessions: tuple[int, int], turns: tuple[int, int]
) -> Conversation:
    script = _Script(rng)
    speakers = (script.fresh(tpl.SPEAKER_NAMES), script.fresh(tpl.SPEAKER_NAMES))
    _write_script(script, speakers)
    days = _session_days(rng, rng.randint(*sessions))
    lengths = [rng.randint(*turns) for _ in days]
    _schedule(rng, script.facts, [(n - _MIN_TURNS) // _FACT_TURNS for n in lengths])
    laid_out = tuple(
        _session(rng, index, day, speakers, [f for f in script.facts if f.session == index], lengths[index])
        for index, day in enumerate(days)
    )
    asked_on = _date_text(rng, days[-1] + timedelta(days=1))
    chosen = _select(rng, [ask for ask in script.asks if _placed(ask)])
    questions = []
    for number, ask in enumerate(chosen, start=1):
        evidence = tuple(fact.turn_id for fact in ask.facts)
        answer = resolve_when(ask.when, days[ask.facts[0].session]) if ask.when else ask.answer
        questions.append(
            Question(
                f"{conversation_id}-q{number:03d}", ask.question, answer, evidence, ask.category, asked_on
            )
        )
    return Conversation(conversation_id, speakers, laid_out, tuple(questions))


# What the two people say, and what is asked about it.


def _write_script(script: _Script, speakers: tuple[str, str]) -> None:
    rng = script.rng
    events = rng.sample(tpl.EVENTS, rng.randint(8, 12))  # sampled once: no event happens to both people
    hobbies = [script.fresh(tpl.HOBBIES)]
    hobbies.append(hobbies[0] if rng.random() < 0.4 else script.fresh(tpl.HOBBIES))
    changes = rng.sample(
        [(who, kind) for who in (0, 1) for kind in ("job", "city", "pet")], rng.randint(3, 5)
    )
    people = [_Person(speakers[0], speakers[1]), _Person(speakers[1], speakers[0])]
    hobby_facts = []
    for who, person in enumerate(people):
        job_fact, job = _work(script, person, changed=(who, "job") in changes)
        _home(script, person, job_fact, job, moved=(who, "city") in changes)
        _pets(script, person, job_fact, job, adopts=(who, "pet") in changes)
        _family(script, person)
        hobby_facts.append(_hobby(script, person, hobbies[who], shared=hobbies[0] == hobbies[1]))
        for event in events[who::2]:
            _event(script, event, person)
    if hobbies[0] == hobbies[1]:
        script.ask(
            1, tpl.SHARED_HOBBY_QUESTIONS, hobbies[0], *hobby_facts, name=speakers[0], other=speakers[1]
        )
    for person, other in (people, people[::-1]):
        _traps(script, person, other)


def _work(script: _Script, person: _Person, changed: bool) -> tuple[_Fact, dict[str, str]]:
    """The job, maybe a later new one; returns the current job's statement and slots."""
    job = _pick_job(script)
    fact = script.say(person, tpl.JOB_STATEMENTS, early=True, topic=f"work at {job['workplace']}", **job)
    script.mention(fact, tpl.WORK_MENTIONS, script.rng.randint(*WORK_MENTIONS))
    if not changed:
        script.ask(4, tpl.JOB_QUESTIONS, job["title"], fact, name=person.name)
        script.ask(4, tpl.WORKPLACE_QUESTIONS, job["workplace"], fact, name=person.name)
        return fact, job
    new = _pick_job(script)
    change = script.say(
        person,
        tpl.JOB_CHANGE_STATEMENTS,
        "good",
        after=fact,
        topic=f"the new job at {new['workplace']}",
        **new,
    )
    script.ask(6, tpl.JOB_NOW_QUESTIONS, new["title"], fact, change, name=person.name)
    script.ask(6, tpl.WORKPLACE_NOW_QUESTIONS, new["workplace"], fact, change, name=person.name)
    if script.rng.random() < 0.5:
        script.ask(1, tpl.JOB_BEFORE_QUESTIONS, job["title"], fact, change, name=person.name, **new)
    else:
        script.ask(1, tpl.WORKPLACE_BEFORE_QUESTIONS, job["workplace"], fact, change, name=person.name, **new)
    return change, new


def _home(script: _Script, person: _Person, job_fact: _Fact, job: dict[str, str], moved: bool) -> None:
    city = script.fresh(tpl.CITIES)
    fact = script.say(person, tpl.CITY_STATEMENTS, early=True, topic=f"life in {city}", city=city)
    if not moved:
        script.ask(4, tpl.CITY_QUESTIONS, city, fact, name=person.name)
        script.ask(1, tpl.CITY_OF_WORKER_QUESTIONS, city, job_fact, fact, **job)
        return
    new = script.fresh(tpl.CITIES)
    move = script.say(person, tpl.MOVE_STATEMENTS, "good", after=fact, topic=f"the move to {new}", city=new)
    script.ask(6, tpl.CITY_NOW_QUESTIONS, new, fact, move, name=person.name)
    script.ask(1, tpl.CITY_BEFORE_QUESTIONS, city, fact, move, name=person.name, city=new)


def _pets(script: _Script, person: _Person, job_fact: _Fact, job: dict[str, str], adopts: bool) -> None:
    rng = script.rng
    if rng.random() < 0.15:  # some people have no pet: "what is X's dog called?" is then a trap
        return
    pet, species = script.fresh(tpl.PET_NAMES), rng.choice(tpl.SPECIES)
    caption = f"a photo of a {species} curled up on a blanket"
    fact = script.say(
        person, tpl.PET_STATEMENTS, early=True, topic=pet, caption=caption, pet=pet, species=species
    )
    person.species.append(species)
    script.mention(fact, tpl.PET_MENTIONS, rng.randint(*PET_MENTIONS), pet=pet, species=species)
    script.ask(4, tpl.PET_NAME_QUESTIONS, pet, fact, name=person.name, species=species)
    script.ask(4, tpl.PET_SPECIES_QUESTIONS, species, fact, name=person.name, pet=pet)
    script.ask(1, tpl.PET_OF_WORKER_QUESTIONS, pet, job_fact, fact, species=species, **job)
    if adopts:
        pet, species = script.fresh(tpl.PET_NAMES), rng.choice([s for s in tpl.SPECIES if s != species])
        adoption = script.say(
            person, tpl.ADOPTION_STATEMENTS, "good", after=fact, topic=pet, pet=pet, species=species
        )
        person.species.append(species)
        script.ask(6, tpl.PET_COUNT_QUESTIONS, "two", fact, adoption, name=person.name)
        script.ask(4, tpl.PET_NAME_QUESTIONS, pet, adoption, name=person.name, species=species)


def _family(script: _Script, person: _Person) -> None:
    """One or two relatives; often later where one lives, by name only, which makes a multi-hop question."""
    rng = script.rng
    for _ in range(rng.randint(1, 2)):
        female = rng.random() < 0.5
        relations = tpl.FEMALE_RELATIONS if female else tpl.MALE_RELATIONS
        relation = rng.choice([r for r in relations if r not in person.relations])
        relative = script.fresh(tpl.FEMALE_NAMES if female else tpl.MALE_NAMES)
        intro = script.say(
            person, tpl.RELATIVE_STATEMENTS, early=True, topic=relative, relation=relation, relative=relative
        )
        person.relations.append(relation)
        script.mention(
            intro,
            tpl.RELATIVE_MENTIONS,
            rng.randint(*RELATIVE_MENTIONS),
            relative=relative,
            relation=relation,
        )
        script.ask(4, tpl.RELATIVE_QUESTIONS, relative, intro, name=person.name, relation=relation)
        if rng.random() < 0.7:
            city = script.fresh(tpl.CITIES)
            moved = script.say(
                person,
                tpl.RELATIVE_CITY_STATEMENTS,
                after=intro,
                topic=f"{relative}'s new place in {city}",
                relative=relative,
                city=city,
            )
            script.ask(
                1, tpl.RELATIVE_CITY_QUESTIONS, city, intro, moved, name=person.name, relation=relation
            )


def _hobby(script: _Script, person: _Person, hobby: str, shared: bool) -> _Fact:
    """The hobby, the person's recurring theme: said once, mentioned again, and one or two events of it."""
    rng = script.rng
    place, thing = tpl.HOBBY_WORLD[hobby]
    world = {"hobby": hobby, "Hobby": _capitalize(hobby), "place": place, "thing": thing}
    caption = f"a photo of a {thing}"
    fact = script.say(person, tpl.HOBBY_STATEMENTS, "good", early=True, topic=hobby, caption=caption, **world)
    script.ask(4, tpl.HOBBY_QUESTIONS, hobby, fact, name=person.name)
    script.mention(fact, tpl.HOBBY_MENTIONS, rng.randint(*HOBBY_MENTIONS), **world)
    for event in rng.sample(tpl.HOBBY_EVENTS, rng.randint(1, 2)):
        relation = rng.choice(person.relations)
        _event(
            script, event, person, after=fact, caption=caption, trap=not shared, relation=relation, **world
        )
    return fact


def _event(
    script: _Script,
    event: tpl.EventTemplate,
    person: _Person,
    after: _Fact | None = None,
    caption: str = "",
    trap: bool = True,
    **slots: str,
) -> None:
    """A dated event: when it happened (temporal), its detail (single-hop), and the same asked of the other
    person, who never did it (adversarial); sometimes mentioned again later."""
    rng = script.rng
    when = rng.choice((*DAYS_AGO, "last week", "last month", "last year", "weekday"))
    if when == "weekday":
        when = f"last {rng.choice(WEEKDAYS)}"
    detail = script.fresh(tpl.DETAIL_POOLS[event.detail_pool]) if event.detail_pool else ""
    slots = {**slots, "detail": detail}
    topic = event.topic.format(**slots)
    fact = script.say(
        person,
        event.statements,
        event.mood,
        after=after,
        topic=topic,
        caption=caption,
        when=when,
        When=_capitalize(when),
        **slots,
    )
    script.mention(fact, tpl.EVENT_MENTIONS, rng.randint(*EVENT_MENTIONS))
    script.ask(2, event.questions, "", fact, when=when, name=person.name, **slots)
    if event.detail_questions:
        script.ask(4, event.detail_questions, detail, fact, name=person.name)
    if trap:  # not when both people share the hobby the event belongs to: they might both have done it
        script.ask(5, event.questions + event.detail_questions, NOT_MENTIONED, name=person.other, **slots)


def _traps(script: _Script, person: _Person, other: _Person) -> None:
    """Unanswerable questions about `person`: the other's relatives and pets first, then unrelated topics."""
    everyone = other.relations + list(tpl.FEMALE_RELATIONS + tpl.MALE_RELATIONS)
    relations = [r for r in everyone if r not in person.relations]
    for relation in (relations[0], script.rng.choice(relations[1:])):
        script.ask(5, tpl.RELATIVE_QUESTIONS, NOT_MENTIONED, name=person.name, relation=relation)
    species = [s for s in other.species + list(tpl.SPECIES) if s not in person.species]
    script.ask(5, tpl.PET_NAME_QUESTIONS, NOT_MENTIONED, name=person.name, species=species[0])
    for topic in script.rng.sample(tpl.NEVER_DISCUSSED_QUESTIONS, 3):
        script.ask(5, (topic,), NOT_MENTIONED, name=person.name)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pick_job(script: _Script) -> dict[str, str]:
    title = script.fresh(tuple(title for title, _ in tpl.JOBS))
    article = "an" if title[0] in "aeiou" else "a"
    return {"title": title, "a_title": f"{article} {title}", "workplace": dict(tpl.JOBS)[title]}


# Laying the script out into dated sessions of turns.


def _session_days(rng: random.Random, count: int) -> list[date]:
    """Session days from a random start in 2022-2023, a few days to three weeks apart."""
    days = [date(2022, 1, 1) + timedelta(days=rng.randint(0, 729))]
    for _ in range(count - 1):
        days.append(days[-1] + timedelta(days=rng.randint(2, 21)))
    return days


def _schedule(rng: random.Random, facts: list[_Fact], capacity: list[int]) -> None:
    """Give each fact a session with room left: background early, changes strictly after what they change.

    A fact that finds no room (very short dialogues) stays unplaced, and the questions needing it are dropped.
    """
    left = list(capacity)
    half = (len(left) + 1) // 2
    # Parents before dependents, and later mentions last: they only fill room the facts left.
    for fact in sorted(facts, key=lambda f: (f.mention, f.after is not None, not f.early)):
        if fact.after is not None and fact.after.session < 0:
            continue
        lo = fact.after.session + 1 if fact.after is not None else 0
        hi = half if fact.early else len(left)
        options = [s for s in range(lo, hi) if left[s]] or [s for s in range(lo, len(left)) if left[s]]
        if options:
            # Of two random sessions, the emptier: facts spread out instead of piling into a few sessions.
            fact.session = max(rng.choice(options), rng.choice(options), key=lambda s: left[s])
            left[fact.session] -= 1


def _session(
    rng: random.Random, index: int, day: date, speakers: tuple[str, str], facts: list[_Fact], length: int
) -> Session:
    """Exactly `length` alternating turns: greeting, the facts shuffled into small talk, goodbye."""
    lines: list[tuple[str, str, _Fact | None]] = []
    topics = rng.sample(tpl.SMALL_TALK, len(tpl.SMALL_TALK))  # no exchange, reaction or filler twice
    spoken: set[str] = set()

    def other(speaker: str) -> str:
        return speakers[1] if speaker == speakers[0] else speakers[0]

    def say(templates: tuple[str, ...], **slots: str) -> None:
        # {other} is whom the line addresses, {owner} the listener about to share news: the same person.
        speaker = other(lines[-1][0]) if lines else rng.choice(speakers)
        template = rng.choice([t for t in templates if t not in spoken] or templates)
        spoken.add(template)
        lines.append((speaker, template.format(other=other(speaker), owner=other(speaker), **slots), None))

    def small_talk() -> None:
        opener, response = topics.pop() if topics else rng.choice(tpl.SMALL_TALK)
        say((opener,), **{slot: rng.choice(pool) for slot, pool in tpl.SMALL_TALK_SLOTS.items()})
        extend(tpl.SMALL_TALK_TAILS, 0.8, photo=0.2)
        say((response,))
        extend(tpl.SUPPORT, 0.6)

    def extend(pool: tuple[str, ...], chance: float, photo: float = 0.0, caption: str = "") -> None:
        """Make the last line chattier: maybe one more sentence from `pool`, maybe a shared photo."""
        speaker, text, fact = lines[-1]
        if rng.random() < chance:
            sentence = rng.choice([s for s in pool if s not in spoken] or pool)
            spoken.add(sentence)
            text = f"{text} {sentence}"
        if rng.random() < photo:
            shown = caption or rng.choice(tpl.CAPTIONS)
            text = f"{text} {rng.choice(tpl.PHOTO_LEADS)} [shares a photo: {shown}]"
        lines[-1] = (speaker, text, fact)

    def share(fact: _Fact) -> None:
        """The fact's turn: its statement, often led in, elaborated, turned back to the listener."""
        text = fact.text
        if rng.random() < 0.4:
            text = f"{rng.choice(tpl.OPENERS).format(other=other(fact.owner))} {text}"
        for sentence in rng.sample(tpl.ELABORATIONS[fact.mood], rng.choice((0, 1, 1, 2))):
            text = f"{text} {sentence}"
        lines.append((fact.owner, text, fact))
        extend(tpl.FOLLOW_UPS, 0.3, photo=0.35, caption=fact.caption)
        reaction = "neutral" if fact.mention else fact.mood
        say(tpl.REACTIONS[reaction], topic=fact.topic, Topic=_capitalize(fact.topic))
        extend(tpl.SUPPORT, 0.7)

    say(tpl.GREETINGS)
    say(tpl.GREETING_REPLIES)
    beats: list[_Fact | None] = [*facts, *[None] * ((length - _MIN_TURNS - _FACT_TURNS * len(facts)) // 2)]
    rng.shuffle(beats)
    for fact in beats:
        if fact is None:
            small_talk()
            continue
        if lines[-1][0] == fact.owner:
            say(tpl.PROMPTS)
        share(fact)
    while len(lines) < length - 2:
        if len(lines) < length - 3:
            small_talk()
        else:
            say(tpl.FILLERS)
    say(tpl.CLOSINGS)
    say(tpl.CLOSING_REPLIES)
    turns = []
    for number, (speaker, text, fact) in enumerate(lines, start=1):
        turns.append(Turn(f"D{index + 1}:{number}", speaker, text))
        if fact is not None:
            fact.turn_id = turns[-1].turn_id
    return Session(f"session_{index + 1}", _date_text(rng, day), tuple(turns))


# Choosing the questions and dating their answers.


def _placed(ask: _Ask) -> bool:
    """Its facts were all said; a multi-hop question also needs them in different sessions."""
    sessions = [fact.session for fact in ask.facts]
    if any(s < 0 for s in sessions):
        return False
    return ask.category != 1 or len(set(sessions)) == len(sessions)


def _select(rng: random.Random, asks: list[_Ask]) -> list[_Ask]:
    """About 30-50 questions in `CATEGORY_MIX` proportions, each question text once, in shuffled order."""
    unique = list({ask.question: ask for ask in asks}.values())
    pools = {cat: [ask for ask in unique if ask.category == cat] for cat in CATEGORY_MIX}
    for pool in pools.values():
        rng.shuffle(pool)
    total = rng.randint(*QUESTIONS_PER_CONVERSATION)
    taken = {cat: min(len(pools[cat]), round(total * share)) for cat, share in CATEGORY_MIX.items()}
    for cat in (4, 5, 2, 1):  # top up a shortfall from the most plentiful categories, capped
        short = total - sum(taken.values())
        taken[cat] = min(len(pools[cat]), taken[cat] + max(0, short), int(total * MAX_CATEGORY_SHARE))
    chosen = [ask for cat in CATEGORY_MIX for ask in pools[cat][: taken[cat]]]
    rng.shuffle(chosen)
    return chosen


def resolve_when(when: str, day: date) -> str:
    """The date a relative phrase said on `day` refers to, as LoCoMo's gold answers write it."""
    if when in DAYS_AGO:
        return _day_text(day - timedelta(days=DAYS_AGO[when]))
    if when == "last week":
        return f"the week before {_day_text(day)}"
    if when == "last month":
        previous = day.replace(day=1) - timedelta(days=1)
        return f"{MONTHS[previous.month - 1]} {previous.year}"
    if when == "last year":
        return str(day.year - 1)
    weekday = WEEKDAYS.index(when.removeprefix("last "))  # the latest such weekday strictly before `day`
    return _day_text(day - timedelta(days=(day.weekday() - weekday) % 7 or 7))


def _day_text(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _date_text(rng: random.Random, day: date) -> str:
    """LoCoMo's session date style: "1:56 pm on 8 May, 2023"."""
    clock = f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(('am', 'pm'))}"
    return f"{clock} on {day.day} {MONTHS[day.month - 1]}, {day.year}"
