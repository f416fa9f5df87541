"""Procedural memory distilled from experience, after ExpeL and Agent Workflow Memory (AWM).

Re-implements the memory of ExpeL (Zhao et al., 2024, "ExpeL: LLM Agents Are Experiential Learners")
with the workflows of AWM (Wang et al., 2024, "Agent Workflow Memory"). Every write is an experience: a
task, the steps taken and the outcome ("Task: ...", "> action" lines, "Outcome: success ..."); any other
text is kept as an experience with an unknown outcome, its first line as the task and its lines as steps.
Three things are kept. The experience pool: every trajectory, retrieved by task similarity (successes
first, as ExpeL's few-shot examples) and by its most relevant steps. Insights: ExpeL's maintained rule
list; each new outcome is compared with the most similar past task that ended the other way, and rules
are added, agreed with (count + 1) or downvoted (count - 1, removed at 0). Workflows: AWM's reusable
routines; a success's essential steps (exploration dropped: moves to places where nothing was done),
with the task's own words turned into {variables}; identical routines of different tasks merge and
count up. A read returns the insights and workflows relevant to the task, then the most similar
past experiences.

With an LLM (one call per write), the comparison is made by the model, which answers with ExpeL's
operations (ADD, EDIT, AGREE, REMOVE). Offline, the comparison is rule-based: actions only the success
took become "do" rules, actions only the failure took become "avoid" rules, and a success that takes an
action a rule says to avoid downvotes it. Simplified: no separate gathering and extraction stages (rules
are updated as experiences arrive); no thoughts or observations are parsed beyond action lines.
"""

import itertools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

COMMIT_MESSAGE = "Seed: ExpeL insights with ADD/AGREE/REMOVE votes, AWM workflows, task-similarity retrieval."
REQUIRES = ("llm",)

INSTRUCTION_KNOWLEDGE_ITEM = "Say whether the attempt ended in success or failure; leave empty if unknown."
INSTRUCTION_QUERY = "State the task to be done (or the question to answer) in one sentence."
INSTRUCTION_RESPONSE = (
    "Follow the insights and workflows that fit the task and imitate the successful past experiences; "
    "avoid what failed. For a question, answer in a few words from the experiences, or say it is not known."
)
ALWAYS_ON_KNOWLEDGE = ""

