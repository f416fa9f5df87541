"""Small text utilities shared by the offline agents: tokens, stop words, keywords, dates."""

from __future__ import annotations

import contextlib
import functools
import re
from collections import Counter
from datetime import datetime

STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me
    more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they
    this those through to too under until up very was we were what when where which while who whom
    why will with would you your yours yourself yourselves also get got go going gone really yeah
    yes oh hey hi wow well like lot lots thing things much many one tell said say says know think do
    did done ever still last ago since s t don didn m ve ll re d
    """.split()  # noqa: SIM905 - a word list reads best as text
)
"""English function words and conversational fillers: they carry no content for matching."""

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_LOCOMO_DATE = re.compile(
    r"(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})", re.IGNORECASE
)
_NUMERIC_DATE = re.compile(r"\b(\d{4})[/-](\d{1,2})[/-](\d{1,2})\b")
_DAY_MONTH_YEAR = re.compile(r"\b(\d{1,2})\s+([A-Z][a-z]+),?\s+(\d{4})\b")


def words(text: str) -> list[str]:
    """Lowercase word tokens; apostrophe suffixes stay attached ("mel's")."""
    return _WORD.findall(text.lower())


def content_words(text: str) -> list[str]:
    """Word tokens without stop words, possessive endings folded ("mel's" -> "mel")."""
    return list(_content_words(text))


@functools.lru_cache(maxsize=1 << 16)
def _content_words(text: str) -> tuple[str, ...]:
    # Cached: an evaluation tokenizes the same turns and questions as every evaluation before it.
    folded = (w.split("'")[0] for w in words(text))
    return tuple(w for w in folded if w and w not in STOP_WORDS)


def keywords(text: str, limit: int = 10) -> list[str]:
    """The most frequent content words, ties broken by first occurrence: deterministic."""
    counts = Counter(content_words(text))
    return [word for word, _ in counts.most_common(limit)]


@functools.lru_cache(maxsize=1 << 16)  # the same sentences come back in every evaluation; strptime is slow
def find_date(text: str) -> datetime | None:
    """The first date in `text`: LoCoMo's style ("1:56 pm on 8 May, 2023"), LongMemEval's ("2023/05/30 (Tue)
    23:40"), ISO ("2023-05-30") or "8 May 2023"; None when there is none."""
    match = _LOCOMO_DATE.search(text)
    if match:
        hour, minute, half, day, month, year = match.groups()
        with contextlib.suppress(ValueError):
            return datetime.strptime(
                f"{day} {month[:3]} {year} {hour}:{minute} {half.upper()}", "%d %b %Y %I:%M %p"
            )
    match = _NUMERIC_DATE.search(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        with contextlib.suppress(ValueError):
            return datetime(year, month, day)
    match = _DAY_MONTH_YEAR.search(text)
    if match:
        day, month, year = match.groups()
        with contextlib.suppress(ValueError):
            return datetime.strptime(f"{day} {month[:3]} {year}", "%d %b %Y")
    return None


def format_day(moment: datetime) -> str:
    """LoCoMo's gold style for dates: "7 May 2023"."""
    return f"{moment.day} {moment.strftime('%B')} {moment.year}"
