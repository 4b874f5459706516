"""Command-line parsing shared by the app's commands.

Example:
    >>> parser = OneLineParser(prog="demo")
    >>> _ = parser.add_argument("--steps", type=int)
    >>> parser.parse_args(["--steps", "3"]).steps
    3
"""

from __future__ import annotations

import argparse
from typing import NoReturn

__all__ = ["OneLineParser"]


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong, and where help is.

    (argparse's own print the whole usage first.)
    """

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {self.hint(message)} (see {self.prog} --help)\n")

    def hint(self, message: str) -> str:
        """The error message, with advice added when there is some to give."""
        return message
