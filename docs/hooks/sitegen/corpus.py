"""The built dataset as the site sees it: articles (the ``documents`` config) with their split, and the manifest."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from akhbar.dataset.build import SPLITS
from akhbar.dataset.model import Article
from akhbar.fsio import load_json


@dataclass(frozen=True)
class Doc:
    """One article of the built dataset, as a model :class:`Article`, with its split."""

    split: str
    article: Article

    @cached_property
    def token_starts(self) -> list[int]:
        return [t.start for t in self.article.tokens]

    def token_count(self, start: int, end: int) -> int:
        """How many tokens the character range touches."""
        first = bisect.bisect_right(self.token_starts, start) - 1
        last = bisect.bisect_left(self.token_starts, end) - 1
        return max(last - max(first, 0) + 1, 0)


def _ref(d: dict[str, Any] | None) -> dict[str, Any] | None:
    """A resolved dataset reference (``entity_id`` + span) back to the record form (``entity`` or span)."""
    if d is None:
        return None
    if d.get("entity_id"):
        return {"entity": d["entity_id"]}
    return {"start": d["start"], "end": d["end"], "text": d["text"]}


def record(row: dict[str, Any]) -> dict[str, Any]:
    """A ``documents`` row -> the article record of ``schema/article.schema.json`` (lossless for valid data)."""
    clusters = {e["cluster"]: e["cluster_name"] for e in row["entities"] if e["cluster"]}

    def drop_none(d: dict[str, Any], key: str) -> dict[str, Any]:
        return {k: v for k, v in d.items() if not (k == key and v is None)}

    return {
        "id": row["id"], "schema_version": row["schema_version"], "language": row["language"],
        "source": {"file": row["source_file"], "sha256": row["sha256"]},
        "published": row["published"], "dateline": row["dateline"], "text": row["text"],
        "segments": row["segments"], "sentences": row["sentences"], "tokens": row["tokens"],
        "clusters": [{"id": k, "name": v} for k, v in clusters.items()],
        "entities": [drop_none({k: v for k, v in e.items() if k != "cluster_name"}, "cluster") for e in row["entities"]],
        "events": [drop_none({**ev, "arguments": [{"role": a["role"], **_ref(a)} for a in ev["arguments"]]}, "cluster")
                   for ev in row["events"]],
        "quotes": [{**q, "source": _ref(q["source"])} for q in row["quotes"]],
    }


@dataclass(frozen=True)
class Corpus:
    """Everything the site reads from a repository: the built dataset and the seed manifest."""

    root: Path
    docs: tuple[Doc, ...]
    manifest: tuple[dict[str, Any], ...]

    @property
    def dataset(self) -> Path:
        return self.root / "dataset"

    def layer(self, name: str) -> list[tuple[Doc, Any]]:
        """(doc, item) for every item of a layer (``entities``, ``events``, ``quotes``, ``clusters``)."""
        return [(d, x) for d in self.docs for x in getattr(d.article.layers, name)]

    def rows(self, config: str) -> dict[str, int]:
        """Rows per split of a config, from the Parquet metadata (0 for a split without a file)."""
        out = {}
        for split in SPLITS:
            f = self.dataset / "data" / config / f"{split}.parquet"
            out[split] = pq.ParquetFile(f).metadata.num_rows if f.is_file() else 0
        return out


def load(root: Path) -> Corpus:
    """Read ``root/dataset/data/documents/*.parquet`` and ``root/seeds/manifest.json``."""
    docs = []
    for split in SPLITS:
        f = root / "dataset" / "data" / "documents" / f"{split}.parquet"
        if f.is_file():
            for row in pq.read_table(f).to_pylist():
                rec = record(row)
                docs.append(Doc(split, Article.from_dict(rec)))
    manifest_path = root / "seeds" / "manifest.json"
    manifest = tuple(load_json(manifest_path)["articles"]) if manifest_path.is_file() else ()
    return Corpus(root, tuple(sorted(docs, key=lambda d: d.article.id)), manifest)
