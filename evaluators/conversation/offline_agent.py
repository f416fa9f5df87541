"""The offline agent: uses a memory with no LLM, deterministically.

It exists so that mnemoforge evaluates and evolves memories with no API key, and so that a score can be
traced to the memory alone. It fills schemas by field type and name (strings from the text, lists from
keywords, dates from the session header), and answers extractively: it picks the sentence of the
context that best matches the question and returns its words that the question does not already say.
For "when" questions it resolves relative time ("yesterday", "last month") against the date the
memory kept next to that sentence, so memories that keep dates score better, as they should.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta
from typing import Any

from evaluators.schema_filling import fill_schema as fill_by_type
from evaluators.text import STOP_WORDS, content_words, find_date, format_day, keywords, words
from sandbox.contract import ProgramDescription

NOT_KNOWN = "Not mentioned in the conversation."
MIN_MATCH = 0.34
"""Least share of the question's content (IDF-weighted) a sentence must cover to be used as evidence."""
MAX_ANSWER_WORDS = 8

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_SPEAKER_PREFIX = re.compile(r"^\s*(?:\[[^\]]*\]\s*)*(?:[A-Z][\w .'-]{0,40}?:\s)?")
_TEMPORAL_QUESTION = re.compile(r"^\s*(when|what (date|day|month|year|time)|which (year|month|day))\b", re.I)
_NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "few": 3}


class OfflineAgent:
    """Deterministic schema filling and extractive answering; see the module docstring."""

    name = "offline"

    def fill_item(self, program: ProgramDescription, raw_text: str) -> dict[str, Any]:
        header_date = find_date(raw_text.split("\n", 1)[0])
        date_text = format_day(header_date) if header_date else ""
        return fill_schema(program.knowledge_item_schema, raw_text, date_text)

    def fill_query(self, program: ProgramDescription, question: str, date: str) -> dict[str, Any]:
        return fill_schema(program.query_schema, question, date)

    def answer(self, program: ProgramDescription, question: str, context: str, date: str) -> str:
        sentences = _dated_sentences(context)
        best = _best_sentence(question, sentences)
        if best is None:
            return NOT_KNOWN
        sentence, sentence_date = best
        if _TEMPORAL_QUESTION.search(question):
            return _when(sentence, sentence_date) or _remaining_words(sentence, question)
        return _remaining_words(sentence, question) or NOT_KNOWN


def fill_schema(schema: dict[str, Any], text: str, date: str) -> dict[str, Any]:
    """Fill every property of a JSON Schema object from `text`: by type, and by name for dates."""
    return fill_by_type(schema, text, date, keywords(text))


def _dated_sentences(context: str) -> list[tuple[str, datetime | None]]:
    """Sentences of the context, each with the latest date seen on its line or a line above."""
    result: list[tuple[str, datetime | None]] = []
    current: datetime | None = None
    for line in context.splitlines():
        current = find_date(line) or current
        result.extend((s, current) for s in _SENTENCE_END.split(line) if s.strip())
    return result


def _best_sentence(
    question: str, sentences: list[tuple[str, datetime | None]]
) -> tuple[str, datetime | None] | None:
    wanted = set(content_words(question))
    if not wanted or not sentences:
        return None
    bags = [set(content_words(s)) for s, _ in sentences]
    idf = {w: math.log(1 + len(bags) / (1 + sum(1 for bag in bags if w in bag))) for w in wanted}
    total = sum(idf.values())
    scored = [(sum(idf[w] for w in wanted & bag) / total, -index) for index, bag in enumerate(bags)]
    share, negative_index = max(scored)
    if share < MIN_MATCH:
        return None
    return sentences[-negative_index]


def _remaining_words(sentence: str, question: str) -> str:
    asked = set(words(question)) | {w.split("'")[0] for w in words(question)}
    body = _SPEAKER_PREFIX.sub("", sentence, count=1)
    kept = [w for w in re.findall(r"[\w'-]+", body) if w.lower() not in asked and w.lower() not in STOP_WORDS]
    return " ".join(kept[:MAX_ANSWER_WORDS])


def _when(sentence: str, said_on: datetime | None) -> str:
    """The date a sentence refers to: an explicit date in it, or its relative phrase resolved against
    the date it was said on."""
    text = _SPEAKER_PREFIX.sub("", sentence, count=1)
    explicit = find_date(text)
    if explicit:
        return format_day(explicit)
    if said_on is None:
        return ""
    lowered = text.lower()
    match = re.search(
        r"\b(a|an|one|two|three|four|five|six|few|\d+)\s+(day|week|month|year)s?\s+ago\b", lowered
    )
    if match:
        count = _NUMBER_WORDS.get(match.group(1)) or int(match.group(1))
        return _shift(said_on, match.group(2), count)
    for phrase, unit in (("yesterday", "day"), ("last weekend", "weekend"), ("last week", "week")):
        if phrase in lowered and unit == "day":
            return format_day(said_on - timedelta(days=1))
        if phrase in lowered:
            return f"the {unit} before {format_day(said_on)}"
    if "last month" in lowered:
        return _shift(said_on, "month", 1)
    if "last year" in lowered:
        return str(said_on.year - 1)
    if re.search(r"\b(today|tonight|this morning|this evening|just now)\b", lowered):
        return format_day(said_on)
    return ""


def _shift(moment: datetime, unit: str, count: int) -> str:
    if unit == "day":
        return format_day(moment - timedelta(days=count))
    if unit == "week":
        return format_day(moment - timedelta(weeks=count))
    if unit == "month":
        month_index = moment.year * 12 + moment.month - 1 - count
        return f"{datetime(month_index // 12, month_index % 12 + 1, 1).strftime('%B')} {month_index // 12}"
    return str(moment.year - count)
