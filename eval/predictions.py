"""Reading predictions files: every problem is one line naming the file, line, id and fix.

Formats (defined in ``schema/predictions.schema.json``):

* ``jsonl`` NER: one ``{"id": ROW_ID, "ner_tags": [...]}`` per row of the ``ner`` config;
* ``conll``: token and predicted tag per line (first and last whitespace-separated
  columns), a blank line between sentences, sentences in ``ner`` row order;
* ``jsonl`` documents: one ``{"document_id": ID, "entities": [...], "events": [...],
  "quotes": [...]}`` per article.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .. import schema
from ..dataset.model import Article, Span
from ..dataset.validate import schema_incidents
from ..errors import UserError
from ..fsio import read_text
from . import tags as tg
from .gold import NerGold

FORMATS = ("auto", "jsonl", "conll")
LAYERS = ("entities", "events", "quotes")


def _fail(path: str, line: int | None, ident: str | None, what: str) -> UserError:
    where = f"{path}: line {line}" if line is not None else path
    return UserError(f"{where}: {ident}: {what}" if ident else f"{where}: {what}")


def detect_format(text: str) -> str:
    stripped = text.lstrip()
    return "jsonl" if stripped.startswith("{") else "conll"


def _json_lines(path: str, text: str) -> Iterator[tuple[int, Any]]:
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            yield n, json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(path, n, None, f"malformed JSON at column {exc.colno}: {exc.msg}; write one JSON object per line") from None


# --- NER ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NerPredictions:
    """Tag sequences aligned with the gold rows, already mapped to IOB2 in the target tagset."""

    tags: list[list[str]]
    format: str
    missing: int


class _NerChecker:
    """Checks one submitted sequence and maps it; shared by the JSONL and CoNLL readers."""

    def __init__(self, path: str, gold: NerGold, scheme: str, tagset: str) -> None:
        self.path, self.gold, self.scheme, self.tagset = path, gold, scheme, tagset
        self.mapping = tg.tag_map(tagset, scheme)
        self.identity = frozenset(t for t, m in self.mapping.items() if t == m) if scheme == "iob2" else frozenset()

    def check(self, line: int, row: int, tags: list[Any]) -> list[str]:
        ident = f"id {self.gold.ids[row]!r}"
        expected = len(self.gold.tags[row])
        if len(tags) != expected:
            raise _fail(self.path, line, ident, f"{len(tags)} tags for {expected} tokens; give exactly one tag per token of the ner row")
        try:
            present = set(tags)
        except TypeError:
            present = {repr(t) for t in tags}
        if present <= self.identity:
            return tags
        if not present <= self.mapping.keys():
            k = next(i for i, t in enumerate(tags) if not isinstance(t, str) or t not in self.mapping)
            raise _fail(self.path, line, ident, f"token {k}: {tg.explain_tag(tags[k], self.tagset, self.scheme)}")
        return tg.to_iob2(tags, self.scheme, self.mapping)


def read_ner(path: str, gold: NerGold, fmt: str = "auto", scheme: str = "iob2", tagset: str = "wojood",
             allow_missing: bool = False) -> NerPredictions:
    text = read_text(path)
    fmt = detect_format(text) if fmt == "auto" else fmt
    checker = _NerChecker(path, gold, scheme, tagset)
    out: list[list[str] | None] = [None] * len(gold.ids)
    lines: list[int] = [0] * len(gold.ids)
    if fmt == "jsonl":
        index = {k: i for i, k in enumerate(gold.ids)}
        for n, obj in _json_lines(path, text):
            if type(obj) is not dict or obj.keys() != {"id", "ner_tags"} or type(obj["id"]) is not str or type(obj["ner_tags"]) is not list:
                raise _ner_shape_error(path, n, obj)
            row = index.get(obj["id"])
            if row is None:
                raise _fail(path, n, f"id {obj['id']!r}", f"unknown id: not a row of the gold ner split ({len(index)} rows); ids look like {gold.ids[0]!r}" if gold.ids else "unknown id: the gold split has no rows")
            if out[row] is not None:
                raise _fail(path, n, f"id {obj['id']!r}", f"duplicate id (first on line {lines[row]}); keep one prediction per row")
            out[row] = checker.check(n, row, obj["ner_tags"])
            lines[row] = n
    else:
        for row, n, toks, tags in _conll_sentences(path, text, len(gold.ids)):
            if gold.tokens is not None:
                for k, (tok, ref) in enumerate(zip(toks, gold.tokens[row])):
                    if tok != ref:
                        raise _fail(path, n + k, f"id {gold.ids[row]!r}", f"token {tok!r} differs from the gold token {ref!r}; sentences must follow the ner row order, one token per line")
            out[row] = checker.check(n, row, tags)
    missing = [i for i, t in enumerate(out) if t is None]
    if missing and not allow_missing:
        raise _fail(path, None, f"id {gold.ids[missing[0]]!r}", f"missing prediction ({len(missing)} of {len(gold.ids)} rows missing); add them, or pass --allow-missing to score them as all-O")
    for i in missing:
        out[i] = ["O"] * len(gold.tags[i])
    return NerPredictions(out, fmt, len(missing))  # type: ignore[arg-type]


def _ner_shape_error(path: str, n: int, obj: Any) -> UserError:
    if isinstance(obj, dict) and "document_id" in obj:
        return _fail(path, n, f"document {obj.get('document_id')!r}", "a document-level prediction; --task ner needs {\"id\": ROW_ID, \"ner_tags\": [...]} rows (or pass --task entities|events|quotes)")
    ident = f"id {obj['id']!r}" if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
    incidents = schema_incidents("predictions", obj, path)
    detail = f"{incidents[0].pointer or '/'}: {incidents[0].message}" if incidents else "expected {\"id\": ..., \"ner_tags\": [...]}"
    return _fail(path, n, ident, f"{detail}; write {{\"id\": ROW_ID, \"ner_tags\": [TAG, ...]}}")


def _conll_sentences(path: str, text: str, nrows: int) -> Iterator[tuple[int, int, list[str], list[str]]]:
    """(row, first line, tokens, tags) per sentence of a CoNLL file."""
    row, first = 0, 0
    toks: list[str] = []
    tags: list[str] = []
    for n, line in enumerate(text.split("\n") + [""], 1):
        cols = line.split()
        if cols:
            if len(cols) < 2:
                raise _fail(path, n, None, f"one column {line.strip()!r}; write TOKEN TAG on each line")
            if not toks:
                first = n
            toks.append(cols[0])
            tags.append(cols[-1])
            continue
        if toks:
            if row >= nrows:
                raise _fail(path, first, f"sentence {row + 1}", f"more sentences than the {nrows} rows of the gold ner split")
            yield row, first, toks, tags
            row += 1
            toks, tags = [], []


# --- documents ----------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    """A predicted entity; ``start``/``end`` are None for text-only predictions."""

    type: str
    text: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class PredArgument:
    role: str
    span: Span


@dataclass(frozen=True)
class PredEvent:
    type: str
    realis: str | None
    trigger: Span
    arguments: tuple[PredArgument, ...] = ()


@dataclass(frozen=True)
class PredQuote:
    type: str | None
    content: tuple[Span, ...]
    cue: Span | None
    source: Span | None


@dataclass(frozen=True)
class DocPrediction:
    document_id: str
    entities: tuple[Mention, ...] = ()
    events: tuple[PredEvent, ...] = ()
    quotes: tuple[PredQuote, ...] = ()


@dataclass(frozen=True)
class DocPredictions:
    docs: dict[str, DocPrediction]
    layers: tuple[str, ...]
    missing: int


@lru_cache(maxsize=None)
def _document_validator() -> Any:
    """The predictions schema narrowed to its ``documentPrediction`` branch (clearer messages than the oneOf)."""
    from jsonschema import Draft202012Validator

    narrowed = {**schema.load("predictions"), "oneOf": [{"$ref": "#/$defs/documentPrediction"}]}
    return Draft202012Validator(narrowed, registry=schema._registry())


def _schema_problem(obj: Any) -> str | None:
    """The most relevant schema error of a document line as ``POINTER: message``, or None."""
    from jsonschema.exceptions import best_match

    err = best_match(_document_validator().iter_errors(obj))
    while err is not None and err.context:
        err = best_match(err.context)
    if err is None:
        return None
    pointer = "".join(f"/{p}" for p in err.absolute_path) or "/"
    return f"{pointer}: {err.message}"


def _sp(d: dict[str, Any] | None) -> Span | None:
    return None if d is None else Span(d["start"], d["end"], d["text"])


class _DocChecker:
    def __init__(self, path: str, tagset: str, match: str) -> None:
        self.path, self.tagset, self.match = path, tagset, match
        self.event_types = frozenset(schema.event_roles())
        self.roles = frozenset(schema.enum("role"))

    def span(self, n: int, ident: str, article: Article, ptr: str, s: Span) -> None:
        size = len(article.text)
        if not (0 <= s.start < s.end <= size):
            raise _fail(self.path, n, ident, f"{ptr}: offsets {s.start}-{s.end} are outside the text (length {size}) or empty; use code-point offsets, end exclusive")
        actual = article.text[s.start:s.end]
        if actual != s.text:
            raise _fail(self.path, n, ident, f"{ptr}/text: {s.text!r} does not match the text at {s.start}-{s.end} ({actual!r}); fix the offsets or the text")

    def doc(self, n: int, obj: dict[str, Any], article: Article) -> DocPrediction:
        ident = f"document {article.id!r}"
        ents = []
        for i, e in enumerate(obj.get("entities", ())):
            ptr = f"/entities/{i}"
            if e["type"] not in tg.type_map(self.tagset):
                raise _fail(self.path, n, ident, f"{ptr}/type: unknown entity type {e['type']!r} for --tagset {self.tagset}; known: {', '.join(tg.types(self.tagset))}")
            if self.match == "offsets":
                if "start" not in e:
                    raise _fail(self.path, n, ident, f"{ptr}: no offsets; add start and end, or score text-only predictions with --match text")
                self.span(n, ident, article, ptr, Span(e["start"], e["end"], e["text"]))
            ents.append(Mention(e["type"], e["text"], e.get("start"), e.get("end")))
        events = []
        for i, ev in enumerate(obj.get("events", ())):
            ptr = f"/events/{i}"
            if ev["type"] not in self.event_types:
                raise _fail(self.path, n, ident, f"{ptr}/type: unknown event type {ev['type']!r}; use an ACE Type:Subtype such as 'Conflict:Attack'")
            trig = _sp(ev["trigger"])
            self.span(n, ident, article, f"{ptr}/trigger", trig)  # type: ignore[arg-type]
            args = []
            for j, a in enumerate(ev.get("arguments", ())):
                if a["role"] not in self.roles:
                    raise _fail(self.path, n, ident, f"{ptr}/arguments/{j}/role: unknown role {a['role']!r}; use an ACE role such as 'Place'")
                s = Span(a["start"], a["end"], a["text"])
                self.span(n, ident, article, f"{ptr}/arguments/{j}", s)
                args.append(PredArgument(a["role"], s))
            events.append(PredEvent(ev["type"], ev.get("realis"), trig, tuple(args)))  # type: ignore[arg-type]
        quotes = []
        for i, q in enumerate(obj.get("quotes", ())):
            ptr = f"/quotes/{i}"
            content = tuple(_sp(c) for c in q["content"])
            for j, c in enumerate(content):
                self.span(n, ident, article, f"{ptr}/content/{j}", c)  # type: ignore[arg-type]
            cue, source = _sp(q.get("cue")), _sp(q.get("source"))
            for name, s in (("cue", cue), ("source", source)):
                if s is not None:
                    self.span(n, ident, article, f"{ptr}/{name}", s)
            quotes.append(PredQuote(q.get("type"), content, cue, source))  # type: ignore[arg-type]
        return DocPrediction(article.id, tuple(ents), tuple(events), tuple(quotes))


def read_documents(path: str, articles: list[Article], tagset: str = "wojood", match: str = "offsets",
                   allow_missing: bool = False) -> DocPredictions:
    text = read_text(path)
    index = {a.id: a for a in articles}
    checker = _DocChecker(path, tagset, match)
    docs: dict[str, DocPrediction] = {}
    first_line: dict[str, int] = {}
    layers: set[str] = set()
    for n, obj in _json_lines(path, text):
        if isinstance(obj, dict) and "ner_tags" in obj:
            raise _fail(path, n, f"id {obj.get('id')!r}", "a token-level NER row; span-level tasks need one {\"document_id\": ..., \"entities\": [...]} object per article (or pass --task ner)")
        ident = f"document {obj.get('document_id')!r}" if isinstance(obj, dict) and isinstance(obj.get("document_id"), str) else None
        problem = _schema_problem(obj)
        if problem:
            raise _fail(path, n, ident, problem)
        doc_id = obj["document_id"]
        if doc_id not in index:
            raise _fail(path, n, ident, f"unknown document id: not an article of the gold split ({len(index)} articles)")
        if doc_id in docs:
            raise _fail(path, n, ident, f"duplicate document id (first on line {first_line[doc_id]}); keep one object per article")
        layers.update(k for k in LAYERS if k in obj)
        docs[doc_id] = checker.doc(n, obj, index[doc_id])
        first_line[doc_id] = n
    missing = [a.id for a in articles if a.id not in docs]
    if missing and not allow_missing:
        raise _fail(path, None, f"document {missing[0]!r}", f"missing prediction ({len(missing)} of {len(articles)} articles missing); add them, or pass --allow-missing to score them as empty")
    for m in missing:
        docs[m] = DocPrediction(m)
    return DocPredictions(docs, tuple(k for k in LAYERS if k in layers), len(missing))


def article_prediction(article: Article) -> dict[str, Any]:
    """The gold layers of an article written as a prediction line (gold-as-predictions, tests, docs)."""
    ents = {e.id: e for e in article.layers.entities}

    def ref_span(ref: Any) -> dict[str, Any] | None:
        if ref is None:
            return None
        if ref.span is not None:
            return ref.span.to_dict()
        return ents[ref.entity].span.to_dict()

    return {"document_id": article.id,
            "entities": [{"type": e.type, "start": e.start, "end": e.end, "text": e.text} for e in article.layers.entities],
            "events": [{"type": ev.type, "realis": ev.realis, "trigger": ev.trigger.to_dict(),
                        "arguments": [{"role": a.role, **ref_span(a.ref)} for a in ev.arguments]}  # type: ignore[dict-item]
                       for ev in article.layers.events],
            "quotes": [{"type": q.type, "content": [c.to_dict() for c in q.content],
                        "cue": q.cue.to_dict() if q.cue else None, "source": ref_span(q.source)} for q in article.layers.quotes]}
