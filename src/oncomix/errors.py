"""The package's own error type: one readable message per problem, naming the file, the place and the fix."""

from __future__ import annotations


class OncomixInputError(ValueError):
    """Bad input found before any heavy work. ``problems`` lists every problem found, one line each."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        header = f"{len(self.problems)} input problem(s) found:" if len(self.problems) > 1 else "input problem:"
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))
