"""Counts and distributions of the built dataset, for the datasheet and the statistics page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from akhbar import schema
from akhbar.dataset.build import CONFIGS, SPLITS
from akhbar.dataset.validate import outermost

from .corpus import Corpus
from .svg import bar_chart


def totals(corpus: Corpus) -> dict[str, Any]:
    """The corpus in numbers: every figure the datasheet quotes."""
    arts = [d.article for d in corpus.docs]
    dates = sorted(a.published for a in arts if a.published)
    return {
        "articles": len(arts),
        "sentences": sum(len(a.sentences) for a in arts),
        "tokens": sum(len(a.tokens) for a in arts),
        "characters": sum(len(a.text) for a in arts),
        "splits": {s: sum(1 for d in corpus.docs if d.split == s) for s in SPLITS},
        "rows": {c: corpus.rows(c) for c in CONFIGS},
        "segments": dict(sorted(Counter(s.role for a in arts for s in a.segments).items())),
        "first_date": dates[0] if dates else None,
        "last_date": dates[-1] if dates else None,
        "undated": sum(1 for a in arts if not a.published),
        "datelines": dict(Counter(a.dateline or "(none)" for a in arts).most_common()),
        "years": dict(sorted(Counter(a.published[:4] for a in arts if a.published).items())),
        "manifest_entries": len(corpus.manifest),
        "publisher_known": sum(1 for e in corpus.manifest if e.get("publisher")),
        "url_known": sum(1 for e in corpus.manifest if e.get("url")),
        "entities": len(corpus.layer("entities")),
        "nested": len(corpus.layer("entities")) - sum(len(outermost(a.layers.entities)) for a in arts),
        "clusters": len(corpus.layer("clusters")),
        "events": len(corpus.layer("events")),
        "arguments": sum(len(ev.arguments) for _, ev in corpus.layer("events")),
        "quotes": len(corpus.layer("quotes")),
        "annotated_articles": sum(1 for a in arts if a.layers.entities or a.layers.events or a.layers.quotes),
    }


@dataclass(frozen=True)
class Chart:
    """One distribution: a bar chart (``statistics/<slug>.svg``) and the table behind it."""

    slug: str
    title: str
    column: str
    items: tuple[tuple[str, int], ...]
    note: str = ""
    empty: str = "Nothing is annotated yet."

    def svg(self) -> str:
        return bar_chart(self.title, list(self.items))

    def markdown(self) -> str:
        head = f"### {self.title}\n\n" + (f"{self.note}\n\n" if self.note else "")
        if not any(v for _, v in self.items):
            return head + f"{self.empty}\n\n"
        rows = "\n".join(f"| {label} | {value} |" for label, value in self.items)
        return head + f"![{self.title}](statistics/{self.slug}.svg)\n\n| {self.column} | count |\n|---|--:|\n{rows}\n\n"


def _histogram(values: list[int], cap: int, lowest: int = 0) -> tuple[tuple[str, int], ...]:
    """Counts per value from ``lowest`` to ``cap``; the last bin is ``≥ cap``."""
    c = Counter(min(v, cap) for v in values)
    top = min(max(values, default=lowest), cap)
    return tuple((f"≥ {k}" if k == cap else str(k), c.get(k, 0)) for k in range(lowest, top + 1))


def charts(corpus: Corpus) -> list[Chart]:
    """Every distribution shown on the statistics page, in page order."""
    ents = corpus.layer("entities")
    events = corpus.layer("events")
    quotes = corpus.layer("quotes")
    by_type = Counter(e.type for _, e in ents)
    per_sentence = []
    depth: Counter[int] = Counter()
    for d in corpus.docs:
        a = d.article
        holders = Counter(s.id for e in a.layers.entities if (s := a.sentence_of(e.start, e.end)) is not None)
        per_sentence += [holders.get(s.id, 0) for s in a.sentences]
        for e in a.layers.entities:
            depth[sum(1 for o in a.layers.entities if o is not e and o.start <= e.start and e.end <= o.end)] += 1
    ev_types = Counter(ev.type for _, ev in events)
    roles = Counter(arg.role for _, ev in events for arg in ev.arguments)
    source_kind = Counter("no source" if q.source is None else "entity mention" if q.source.entity else "span"
                          for _, q in quotes)
    return [
        Chart("entity-types", "Entity mentions per type", "type",
              tuple((t, by_type.get(t, 0)) for t in schema.entity_types()),
              "All 21 types of the inventory, in schema order; nested mentions included.", "No entity is annotated yet."),
        Chart("mention-length", "Entity mention length (tokens)", "tokens",
              _histogram([d.token_count(e.start, e.end) for d, e in ents], 8, lowest=1),
              "Tokens touched by each mention (clitics attached to a token count as that token).", "No entity is annotated yet."),
        Chart("mention-chars", "Entity mention length (characters)", "characters",
              _histogram([e.end - e.start for _, e in ents], 30, lowest=1), "", "No entity is annotated yet."),
        Chart("entities-per-sentence", "Entity mentions per sentence", "mentions",
              _histogram(per_sentence, 10) if ents else (),
              "Sentences of every article, by the number of mentions they contain.", "No entity is annotated yet."),
        Chart("nesting-depth", "Entity nesting depth", "depth",
              tuple((str(k), v) for k, v in sorted(depth.items())),
              "0: an outermost mention; 1: inside one other mention; and so on.", "No entity is annotated yet."),
        Chart("event-types", "Event mentions per type", "type", tuple(sorted(ev_types.items(), key=lambda kv: (-kv[1], kv[0]))),
              "ACE 2005 `Type:Subtype`; only the types that occur.", "No event is annotated yet."),
        Chart("realis", "Event realis", "realis",
              tuple((r, sum(1 for _, ev in events if ev.realis == r)) for r in schema.enum("realis")), "", "No event is annotated yet."),
        Chart("argument-roles", "Event arguments per role", "role", tuple(sorted(roles.items(), key=lambda kv: (-kv[1], kv[0]))),
              "", "No event argument is annotated yet."),
        Chart("quote-types", "Quotes per type", "type",
              tuple((t, sum(1 for _, q in quotes if q.type == t)) for t in schema.enum("quoteType")), "", "No quote is annotated yet."),
        Chart("quote-sources", "Quote sources", "source", tuple(sorted(source_kind.items())),
              "Whether the source is an entity mention, a plain span (an unnamed source), or absent.", "No quote is annotated yet."),
    ]
