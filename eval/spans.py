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

How it is computed (fast enough for a million mentions, same results as the
definition): one pass per document finds the overlapping pairs and what their
credit depends on (same boundaries with and without the clitic rule, same type);
every table -- the four schemas, the same without the clitic rule, and each
type's -- is then a matching over those pairs. When no mention has two
positive-credit pairs the optimum takes every positive pair, so the Hungarian
algorithm runs only for documents where a mention has a choice, and on the same
matrix as the definition (ties are broken as SciPy breaks them).
"""

from __future__ import annotations

import bisect
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
    """A mention to score: character span, type (in the target tagset), text, and its sentence
    unit for callers that count per sentence (the scorers place items by offset)."""

    start: int
    end: int
    type: str
    text: str
    unit: int = 0


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


def overlapping_pairs(pred: Side, gold: Side) -> list[tuple[int, int]]:
    """(pred index, gold index) of every overlapping pair, sorted (clitic-equal spans overlap too)."""
    order = sorted(range(len(gold.starts)), key=gold.starts.__getitem__)
    starts = [gold.starts[j] for j in order]
    ends = [gold.ends[j] for j in order]
    longest = max((e - s for s, e in zip(gold.starts, gold.ends)), default=0)
    out = []
    for i, (ps, pe) in enumerate(zip(pred.starts, pred.ends)):
        for k in range(bisect.bisect_left(starts, ps - longest), bisect.bisect_left(starts, pe)):
            if ends[k] > ps:
                out.append((i, order[k]))
    out.sort()
    return out


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


def _split(pairs: Sequence[int], pred: list[int], gold: list[int]) -> tuple[list[int], list[int]]:
    """The pairs among ``pairs`` whose two mentions are in no other of them, and the others."""
    per_pred, per_gold = Counter([pred[k] for k in pairs]), Counter([gold[k] for k in pairs])
    lone, grouped = [], []
    for k in pairs:
        (lone if per_pred[pred[k]] == 1 and per_gold[gold[k]] == 1 else grouped).append(k)
    return lone, grouped


def find_overlaps(text: str, pred: Side, gold: Side, clitics: bool) -> Overlaps:
    pairs = overlapping_pairs(pred, gold)
    pi, gi = [i for i, _ in pairs], [j for _, j in pairs]
    spans = [(pred.starts[i], pred.ends[i], gold.starts[j], gold.ends[j]) for i, j in pairs]
    plain = [ps == gs and pe == ge for ps, pe, gs, ge in spans]
    same = [p or (pe == ge and same_bounds(text, ps, pe, gs, ge, clitics)) for p, (ps, pe, gs, ge) in zip(plain, spans)]
    types = [pred.types[i] for i in pi]
    same_type = [t == gold.types[j] for t, j in zip(types, gi)]
    lone, grouped = _split(range(len(pairs)), pi, gi)
    type_lone, type_grouped = _split([k for k, x in enumerate(same_type) if x], pi, gi)
    return Overlaps(pi, gi, same, plain, same_type, types, lone, grouped, type_lone, type_grouped)


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
    """Corpus totals of every entity table, added one document at a time.

    ``schemas`` (with the boundary rule in force), ``no_clitics`` (without the clitic
    rule, when it is on) and ``per_type``; :meth:`finish` gives the :class:`Outcomes`.
    With ``items``, the per-sentence counts of the four schemas go there too.

    Lone pairs are only counted by kind (same boundaries with and without the rule,
    same type; for the per-type tables type-lone pairs by type and boundaries) and
    scored at the end; grouped pairs are matched document by document.
    """

    clitics: bool
    items: bs.Items | None = None
    prefix: str = "entities"
    _cells: dict[tuple[str, str, str], list[float]] = field(default_factory=dict)  # (table, type, schema), grouped pairs
    _lone: Counter[tuple[bool, bool, bool]] = field(default_factory=Counter)  # (same, plain, same type)
    _type_lone: Counter[tuple[str, bool]] = field(default_factory=Counter)  # (type, same) of type-lone pairs
    _predicted: Counter[str] = field(default_factory=Counter)
    _gold: Counter[str] = field(default_factory=Counter)
    # for the ledger: positions of the predicted and gold mentions, and of the lone pairs' gold mention with their kind
    _pred_at: list[int] = field(default_factory=list)
    _gold_at: list[int] = field(default_factory=list)
    _lone_at: list[int] = field(default_factory=list)
    _lone_same: list[bool] = field(default_factory=list)
    _lone_same_type: list[bool] = field(default_factory=list)

    def _add(self, table: str, t: str, cells: dict[str, Cell]) -> None:
        for schema, c in cells.items():
            total = self._cells.setdefault((table, t, schema), [0, 0, 0, 0, 0, 0])
            total[:] = map(operator.add, total, c)

    def add(self, text: str, pred: Side, gold: Side, base: int = 0) -> None:
        """Score one document; ``base`` is its position base in ``items`` (see :class:`bs.SentenceIndex`)."""
        ov = find_overlaps(text, pred, gold, self.clitics)
        same, same_type = [ov.same[k] for k in ov.lone], [ov.same_type[k] for k in ov.lone]
        self._lone.update(zip(same, [ov.plain[k] for k in ov.lone], same_type))
        self._type_lone.update((ov.type[k], ov.same[k]) for k in ov.type_lone)
        self._predicted.update(pred.types)
        self._gold.update(gold.types)
        if self.items is not None:
            gold_at = [base + s for s in gold.starts]
            self._pred_at.extend([base + s for s in pred.starts])
            self._gold_at.extend(gold_at)
            self._lone_at.extend([gold_at[ov.gold[k]] for k in ov.lone])
            self._lone_same.extend(same)
            self._lone_same_type.extend(same_type)
        if ov.grouped:
            self._add_grouped(_Grouped.of(ov, pred, gold), base, gold)

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

    def _lone_cells(self, table: str) -> dict[str, Counter[tuple[bool, bool]]]:
        """Kinds (same boundaries, same type) of the lone pairs, per type for ``per_type`` (else under "")."""
        out: dict[str, Counter[tuple[bool, bool]]] = {}
        if table == "per_type":
            for (t, same), n in self._type_lone.items():
                out.setdefault(t, Counter())[same, True] += n
            return out
        kinds: Counter[tuple[bool, bool]] = Counter()
        for (same, plain, same_type), n in self._lone.items():
            kinds[plain if table == "no_clitics" else same, same_type] += n
        return {"": kinds}

    def _lone_ledger(self, items: bs.Items) -> None:
        at = np.array(self._lone_at, dtype=np.int64)
        kind = 2 * np.array(self._lone_same, dtype=np.int64) + np.array(self._lone_same_type, dtype=np.int64)
        for schema, table in CREDIT.items():
            credit = _credit_array(table)[kind]
            metric = f"{self.prefix}.{schema}"
            items.add_list(metric, bs.MATCHED, at[credit > 0].tolist(), credit[credit > 0].tolist())
            items.add_list(metric, bs.PREDICTED, self._pred_at)
            items.add_list(metric, bs.GOLD, self._gold_at)

    def finish(self) -> dict[str, Any]:
        """The totals: ``{"schemas": {schema: Outcomes}, "no_clitics": ... (clitic rule on), "per_type": {type: {schema: Outcomes}}}``.

        Also adds the per-sentence counts held back (mentions, lone pairs) to ``items``.
        """
        for table in ("schemas", "no_clitics", "per_type") if self.clitics else ("schemas", "per_type"):
            for t, kinds in self._lone_cells(table).items():
                self._add(table, t, {s: lone_cell(kinds, CREDIT[s]) for s in SCHEMAS})
        if self.items is not None:
            self._lone_ledger(self.items)
        n_pred, n_gold = sum(self._predicted.values()), sum(self._gold.values())
        out: dict[str, Any] = {"schemas": {s: self._outcomes("schemas", "", s, n_pred, n_gold) for s in SCHEMAS}}
        if self.clitics:
            out["no_clitics"] = {s: self._outcomes("no_clitics", "", s, n_pred, n_gold) for s in SCHEMAS}
        out["per_type"] = {t: {s: self._outcomes("per_type", t, s, self._predicted[t], self._gold[t]) for s in SCHEMAS}
                           for t in sorted(self._predicted | self._gold)}
        return out

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
