"""Answer and retrieval metrics against hand-computed values, each derived in a comment beside it."""

from __future__ import annotations

import pytest

from evaluators.metrics import (
    answer_token_recall,
    context_ngrams,
    evidence_recall,
    exact_match,
    locomo_answer_score,
    normalize_answer,
    says_not_available,
    token_f1,
    turn_is_retrieved,
    word_tokens,
)

# --- normalization and token F1 ------------------------------------------------------------------------


def test_normalize_answer_lowercases_drops_punctuation_articles_and_extra_spaces() -> None:
    # "the cat, and a dog's toy!" -> no punctuation "the cat and a dogs toy" -> no articles "cat dogs toy"
    assert normalize_answer("The Cat,  and a DOG's toy!") == "cat dogs toy"


def test_normalize_answer_drops_articles_only_as_whole_words() -> None:
    # "and" goes, but "Anderson" and "Theater" keep their "an"/"the"
    assert normalize_answer("Theater and Anderson") == "theater anderson"


def test_normalize_answer_treats_curly_apostrophe_like_straight_one() -> None:
    assert normalize_answer("Caroline\u2019s") == normalize_answer("Caroline's") == "carolines"


def test_token_f1_stems_so_running_matches_run() -> None:
    # Porter: running -> run, so the single tokens agree: P = R = 1
    assert token_f1("running", "run") == pytest.approx(1.0)


def test_token_f1_ignores_articles_and_counts_shared_tokens() -> None:
    # prediction [cat, sat, on, mat] (4), gold [cat, on, mat] (3), shared 3:
    # P = 3/4, R = 3/3, F1 = 2 * 0.75 * 1 / 1.75 = 6/7
    assert token_f1("The cat sat on the mat", "a cat on a mat") == pytest.approx(6 / 7)


def test_token_f1_counts_repeated_tokens_once_per_gold_occurrence() -> None:
    # prediction [paris, paris], gold [paris]: shared min(2, 1) = 1, P = 1/2, R = 1, F1 = 2/3
    assert token_f1("Paris Paris", "Paris") == pytest.approx(2 / 3)


def test_token_f1_is_zero_without_overlap_or_with_empty_prediction() -> None:
    assert token_f1("London", "Paris") == 0.0
    assert token_f1("", "Paris") == 0.0


# --- LoCoMo category rules -----------------------------------------------------------------------------


def test_category_1_averages_best_f1_per_gold_part() -> None:
    # gold parts pottery, camping, painting, swimming; prediction parts painting, pottery:
    # best F1 per gold part = 1, 0, 1, 0 -> mean 2/4 = 0.5
    # (plain token F1 would give 2/3: P = 2/2, R = 2/4)
    gold = "pottery, camping, painting, swimming"
    assert locomo_answer_score("painting, pottery", gold, 1) == pytest.approx(0.5)
    assert token_f1("painting, pottery", gold) == pytest.approx(2 / 3)


def test_category_1_scores_an_unsplit_prediction_against_each_gold_part() -> None:
    # one prediction part [beach, forest]; vs "beach": P = 1/2, R = 1 -> 2/3; vs "mountains": 0;
    # vs "forest": 2/3 -> mean (2/3 + 0 + 2/3) / 3 = 4/9
    score = locomo_answer_score("the beach and the forest", "beach, mountains, forest", 1)
    assert score == pytest.approx(4 / 9)


def test_category_3_scores_only_the_gold_before_the_first_semicolon() -> None:
    gold = "Likely no; though she likes reading, she wants to be a counselor"
    # gold becomes "Likely no" -> [likely, no] = prediction -> 1.0
    assert locomo_answer_score("likely no", gold, 3) == pytest.approx(1.0)
    assert token_f1("likely no", gold) < 0.5


@pytest.mark.parametrize("category", [2, 4, 6])
def test_categories_2_4_6_use_token_f1(category: int) -> None:
    # [7, may, 2023] on both sides once the comma is dropped -> 1.0; and the 6/7 case from above
    assert locomo_answer_score("7 May, 2023", "7 May 2023", category) == pytest.approx(1.0)
    assert locomo_answer_score("The cat sat on the mat", "a cat on a mat", category) == pytest.approx(6 / 7)


def test_category_5_scores_whether_the_prediction_says_not_available() -> None:
    assert locomo_answer_score("Not mentioned in the conversation", "anything", 5) == 1.0
    assert locomo_answer_score("She went to Paris", "Not mentioned in the conversation", 5) == 0.0


@pytest.mark.parametrize(
    "prediction",
    [
        "Not mentioned in the conversation",
        "No information available.",
        "That is unknown.",
        "It is not known.",
        "The information is not available",
        "The conversation never stated it",
        "This was not specified.",
        "I don't know",
        "Caroline didn\u2019t mention that",
        "The information provided is not enough to answer.",
        "There is not enough information to say.",
    ],
)
def test_says_not_available_accepts_ways_of_saying_it_is_not_known(prediction: str) -> None:
    assert says_not_available(prediction)


@pytest.mark.parametrize(
    "prediction",
    [
        "not on Monday",
        "She did not go to the party",
        "No, she has two kids",
        "He is not a teacher",
        "Not yet",
        "She doesn't know how to swim",
        "Mentioned it at dinner",
    ],
)
def test_says_not_available_rejects_substantive_negative_answers(prediction: str) -> None:
    assert not says_not_available(prediction)


