"""The offline planning agent: plays a task by rules, explores what it does not know, asks memory first.

It knows the verbs of the world but not the room: not where anything lies, nor which receptacle
heats, cools or cleans (it finds out by standing at one while holding the object and seeing whether the
command becomes admissible; what one receptacle of a kind cannot do, it takes no other of that kind to
do). Its plan for every task is the same few subgoals (find and take the object; treat it or light it;
put it in a receptacle of the target kind; again for a second object), and for each it tries places in
this order:

1. places it has seen the thing during this task;
2. places memory names for it (`hints.Hints`, in the order `read()` gives them);
3. every other receptacle, in the order the room lists them, opening closed ones; surfaces come
   before the kinds it has found to need opening.

So memory saves exactly the exploration it replaces, and a memory that names wrong places costs steps.
It only ever issues admissible commands (or `look` when it has nothing left to try), and it is
deterministic: the same task, observations and memory give the same commands.
"""

from __future__ import annotations

import re
from typing import Any

from evaluators.planning.data import Observation
from evaluators.planning.goals import LOOK_IN_LIGHT, PICK_TWO, Goal, parse_goal
from evaluators.planning.hints import Hints, contents_seen, trajectory_facts
from evaluators.schema_filling import DATE_FIELD, json_kind
from evaluators.schema_filling import fill_schema as fill_by_type
from sandbox.contract import ProgramDescription

_GO_TO = re.compile(r"^go to (.+)$")
_OUTCOME_FIELD = re.compile(r"outcome|success|result|status", re.I)
_TASK_FIELD = re.compile(r"task|goal|instruction|objective", re.I)
_STEP_FIELD = re.compile(r"step|length|count|cost", re.I)


class OfflinePlanningAgent:
    """Deterministic rules, no LLM; see the module docstring."""

    name = "offline"
    llm_calls = 0

    def fill_query(self, program: ProgramDescription, goal_text: str, task_number: int) -> dict[str, Any]:
        return fill_schema(
            program.query_schema, query_text(goal_text), query_keywords(goal_text), task_number
        )

    def fill_item(self, program: ProgramDescription, raw_text: str, task_number: int) -> dict[str, Any]:
        facts = trajectory_facts(raw_text)
        summary = "\n".join(
            [
                f"Task: {facts.task}",
                f"Outcome: {'success' if facts.success else 'failure'} in {facts.steps} steps.",
                *(f"Did: {p}" for p in facts.procedures),
                *facts.contents_lines(),
            ]
        )
        lists = [*facts.procedures, *facts.seen]
        item = fill_schema(program.knowledge_item_schema, summary, lists, task_number)
        for name, prop in program.knowledge_item_schema.get("properties", {}).items():
            kind = json_kind(prop)
            if kind == "string" and _OUTCOME_FIELD.search(name):
                item[name] = "success" if facts.success else "failure"
            elif kind == "string" and _TASK_FIELD.search(name) and not DATE_FIELD.search(name):
                item[name] = facts.task
            elif kind in ("integer", "number") and _STEP_FIELD.search(name):
                item[name] = facts.steps
            elif kind == "boolean" and _OUTCOME_FIELD.search(name):
                item[name] = facts.success
        return item

    def start(self, program: ProgramDescription, first: Observation, memory: str) -> RulePolicy:
        return RulePolicy(first, memory)


def query_text(goal_text: str) -> str:
    """The task and what it needs found: the object, the appliance for its treatment, the lamp."""
    goal = parse_goal(goal_text)
    if goal is None:
        return goal_text
    needs = [f"Where is the {goal.obj}?"]
    if goal.verb:
        needs.append(f"What can {goal.verb} the {goal.obj}?")
    if goal.kind == LOOK_IN_LIGHT:
        needs.append(f"Where is the {goal.target}?")
    return f"{goal.text} {' '.join(needs)}"


def query_keywords(goal_text: str) -> list[str]:
    goal = parse_goal(goal_text)
    if goal is None:
        return goal_text.split()
    return [word for word in (goal.obj, goal.verb, goal.target) if word]


def fill_schema(schema: dict[str, Any], text: str, items: list[str], task_number: int) -> dict[str, Any]:
    """Fill every property: strings get `text` (a date-like one, "task N"), lists get `items`."""
    return fill_by_type(schema, text, f"task {task_number + 1}", items)


