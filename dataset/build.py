"""seeds/ + annotations/ -> dataset/: Parquet files per config and split, and the dataset card.

The build streams article by article (rows are buffered per config and split
and flushed as Parquet row groups), refuses to write anything when validation
fails, writes into a staging folder and swaps it in, and is deterministic:
the same inputs give byte-identical files.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import datasets
import pyarrow as pa
import pyarrow.parquet as pq

from .. import schema
from ..errors import Incident, UserError
from ..fsio import recover_dir, swap_dir, write_text
from .model import Article, Ref
from .validate import assemble, outermost, validate_manifest

CONFIGS = ("documents", "ner", "entities", "events", "quotes")
SPLITS = ("train", "validation", "test")
ROW_GROUP = 2000


def ner_labels() -> list[str]:
    """IOB2 label names of the ``ner`` config: ``O`` then ``B-``/``I-`` per type, in schema order."""
    return ["O"] + [f"{p}-{t}" for t in schema.entity_types() for p in ("B", "I")]


def _span() -> dict[str, Any]:
    return {"start": datasets.Value("int32"), "end": datasets.Value("int32"), "text": datasets.Value("string")}


def _ref() -> dict[str, Any]:
    return {"entity_id": datasets.Value("string"), **_span()}


def features(config: str) -> datasets.Features:
    """The ``datasets`` features of each config (the Parquet schema is derived from them)."""
    s = datasets.Value("string")
    i32 = datasets.Value("int32")
    context = {"sentence_id": s, "sentence": s, "sentence_start": i32}
    entity = {"id": s, "type": s, **_span(), "cluster": s, "cluster_name": s}
    event = {"id": s, "type": s, "realis": s, "trigger": _span(),
             "arguments": datasets.List({"role": s, **_ref()}), "cluster": s}
    quote = {"id": s, "type": s, "content": datasets.List(_span()), "cue": _span(), "source": _ref()}
    if config == "documents":
        f = {"id": s, "schema_version": s, "language": s, "source_file": s, "sha256": s, "published": s, "dateline": s,
             "text": s, "segments": datasets.List({"role": s, **_span()}),
             "sentences": datasets.List({"id": s, "segment": i32, **_span(), "token_start": i32, "token_end": i32}),
             "tokens": datasets.List(_span()), "entities": datasets.List(entity), "events": datasets.List(event),
             "quotes": datasets.List(quote)}
    elif config == "ner":
        f = {"id": s, "document_id": s, "sentence_id": s, "segment_role": s, "tokens": datasets.List(s),
             "token_offsets": datasets.List(datasets.List(i32, length=2)),
             "ner_tags": datasets.List(datasets.ClassLabel(names=ner_labels()))}
    elif config == "entities":
        f = {"id": s, "document_id": s, "entity_id": s, "type": s, **_span(), "cluster": s, "cluster_name": s,
             "outermost": datasets.Value("bool"), **context}
    elif config == "events":
        f = {"id": s, "document_id": s, "event_id": s, **{k: v for k, v in event.items() if k != "id"}, **context}
    elif config == "quotes":
        f = {"id": s, "document_id": s, "quote_id": s, **{k: v for k, v in quote.items() if k != "id"},
             "context": s, "context_start": i32}
    else:
        raise KeyError(config)
    return datasets.Features(f)


# --- rows ---------------------------------------------------------------------------


def _resolve(article: Article, ref: Ref | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    if ref.entity is not None:
        e = next(x for x in article.layers.entities if x.id == ref.entity)
        return {"entity_id": e.id, "start": e.start, "end": e.end, "text": e.text}
    return {"entity_id": None, **ref.span.to_dict()}  # type: ignore[union-attr]


def _context(article: Article, start: int, end: int) -> dict[str, Any]:
    s = article.sentence_of(start, end)
    if s is None:
        return {"sentence_id": None, "sentence": None, "sentence_start": None}
    return {"sentence_id": s.id, "sentence": s.text, "sentence_start": s.start}


def iob2_tags(article: Article) -> list[str]:
    """IOB2 tag per token over the outermost entities (a token touched by a mention is tagged)."""
    tags = ["O"] * len(article.tokens)
    starts = [t.start for t in article.tokens]
    import bisect

    for e in outermost(article.layers.entities):
        first = bisect.bisect_right(starts, e.start) - 1
        last = bisect.bisect_left(starts, e.end) - 1
        for k in range(max(first, 0), last + 1):
            tags[k] = ("B-" if k == first else "I-") + e.type
    return tags


def rows(article: Article) -> Iterator[tuple[str, dict[str, Any]]]:
    """(config, row) pairs for one article: a pure function of the article."""
    doc_id = article.id
    layers = article.layers
    names = {c.id: c.name for c in layers.clusters}
    roles = {s.start: seg.role for s in article.sentences for seg in (article.segments[s.segment],)}

    def entity_row(e):
        return {"id": e.id, "type": e.type, "start": e.start, "end": e.end, "text": e.text,
                "cluster": e.cluster, "cluster_name": names.get(e.cluster) if e.cluster else None}

    def event_row(ev):
        return {"id": ev.id, "type": ev.type, "realis": ev.realis, "trigger": ev.trigger.to_dict(),
                "arguments": [{"role": a.role, **_resolve(article, a.ref)} for a in ev.arguments], "cluster": ev.cluster}

    def quote_row(q):
        return {"id": q.id, "type": q.type, "content": [c.to_dict() for c in q.content],
                "cue": q.cue.to_dict() if q.cue else None, "source": _resolve(article, q.source)}

    yield "documents", {
        "id": doc_id, "schema_version": article.schema_version, "language": article.language,
        "source_file": article.source_file, "sha256": article.sha256, "published": article.published,
        "dateline": article.dateline, "text": article.text,
        "segments": [s.to_dict() for s in article.segments], "sentences": [s.to_dict() for s in article.sentences],
        "tokens": [t.to_dict() for t in article.tokens], "entities": [entity_row(e) for e in layers.entities],
        "events": [event_row(e) for e in layers.events], "quotes": [quote_row(q) for q in layers.quotes]}

    tags = iob2_tags(article)
    for s in article.sentences:
        toks = article.tokens[s.token_start:s.token_end]
        yield "ner", {"id": f"{doc_id}-{s.id}", "document_id": doc_id, "sentence_id": s.id,
                      "segment_role": roles[s.start], "tokens": [t.text for t in toks],
                      "token_offsets": [[t.start, t.end] for t in toks], "ner_tags": tags[s.token_start:s.token_end]}
    outer = {e.id for e in outermost(layers.entities)}
    for e in layers.entities:
        row = entity_row(e)
        yield "entities", {"id": f"{doc_id}-{e.id}", "document_id": doc_id, "entity_id": e.id,
                           **{k: v for k, v in row.items() if k != "id"}, "outermost": e.id in outer,
                           **_context(article, e.start, e.end)}
    for ev in layers.events:
        row = event_row(ev)
        yield "events", {"id": f"{doc_id}-{ev.id}", "document_id": doc_id, "event_id": ev.id,
                         **{k: v for k, v in row.items() if k != "id"}, **_context(article, ev.trigger.start, ev.trigger.end)}
    for q in layers.quotes:
        row = quote_row(q)
        spans = list(q.content) + [x for x in (q.cue, row["source"]) if x]
        lo = min(x.start if hasattr(x, "start") else x["start"] for x in spans)
        hi = max(x.end if hasattr(x, "end") else x["end"] for x in spans)
        sents = [s for s in article.sentences if s.end > lo and s.start < hi]
        cs, ce = (sents[0].start, sents[-1].end) if sents else (lo, hi)
        yield "quotes", {"id": f"{doc_id}-{q.id}", "document_id": doc_id, "quote_id": q.id,
                         **{k: v for k, v in row.items() if k != "id"}, "context": article.text[cs:ce], "context_start": cs}


# --- writing ------------------------------------------------------------------------


@dataclass
class _Sink:
    """Buffered Parquet writer for one (config, split); opened on the first row."""

    path: Path
    schema: pa.Schema
    features: datasets.Features
    buffer: list[dict[str, Any]] = field(default_factory=list)
    writer: pq.ParquetWriter | None = None
    count: int = 0
    nbytes: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.buffer.append(self.features.encode_example(row))
        self.count += 1
        if len(self.buffer) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd", write_statistics=True)
        table = pa.Table.from_pylist(self.buffer, schema=self.schema)
        self.nbytes += table.nbytes
        self.writer.write_table(table)
        self.buffer.clear()

    def close(self) -> None:
        self.flush()
        if self.writer is not None:
            self.writer.close()


@dataclass(frozen=True)
class BuildResult:
    counts: dict[tuple[str, str], int]
    nbytes: dict[tuple[str, str], int]
    articles: int
    stats: dict[str, Any]


class BuildRefused(UserError):
    def __init__(self, incidents: list[Incident]) -> None:
        super().__init__(f"build refused: {len(incidents)} validation error(s); run `akhbar validate`", exit_code=1)
        self.incidents = incidents


def data_path(config: str, split: str) -> str:
    return f"data/{config}/{split}.parquet"


def build(root: Path, out: Path | None = None) -> BuildResult:
    """Build ``dataset/data`` and ``dataset/README.md`` from the repository at ``root``."""
    from .card import render_card
    from .croissant import write_croissant

    out = out if out is not None else root / "dataset"
    data_dir = out / "data"
    recover_dir(data_dir)
    staging = out / ".staging"
    if staging.exists():
        shutil.rmtree(staging)
    entries, incidents = validate_manifest(root)
    if incidents:
        raise BuildRefused(incidents)
    sinks: dict[tuple[str, str], _Sink] = {}
    feats = {c: features(c) for c in CONFIGS}
    stats: dict[str, Any] = {"entities": {}, "events": {}, "quotes": {}, "tokens": 0, "sentences": 0, "splits": {}}
    try:
        for entry in entries:
            article, inc = assemble(root, entry)
            if inc or article is None:
                incidents.extend(inc)
                continue
            split = entry["split"]
            stats["splits"][split] = stats["splits"].get(split, 0) + 1
            stats["tokens"] += len(article.tokens)
            stats["sentences"] += len(article.sentences)
            for layer, items in (("entities", article.layers.entities), ("events", article.layers.events), ("quotes", article.layers.quotes)):
                for x in items:
                    stats[layer][x.type] = stats[layer].get(x.type, 0) + 1
            for config, row in rows(article):
                key = (config, split)
                if key not in sinks:
                    sinks[key] = _Sink(staging / data_path(config, split), feats[config].arrow_schema, feats[config])
                sinks[key].add(row)
        for sink in sinks.values():
            sink.close()
        if incidents:
            raise BuildRefused(incidents)
        counts = {k: s.count for k, s in sorted(sinks.items())}
        result = BuildResult(counts, {k: s.nbytes for k, s in sinks.items()}, len(entries), stats)
        card = render_card(result, feats)
        (staging / "data").mkdir(parents=True, exist_ok=True)
        swap_dir(staging / "data", data_dir)
        write_text(out / "README.md", card)
        write_croissant(root, out, result)
        return result
    finally:
        for sink in sinks.values():
            if sink.writer is not None:
                sink.writer.close()
        if staging.exists():
            shutil.rmtree(staging)
