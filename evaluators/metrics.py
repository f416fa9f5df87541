"""Task and retrieval metrics computed on the host, without an LLM.

Answer metrics follow LoCoMo's `task_eval/evaluation.py`, so scores compare with published numbers:
answers are normalized (lowercase, no punctuation, no articles), Porter-stemmed, and compared by token F1,
with LoCoMo's per-category rules (`locomo_answer_score`).

Retrieval metrics say whether what a memory's read() returned (the *context*) holds the evidence:
- `evidence_recall`: the share of evidence turns whose wording is in the context. A turn counts as
  retrieved only when at least `threshold` of its word trigrams occur in the context, so a memory
  cannot game the metric by returning a bag of frequent words: the words must appear in the order the
  turn said them. (Matching single words would credit almost any long context with every turn.)
- `answer_token_recall`: the share of the gold answer's tokens present anywhere in the context; a
  looser signal (a bag of words does score here), useful when the evidence was rephrased on write.

All functions are pure and cheap: the stemmer memoizes per word, and `context_ngrams` lets a caller
build a context's n-gram set once and test many turns against it.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nltk.stem.porter import PorterStemmer

NGRAM_SIZE = 3
"""Evidence turns are matched by word trigrams: long enough to need the turn's wording, short enough to
survive a memory that keeps a turn's sentences but not all of them."""

_ARTICLES = re.compile(r"\b(a|an|the|and)\b")


class _PunctuationTable(dict[int, int | None]):
    """A `str.translate` table deleting punctuation, filled lazily per character seen.

    LoCoMo strips ASCII punctuation; Unicode punctuation (curly quotes, dashes) is stripped too, so that
    "Caroline’s" and "Caroline's" normalize alike. For ASCII text the result is LoCoMo's exactly.
    """

    def __missing__(self, code: int) -> int | None:
        char = chr(code)
        is_punctuation = char in string.punctuation or (code > 127 and unicodedata.category(char)[0] == "P")
        self[code] = None if is_punctuation else code
        return self[code]


_PUNCTUATION = _PunctuationTable()
_WORD = re.compile(r"[^\W_]+")

_NOT_AVAILABLE = re.compile(
    r"\b(?:not|never)\s+(?:been\s+|ever\s+)?(?:mentioned|stated|specified|discussed|recorded)\b"
    r"|\b(?:did|does|do|has|have)(?:\s+not|n't)\s+(?:ever\s+)?(?:mention|specify|state|discuss)\b"
    r"|\b(?:i|we)\s+(?:do\s+not|don't|dont)\s+know\b"
    r"|\bno\s+(?:information|info|mention|record)\b"
    r"|\bnot\s+(?:available|known)\b"
    r"|\bunknown\b"
    r"|\b(?:not\s+enough|insufficient)\s+(?:information|info|context|details)\b"
    r"|\b(?:information|info)\s+(?:provided\s+|given\s+)?is\s+(?:not\s+enough|insufficient)\b"
    r"|\b(?:cannot|can't|can\s+not)\s+be\s+determined\b"
)
"""Phrasings of "the conversation does not say". LoCoMo itself accepts only 'no information available'
and 'not mentioned'; these are kept narrow (a negated verb of *saying* or *knowing*, or a missing
*information*), so that a substantive negative answer such as "not on Monday" does not match."""


@cache
def _stemmer() -> PorterStemmer:
    # Imported on first use: importing nltk takes about half a second, which retrieval-only callers skip.
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stem(word)


def normalize_answer(text: str) -> str:
    """LoCoMo's normalization: lowercase, drop punctuation and articles (a, an, the, and), collapse spaces."""
    text = text.lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _stemmed_tokens(text: str) -> list[str]:
    return [_stem(word) for word in normalize_answer(text).split()]


def token_f1(prediction: str, gold: str) -> float:
    """LoCoMo's `f1_score`: F1 of the multisets of Porter-stemmed normalized tokens (0.0 when none shared)."""
    predicted = _stemmed_tokens(prediction)
    expected = _stemmed_tokens(gold)
    shared = sum((Counter(predicted) & Counter(expected)).values())
    if shared == 0:
        return 0.0
    precision = shared / len(predicted)
    recall = shared / len(expected)
    return 2 * precision * recall / (precision + recall)


