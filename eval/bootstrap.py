"""Confidence intervals and paired comparison by resampling per-unit counts.

Scorers record, per headline metric, three counts for every sentence (``matched``,
``predicted``, ``gold``) in a :class:`Ledger`. The bootstrap resamples units
(documents, or sentences when there are fewer than :data:`MIN_DOCUMENTS`
documents) with replacement and recomputes F1 from the summed counts — nothing
is re-scored, so it costs O(samples x units) additions whatever the corpus size.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from .prf import PRF

MIN_DOCUMENTS = 30
CONFIDENCE = 0.95
_CHUNK_CELLS = 4_000_000  # resampled indices held in memory at once


@dataclass
class Ledger:
    """Per-sentence counts for each headline metric; ``doc_of[i]`` is the document index of sentence i."""

    sentence_ids: Sequence[str]
    doc_of: np.ndarray
    document_ids: list[str]
    counts: dict[str, np.ndarray] = field(default_factory=dict)
    documents_only: bool = False  # counts are per document (kept in its first sentence): resample documents

    def _row(self, metric: str) -> np.ndarray:
        if metric not in self.counts:
            self.counts[metric] = np.zeros((3, len(self.sentence_ids)), dtype=np.float64)
        return self.counts[metric]

    def add(self, metric: str, unit: int, matched: float = 0.0, predicted: int = 0, gold: int = 0) -> None:
        row = self._row(metric)
        row[0, unit] += matched
        row[1, unit] += predicted
        row[2, unit] += gold

    def set(self, metric: str, matched: np.ndarray, predicted: np.ndarray, gold: np.ndarray) -> None:
        self.counts[metric] = np.vstack([matched, predicted, gold]).astype(np.float64)

    def add_items(self, items: Items, units: Callable[[np.ndarray], np.ndarray]) -> None:
        """Add gathered counts; ``units`` maps an array of positions to sentence indices."""
        placed: dict[int, np.ndarray] = {}  # a list of positions shared by several rows is placed once
        for (metric, row), parts in items.parts.items():
            for positions, weights in parts:
                if len(positions) == 0:
                    continue
                if id(positions) not in placed:
                    placed[id(positions)] = units(np.asarray(positions, dtype=np.int64))
                self._row(metric)[row] += np.bincount(placed[id(positions)], weights=weights, minlength=len(self.sentence_ids))

    def total(self, metric: str) -> PRF:
        m, p, g = self._row(metric).sum(axis=1)
        return PRF(float(m), int(p), int(g))

    @property
    def unit(self) -> str:
        return "document" if self.documents_only or len(self.document_ids) >= MIN_DOCUMENTS else "sentence"

    def units(self, metric: str) -> np.ndarray:
        """(3, n_units) counts over the resampling unit."""
        row = self._row(metric)
        if self.unit == "sentence":
            return row
        out = np.zeros((3, len(self.document_ids)))
        for k in range(3):
            out[k] = np.bincount(self.doc_of, weights=row[k], minlength=len(self.document_ids))
        return out


#: The rows of a ledger table.
MATCHED, PREDICTED, GOLD = 0, 1, 2


@dataclass
class Items:
    """Counts for a :class:`Ledger` gathered while scoring, each at a *position* (a character
    offset, tagged with its document by :class:`SentenceIndex`), turned into sentence units
    all at once by :meth:`Ledger.add_items`: a million ``Ledger.add`` calls would cost seconds.

    Items count 1 each unless given weights (a partial credit, a number of tokens).
    """

    parts: dict[tuple[str, int], list[tuple[Sequence[int], Sequence[float] | None]]] = field(default_factory=dict)
    _own: dict[tuple[str, int], tuple[list[int], list[float]]] = field(default_factory=dict)

    def extend(self, metric: str, row: int, positions: Sequence[int], weights: Sequence[float] | None = None) -> None:
        """Add a few items to the row (copied)."""
        if (metric, row) not in self._own:
            self._own[metric, row] = ([], [])
            self.add_list(metric, row, *self._own[metric, row])
        held, held_weights = self._own[metric, row]
        held.extend(positions)
        held_weights.extend([1.0] * len(positions) if weights is None else weights)

    def add_list(self, metric: str, row: int, positions: Sequence[int], weights: Sequence[float] | None = None) -> None:
        """Add a whole list (or array) of items to the row (kept, not copied: several rows may share it)."""
        self.parts.setdefault((metric, row), []).append((positions, weights))

    def add_to(self, ledger: Ledger | None, unit_of: Callable[[int], int]) -> None:
        """Add the counts to ``ledger`` one by one, ``unit_of`` giving the sentence of a position (small inputs)."""
        if ledger is not None:
            ledger.add_items(self, lambda positions: np.array([unit_of(int(p)) for p in positions], dtype=np.int64))


class Offsets(Protocol):
    @property
    def start(self) -> int: ...


class SentenceIndex:
    """Sentence units of the documents of a ledger, to place many positions at once.

    Documents are added in ledger order with their sentence starts; an offset of
    document ``d`` is the position ``base(d) + offset``. Its unit is the document's last
    sentence starting at or before the offset (its first sentence for an offset before
    that), as ``score._units`` defines the unit of an offset.
    """

    OFFSET_BITS = 32  # offsets are code points of one article: below 2**32

    def __init__(self) -> None:
        self._keys: list[int] = []
        self._first: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray] | None = None

    def add_document(self, sentences: Iterable[Offsets]) -> int:
        """Register the next document (its sentences, in order) and return its base position."""
        base = len(self._first) << self.OFFSET_BITS
        self._first.append(len(self._keys))
        self._keys.extend([base + s.start for s in sentences])
        self._arrays = None
        return base

    def same_unit(self, first: int, last: int) -> bool:
        """True when the positions ``first`` <= ``last`` of one document are in the same sentence unit."""
        after = bisect.bisect_right(self._keys, first)
        return after == len(self._keys) or self._keys[after] > last

    def units(self, positions: np.ndarray) -> np.ndarray:
        if self._arrays is None:
            self._arrays = np.array(self._keys, dtype=np.int64), np.array(self._first, dtype=np.int64)
        keys, first = self._arrays
        found = np.searchsorted(keys, positions, side="right") - 1
        return np.maximum(found, first[positions >> self.OFFSET_BITS])


def _f1(m: np.ndarray, p: np.ndarray, g: np.ndarray) -> np.ndarray:
    """F1 per resample; NaN where the resample has neither predictions nor gold (undefined, left out)."""
    den = p + g
    return np.divide(2 * m, den, out=np.full(m.shape, np.nan), where=den > 0)


def _percentiles(x: np.ndarray) -> list[float] | None:
    alpha = (1 - CONFIDENCE) / 2 * 100
    x = x[~np.isnan(x)]
    return [float(v) for v in np.percentile(x, [alpha, 100 - alpha])] if len(x) else None


def _replicates(tables: list[np.ndarray], samples: int, seed: int) -> list[np.ndarray]:
    """F1 of each table (3, n) on ``samples`` resamples of the same unit indices."""
    n = tables[0].shape[1]
    rng = np.random.default_rng(seed)
    out = [np.empty(samples) for _ in tables]
    chunk = max(1, min(samples, _CHUNK_CELLS // max(n, 1)))
    for lo in range(0, samples, chunk):
        hi = min(samples, lo + chunk)
        idx = rng.integers(0, n, size=(hi - lo, n))
        for t, table in zip(tables, out):
            m, p, g = (t[k][idx].sum(axis=1) for k in range(3))
            table[lo:hi] = _f1(m, p, g)
    return out


def describe(ledger: Ledger, samples: int, seed: int) -> dict[str, Any]:
    return {"samples": samples, "seed": seed, "unit": ledger.unit,
            "units": len(ledger.document_ids) if ledger.unit == "document" else len(ledger.sentence_ids),
            "confidence": CONFIDENCE, "method": "percentile"}


def intervals(ledger: Ledger, metrics: list[str], samples: int, seed: int) -> dict[str, list[float] | None]:
    """95 % percentile interval of F1 per metric (None when there are fewer than 2 units or no samples)."""
    tables = [ledger.units(m) for m in metrics]
    if samples <= 0 or not tables or tables[0].shape[1] < 2:
        return {m: None for m in metrics}
    reps = _replicates(tables, samples, seed)
    return {m: _percentiles(r) for m, r in zip(metrics, reps)}


def paired(a: Ledger, b: Ledger, metrics: list[str], samples: int, seed: int) -> dict[str, dict[str, Any]]:
    """Paired bootstrap of F1(A) - F1(B) over the same resampled units.

    The p-value is two-sided, from the bootstrap distribution shifted to the null
    (Berg-Kirkpatrick et al. 2012): ``(1 + #{|d* - d| >= |d|}) / (samples + 1)``,
    over the samples where both F1 are defined.
    """
    out: dict[str, dict[str, Any]] = {}
    tables = [t for m in metrics for t in (a.units(m), b.units(m))]
    reps = _replicates(tables, samples, seed) if samples > 0 and tables and tables[0].shape[1] >= 2 else None
    for i, m in enumerate(metrics):
        fa, fb = a.total(m).f1, b.total(m).f1
        d = fa - fb
        entry: dict[str, Any] = {"a": fa, "b": fb, "difference": d, "ci": None, "p_value": None}
        if reps is not None:
            diffs = reps[2 * i] - reps[2 * i + 1]
            entry["ci"] = _percentiles(diffs)
            diffs = diffs[~np.isnan(diffs)]
            extreme = int(np.sum(np.abs(diffs - d) >= abs(d)))
            entry["p_value"] = (1 + extreme) / (len(diffs) + 1)
        out[m] = entry
    return out
