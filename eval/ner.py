"""Token-level NER: seqeval's two classification reports, per-sentence counts, error lists.

The scores are seqeval's, from one ``classification_report(..., output_dict=True)``
call per mode on the tags as submitted (after the conversions the user asked
for): ``mode="strict", scheme=IOB2`` (the headline) and the default,
conlleval-compatible mode. The same entities are also extracted here, vectorised
over the whole corpus, to get per-sentence counts for the bootstrap and the
error lists; their totals are checked against seqeval's before anything is reported.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from ..dataset.parallel import default_jobs, spawn_pool
from .bootstrap import Ledger
from .tags import labels

MODES = ("strict", "default")
_O, _B, _I = 0, 1, 2


@dataclass(frozen=True)
class Chunks:
    """Entities of a flat tag-id array: token ``start``/``end`` (exclusive) and type index."""

    start: np.ndarray
    end: np.ndarray
    type: np.ndarray

    def keys(self, n: int, ntypes: int) -> np.ndarray:
        return (self.start.astype(np.int64) * (n + 1) + self.end) * ntypes + self.type


class Vocabulary:
    """IOB2 labels of a tagset as integer ids, with prefix and type per id."""

    def __init__(self, tagset: str) -> None:
        self.labels = labels(tagset)
        self.index = {t: i for i, t in enumerate(self.labels)}
        self.types = [t[2:] for t in self.labels[1::2]]
        self.prefix = np.array([_O] + [_B if t[0] == "B" else _I for t in self.labels[1:]], dtype=np.int8)
        self.type = np.array([-1] + [(i - 1) // 2 for i in range(1, len(self.labels))], dtype=np.int64)

    def encode(self, seqs: list[list[str]]) -> np.ndarray:
        flat = list(chain.from_iterable(seqs))
        return np.fromiter(map(self.index.__getitem__, flat), dtype=np.int64, count=len(flat))


def chunks(ids: np.ndarray, sentence_start: np.ndarray, vocab: Vocabulary, strict: bool) -> Chunks:
    """seqeval's entities, vectorised. IOB2 tags only (other schemes were converted first).

    Default mode (conlleval): an entity starts at ``B-X``, or at ``I-X`` not
    continuing an entity of type X. Strict IOB2: only ``B-X`` starts one; a run
    opened by a stray ``I-X`` is not an entity. Either way ``I-X`` continues the
    previous ``B-X``/``I-X`` of the same type in the same sentence.
    """
    p = vocab.prefix[ids]
    t = vocab.type[ids]
    prev_p = np.empty_like(p)
    prev_t = np.empty_like(t)
    if len(ids):
        prev_p[0], prev_t[0] = _O, -1
        prev_p[1:], prev_t[1:] = p[:-1], t[:-1]
        prev_p[sentence_start], prev_t[sentence_start] = _O, -1
    cont = (p == _I) & (prev_p != _O) & (t == prev_t)
    lead = np.flatnonzero((p != _O) & ~cont)
    breaks = np.append(np.flatnonzero(~cont), len(ids))
    end = breaks[np.searchsorted(breaks, lead, side="right")]
    if strict:
        keep = p[lead] == _B
        lead, end = lead[keep], end[keep]
    return Chunks(lead, end, t[lead])


def _plain(x: Any) -> Any:
    """seqeval's dict as JSON values: numpy scalars to Python numbers, NaN to null."""
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if math.isnan(float(x)) else float(x)
    return x


