"""Fact memory with ADD / UPDATE / DELETE / NOOP management, after Mem0 and Memory-R1/R2.

Re-implements the memory pipeline of Mem0 (Chhikara et al., 2025) that Memory-R1 (Yan et al., 2025) and
Memory-R2 (2026) train with reinforcement learning: every write extracts facts from the session, retrieves
the most similar stored facts for each, and decides one operation per fact: ADD a new fact, UPDATE a stored
fact the new one supersedes, DELETE a stored fact the new one contradicts, or NOOP when it is already known.
Every change is recorded in a history table (sqlite, as Mem0 does). Reads are vector search over the current
facts; a fact that was updated is shown with the version it replaced, so "before" questions stay answerable.
With an LLM, one call per write does extraction and decisions together (Memory-R2's shared extractor and
manager): it sees the session and the stored facts nearest to it, and returns the operations as JSON.
Offline (no LLM), both steps are rules: a turn with an informative sentence (enough content words, not a
question) is a fact, kept whole; a near-duplicate of a stored fact is NOOP; a fact about a single-valued
slot (job, home, relationship) said with a change cue ("now", "moved", "new") UPDATEs the speaker's fact in
that slot; a negated fact ("no longer", "quit", "sold") DELETEs the nearest stored fact and is added itself.
Simplifies: no learned (RL) policy; no graph memory (Mem0g); facts keep the speaker's words instead of
third-person rewrites, so the offline path stays extractive.
"""

import json
import re
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: Mem0-style fact memory with ADD/UPDATE/DELETE/NOOP decisions and a change history."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Record the date of this conversation session, as written in its header."
INSTRUCTION_QUERY = "Restate the question as the fact being looked for, keeping names and objects."
INSTRUCTION_RESPONSE = (
    "Answer in a few words from the remembered facts; prefer the current fact over one marked as replaced "
    "unless the question asks about the past. Resolve relative dates against the date shown. If no fact "
    "says, answer that it is not mentioned."
)
ALWAYS_ON_KNOWLEDGE = ""

NEIGHBOURS = 5
NOOP_SIMILARITY = 0.92
DELETE_SIMILARITY = 0.45
MIN_CONTENT_WORDS = 3
READ_TOP_K = 25
LLM_CANDIDATES = 20
READ_CHAR_BUDGET = 3000

