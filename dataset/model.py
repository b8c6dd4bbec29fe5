"""The Akhbar article model: frozen dataclasses mirroring ``schema/article.schema.json``.

Dicts from JSON are validated against the schema *before* they are turned into
these objects (see :mod:`akhbar.dataset.validate`), so ``from_dict`` trusts shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..schema import SCHEMA_VERSION


@dataclass(frozen=True)
class Span:
    """``text[start:end]`` of the article, code points, end-exclusive."""

    start: int
    end: int
    text: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Span:
        return cls(d["start"], d["end"], d["text"])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    def contains(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Ref:
    """A reference to an entity mention (``entity``) or to a plain span."""

    entity: str | None = None
    span: Span | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Ref:
        if "entity" in d:
            return cls(entity=d["entity"])
        return cls(span=Span.from_dict(d))

    def to_dict(self) -> dict[str, Any]:
        return {"entity": self.entity} if self.entity is not None else self.span.to_dict()  # type: ignore[union-attr]


@dataclass(frozen=True)
class Segment:
    role: str
    start: int
    end: int
    text: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        return cls(d["role"], d["start"], d["end"], d["text"])

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Sentence:
    id: str
    segment: int
    start: int
    end: int
    text: str
    token_start: int
    token_end: int

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sentence:
        return cls(d["id"], d["segment"], d["start"], d["end"], d["text"], d["token_start"], d["token_end"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "segment": self.segment, "start": self.start, "end": self.end,
                "text": self.text, "token_start": self.token_start, "token_end": self.token_end}


@dataclass(frozen=True)
class Cluster:
    id: str
    name: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Cluster:
        return cls(d["id"], d["name"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name}


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    start: int
    end: int
    text: str
    cluster: str | None = None

    @property
    def span(self) -> Span:
        return Span(self.start, self.end, self.text)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Entity:
        return cls(d["id"], d["type"], d["start"], d["end"], d["text"], d.get("cluster"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "start": self.start, "end": self.end, "text": self.text}
        if self.cluster is not None:
            d["cluster"] = self.cluster
        return d


@dataclass(frozen=True)
class Argument:
    role: str
    ref: Ref

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Argument:
        return cls(d["role"], Ref.from_dict(d))

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, **self.ref.to_dict()}


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    realis: str
    trigger: Span
    arguments: tuple[Argument, ...] = ()
    cluster: str | None = None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(d["id"], d["type"], d["realis"], Span.from_dict(d["trigger"]),
                   tuple(Argument.from_dict(a) for a in d["arguments"]), d.get("cluster"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type, "realis": self.realis,
                             "trigger": self.trigger.to_dict(), "arguments": [a.to_dict() for a in self.arguments]}
        if self.cluster is not None:
            d["cluster"] = self.cluster
        return d


@dataclass(frozen=True)
class Quote:
    id: str
    type: str
    content: tuple[Span, ...]
    cue: Span | None
    source: Ref | None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quote:
        return cls(d["id"], d["type"], tuple(Span.from_dict(s) for s in d["content"]),
                   Span.from_dict(d["cue"]) if d["cue"] is not None else None,
                   Ref.from_dict(d["source"]) if d["source"] is not None else None)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "content": [s.to_dict() for s in self.content],
                "cue": self.cue.to_dict() if self.cue else None,
                "source": self.source.to_dict() if self.source else None}


@dataclass(frozen=True)
class Layers:
    """The three gold annotation layers (plus entity clusters) of one article."""

    clusters: tuple[Cluster, ...] = ()
    entities: tuple[Entity, ...] = ()
    events: tuple[Event, ...] = ()
    quotes: tuple[Quote, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Layers:
        return cls(tuple(Cluster.from_dict(x) for x in d.get("clusters", ())),
                   tuple(Entity.from_dict(x) for x in d.get("entities", ())),
                   tuple(Event.from_dict(x) for x in d.get("events", ())),
                   tuple(Quote.from_dict(x) for x in d.get("quotes", ())))

    def to_dict(self) -> dict[str, Any]:
        return {"clusters": [x.to_dict() for x in self.clusters], "entities": [x.to_dict() for x in self.entities],
                "events": [x.to_dict() for x in self.events], "quotes": [x.to_dict() for x in self.quotes]}


@dataclass(frozen=True)
class Article:
    """One article: verbatim text, structure, and gold layers."""

    id: str
    text: str
    source_file: str
    sha256: str
    published: str | None
    dateline: str | None
    segments: tuple[Segment, ...]
    sentences: tuple[Sentence, ...]
    tokens: tuple[Span, ...]
    layers: Layers = field(default_factory=Layers)
    language: str = "ar"
    schema_version: str = SCHEMA_VERSION

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        return cls(id=d["id"], text=d["text"], source_file=d["source"]["file"], sha256=d["source"]["sha256"],
                   published=d["published"], dateline=d["dateline"],
                   segments=tuple(Segment.from_dict(x) for x in d["segments"]),
                   sentences=tuple(Sentence.from_dict(x) for x in d["sentences"]),
                   tokens=tuple(Span.from_dict(x) for x in d["tokens"]),
                   layers=Layers.from_dict(d), language=d["language"], schema_version=d["schema_version"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "schema_version": self.schema_version, "language": self.language,
                "source": {"file": self.source_file, "sha256": self.sha256},
                "published": self.published, "dateline": self.dateline, "text": self.text,
                "segments": [x.to_dict() for x in self.segments], "sentences": [x.to_dict() for x in self.sentences],
                "tokens": [x.to_dict() for x in self.tokens], **self.layers.to_dict()}

    def sentence_of(self, start: int, end: int) -> Sentence | None:
        """The sentence containing the character range, or None."""
        for s in self.sentences:
            if s.start <= start and end <= s.end:
                return s
        return None
