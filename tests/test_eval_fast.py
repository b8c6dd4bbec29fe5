"""The fast span, event and quote scorers give exactly what the reference gives.

``eval_reference`` is the straightforward implementation of the definitions (the
code before the fast paths). Random corpora with nested and overlapping mentions,
clitic-shifted starts, duplicated and competing predictions (ties in the optimal
matchings), spans across sentence boundaries and awkward token characters are
scored both ways: every table, per type, with and without the clitic rule, the
per-sentence ledger counts and the error lists must be equal.
"""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eval_reference as ref
from akhbar.dataset.model import Argument, Article, Cluster, Entity, Event, Layers, Quote, Ref, Sentence, Span
from akhbar.dataset.text import TOKEN_RE, WORD_TOKEN_RE
from akhbar.eval import events as ev
from akhbar.eval import matching as mt
from akhbar.eval import predictions as pr
from akhbar.eval import quotes as qt
from akhbar.eval import score
from akhbar.eval import spans as sp

WORDS = ("وبغداد", "بغداد", "لبنان", "كتاب", "فالوزير", "الوزير", "وللأمم", "المتحدة", "دمشق", "2017", "٣٫٥", "تو-22",
         "a_b", "__", "مُحَمَّد", "قمّـــة", "\u064b\u064b", "x\u200cy", "،", "-", "«نعم»", "10.5", "½", "²", "ـ")
ENTITY_TYPES = ("PERS", "ORG", "GPE", "LOC", "DATE", "NORP")
EVENT_TYPES = ("Conflict:Attack", "Life:Die", "Contact:Meet")
ROLES = ("Attacker", "Place", "Victim", "Target")
QUOTE_TYPES = ("DIRECT", "INDIRECT", "MIXED")


def _span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


class _Doc:
    """A random article: words, sentences (the first may start after offset 0), and gold layers."""

    def __init__(self, rng: random.Random, n: int) -> None:
        words = [rng.choice(WORDS) for _ in range(rng.randint(8, 40))]
        self.starts, pos = [], 0
        for w in words:
            self.starts.append(pos)
            pos += len(w) + 1
        self.text = " ".join(words)
        self.words = [(s, s + len(w)) for s, w in zip(self.starts, words)]
        self.rng, self.id = rng, f"d{n}"

    def span(self, max_words: int = 3) -> tuple[int, int]:
        """Word-aligned, or starting after a proclitic letter, or ending inside a word."""
        a = self.rng.randrange(len(self.words))
        b = min(len(self.words) - 1, a + self.rng.randrange(max_words))
        start, end = self.words[a][0], self.words[b][1]
        r = self.rng.random()
        if r < 0.15 and end - start > 1 and self.text[start] in "وفبلك":
            start += 1
        elif r < 0.2 and end - start > 2:
            end -= 1
        return start, end

    def sentences(self) -> tuple[Sentence, ...]:
        cuts = sorted(self.rng.sample(range(1, len(self.text)), min(len(self.text) - 1, self.rng.randint(0, 4))))
        first = self.rng.choice([0, 0, self.words[0][1]])
        bounds = [first] + [c for c in cuts if c > first] + [len(self.text)]
        return tuple(Sentence(f"s{k}", 0, a, b, self.text[a:b], 0, 0) for k, (a, b) in enumerate(zip(bounds, bounds[1:])) if a < b)


def _article(rng: random.Random, n: int) -> tuple[Article, _Doc]:
    d = _Doc(rng, n)
    ents: list[Entity] = []
    for k in range(rng.randint(0, 12)):
        if ents and rng.random() < 0.25:  # nested inside, or the same span with another type
            outer = rng.choice(ents)
            start = rng.randint(outer.start, outer.end - 1)
            end = rng.randint(start + 1, outer.end)
        else:
            start, end = d.span()
        ents.append(Entity(f"T{k}", rng.choice(ENTITY_TYPES), start, end, d.text[start:end], rng.choice([None, "C1", "C2"])))
    events = []
    for k in range(rng.randint(0, 5)):
        args = []
        for _ in range(rng.randint(0, 3)):
            ref_ = Ref(entity=rng.choice(ents).id) if ents and rng.random() < 0.6 else Ref(span=_span(d.text, *d.span()))
            args.append(Argument(rng.choice(ROLES), ref_))
        events.append(Event(f"E{k}", rng.choice(EVENT_TYPES), rng.choice(["ACTUAL", "OTHER"]), _span(d.text, *d.span(1)), tuple(args)))
    quotes = []
    for k in range(rng.randint(0, 4)):
        content = tuple(_span(d.text, *d.span(6)) for _ in range(rng.choice([1, 1, 2])))
        cue = _span(d.text, *d.span(1)) if rng.random() < 0.8 else None
        source = None
        if rng.random() < 0.8:
            source = Ref(entity=rng.choice(ents).id) if ents and rng.random() < 0.7 else Ref(span=_span(d.text, *d.span(2)))
        quotes.append(Quote(f"Q{k}", rng.choice(QUOTE_TYPES), content, cue, source))
    layers = Layers((Cluster("C1", "x"), Cluster("C2", "y")), tuple(ents), tuple(events), tuple(quotes))
    return Article(d.id, d.text, "", "", None, None, (), d.sentences(), (), layers), d


