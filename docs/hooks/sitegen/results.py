"""Committed result reports (``eval/results/*.json``) and the agreement study (``annotations/passes/agreement.json``).

Both are written by other parts of the project, and their shapes may grow: the
readers here take what they recognise, and say plainly what they skip.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from akhbar import schema

RESULTS = "eval/results"
AGREEMENT = "annotations/passes/agreement.json"
METRICS = ("precision", "recall", "f1")


@dataclass(frozen=True)
class Score:
    value: float
    low: float | None = None
    high: float | None = None

    def __str__(self) -> str:
        ci = f" [{self.low:.4f}, {self.high:.4f}]" if self.low is not None and self.high is not None else ""
        return f"{self.value:.4f}{ci}"


def _number(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) else None


def _interval(x: Any) -> tuple[float, float] | None:
    """``[lo, hi]``, ``{"low": .., "high": ..}`` (or ``lo``/``hi``, ``lower``/``upper``)."""
    if isinstance(x, (list, tuple)) and len(x) == 2 and all(_number(v) is not None for v in x):
        return float(x[0]), float(x[1])
    if isinstance(x, dict):
        for lo, hi in (("low", "high"), ("lo", "hi"), ("lower", "upper"), ("ci_low", "ci_high")):
            if _number(x.get(lo)) is not None and _number(x.get(hi)) is not None:
                return float(x[lo]), float(x[hi])
    return None


def score(block: dict[str, Any], metric: str) -> Score | None:
    """A metric of a score block: a number, or ``{"value"|"score"|"mean": x, "ci": [lo, hi]}``; a sibling
    ``<metric>_ci`` or ``ci: {<metric>: [lo, hi]}`` gives the confidence interval."""
    raw = block.get(metric)
    value = _number(raw)
    ci = None
    if isinstance(raw, dict):
        value = next((_number(raw[k]) for k in ("value", "score", "mean", "estimate") if _number(raw.get(k)) is not None), None)
        ci = _interval(raw.get("ci")) or _interval(raw.get("interval")) or _interval(raw)
    if value is None:
        return None
    cis = block.get("ci") if isinstance(block.get("ci"), dict) else {}
    ci = ci or _interval(block.get(f"{metric}_ci")) or _interval(cis.get(metric))
    return Score(value, *ci) if ci else Score(value)


def headline(block: Any) -> dict[str, Score] | None:
    """P/R/F1 of a task block: at its top level, or in ``overall``/``micro``/``strict``/``scores``."""
    if not isinstance(block, dict):
        return None
    for candidate in (block, *(block.get(k) for k in ("overall", "micro", "micro avg", "strict", "scores", "total"))):
        if isinstance(candidate, dict):
            found = {m: s for m in METRICS if (s := score(candidate, m)) is not None}
            if "f1" in found:
                return found
    return None


@dataclass(frozen=True)
class Entry:
    file: str
    system: str
    task: str
    benchmark_version: str
    scores: dict[str, Score]


def load_results(root: Path) -> tuple[list[tuple[str, dict[str, Any]]], list[Entry], list[str]]:
    """(reports as (path, JSON)), leaderboard entries, and one line per file skipped with the reason."""
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
        task = doc["task"]
        scores = headline(doc.get(task))
        if scores is None:
            skipped.append(f"`{rel}`: no F1 found in its `{task}` block")
            continue
        system = next((str(doc[k]) for k in ("system", "name", "model") if isinstance(doc.get(k), (str, int, float))), path.stem)
        entries.append(Entry(rel, system, task, str(doc["benchmark_version"]), scores))
    return reports, entries, skipped


def leaderboard(entries: list[Entry], skipped: list[str]) -> str:
    """One table per task, best F1 first, with the confidence intervals the reports carry."""
    if not entries:
        out = "No result has been committed yet: the tables appear here once `eval/results/*.json` files exist.\n\n"
    else:
        out = ""
    for task in sorted({e.task for e in entries}):
        rows = sorted((e for e in entries if e.task == task), key=lambda e: (-e.scores["f1"].value, e.system))
        out += f"## {task}\n\n| rank | system | precision | recall | F1 [95% CI] | benchmark | report |\n|--:|---|--:|--:|--:|---|---|\n"
        for i, e in enumerate(rows, 1):
            cells = [str(e.scores[m]) if m in e.scores else "–" for m in METRICS]
            out += f"| {i} | {e.system} | {' | '.join(cells)} | {e.benchmark_version} | `{e.file}` |\n"
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


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(obj, dict):
        return [kv for k, v in obj.items() for kv in _flatten(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(obj, list) and all(not isinstance(v, (dict, list)) for v in obj):
        return [(prefix, ", ".join(str(v) for v in obj))]
    if isinstance(obj, list):
        return [kv for i, v in enumerate(obj) for kv in _flatten(v, f"{prefix}[{i}]")]
    return [(prefix, obj)]


def agreement(found: tuple[str, Any] | None) -> str:
    """The agreement study's figures as a table of every value in the file, or a plain statement of its absence."""
    if found is None:
        return ("**The inter-annotator agreement study has not been run yet.** Its figures will appear here, "
                f"generated from `{AGREEMENT}`, once the annotation team has made the second pass.\n")
    path, doc = found
    rows = "\n".join(f"| `{k}` | {f'{v:.4f}' if isinstance(v, float) else v} |" for k, v in _flatten(doc))
    return f"Figures read from `{path}` at build time:\n\n| measure | value |\n|---|--:|\n{rows}\n"
