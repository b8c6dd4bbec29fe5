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

How it is computed (fast enough for a million mentions, with the results of the
definition, which ``tests/eval_reference.py`` keeps): the overlapping pairs of all
documents are found at once, with what their credit depends on (same boundaries
with and without the clitic rule, same type). Every table -- the four schemas,
the same without the clitic rule, each type's -- is a matching over those pairs.
A pair whose mentions are in no other pair is kept by every optimal matching when
it earns credit and is INC otherwise, so such pairs are just counted; the others
are matched document by document (:mod:`.matching`: SciPy only when a tie is
left, on the definition's matrix, so that it is broken as before).
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..dataset.validate import PROCLITICS
from . import bootstrap as bs
from . import matching as mt
from .normalize import normalize
from .prf import PRF

SCHEMAS = ("strict", "exact", "partial", "type")

#: The credit of an overlapping pair, by schema: (same boundaries, same type) -> credit.
CREDIT: dict[str, dict[tuple[bool, bool], float]] = {
    "strict": {(True, True): 1.0, (True, False): 0.0, (False, True): 0.0, (False, False): 0.0},
    "exact": {(True, True): 1.0, (True, False): 1.0, (False, True): 0.0, (False, False): 0.0},
    "partial": {(True, True): 1.0, (True, False): 1.0, (False, True): 0.5, (False, False): 0.5},
    "type": {(True, True): 1.0, (True, False): 0.0, (False, True): 1.0, (False, False): 0.0},
}


MAX_CLITICS = 3


@dataclass(frozen=True)
class Mention:
    """A mention to score: character span (-1 when the prediction has no offsets), type (in the target tagset), text."""

    start: int
    end: int
    type: str
    text: str


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


def same_bounds(text: str, ps: int, pe: int, gs: int, ge: int, clitics: bool) -> bool:
    """Whether a predicted span ``ps``-``pe`` and a gold span ``gs``-``ge`` have the same boundaries."""
    return pe == ge and (ps == gs or (clitics and ps < pe and gs < ge and clitic_same_start(text, ps, gs)))


@dataclass(frozen=True)
class Side:
    """One side's mentions of a document as parallel lists (cheap to build for a million mentions)."""

    starts: list[int]
    ends: list[int]
    types: list[str]

    @classmethod
    def of(cls, mentions: Sequence[Mention]) -> Side:
        return cls([m.start for m in mentions], [m.end for m in mentions], [m.type for m in mentions])


@dataclass
class _Columns:
    """The mentions of one side of many documents, one list per field (a document's mentions are contiguous)."""

    doc: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    first: list[int] = field(default_factory=lambda: [0])  # where each document's mentions start, then the total

    def add(self, d: int, side: Side) -> None:
        self.doc.extend([d] * len(side.starts))
        self.starts.extend(side.starts)
        self.ends.extend(side.ends)
        self.types.extend(side.types)
        self.first.append(len(self.starts))

    def side(self, d: int) -> Side:
        a, b = self.first[d], self.first[d + 1]
        return Side(self.starts[a:b], self.ends[a:b], self.types[a:b])


def _overlapping(pred: _Columns, gold: _Columns) -> tuple[np.ndarray, np.ndarray]:
    """(prediction, gold mention) of every overlapping pair of the same document, sorted.

    The gold mentions of a document that can overlap a prediction start before its end
    and at most ``longest`` (the document's longest gold mention) before its start;
    those that end after its start overlap it. Offsets are tagged with the document
    (``doc * 2**32 + offset``) so that one sorted array serves every document.
    """
    p_doc, p_start, p_end = (np.array(x, dtype=np.int64) for x in (pred.doc, pred.starts, pred.ends))
    g_doc, g_start, g_end = (np.array(x, dtype=np.int64) for x in (gold.doc, gold.starts, gold.ends))
    order = np.lexsort((g_start, g_doc))
    key = (g_doc[order] << 32) + g_start[order]
    longest = np.zeros(len(gold.first), dtype=np.int64)
    np.maximum.at(longest, g_doc, g_end - g_start)
    lo = np.searchsorted(key, (p_doc << 32) + p_start - longest[p_doc], side="left")
    hi = np.searchsorted(key, (p_doc << 32) + p_end, side="left")
    count = hi - lo
    pi = np.repeat(np.arange(len(p_doc)), count)
    gi = order[np.repeat(lo, count) + np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)]
    keep = (g_doc[gi] == p_doc[pi]) & (g_end[gi] > p_start[pi])
    pi, gi = pi[keep], gi[keep]
    o = np.lexsort((gi, pi))
    return pi[o], gi[o]