def _predict(rng: random.Random, a: Article, d: _Doc) -> pr.DocPrediction:
    """The gold layers with misses, duplicates, shifted and clitic-shifted boundaries, retyping and noise."""
    text = a.text

    def shifted(start: int, end: int) -> tuple[int, int]:
        r = rng.random()
        if r < 0.15 and start > 0 and text[start - 1] in "وفبلك":
            return start - 1, end  # with the proclitic
        if r < 0.3 and end - start > 1 and text[start] in "وفبلك":
            return start + 1, end  # without it
        if r < 0.45:
            return d.span()
        return start, end

    ents = []
    for e in a.layers.entities:
        for _ in range(rng.choice([0, 1, 1, 1, 2])):
            start, end = shifted(e.start, e.end)
            ents.append(pr.Mention(rng.choice(ENTITY_TYPES) if rng.random() < 0.2 else e.type, text[start:end], start, end))
    for _ in range(rng.randint(0, 3)):
        start, end = d.span()
        ents.append(pr.Mention(rng.choice(ENTITY_TYPES), text[start:end], start, end))
    rng.shuffle(ents)
    ent_of = {e.id: e for e in a.layers.entities}
    events = []
    for e in a.layers.events:
        for _ in range(rng.choice([0, 1, 1, 2])):
            args = tuple(pr.PredArgument(rng.choice(ROLES) if rng.random() < 0.2 else x.role,
                                         x.ref.span if x.ref.span is not None else ent_of[x.ref.entity].span)
                         for x in e.arguments if rng.random() < 0.8)
            trigger = e.trigger if rng.random() < 0.8 else _span(text, *d.span(1))
            events.append(pr.PredEvent(rng.choice(EVENT_TYPES) if rng.random() < 0.2 else e.type,
                                       rng.choice(["ACTUAL", "OTHER", None]), trigger, args))
    quotes = []
    for q in a.layers.quotes:
        for _ in range(rng.choice([0, 1, 1, 2])):
            content = tuple(_span(text, *shifted(s.start, s.end)) for s in q.content)
            if rng.random() < 0.2:
                content = (_span(text, *d.span(6)),) + content
            source = None
            if q.source is not None and rng.random() < 0.9:
                if q.source.span is not None:
                    source = q.source.span
                else:
                    same_cluster = [m for m in a.layers.entities if m.cluster and m.cluster == ent_of[q.source.entity].cluster]
                    source = rng.choice(same_cluster or [ent_of[q.source.entity]]).span
            elif rng.random() < 0.3:
                source = _span(text, *d.span(2))
            quotes.append(pr.PredQuote(rng.choice([None, q.type, rng.choice(QUOTE_TYPES)]), content,
                                       q.cue if rng.random() < 0.7 else None, source))
    rng.shuffle(quotes)
    return pr.DocPrediction(a.id, tuple(ents), tuple(events), tuple(quotes))


def _corpus(seed: int, n: int = 10) -> tuple[list[Article], pr.DocPredictions]:
    rng = random.Random(seed)
    articles, docs = [], {}
    for k in range(n):
        a, d = _article(rng, k)
        articles.append(a)
        docs[a.id] = _predict(rng, a, d)
    return articles, pr.DocPredictions(docs, pr.LAYERS, 0)


def _canonical(x: Any) -> str:
    """JSON with sorted keys: equal numbers of the same kind (an int 0 is not 0.0)."""
    return json.dumps(x, sort_keys=True)