class RulePolicy:
    """One task's play: call `act` with each observation, issue what it returns."""

    def __init__(self, first: Observation, memory: str) -> None:
        self.goal: Goal | None = parse_goal(first.text)
        self.receptacles = [m.group(1) for c in first.admissible if (m := _GO_TO.match(c))]
        self.hints = Hints.read(memory, self.receptacles)
        self.location: str | None = None
        self.held: str | None = None
        self.contents: dict[str, list[str]] = {}
        self.visited: set[str] = set()
        self.container_kinds: set[str] = set()
        self.untreating_kinds: set[str] = set()
        self.treated = False
        self.placed: list[str] = []
        self.placed_at: str | None = None
        self.last = ""

    def act(self, observation: Observation) -> str:
        self._perceive(observation)
        command = self._decide(observation.admissible) if self.goal else None
        self.last = command or ("look" if "look" in observation.admissible else "inventory")
        return self.last

    def _perceive(self, observation: Observation) -> None:
        text, last = observation.text, self.last
        if text.strip().lower().startswith("nothing happens"):
            return
        if last.startswith("go to "):
            self.location = last[len("go to ") :]
            self.visited.add(self.location)
            if f"open {self.location}" in observation.admissible:
                self.container_kinds.add(_kind(self.location))
        elif last.startswith("take "):
            self.held = last[len("take ") :].split(" from ")[0]
            self.treated = False
            for objects in self.contents.values():
                if self.held in objects:
                    objects.remove(self.held)
        elif last.startswith(("put ", "move ")) and self.held:
            self.placed.append(self.held)
            self.placed_at, self.held = self.location, None
        elif self.goal and self.goal.verb and last.startswith(self.goal.verb + " "):
            self.treated = True
        shown = contents_seen(text)
        if shown and self.location and shown[0] == self.location:
            self.contents[self.location] = shown[1]

    def _decide(self, admissible: tuple[str, ...]) -> str | None:
        goal = self.goal
        assert goal is not None
        if self.held is None or _kind(self.held) != goal.obj:
            return self._find_and_take(admissible, goal)
        if goal.verb and not self.treated:
            return self._treat(admissible, goal)
        if goal.kind == LOOK_IN_LIGHT:
            return self._light(admissible, goal)
        return self._put(admissible, goal)

    def _find_and_take(self, admissible: tuple[str, ...], goal: Goal) -> str | None:
        if self.location and self.location != self.placed_at:
            suffix = f" from {self.location}"
            for command in admissible:
                if command.startswith("take ") and command.endswith(suffix):
                    obj = command[len("take ") : -len(suffix)]
                    if _kind(obj) == goal.obj and obj not in self.placed:
                        return command
            if f"open {self.location}" in admissible and self.location not in self.contents:
                return f"open {self.location}"
        seen = [r for r, objects in self.contents.items() if any(_kind(o) == goal.obj for o in objects)]
        checked = {r for r in self.contents if r not in seen} | {self.placed_at}
        order = [*seen, *self.hints.places(goal.obj), *self._unexplored_first()]
        return self._go_first(order, admissible, skip=checked)

    def _treat(self, admissible: tuple[str, ...], goal: Goal) -> str | None:
        for command in admissible:
            if command.startswith(f"{goal.verb} {self.held} with "):
                return command
        if self.location:
            self.untreating_kinds.add(_kind(self.location))
        untried = [r for r in self.receptacles if _kind(r) not in self.untreating_kinds]
        one_per_kind = list({_kind(r): r for r in reversed(untried)}.values())[::-1]
        order = [*self.hints.appliances(goal.verb or ""), *one_per_kind]
        skip = {r for r in self.receptacles if _kind(r) in self.untreating_kinds}
        return self._go_first(order, admissible, skip=skip)

    def _light(self, admissible: tuple[str, ...], goal: Goal) -> str | None:
        for command in admissible:
            if re.match(rf"^use {re.escape(goal.target)} \d+$", command):
                return command
        seen = [r for r, objects in self.contents.items() if any(_kind(o) == goal.target for o in objects)]
        checked = {r for r in self.visited if r not in seen}  # a lamp stands in the open
        order = [*seen, *self.hints.places(goal.target), *self._unexplored_first()]
        return self._go_first(order, admissible, skip=checked)

    def _put(self, admissible: tuple[str, ...], goal: Goal) -> str | None:
        here = self.location or ""
        if _kind(here) == goal.target:
            for command in admissible:
                if re.match(
                    rf"^(?:put|move) {re.escape(self.held or '')} (?:in/on|in|on|to) {re.escape(here)}$",
                    command,
                ):
                    return command
            if f"open {here}" in admissible:
                return f"open {here}"
        targets = [r for r in self.receptacles if _kind(r) == goal.target]
        if goal.kind == PICK_TWO and self.placed_at:
            targets.insert(0, self.placed_at)
        tried = {here} if _kind(here) == goal.target else set()
        return self._go_first(targets, admissible, skip=tried)

    def _unexplored_first(self) -> list[str]:
        """Every receptacle in the order worth exploring: the room's order, but surfaces before the
        kinds found to need opening (one step to look at instead of two). What memory shows a
        receptacle to have held says nothing of it now: rooms differ from task to task, and ALFWorld
        places objects anew in every game even of one floor plan."""
        return sorted(self.receptacles, key=lambda r: _kind(r) in self.container_kinds)

    def _go_first(self, order: list[str], admissible: tuple[str, ...], skip: set[str | None]) -> str | None:
        for receptacle in order:
            if receptacle not in skip and receptacle != self.location and f"go to {receptacle}" in admissible:
                return f"go to {receptacle}"
        return None


def _kind(name: str) -> str:
    """The kind of a named thing: `apple 1` -> `apple`."""
    return name.rsplit(" ", 1)[0] if name[-1:].isdigit() else name
