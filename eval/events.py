"""Event scoring with the ACE / TextEE definitions, from sets of tuples per document.

* Tri-I: trigger offsets match; Tri-C: offsets and event type match.
* Arg-I: argument offsets and the event type match; Arg-C: and the role.
* Arg-I+ / Arg-C+ ("attached"): the argument's trigger offsets must match too.
* Realis accuracy: over predicted events whose trigger and type match a gold event.

Tuples are sets, so duplicates collapse as in TextEE.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ..dataset.model import Article
from .bootstrap import Ledger
from .prf import Accuracy, layer_report, score_keyed
from .predictions import PredEvent

METRICS = ("tri_i", "tri_c", "arg_i", "arg_c", "arg_i_attached", "arg_c_attached")
PER_TYPE = ("tri_c", "arg_i", "arg_c")


def tuples(metric: str, events: Sequence[PredEvent], unit_of: Callable[[int], int]) -> dict[Hashable, int]:
    """The tuple set of one metric for a document's events: ``{tuple: sentence unit}``."""
    out: dict[Hashable, int] = {}
    for ev in events:
        t, u = ev.trigger, unit_of(ev.trigger.start)
        if metric == "tri_i":
            out.setdefault((t.start, t.end), u)
        elif metric == "tri_c":
            out.setdefault((t.start, t.end, ev.type), u)
        for a in ev.arguments if metric.startswith("arg") else ():
            s = a.span
            key: tuple[Any, ...] = {"arg_i": (s.start, s.end, ev.type), "arg_c": (s.start, s.end, ev.type, a.role),
                                    "arg_i_attached": (t.start, t.end, ev.type, s.start, s.end),
                                    "arg_c_attached": (t.start, t.end, ev.type, s.start, s.end, a.role)}[metric]
            out.setdefault(key, unit_of(s.start))
    return out


def gold_events(article: Article) -> list[PredEvent]:
    """Gold events in the prediction shape (argument references resolved to spans)."""
    from .predictions import PredArgument

    ents = {e.id: e.span for e in article.layers.entities}
    return [PredEvent(ev.type, ev.realis, ev.trigger,
                      tuple(PredArgument(a.role, a.ref.span if a.ref.span is not None else ents[a.ref.entity]) for a in ev.arguments))  # type: ignore[index]
            for ev in article.layers.events]


def score_document(pred: Sequence[PredEvent], gold: Sequence[PredEvent], unit_of: Callable[[int], int],
                   ledger: Ledger | None) -> dict[str, Any]:
    out: dict[str, Any] = {m: score_keyed(tuples(m, pred, unit_of), tuples(m, gold, unit_of), ledger, f"events.{m}") for m in METRICS}
    types = sorted({e.type for e in gold} | {e.type for e in pred})
    out["per_type"] = {t: {m: score_keyed(tuples(m, [e for e in pred if e.type == t], unit_of),
                                          tuples(m, [e for e in gold if e.type == t], unit_of)) for m in PER_TYPE}
                       for t in types}
    realis = {(e.trigger.start, e.trigger.end, e.type): set() for e in gold}
    for e in gold:
        realis[(e.trigger.start, e.trigger.end, e.type)].add(e.realis)
    matched = {(e.trigger.start, e.trigger.end, e.type): e.realis for e in pred if (e.trigger.start, e.trigger.end, e.type) in realis}
    out["realis"] = Accuracy(len(matched), sum(1 for k, r in matched.items() if r in realis[k]))
    return out


def report(total: dict[str, Any]) -> dict[str, Any]:
    return layer_report(total, METRICS, "realis", "realis", "matched_triggers")