def _fast(monkeypatch: pytest.MonkeyPatch, articles: list[Article], preds: pr.DocPredictions, opts: score.Options) -> score.Evaluation:
    monkeypatch.setattr(score.gd, "load_documents", lambda *a, **k: articles)
    monkeypatch.setattr(score.pr, "read_documents", lambda *a, **k: preds)
    return score.evaluate("/dev/null", opts)


def _reference_errors(articles: list[Article], preds: pr.DocPredictions, task: str, opts: score.Options) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for a in articles:
        p = preds.docs[a.id]
        if task == "entities":
            pred, gold = ref.mentions(p.entities, opts.tagset, lambda o: 0), ref.mentions(a.layers.entities, opts.tagset, lambda o: 0)
            for kind, k, other in ref.strict_errors(a.text, pred, gold, opts.clitics):
                m = (pred if kind == "FP" else gold)[k]
                out.append(score._error(a, "entities", "strict", kind, m.start, m.end, m.text, m.type, other))
        elif task == "events":
            sets = {m: (ref.event_tuples(m, p.events, lambda o: 0), ref.event_tuples(m, ref.gold_events(a), lambda o: 0)) for m in ("tri_c", "arg_c")}
            score._tuple_errors(a, "events", sets, out)
        else:
            ps, gs = ref.quote_keys(a.text, p.quotes, lambda o: 0), ref.quote_keys(a.text, [g.quote for g in ref.gold_quotes(a)], lambda o: 0)
            score._tuple_errors(a, "quotes", {m: (ps[m], gs[m]) for m in ("content_exact", "cue")}, out)
    return out


CASES = [("entities", True, "wojood"), ("entities", False, "wojood"), ("entities", True, "anercorp"),
         ("events", True, "wojood"), ("quotes", True, "wojood")]


@pytest.mark.parametrize("seed", range(30))
def test_corpus_scores_equal_the_reference(monkeypatch, seed):
    articles, preds = _corpus(seed)
    for task, clitics, tagset in CASES:
        opts = score.Options(task=task, clitics=clitics, tagset=tagset, bootstrap=0, errors=True)
        fast = _fast(monkeypatch, articles, preds, opts)
        total, ledger = ref.score_corpus(articles, preds, task, clitics, tagset)
        body = {"entities": lambda: score._entities_report(total, opts), "events": lambda: ev.report(total), "quotes": lambda: qt.report(total)}[task]()
        assert _canonical(fast.report[task]) == _canonical(body), (task, clitics, tagset)
        for metric in fast.metrics:
            assert np.array_equal(fast.ledger._row(metric), ledger._row(metric)), metric
        assert fast.errors is not None and fast.errors["errors"] == _reference_errors(articles, preds, task, opts), task


def test_the_corpora_hold_what_the_fast_paths_must_get_right(monkeypatch):
    """Nested and competing mentions (the Hungarian algorithm runs), clitic matches, ties, sentence-crossing quotes."""
    calls = []
    real = mt.hungarian
    monkeypatch.setattr(mt, "hungarian", lambda *a, **k: calls.append(1) or real(*a, **k))
    clitic_matches = crossing = 0
    for seed in range(30):
        articles, preds = _corpus(seed)
        report = _fast(monkeypatch, articles, preds, score.Options(task="entities", bootstrap=0)).report["entities"]
        clitic_matches += report["clitic_matches"]["strict"]
        _fast(monkeypatch, articles, preds, score.Options(task="quotes", bootstrap=0))
        for a in articles:
            starts = [s.start for s in a.sentences]
            crossing += sum(1 for q in a.layers.quotes for c in q.content if any(c.start < x < c.end for x in starts))
    assert len(calls) > 20 and clitic_matches > 10 and crossing > 10


