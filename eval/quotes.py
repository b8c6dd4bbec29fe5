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

For speed on a million quotes: word tokens are handled span by span where that is
exact (:class:`Content`), the optimal pairing only calls SciPy when a choice is
left (:mod:`.matching`), gold sources are resolved only for the pairs that need
it, and the corpus totals are kept in mutable counters.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..dataset.model import Article, Entity, Quote, Span
from ..dataset.text import LETTER_RE, NOT_ALNUM_WORD_RE, TOKEN_RE, WORD_TOKEN_RE
from . import bootstrap as bs
from . import matching as mt
from .predictions import PredQuote
from .prf import PRF, Accuracy, layer_report

METRICS = ("content_exact", "content_tokens", "cue", "source")
#: A quote as scored: a prediction, or a gold quote (whose source is a reference).
AnyQuote = PredQuote | Quote
#: Whether a predicted source span is right for the gold quote of that index.
SourceCheck = Callable[[int, Span], bool]


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


def gold_sources(article: Article) -> SourceCheck:
    """The source check of an article's gold quotes, as :func:`gold_quotes` defines it, resolving references when asked."""
    quotes = article.layers.quotes
    ents: dict[str, Entity] = {}
    clusters: dict[str, set[tuple[int, int]]] = {}

    def right(j: int, span: Span) -> bool:
        ref = quotes[j].source
        if ref is None:
            return False
        if ref.span is not None:
            return (span.start, span.end) == (ref.span.start, ref.span.end)
        if not ents:
            ents.update((e.id, e) for e in article.layers.entities)
        e = ents[ref.entity]  # type: ignore[index]
        if (span.start, span.end) == (e.start, e.end):
            return True
        if not e.cluster:
            return False
        if e.cluster not in clusters:
            clusters[e.cluster] = {(m.start, m.end) for m in article.layers.entities if m.cluster == e.cluster}
        return (span.start, span.end) in clusters[e.cluster]

    return right


