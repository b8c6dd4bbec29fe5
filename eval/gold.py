"""Gold data for scoring, read with ``datasets.load_dataset`` (a local folder or a Hub id).

Only the config and columns a task needs are loaded: the ``ner`` config for
token-level scoring, the ``documents`` config without its token and segment
lists for span-level scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..dataset import PATH
from ..dataset.model import Argument, Article, Cluster, Entity, Event, Layers, Quote, Ref, Sentence, Span
from ..errors import UserError, clip

#: The name that stands for the dataset packaged with akhbar (its ``dataset/`` folder).
DEFAULT_GOLD = "akhbar.dataset"


def resolve(gold: str) -> str:
    """What ``datasets.load_dataset`` gets for ``--gold``: the packaged folder for the default name."""
    return str(PATH) if gold == DEFAULT_GOLD else gold


def _load(gold: str, config: str, split: str, columns: list[str]) -> Any:
    import datasets

    datasets.disable_progress_bars()
    datasets.logging.set_verbosity_error()
    try:
        return datasets.load_dataset(resolve(gold), config, split=split, columns=columns)
    except datasets.exceptions.DatasetsError as exc:
        raise UserError(f"--gold {gold}: the data files disagree with the dataset card ({_short(exc)}); rebuild it with `akhbar build`") from None
    except ValueError as exc:
        if "split" in str(exc).lower():
            raise UserError(f"--gold {gold}: {exc}; choose one with --split") from None
        raise UserError(f"--gold {gold}: cannot load config {config!r}: {exc}") from None
    except (FileNotFoundError, OSError) as exc:
        raise UserError(f"--gold {gold}: not a dataset folder or Hub id ({_short(exc)})") from None


def _short(exc: Exception) -> str:
    """The first clause of a datasets error (some list every supported file extension)."""
    text = str(exc).split(" with any supported extension")[0].split("\n")[0]
    return clip(text, 200)


@dataclass(frozen=True)
class NerGold:
    """The ``ner`` rows: one per sentence, in dataset order, tags as IOB2 strings (Wojood types)."""

    ids: list[str]
    document_ids: list[str]
    tags: list[list[str]]
    tokens: list[list[str]] | None

    @property
    def lengths(self) -> list[int]:
        return [len(t) for t in self.tags]


def load_ner(gold: str, split: str, with_tokens: bool = False) -> NerGold:
    cols = ["id", "document_id", "ner_tags"] + (["tokens"] if with_tokens else [])
    ds = _load(gold, "ner", split, cols)
    names = np.array(ds.features["ner_tags"].feature.names, dtype=object)
    table = ds.data.table if hasattr(ds.data, "table") else ds.data
    column = table.column("ner_tags").combine_chunks()
    offsets = column.offsets.to_numpy()
    flat = names[column.values.to_numpy(zero_copy_only=False)].tolist() if len(column.values) else []
    tags = [flat[a:b] for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    tokens = table.column("tokens").to_pylist() if with_tokens else None
    return NerGold(table.column("id").to_pylist(), table.column("document_id").to_pylist(), tags, tokens)


def _span(d: dict[str, Any] | None) -> Span | None:
    return None if d is None else Span(d["start"], d["end"], d["text"])


def _ref(d: dict[str, Any] | None) -> Ref | None:
    """A resolved reference: the entity id (if any) and its span."""
    return None if d is None else Ref(entity=d.get("entity_id"), span=_span(d))


def article_from_row(row: dict[str, Any]) -> Article:
    """A ``documents`` row as an :class:`Article` (tokens and segments not loaded)."""
    clusters = {e["cluster"]: e["cluster_name"] for e in row["entities"] if e.get("cluster")}
    layers = Layers(
        clusters=tuple(Cluster(k, v or "") for k, v in sorted(clusters.items())),
        entities=tuple(Entity(e["id"], e["type"], e["start"], e["end"], e["text"], e.get("cluster")) for e in row["entities"]),
        events=tuple(Event(ev["id"], ev["type"], ev["realis"], _span(ev["trigger"]),  # type: ignore[arg-type]
                           tuple(Argument(a["role"], _ref(a)) for a in ev["arguments"]),  # type: ignore[arg-type]
                           ev.get("cluster")) for ev in row["events"]),
        quotes=tuple(Quote(q["id"], q["type"], tuple(_span(c) for c in q["content"]),  # type: ignore[misc]
                           _span(q["cue"]), _ref(q["source"])) for q in row["quotes"]),
    )
    return Article(id=row["id"], text=row["text"], source_file="", sha256="", published=None, dateline=None,
                   segments=(), sentences=tuple(Sentence(**s) for s in row["sentences"]), tokens=(), layers=layers)


def load_documents(gold: str, split: str) -> list[Article]:
    ds = _load(gold, "documents", split, ["id", "text", "sentences", "entities", "events", "quotes"])
    return [article_from_row(r) for r in ds]


def load_texts(gold: str, split: str) -> list[Article]:
    """Texts and sentences only (no annotation layer): what a baseline may read."""
    ds = _load(gold, "documents", split, ["id", "text", "sentences"])
    return [Article(id=r["id"], text=r["text"], source_file="", sha256="", published=None, dateline=None, segments=(),
                    sentences=tuple(Sentence(**s) for s in r["sentences"]), tokens=()) for r in ds]


def load_ner_offsets(gold: str, split: str) -> tuple[list[str], list[str], list[list[list[int]]]]:
    """``ner`` row ids, document ids and token offsets (no tags): what a baseline may read."""
    ds = _load(gold, "ner", split, ["id", "document_id", "token_offsets"])
    return ds["id"], ds["document_id"], ds["token_offsets"]


def load_ner_tokens(gold: str, split: str) -> tuple[list[str], list[list[str]]]:
    """``ner`` row ids and tokens (no tags): what a model may read."""
    ds = _load(gold, "ner", split, ["id", "tokens"])
    return ds["id"], ds["tokens"]