def _lone(pi: np.ndarray, gi: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Which pairs (of those ``among`` selects) have two mentions in no other of them."""
    per_pred = np.bincount(pi[among], minlength=int(pi.max(initial=-1)) + 1)
    per_gold = np.bincount(gi[among], minlength=int(gi.max(initial=-1)) + 1)
    return among & (per_pred[pi] == 1) & (per_gold[gi] == 1)


@dataclass
class _Pairs:
    """Every overlapping pair of many documents and what its credit depends on (arrays, sorted by prediction)."""

    pred: np.ndarray
    gold: np.ndarray
    same: np.ndarray  # same boundaries, clitic-aware when the rule is on
    plain: np.ndarray  # same boundaries without the clitic rule (identical offsets)
    same_type: np.ndarray
    lone: np.ndarray
    type_lone: np.ndarray
    type_id: np.ndarray  # the prediction's type, an index into type_names
    type_names: list[str]

    @classmethod
    def of(cls, texts: list[str], pred: _Columns, gold: _Columns, clitics: bool) -> _Pairs:
        pi, gi = _overlapping(pred, gold)
        ps, pe = np.array(pred.starts, dtype=np.int64)[pi], np.array(pred.ends, dtype=np.int64)[pi]
        gs, ge = np.array(gold.starts, dtype=np.int64)[gi], np.array(gold.ends, dtype=np.int64)[gi]
        plain = (ps == gs) & (pe == ge)
        same = plain.copy()
        if clitics:
            for k in np.flatnonzero((pe == ge) & ~plain).tolist():  # few: ends equal, starts not
                same[k] = same_bounds(texts[pred.doc[pi[k]]], int(ps[k]), int(pe[k]), int(gs[k]), int(ge[k]), True)
        names = sorted(set(pred.types) | set(gold.types))
        ids = {t: n for n, t in enumerate(names)}
        type_id = np.array([ids[t] for t in pred.types], dtype=np.int64)[pi]
        same_type = type_id == np.array([ids[t] for t in gold.types], dtype=np.int64)[gi]
        every = np.ones(len(pi), dtype=bool)
        return cls(pi, gi, same, plain, same_type, _lone(pi, gi, every), _lone(pi, gi, same_type), type_id, names)

    def document(self, a: int, b: int, pred: _Columns, gold: _Columns, d: int) -> Overlaps:
        """The pairs ``a:b`` (those of document ``d``) with the document's own mention indices."""
        pi, gi = (self.pred[a:b] - pred.first[d]).tolist(), (self.gold[a:b] - gold.first[d]).tolist()
        lone, type_lone, same_type = self.lone[a:b], self.type_lone[a:b], self.same_type[a:b]
        side = pred.side(d)
        return Overlaps(pi, gi, self.same[a:b].tolist(), self.plain[a:b].tolist(), same_type.tolist(), [side.types[i] for i in pi],
                        np.flatnonzero(lone).tolist(), np.flatnonzero(~lone).tolist(),
                        np.flatnonzero(type_lone).tolist(), np.flatnonzero(same_type & ~type_lone).tolist())


@dataclass(frozen=True)
class Overlaps:
    """Every overlapping (prediction, gold) pair of a document, sorted, and what its credit depends on.

    Pair ``k`` joins prediction ``pred[k]`` and gold mention ``gold[k]``. It is *lone*
    when neither mention is in another pair: then every optimal matching keeps it if it
    earns credit, and it is INC otherwise, whatever the other pairs do. The other pairs
    are *grouped*. The per-type tables only see same-type pairs: there a same-type pair
    is lone (``type_lone``) when neither mention is in another same-type pair.
    """

    pred: list[int]
    gold: list[int]
    same: list[bool]  # same boundaries, clitic-aware when the rule is on
    plain: list[bool]  # same boundaries without the clitic rule (identical offsets)
    same_type: list[bool]
    type: list[str]  # the prediction's type
    lone: list[int]
    grouped: list[int]
    type_lone: list[int]
    type_grouped: list[int]


def find_overlaps(text: str, pred: Side, gold: Side, clitics: bool) -> Overlaps:
    """The overlapping pairs of one document."""
    p, g = _Columns(), _Columns()
    p.add(0, pred)
    g.add(0, gold)
    pairs = _Pairs.of([text], p, g, clitics)
    return pairs.document(0, len(pairs.pred), p, g, 0)


class Cell(NamedTuple):
    """Counts of one table cell for part of a document's pairs: what was earned, which mentions were used."""

    matched: float
    correct: int
    partial: int
    incorrect: int
    used_pred: int
    used_gold: int


def cell(ov: Overlaps, chosen: list[int], credit: dict[int, float], candidates: list[int]) -> Cell:
    """Counts of a matching; ``candidates``: the pairs that may be left unmatched, largest overlap first.

    An unmatched pair between two mentions both left over is INC, assigned greedily
    from the largest overlap (then the lowest indices), each mention at most once.
    """
    used_p = {ov.pred[k] for k in chosen}
    used_g = {ov.gold[k] for k in chosen}
    incorrect = 0
    for k in candidates:
        i, j = ov.pred[k], ov.gold[k]
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            incorrect += 1
    correct = sum(1 for k in chosen if credit[k] == 1.0)
    return Cell(sum(credit[k] for k in chosen), correct, len(chosen) - correct, incorrect, len(used_p), len(used_g))


def lone_cell(kinds: Counter[tuple[bool, bool]], table: dict[tuple[bool, bool], float]) -> Cell:
    """Counts of lone pairs, by kind (same boundaries, same type): kept when they earn credit, INC otherwise."""
    matched: float = 0
    correct = partial = incorrect = 0
    for kind, n in kinds.items():
        credit = table[kind]
        if credit > 0:
            matched += credit * n
        if credit == 1.0:
            correct += n
        elif credit > 0:
            partial += n
        else:
            incorrect += n
    used = correct + partial + incorrect
    return Cell(matched, correct, partial, incorrect, used, used)


@dataclass(frozen=True)
class _Grouped:
    """The grouped pairs of one document, matched table by table."""

    ov: Overlaps
    candidates: list[int]  # those that get no credit in some table (all but same offsets and type), largest overlap first
    within: list[list[int]]  # the grouped pairs in connected groups

    @classmethod
    def of(cls, ov: Overlaps, pred: Side, gold: Side) -> _Grouped:
        """Pairs with credit in every table never become INC: an optimal matching leaves no positive pair with both mentions free."""
        def overlap(k: int) -> int:
            i, j = ov.pred[k], ov.gold[k]
            return min(pred.ends[i], gold.ends[j]) - max(pred.starts[i], gold.starts[j])

        ks = [k for k in ov.grouped if not (ov.plain[k] and ov.same_type[k])]
        return cls(ov, sorted(ks, key=lambda k: (-overlap(k), ov.pred[k], ov.gold[k])), mt.groups(ov.pred, ov.gold, ov.grouped))

    def credit(self, table: dict[tuple[bool, bool], float], same: list[bool], ks: list[int]) -> dict[int, float]:
        return {k: table[same[k], self.ov.same_type[k]] for k in ks}

    def score(self, credit: dict[int, float], lone_credit: Callable[[], dict[int, float]]) -> tuple[Cell, list[int]]:
        """The cell of the pairs ``credit`` gives, and the pairs kept; candidates outside them are not theirs.

        The definition's matrix (for SciPy, when a choice is left) holds every positive
        pair, lone ones (``lone_credit()``) included, on the rows and columns that have one.
        """
        def matrix() -> tuple[dict[int, float], None]:
            every = {k: c for k, c in credit.items() if c > 0}
            every.update((k, c) for k, c in lone_credit().items() if c > 0)
            return every, None

        chosen = mt.kept(self.ov.pred, self.ov.gold, credit, matrix, self.within)
        return cell(self.ov, chosen, credit, [k for k in self.candidates if credit.get(k) == 0]), chosen

    def table(self, same: list[bool]) -> tuple[dict[str, Cell], dict[str, tuple[list[int], dict[int, float]]]]:
        """The four schemas with the boundaries ``same``: cells, and the pairs kept with their credit."""
        ov = self.ov
        cells, chosen = {}, {}
        for schema, table in CREDIT.items():
            credit = self.credit(table, same, ov.grouped)
            cells[schema], ks = self.score(credit, lambda: self.credit(table, same, ov.lone))
            chosen[schema] = ks, credit
        return cells, chosen

    def per_type(self) -> dict[str, dict[str, Cell]]:
        """Each type's schemas on its grouped same-type pairs (both sides restricted to the type, as the definition says).

        Within one type strict is exact, and partial and type give every pair credit.
        """
        ov = self.ov
        by_type: dict[str, list[int]] = {}
        for k in ov.type_grouped:
            by_type.setdefault(ov.type[k], []).append(k)
        out = {}
        for t, ks in by_type.items():
            lone = [k for k in ov.type_lone if ov.type[k] == t]
            cells = {}
            for schema in ("exact", "partial", "type"):
                table = CREDIT[schema]
                cells[schema] = self.score(self.credit(table, ov.same, ks), lambda: self.credit(table, ov.same, lone))[0]
            out[t] = {"strict": cells["exact"], **cells}
        return out


def kept_pairs(ov: Overlaps, pred: Side, gold: Side, schema: str) -> list[int]:
    """The pairs that the optimal matching of ``schema`` keeps, with the boundary rule ``ov`` was found with."""
    lone = [k for k in ov.lone if CREDIT[schema][ov.same[k], ov.same_type[k]] > 0]
    if not ov.grouped:
        return lone
    _, chosen = _Grouped.of(ov, pred, gold).table(ov.same)
    return lone + chosen[schema][0]


def _credit_array(table: dict[tuple[bool, bool], float]) -> np.ndarray:
    """A credit table indexed by ``2 * same + same_type``."""
    return np.array([table[False, False], table[False, True], table[True, False], table[True, True]])


@dataclass
class Totals:
    """Corpus totals of every entity table: documents are added, then scored together by :meth:`finish`.

    Tables: ``schemas`` (with the boundary rule in force), ``no_clitics`` (without the
    clitic rule, when it is on) and ``per_type``. With ``items``, the per-sentence counts
    of the four schemas go there too.

    The overlapping pairs of all documents are found and classified at once (NumPy).
    Lone pairs are only counted by kind (same boundaries with and without the rule, same
    type; for the per-type tables type-lone pairs by type and boundaries); grouped pairs
    are matched document by document.
    """

    clitics: bool
    items: bs.Items | None = None
    prefix: str = "entities"
    _texts: list[str] = field(default_factory=list)
    _bases: list[int] = field(default_factory=list)  # each document's position base in ``items``
    _pred: _Columns = field(default_factory=_Columns)
    _gold: _Columns = field(default_factory=_Columns)
    _cells: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)  # (table, type, schema)

    def add(self, text: str, pred: Side, gold: Side, base: int = 0) -> None:
        """Add a document; ``base`` is its position base in ``items`` (see :class:`bs.SentenceIndex`)."""
        d = len(self._texts)
        self._texts.append(text)
        self._bases.append(base)
        self._pred.add(d, pred)
        self._gold.add(d, gold)

    def finish(self) -> dict[str, Any]:
        """The totals: ``{"schemas": {schema: Outcomes}, "no_clitics": ... (clitic rule on), "per_type": {type: {schema: Outcomes}}}``."""
        pairs = _Pairs.of(self._texts, self._pred, self._gold, self.clitics)
        self._add_lone(pairs)
        if self.items is not None:
            self._lone_ledger(self.items, pairs)
        self._add_grouped_documents(pairs)
        predicted, gold = Counter(self._pred.types), Counter(self._gold.types)
        n_pred, n_gold = len(self._pred.types), len(self._gold.types)
        out: dict[str, Any] = {"schemas": {s: self._outcomes("schemas", "", s, n_pred, n_gold) for s in SCHEMAS}}
        if self.clitics:
            out["no_clitics"] = {s: self._outcomes("no_clitics", "", s, n_pred, n_gold) for s in SCHEMAS}
        out["per_type"] = {t: {s: self._outcomes("per_type", t, s, predicted[t], gold[t]) for s in SCHEMAS} for t in sorted(predicted | gold)}
        return out

    def _add(self, table: str, t: str, cells: dict[str, Cell]) -> None:
        for schema, c in cells.items():
            total = self._cells.setdefault((table, t, schema), [0, 0, 0, 0, 0, 0])
            total[:] = map(operator.add, total, c)

    def _add_lone(self, pairs: _Pairs) -> None:
        """The lone pairs, counted by kind: (same boundaries, same type) per table, and per type."""
        kind = 4 * pairs.same + 2 * pairs.plain + pairs.same_type
        tables = ("schemas", "no_clitics") if self.clitics else ("schemas",)
        kinds: dict[str, Counter[tuple[bool, bool]]] = {table: Counter() for table in tables}
        for code, n in enumerate(np.bincount(kind[pairs.lone], minlength=8).tolist()):
            same, plain, same_type = bool(code & 4), bool(code & 2), bool(code & 1)
            kinds["schemas"][same, same_type] += n
            if self.clitics:
                kinds["no_clitics"][plain, same_type] += n
        for table, counted in kinds.items():
            self._add(table, "", {s: lone_cell(counted, CREDIT[s]) for s in SCHEMAS})
        typed = 2 * pairs.type_id + pairs.same
        for code, n in enumerate(np.bincount(typed[pairs.type_lone], minlength=2 * len(pairs.type_names)).tolist()):
            if n:
                counted = Counter({(bool(code & 1), True): n})
                self._add("per_type", pairs.type_names[code // 2], {s: lone_cell(counted, CREDIT[s]) for s in SCHEMAS})

    def _lone_ledger(self, items: bs.Items, pairs: _Pairs) -> None:
        """Per-sentence counts: every mention in its sentence, a lone pair's credit in its gold mention's."""
        bases = np.array(self._bases, dtype=np.int64)
        pred_at = bases[np.array(self._pred.doc, dtype=np.int64)] + np.array(self._pred.starts, dtype=np.int64)
        gold_at = bases[np.array(self._gold.doc, dtype=np.int64)] + np.array(self._gold.starts, dtype=np.int64)
        at = gold_at[pairs.gold[pairs.lone]]
        kind = (2 * pairs.same + pairs.same_type)[pairs.lone]
        for schema, table in CREDIT.items():
            credit = _credit_array(table)[kind]
            metric = f"{self.prefix}.{schema}"
            items.add_list(metric, bs.MATCHED, at[credit > 0], credit[credit > 0])
            items.add_list(metric, bs.PREDICTED, pred_at)
            items.add_list(metric, bs.GOLD, gold_at)

    def _add_grouped_documents(self, pairs: _Pairs) -> None:
        """The documents with grouped pairs, one by one."""
        pair_doc = np.array(self._pred.doc, dtype=np.int64)[pairs.pred]
        for d in np.unique(pair_doc[~pairs.lone]).tolist():
            a, b = np.searchsorted(pair_doc, [d, d + 1]).tolist()
            ov = pairs.document(a, b, self._pred, self._gold, d)
            gold = self._gold.side(d)
            self._add_grouped(_Grouped.of(ov, self._pred.side(d), gold), self._bases[d], gold)

    def _add_grouped(self, g: _Grouped, base: int, gold: Side) -> None:
        ov = g.ov
        cells, chosen = g.table(ov.same)
        self._add("schemas", "", cells)
        if self.clitics:
            differ = any(ov.same[k] != ov.plain[k] for k in ov.grouped)
            self._add("no_clitics", "", g.table(ov.plain)[0] if differ else cells)
        for t, type_cells in g.per_type().items():
            self._add("per_type", t, type_cells)
        if self.items is not None:
            for schema, (ks, credit) in chosen.items():
                self.items.extend(f"{self.prefix}.{schema}", bs.MATCHED, [base + gold.starts[ov.gold[k]] for k in ks], [credit[k] for k in ks])

    def _outcomes(self, table: str, t: str, schema: str, predicted: int, gold: int) -> Outcomes:
        matched, correct, partial, incorrect, used_p, used_g = self._cells.get((table, t, schema), [0, 0, 0, 0, 0, 0])
        return Outcomes(matched, predicted, gold, int(correct), int(incorrect), int(partial), gold - int(used_g), predicted - int(used_p))


def score_document(text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool) -> dict[str, Outcomes]:
    """Outcomes per schema for one document."""
    totals = Totals(clitics)
    totals.add(text, Side.of(pred), Side.of(gold))
    return totals.finish()["schemas"]


def score_text(pred: Sequence[Mention], gold: Sequence[Mention]) -> PRF:
    """Offset-free matching: multisets of (type, normalised text); true positives are their intersection."""
    p = Counter((m.type, normalize(m.text)) for m in pred)
    g = Counter((m.type, normalize(m.text)) for m in gold)
    return PRF(sum((p & g).values()), sum(p.values()), sum(g.values()))
