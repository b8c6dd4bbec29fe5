"""Entity scoring on character spans (nested mentions allowed).

Four schemas after SemEval-2013 Task 9.1 / nervaluate, each scored by an optimal
one-to-one matching between predicted and gold mentions of a document (so the
result does not depend on the order of the mentions and nothing is counted
twice). The credit of a pair:

========  ==========================================  ======
schema    pair                                        credit
========  ==========================================  ======
strict    same boundaries and same type               1
exact     same boundaries                             1
partial   same boundaries / overlapping boundaries    1 / ½
type      overlapping boundaries and same type        1
========  ==========================================  ======

Precision = credit / predicted mentions, recall = credit / gold mentions.
Outcomes are also classified as nervaluate does: COR (credit 1), PAR (credit ½),
INC (left unmatched but overlapping a left-over mention of the other side),
MIS (gold left over), SPU (prediction left over).

*Same boundaries* is clitic-aware by default: spans that end together and whose
starts differ only by attached proclitics (و ف ب ل ك, alone or combined, at the
start of a word) have the same boundaries; the matches this rule adds are
reported separately, with the scores without it.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..dataset.validate import PROCLITICS
from .bootstrap import Ledger
from .normalize import normalize
from .prf import PRF

SCHEMAS = ("strict", "exact", "partial", "type")


class Pair(NamedTuple):
    """A matched (prediction index, gold index) and the credit it earns."""

    pred: int
    gold: int
    credit: float
MAX_CLITICS = 3


@dataclass(frozen=True)
class Mention:
    """A mention to score: character span, type (in the target tagset), text, sentence index."""

    start: int
    end: int
    type: str
    text: str
    unit: int


@dataclass(frozen=True)
class Outcomes:
    """Counts of one schema (mergeable)."""

    matched: float = 0.0
    predicted: int = 0
    gold: int = 0
    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0

    def __add__(self, o: Outcomes) -> Outcomes:
        return Outcomes(*(a + b for a, b in zip(self.astuple(), o.astuple())))

    def astuple(self) -> tuple[float, ...]:
        return (self.matched, self.predicted, self.gold, self.correct, self.incorrect, self.partial, self.missed, self.spurious)

    def to_dict(self) -> dict[str, Any]:
        return {**PRF(self.matched, self.predicted, self.gold).to_dict(), "correct": self.correct,
                "incorrect": self.incorrect, "partial": self.partial, "missed": self.missed, "spurious": self.spurious}


def clitic_same_start(text: str, a: int, b: int) -> bool:
    """True when ``text[min:max]`` is one to three attached proclitics at the start of a word."""
    lo, hi = min(a, b), max(a, b)
    if not 0 < hi - lo <= MAX_CLITICS or any(c not in PROCLITICS for c in text[lo:hi]):
        return False
    return lo == 0 or not text[lo - 1].isalpha()


def same_bounds(text: str, p: Mention, g: Mention, clitics: bool) -> bool:
    return p.end == g.end and (p.start == g.start or (clitics and p.start < p.end and g.start < g.end and clitic_same_start(text, p.start, g.start)))


def credit(schema: str, text: str, p: Mention, g: Mention, clitics: bool) -> float:
    same = same_bounds(text, p, g, clitics)
    if schema == "strict":
        return 1.0 if same and p.type == g.type else 0.0
    if schema == "exact":
        return 1.0 if same else 0.0
    if schema == "partial":
        return 1.0 if same else 0.5
    return 1.0 if p.type == g.type else 0.0  # type: overlap is given


def overlapping_pairs(pred: Sequence[Mention], gold: Sequence[Mention]) -> list[tuple[int, int]]:
    """(pred index, gold index) of every overlapping pair (plus clitic-equal spans, which overlap)."""
    order = sorted(range(len(gold)), key=lambda j: gold[j].start)
    starts = [gold[j].start for j in order]
    longest = max((g.end - g.start for g in gold), default=0)
    out = []
    for i, p in enumerate(pred):
        lo = bisect.bisect_left(starts, p.start - longest)
        hi = bisect.bisect_left(starts, p.end)
        out.extend((i, order[k]) for k in range(lo, hi) if gold[order[k]].end > p.start)
    return sorted(out)


def match(schema: str, text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool,
          pairs: list[tuple[int, int]]) -> list[Pair]:
    """Optimal one-to-one matching maximising the schema's total credit: (pred, gold, credit)."""
    scored = [Pair(i, j, credit(schema, text, pred[i], gold[j], clitics)) for i, j in pairs]
    scored = [x for x in scored if x.credit > 0]
    if not scored:
        return []
    rows = sorted({x.pred for x in scored})
    cols = sorted({x.gold for x in scored})
    ri, ci = {v: k for k, v in enumerate(rows)}, {v: k for k, v in enumerate(cols)}
    w = np.zeros((len(rows), len(cols)))
    for x in scored:
        w[ri[x.pred], ci[x.gold]] = x.credit
    r, c = linear_sum_assignment(w, maximize=True)
    return [Pair(rows[a], cols[b], float(w[a, b])) for a, b in zip(r, c) if w[a, b] > 0]


def outcomes(matches: list[Pair], pred: Sequence[Mention], gold: Sequence[Mention],
             pairs: list[tuple[int, int]]) -> Outcomes:
    used_p = {m.pred for m in matches}
    used_g = {m.gold for m in matches}
    incorrect = 0
    for i, j in sorted(pairs, key=lambda ij: (-(min(pred[ij[0]].end, gold[ij[1]].end) - max(pred[ij[0]].start, gold[ij[1]].start)), ij)):
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            incorrect += 1
    cor = sum(1 for m in matches if m.credit == 1.0)
    par = len(matches) - cor
    return Outcomes(sum(m.credit for m in matches), len(pred), len(gold), cor, incorrect, par,
                    len(gold) - len(used_g), len(pred) - len(used_p))


def score_document(text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool,
                   ledger: Ledger | None = None, prefix: str = "entities") -> dict[str, Outcomes]:
    """Outcomes per schema for one document; per-sentence counts go to ``ledger``."""
    pairs = overlapping_pairs(pred, gold)
    out = {}
    for schema in SCHEMAS:
        m = match(schema, text, pred, gold, clitics, pairs)
        out[schema] = outcomes(m, pred, gold, pairs)
        if ledger is not None:
            metric = f"{prefix}.{schema}"
            for pair in m:
                ledger.add(metric, gold[pair.gold].unit, matched=pair.credit)
            for p in pred:
                ledger.add(metric, p.unit, predicted=1)
            for g in gold:
                ledger.add(metric, g.unit, gold=1)
    return out


def score_text(pred: Sequence[Mention], gold: Sequence[Mention]) -> PRF:
    """Offset-free matching: multisets of (type, normalised text); true positives are their intersection."""
    p = Counter((m.type, normalize(m.text)) for m in pred)
    g = Counter((m.type, normalize(m.text)) for m in gold)
    return PRF(sum((p & g).values()), sum(p.values()), sum(g.values()))
