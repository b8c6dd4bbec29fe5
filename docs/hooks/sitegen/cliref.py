"""The CLI reference: the ``--help`` of ``akhbar`` and of every subcommand, from the CLI's own parser."""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from collections.abc import Iterator

from akhbar.cli import parser

WIDTH = "100"


@contextmanager
def _columns() -> Iterator[None]:
    """argparse wraps help to the terminal width: fix it so that the page is the same on every machine."""
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        yield
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def subcommands() -> dict[str, argparse.ArgumentParser]:
    """The subcommands registered today, ``eval`` first (the page is the eval CLI reference)."""
    p = parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sorted(sub.choices.items(), key=lambda kv: (kv[0] != "eval", kv[0])))


def reference() -> str:
    with _columns():
        out = [f"```text\n$ akhbar --help\n{parser().format_help()}```\n"]
        for name, sp in subcommands().items():
            out.append(f"## `akhbar {name}`\n\n```text\n$ akhbar {name} --help\n{sp.format_help()}```\n")
    return "\n".join(out)
