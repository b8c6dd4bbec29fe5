"""seeds/ + annotations/ -> dataset/: Parquet files per config and split, and the dataset card.

The per-article work -- check the manifest entry against its seed, convert,
validate, flatten into rows -- is a pure function of one article
(:func:`build_chunk` runs it on a chunk of articles and returns Arrow record
batches). It runs on ``jobs`` processes; the main process takes the results in
manifest order and streams them into Parquet row groups of :data:`ROW_GROUP`
rows per config, so memory does not grow with the corpus and the files are byte-identical
whatever the number of jobs. The build refuses to write anything when
validation fails, writes into a staging folder and commits it with a journal
(:func:`akhbar.fsio.commit_staged`), so a crash at any point leaves the previous
``dataset/`` (or, past the commit marker, the new one) whole.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from .. import schema
from ..errors import Incident, UserError
from ..fsio import commit_staged, recover_dir, recover_staged, write_text
from .model import Article, Ref
from .parallel import Workers
from .validate import assemble, check_entry, duplicate_entries, manifest_document, outermost, sentence_finder, unlisted_seeds

if TYPE_CHECKING:
    import datasets

CONFIGS = ("documents", "ner", "entities", "events", "quotes")
SPLITS = ("train", "validation", "test")
#: Rows per Parquet row group, per config: about 6 MiB of Arrow data each on news-length
#: articles (a documents row holds a whole article), so that the buffers of the 15
#: (config, split) pairs stay small while files keep few row groups.
ROW_GROUP = {"documents": 256, "ner": 10_000, "entities": 20_000, "events": 16_000, "quotes": 12_000}
#: Articles per task sent to a worker process.
CHUNK = 50
#: The manifest fields the per-article work reads.
ENTRY_FIELDS = ("id", "file", "sha256", "published", "dateline", "split")


def ner_labels() -> list[str]:
    """IOB2 label names of the ``ner`` config: ``O`` then ``B-``/``I-`` per type, in schema order."""
    return ["O"] + [f"{p}-{t}" for t in schema.entity_types() for p in ("B", "I")]


def _span() -> dict[str, Any]:
    import datasets

    return {"start": datasets.Value("int32"), "end": datasets.Value("int32"), "text": datasets.Value("string")}


def _ref() -> dict[str, Any]:
    import datasets

    return {"entity_id": datasets.Value("string"), **_span()}


def features(config: str) -> datasets.Features:
    """The ``datasets`` features of each config (the Parquet schema is derived from them)."""
    import datasets

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


def _resolve(entities: dict[str, Any], ref: Ref | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    if ref.entity is not None:
        e = entities[ref.entity]
        return {"entity_id": e.id, "start": e.start, "end": e.end, "text": e.text}
    return {"entity_id": None, **ref.span.to_dict()}  # type: ignore[union-attr]


def _context(sentence_of: Any, start: int, end: int) -> dict[str, Any]:
    s = sentence_of(start, end)
    if s is None:
        return {"sentence_id": None, "sentence": None, "sentence_start": None}
    return {"sentence_id": s.id, "sentence": s.text, "sentence_start": s.start}


def iob2_tags(article: Article) -> list[str]:
    """IOB2 tag per token over the outermost entities (a token touched by a mention is tagged)."""
    tags = ["O"] * len(article.tokens)
    starts = [t.start for t in article.tokens]
    for e in outermost(article.layers.entities):
        first = bisect.bisect_right(starts, e.start) - 1
        last = bisect.bisect_left(starts, e.end) - 1
        for k in range(max(first, 0), last + 1):
            tags[k] = ("B-" if k == first else "I-") + e.type
    return tags


def rows(article: Article, tokens: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
    """(config, row) pairs for one article: a pure function of the article.

    With ``tokens=False`` the per-token fields (:data:`TOKEN_FIELDS`) are left
    out: :func:`build_chunk` builds those columns directly in Arrow.
    """
    doc_id = article.id
    layers = article.layers
    names = {c.id: c.name for c in layers.clusters}
    by_id = {e.id: e for e in layers.entities}
    sentence_of = sentence_finder(article)
    roles = {s.start: seg.role for s in article.sentences for seg in (article.segments[s.segment],)}

    def entity_row(e):
        return {"id": e.id, "type": e.type, "start": e.start, "end": e.end, "text": e.text,
                "cluster": e.cluster, "cluster_name": names.get(e.cluster) if e.cluster else None}

    def event_row(ev):
        return {"id": ev.id, "type": ev.type, "realis": ev.realis, "trigger": ev.trigger.to_dict(),
                "arguments": [{"role": a.role, **_resolve(by_id, a.ref)} for a in ev.arguments], "cluster": ev.cluster}

    def quote_row(q):
        return {"id": q.id, "type": q.type, "content": [c.to_dict() for c in q.content],
                "cue": q.cue.to_dict() if q.cue else None, "source": _resolve(by_id, q.source)}

    yield "documents", {
        "id": doc_id, "schema_version": article.schema_version, "language": article.language,
        "source_file": article.source_file, "sha256": article.sha256, "published": article.published,
        "dateline": article.dateline, "text": article.text,
        "segments": [s.to_dict() for s in article.segments], "sentences": [s.to_dict() for s in article.sentences],
        **({"tokens": [t.to_dict() for t in article.tokens]} if tokens else {}), "entities": [entity_row(e) for e in layers.entities],
        "events": [event_row(e) for e in layers.events], "quotes": [quote_row(q) for q in layers.quotes]}

    tags = iob2_tags(article) if tokens else []
    for s in article.sentences:
        row = {"id": f"{doc_id}-{s.id}", "document_id": doc_id, "sentence_id": s.id, "segment_role": roles[s.start]}
        if tokens:
            toks = article.tokens[s.token_start:s.token_end]
            row.update({"tokens": [t.text for t in toks], "token_offsets": [[t.start, t.end] for t in toks],
                        "ner_tags": tags[s.token_start:s.token_end]})
        yield "ner", row
    outer = {e.id for e in outermost(layers.entities)}
    for e in layers.entities:
        row = entity_row(e)
        yield "entities", {"id": f"{doc_id}-{e.id}", "document_id": doc_id, "entity_id": e.id,
                           **{k: v for k, v in row.items() if k != "id"}, "outermost": e.id in outer,
                           **_context(sentence_of, e.start, e.end)}
    for ev in layers.events:
        row = event_row(ev)
        yield "events", {"id": f"{doc_id}-{ev.id}", "document_id": doc_id, "event_id": ev.id,
                         **{k: v for k, v in row.items() if k != "id"}, **_context(sentence_of, ev.trigger.start, ev.trigger.end)}
    for q in layers.quotes:
        row = quote_row(q)
        spans = list(q.content) + [x for x in (q.cue, row["source"]) if x]
        lo = min(x.start if hasattr(x, "start") else x["start"] for x in spans)
        hi = max(x.end if hasattr(x, "end") else x["end"] for x in spans)
        sents = [s for s in article.sentences if s.end > lo and s.start < hi]
        cs, ce = (sents[0].start, sents[-1].end) if sents else (lo, hi)
        yield "quotes", {"id": f"{doc_id}-{q.id}", "document_id": doc_id, "quote_id": q.id,
                         **{k: v for k, v in row.items() if k != "id"}, "context": article.text[cs:ce], "context_start": cs}


# --- per-article work (pure, runs in worker processes) ------------------------------


@lru_cache(maxsize=None)
def _label_ids() -> dict[str, int]:
    return {name: i for i, name in enumerate(ner_labels())}


def encode(config: str, row: dict[str, Any]) -> dict[str, Any]:
    """What ``features(config).encode_example(row)`` gives for our rows: ClassLabel names become ids."""
    if config == "ner":
        ids = _label_ids()
        return {**row, "ner_tags": [ids[t] for t in row["ner_tags"]]}
    return row


def empty_stats() -> dict[str, Any]:
    return {"entities": {}, "events": {}, "quotes": {}, "tokens": 0, "sentences": 0, "splits": {}}


def add_stats(total: dict[str, Any], part: dict[str, Any]) -> None:
    """Add counts ``part`` into ``total`` (keys keep first-seen order)."""
    for key, value in part.items():
        if isinstance(value, dict):
            for k, n in value.items():
                total[key][k] = total[key].get(k, 0) + n
        else:
            total[key] += value


def article_stats(article: Article, split: str) -> dict[str, Any]:
    stats = empty_stats()
    stats["splits"][split] = 1
    stats["tokens"], stats["sentences"] = len(article.tokens), len(article.sentences)
    for layer in ("entities", "events", "quotes"):
        for x in getattr(article.layers, layer):
            stats[layer][x.type] = stats[layer].get(x.type, 0) + 1
    return stats


#: The fields built column-wise from the token arrays rather than row by row.
TOKEN_FIELDS = {"documents": ("tokens",), "ner": ("tokens", "token_offsets", "ner_tags")}


@dataclass
class _Rows:
    """Rows of one (config, split) of a chunk; the token fields as flat columns plus row lengths."""

    config: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    tags: list[int] = field(default_factory=list)

    def add(self, row: dict[str, Any], article: Article, tags: list[int], sentence: Any) -> None:
        self.rows.append(row)
        if self.config not in TOKEN_FIELDS:
            return
        lo, hi = (sentence.token_start, sentence.token_end) if self.config == "ner" else (0, len(article.tokens))
        toks = article.tokens[lo:hi]
        self.lengths.append(len(toks))
        self.starts.extend([t.start for t in toks])
        self.ends.extend([t.end for t in toks])
        self.texts.extend([t.text for t in toks])
        self.tags.extend(tags[lo:hi])

    def batch(self, schema: pa.Schema) -> pa.RecordBatch:
        """The Arrow batch: what ``from_pylist`` of the full, encoded rows gives (tested), faster."""
        own = TOKEN_FIELDS.get(self.config, ())
        partial = pa.RecordBatch.from_pylist(self.rows, schema=pa.schema([f for f in schema if f.name not in own]))
        if not own:
            return partial
        offsets = pa.array(list(itertools.accumulate(self.lengths, initial=0)), pa.int32())
        starts, ends = pa.array(self.starts, pa.int32()), pa.array(self.ends, pa.int32())
        texts = pa.array(self.texts, pa.string())
        types = {name: schema.field(name).type for name in own}
        if self.config == "documents":
            values = pa.StructArray.from_arrays([starts, ends, texts], fields=list(types["tokens"].value_type))
            columns = {"tokens": pa.ListArray.from_arrays(offsets, values, type=types["tokens"])}
        else:
            pairs = pa.array([x for pair in zip(self.starts, self.ends) for x in pair], pa.int32())
            columns = {"tokens": pa.ListArray.from_arrays(offsets, texts, type=types["tokens"]),
                       "token_offsets": pa.ListArray.from_arrays(
                           offsets, pa.FixedSizeListArray.from_arrays(pairs, type=types["token_offsets"].value_type), type=types["token_offsets"]),
                       "ner_tags": pa.ListArray.from_arrays(offsets, pa.array(self.tags, types["ner_tags"].value_type), type=types["ner_tags"])}
        return pa.RecordBatch.from_arrays([columns[n] if n in columns else partial.column(n) for n in schema.names], schema=schema)


@dataclass
class ChunkResult:
    """What the workers send back for a chunk of manifest entries."""

    manifest: list[tuple[int, list[Incident]]] = field(default_factory=list)  # (manifest index, incidents)
    incidents: list[Incident] = field(default_factory=list)
    batches: dict[tuple[str, str], pa.RecordBatch] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=empty_stats)


def build_chunk(task: tuple[str, str | list[tuple[int, dict[str, Any]]], dict[str, pa.Schema]]) -> ChunkResult:
    """Check, convert, validate and flatten a chunk of articles into Arrow batches per (config, split).

    The chunk is a list of (manifest index, entry) pairs, or its JSON text (:class:`BuildPlan`).
    """
    root, items, schemas = task
    if isinstance(items, str):
        items = json.loads(items)
    out = ChunkResult()
    pending: dict[tuple[str, str], _Rows] = {}
    ids = _label_ids()
    for index, entry in items:
        problems, text = check_entry(Path(root), index, entry)
        if problems or text is None:
            out.manifest.append((index, problems))
            continue
        article, problems = assemble(Path(root), entry, text=text)
        if problems or article is None:
            out.incidents.extend(problems)
            continue
        add_stats(out.stats, article_stats(article, entry["split"]))
        tags = [ids[t] for t in iob2_tags(article)]
        sentences = iter(article.sentences)
        for config, row in rows(article, tokens=False):
            key = (config, entry["split"])
            if key not in pending:
                pending[key] = _Rows(config)
            pending[key].add(row, article, tags, next(sentences) if config == "ner" else None)
    out.batches = {key: p.batch(schemas[key[0]]) for key, p in pending.items()}
    return out


# --- writing ------------------------------------------------------------------------


@dataclass
class _Sink:
    """Parquet writer for one (config, split): batches are cut into row groups of ``rows`` rows."""

    path: Path
    schema: pa.Schema
    rows: int
    batches: list[pa.RecordBatch] = field(default_factory=list)
    pending: int = 0
    writer: pq.ParquetWriter | None = None
    count: int = 0
    nbytes: int = 0

    def add(self, batch: pa.RecordBatch) -> None:
        self.batches.append(batch)
        self.pending += batch.num_rows
        self.count += batch.num_rows
        while self.pending >= self.rows:
            self._write(self.rows)

    def _write(self, n: int) -> None:
        table = pa.Table.from_batches(self.batches, schema=self.schema).combine_chunks()
        if n < table.num_rows:
            table, rest = table.slice(0, n), table.slice(n)
            self.batches = rest.to_batches()
        else:
            self.batches = []
        self.pending -= table.num_rows
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, self.schema, compression="zstd", write_statistics=True)
        self.nbytes += table.nbytes
        self.writer.write_table(table)

    def close(self) -> None:
        if self.pending:
            self._write(self.pending)
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


@dataclass(frozen=True)
class BuildPlan:
    """The manifest, read and checked, cut into the tasks of the workers.

    ``chunks`` are JSON texts of ``[manifest index, entry]`` pairs (:data:`CHUNK`
    entries each, in id order, only the :data:`ENTRY_FIELDS`): a large manifest is
    read in a worker process and only these compact strings reach the main one.
    """

    incidents: list[Incident]
    count: int
    duplicates: dict[int, Incident]
    unlisted: list[Incident]
    chunks: list[str]
    schemas: dict[str, pa.Schema]


def plan(root: str) -> BuildPlan:
    schemas = {c: features(c).arrow_schema for c in CONFIGS}
    doc, incidents = manifest_document(Path(root))
    if doc is None:
        return BuildPlan(incidents, 0, {}, [], [], schemas)
    entries = sorted(((i, {k: e[k] for k in ENTRY_FIELDS}) for i, e in enumerate(doc["articles"])), key=lambda x: x[1]["id"])
    chunks = [json.dumps(entries[i:i + CHUNK], ensure_ascii=False) for i in range(0, len(entries), CHUNK)]
    return BuildPlan([], len(entries), duplicate_entries(doc), unlisted_seeds(Path(root), doc), chunks, schemas)


def card(result: BuildResult) -> str:
    """The dataset card of a build (needs ``datasets``: runs in a worker for large builds)."""
    from .card import render_card

    return render_card(result, {c: features(c) for c in CONFIGS})


#: A manifest larger than this is read in a worker process (when there are workers).
PLAN_IN_WORKER_BYTES = 1 << 20


def build(root: Path, out: Path | None = None, jobs: int | None = None) -> BuildResult:
    """Build ``dataset/data`` and ``dataset/README.md`` from the repository at ``root``.

    ``jobs`` worker processes do the per-article work (default 1: in this process;
    ``akhbar build`` uses all cores). The output does not depend on it. Workers
    are spawned, so a script calling this with ``jobs > 1`` needs the usual
    ``if __name__ == "__main__":`` guard.
    """
    from .croissant import write_croissant
    from .manifest import MANIFEST

    out = out if out is not None else root / "dataset"
    staging = out / ".staging"
    recover_staged(staging, out)  # finish or discard what a crash left
    recover_dir(out / "data")
    sinks: dict[tuple[str, str], _Sink] = {}
    try:
        with Workers(jobs or 1) as workers:
            # a large corpus: the main process only streams batches into Parquet; reading the
            # manifest and rendering the card (which imports `datasets`) happen in a worker
            small = not (root / MANIFEST).is_file() or (root / MANIFEST).stat().st_size < PLAN_IN_WORKER_BYTES
            the_plan = workers.call(plan, str(root), here=small)
            if the_plan.incidents:
                raise BuildRefused(the_plan.incidents)
            schemas = the_plan.schemas
            tasks = [(str(root), chunk, schemas) for chunk in the_plan.chunks]
            incidents: list[Incident] = []
            manifest_problems: dict[int, list[Incident]] = {}
            stats = empty_stats()
            for chunk in workers.ordered_map(build_chunk, tasks):
                manifest_problems.update(chunk.manifest)
                incidents.extend(chunk.incidents)
                add_stats(stats, chunk.stats)
                if incidents or manifest_problems:
                    continue  # refused anyway: keep validating, stop writing
                for key, batch in chunk.batches.items():
                    if key not in sinks:
                        sinks[key] = _Sink(staging / data_path(*key), schemas[key[0]], ROW_GROUP[key[0]])
                    sinks[key].add(batch)
            dup = the_plan.duplicates
            manifest = [i for k in range(the_plan.count) for i in ([dup[k]] if k in dup else []) + manifest_problems.get(k, [])]
            manifest += the_plan.unlisted
            if manifest:
                raise BuildRefused(manifest)
            if incidents:
                raise BuildRefused(incidents)
            for sink in sinks.values():
                sink.close()
            counts = {k: s.count for k, s in sorted(sinks.items())}
            result = BuildResult(counts, {k: s.nbytes for k, s in sinks.items()}, the_plan.count, stats)
        text = workers.call(card, result, here=small)  # once the pool's workers are gone
        (staging / "data").mkdir(parents=True, exist_ok=True)
        write_text(staging / "README.md", text)
        write_croissant(root, staging, result)  # describes (and hashes) the staged files, committed with them
        commit_staged(staging, out, ["data", "README.md", "croissant.json"])
        return result
    finally:
        for sink in sinks.values():
            if sink.writer is not None:
                sink.writer.close()
        recover_staged(staging, out)