PAIR_SIMILARITY = 0.5
"""Least task similarity for a past experience to be compared with a new one."""
INSIGHTS_SHOWN = 8
WORKFLOWS_SHOWN = 2
EXPERIENCES_SHOWN = 6
STEPS_PER_EXPERIENCE = 12
SUCCESS_BONUS = 0.3
READ_CHAR_BUDGET = 3000
TASK = re.compile(r"^\s*(?:task|goal|instruction)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
OUTCOME = re.compile(r"^\s*(?:outcome|result|status)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
ACTION = re.compile(r"^\s*(?:>|action\s*:|act\s*:)\s*(.+)$", re.IGNORECASE)
FAILED = re.compile(r"\b(fail\w*|unsuccessful|not (?:solved|completed|achieved)|gave up|timed? ?out)\b", re.I)
NAVIGATION = re.compile(r"^(?:go to|open|close|look|examine|inventory)\b\s*", re.IGNORECASE)
SUCCEEDED = re.compile(r"\b(success\w*|succeeded|solved|completed|achieved|done)\b", re.IGNORECASE)

_WORD = re.compile(r"[a-z0-9]+")
_STOP_WORDS = "a an and are at be but by do for i in is it me my of on or so the to was we with you"
_STOP = frozenset(_STOP_WORDS.split())


def _words(text):
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


def _similarity(a, b):
    a, b = set(_words(a)), set(_words(b))
    return len(a & b) / math.sqrt(len(a) * len(b)) if a and b else 0.0


def _abstract(action, task, places=False):
    """AWM's abstraction: the task's own words become positional variables and their instance numbers go
    ("take apple 1 from countertop 1" for "put a hot apple in the fridge" -> "take {2} from countertop"),
    so that routines of tasks of the same form compare equal. With `places`, the other numbers stay
    ("... from countertop 1"): the environment's fixed places, which a workflow may keep."""
    position = {w: n for n, w in reversed(list(enumerate(_words(task)))) if n > 0}  # the verb stays
    kept = []
    for number, token in enumerate(action.split()):
        if number and token.lower() in position:  # the action's own verb stays too
            kept.append(f"{{{position[token.lower()]}}}")
        elif not token.isdigit() or (places and kept and not kept[-1].startswith("{")):
            kept.append(token)
    return " ".join(kept)


def _essential(steps):
    """The steps that did something, with the moves that led to them: a move or an opening whose place
    no action uses before the next move was exploration, and a routine leaves it out."""
    kept = []
    for number, step in enumerate(steps):
        if NAVIGATION.match(step):
            place = NAVIGATION.sub("", step).strip()
            following = itertools.takewhile(lambda s: not s.startswith("go to"), steps[number + 1 :])
            if not any(place in s and not NAVIGATION.match(s) for s in following):
                continue
        kept.append(step)
    return kept


def _render(routine, task):
    """An abstract step with its variables named after the words of an example task: "take {apple} ..."."""
    words = _words(task)

    def name(match):
        position = int(match.group(1))
        return "{" + words[position] + "}" if position < len(words) else match.group(0)

    return re.sub(r"\{(\d+)\}", name, routine)


@dataclass
class KnowledgeItem:
    """How the attempt ended."""

    outcome: str = field(default="", metadata={"description": "'success' or 'failure'; empty if unknown"})


@dataclass
class Query:
    """The task at hand."""

    task: str = field(metadata={"description": "The task to do or the question to answer"})


@dataclass
class Experience:
    task: str
    outcome: str  # success, failure or unknown
    steps: list[str]
    lines: list[str]


class KnowledgeBase:
    """The experience pool; insights [text, count, the task whose words name its variables]; workflows
    {abstract routine: [example task, count]}."""

    def __init__(self, toolkit):
        self.toolkit = toolkit
        self.pool: list[Experience] = []
        self.insights: list[list] = []
        self.workflows: dict[tuple[str, ...], list] = {}
        self.lines: list[tuple[int, str]] = []  # (experience, line): the step-level index
        self.spans: list[range] = []  # experience -> its lines
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)

    def write(self, item: KnowledgeItem, raw_text: str) -> None:
        body = [line.strip() for line in raw_text.splitlines() if line.strip()]
        if not body:
            return
        task_match, outcome_match = TASK.search(raw_text), OUTCOME.search(raw_text)
        if task_match:
            task, lines = task_match.group(1).strip(), [line for line in body if not TASK.match(line)]
        else:  # any other text: its first line names it (a conversation's session header)
            task, lines = body[0], body[1:]
        said = (outcome_match.group(1) if outcome_match else "") or item.outcome
        outcome = "failure" if FAILED.search(said) else "success" if SUCCEEDED.search(said) else "unknown"
        actions = [m.group(1).strip() for m in map(ACTION.match, lines) if m]
        experience = Experience(task, outcome, actions or [x for x in lines if not OUTCOME.match(x)], lines)
        number = len(self.pool)
        self.pool.append(experience)
        self.spans.append(range(len(self.lines), len(self.lines) + len(lines)))
        for line in lines:
            for term, count in Counter(_words(line)).items():
                self.postings[term][len(self.lines)] = count
            self.lines.append((number, line))
        if outcome != "unknown":
            self._learn(experience)
        self.toolkit.logger.debug(
            f"experience {number}: {outcome}, {len(experience.steps)} steps; {len(self.insights)} insights, "
            f"{len(self.workflows)} workflows"
        )

    def _learn(self, new):
        if new.outcome == "success" and new.steps:
            routine = tuple(_abstract(step, new.task, places=True) for step in _essential(new.steps))
            self.workflows.setdefault(routine, [new.task, 0])[1] += 1
        others = [e for e in self.pool[:-1] if e.outcome not in ("unknown", new.outcome)]
        pair = max(others, key=lambda e: _similarity(e.task, new.task), default=None)
        if pair is not None and _similarity(pair.task, new.task) < PAIR_SIMILARITY:
            pair = None
        try:
            if self._critique_with_llm(new, pair):
                return
        except Exception as error:
            if getattr(error, "reason", None) != "llm_unavailable":
                raise
        success, failure = (new, pair) if new.outcome == "success" else (pair, new)
        if pair is not None:
            did = {_abstract(s, success.task) for s in _essential(success.steps)}
            failed = {_abstract(s, failure.task) for s in _essential(failure.steps)}
            for step in sorted(did - failed):
                step = _render(step, success.task)
                self._vote(
                    f"For tasks like '{success.task}', do '{step}': successes did, failures did not.",
                    new.task,
                )
            for step in sorted(failed - did):
                step = _render(step, failure.task)
                self._vote(
                    f"For tasks like '{failure.task}', avoid '{step}': failures did, successes did not.",
                    new.task,
                )
        if new.outcome == "success":  # a success that did what a rule says to avoid weakens that rule
            for rule in self.insights:
                avoided = re.search(r"avoid '(.+?)'", rule[0])
                if not avoided or _similarity(rule[2], new.task) < PAIR_SIMILARITY:
                    continue
                if avoided.group(1) in {_render(_abstract(step, new.task), rule[2]) for step in new.steps}:
                    rule[1] -= 1
        self.insights = [rule for rule in self.insights if rule[1] > 0]

    def _vote(self, text, task):
        for rule in self.insights:
            if rule[0] == text:
                rule[1] += 1  # AGREE
                return
        self.insights.append([text, 2, task])  # ADD: new rules start at 2, as in ExpeL

    def _critique_with_llm(self, new, pair):
        rules = "\n".join(f"{n}. {rule[0]}" for n, rule in enumerate(self.insights, 1))
        shown = [new] + ([pair] if pair else [])
        trials = "\n\n".join(
            f"Task: {e.task}\nOutcome: {e.outcome}\n" + "\n".join(e.steps or e.lines) for e in shown
        )
        answer = self.toolkit.llm(
            f"Current rules:\n{rules or '(none)'}\n\nTrials:\n{trials}\n\nCompare the trials and update the "
            "rules with lines 'ADD: <rule>', 'EDIT <n>: <rule>', 'AGREE <n>' or 'REMOVE <n>'.",
            system="You distill reusable insights for an agent from its successes and failures.",
        )
        applied = 0
        for line in answer.splitlines():
            match = re.match(r"\s*(ADD|EDIT|AGREE|REMOVE)\s*(\d*)\s*:?\s*(.*)", line, re.IGNORECASE)
            if not match:
                continue
            operation, index, text = match.group(1).upper(), match.group(2), match.group(3).strip()
            rule = self.insights[int(index) - 1] if index and 0 < int(index) <= len(self.insights) else None
            if operation == "ADD" and text:
                self.insights.append([text, 2, new.task])
            elif rule and operation == "EDIT" and text:
                rule[0], rule[1] = text, rule[1] + 1
            elif rule and operation in ("AGREE", "REMOVE"):
                rule[1] += 1 if operation == "AGREE" else -1
            applied += 1
        self.insights = [rule for rule in self.insights if rule[1] > 0]
        return applied > 0

    def read(self, query: Query) -> str:
        if not self.pool:
            return ""
        task = query.task
        insights = sorted(self.insights, key=lambda r: -(_similarity(r[2], task) + 0.1) * r[1])
        insights = [f"- {r[0]} (x{r[1]})" for r in insights[:INSIGHTS_SHOWN] if _similarity(r[2], task) > 0]
        flows = sorted(self.workflows.items(), key=lambda kv: -_similarity(kv[1][0], task) * kv[1][1])
        flows = [
            f"- e.g. '{example}' (x{count}): " + "; ".join(_render(step, example) for step in routine)
            for routine, (example, count) in flows[:WORKFLOWS_SHOWN]
            if _similarity(example, task)
        ]
        step_scores = self._step_scores(task)
        best = defaultdict(float)
        for line, score in step_scores.items():
            best[self.lines[line][0]] = max(best[self.lines[line][0]], score)
        top = max(best.values(), default=1.0) or 1.0

        def rank(n):
            bonus = SUCCESS_BONUS if self.pool[n].outcome == "success" else 0.0
            return _similarity(self.pool[n].task, task) + best[n] / top + bonus

        chosen = sorted(range(len(self.pool)), key=lambda n: (-rank(n), -n))[:EXPERIENCES_SHOWN]
        parts = []
        if insights:
            parts.append("Insights:\n" + "\n".join(insights))
        if flows:
            parts.append("Workflows:\n" + "\n".join(flows))
        used = sum(len(p) + 2 for p in parts)
        for n in chosen:
            experience = self.pool[n]
            same_task = _similarity(experience.task, task) >= PAIR_SIMILARITY  # then the whole trajectory
            relevant = [i for i in self.spans[n] if same_task or step_scores.get(i)]
            relevant = sorted(relevant, key=lambda i: -step_scores.get(i, 0.0))[:STEPS_PER_EXPERIENCE]
            steps = [self.lines[i][1] for i in sorted(relevant)]
            text = f"Experience: {experience.task} ({experience.outcome})\n" + "\n".join(steps)
            if used + len(text) + 2 > READ_CHAR_BUDGET:
                text = text[: max(0, READ_CHAR_BUDGET - used - 2)].rsplit("\n", 1)[0]
            if steps and text:
                parts.append(text)
                used += len(text) + 2
        return "\n\n".join(parts)

    def _step_scores(self, text):
        n = len(self.lines)
        scores = defaultdict(float)
        for term in set(_words(text)):
            docs = self.postings.get(term, {})
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for line, tf in docs.items():
                scores[line] += idf * tf / (tf + 1.2)
        return scores