SINGLE_VALUED_SLOTS = {
    "job": re.compile(
        r"\b(work|working|job|career|employed|hired|profession|shift|promoted|boss)\b|\bas an? \w+ (at|for)\b"
        r"|\bi'?m (now )?an? \w+ (at|for)\b",
        re.I,
    ),
    "home": re.compile(
        r"\b(live|living|lives|moved|moving|relocated|apartment|rent|home is|new place)\b", re.I
    ),
    "relationship": re.compile(
        r"\b(married|engaged|dating|divorced|boyfriend|girlfriend|husband|wife)\b", re.I
    ),
}
CHANGE_CUES = re.compile(
    r"\b(now|new|moved|moving|relocated|switch|switched|quit|left|finally|anymore)\b", re.I
)
NEGATION_CUES = re.compile(
    r"\b(no longer|not anymore|don't .* anymore|quit|gave up|sold|stopped|broke up)\b", re.I
)
STOP_WORDS = frozenset(
    """
    a an the and or but of to in on at for with from by about is are was were be been am do does did
    i you he she it we they me my your his her its our their that this so as if then there here can
    could would just also very really oh yeah yes no not too what how that's it's i'm you're
    """.split()  # noqa: SIM905 - a word list reads best as text
)
_WORD = re.compile(r"[a-z0-9']+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def informative(sentence: str) -> bool:
    content = [w for w in _WORD.findall(sentence.lower()) if w not in STOP_WORDS]
    return len(content) >= MIN_CONTENT_WORDS and not sentence.rstrip().endswith("?")


@dataclass
class KnowledgeItem:
    """When the session took place; the facts come from the raw text."""

    session_date: str = field(default="", metadata={"description": "Date of the session, as in its header"})


@dataclass
class Query:
    """The fact being looked for."""

    text: str = field(metadata={"description": "The fact the question asks about, with its names"})


class KnowledgeBase:
    """Current facts in a vector collection; every ADD / UPDATE / DELETE in the `history` table."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.facts = toolkit.chroma.get_or_create_collection("facts", metadata={"hnsw:space": "cosine"})
        self.db = toolkit.db
        self.db.execute(
            "CREATE TABLE history (fact_id TEXT, event TEXT, old_text TEXT, new_text TEXT, date TEXT)"
        )
        self.next_id = 0

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        lines = [line for line in raw_text.splitlines() if line.strip()]
        date = item.session_date
        if lines and lines[0].startswith("["):
            date = date or lines[0].strip("[]").split("|")[-1].strip()
            lines = lines[1:]
        candidates = self.extract(lines)
        operations = self.llm_operations(lines, candidates)
        if operations is None:
            operations = [op for fact in candidates for op in self.decide(fact)]
        for operation in operations:
            self.apply(operation, date)
        events = [op["event"] for op in operations]
        self.toolkit.logger.debug(
            f"{date}: {len(candidates)} facts; "
            + ", ".join(f"{e} {events.count(e)}" for e in sorted(set(events)))
        )

    def extract(self, lines: list[str]) -> list[str]:
        """Rule-based fact splitting: each turn that states something, kept whole with its speaker."""
        facts = []
        for line in lines:
            text = line.partition(": ")[2]
            if any(informative(sentence) for sentence in _SENTENCE.split(text or line)):
                facts.append(line)
        return facts

    def decide(self, fact: str) -> list[dict]:
        """The offline memory manager: one operation (two for a negation) against the nearest facts."""
        nearest = self.nearest(fact)
        if nearest and nearest[0][2] >= NOOP_SIMILARITY:
            return [{"event": "NOOP", "id": nearest[0][0], "text": fact}]
        speaker = fact.partition(": ")[0]
        for slot, pattern in SINGLE_VALUED_SLOTS.items():
            if pattern.search(fact) and CHANGE_CUES.search(fact):
                where = {"$and": [{"speaker": speaker}, {"slot": slot}]}
                held = self.facts.query(query_texts=[fact], n_results=1, where=where)["ids"][0]
                if held:
                    return [{"event": "UPDATE", "id": held[0], "text": fact}]
        if NEGATION_CUES.search(fact) and nearest and nearest[0][2] >= DELETE_SIMILARITY:
            return [{"event": "DELETE", "id": nearest[0][0]}, {"event": "ADD", "text": fact}]
        return [{"event": "ADD", "text": fact}]

    def nearest(self, text: str) -> list[tuple[str, str, float]]:
        if self.facts.count() == 0:
            return []
        found = self.facts.query(query_texts=[text], n_results=NEIGHBOURS)
        rows = zip(found["ids"][0], found["documents"][0], found["distances"][0], strict=True)
        return [(fact_id, text, 1.0 - distance) for fact_id, text, distance in rows]

    def llm_operations(self, lines: list[str], candidates: list[str]) -> list[dict] | None:
        """Extraction and decisions in one LLM call; None without an LLM or when its reply is unusable."""
        stored: dict[str, str] = {}
        for fact in candidates:
            for fact_id, text, _ in self.nearest(fact)[:3]:
                if len(stored) < LLM_CANDIDATES:
                    stored.setdefault(fact_id, text)
        prompt = (
            "Conversation session:\n"
            + "\n".join(lines)
            + "\n\nStored facts:\n"
            + "\n".join(f"{i}: {t}" for i, t in stored.items())
            + '\n\nExtract the facts of this session worth remembering, each as "Speaker: fact". For each, '
            "decide ADD (new), UPDATE (replaces a stored fact; give its id), DELETE (contradicts a stored "
            'fact; give its id) or NOOP (already stored). Reply with JSON: {"memory": [{"event": ..., '
            '"id": ..., "text": ...}]}'
        )
        try:
            reply = self.toolkit.llm(prompt, system="You manage a memory of facts.", max_tokens=1000)
        except Exception as error:
            if getattr(error, "reason", "") != "llm_unavailable":
                raise
            return None
        try:
            operations = json.loads(reply[reply.index("{") : reply.rindex("}") + 1])["memory"]
        except (ValueError, KeyError, TypeError):
            self.toolkit.logger.info("the LLM's memory operations were not JSON; falling back to rules")
            return None
        valid = {"ADD", "UPDATE", "DELETE", "NOOP"}
        return [op for op in operations if isinstance(op, dict) and op.get("event") in valid]

    def apply(self, operation: dict, date: str) -> None:
        event, fact_id, text = (
            operation["event"],
            str(operation.get("id", "")),
            str(operation.get("text", "")),
        )
        known = bool(fact_id) and bool(self.facts.get(ids=[fact_id])["ids"])
        if event == "ADD" or (event == "UPDATE" and not known):
            if not text:
                return
            fact_id, old, event = f"f{self.next_id}", None, "ADD"
            self.next_id += 1
            self.facts.add(ids=[fact_id], documents=[text], metadatas=[self.metadata(text, date)])
        elif event == "UPDATE" and text:
            old = self.facts.get(ids=[fact_id])["documents"][0]
            self.facts.update(ids=[fact_id], documents=[text], metadatas=[self.metadata(text, date)])
        elif event == "DELETE" and known:
            old, text = self.facts.get(ids=[fact_id])["documents"][0], None
            self.facts.delete(ids=[fact_id])
        else:
            return
        self.db.execute("INSERT INTO history VALUES (?, ?, ?, ?, ?)", (fact_id, event, old, text, date))

    def metadata(self, text: str, date: str) -> dict:
        slot = next((name for name, pattern in SINGLE_VALUED_SLOTS.items() if pattern.search(text)), "")
        return {"speaker": text.partition(": ")[0], "slot": slot, "date": date}

    def history(self, fact_id: str) -> list[tuple]:
        """(event, old_text, new_text, date) of one fact, oldest first."""
        rows = self.db.execute(
            "SELECT event, old_text, new_text, date FROM history WHERE fact_id = ?", (fact_id,)
        )
        return rows.fetchall()

    def read(self, query: Query) -> str:
        if self.facts.count() == 0:
            return ""
        found = self.facts.query(query_texts=[query.text], n_results=READ_TOP_K)
        lines, used = [], 0
        facts = zip(found["ids"][0], found["documents"][0], found["metadatas"][0], strict=True)
        for fact_id, text, meta in facts:
            entry = [f"[{meta['date']}] {text}"]
            replaced = [row for row in self.history(fact_id) if row[0] == "UPDATE"]
            entry += [f"[{self.added_on(fact_id, r)}] (replaced on {r[3]}) {r[1]}" for r in replaced]
            size = sum(len(line) + 1 for line in entry)
            if used + size > READ_CHAR_BUDGET:
                break
            lines.extend(entry)
            used += size
        return "\n".join(lines)

    def added_on(self, fact_id: str, update: tuple) -> str:
        """The date the text an update replaced was written."""
        rows = self.history(fact_id)
        dates = [row[3] for row in rows if row[2] == update[1]]
        return dates[-1] if dates else update[3]
