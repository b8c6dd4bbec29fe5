"""The span, event and quote scorers as they were before the fast paths: the reference.

This is the straightforward implementation of the definitions in docs/metrics.md
(one Hungarian matching per table, per-type tables re-scored from scratch, one
``Ledger.add`` per item, nested results merged document by document), kept
unchanged so that ``tests/test_eval_fast.py`` can check the fast scorers against
it, number for number, ledger count for ledger count.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from akhbar.dataset.model import Article, Span
from akhbar.dataset.text import LETTER_RE, TOKEN_RE
from akhbar.eval import tags as tg
from akhbar.eval.bootstrap import Ledger
from akhbar.eval.predictions import DocPredictions, PredArgument, PredEvent, PredQuote
from akhbar.eval.prf import PRF, Accuracy, merge
from akhbar.eval.quotes import GoldQuote, gold_quotes
from akhbar.eval import spans as sp
from akhbar.eval.spans import SCHEMAS, Outcomes, clitic_same_start

EVENT_METRICS = ("tri_i", "tri_c", "arg_i", "arg_c", "arg_i_attached", "arg_c_attached")
EVENT_PER_TYPE = ("tri_c", "arg_i", "arg_c")


def score_keyed(predicted: dict[Hashable, int], gold: dict[Hashable, int], ledger: Any = None, metric: str = "") -> PRF:
    hits = [k for k in predicted if k in gold]
    if ledger is not None:
        for k in hits:
            ledger.add(metric, gold[k], matched=1)
        for u in predicted.values():
            ledger.add(metric, u, predicted=1)
        for u in gold.values():
            ledger.add(metric, u, gold=1)
    return PRF(len(hits), len(predicted), len(gold))


# --- entities ------------------------------------------------------------------------


class Pair(NamedTuple):
    pred: int
    gold: int
    credit: float


@dataclass(frozen=True)
class Mention(sp.Mention):
    """A mention with the sentence unit it is counted in (the reference counts per mention)."""

    unit: int = 0


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
    return 1.0 if p.type == g.type else 0.0


def overlapping_pairs(pred: Sequence[Mention], gold: Sequence[Mention]) -> list[tuple[int, int]]:
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


def outcomes(matches: list[Pair], pred: Sequence[Mention], gold: Sequence[Mention], pairs: list[tuple[int, int]]) -> Outcomes:
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


def score_entities(text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool,
                   ledger: Ledger | None = None, prefix: str = "entities") -> dict[str, Outcomes]:
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


def strict_errors(text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool) -> list[tuple[str, int, str | None]]:
    """(FP or FN, mention index, other type) of the strict matching, as the error list gives them."""
    pairs = overlapping_pairs(pred, gold)
    matched = match("strict", text, pred, gold, clitics, pairs)
    mp, mg = {m.pred for m in matched}, {m.gold for m in matched}
    same = {(i, j) for i, j in pairs if same_bounds(text, pred[i], gold[j], clitics)}
    out = []
    for kind, items, used, side in (("FP", pred, mp, 0), ("FN", gold, mg, 1)):
        for k, _ in enumerate(items):
            if k not in used:
                other = next((gold[j].type if side == 0 else pred[i].type for i, j in sorted(same) if (i if side == 0 else j) == k), None)
                out.append((kind, k, other))
    return out


def entities_document(text: str, pred: Sequence[Mention], gold: Sequence[Mention], clitics: bool, ledger: Ledger) -> dict[str, Any]:
    out: dict[str, Any] = {"schemas": score_entities(text, pred, gold, clitics, ledger)}
    if clitics:
        out["no_clitics"] = score_entities(text, pred, gold, False)
    out["per_type"] = {t: score_entities(text, [m for m in pred if m.type == t], [m for m in gold if m.type == t], clitics)
                       for t in sorted({m.type for m in gold + pred})}
    return out


# --- events --------------------------------------------------------------------------


def event_tuples(metric: str, events: Sequence[PredEvent], unit_of: Callable[[int], int]) -> dict[Hashable, int]:
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
    ents = {e.id: e.span for e in article.layers.entities}
    return [PredEvent(ev.type, ev.realis, ev.trigger,
                      tuple(PredArgument(a.role, a.ref.span if a.ref.span is not None else ents[a.ref.entity]) for a in ev.arguments))  # type: ignore[index]
            for ev in article.layers.events]


def events_document(pred: Sequence[PredEvent], gold: Sequence[PredEvent], unit_of: Callable[[int], int],
                    ledger: Ledger | None) -> dict[str, Any]:
    out: dict[str, Any] = {m: score_keyed(event_tuples(m, pred, unit_of), event_tuples(m, gold, unit_of), ledger, f"events.{m}")
                           for m in EVENT_METRICS}
    types = sorted({e.type for e in gold} | {e.type for e in pred})
    out["per_type"] = {t: {m: score_keyed(event_tuples(m, [e for e in pred if e.type == t], unit_of),
                                          event_tuples(m, [e for e in gold if e.type == t], unit_of)) for m in EVENT_PER_TYPE}
                       for t in types}
    realis: dict[Any, set[Any]] = {(e.trigger.start, e.trigger.end, e.type): set() for e in gold}
    for e in gold:
        realis[(e.trigger.start, e.trigger.end, e.type)].add(e.realis)
    matched = {(e.trigger.start, e.trigger.end, e.type): e.realis for e in pred if (e.trigger.start, e.trigger.end, e.type) in realis}
    out["realis"] = Accuracy(len(matched), sum(1 for k, r in matched.items() if r in realis[k]))
    return out


# --- quotes --------------------------------------------------------------------------


def word_tokens(text: str, spans: Sequence[Span]) -> set[tuple[int, int]]:
    out = set()
    for s in spans:
        for m in TOKEN_RE.finditer(text, s.start, s.end):
            if LETTER_RE.search(m.group()) or any(c.isdigit() for c in m.group()):
                out.add((m.start(), m.end()))
    return out


def pair(text: str, pred: Sequence[PredQuote], gold: Sequence[PredQuote]) -> list[tuple[int, int]]:
    if not pred or not gold:
        return []
    pt = [word_tokens(text, q.content) for q in pred]
    gt = [word_tokens(text, q.content) for q in gold]
    w = np.array([[len(a & b) for b in gt] for a in pt], dtype=np.float64)
    r, c = linear_sum_assignment(w, maximize=True)
    return [(int(i), int(j)) for i, j in zip(r, c) if w[i, j] > 0]


def quote_keys(text: str, quotes: Sequence[PredQuote], unit_of: Callable[[int], int]) -> dict[str, dict[Hashable, int]]:
    return {
        "content_exact": {tuple(sorted((s.start, s.end) for s in q.content)): unit_of(q.content[0].start) for q in quotes if q.content},
        "content_tokens": {t: unit_of(t[0]) for t in word_tokens(text, [s for q in quotes for s in q.content])},
        "cue": {(q.cue.start, q.cue.end): unit_of(q.cue.start) for q in quotes if q.cue is not None},
    }


def _source(pred: Sequence[PredQuote], gold: Sequence[GoldQuote], pairs: list[tuple[int, int]],
            unit_of: Callable[[int], int], ledger: Ledger | None, metric: str | None) -> PRF:
    hits = [j for i, j in pairs if pred[i].source is not None and (pred[i].source.start, pred[i].source.end) in gold[j].sources]  # type: ignore[union-attr]
    if ledger is not None and metric:
        for j in hits:
            ledger.add(metric, unit_of(gold[j].quote.content[0].start), matched=1)
        for q in pred:
            if q.source is not None:
                ledger.add(metric, unit_of(q.content[0].start), predicted=1)
        for g in gold:
            if g.quote.source is not None:
                ledger.add(metric, unit_of(g.quote.content[0].start), gold=1)
    return PRF(len(hits), sum(q.source is not None for q in pred), sum(g.quote.source is not None for g in gold))


def _quote_metrics(text: str, pred: Sequence[PredQuote], gold: Sequence[GoldQuote], pairs: list[tuple[int, int]],
                   unit_of: Callable[[int], int], ledger: Ledger | None) -> dict[str, PRF]:
    kp, kg = quote_keys(text, pred, unit_of), quote_keys(text, [g.quote for g in gold], unit_of)
    out = {m: score_keyed(kp[m], kg[m], ledger, f"quotes.{m}") for m in kp}
    out["source"] = _source(pred, gold, pairs, unit_of, ledger, "quotes.source")
    return out


def quotes_document(text: str, pred: Sequence[PredQuote], gold: Sequence[GoldQuote], unit_of: Callable[[int], int],
                    ledger: Ledger | None) -> dict[str, Any]:
    pairs = pair(text, pred, [g.quote for g in gold])
    out: dict[str, Any] = _quote_metrics(text, pred, gold, pairs, unit_of, ledger)
    paired_type = {i: gold[j].quote.type for i, j in pairs}
    per_type: dict[str, dict[str, PRF]] = {}
    for t in sorted({g.quote.type for g in gold} | {q.type for q in pred if q.type}):  # type: ignore[type-var]
        pi = [i for i, q in enumerate(pred) if (q.type or paired_type.get(i)) == t]
        gi = [j for j, g in enumerate(gold) if g.quote.type == t]
        sub_p, sub_g = [pred[i] for i in pi], [gold[j] for j in gi]
        sub_pairs = [(pi.index(i), gi.index(j)) for i, j in pairs if i in pi and j in gi]
        per_type[t] = _quote_metrics(text, sub_p, sub_g, sub_pairs, unit_of, None)  # type: ignore[index]
    out["per_type"] = per_type
    typed = [(i, j) for i, j in pairs if pred[i].type is not None]
    out["type"] = Accuracy(len(typed), sum(1 for i, j in typed if pred[i].type == gold[j].quote.type))
    return out


# --- a corpus, as akhbar eval scored it -----------------------------------------------


def units(articles: list[Article]) -> tuple[Ledger, dict[str, Callable[[int], int]]]:
    ids, doc_of, unit_of = [], [], {}
    for d, a in enumerate(articles):
        base = len(ids)
        starts = [s.start for s in a.sentences]
        ids.extend(f"{a.id}-{s.id}" for s in a.sentences)
        doc_of.extend([d] * len(a.sentences))
        unit_of[a.id] = (lambda b, st: lambda off: b + max(0, bisect.bisect_right(st, off) - 1))(base, starts)
    return Ledger(ids, np.array(doc_of, dtype=np.int64), [a.id for a in articles]), unit_of


def mentions(items: Any, tagset: str, unit: Callable[[int], int]) -> list[Mention]:
    out = []
    for m in items:
        t = tg.map_type(m.type, tagset)
        if t is not None:
            start = -1 if m.start is None else m.start
            out.append(Mention(start, -1 if m.end is None else m.end, t, m.text, unit(max(start, 0))))
    return out


def score_corpus(articles: list[Article], preds: DocPredictions, task: str, clitics: bool = True,
                 tagset: str = "wojood") -> tuple[dict[str, Any], Ledger]:
    """The merged totals of a task and the ledger, as ``akhbar eval`` computed them."""
    ledger, unit_of = units(articles)
    total: Any = None
    for a in articles:
        p, u = preds.docs[a.id], unit_of[a.id]
        if task == "entities":
            res = entities_document(a.text, mentions(p.entities, tagset, u), mentions(a.layers.entities, tagset, u), clitics, ledger)
        elif task == "events":
            res = events_document(p.events, gold_events(a), u, ledger)
        else:
            res = quotes_document(a.text, p.quotes, gold_quotes(a), u, ledger)
        total = merge(total, res)
    return total, ledger