def _report(mode: str, y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, Any]:
    """seqeval's classification report in one mode, as JSON values."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if mode == "strict":
            return _plain(classification_report(y_true, y_pred, output_dict=True, mode="strict", scheme=IOB2))
        return _plain(classification_report(y_true, y_pred, output_dict=True))


def seqeval_reports(y_true: list[list[str]], y_pred: list[list[str]]) -> dict[str, dict[str, Any]]:
    """The two seqeval reports, exactly as seqeval returns them (as JSON values)."""
    return {mode: _report(mode, y_true, y_pred) for mode in MODES}


def _import_seqeval() -> None:
    import seqeval.metrics  # noqa: F401  (importing seqeval, and scikit-learn with it, takes a second)


def _decoded_report(mode: str, labels: list[str], ids_true: np.ndarray, ids_pred: np.ndarray,
                    offsets: np.ndarray) -> dict[str, Any]:
    """:func:`_report` on tag sequences sent as label ids (compact to send to another process)."""
    names = np.array(labels, dtype=object)

    def rows(ids: np.ndarray) -> list[list[str]]:
        flat = names[ids].tolist()
        return [flat[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]

    return _report(mode, rows(ids_true), rows(ids_pred))


class SecondCore:
    """A second process for seqeval's default-mode report while this one computes the strict one.

    seqeval is pure Python, and the two reports are independent: on a machine with
    two or more cores they run side by side. The process is spawned at once and
    imports seqeval while the caller reads the gold and the predictions; the tag
    sequences travel to it as label ids and come back as the same report seqeval
    gives in this process (the sequences are rebuilt from the same labels). Used
    only for large inputs (starting a process costs about a second); if anything
    goes wrong there, the report is computed here instead. A context manager.
    """

    def __init__(self, enabled: bool) -> None:
        self.pool: Any = None
        if enabled and default_jobs() >= 2:
            try:
                self.pool = spawn_pool(1)
                self.pool.submit(_import_seqeval)
            except OSError:
                self.pool = None

    def __enter__(self) -> SecondCore:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def reports(self, y_true: list[list[str]], y_pred: list[list[str]], vocab: Vocabulary, ids_true: np.ndarray,
                ids_pred: np.ndarray, offsets: np.ndarray) -> dict[str, dict[str, Any]]:
        if self.pool is None:
            return seqeval_reports(y_true, y_pred)
        try:
            future = self.pool.submit(_decoded_report, "default", vocab.labels, ids_true, ids_pred, offsets)
        except Exception:  # a broken pool: compute here
            return seqeval_reports(y_true, y_pred)
        strict = _report("strict", y_true, y_pred)
        try:
            default = future.result()
        except Exception:
            default = _report("default", y_true, y_pred)
        return {"strict": strict, "default": default}



@dataclass(frozen=True)
class NerResult:
    reports: dict[str, dict[str, Any]]
    ledger: Ledger
    gold_chunks: dict[str, Chunks]
    pred_chunks: dict[str, Chunks]
    offsets: np.ndarray
    vocab: Vocabulary


def score(row_ids: list[str], document_ids: list[str], y_true: list[list[str]], y_pred: list[list[str]],
          tagset: str, helper: SecondCore | None = None) -> NerResult:
    vocab = Vocabulary(tagset)
    lengths = np.fromiter(map(len, y_true), dtype=np.int64, count=len(y_true))
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    starts = offsets[:-1][lengths > 0]
    gold_ids, pred_ids = vocab.encode(y_true), vocab.encode(y_pred)
    n, ntypes = len(gold_ids), len(vocab.types)
    doc_index: dict[str, int] = {}
    doc_of = np.fromiter((doc_index.setdefault(d, len(doc_index)) for d in document_ids), dtype=np.int64, count=len(document_ids))
    ledger = Ledger(row_ids, doc_of, list(doc_index))
    gold_chunks, pred_chunks = {}, {}
    reports = (helper or SecondCore(False)).reports(y_true, y_pred, vocab, gold_ids, pred_ids, offsets)
    nrows = len(row_ids)

    def per_row(tok: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(offsets, tok, side="right") - 1, minlength=nrows).astype(np.float64)

    for mode in MODES:
        g = gold_chunks[mode] = chunks(gold_ids, starts, vocab, strict=mode == "strict")
        p = pred_chunks[mode] = chunks(pred_ids, starts, vocab, strict=mode == "strict")
        gk, pk = g.keys(n, ntypes), p.keys(n, ntypes)
        hit = np.isin(pk, gk, assume_unique=True)
        ledger.set(f"ner.{mode}", per_row(p.start[hit]), per_row(p.start), per_row(g.start))
        _check_against_seqeval(mode, ledger, reports[mode])
    return NerResult(reports, ledger, gold_chunks, pred_chunks, offsets, vocab)


def _check_against_seqeval(mode: str, ledger: Ledger, report: dict[str, Any]) -> None:
    """The per-sentence counts must add up to seqeval's micro average, or nothing is reported."""
    mine = ledger.total(f"ner.{mode}")
    micro = report["micro avg"]
    if mine.gold != micro["support"] or not math.isclose(mine.f1, micro["f1-score"] or 0.0, rel_tol=1e-9, abs_tol=1e-12):
        raise RuntimeError(f"internal error: ner.{mode} counts {mine} disagree with seqeval's micro average {micro}; please report this")


def errors(result: NerResult, row_ids: list[str], document_ids: list[str], tokens: list[list[str]]) -> dict[str, Any]:
    """False positives and negatives of the strict mode, with their sentence, and confusion counts."""
    g, p = result.gold_chunks["strict"], result.pred_chunks["strict"]
    vocab, offsets = result.vocab, result.offsets
    flat = list(chain.from_iterable(tokens))

    def items(c: Chunks) -> dict[tuple[int, int], list[int]]:
        out: dict[tuple[int, int], list[int]] = {}
        for s, e, t in zip(c.start.tolist(), c.end.tolist(), c.type.tolist()):
            out.setdefault((s, e), []).append(t)
        return out

    gi, pi = items(g), items(p)
    rows = np.searchsorted(offsets, np.arange(len(flat)), side="right") - 1 if flat else np.array([], dtype=np.int64)

    def entry(kind: str, s: int, e: int, t: int, other: str | None) -> dict[str, Any]:
        r = int(rows[s])
        return {"kind": kind, "document_id": document_ids[r], "id": row_ids[r], "sentence": " ".join(tokens[r]),
                "tokens": [s - int(offsets[r]), e - int(offsets[r])], "text": " ".join(flat[s:e]),
                "type": vocab.types[t], "other_type": other}

    out: list[dict[str, Any]] = []
    confusion: Counter[tuple[str, str]] = Counter()
    for (s, e), ts in sorted(gi.items()):
        for t in ts:
            if t not in pi.get((s, e), ()):
                others = [vocab.types[x] for x in pi.get((s, e), ()) if x != t]
                out.append(entry("FN", s, e, t, others[0] if others else None))
                confusion[(vocab.types[t], others[0] if others else "O")] += 1
    for (s, e), ts in sorted(pi.items()):
        for t in ts:
            if t not in gi.get((s, e), ()):
                others = [vocab.types[x] for x in gi.get((s, e), ()) if x != t]
                out.append(entry("FP", s, e, t, others[0] if others else None))
                if not others:
                    confusion[("O", vocab.types[t])] += 1
    position = {k: i for i, k in enumerate(row_ids)}
    out.sort(key=lambda x: (position[x["id"]], x["tokens"], x["kind"]))
    return {"errors": out, "confusion": [{"gold": a, "predicted": b, "count": c} for (a, b), c in sorted(confusion.items())]}
