"""Consistency audit of gold annotations (``akhbar audit``).

Checks that annotation projects rely on, beyond validity:

* ``unannotated-form``: a surface form annotated somewhere occurs elsewhere (as
  whole tokens, optionally after attached proclitics) without an annotation, and
  not inside a longer mention of the same type;
* ``type-conflict``: the same surface form annotated with different types;
* ``cluster-gap``: a mention that shares its text with a member of a coreference
  cluster but is not in that cluster;
* ``event-no-arguments``, ``quote-no-source``, ``quote-no-cue``;
* ``waiver-unused``: a waiver that matches no hit (stale).

Every hit that is reviewed and accepted is *waived* in the annotation file:
``{"code": ..., "target": ..., "reason": "one line"}``.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..fsio import emit_json, load_json
from .model import Article
from .validate import PROCLITICS, validate_paths

CHECKS = {
    "unannotated-form": "a surface form annotated elsewhere occurs here without an annotation",
    "type-conflict": "the same surface form is annotated with different types",
    "cluster-gap": "a mention shares its text with a cluster member but is not in that cluster",
    "event-no-arguments": "an event mention has no argument",
    "quote-no-source": "a quote has no source",
    "quote-no-cue": "a quote has no cue",
    "waiver-unused": "a waiver matches no audit hit (remove it)",
}


@dataclass(frozen=True, order=True)
class Hit:
    article: str
    code: str
    target: str
    message: str

    def __str__(self) -> str:
        return f"{self.article}: {self.code}: {self.target}: {self.message}"


def _occurrences(article: Article, form: str) -> Iterator[int]:
    """Start offsets where ``form`` occurs as whole tokens (after at most 3 proclitic letters)."""
    text = article.text
    token_start = {t.start: t for t in article.tokens}
    token_end = {t.end for t in article.tokens}
    starts = {t.start for t in article.tokens}
    i = text.find(form)
    while i != -1:
        end = i + len(form)
        if end in token_end:
            if i in starts:
                yield i
            else:
                for k in range(1, 4):
                    tok = token_start.get(i - k)
                    if tok is not None and set(text[i - k:i]) <= PROCLITICS:
                        yield i
                        break
        i = text.find(form, i + 1)


def audit_article(article: Article) -> list[Hit]:
    layers = article.layers
    hits: list[Hit] = []
    aid = article.id
    by_form: dict[str, list] = defaultdict(list)
    for e in layers.entities:
        by_form[e.text].append(e)
    covered = {(e.start, e.end) for e in layers.entities}
    for form, mentions in sorted(by_form.items()):
        types = sorted({e.type for e in mentions})
        if len(types) > 1:
            hits.append(Hit(aid, "type-conflict", ",".join(e.id for e in mentions),
                            f"{form!r} is annotated as {', '.join(types)}"))
        for start in _occurrences(article, form):
            end = start + len(form)
            # a shorter form inside a longer mention of the same type is not nested (guidelines E-10.1)
            inside_same = any(e.start <= start and end <= e.end and e.type in types for e in layers.entities)
            if (start, end) not in covered and not inside_same:
                hits.append(Hit(aid, "unannotated-form", f"{start}-{end}",
                                f"{form!r} is annotated elsewhere as {'/'.join(types)} but not here"))
    members: dict[str, set[str]] = defaultdict(set)
    for e in layers.entities:
        if e.cluster:
            members[e.text].add(e.cluster)
    for c in layers.clusters:
        members[c.name].add(c.id)
    for e in layers.entities:
        for cluster in sorted(members.get(e.text, ())):
            if e.cluster != cluster:
                hits.append(Hit(aid, "cluster-gap", e.id, f"{e.text!r} ({e.type}) is not in cluster {cluster}, which has a mention with the same text"))
    for ev in layers.events:
        if not ev.arguments:
            hits.append(Hit(aid, "event-no-arguments", ev.id, f"{ev.type} {ev.trigger.text!r} has no argument"))
    for q in layers.quotes:
        if q.source is None:
            hits.append(Hit(aid, "quote-no-source", q.id, "the quote has no source"))
        if q.cue is None:
            hits.append(Hit(aid, "quote-no-cue", q.id, "the quote has no cue"))
    return sorted(set(hits), key=_order)


def _order(h: Hit) -> tuple:
    head = h.target.split("-")[0]
    return (h.article, h.code, int(head) if head.isdigit() else -1, h.target)


def apply_waivers(hits: list[Hit], waivers: list[dict[str, Any]], article: str) -> tuple[list[Hit], list[Hit]]:
    """(open hits, waived hits); unused waivers become ``waiver-unused`` hits."""
    keys = {(w["code"], w["target"]) for w in waivers}
    open_hits = [h for h in hits if (h.code, h.target) not in keys]
    waived = [h for h in hits if (h.code, h.target) in keys]
    used = {(h.code, h.target) for h in waived}
    for w in waivers:
        if (w["code"], w["target"]) not in used:
            open_hits.append(Hit(article, "waiver-unused", f"{w['code']}@{w['target']}", f"no such hit; reason was {w['reason']!r}"))
    return open_hits, waived


def run(root: Path, paths: list[Path]) -> tuple[list[Hit], list[Hit]]:
    incidents, articles, _ = validate_paths(root, paths)
    if incidents:
        raise UserError(f"{len(incidents)} validation error(s); run `akhbar validate` first", exit_code=1)
    open_hits: list[Hit] = []
    waived: list[Hit] = []
    for article in articles:
        path = root / "annotations" / f"{article.id}.json"
        waivers = load_json(path).get("waivers", []) if path.exists() else []
        o, w = apply_waivers(audit_article(article), waivers, article.id)
        open_hits += o
        waived += w
    return open_hits, waived


def cmd_audit(args: argparse.Namespace) -> int:
    from .cli import _root

    open_hits, waived = run(_root(args), [Path(p) for p in args.paths])
    if args.json:
        emit_json(args.json, {"clean": not open_hits, "waived": len(waived),
                               "hits": [{"article": h.article, "code": h.code, "target": h.target, "message": h.message} for h in open_hits]})
    if args.json != "-":
        for h in open_hits:
            print(h)
        print(f"audit: {len(open_hits)} open hit(s), {len(waived)} waived", file=sys.stderr if open_hits else sys.stdout)
    return 1 if open_hits else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help="consistency audit of the gold annotations",
                       description="List consistency problems in the gold: " + "; ".join(f"{k}: {v}" for k, v in CHECKS.items())
                       + ". Accepted hits are waived in the annotation file's `waivers` with a one-line reason. Exit 1 if any hit is open.")
    p.add_argument("paths", nargs="*", help="annotation files (default: all of annotations/)")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.add_argument("--json", metavar="FILE|-", help="also write a JSON report (- for stdout only)")
    p.set_defaults(handler=cmd_audit)
