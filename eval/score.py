"""``akhbar eval`` as a pure function: predictions file + options -> report (a dict).

Also used by ``akhbar compare`` (which needs the per-sentence counts of both
systems) and by the tests.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

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


def _ner(path: str, opts: Options) -> Evaluation:
    fmt = pr.detect_format(pr.read_text(path)) if opts.format == "auto" else opts.format
    gold = gd.load_ner(opts.gold, opts.split, with_tokens=opts.errors or fmt == "conll")
    if not gold.ids:
        raise UserError(f"--gold {opts.gold}: split {opts.split!r} has no ner rows")
    preds = pr.read_ner(path, gold, fmt, opts.scheme, opts.tagset, opts.allow_missing)
    y_true = gold.tags
    if opts.tagset != "wojood":
        mapping = tg.tag_map(opts.tagset, "iob2")
        y_true = [[mapping[t] for t in row] for row in y_true]
    result = ner.score(gold.ids, gold.document_ids, y_true, preds.tags, opts.tagset)
    errors = ner.errors(result, gold.ids, gold.document_ids, gold.tokens) if opts.errors else None  # type: ignore[arg-type]
    report = {"_gold": {"documents": len(result.ledger.document_ids), "sentences": len(gold.ids), "tokens": int(result.offsets[-1])},
              "_predictions": {"format": preds.format, "scheme": opts.scheme, "tagset": opts.tagset, "missing": preds.missing},
              "ner": result.reports}
    return Evaluation(report, result.ledger, [f"ner.{m}" for m in ner.MODES], errors)


# --- documents ----------------------------------------------------------------------


def _units(articles: list[Article]) -> tuple[bs.Ledger, dict[str, Callable[[int], int]]]:
    ids, doc_of, unit_of = [], [], {}
    for d, a in enumerate(articles):
        base = len(ids)
        starts = [s.start for s in a.sentences]
        ids.extend(f"{a.id}-{s.id}" for s in a.sentences)
        doc_of.extend([d] * len(a.sentences))
        if not a.sentences:
            raise UserError(f"gold article {a.id!r} has no sentences")
        unit_of[a.id] = (lambda b, st: lambda off: b + max(0, bisect.bisect_right(st, off) - 1))(base, starts)
    return bs.Ledger(ids, np.array(doc_of, dtype=np.int64), [a.id for a in articles]), unit_of


def _mentions(items: Any, tagset: str, unit: Callable[[int], int]) -> list[sp.Mention]:
    from . import spans as sp

    out = []
    for m in items:
        t = tg.map_type(m.type, tagset)
        if t is not None:
            start = -1 if m.start is None else m.start
            out.append(sp.Mention(start, -1 if m.end is None else m.end, t, m.text, unit(max(start, 0))))
    return out


def _documents(path: str, task: str, opts: Options) -> Evaluation:
    from . import events as ev  # these use scipy: imported only for the span-level tasks
    from . import quotes as qt
    from . import spans as sp

    articles = gd.load_documents(opts.gold, opts.split)
    if not articles:
        raise UserError(f"--gold {opts.gold}: split {opts.split!r} has no documents")
    preds = pr.read_documents(path, articles, opts.tagset, opts.match, opts.allow_missing)
    ledger, unit_of = _units(articles)
    total: Any = None
    errors: list[dict[str, Any]] = []
    for a in articles:
        p, u = preds.docs[a.id], unit_of[a.id]
        if task == "entities":
            res = _entities_doc(a, p, u, opts, ledger, errors)
        elif task == "events":
            res = ev.score_document(p.events, ev.gold_events(a), u, ledger)
            if opts.errors:
                _tuple_errors(a, "events", {m: (ev.tuples(m, p.events, u), ev.tuples(m, ev.gold_events(a), u)) for m in ("tri_c", "arg_c")}, errors)
        else:
            gq = qt.gold_quotes(a)
            res = qt.score_document(a.text, p.quotes, gq, u, ledger)
            if opts.errors:
                ps, gs = qt._keyed(a.text, p.quotes, u), qt._keyed(a.text, [g.quote for g in gq], u)
                _tuple_errors(a, "quotes", {m: (ps[m], gs[m]) for m in ("content_exact", "cue")}, errors)
        total = merge(total, res)
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


def _entities_doc(a: Article, p: pr.DocPrediction, u: Callable[[int], int], opts: Options, ledger: bs.Ledger,
                  errors: list[dict[str, Any]]) -> dict[str, Any]:
    from . import spans as sp

    gold = _mentions(a.layers.entities, opts.tagset, u)
    pred = _mentions(p.entities, opts.tagset, u)
    if opts.match == "text":
        res = sp.score_text(pred, gold)
        first = u(0)
        ledger.add("entities.text", first, res.matched, res.predicted, res.gold)
        return {"text": res, "per_type": {t: sp.score_text([m for m in pred if m.type == t], [m for m in gold if m.type == t])
                                          for t in sorted({m.type for m in gold + pred})}}
    out: dict[str, Any] = {"schemas": sp.score_document(a.text, pred, gold, opts.clitics, ledger)}
    if opts.clitics:
        out["no_clitics"] = sp.score_document(a.text, pred, gold, False)
    out["per_type"] = {t: sp.score_document(a.text, [m for m in pred if m.type == t], [m for m in gold if m.type == t], opts.clitics)
                       for t in sorted({m.type for m in gold + pred})}
    if opts.errors:
        pairs = sp.overlapping_pairs(pred, gold)
        matched = sp.match("strict", a.text, pred, gold, opts.clitics, pairs)
        mp, mg = {m.pred for m in matched}, {m.gold for m in matched}
        same = {(i, j) for i, j in pairs if sp.same_bounds(a.text, pred[i], gold[j], opts.clitics)}
        for kind, items, used, side in (("FP", pred, mp, 0), ("FN", gold, mg, 1)):
            for k, m in enumerate(items):
                if k not in used:
                    other = next((gold[j].type if side == 0 else pred[i].type for i, j in sorted(same) if (i if side == 0 else j) == k), None)
                    errors.append(_error(a, "entities", "strict", kind, m.start, m.end, m.text, m.type, other))
    return out


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
