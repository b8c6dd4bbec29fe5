"""Precision, recall and F1 from mergeable counts (in the style of spaCy's ``PRFScore``).

``matched`` is the credit the predictions earn: the number of true positives, or
``COR + 0.5 * PAR`` under partial matching. Precision is ``matched / predicted``,
recall ``matched / gold``; a ratio with a zero denominator is 0.0, as in seqeval.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


def ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def f1(matched: float, predicted: float, gold: float) -> float:
    """F1 = 2 * matched / (predicted + gold): the harmonic mean of precision and recall."""
    return ratio(2 * matched, predicted + gold)


@dataclass(frozen=True)
class PRF:
    matched: float = 0.0
    predicted: int = 0
    gold: int = 0

    def __add__(self, other: PRF) -> PRF:
        return PRF(self.matched + other.matched, self.predicted + other.predicted, self.gold + other.gold)

    @property
    def precision(self) -> float:
        return ratio(self.matched, self.predicted)

    @property
    def recall(self) -> float:
        return ratio(self.matched, self.gold)

    @property
    def f1(self) -> float:
        return f1(self.matched, self.predicted, self.gold)

    def to_dict(self) -> dict[str, Any]:
        m = int(self.matched) if float(self.matched).is_integer() else self.matched
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "matched": m, "predicted": self.predicted, "gold": self.gold}


@dataclass(frozen=True)
class Accuracy:
    """How many items were judged (``count``) and how many were right (mergeable)."""

    count: int = 0
    correct: int = 0

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.count + other.count, self.correct + other.correct)

    def to_dict(self, count_name: str) -> dict[str, Any]:
        return {count_name: self.count, "correct": self.correct, "accuracy": ratio(self.correct, self.count)}


def total(scores: Iterable[PRF]) -> PRF:
    out = PRF()
    for s in scores:
        out = out + s
    return out


def merge(a: Any, b: Any) -> Any:
    """Add two nested results: dicts key by key, counts (PRF, Accuracy, Outcomes, numbers) with ``+``."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        return {k: merge(a.get(k), b.get(k)) for k in sorted(set(a) | set(b))}
    return a + b


def layer_report(total: dict[str, Any], metrics: Sequence[str], accuracy: str, name: str, count: str) -> dict[str, Any]:
    """A task's report section: its metrics, the :class:`Accuracy` ``total[accuracy]``, and per type."""
    return {**{m: total[m].to_dict() for m in metrics},
            name: total[accuracy].to_dict(count),
            "per_type": {t: {m: s.to_dict() for m, s in v.items()} for t, v in total["per_type"].items()}}
