"""The corpus browser: each article as right-to-left HTML with its annotation layers as nested spans.

Annotations become a tree of ``<span>`` elements. Entity mentions are placed first
(they nest but never cross), so each mention is exactly one element; triggers,
argument spans, cues, sources and quote content come after and are cut where they
would cross an element already placed (the later pieces carry ``data-cont``).
The page's script (``docs/assets/akhbar-browser.js``) only toggles classes and
shows details; everything else is rendered here, at build time.
"""

from __future__ import annotations

import colorsys
import json
from dataclasses import dataclass, field
from html import escape

from akhbar import schema
from akhbar.dataset.model import Article, Ref

from .corpus import Corpus, Doc

LAYERS = ("entities", "events", "quotes")


@dataclass
class Mark:
    """An element to place over ``text[start:end]``: its classes and attributes."""

    start: int
    end: int
    classes: tuple[str, ...]
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Mark] = field(default_factory=list)
    entity: bool = False

    def piece(self, start: int, end: int, cont: bool) -> Mark:
        attrs = {**self.attrs, "data-cont": "1"} if cont else dict(self.attrs)
        return Mark(start, end, self.classes, attrs, entity=self.entity)


def insert(parent: Mark, m: Mark) -> None:
    """Place ``m`` (inside ``parent``'s range) in the tree, nesting it or cutting it where it crosses."""
    for c in parent.children:
        if c.start <= m.start and m.end <= c.end:
            insert(c, m)
            return
    for c in parent.children:
        cut = c.end if c.start < m.start < c.end < m.end else c.start if m.start < c.start < m.end < c.end else None
        if cut is not None:
            insert(parent, m.piece(m.start, cut, "data-cont" in m.attrs))
            insert(parent, m.piece(cut, m.end, True))
            return
    m.children = [c for c in parent.children if m.start <= c.start and c.end <= m.end]
    parent.children = sorted([c for c in parent.children if c not in m.children] + [m], key=lambda c: (c.start, -c.end))


def _height(m: Mark) -> int:
    """Entity nesting height below and including ``m`` (sets ``--h`` on entity elements)."""
    below = max((_height(c) for c in m.children), default=0)
    if m.entity:
        m.attrs["style"] = f"--h:{below + 1}"
        return below + 1
    return below


def _html(m: Mark, text: str) -> str:
    out, pos = [], m.start
    for c in m.children:
        attrs = "".join(f' {k}="{escape(v)}"' for k, v in c.attrs.items())
        out.append(escape(text[pos:c.start], quote=False))
        out.append(f'<span class="{" ".join(c.classes)}"{attrs}>{_html(c, text)}</span>')
        pos = c.end
    out.append(escape(text[pos:m.end], quote=False))
    return "".join(out)


def _merge(marks: dict[tuple[int, int, str], Mark], start: int, end: int, cls: str, key_attr: str, key: str) -> None:
    """One element per (range, kind): a span used twice (two arguments, say) lists both keys."""
    m = marks.setdefault((start, end, cls), Mark(start, end, (cls,), {key_attr: ""}))
    m.attrs[key_attr] = f"{m.attrs[key_attr]} {key}".strip()


def marks(article: Article) -> list[Mark]:
    """Every element to place, highest priority first (entity mentions, outermost first)."""
    layers = article.layers
    names = {c.id: c.name for c in layers.clusters}
    ents = []
    for e in sorted(layers.entities, key=lambda e: (e.start, -e.end)):
        title = f"{e.type} {e.id}" + (f" · cluster {e.cluster}: {names.get(e.cluster, '')}" if e.cluster else "")
        attrs = {"data-id": e.id, "data-label": e.type, "title": title}
        if e.cluster:
            attrs["data-cluster"] = e.cluster
        ents.append(Mark(e.start, e.end, ("ab-ent", f"ab-t-{e.type}"), attrs, entity=True))
    later: dict[tuple[int, int, str], Mark] = {}

    def ref_mark(ref: Ref | None, cls: str, key_attr: str, key: str) -> None:
        if ref is not None and ref.span is not None:
            _merge(later, ref.span.start, ref.span.end, cls, key_attr, key)

    for ev in layers.events:
        _merge(later, ev.trigger.start, ev.trigger.end, "ab-trg", "data-ev", ev.id)
        for i, a in enumerate(ev.arguments):
            ref_mark(a.ref, "ab-argspan", "data-arg", f"{ev.id}:{i}")
    for q in layers.quotes:
        if q.cue:
            _merge(later, q.cue.start, q.cue.end, "ab-cue", "data-q", q.id)
        ref_mark(q.source, "ab-src", "data-q", q.id)
    for q in layers.quotes:
        for c in q.content:
            _merge(later, c.start, c.end, "ab-qc", "data-q", q.id)
    order = {"ab-trg": 0, "ab-argspan": 1, "ab-cue": 2, "ab-src": 3, "ab-qc": 4}
    rest = sorted(later.values(), key=lambda m: (order[m.classes[0]], m.start, -m.end))
    return ents + rest


