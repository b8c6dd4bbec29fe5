"""Errors the user can fix: one line, a location, a non-zero exit, no traceback."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """Bad input or a refused operation. ``str()`` is the one line shown to the user."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, order=True)
class Incident:
    """One problem found in a file, in the spirit of UD's validate.py.

    ``code`` is stable (tests and ``--exclude`` rely on it); ``pointer`` is an
    RFC 6901 JSON pointer (``/entities/3/text``) or ``line N`` for line-based input.
    """

    file: str
    pointer: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.pointer or '/'}: [{self.code}] {self.message}"


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the cut marked with an ellipsis: for one-line messages."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
