"""Event scoring with the ACE / TextEE definitions, from sets of tuples per document.

* Tri-I: trigger offsets match; Tri-C: offsets and event type match.
* Arg-I: argument offsets and the event type match; Arg-C: and the role.
* Arg-I+ / Arg-C+ ("attached"): the argument's trigger offsets must match too.
* Realis accuracy: over predicted events whose trigger and type match a gold event.

Tuples are sets, so duplicates collapse as in TextEE. A tuple counts in the
sentence of its first occurrence (the trigger's for Tri-*, the argument's for
Arg-*). Per event type the Tri-C, Arg-I and Arg-C tuples that carry the type are
counted; they are exactly the tuples the type's own events give.

For speed on a million events, one pass over a document's events builds the
tuples of every metric, and the corpus totals are kept in mutable counters.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..dataset.model import Argument, Article, Entity, Event
from . import bootstrap as bs
from .prf import PRF, Accuracy, layer_report
from .predictions import PredEvent

METRICS = ("tri_i", "tri_c", "arg_i", "arg_c", "arg_i_attached", "arg_c_attached")
PER_TYPE = ("tri_c", "arg_i", "arg_c")
#: The event type in the tuples of the per-type metrics.
_EVENT_TYPE = operator.itemgetter(2)


class Offsets(Protocol):
    """Anything with a character span: a :class:`Span`, an :class:`Entity` mention."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


@dataclass
class Tuples:
    """The tuples of every metric of one side of a document: ``{tuple: position of its first occurrence}``,
    and the realis values given for each (trigger start, end, type), in order."""

    keys: dict[str, dict[Hashable, int]]
    realis: dict[Hashable, list[str | None]]


def tuples_of(events: Iterable[PredEvent | Event], span_of: Callable[[Any], Offsets], base: int = 0) -> Tuples:
    """The tuples of a document's events (``span_of``: an argument's span); positions are ``base`` + offset."""
    tri_i: dict[Hashable, int] = {}
    tri_c: dict[Hashable, int] = {}
    arg_i: dict[Hashable, int] = {}
    arg_c: dict[Hashable, int] = {}
    arg_i_attached: dict[Hashable, int] = {}
    arg_c_attached: dict[Hashable, int] = {}
    realis: dict[Hashable, list[str | None]] = {}
    for ev in events:
        typ, ts, te = ev.type, ev.trigger.start, ev.trigger.end
        tri_i.setdefault((ts, te), base + ts)
        tri_c.setdefault((ts, te, typ), base + ts)
        realis.setdefault((ts, te, typ), []).append(ev.realis)
        for a in ev.arguments:
            s = span_of(a)
            start, end, role, at = s.start, s.end, a.role, base + s.start
            arg_i.setdefault((start, end, typ), at)
            arg_c.setdefault((start, end, typ, role), at)
            arg_i_attached.setdefault((ts, te, typ, start, end), at)
            arg_c_attached.setdefault((ts, te, typ, start, end, role), at)
    keys = {"tri_i": tri_i, "tri_c": tri_c, "arg_i": arg_i, "arg_c": arg_c,
            "arg_i_attached": arg_i_attached, "arg_c_attached": arg_c_attached}
    return Tuples(keys, realis)


#: The span of a predicted argument.
predicted_span = operator.attrgetter("span")


def gold_span(article: Article) -> Callable[[Argument], Offsets]:
    """The span of a gold argument: its own, or the offsets of the entity mention it refers to."""
    ents: dict[str, Entity] = {}

    def span_of(a: Argument) -> Offsets:
        if a.ref.span is not None:
            return a.ref.span
        if not ents:
            ents.update((e.id, e) for e in article.layers.entities)
        return ents[a.ref.entity]  # type: ignore[index]

    return span_of


@dataclass
class Totals:
    """Corpus totals of the event metrics, per type and realis, added one document at a time.

    With ``items``, the per-sentence counts of the six metrics go there (at :meth:`finish`).
    """

    items: bs.Items | None = None
    _counts: dict[str, list[int]] = field(default_factory=lambda: {m: [0, 0, 0] for m in METRICS})  # matched, predicted, gold
    # per metric and ledger row (matched, predicted, gold): the positions of the tuples, and the event type of per-type metrics' ones
    _at: dict[str, tuple[list[int], list[int], list[int]]] = field(default_factory=lambda: {m: ([], [], []) for m in METRICS})
    _types: dict[str, tuple[list[str], list[str], list[str]]] = field(default_factory=lambda: {m: ([], [], []) for m in PER_TYPE})
    _realis: list[int] = field(default_factory=lambda: [0, 0])  # matched triggers, correct

    def add(self, pred: Tuples, gold: Tuples) -> None:
        for m in METRICS:
            p, g = pred.keys[m], gold.keys[m]
            hits = p.keys() & g.keys()
            counts = self._counts[m]
            counts[0] += len(hits)
            counts[1] += len(p)
            counts[2] += len(g)
            if self.items is not None:
                matched_at, predicted_at, gold_at = self._at[m]
                matched_at.extend(map(g.__getitem__, hits))
                predicted_at.extend(p.values())
                gold_at.extend(g.values())
            if m in PER_TYPE:
                matched_types, predicted_types, gold_types = self._types[m]
                matched_types.extend(map(_EVENT_TYPE, hits))
                predicted_types.extend(map(_EVENT_TYPE, p))
                gold_types.extend(map(_EVENT_TYPE, g))
        for key in pred.realis.keys() & gold.realis.keys():  # the last predicted event of a trigger and type is judged
            self._realis[0] += 1
            self._realis[1] += pred.realis[key][-1] in gold.realis[key]

    def finish(self) -> dict[str, Any]:
        """``{metric: PRF, "per_type": {type: {metric: PRF}}, "realis": Accuracy}``; the ledger counts go to ``items``."""
        if self.items is not None:
            for m, rows in self._at.items():
                for row, positions in zip((bs.MATCHED, bs.PREDICTED, bs.GOLD), rows):
                    self.items.add_list(f"events.{m}", row, positions)
        out: dict[str, Any] = {m: PRF(*self._counts[m]) for m in METRICS}
        counted = {m: [Counter(types) for types in rows] for m, rows in self._types.items()}
        present = counted["tri_c"][1] | counted["tri_c"][2]  # every event gives a Tri-C tuple
        out["per_type"] = {t: {m: PRF(*(c[t] for c in counted[m])) for m in PER_TYPE} for t in sorted(present)}
        out["realis"] = Accuracy(*self._realis)
        return out


def score_document(pred: Sequence[PredEvent], gold: Sequence[PredEvent], unit_of: Callable[[int], int],
                   ledger: bs.Ledger | None) -> dict[str, Any]:
    """Every metric for one document; per-sentence counts go to ``ledger`` (``unit_of``: the sentence of an offset)."""
    totals = Totals(bs.Items())
    totals.add(tuples_of(pred, predicted_span), tuples_of(gold, predicted_span))
    out = totals.finish()
    totals.items.add_to(ledger, unit_of)  # type: ignore[union-attr]
    return out


def report(total: dict[str, Any]) -> dict[str, Any]:
    return layer_report(total, METRICS, "realis", "realis", "matched_triggers")
