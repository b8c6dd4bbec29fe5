"""The ``akhbar`` command: a thin argparse layer over pure functions.

Each subpackage registers its own subcommands (``register(subparsers)``); a
handler returns the exit code. Errors the user can fix are raised as
:class:`~akhbar.errors.UserError` and printed as one line, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import BENCHMARK_VERSION
from .errors import UserError
from .schema import SCHEMA_VERSION


def parser() -> argparse.ArgumentParser:
    from .dataset import cli as dataset_cli

    p = argparse.ArgumentParser(prog="akhbar", description="Akhbar: a benchmark for information extraction from Arabic news.")
    p.add_argument("--version", action="version", version=f"akhbar {BENCHMARK_VERSION} (schema {SCHEMA_VERSION})")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in (dataset_cli, *_optional_modules()):
        module.register(sub)
    return p


def _optional_modules() -> list:
    """Subcommand modules of the other subpackages (present as they are built)."""
    import importlib

    out = []
    for name in ("akhbar.dataset.audit", "akhbar.eval.cli", "akhbar.eval.agreement", "akhbar.dataset.publish"):
        try:
            out.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except UserError as exc:
        print(f"akhbar {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"akhbar {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
