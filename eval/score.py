"""``akhbar eval`` as a pure function: predictions file + options -> report (a dict).

Also used by ``akhbar compare`` (which needs the per-sentence counts of both
systems) and by the tests.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .. import BENCHMARK_VERSION
from ..dataset.model import Article
from ..errors import UserError
from ..schema import SCHEMA_VERSION
from . import bootstrap as bs
from . import gold as gd
from . import ner
from . import predictions as pr
from . import tags as tg
from .prf import merge

if TYPE_CHECKING:
    from . import spans as sp

TASKS = ("ner", "entities", "events", "quotes")
MATCHES = ("offsets", "text")


@dataclass(frozen=True)
class Options:
    task: str | None = None
    gold: str = gd.DEFAULT_GOLD
    split: str = "test"
    format: str = "auto"
    scheme: str = "iob2"
    tagset: str = "wojood"
    match: str = "offsets"
    clitics: bool = True
    bootstrap: int = 1000
    seed: int = 0
    allow_missing: bool = False
    errors: bool = False


@dataclass(frozen=True)
class Evaluation:
    report: dict[str, Any]
    ledger: bs.Ledger
    metrics: list[str]
    errors: dict[str, Any] | None


def detect_task(path: str) -> str:
    """``ner`` for CoNLL files and ``{"id", "ner_tags"}`` rows, else the single layer the documents carry."""
    text = pr.read_text(path)
    if pr.detect_format(text) == "conll" or '"ner_tags"' in text.lstrip().split("\n", 1)[0]:
        return "ner"
    present = [k for k in pr.LAYERS if f'"{k}"' in text]
    if len(present) == 1:
        return present[0]
    raise UserError(f"{path}: cannot tell which task to score (layers present: {', '.join(present) or 'none'}); pass --task {'|'.join(TASKS[1:])}")


def evaluate(path: str, opts: Options) -> Evaluation:
    task = opts.task or detect_task(path)
    if task == "ner":
        ev_ = _ner(path, opts)
    else:
        ev_ = _documents(path, task, opts)
    cis = bs.intervals(ev_.ledger, ev_.metrics, opts.bootstrap, opts.seed)
    headline = {m: {**{k: v for k, v in ev_.ledger.total(m).to_dict().items() if k in ("precision", "recall", "f1")}, "ci": cis[m]}
                for m in ev_.metrics}
    report = {"schema_version": SCHEMA_VERSION, "benchmark_version": BENCHMARK_VERSION, "task": task,
              "gold": {"source": opts.gold, "split": opts.split, **ev_.report.pop("_gold")},
              "predictions": {"file": path, "sha256": hashlib.sha256(Path(path).read_bytes()).hexdigest(), **ev_.report.pop("_predictions")},
              "headline": headline, "bootstrap": bs.describe(ev_.ledger, opts.bootstrap, opts.seed), **ev_.report}
    return Evaluation(report, ev_.ledger, ev_.metrics, ev_.errors)


# --- NER ----------------------------------------------------------------------------


#: Predictions files at least this large (about 100,000 tokens) have seqeval's two reports computed
#: side by side in two processes (:class:`ner.SecondCore`); below it, starting a process costs more than it saves.
PARALLEL_NER_BYTES = 1_000_000


def _ner(path: str, opts: Options) -> Evaluation:
    try:
        large = Path(path).stat().st_size >= PARALLEL_NER_BYTES
    except OSError:  # reading it says what is wrong, in one line
        large = False
    with ner.SecondCore(large) as helper:
        return _ner_scored(path, opts, helper)


def _ner_scored(path: str, opts: Options, helper: ner.SecondCore) -> Evaluation:
    fmt = pr.detect_format(pr.read_text(path)) if opts.format == "auto" else opts.format
    gold = gd.load_ner(opts.gold, opts.split, with_tokens=opts.errors or fmt == "conll")
    if not gold.ids:
        raise UserError(f"--gold {opts.gold}: split {opts.split!r} has no ner rows")
    preds = pr.read_ner(path, gold, fmt, opts.scheme, opts.tagset, opts.allow_missing)
    y_true = gold.tags
    if opts.tagset != "wojood":
        mapping = tg.tag_map(opts.tagset, "iob2")
        y_true = [[mapping[t] for t in row] for row in y_true]
    result = ner.score(gold.ids, gold.document_ids, y_true, preds.tags, opts.tagset, helper)
    errors = ner.errors(result, gold.ids, gold.document_ids, gold.tokens) if opts.errors else None  # type: ignore[arg-type]
    report = {"_gold": {"documents": len(result.ledger.document_ids), "sentences": len(gold.ids), "tokens": int(result.offsets[-1])},
              "_predictions": {"format": preds.format, "scheme": opts.scheme, "tagset": opts.tagset, "missing": preds.missing},
              "ner": result.reports}
    return Evaluation(report, result.ledger, [f"ner.{m}" for m in ner.MODES], errors)


# --- documents ----------------------------------------------------------------------


class SentenceIds(Sequence[str]):
    """``{article id}-{sentence id}`` of every sentence of the articles, made when asked for:
    a large corpus has millions of sentences and the ledger mostly needs their number."""

    def __init__(self, articles: list[Article]) -> None:
        self._articles = articles
        self._first = list(itertools.accumulate((len(a.sentences) for a in articles), initial=0))

    def __len__(self) -> int:
        return self._first[-1]

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        k = i + len(self) if i < 0 else i
        if not 0 <= k < len(self):
            raise IndexError(i)
        d = bisect.bisect_right(self._first, k) - 1
        a = self._articles[d]
        return f"{a.id}-{a.sentences[k - self._first[d]].id}"


def _units(articles: list[Article]) -> bs.Ledger:
    """The ledger of the documents: one unit per sentence (see :class:`bs.SentenceIndex` for the unit of an offset)."""
    for a in articles:
        if not a.sentences:
            raise UserError(f"gold article {a.id!r} has no sentences")
    ids = SentenceIds(articles)
    doc_of = np.repeat(np.arange(len(articles), dtype=np.int64), [len(a.sentences) for a in articles])
    return bs.Ledger(ids, doc_of, [a.id for a in articles])


def _mentions(items: Any, tagset: str) -> list[sp.Mention]:
    from . import spans as sp

    out = []
    for m in items:
        t = tg.map_type(m.type, tagset)
        if t is not None:
            out.append(sp.Mention(-1 if m.start is None else m.start, -1 if m.end is None else m.end, t, m.text))
    return out


def _documents(path: str, task: str, opts: Options) -> Evaluation:
    from . import events as ev  # imported only for the span-level tasks
    from . import quotes as qt
    from . import spans as sp

    articles = gd.load_documents(opts.gold, opts.split)
    if not articles:
        raise UserError(f"--gold {opts.gold}: split {opts.split!r} has no documents")
    preds = pr.read_documents(path, articles, opts.tagset, opts.match, opts.allow_missing)
    ledger = _units(articles)
    index, items = bs.SentenceIndex(), bs.Items()
    errors: list[dict[str, Any]] = []
    score = {"entities": _entities, "events": _events, "quotes": _quotes}[task]
    total = score(articles, preds, opts, index, items, errors)
    ledger.add_items(items, index.units)
    if task == "entities":
        body, metrics = _entities_report(total, opts), [f"entities.{s}" for s in (sp.SCHEMAS if opts.match == "offsets" else ("text",))]
        ledger.documents_only = opts.match == "text"
    elif task == "events":
        body, metrics = ev.report(total), [f"events.{m}" for m in ev.METRICS]
    else:
        body, metrics = qt.report(total), [f"quotes.{m}" for m in qt.METRICS]
    report = {"_gold": {"documents": len(articles), "sentences": len(ledger.sentence_ids)},
              "_predictions": {"format": "jsonl", "tagset": opts.tagset, "missing": preds.missing,
                               **({"match": opts.match} if task == "entities" else {})},
              task: body}
    return Evaluation(report, ledger, metrics, {"errors": errors, "confusion": _confusion(errors)} if opts.errors else None)


def _entities(articles: list[Article], preds: pr.DocPredictions, opts: Options, index: bs.SentenceIndex, items: bs.Items,
              errors: list[dict[str, Any]]) -> dict[str, Any]:
    from . import spans as sp

    if opts.match == "text":
        return _entities_text(articles, preds, opts, index, items)
    totals = sp.Totals(opts.clitics, items)
    mapping = tg.type_map(opts.tagset)
    for a in articles:
        base = index.add_document(a.sentences)
        pred, gold = _side(preds.docs[a.id].entities, mapping), _side(a.layers.entities, mapping)
        totals.add(a.text, pred, gold, base)
        if opts.errors:
            _entity_errors(a, pred, gold, opts, errors)
    return totals.finish()


def _side(mentions: Any, mapping: dict[str, str | None]) -> sp.Side:
    """Mentions with offsets, typed in the target tagset (those whose type maps to no entity left out)."""
    from . import spans as sp

    types = [mapping[m.type] for m in mentions]
    if None in types:
        mentions = [m for m, t in zip(mentions, types) if t is not None]
        types = [t for t in types if t is not None]
    return sp.Side([m.start for m in mentions], [m.end for m in mentions], types)  # type: ignore[misc]


def _entities_text(articles: list[Article], preds: pr.DocPredictions, opts: Options, index: bs.SentenceIndex,
                   items: bs.Items) -> dict[str, Any]:
    """Offset-free matching: counts per document (kept in its first sentence)."""
    from . import spans as sp

    total: Any = None
    for a in articles:
        base = index.add_document(a.sentences)
        gold = _mentions(a.layers.entities, opts.tagset)
        pred = _mentions(preds.docs[a.id].entities, opts.tagset)
        res = sp.score_text(pred, gold)
        for row, count in ((bs.MATCHED, res.matched), (bs.PREDICTED, res.predicted), (bs.GOLD, res.gold)):
            items.extend("entities.text", row, [base], [count])
        total = merge(total, {"text": res, "per_type": {t: sp.score_text([m for m in pred if m.type == t], [m for m in gold if m.type == t])
                                                        for t in sorted({m.type for m in gold + pred})}})
    return total


def _entity_errors(a: Article, pred: sp.Side, gold: sp.Side, opts: Options, errors: list[dict[str, Any]]) -> None:
    """FP and FN of the strict matching, with the type of a same-boundary mention on the other side."""
    from . import spans as sp

    ov = sp.find_overlaps(a.text, pred, gold, opts.clitics)
    kept = sp.kept_pairs(ov, pred, gold, "strict")
    mp, mg = {ov.pred[k] for k in kept}, {ov.gold[k] for k in kept}
    same = sorted((ov.pred[k], ov.gold[k]) for k in range(len(ov.pred)) if ov.same[k])
    for kind, side, used, other_side in (("FP", pred, mp, gold), ("FN", gold, mg, pred)):
        for k, (start, end, typ) in enumerate(zip(side.starts, side.ends, side.types)):
            if k not in used:
                other = next((other_side.types[j if kind == "FP" else i] for i, j in same if (i if kind == "FP" else j) == k), None)
                errors.append(_error(a, "entities", "strict", kind, start, end, a.text[start:end], typ, other))


def _events(articles: list[Article], preds: pr.DocPredictions, opts: Options, index: bs.SentenceIndex, items: bs.Items,
            errors: list[dict[str, Any]]) -> dict[str, Any]:
    from . import events as ev

    totals = ev.Totals(items)
    for a in articles:
        base = index.add_document(a.sentences)
        pred = ev.tuples_of(preds.docs[a.id].events, ev.predicted_span, base)
        gold = ev.tuples_of(a.layers.events, ev.gold_span(a), base)
        totals.add(pred, gold)
        if opts.errors:
            _tuple_errors(a, "events", {m: (pred.keys[m], gold.keys[m]) for m in ("tri_c", "arg_c")}, errors)
    return totals.finish()


def _quotes(articles: list[Article], preds: pr.DocPredictions, opts: Options, index: bs.SentenceIndex, items: bs.Items,
            errors: list[dict[str, Any]]) -> dict[str, Any]:
    from . import quotes as qt

    totals = qt.Totals(items)
    for a in articles:
        base = index.add_document(a.sentences)
        pred, gold = preds.docs[a.id].quotes, a.layers.quotes
        totals.add(a.text, pred, gold, qt.gold_sources(a), index.same_unit, base)
        if opts.errors:
            ps, gs = qt.keyed(pred, a.text), qt.keyed(gold, a.text)
            _tuple_errors(a, "quotes", {m: (ps[m], gs[m]) for m in ("content_exact", "cue")}, errors)
    return totals.finish()


def _entities_report(total: dict[str, Any], opts: Options) -> dict[str, Any]:
    from . import spans as sp

    if opts.match == "text":
        return {"match": "text", "text": total["text"].to_dict(),
                "per_type": {t: {"text": v.to_dict()} for t, v in total["per_type"].items()}}
    schemas = total["schemas"]
    out: dict[str, Any] = {"match": "offsets", "clitic_aware": opts.clitics,
                           "schemas": {s: schemas[s].to_dict() for s in sp.SCHEMAS}}
    if opts.clitics:
        plain = total["no_clitics"]
        out["clitic_matches"] = {s: schemas[s].matched - plain[s].matched for s in ("strict", "exact")}
        out["schemas_without_clitic_rule"] = {s: plain[s].to_dict() for s in sp.SCHEMAS}
    out["per_type"] = {t: {s: v[s].to_dict() for s in sp.SCHEMAS} for t, v in total["per_type"].items()}
    return out


# --- error lists --------------------------------------------------------------------


def _error(a: Article, task: str, metric: str, kind: str, start: int, end: int, text: str, typ: str | None,
           other: str | None) -> dict[str, Any]:
    s = a.sentence_of(start, end) or a.sentence_of(start, start + 1)
    return {"task": task, "metric": metric, "kind": kind, "document_id": a.id, "sentence_id": s.id if s else None,
            "sentence": s.text if s else None, "start": start, "end": end, "text": text, "type": typ, "other_type": other}


def _tuple_errors(a: Article, task: str, sets: dict[str, tuple[dict[Any, int], dict[Any, int]]], out: list[dict[str, Any]]) -> None:
    """FP/FN of tuple metrics: tuples start with the span's (start, end); type/role follow."""
    for metric, (pred, gold) in sets.items():
        for kind, mine, other in (("FP", pred, gold), ("FN", gold, pred)):
            for key in sorted(k for k in mine if k not in other):
                if isinstance(key[0], tuple):  # a quote's content: a tuple of spans
                    start, end, labels = key[0][0], key[-1][1], ()
                else:
                    start, end, labels = key[0], key[1], key[2:]
                out.append(_error(a, task, metric, kind, start, end, a.text[start:end], ":".join(map(str, labels)) or None, None))


def _confusion(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from collections import Counter

    c: Counter[tuple[str, str]] = Counter()
    for e in errors:
        if e["kind"] == "FN":
            c[(e["type"] or "", e["other_type"] or "O")] += 1
        elif e["other_type"] is None:
            c[("O", e["type"] or "")] += 1
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in sorted(c.items())]
