"""Memory programs for the planning tests: a plain trajectory memory, and ones that try to game the score."""

from __future__ import annotations

from textwrap import dedent

TRAJECTORY_MEMORY = dedent(
    '''
    """Keeps every trajectory; returns the lines of past tasks that mention the query's words."""

    import re
    from dataclasses import dataclass, field

    INSTRUCTION_KNOWLEDGE_ITEM = "Summarise what the task taught about where things are."
    INSTRUCTION_QUERY = "Name the objects and appliances the task needs."
    INSTRUCTION_RESPONSE = "Go first where memory says things are."
    ALWAYS_ON_KNOWLEDGE = ""

    WORD = re.compile(r"[a-z]+")
    BUDGET = 3000


    @dataclass
    class KnowledgeItem:
        summary: str = field(default="", metadata={"description": "What the task taught"})


    @dataclass
    class Query:
        text: str = field(metadata={"description": "The task and what it needs"})


    class KnowledgeBase:
        def __init__(self, toolkit):
            self.trajectories = []

        def write(self, item, raw_text):
            self.trajectories.append(raw_text.splitlines()[1:-1])

        def read(self, query):
            wanted = set(WORD.findall(query.text.lower())) - {"the", "a", "in", "is", "where", "what", "can"}
            lines, used = [], 0
            for trajectory in reversed(self.trajectories):
                for line in trajectory:
                    if line.startswith(">") or not wanted & set(WORD.findall(line.lower())):
                        continue
                    if line in lines or used + len(line) + 1 > BUDGET:
                        continue
                    lines.append(line)
                    used += len(line) + 1
            return "\\n".join(lines)
    '''
)

PLACE_MAP = dedent(
    '''
    """A map of the household: the last seen contents of each receptacle, and the treatments that worked."""

    import re
    from dataclasses import dataclass, field

    INSTRUCTION_KNOWLEDGE_ITEM = "Note what each receptacle held."
    INSTRUCTION_QUERY = "Name the objects the task needs."
    INSTRUCTION_RESPONSE = "Go first where the map says things are."
    ALWAYS_ON_KNOWLEDGE = ""

    SEEN = re.compile(r"(?:On the|The) ([a-z]+ \\d+)(?:, you see| is open\\. In it, you see) (.*)$")
    WORD = re.compile(r"[a-z]+")


    @dataclass
    class KnowledgeItem:
        note: str = field(default="", metadata={"description": "Unused"})


    @dataclass
    class Query:
        text: str = field(metadata={"description": "The task and what it needs"})


    class KnowledgeBase:
        def __init__(self, toolkit):
            self.contents = {}
            self.procedures = []

        def write(self, item, raw_text):
            for line in raw_text.splitlines():
                seen = SEEN.search(line)
                if seen:
                    self.contents[seen.group(1)] = seen.group(2)
                if re.match(r"> (heat|cool|clean) ", line) and line[2:] not in self.procedures:
                    self.procedures.append(line[2:])

        def read(self, query):
            wanted = set(WORD.findall(query.text.lower()))
            lines = [f"On the {place}, you see {what}" for place, what in self.contents.items()]
            lines.sort(key=lambda line: not wanted & set(WORD.findall(line.split(", you see ")[1])))
            return "\\n".join(self.procedures + lines)
    '''
)
