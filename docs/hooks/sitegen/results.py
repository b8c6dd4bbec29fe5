"""Committed result reports (``eval/results/*.json``) and the agreement study (``annotations/passes/agreement.json``).

Both are written by other parts of the project, and their shapes may grow: the
readers here take what they recognise, and say plainly what they skip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar import schema

RESULTS = "eval/results"
AGREEMENT = "annotations/passes/agreement.json"


@dataclass(frozen=True)
class Score:
    value: float
    low: float | None = None
    high: float | None = None

    def __str__(self) -> str:
        ci = f" [{self.low:.4f}, {self.high:.4f}]" if self.low is not None and self.high is not None else ""
        return f"{self.value:.4f}{ci}"


@dataclass(frozen=True)
class Entry:
    file: str
    system: str
    task: str
    benchmark_version: str
    #: headline metric -> (precision, recall, F1 with its interval), in report order
    scores: dict[str, tuple[float, float, Score]]


def _entry(rel: str, system: str, doc: dict[str, Any]) -> Entry | None:
    scores = {}
    for metric, block in (doc.get("headline") or {}).items():
        ci = block.get("ci") or [None, None]
        if isinstance(block.get("f1"), (int, float)):
            scores[metric] = (block["precision"], block["recall"], Score(block["f1"], ci[0], ci[1]))
    return Entry(rel, system, doc["task"], str(doc["benchmark_version"]), scores) if scores else None


def load_results(root: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[Entry], list[str]]:
    """(reports as (path, JSON)), leaderboard entries, and one line per file skipped with the reason.

    A result file is an ``akhbar eval --json`` report named ``eval/results/SYSTEM.json``; its
    ``headline`` block (P/R/F1 and 95 % interval per headline metric) fills the table.
    """
    reports, entries, skipped = [], [], []
    validator = schema.validator("report")
    for path in sorted((root / RESULTS).glob("*.json")):
        rel = path.relative_to(root).as_posix()
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            skipped.append(f"`{rel}`: not valid JSON ({exc})")
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: e.json_path)
        if errors:
            skipped.append(f"`{rel}`: does not match the report schema at `{errors[0].json_path}`: {errors[0].message}")
            continue
        reports.append((rel, doc))
        entry = _entry(rel, path.stem, doc)
        if entry is None:
            skipped.append(f"`{rel}`: no headline F1 in the report")
            continue
        entries.append(entry)
    return reports, entries, skipped


def leaderboard(entries: list[Entry], skipped: list[str]) -> str:
    """One table per task, ranked by the first headline metric's F1, every headline metric with its interval."""
    if not entries:
        out = "No result has been committed yet: the tables appear here once `eval/results/*.json` files exist.\n\n"
    else:
        out = ""
    for task in sorted({e.task for e in entries}):
        rows = [e for e in entries if e.task == task]
        metrics = list(rows[0].scores)
        first = metrics[0]
        rows.sort(key=lambda e: (-e.scores[first][2].value if first in e.scores else 1, e.system))
        names = [m.split(".", 1)[-1] for m in metrics]
        out += f"## {task}\n\nRanked by `{first}` F1. P and R are those of `{first}`; every F1 is followed by its 95 % bootstrap interval.\n\n"
        out += "| rank | system | P | R | " + " | ".join(f"{n} F1 [95% CI]" for n in names) + " | benchmark | report |\n"
        out += "|--:|---|--:|--:|" + "--:|" * len(names) + "---|---|\n"
        for i, e in enumerate(rows, 1):
            p, r = (f"{x:.4f}" for x in e.scores[first][:2]) if first in e.scores else ("–", "–")
            cells = [str(e.scores[m][2]) if m in e.scores else "–" for m in metrics]
            out += f"| {i} | {e.system} | {p} | {r} | {' | '.join(cells)} | {e.benchmark_version} | `{e.file}` |\n"
        out += "\n"
    if skipped:
        out += "Result files not shown:\n\n" + "".join(f"- {s}\n" for s in skipped) + "\n"
    return out


def load_agreement(root: Path) -> tuple[str, Any] | None:
    path = root / AGREEMENT
    if not path.is_file():
        return None
    try:
        return AGREEMENT, json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{AGREEMENT}: not valid JSON: {exc}") from None


def agreement(found: tuple[str, Any] | None) -> str:
    """The agreement study (``akhbar agreement --json``): passes, the table, the adjudication summary."""
    if found is None:
        return ("**The inter-annotator agreement study has not been run yet.** Its figures will appear here, "
                f"generated from `{AGREEMENT}` (written by `akhbar agreement --json {AGREEMENT}`).\n")
    from akhbar.eval.agreement import table

    path, doc = found
    passes = "".join(f"- **{name}**: {what}\n" for name, what in doc["passes"].items())
    from akhbar.dataset.croissant import agreement_summary

    out = (f"Figures read from `{path}` (reproduce them with `akhbar agreement`), over "
           f"{len(doc['articles'])} article(s). The passes:\n\n{passes}\n"
           f"Each pair is scored with `akhbar eval` (one pass as gold, the other as predictions); F1 with its "
           f"95 % bootstrap interval over sentences ({doc['bootstrap']['samples']} resamples).\n\n{table(doc)}\n"
           f"**How to read it.** {agreement_summary(doc)[-1]} The full guidelines were written with this article in "
           f"view and cite many of its cases, so passes A and B had most decisions spelled out; pass C, made from the "
           f"general rules without the article's examples, is the more informative comparison.\n\n")
    adj = doc.get("adjudication")
    if adj:
        rules = ", ".join(adj["rules_added"]) or "none"
        out += (f"**Adjudication** (`{adj['file']}`): {adj['entries']} logged item(s) "
                f"({', '.join(f'{k}: {v}' for k, v in adj['by_layer'].items())}); guideline rules added: {rules}.\n\n"
                "| item | layer | disagreement | decision | rule |\n|---|---|---|---|---|\n"
                + "".join(f"| {d['id']} | {d['layer']} | {d['item']} | {d['decision']} | {d['rule']} |\n" for d in adj["decisions"]))
    return out