def _multi_part_f1(prediction: str, gold: str) -> float:
    """LoCoMo's `f1` for multi-hop answers: each comma-separated gold part is matched by its best prediction
    part, and the parts' F1s are averaged, so listing two of four items scores about one half."""
    predictions = [part.strip() for part in prediction.split(",")]
    golds = [part.strip() for part in gold.split(",")]
    return sum(max(token_f1(p, g) for p in predictions) for g in golds) / len(golds)


def locomo_answer_score(prediction: str, gold: str, category: int) -> float:
    """The score LoCoMo's evaluation gives `prediction` for a question of `category`, in [0, 1].

    Category 1 (multi-hop): mean over the gold's comma-separated parts of the best part F1.
    Category 3 (open-domain): token F1 against the gold before its first ';' (the rest is a rationale).
    Category 5 (adversarial): 1.0 when the prediction says the information is not available, else 0.0.
    Categories 2, 4, 6 and any other: token F1.
    """
    if category == 5:
        return 1.0 if says_not_available(prediction) else 0.0
    if category == 1:
        return _multi_part_f1(prediction, gold)
    if category == 3:
        gold = gold.split(";")[0].strip()
    return token_f1(prediction, gold)


def exact_match(prediction: str, gold: str) -> float:
    """1.0 when the normalized prediction equals the normalized gold, else 0.0 (no stemming)."""
    return 1.0 if normalize_answer(prediction) == normalize_answer(gold) else 0.0


def says_not_available(prediction: str) -> bool:
    """Whether the prediction says the conversation does not contain the answer (how category 5 is scored).

    Accepts LoCoMo's phrases ("not mentioned", "no information available") and close variants
    ("unknown", "not known", "not available", "never stated", "I don't know", LongMemEval's "the
    information provided is not enough"), but not a negative fact such as "not on Monday".
    """
    return _NOT_AVAILABLE.search(prediction.lower().replace("\u2019", "'")) is not None


def word_tokens(text: str) -> list[str]:
    """Lowercase runs of letters and digits: the tokens retrieval metrics compare ("Mel's" -> mel, s)."""
    return _WORD.findall(text.lower())


def context_ngrams(context: str, n: int = NGRAM_SIZE) -> set[tuple[str, ...]]:
    """Every 1- to n-gram of the context's word tokens, built once per context and shared by many turns.

    The shorter n-grams let a turn of fewer than n words be found as a contiguous sequence.
    """
    tokens = word_tokens(context)
    grams: set[tuple[str, ...]] = set()
    for k in range(1, n + 1):
        grams.update(zip(*(tokens[i:] for i in range(k)), strict=False))
    return grams


def turn_is_retrieved(context_ngrams: set[tuple[str, ...]], turn_text: str, threshold: float = 0.8) -> bool:
    """Whether at least `threshold` of the turn's word trigrams (counted by position) are in the context.

    `context_ngrams` comes from `context_ngrams(context)` with the default n. A turn of fewer than three
    words is retrieved only when its whole token sequence appears contiguously; a turn without words is
    never retrieved (it has nothing to find).
    """
    tokens = word_tokens(turn_text)
    if not tokens:
        return False
    if len(tokens) < NGRAM_SIZE:
        return tuple(tokens) in context_ngrams
    grams = [tuple(tokens[i : i + NGRAM_SIZE]) for i in range(len(tokens) - NGRAM_SIZE + 1)]
    present = sum(1 for gram in grams if gram in context_ngrams)
    # The tolerance keeps e.g. 4 of 5 at threshold 0.8 from failing on float rounding.
    return present >= threshold * len(grams) - 1e-9


def evidence_recall(context: str, evidence_texts: Sequence[str], threshold: float = 0.8) -> float | None:
    """The share of evidence turns retrieved in `context` (see `turn_is_retrieved`).

    None when there is no evidence to find (no texts, or none with a word), so that callers average only
    over questions where retrieval can be judged.
    """
    texts = [text for text in evidence_texts if word_tokens(text)]
    if not texts:
        return None
    grams = context_ngrams(context)
    return sum(1 for text in texts if turn_is_retrieved(grams, text, threshold)) / len(texts)


def answer_token_recall(context: str, gold: str) -> float | None:
    """The share of the gold answer's distinct normalized, stemmed tokens that occur anywhere in `context`.

    None when the gold has no tokens after normalization (e.g. "the"), since nothing can be recalled.
    """
    wanted = set(_stemmed_tokens(gold))
    if not wanted:
        return None
    present = set(_stemmed_tokens(context))
    return len(wanted & present) / len(wanted)
