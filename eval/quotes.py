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

import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

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
    """Word tokens (with a letter or digit) inside ``text[start:end]``, by article offsets.

    Such a token is a run of word characters (the other tokens are single non-word
    characters), and a run has a letter or digit unless it is made of underscores and
    combining marks only: when the span has neither, every run is one.
    """
    if NOT_ALNUM_WORD_RE.search(text, start, end) is None:
        return [m.span() for m in WORD_TOKEN_RE.finditer(text, start, end)]
    return [m.span() for m in TOKEN_RE.finditer(text, start, end) if LETTER_RE.search(m.group()) or any(c.isdigit() for c in m.group())]


def count_tokens(text: str, start: int, end: int) -> int:
    """``len(_span_tokens(text, start, end))``, without listing them when that is exact.

    When the whitespace-separated pieces are all letters and digits, each piece is one
    word token (whitespace is neither a word nor an invisible character); otherwise the
    runs of word characters are counted (see :func:`_span_tokens`).
    """
    pieces = text[start:end].split()
    if all(piece.isalnum() for piece in pieces):
        return len(pieces)
    if NOT_ALNUM_WORD_RE.search(text, start, end) is None:
        return len(WORD_TOKEN_RE.findall(text, start, end))
    return len(_span_tokens(text, start, end))


def word_tokens(text: str, spans: Sequence[Span]) -> set[tuple[int, int]]:
    """Word tokens (with a letter or digit) inside the spans, by article offsets."""
    return {t for s in spans for t in _span_tokens(text, s.start, s.end)}


Offsets = tuple[int, int]
#: Word tokens as counted: (start, end, how many tokens) -- a single token, or a whole span of them.
Tokens = frozenset[tuple[int, int, int]]


@dataclass
class Content:
    """The word tokens of a document's content spans (both sides), span by span where that is exact.

    A span that overlaps no other content span of the document and lies in one sentence
    unit stands for all its tokens, as one item ``(start, end, number of tokens)``: they
    are in no other span, and all sit in the sentence of the span's start. The other
    spans give one item ``(start, end, 1)`` per token. (An item of the first kind never
    equals one of the second: a token of another span would overlap the span.)
    """

    items: dict[Offsets, list[tuple[int, int, int]]]

    @classmethod
    def of(cls, text: str, spans: set[Offsets], same_unit: Callable[[int, int], bool], base: int = 0) -> Content:
        """``same_unit(a, b)``: whether positions ``a`` <= ``b`` are in one sentence unit; ``base``: the document's position base."""
        items = {}
        ordered = sorted(spans)
        reach = -1  # the furthest end of the spans before
        for n, (start, end) in enumerate(ordered):
            alone = start >= reach and (n + 1 == len(ordered) or ordered[n + 1][0] >= end)
            reach = max(reach, end)
            if alone and same_unit(base + start, base + end - 1):
                items[start, end] = [(start, end, count_tokens(text, start, end))]
            else:
                items[start, end] = [(a, b, 1) for a, b in _span_tokens(text, start, end)]
        return cls(items)

    def tokens(self, spans: Iterable[Offsets]) -> Tokens:
        return frozenset(item for s in spans for item in self.items[s])


_HOW_MANY = operator.itemgetter(2)


def size(tokens: Tokens) -> int:
    return sum(map(_HOW_MANY, tokens))


class _Quote(NamedTuple):
    """What the metrics need of one quote."""

    type: str | None
    exact: tuple[Offsets, ...]  # its content_exact tuple
    at: int  # position of its first content span
    cue: Offsets | None
    cue_at: int
    has_source: bool
    tokens: Tokens


def _quotes(quotes: Sequence[AnyQuote], content: Content, base: int) -> list[_Quote]:
    """The quotes as scored (their content is never empty: the schemas ask for one span at least)."""
    out = []
    for q in quotes:
        spans = [(s.start, s.end) for s in q.content]
        cue = (q.cue.start, q.cue.end) if q.cue is not None else None
        out.append(_Quote(q.type, tuple(sorted(spans)), base + spans[0][0], cue, base + cue[0] if cue else -1,
                          q.source is not None, content.tokens(spans)))
    return out


def _content(text: str, pred: Sequence[AnyQuote], gold: Sequence[AnyQuote], same_unit: Callable[[int, int], bool],
             base: int) -> Content:
    return Content.of(text, {(s.start, s.end) for q in (*pred, *gold) for s in q.content}, same_unit, base)


def _pair(pred: list[_Quote], gold: list[_Quote]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred, gold) maximising shared content tokens; pairs share at least one token."""
    rows, cols, weight = [], [], {}
    for i, p in enumerate(pred):
        for j, g in enumerate(gold):
            shared = size(p.tokens & g.tokens)
            if shared:
                weight[len(rows)] = float(shared)
                rows.append(i)
                cols.append(j)
    chosen = mt.kept(rows, cols, weight, lambda: (weight, (len(pred), len(gold))))
    return [(rows[k], cols[k]) for k in chosen]


def pair(text: str, pred: Sequence[PredQuote], gold: Sequence[PredQuote]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred, gold) maximising shared content tokens; pairs share at least one token."""
    content = _content(text, pred, gold, lambda a, b: True, 0)
    return _pair(_quotes(pred, content, 0), _quotes(gold, content, 0))


