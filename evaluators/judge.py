"""An LLM judge: is a generated answer CORRECT or WRONG against the gold answer? (LoCoMo / LongMemEval style)

Token F1 punishes right answers in other words ("7 May 2023" against "May 7, 2023") and rewards
wrong ones that share words, so the memory literature also reports an LLM judge's binary verdict
(mem0's LoCoMo "J" score, LongMemEval's GPT-4o judge). This judge asks for a JSON verdict with a
one-sentence reason, validated and repaired once; a verdict that still cannot be read scores 0 and
is counted in `stats.unreadable`, so a flaky judge is visible rather than silently generous.

It is optional: scores that use it say so (`name`), and F1 is always computed next to it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Literal

from providers.llm import LLMClient
from providers.structured import complete_json

Label = Literal["CORRECT", "WRONG", "UNREADABLE"]

JUDGE_SYSTEM = "You grade answers to questions about a long conversation against the gold answer."

JUDGE_INSTRUCTION = """\
Label the generated answer CORRECT or WRONG against the gold answer.
- CORRECT when it states what the gold answer states, in any wording. Extra detail is fine when it does \
not contradict the gold answer.
- Dates, times and periods match when they refer to the same moment or span, whatever the format \
("7 May 2023", "May 7, 2023", "the day before 8 May 2023").
- WRONG when it contradicts the gold answer, misses its key fact, or hedges between alternatives.
- When the gold answer says the information is not available, the generated answer is CORRECT only if \
it also says that it is not known."""

VERDICT_SCHEMA = {
    "title": "JudgeVerdict",
    "type": "object",
    "properties": {
        "reasoning": {"type": "string", "description": "one sentence comparing the answers"},
        "label": {"type": "string", "enum": ["CORRECT", "WRONG"]},
    },
    "required": ["reasoning", "label"],
}

_LABEL_WORD = re.compile(r"\b(CORRECT|WRONG)\b")


@dataclass(frozen=True)
class JudgeVerdict:
    """`score` is 1.0 for CORRECT and 0.0 otherwise."""

    label: Label
    reasoning: str

    @property
    def score(self) -> float:
        return 1.0 if self.label == "CORRECT" else 0.0


@dataclass
class JudgeStats:
    verdicts: int = 0
    correct: int = 0
    repairs: int = 0
    unreadable: int = 0


class LLMJudge:
    """Judges answers with `client` (calls are accounted with purpose "judge", temperature 0)."""

    def __init__(self, client: LLMClient, max_tokens: int = 300) -> None:
        self.client = client
        self.max_tokens = max_tokens
        self.name = f"llm-judge:{client.name}"
        self.stats = JudgeStats()
        self._lock = threading.Lock()

    def score(self, question: str, gold: str, prediction: str) -> float:
        """1.0 when the judge finds `prediction` correct against `gold`, else 0.0."""
        return self.judge(question, gold, prediction).score

    def judge(self, question: str, gold: str, prediction: str) -> JudgeVerdict:
        prompt = (
            f"{JUDGE_INSTRUCTION}\n\n"
            f"Question: {question}\n"
            f"Gold answer: {gold}\n"
            f"Generated answer: {prediction.strip() or '(no answer)'}\n\n"
            'Reply with a JSON object only: {"reasoning": "<one sentence>", "label": "CORRECT" or "WRONG"}'
        )
        result = complete_json(
            self.client,
            prompt,
            VERDICT_SCHEMA,
            system=JUDGE_SYSTEM,
            max_tokens=self.max_tokens,
            purpose="judge",
        )
        if result.valid and result.value is not None:
            verdict = JudgeVerdict(result.value["label"], str(result.value.get("reasoning", "")))
        else:
            verdict = _verdict_from_text(result.completions[-1].text if result.completions else "")
        with self._lock:
            self.stats.verdicts += 1
            self.stats.correct += verdict.label == "CORRECT"
            self.stats.repairs += result.repaired
            self.stats.unreadable += verdict.label == "UNREADABLE"
        return verdict


def _verdict_from_text(text: str) -> JudgeVerdict:
    """A verdict stated in prose ("... so the answer is WRONG") when the JSON could not be read.

    Only an unambiguous text counts: exactly one of the two labels, in capitals, as LoCoMo judges write it.
    """
    labels = set(_LABEL_WORD.findall(text))
    if len(labels) == 1:
        return JudgeVerdict(labels.pop(), text.strip()[:300])  # type: ignore[arg-type]
    return JudgeVerdict("UNREADABLE", text.strip()[:300])
