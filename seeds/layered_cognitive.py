"""Layered cognitive memory after ZenBrain: six layers, sleep consolidation, decay, routed reads.

Re-implements the layer architecture of ZenBrain (Bering, 2026, "ZenBrain: A Neuroscience-Inspired 7-Layer
Memory Architecture for Autonomous AI Systems"). Six layers: working memory (the last WORKING_ITEMS turns),
short-term memory (the current session), episodic memory (every turn as a dated episode), semantic memory
(facts consolidated from episodes), procedural memory (habits and how-to statements) and core memory
(identity: who the speakers are, what they do, where they live), always shown. After each session a sleep
cycle runs: the session leaves short-term memory; its salient episodes are replayed into semantic memory (a
fact with the same speaker and topic, its rarest word, replaces the older one: reconsolidation); routines go
to procedural and identity facts to core; then synaptic homeostasis decays every episode's strength (an
Ebbinghaus curve whose stability grows with recalls) and prunes weak episodes whose gist was consolidated. A
read is routed by the question's kind (when, how, who / what does, now, or general) to an ordered list of
layers, each with a share of the budget; recall reinforces the episodes returned.
With an LLM, the sleep cycle spends the write's one call on consolidation: the LLM lists the session's
lasting facts, routines and identity facts as JSON. Offline (no LLM), consolidation is by rule: first-person
statements with enough rare words, names and numbers become facts, habit cues ("usually", "every morning")
mark routines, and identity cues ("I work as", "I live in", "my name") mark core facts; all kept verbatim.
Simplifies: the seventh (cross-context) layer and ZenBrain's neuromodulation, Hebbian graph and Bayesian
confidence are left out; layers are searched by IDF-weighted word overlap.
"""

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date as calendar_date

