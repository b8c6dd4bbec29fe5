"""Regenerate the baselines' scores: ``python -m akhbar.eval.results [--gold G] [--split S] [--out DIR]``.

Runs every baseline, scores it with ``akhbar eval`` and writes
``DIR/baseline-NAME.predictions.jsonl`` and ``DIR/baseline-NAME.json`` (default
DIR: ``eval/results``). Deterministic: the same data gives byte-identical files.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..cli import main as akhbar
from .baselines import NAMES
from .gold import DEFAULT_GOLD


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m akhbar.eval.results", description=__doc__.splitlines()[0])
    p.add_argument("--gold", default=DEFAULT_GOLD)
    p.add_argument("--split", default="test")
    p.add_argument("--out", default="eval/results")
    args = p.parse_args(argv)
    out = Path(args.out)
    for name in NAMES:
        preds = out / f"baseline-{name}.predictions.jsonl"
        code = akhbar(["baseline", name, "--gold", args.gold, "--split", args.split, "-o", str(preds)])
        code = code or akhbar(["eval", str(preds), "--task", name, "--gold", args.gold, "--split", args.split,
                               "--json", str(out / f"baseline-{name}.json")])
        if code:
            return code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