def test_exact_match_compares_normalized_strings_without_stemming() -> None:
    assert exact_match("The Eiffel Tower!", "eiffel tower") == 1.0
    assert exact_match("Eiffel Tower in Paris", "eiffel tower") == 0.0
    assert exact_match("tower eiffel", "eiffel tower") == 0.0
    assert exact_match("runs", "run") == 0.0


# --- retrieval metrics ---------------------------------------------------------------------------------


def test_word_tokens_are_lowercase_letter_and_digit_runs() -> None:
    assert word_tokens("Mel's 2 kids\u2014Sam_Lee!") == ["mel", "s", "2", "kids", "sam", "lee"]


def test_context_ngrams_holds_every_1_to_3_gram() -> None:
    # 4 tokens: 4 unigrams + 3 bigrams + 2 trigrams = 9
    grams = context_ngrams("A b, c d")
    assert len(grams) == 9
    assert {("a",), ("a", "b"), ("a", "b", "c"), ("b", "c", "d")} <= grams
    assert ("a", "c") not in grams


TURN = "one two three four five six seven"  # 7 words -> 5 trigrams: 123, 234, 345, 456, 567


def test_a_turn_with_3_of_5_trigrams_present_is_not_retrieved_at_0_8() -> None:
    # context tokens: one two three four five later six seven -> present 123, 234, 345 = 3/5 = 0.6
    grams = context_ngrams("One two three four five. Later: six seven.")
    assert not turn_is_retrieved(grams, TURN, threshold=0.8)
    assert turn_is_retrieved(grams, TURN, threshold=0.6)


def test_a_turn_with_4_of_5_trigrams_present_is_retrieved_at_0_8() -> None:
    # context: one two three four five six then seven -> present 123, 234, 345, 456 = 4/5 = 0.8 (boundary)
    grams = context_ngrams("one two three four five six, then seven")
    assert turn_is_retrieved(grams, TURN, threshold=0.8)


def test_a_short_turn_must_appear_contiguously_and_in_order() -> None:
    assert turn_is_retrieved(context_ngrams("I said yes paris is lovely"), "Yes, Paris!")
    assert not turn_is_retrieved(context_ngrams("Paris? yes."), "Yes, Paris!")
    assert not turn_is_retrieved(context_ngrams("yes, we went to paris"), "Yes, Paris!")
    assert turn_is_retrieved(context_ngrams("thanks a lot"), "Thanks!")
    # a context shorter than a trigram still holds a two-word turn
    assert turn_is_retrieved(context_ngrams("yes paris"), "Yes, Paris!")


def test_a_turn_without_words_is_never_retrieved() -> None:
    assert not turn_is_retrieved(context_ngrams("anything at all"), "!!!")


def test_evidence_recall_is_the_share_of_retrieved_turns() -> None:
    # TURN fully present (5/5), second turn "alpha beta gamma delta" has trigrams abg, bgd, only abg
    # present (1/2 < 0.8) -> 1 of 2 turns = 0.5
    context = f"{TURN}. alpha beta gamma and delta"
    assert evidence_recall(context, [TURN, "alpha beta gamma delta"]) == pytest.approx(0.5)


def test_evidence_recall_is_none_without_evidence_to_find() -> None:
    assert evidence_recall("some context", []) is None
    assert evidence_recall("some context", ["...", "!"]) is None


def test_evidence_recall_ignores_wordless_evidence_in_the_denominator() -> None:
    assert evidence_recall(TURN, [TURN, "..."]) == pytest.approx(1.0)


def test_answer_token_recall_is_the_share_of_stemmed_gold_tokens_in_context() -> None:
    # gold [running, marathon] -> stems [run, marathon]; context stems include marathon (from marathons)
    # but "ran" stays "ran" -> 1/2
    assert answer_token_recall("She ran two marathons in Boston", "running a marathon") == pytest.approx(0.5)
    # gold [7, may, 2023]; context has 7 and may -> 2/3
    assert answer_token_recall("We met on 7 May.", "7 May 2023") == pytest.approx(2 / 3)


def test_answer_token_recall_is_none_when_gold_has_no_tokens() -> None:
    assert answer_token_recall("some context", "The") is None
    assert answer_token_recall("some context", "") is None


def test_a_shuffled_bag_of_words_scores_no_evidence_recall_but_full_answer_recall() -> None:
    """Why evidence recall uses trigrams: a memory returning the right words in no order recalls nothing."""
    evidence = "Melanie painted a sunset with a palm tree last July at the lake"
    # the same words in alphabetical order: "a a at july lake last melanie painted palm sunset the tree with"
    bag = " ".join(sorted(word_tokens(evidence)))
    assert evidence_recall(bag, [evidence]) == 0.0
    # gold tokens [sunset, with, palm, tree] are all in the bag -> 4/4
    assert answer_token_recall(bag, "a sunset with a palm tree") == pytest.approx(1.0)
    # and the evidence itself, in order, is retrieved
    assert evidence_recall(f"Earlier: {evidence}.", [evidence]) == 1.0