COMMIT_MESSAGE = "Seed: ZenBrain layered memory with sleep consolidation, decay and routed reads."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Copy the question as asked, keeping every name, object and time expression."
INSTRUCTION_RESPONSE = (
    "Answer in a few words. Core and semantic memory hold lasting facts (the latest is current), episodic "
    "memory holds dated events: resolve relative dates against the date shown. If no layer says, answer that "
    "it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

WORKING_ITEMS = 7
CONSOLIDATION_SALIENCE = 5
RARE_SHARE = 0.02
STABILITY_DAYS = 60.0
PRUNE_STRENGTH = 0.05
COMMON_SHARE = 0.2  # words in more episodes than this share do not select candidates on their own
CORE_CHARS = 400
ROUTES = {  # question kind -> (layer, share of the budget), in order
    "when": (("episodic", 0.7), ("semantic", 0.2), ("short_term", 0.1)),
    "how": (("procedural", 0.3), ("episodic", 0.5), ("semantic", 0.2)),
    "identity": (("semantic", 0.5), ("episodic", 0.5)),
    "now": (("working", 0.15), ("semantic", 0.45), ("episodic", 0.4)),
    "general": (("semantic", 0.35), ("episodic", 0.55), ("short_term", 0.1)),
}
READ_CHAR_BUDGET = 3000

KINDS = (
    ("when", re.compile(r"^\s*(when|what (date|day|month|year))\b|\bhow long ago\b", re.I)),
    ("how", re.compile(r"\b(how (do|does|did|to)|usually|routine|habit|often)\b", re.I)),
    ("now", re.compile(r"\b(now|currently|current|latest|these days|still)\b", re.I)),
    ("identity", re.compile(r"\b(who is|name|job|profession|for a living|work|live|lives|from)\b", re.I)),
)
HABIT = re.compile(r"\b(usually|always|every (day|morning|night|week|weekend)|each morning|routine)\b", re.I)
IDENTITY = re.compile(
    r"\b(i work|working as|i'm an? \w+ (at|in)|i live|living in|my name|grew up|i'm from|home is|moved to)\b",
    re.I,
)
FIRST_PERSON = re.compile(r"\b(i|i'm|i've|my|we|we're|our)\b", re.I)
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their what which who whom when where why how
    that this so as if then there here can could would should will just also very really oh yeah yes
    no not too
    """.split()  # noqa: SIM905 - a word list reads best as text
)
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()  # noqa: SIM905
_WORD = re.compile(r"[a-z0-9]+")


def key_terms(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


def day_number(text: str, fallback: int) -> int:
    match = re.search(r"(\d{1,2})\s+([A-Za-z]{3})[a-z]*,?\s+(\d{4})", text)
    if match and match.group(2).lower() in MONTHS:
        month = MONTHS.index(match.group(2).lower()) + 1
        return calendar_date(int(match.group(3)), month, min(int(match.group(1)), 28)).toordinal()
    return fallback


@dataclass
class KnowledgeItem:
    """When the session took place; the turns come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The question."""

    text: str = field(metadata={"description": "The question, with its names and time expressions"})


@dataclass
class Memory:
    text: str
    day: int
    terms: set[str]
    recalls: int = 0
    last_access: int = 0
    consolidated: bool = False
    pruned: bool = False


class KnowledgeBase:
    """One list of Memory per layer; `document_frequency` over every episode ever stored weighs words."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.layers: dict[str, list[Memory]] = {
            name: [] for name in ("working", "short_term", "episodic", "semantic", "procedural", "core")
        }
        self.topics: dict[tuple[str, str], Memory] = {}
        self.postings: dict[str, list[Memory]] = defaultdict(list)  # episodic memories by word
        self.document_frequency: Counter = Counter()
        self.episodes_seen = 0
        self.now = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        self.now = day_number(date, self.now + 7)
        session = []
        for line in lines:
            terms = set(key_terms(line))
            self.document_frequency.update(terms)
            self.episodes_seen += 1
            session.append(
                Memory(f"[{date}] {line}" if date else line, self.now, terms, last_access=self.now)
            )
        self.layers["episodic"].extend(session)
        for memory in session:
            for term in memory.terms:
                self.postings[term].append(memory)
        self.layers["short_term"] = session
        self.layers["working"] = session[-WORKING_ITEMS:]
        self.sleep(session)

    def idf(self, term: str) -> float:
        return math.log(1 + self.episodes_seen / (1 + self.document_frequency[term]))

    def salience(self, said: str) -> int:
        """What makes an episode worth consolidating: its rare words (in at most RARE_SHARE of the episodes,
        or twice), names and numbers."""
        words = set(key_terms(said.partition(": ")[2] or said))
        rare_limit = max(2, RARE_SHARE * self.episodes_seen)
        rare = sum(1 for w in words if len(w) > 2 and self.document_frequency[w] <= rare_limit)
        return rare + len(re.findall(r"(?<!^)(?<![.!?] )\b[A-Z][a-z]+|\d+", said.partition(": ")[2]))

    def sleep(self, session: list[Memory]) -> None:
        """Consolidation (replay into semantic, procedural, core), then homeostasis (decay and pruning)."""
        plan = self.llm_consolidation(session)
        counts = Counter()
        for memory in session:
            body = memory.text.split("] ", 1)[-1]
            salience = self.salience(body)
            is_fact = FIRST_PERSON.search(body) and not body.rstrip().endswith("?")
            layer = None
            if plan is not None:
                layer = next((name for name, picked in plan.items() if memory.text in picked), None)
            elif HABIT.search(body):
                layer = "procedural"
            elif IDENTITY.search(body) and is_fact:
                layer = "core"
            elif is_fact and salience >= CONSOLIDATION_SALIENCE:
                layer = "semantic"
            if layer:
                self.consolidate(memory, layer)
                counts[layer] += 1
        for memory in self.layers["episodic"]:
            memory.pruned = memory.consolidated and self.strength(memory) < PRUNE_STRENGTH
        survivors = [m for m in self.layers["episodic"] if not m.pruned]
        pruned = len(self.layers["episodic"]) - len(survivors)
        self.layers["episodic"] = survivors
        moved = ", ".join(f"{n} into {layer}" for layer, n in counts.items()) or "nothing"
        self.toolkit.logger.debug(f"sleep: consolidated {moved}; pruned {pruned}")

    def consolidate(self, memory: Memory, layer: str) -> None:
        memory.consolidated = True
        gist = Memory(memory.text, memory.day, memory.terms, last_access=memory.day)
        if layer == "core":
            self.layers["core"].append(gist)
            layer = "semantic"  # identity facts are semantic facts too
        speaker = memory.text.split("] ", 1)[-1].partition(":")[0]
        topic = max(sorted(memory.terms), key=self.idf, default="")  # sorted: ties break alike in any process
        older = self.topics.get((speaker, topic))
        if older in self.layers[layer]:  # reconsolidation: the newer fact on a topic replaces the older
            self.layers[layer].remove(older)
        self.topics[(speaker, topic)] = gist
        self.layers[layer].append(gist)

    def strength(self, memory: Memory) -> float:
        return math.exp(-(self.now - memory.last_access) / (STABILITY_DAYS * (1 + memory.recalls)))

    def llm_consolidation(self, session: list[Memory]) -> dict[str, set[str]] | None:
        """Which turns are lasting facts, routines or identity facts, per the LLM; None offline."""
        numbered = "\n".join(f"{i}. {m.text}" for i, m in enumerate(session))
        try:
            reply = self.toolkit.llm(
                f"{numbered}\n\nWhich of these turns state lasting facts, routines or identity (job, home, "
                'family)? Reply with JSON {"semantic": [numbers], "procedural": [numbers], "core": '
                "[numbers]}.",
                max_tokens=300,
            )
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
            return None
        try:
            data = json.loads(reply[reply.index("{") : reply.rindex("}") + 1])
            return {
                layer: {session[int(n)].text for n in data.get(layer, []) if 0 <= int(n) < len(session)}
                for layer in ("core", "procedural", "semantic")
            }
        except (ValueError, TypeError):
            self.toolkit.logger.info("the LLM's consolidation was not JSON; consolidating by rule")
            return None

    def read(self, query: Query) -> str:
        kind = next((name for name, pattern in KINDS if pattern.search(query.text)), "general")
        terms = set(key_terms(query.text))
        rankings = {layer: self.rank(layer, terms) for layer in self.layers}
        core = self.take(rankings["core"] or self.layers["core"][::-1], CORE_CHARS, set())
        sections, shown = [("Core memory", core)] if core else [], {m.text for m in core}
        spare = READ_CHAR_BUDGET - sum(len(m.text) + 1 for m in core)
        route = [*ROUTES[kind], ("episodic", 0.0)]  # whatever the route leaves unused goes to episodes
        for position, (layer, share) in enumerate(route):
            budget = spare if position == len(route) - 1 else int(share * (READ_CHAR_BUDGET - CORE_CHARS))
            found = self.take(rankings[layer], budget, shown)
            spare -= sum(len(m.text) + 1 for m in found)
            shown |= {m.text for m in found}
            title = layer.replace("_", "-").capitalize() + " memory"
            if found and sections and sections[-1][0] == title:
                sections[-1][1].extend(found)
            elif found:
                sections.append((title, found))
        for memory in (m for _, found in sections for m in found):  # recall reinforces
            memory.recalls += 1
            memory.last_access = self.now
        self.toolkit.logger.debug(f"routed as {kind!r}: " + ", ".join(f"{t} {len(f)}" for t, f in sections))
        return "\n\n".join(f"{title}:\n" + "\n".join(m.text for m in found) for title, found in sections)

    def rank(self, layer: str, terms: set[str]) -> list[Memory]:
        """A layer's memories by IDF-weighted overlap with the question, weighed by strength, best first.

        Working and short-term memory are shown whole; in episodic memory, the large layer, only memories
        sharing a word that is not in most episodes are scored."""
        if layer in ("working", "short_term"):
            return list(self.layers[layer])
        if layer == "episodic":
            common = max(1, COMMON_SHARE * self.episodes_seen)
            found = [t for t in terms if self.postings.get(t)]
            rare = [t for t in found if len(self.postings[t]) <= common] or found
            pool = list({id(m): m for t in rare for m in self.postings.get(t, ()) if not m.pruned}.values())
        else:
            pool = self.layers[layer]
        scored = []
        for m in pool:
            weight = sum(self.idf(t) for t in sorted(terms & m.terms))  # sorted: the same sum in any process
            scored.append((weight * (0.5 + 0.5 * self.strength(m)), m))
        scored.sort(key=lambda s: (-s[0], -s[1].day, s[1].text))
        return [m for score, m in scored if score > 0]

    @staticmethod
    def take(ranking: list[Memory], budget: int, shown: set[str]) -> list[Memory]:
        chosen, used = [], 0
        for memory in ranking:
            if memory.text in shown:
                continue
            if used + len(memory.text) + 1 > budget:
                break
            chosen.append(memory)
            used += len(memory.text) + 1
        return chosen
