"""The package's own error type: one readable message per problem, naming the file, the place and the fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

MAX_PROBLEMS_SHOWN = 30
MAX_PROBLEM_CHARS = 2000


class OncomixInputError(ValueError):
    """Bad input found before any heavy work. ``problems`` lists every problem found, one line each; the
    message shows the first ``MAX_PROBLEMS_SHOWN``, each cut to ``MAX_PROBLEM_CHARS`` characters."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        header = f"{len(self.problems)} input problem(s) found:" if len(self.problems) > 1 else "input problem:"
        lines = [f"  - {_cut(p)}" for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            lines.append(
                f"  ... and {len(self.problems) - MAX_PROBLEMS_SHOWN} more; fix these and run again to see the rest"
            )
        super().__init__("\n".join([header, *lines]))


def _cut(problem: str) -> str:
    return problem if len(problem) <= MAX_PROBLEM_CHARS else problem[: MAX_PROBLEM_CHARS - 30] + " ... (message cut)"


def did_you_mean(word: object, choices: Iterable, otherwise: str) -> str:
    """ "did you mean 'X'?" for the choice closest to a misspelt ``word``, or ``otherwise`` when none is close."""
    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else otherwise
