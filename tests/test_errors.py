"""Error messages stay readable however much is wrong: problems and the values shown are capped."""

from oncomix.errors import MAX_PROBLEM_CHARS, MAX_PROBLEMS_SHOWN, OncomixInputError
from oncomix.readers import MAX_SHOWN_CHARS, listed


def test_a_flood_of_problems_is_cut_to_a_readable_message():
    message = str(OncomixInputError([f"config: unknown key {'k' * 100_000}{i}" for i in range(10_000)]))
    assert (
        message.startswith("10000 input problem(s) found:") and f"... and {10_000 - MAX_PROBLEMS_SHOWN} more" in message
    )
    assert len(message) < (MAX_PROBLEMS_SHOWN + 2) * (MAX_PROBLEM_CHARS + 10)


def test_listed_values_are_cut_and_blanks_at_their_ends_shown():
    assert listed(["T004 ", "T005"]) == "'T004 ', T005"
    assert len(listed(["x" * 10_000])) == MAX_SHOWN_CHARS