def details(article: Article) -> dict:
    """What the script shows for an event or a quote (keyed by id)."""
    layers = article.layers
    ents = {e.id: e for e in layers.entities}

    def ref(r: Ref | None) -> dict | None:
        if r is None:
            return None
        if r.entity is not None:
            e = ents[r.entity]
            return {"entity": e.id, "text": e.text, "type": e.type}
        return {"text": r.span.text}  # type: ignore[union-attr]

    return {
        "events": {ev.id: {"type": ev.type, "realis": ev.realis, "trigger": ev.trigger.text,
                           "args": [{"role": a.role, **ref(a.ref)} for a in ev.arguments]} for ev in layers.events},
        "quotes": {q.id: {"type": q.type, "content": [c.text for c in q.content], "cue": q.cue.text if q.cue else None,
                          "source": ref(q.source)} for q in layers.quotes},
    }


def article_html(article: Article) -> str:
    """The article's segments as right-to-left paragraphs with the annotation elements."""
    all_marks = marks(article)
    parts = []
    for seg in article.segments:
        root = Mark(seg.start, seg.end, ())
        for m in all_marks:
            s, e = max(m.start, seg.start), min(m.end, seg.end)
            if s < e:
                insert(root, m.piece(s, e, s != m.start or "data-cont" in m.attrs))
        _height(root)
        tag = "h2" if seg.role == "title" else "p"
        parts.append(f'<{tag} class="ab-seg ab-seg-{seg.role}" data-role="{seg.role}">{_html(root, article.text)}</{tag}>')
    return "".join(parts)


def type_colors() -> dict[str, tuple[str, str]]:
    """A distinct (border, background) colour per entity type: hues spread by the golden angle."""
    out = {}
    for i, t in enumerate(schema.entity_types()):
        h = (i * 137.508) % 360 / 360
        border = colorsys.hls_to_rgb(h, 0.36, 0.75)
        back = colorsys.hls_to_rgb(h, 0.88, 0.80)
        out[t] = tuple("#" + "".join(f"{round(c * 255):02x}" for c in rgb) for rgb in (border, back))  # type: ignore[assignment]
    return out


def type_css() -> str:
    """``assets/akhbar-types.css``: the colour variables of each entity type."""
    return "".join(f".ab-t-{t}{{--c:{c};--bg:{bg}}}\n" for t, (c, bg) in type_colors().items())


def legend(article: Article) -> str:
    counts: dict[str, int] = {}
    for e in article.layers.entities:
        counts[e.type] = counts.get(e.type, 0) + 1
    info = schema.entity_type_info()
    types = "".join(
        f'<li class="{"" if t in counts else "ab-absent"}"><span class="ab-sw ab-t-{t}" title="{escape(info[t]["description"])}">{t}</span>'
        f'<span class="ab-n">{counts.get(t, 0)}</span></li>' for t in schema.entity_types())
    styles = ('<li><span class="ab-sw-trg">trigger</span> event trigger: hover or click for its arguments</li>'
              '<li><span class="ab-sw-arg">argument</span> argument that is not an entity mention</li>'
              '<li><span class="ab-sw-qc">content</span> quote content, <span class="ab-sw-cue">cue</span> cue, '
              '<span class="ab-sw-src">source</span> source: hover or click one to see the three linked</li>')
    return (f'<div class="ab-legend"><p>Entity types (mentions in this article; nested mentions sit inside their parent, '
            f'whose underline is lower):</p><ul class="ab-types">{types}</ul><ul class="ab-styles">{styles}</ul></div>')


def toolbar(article: Article) -> str:
    n = {layer: len(getattr(article.layers, layer)) for layer in LAYERS}
    boxes = "".join(f'<label><input type="checkbox" class="ab-toggle" value="{layer}" checked> {layer} ({n[layer]})</label>'
                    for layer in LAYERS)
    return f'<div class="ab-toolbar" role="group" aria-label="annotation layers">Show: {boxes}</div>'


def article_page(doc: Doc, manifest: dict[str, dict]) -> str:
    """The Markdown page of one article (raw HTML inside)."""
    a = doc.article
    entry = manifest.get(a.id, {})
    data = json.dumps(details(a), ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    meta = " · ".join(x for x in (f"split `{doc.split}`", f"published {a.published or 'unknown'}",
                                  f"dateline {a.dateline or 'none'}", f"publisher {entry.get('publisher') or 'not named in the source'}",
                                  f"{len(a.sentences)} sentences", f"{len(a.tokens)} tokens") if x)
    return (f"---\ntitle: \"{a.id}\"\nsearch:\n  exclude: true\n---\n\n# Article `{a.id}`\n\n{meta}\n\n"
            f"[← all articles](../browser.md)\n\n"
            f'<div class="ab-browser" data-article="{escape(a.id)}">\n'
            f"{toolbar(a)}{legend(a)}"
            f'<div class="ab-article" dir="rtl" lang="ar">{article_html(a)}</div>'
            f'<div class="ab-tip" hidden></div>'
            f'<script type="application/json" class="ab-data">{data}</script>\n</div>\n')


def index_rows(corpus: Corpus) -> str:
    """The table of articles on the browser's index page."""
    if not corpus.docs:
        return "The dataset has no article yet."
    head = "| article | split | published | title | entities | events | quotes |\n|---|---|---|---|--:|--:|--:|\n"
    rows = []
    for d in corpus.docs:
        a = d.article
        title = next((s.text for s in a.segments if s.role == "title"), "")
        rows.append(f"| [{a.id}](browser/{a.id}.md) | {d.split} | {a.published or ''} | "
                    f'<span dir="rtl" lang="ar">{escape(title)}</span> | '
                    + " | ".join(str(len(getattr(a.layers, layer))) for layer in LAYERS) + " |")
    return head + "\n".join(rows)