@pytest.mark.parametrize("seed", range(6))
def test_document_scorers_equal_the_reference(seed):
    articles, preds = _corpus(100 + seed, n=20)
    for a in articles:
        p = preds.docs[a.id]
        unit_of = (lambda st: lambda off: max(0, sum(1 for x in st if x <= off) - 1))([s.start for s in a.sentences])
        pred, gold = ref.mentions(p.entities, "wojood", unit_of), ref.mentions(a.layers.entities, "wojood", unit_of)
        for clitics in (True, False):
            assert sp.score_document(a.text, pred, gold, clitics) == ref.score_entities(a.text, pred, gold, clitics)
        for fast, slow in ((lambda led: ev.score_document(p.events, ref.gold_events(a), unit_of, led),
                            lambda led: ref.events_document(p.events, ref.gold_events(a), unit_of, led)),
                           (lambda led: qt.score_document(a.text, p.quotes, qt.gold_quotes(a), unit_of, led),
                            lambda led: ref.quotes_document(a.text, p.quotes, ref.gold_quotes(a), unit_of, led))):
            mine, theirs = ref.units([a])[0], ref.units([a])[0]
            assert _canonical(_plain(fast(mine))) == _canonical(_plain(slow(theirs)))
            assert sorted(mine.counts) == sorted(theirs.counts)
            assert all(np.array_equal(mine.counts[m], theirs.counts[m]) for m in mine.counts)
        assert qt.pair(a.text, p.quotes, [g.quote for g in qt.gold_quotes(a)]) == ref.pair(a.text, p.quotes, [g.quote for g in ref.gold_quotes(a)])


def _plain(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x.__dict__ if hasattr(x, "__dict__") else x


def _scipy_keeps(rows: list[int], cols: list[int], weight: dict[int, float], shape: tuple[int, int] | None) -> list[int]:
    """The positive pairs ``linear_sum_assignment`` keeps on the dense matrix, built here (not by eval.matching)."""
    from scipy.optimize import linear_sum_assignment

    if shape is None:  # one matrix row per distinct row that has a pair, likewise for columns
        row_ids, col_ids = sorted({rows[k] for k in weight}), sorted({cols[k] for k in weight})
    else:
        row_ids, col_ids = list(range(shape[0])), list(range(shape[1]))
    w = np.zeros((len(row_ids), len(col_ids)))
    for k, x in weight.items():
        w[row_ids.index(rows[k]), col_ids.index(cols[k])] = x
    r, c = linear_sum_assignment(w, maximize=True)
    cells = {(row_ids[a], col_ids[b]) for a, b in zip(r.tolist(), c.tolist()) if w[a, b] > 0}
    return sorted(k for k, x in weight.items() if x > 0 and (rows[k], cols[k]) in cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0])), max_size=14))
def test_matching_shortcuts_keep_what_scipy_keeps(triples):
    """One-to-one pairs, unique optima found by search, ties left to SciPy: always SciPy's choice on the same matrix."""
    seen, rows, cols, weight = set(), [], [], {}
    for r, c, w in triples:
        if (r, c) not in seen:
            seen.add((r, c))
            weight[len(rows)] = w
            rows.append(r)
            cols.append(c)
    for shape in (None, (6, 6)):
        expected = _scipy_keeps(rows, cols, weight, shape)
        assert sorted(mt.hungarian(rows, cols, weight, shape)) == expected
        assert mt.kept(rows, cols, weight, lambda: (weight, shape)) == expected


TRICKY = st.text(alphabet=st.sampled_from(list("ابت وفلك_-.٫٬0٣²½ـ\u064b\u0670\u200c\u200f\u00ad،«»\u0301e\u00a0\n\u2003")), max_size=40)


@settings(max_examples=500, deadline=None)
@given(TRICKY, st.integers(0, 40), st.integers(0, 40))
def test_word_token_shortcuts(text, a, b):
    """Listing or counting word tokens by runs of word characters gives the reference's tokens."""
    start, end = min(a, b, len(text)), min(max(a, b), len(text))
    expected = sorted(ref.word_tokens(text, [Span(start, end, text[start:end])]))
    assert qt._span_tokens(text, start, end) == expected
    assert qt.count_tokens(text, start, end) == len(expected)
    runs = [m.span() for m in TOKEN_RE.finditer(text, start, end) if WORD_TOKEN_RE.fullmatch(m.group())]
    assert [m.span() for m in WORD_TOKEN_RE.finditer(text, start, end)] == runs


def test_sentence_ids_are_made_when_asked_for():
    articles, _ = _corpus(7)
    ids = score.SentenceIds(articles)
    expected = ref.units(articles)[0].sentence_ids
    assert len(ids) == len(expected) and list(ids) == expected
    assert ids[-1] == expected[-1] and ids[2:5] == expected[2:5]
    with pytest.raises(IndexError):
        ids[len(expected)]