def _span_tokens(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Word tokens (with a letter or digit) inside ``text[start:end]``, by article offsets."""
    out = []
    for m in TOKEN_RE.finditer(text, start, end):
        if LETTER_RE.search(m.group()) or any(c.isdigit() for c in m.group()):
            out.append((m.start(), m.end()))
    return out


def count_tokens(text: str, start: int, end: int) -> int:
    """``len(_span_tokens(text, start, end))``, faster.

    A token with a letter or digit is a run of word characters (the other tokens are
    single non-word characters), and such a run has a letter or digit unless it is made
    of underscores and combining marks only: when the span has neither, every run counts.
    """
    if NOT_ALNUM_WORD_RE.search(text, start, end) is None:
        return len(WORD_TOKEN_RE.findall(text, start, end))
    return len(_span_tokens(text, start, end))


def word_tokens(text: str, spans: Sequence[Span]) -> set[tuple[int, int]]:
    """Word tokens (with a letter or digit) inside the spans, by article offsets."""
    return {t for s in spans for t in _span_tokens(text, s.start, s.end)}


Offsets = tuple[int, int]


@dataclass(frozen=True)
class Bag:
    """Word tokens of some content spans: the *counted* spans (see :class:`Content`) and the *listed* tokens of the others."""

    counted: frozenset[Offsets]
    listed: frozenset[Offsets]


@dataclass
class Content:
    """The word tokens of a document's content spans (both sides), at span level where that is exact.

    A span that overlaps no other content span of the document and lies in one sentence
    unit is *counted*: its tokens are in no other span, so their number is all that
    matters, and they all sit in the sentence of the span's start. The tokens of the
    other spans are *listed*, one by one.
    """

    base: int
    counts: dict[Offsets, int]
    tokens: dict[Offsets, list[Offsets]]

    @classmethod
    def of(cls, text: str, spans: set[Offsets], same_unit: Callable[[int, int], bool], base: int = 0) -> Content:
        """``same_unit(a, b)``: whether positions ``a`` <= ``b`` are in one sentence unit; ``base``: the document's position base."""
        counts, tokens = {}, {}
        ordered = sorted(spans)
        reach = -1  # the furthest end of the spans before
        for n, (start, end) in enumerate(ordered):
            alone = start >= reach and (n + 1 == len(ordered) or ordered[n + 1][0] >= end)
            reach = max(reach, end)
            if alone and same_unit(base + start, base + end - 1):
                counts[start, end] = count_tokens(text, start, end)
            else:
                tokens[start, end] = _span_tokens(text, start, end)
        return cls(base, counts, tokens)

    def bag(self, spans: Iterable[Offsets]) -> Bag:
        counted, listed = set(), set()
        for s in spans:
            if s in self.counts:
                counted.add(s)
            else:
                listed.update(self.tokens[s])
        return Bag(frozenset(counted), frozenset(listed))

    def size(self, bag: Bag) -> int:
        return sum(self.counts[s] for s in bag.counted) + len(bag.listed)

    def positions(self, bag: Bag) -> tuple[list[int], list[float]]:
        """Ledger positions of a bag's tokens: a counted span's at its start, weighing its token count."""
        at = [self.base + start for start, _ in bag.counted] + [self.base + start for start, _ in bag.listed]
        return at, [float(self.counts[s]) for s in bag.counted] + [1.0] * len(bag.listed)


def common(a: Bag, b: Bag) -> Bag:
    return Bag(a.counted & b.counted, a.listed & b.listed)


@dataclass(frozen=True)
class _Quote:
    """What the metrics need of one quote."""

    type: str | None
    spans: tuple[Offsets, ...]  # its content spans
    exact: tuple[Offsets, ...]  # its content_exact tuple
    at: int  # position of its first content span
    cue: Offsets | None
    cue_at: int
    source: Span | None  # a prediction's source, a gold quote's reference (only compared to None)


def _quotes(quotes: Sequence[AnyQuote], base: int) -> list[_Quote]:
    """The quotes as scored (their content is never empty: the schemas ask for one span at least)."""
    out = []
    for q in quotes:
        spans = tuple((s.start, s.end) for s in q.content)
        cue = (q.cue.start, q.cue.end) if q.cue is not None else None
        out.append(_Quote(q.type, spans, tuple(sorted(spans)), base + spans[0][0], cue, base + cue[0] if cue else -1, q.source))  # type: ignore[arg-type]
    return out


def _pair(content: Content, pred: list[_Quote], gold: list[_Quote]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred, gold) maximising shared content tokens; pairs share at least one token."""
    pred_bags, gold_bags = [content.bag(q.spans) for q in pred], [content.bag(q.spans) for q in gold]
    rows, cols, weight = [], [], {}
    for i, j in _touching(content, pred, gold):
        shared = content.size(common(pred_bags[i], gold_bags[j]))
        if shared:
            weight[len(rows)] = float(shared)
            rows.append(i)
            cols.append(j)
    chosen = mt.kept(rows, cols, weight, lambda: (weight, (len(pred), len(gold))))
    return [(rows[k], cols[k]) for k in chosen]


def _touching(content: Content, pred: list[_Quote], gold: list[_Quote]) -> list[tuple[int, int]]:
    """The (pred, gold) quotes that may share a token: the same counted span, or listed spans on both sides."""
    def holders(quotes: list[_Quote]) -> dict[Offsets | None, set[int]]:
        out: dict[Offsets | None, set[int]] = {}
        for n, q in enumerate(quotes):
            for s in q.spans:
                out.setdefault(s if s in content.counts else None, set()).add(n)
        return out

    by_pred, by_gold = holders(pred), holders(gold)
    return sorted({(i, j) for s, ps in by_pred.items() if s in by_gold for i in ps for j in by_gold[s]})


def pair(text: str, pred: Sequence[PredQuote], gold: Sequence[PredQuote]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred, gold) maximising shared content tokens; pairs share at least one token."""
    if not pred or not gold:
        return []
    p, g = _quotes(pred, 0), _quotes(gold, 0)
    return _pair(Content.of(text, {s for q in p + g for s in q.spans}, lambda a, b: True), p, g)


def keyed(quotes: Sequence[AnyQuote], text: str) -> dict[str, dict[Hashable, int]]:
    """The tuples of the set metrics for some quotes, each with its offset (error lists)."""
    return {
        "content_exact": {tuple(sorted((s.start, s.end) for s in q.content)): q.content[0].start for q in quotes if q.content},
        "content_tokens": {t: t[0] for t in word_tokens(text, [s for q in quotes for s in q.content])},
        "cue": {(q.cue.start, q.cue.end): q.cue.start for q in quotes if q.cue is not None},
    }


@dataclass
class _Row:
    """Ledger items of one metric: matched, predicted, gold (positions and weights)."""

    at: tuple[list[int], list[int], list[int]] = field(default_factory=lambda: ([], [], []))
    weights: tuple[list[float], list[float], list[float]] = field(default_factory=lambda: ([], [], []))

    def add(self, row: int, at: list[int], weights: list[float] | None = None) -> None:
        self.at[row].extend(at)
        self.weights[row].extend([1.0] * len(at) if weights is None else weights)


def _keys_at(quotes: list[_Quote], metric: str) -> dict[Hashable, int]:
    """``{tuple: position}`` of content_exact or cue (a tuple given twice sits where it is given last)."""
    if metric == "content_exact":
        return {q.exact: q.at for q in quotes}
    return {q.cue: q.cue_at for q in quotes if q.cue is not None}


@dataclass
class Totals:
    """Corpus totals of the quote metrics, per type and type accuracy, added one document at a time.

    With ``items``, the per-sentence counts of the four metrics go there (at :meth:`finish`).
    """

    items: bs.Items | None = None
    _counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (type or "", metric) -> matched, predicted, gold
    _rows: dict[str, _Row] = field(default_factory=lambda: {m: _Row() for m in METRICS})
    _typed: list[int] = field(default_factory=lambda: [0, 0])  # paired predictions with a type, right type

    def _count(self, t: str, metric: str, matched: int, predicted: int, gold: int) -> None:
        counts = self._counts.setdefault((t, metric), [0, 0, 0])
        counts[0] += matched
        counts[1] += predicted
        counts[2] += gold

    def add(self, text: str, pred_quotes: Sequence[AnyQuote], gold_quotes: Sequence[AnyQuote], right: SourceCheck,
            same_unit: Callable[[int, int], bool], base: int = 0) -> None:
        """Score one document; ``right``: the gold source check; ``same_unit`` and ``base``: see :meth:`Content.of`."""
        pred, gold = _quotes(pred_quotes, base), _quotes(gold_quotes, base)
        content = Content.of(text, {s for q in pred + gold for s in q.spans}, same_unit, base)
        pairs = _pair(content, pred, gold) if pred and gold else []
        hits = [(i, j) for i, j in pairs if pred_quotes[i].source is not None and right(j, pred_quotes[i].source)]  # type: ignore[arg-type]
        self._keyed_metrics(pred, gold)
        self._tokens(content, pred, gold)
        self._sources(pred, gold, hits)
        self._per_type(content, pred, gold, pairs, set(hits))
        typed = [(i, j) for i, j in pairs if pred[i].type is not None]
        self._typed[0] += len(typed)
        self._typed[1] += sum(1 for i, j in typed if pred[i].type == gold[j].type)

    def _keyed_metrics(self, pred: list[_Quote], gold: list[_Quote]) -> None:
        for m in ("content_exact", "cue"):
            p, g = _keys_at(pred, m), _keys_at(gold, m)
            matched = [g[k] for k in p if k in g]
            self._count("", m, len(matched), len(p), len(g))
            if self.items is not None:
                for row, at in ((bs.MATCHED, matched), (bs.PREDICTED, list(p.values())), (bs.GOLD, list(g.values()))):
                    self._rows[m].add(row, at)

    def _tokens(self, content: Content, pred: list[_Quote], gold: list[_Quote]) -> None:
        p, g = content.bag(s for q in pred for s in q.spans), content.bag(s for q in gold for s in q.spans)
        both = common(p, g)
        self._count("", "content_tokens", content.size(both), content.size(p), content.size(g))
        if self.items is not None:
            for row, bag in ((bs.MATCHED, both), (bs.PREDICTED, p), (bs.GOLD, g)):
                self._rows["content_tokens"].add(row, *content.positions(bag))

    def _sources(self, pred: list[_Quote], gold: list[_Quote], hits: list[tuple[int, int]]) -> None:
        """Sources: right in a pair, counted at each quote's first content span."""
        predicted = [q.at for q in pred if q.source is not None]
        golds = [q.at for q in gold if q.source is not None]
        self._count("", "source", len(hits), len(predicted), len(golds))
        if self.items is not None:
            for row, at in ((bs.MATCHED, [gold[j].at for _, j in hits]), (bs.PREDICTED, predicted), (bs.GOLD, golds)):
                self._rows["source"].add(row, at)

    def _per_type(self, content: Content, pred: list[_Quote], gold: list[_Quote], pairs: list[tuple[int, int]],
                  hits: set[tuple[int, int]]) -> None:
        """Each type: its gold quotes, and the predictions of that type (untyped ones take their pair's)."""
        paired_type = {i: gold[j].type for i, j in pairs}
        pred_of: dict[str, list[int]] = {}
        for i, q in enumerate(pred):
            t = q.type or paired_type.get(i)
            if t is not None:
                pred_of.setdefault(t, []).append(i)
        gold_of: dict[str, list[int]] = {}
        for j, q in enumerate(gold):
            gold_of.setdefault(q.type, []).append(j)  # type: ignore[arg-type]
        for t in pred_of.keys() | gold_of.keys():
            p, g = [pred[i] for i in pred_of.get(t, [])], [gold[j] for j in gold_of.get(t, [])]
            for m in ("content_exact", "cue"):
                pk, gk = _keys_at(p, m).keys(), _keys_at(g, m).keys()
                self._count(t, m, len(pk & gk), len(pk), len(gk))
            pb, gb = content.bag(s for q in p for s in q.spans), content.bag(s for q in g for s in q.spans)
            self._count(t, "content_tokens", content.size(common(pb, gb)), content.size(pb), content.size(gb))
            mine_p, mine_g = set(pred_of.get(t, [])), set(gold_of.get(t, []))
            self._count(t, "source", sum(1 for i, j in hits if i in mine_p and j in mine_g),
                        sum(1 for q in p if q.source is not None), sum(1 for q in g if q.source is not None))

    def finish(self) -> dict[str, Any]:
        """``{metric: PRF, "per_type": {type: {metric: PRF}}, "type": Accuracy}``; the ledger counts go to ``items``."""
        if self.items is not None:
            for m, rows in self._rows.items():
                for row in (bs.MATCHED, bs.PREDICTED, bs.GOLD):
                    self.items.add_list(f"quotes.{m}", row, rows.at[row], rows.weights[row])
        out: dict[str, Any] = {m: PRF(*self._counts.get(("", m), [0, 0, 0])) for m in METRICS}
        types = sorted({t for t, _ in self._counts if t})
        out["per_type"] = {t: {m: PRF(*self._counts[t, m]) for m in METRICS} for t in types}
        out["type"] = Accuracy(*self._typed)
        return out


def score_document(text: str, pred: Sequence[PredQuote], gold: Sequence[GoldQuote], unit_of: Callable[[int], int],
                   ledger: bs.Ledger | None) -> dict[str, Any]:
    """Every metric for one document; per-sentence counts go to ``ledger`` (``unit_of``: the sentence of an offset)."""
    totals = Totals(bs.Items())
    totals.add(text, pred, [g.quote for g in gold], lambda j, span: (span.start, span.end) in gold[j].sources,
               lambda a, b: unit_of(a) == unit_of(b))
    out = totals.finish()
    totals.items.add_to(ledger, unit_of)  # type: ignore[union-attr]
    return out


def report(total: dict[str, Any]) -> dict[str, Any]:
    return layer_report(total, METRICS, "type", "type_accuracy", "paired_quotes")