def keyed(quotes: Sequence[AnyQuote], text: str) -> dict[str, dict[Hashable, int]]:
    """The tuples of the set metrics for some quotes, each with its offset (error lists)."""
    return {
        "content_exact": {tuple(sorted((s.start, s.end) for s in q.content)): q.content[0].start for q in quotes if q.content},
        "content_tokens": {t: t[0] for t in word_tokens(text, [s for q in quotes for s in q.content])},
        "cue": {(q.cue.start, q.cue.end): q.cue.start for q in quotes if q.cue is not None},
    }


def _keys_at(quotes: list[_Quote], metric: str) -> dict[Hashable, int]:
    """``{tuple: position}`` of content_exact or cue (a tuple given twice sits where it is given last)."""
    if metric == "content_exact":
        return {q.exact: q.at for q in quotes}
    return {q.cue: q.cue_at for q in quotes if q.cue is not None}


def _union(quotes: list[_Quote]) -> Tokens:
    return frozenset().union(*(q.tokens for q in quotes))


@dataclass
class Totals:
    """Corpus totals of the quote metrics, per type and type accuracy, added one document at a time.

    With ``items``, the per-sentence counts of the four metrics go there (at :meth:`finish`).
    """

    items: bs.Items | None = None
    _counts: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (type or "", metric) -> matched, predicted, gold
    _at: dict[tuple[str, int], list[int]] = field(default_factory=dict)  # (metric, ledger row) -> positions
    _weights: dict[int, list[float]] = field(default_factory=lambda: {bs.MATCHED: [], bs.PREDICTED: [], bs.GOLD: []})  # of content_tokens
    _typed: list[int] = field(default_factory=lambda: [0, 0])  # paired predictions with a type, right type

    def _count(self, t: str, metric: str, matched: int, predicted: int, gold: int) -> None:
        counts = self._counts.setdefault((t, metric), [0, 0, 0])
        counts[0] += matched
        counts[1] += predicted
        counts[2] += gold

    def _ledger(self, metric: str, row: int, at: Iterable[int]) -> None:
        if self.items is not None:
            self._at.setdefault((metric, row), []).extend(at)

    def add(self, text: str, pred_quotes: Sequence[AnyQuote], gold_quotes: Sequence[AnyQuote], right: SourceCheck,
            same_unit: Callable[[int, int], bool], base: int = 0) -> None:
        """Score one document; ``right``: the gold source check; ``same_unit`` and ``base``: see :meth:`Content.of`."""
        content = _content(text, pred_quotes, gold_quotes, same_unit, base)
        pred, gold = _quotes(pred_quotes, content, base), _quotes(gold_quotes, content, base)
        pairs = _pair(pred, gold) if pred and gold else []
        hits = [(i, j) for i, j in pairs if pred_quotes[i].source is not None and right(j, pred_quotes[i].source)]  # type: ignore[arg-type]
        for m in ("content_exact", "cue"):
            p, g = _keys_at(pred, m), _keys_at(gold, m)
            matched = [g[k] for k in p if k in g]
            self._count("", m, len(matched), len(p), len(g))
            for row, at in ((bs.MATCHED, matched), (bs.PREDICTED, p.values()), (bs.GOLD, g.values())):
                self._ledger(m, row, at)
        p_tokens, g_tokens = _union(pred), _union(gold)
        both = p_tokens & g_tokens
        self._count("", "content_tokens", size(both), size(p_tokens), size(g_tokens))
        if self.items is not None:
            for row, tokens in ((bs.MATCHED, both), (bs.PREDICTED, p_tokens), (bs.GOLD, g_tokens)):
                self._ledger("content_tokens", row, [base + start for start, _, _ in tokens])
                self._weights[row].extend(map(_HOW_MANY, tokens))
        p_at, g_at = [q.at for q in pred if q.has_source], [q.at for q in gold if q.has_source]
        self._count("", "source", len(hits), len(p_at), len(g_at))  # counted at each quote's first content span
        for row, at in ((bs.MATCHED, [gold[j].at for _, j in hits]), (bs.PREDICTED, p_at), (bs.GOLD, g_at)):
            self._ledger("source", row, at)
        self._per_type(pred, gold, pairs, hits)
        typed = [(i, j) for i, j in pairs if pred[i].type is not None]
        self._typed[0] += len(typed)
        self._typed[1] += sum(1 for i, j in typed if pred[i].type == gold[j].type)

    def _per_type(self, pred: list[_Quote], gold: list[_Quote], pairs: list[tuple[int, int]], hits: list[tuple[int, int]]) -> None:
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
            pi, gi = pred_of.get(t, []), gold_of.get(t, [])
            p, g = [pred[i] for i in pi], [gold[j] for j in gi]
            for m in ("content_exact", "cue"):
                pk, gk = _keys_at(p, m).keys(), _keys_at(g, m).keys()
                self._count(t, m, len(pk & gk), len(pk), len(gk))
            pt, gt = _union(p), _union(g)
            self._count(t, "content_tokens", size(pt & gt), size(pt), size(gt))
            mine_p, mine_g = set(pi), set(gi)
            self._count(t, "source", sum(1 for i, j in hits if i in mine_p and j in mine_g),
                        sum(1 for q in p if q.has_source), sum(1 for q in g if q.has_source))

    def finish(self) -> dict[str, Any]:
        """``{metric: PRF, "per_type": {type: {metric: PRF}}, "type": Accuracy}``; the ledger counts go to ``items``."""
        if self.items is not None:
            for (m, row), at in self._at.items():
                self.items.add_list(f"quotes.{m}", row, at, self._weights[row] if m == "content_tokens" else None)
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
