"""Quote attribution scoring (PARC 3.0 / BBC Citron style), per document.

* content_exact: a quote's content spans, as a set, equal a gold quote's (P/R/F1 over quotes);
* content_tokens: P/R/F1 over the word tokens covered by any content span;
* cue: cue spans matching exactly (P/R/F1);
* source: predicted and gold quotes are paired one-to-one by content token
  overlap (optimal matching); a pair's source is correct when the predicted
  source span equals the gold source span or any mention of the same
  coreference cluster. Precision over predicted quotes with a source, recall
  over gold quotes with a source;
* per quote type (DIRECT / INDIRECT / MIXED): the same metrics with the gold
  quotes of that type and the predictions of that predicted type (an untyped
  prediction takes the type of the gold quote it is paired with), plus type
  accuracy over paired predictions that give a type.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..dataset.model import Article, Span
from ..dataset.text import TOKEN_RE, LETTER_RE
from .bootstrap import Ledger
from .predictions import PredQuote
from .prf import PRF, Accuracy, layer_report, score_keyed

METRICS = ("content_exact", "content_tokens", "cue", "source")


@dataclass(frozen=True)
class GoldQuote:
    quote: PredQuote
    sources: frozenset[tuple[int, int]]  # the source span and every mention of its cluster


def gold_quotes(article: Article) -> list[GoldQuote]:
    ents = {e.id: e for e in article.layers.entities}
    out = []
    for q in article.layers.quotes:
        src: Span | None = None
        spans: set[tuple[int, int]] = set()
        if q.source is not None:
            src = q.source.span if q.source.span is not None else ents[q.source.entity].span  # type: ignore[index]
            spans.add((src.start, src.end))
            e = ents.get(q.source.entity) if q.source.entity else None
            if e is not None and e.cluster:
                spans.update((m.start, m.end) for m in article.layers.entities if m.cluster == e.cluster)
        out.append(GoldQuote(PredQuote(q.type, q.content, q.cue, src), frozenset(spans)))
    return out


def word_tokens(text: str, spans: Sequence[Span]) -> set[tuple[int, int]]:
    """Word tokens (with a letter or digit) inside the spans, by article offsets."""
    out = set()
    for s in spans:
        for m in TOKEN_RE.finditer(text, s.start, s.end):
            if LETTER_RE.search(m.group()) or any(c.isdigit() for c in m.group()):
                out.add((m.start(), m.end()))
    return out


def pair(text: str, pred: Sequence[PredQuote], gold: Sequence[PredQuote]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred, gold) maximising shared content tokens; pairs share at least one token."""
    if not pred or not gold:
        return []
    pt = [word_tokens(text, q.content) for q in pred]
    gt = [word_tokens(text, q.content) for q in gold]
    w = np.array([[len(a & b) for b in gt] for a in pt], dtype=np.float64)
    r, c = linear_sum_assignment(w, maximize=True)
    return [(int(i), int(j)) for i, j in zip(r, c) if w[i, j] > 0]


def _keyed(text: str, quotes: Sequence[PredQuote], unit_of: Callable[[int], int]) -> dict[str, dict[Hashable, int]]:
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


def _metrics(text: str, pred: Sequence[PredQuote], gold: Sequence[GoldQuote], pairs: list[tuple[int, int]],
             unit_of: Callable[[int], int], ledger: Ledger | None) -> dict[str, PRF]:
    kp, kg = _keyed(text, pred, unit_of), _keyed(text, [g.quote for g in gold], unit_of)
    out = {m: score_keyed(kp[m], kg[m], ledger, f"quotes.{m}") for m in kp}
    out["source"] = _source(pred, gold, pairs, unit_of, ledger, "quotes.source")
    return out


def score_document(text: str, pred: Sequence[PredQuote], gold: Sequence[GoldQuote], unit_of: Callable[[int], int],
                   ledger: Ledger | None) -> dict[str, Any]:
    pairs = pair(text, pred, [g.quote for g in gold])
    out: dict[str, Any] = _metrics(text, pred, gold, pairs, unit_of, ledger)
    paired_type = {i: gold[j].quote.type for i, j in pairs}
    per_type: dict[str, dict[str, PRF]] = {}
    for t in sorted({g.quote.type for g in gold} | {q.type for q in pred if q.type}):  # type: ignore[type-var]
        pi = [i for i, q in enumerate(pred) if (q.type or paired_type.get(i)) == t]
        gi = [j for j, g in enumerate(gold) if g.quote.type == t]
        sub_p, sub_g = [pred[i] for i in pi], [gold[j] for j in gi]
        sub_pairs = [(pi.index(i), gi.index(j)) for i, j in pairs if i in pi and j in gi]
        per_type[t] = _metrics(text, sub_p, sub_g, sub_pairs, unit_of, None)  # type: ignore[index]
    out["per_type"] = per_type
    typed = [(i, j) for i, j in pairs if pred[i].type is not None]
    out["type"] = Accuracy(len(typed), sum(1 for i, j in typed if pred[i].type == gold[j].quote.type))
    return out


def report(total: dict[str, Any]) -> dict[str, Any]:
    return layer_report(total, METRICS, "type", "type_accuracy", "paired_quotes")
