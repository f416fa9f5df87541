"""Reading mutator replies: commit messages, SEARCH/REPLACE edits, whole programs, and clear errors."""

from __future__ import annotations

import pytest

from evolve.mutators.edits import EditError, apply_edits, parse_reply

SOURCE = "TOP_K = 5\n\n\ndef rank(items):  \n    return sorted(items)[:TOP_K]\n"


def test_edits_and_commit_message_are_parsed_and_applied() -> None:
    reply = (
        "COMMIT: widen retrieval\n"
        "<<<<<<< SEARCH\nTOP_K = 5\n=======\nTOP_K = 9\n>>>>>>> REPLACE\n"
        "<<<<<<< SEARCH\ndef rank(items):\n    return sorted(items)[:TOP_K]\n=======\n"
        "def rank(items):\n    return sorted(items, reverse=True)[:TOP_K]\n>>>>>>> REPLACE\n"
    )
    parsed = parse_reply(reply)
    assert parsed.commit_message == "widen retrieval"
    # the second SEARCH omits the trailing spaces of the `def` line: still found, exactly once
    assert apply_edits(SOURCE, parsed.edits) == (
        "TOP_K = 9\n\n\ndef rank(items):\n    return sorted(items, reverse=True)[:TOP_K]\n"
    )


def test_a_deleting_edit_has_an_empty_replacement() -> None:
    parsed = parse_reply("<<<<<<< SEARCH\nTOP_K = 5\n\n=======\n>>>>>>> REPLACE")
    assert apply_edits(SOURCE, parsed.edits).startswith("\n\ndef rank")


def test_whole_program_in_a_fence_is_accepted() -> None:
    reply = "COMMIT: rewrite\nHere it is:\n```python\nclass KnowledgeBase:\n    pass\n```\n"
    parsed = parse_reply(reply)
    assert parsed.program == "class KnowledgeBase:\n    pass\n"
    assert parsed.commit_message == "rewrite"


def test_unknown_reply_shape_is_an_error() -> None:
    with pytest.raises(EditError, match="neither SEARCH/REPLACE blocks nor"):
        parse_reply("I think the program is fine.")


@pytest.mark.parametrize(
    ("search", "message"),
    [
        ("TOP_K = 7", "SEARCH block 1 (starting 'TOP_K = 7') is not in the current program"),
        ("\n", "SEARCH block 1 is empty"),
    ],
)
def test_edits_that_do_not_apply_say_which_block_and_why(search: str, message: str) -> None:
    with pytest.raises(EditError, match=message.replace("(", r"\(").replace(")", r"\)")):
        apply_edits(SOURCE, ((search, "x"),))


def test_ambiguous_search_is_refused() -> None:
    with pytest.raises(EditError, match="matches 2 places"):
        apply_edits("a = 1\na = 1\n", (("a = 1", "a = 2"),))
