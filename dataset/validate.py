"""Validation: JSON Schema first, then the semantic checks a schema cannot express.

Every problem is an :class:`~akhbar.errors.Incident` with a stable code, the
file, a JSON pointer and a message; all problems are collected and reported at
once (after Universal Dependencies' ``validate.py``). The codes are listed in
:data:`CODES`; ``tests/fixtures/invalid/`` holds one invalid file per code.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from .. import schema
from ..errors import Incident, UserError, clip
from ..fsio import load_json
from . import text as tx
from .migrate import short as _short
from .migrate import upgrade
from .model import Article, Entity, Layers, Sentence, Span

#: Stable incident codes and what they mean.
CODES: dict[str, str] = {
    "json": "the file is not valid JSON (or not UTF-8)",
    "schema": "the document does not match its JSON Schema",
    "schema-version": "the document's schema_version is not one this version of akhbar reads",
    "span-range": "a span's offsets are outside the text or empty (start >= end)",
    "span-text": "a span's stored text differs from text[start:end]",
    "span-boundary": "a span starts or ends with whitespace or punctuation",
    "duplicate-id": "an id is used twice in one article",
    "duplicate-span": "two entity mentions have the same type and offsets",
    "dangling-ref": "a reference (entity, cluster) does not resolve",
    "unused-cluster": "a coreference cluster has no mention",
    "crossing-spans": "two entity mentions overlap without one containing the other",
    "cross-sentence": "an entity mention, event trigger or argument crosses a sentence boundary",
    "argument-sentence": "an event argument lies outside its trigger's sentence",
    "token-misaligned": "an entity boundary falls inside a token other than after attached proclitics",
    "token-conflict": "two outermost entity mentions share a token, so the token view cannot tag both",
    "illegal-role": "an argument role is not an ACE role of the event type",
    "source-type": "a quote's source refers to an entity whose type cannot speak",
    "content-order": "a quote's content spans overlap or are out of text order",
    "unknown-article": "an annotation file's id has no entry in seeds/manifest.json",
    "id-mismatch": "a file's stem differs from the id it declares",
    "missing-seed": "a manifest entry's seed file does not exist",
    "sha256-mismatch": "a seed file's SHA-256 differs from the one recorded",
    "unlisted-seed": "a seed file has no manifest entry",
    "manifest-field": "a manifest field disagrees with what the seed text says (date, dateline)",
}

PROCLITICS = frozenset("وفبلك")
SPEAKER_TYPES = frozenset({"PERS", "ORG", "NORP", "GPE", "OCC"})
_BOUNDARY_OK = frozenset("%٪‰")
MANIFEST_FILE = "seeds/manifest.json"


def _ptr(*parts: object) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


@lru_cache(maxsize=None)
def _fast_validator(name: str) -> Any:
    """jsonschema-rs compiled validator of schema ``name`` (the fast path), or None if unavailable."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a declared dependency; the reference path still works
        return None
    registry = jsonschema_rs.Registry([(schema.load(n)["$id"], schema.load(n)) for n in schema.NAMES])
    return jsonschema_rs.Draft202012Validator(schema.load(name), registry=registry, validate_formats=True)


def is_schema_valid(name: str, doc: Any) -> bool:
    """Fast yes/no: jsonschema-rs when it can read ``doc``, else the reference ``jsonschema``."""
    fast = _fast_validator(name)
    if fast is not None:
        try:
            return bool(fast.is_valid(doc))
        except (ValueError, TypeError, OverflowError, RecursionError):
            pass  # e.g. integers beyond 64 bits: let the reference validator decide
    return schema.validator(name).is_valid(doc)


def checked(name: str, doc: Any, file: str) -> tuple[Any, list[Incident]]:
    """Upgrade ``doc`` from an older ``schema_version`` if it can be, then schema-check it.

    Returns (document in the current version, incidents). Valid documents take
    the jsonschema-rs fast path; an invalid one is re-checked with ``jsonschema``
    ``iter_errors`` for every error with its JSON pointer.
    """
    doc, problem = upgrade(name, doc)
    if problem is not None:
        return doc, [Incident(file, "/schema_version", "schema-version", problem)]
    if is_schema_valid(name, doc):
        return doc, []
    out = []
    for err in sorted(schema.validator(name).iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        err = _deepest(err)
        out.append(Incident(file, _ptr(*err.absolute_path), "schema", clip(err.message, 160)))
    return doc, out  # empty if the fast path was wrong: the reference decides


def schema_incidents(name: str, doc: Any, file: str) -> list[Incident]:
    """All JSON-Schema errors of ``doc`` against schema ``name``, one incident each."""
    return checked(name, doc, file)[1]


def _deepest(err: ValidationError) -> ValidationError:
    """For oneOf/anyOf failures, the most relevant sub-error (jsonschema's best_match)."""
    while err.context:
        best = best_match(err.context)
        if best is None or best is err:
            break
        err = best
    return err


# --- semantic checks on an article with its layers ---------------------------------


def _span_incidents(text: str, span: Span | Entity, file: str, where: tuple[Any, ...], boundary: bool = True) -> Iterator[Incident]:
    """Problems of one span; ``where`` are the JSON-pointer parts (joined only when there is a problem)."""
    n = len(text)
    if not (0 <= span.start < span.end <= n):
        yield Incident(file, _ptr(*where), "span-range", f"offsets {span.start}-{span.end} are not a non-empty range inside the text (length {n})")
        return
    actual = text[span.start:span.end]
    if actual != span.text:
        yield Incident(file, _ptr(*where) + "/text", "span-text", f"text {_short(span.text)} != text[{span.start}:{span.end}] {_short(actual)}; fix the offsets or the text")
        return
    if boundary:
        for ch, side in ((actual[0], "starts"), (actual[-1], "ends")):
            if tx.is_blank(ch) or (tx.is_punct(ch) and ch not in _BOUNDARY_OK and tx.unicodedata.category(ch)[0] == "P"):
                yield Incident(file, _ptr(*where), "span-boundary", f"span {_short(actual)} {side} with {_short(ch)}; trim it")
                break


def _all_spans(layers: Layers) -> Iterator[tuple[tuple[Any, ...], Span | Entity]]:
    for i, e in enumerate(layers.entities):
        yield ("entities", i), e
    for i, ev in enumerate(layers.events):
        yield ("events", i, "trigger"), ev.trigger
        for j, a in enumerate(ev.arguments):
            if a.ref.span is not None:
                yield ("events", i, "arguments", j), a.ref.span
    for i, q in enumerate(layers.quotes):
        for j, c in enumerate(q.content):
            yield ("quotes", i, "content", j), c
        if q.cue is not None:
            yield ("quotes", i, "cue"), q.cue
        if q.source is not None and q.source.span is not None:
            yield ("quotes", i, "source"), q.source.span


def _in_text(text: str, span: Span | Entity) -> bool:
    return 0 <= span.start < span.end <= len(text) and text[span.start:span.end] == span.text


def check_structure(article: Article, file: str) -> list[Incident]:
    """Segments, sentences and tokens of an article record match its text."""
    out: list[Incident] = []
    for name, items in (("segments", article.segments), ("sentences", article.sentences), ("tokens", article.tokens)):
        for i, item in enumerate(items):
            out.extend(_span_incidents(article.text, Span(item.start, item.end, item.text), file, (name, i), boundary=False))
    for i, s in enumerate(article.sentences):
        if not (0 <= s.segment < len(article.segments)) or not (s.token_start <= s.token_end <= len(article.tokens)):
            out.append(Incident(file, _ptr("sentences", i), "dangling-ref", f"sentence {s.id} points at a segment or token range that does not exist"))
    return out


def check_layers(article: Article, file: str) -> list[Incident]:
    """The semantic checks of the annotation layers against the article text."""
    text, layers = article.text, article.layers
    out: list[Incident] = []
    for ptr, span in _all_spans(layers):
        out.extend(_span_incidents(text, span, file, ptr))

    # ids
    seen: dict[str, tuple[str, int]] = {}
    for kind, items in (("clusters", layers.clusters), ("entities", layers.entities), ("events", layers.events), ("quotes", layers.quotes)):
        for i, item in enumerate(items):
            if item.id in seen:
                out.append(Incident(file, _ptr(kind, i, "id"), "duplicate-id", f"id {item.id} is already used at {_ptr(*seen[item.id])}; ids are unique per article"))
            else:
                seen[item.id] = (kind, i)
    entities = {e.id: e for e in layers.entities}
    clusters = {c.id for c in layers.clusters}

    # references
    used_clusters = set()
    for i, e in enumerate(layers.entities):
        if e.cluster is not None:
            used_clusters.add(e.cluster)
            if e.cluster not in clusters:
                out.append(Incident(file, _ptr("entities", i, "cluster"), "dangling-ref", f"entity {e.id}: cluster {e.cluster} is not in clusters; add it or fix the id"))
    for i, c in enumerate(layers.clusters):
        if c.id not in used_clusters:
            out.append(Incident(file, _ptr("clusters", i), "unused-cluster", f"cluster {c.id} ({c.name}) has no mention; remove it or assign mentions"))

    roles = schema.event_roles()
    for i, ev in enumerate(layers.events):
        for j, a in enumerate(ev.arguments):
            p = _ptr("events", i, "arguments", j)
            if a.ref.entity is not None and a.ref.entity not in entities:
                out.append(Incident(file, p + "/entity", "dangling-ref", f"event {ev.id}: argument entity {a.ref.entity} does not exist"))
            if a.role not in roles.get(ev.type, ()):
                out.append(Incident(file, p + "/role", "illegal-role", f"event {ev.id}: role {a.role} is not an ACE role of {ev.type}; allowed: {', '.join(roles.get(ev.type, ()))}"))
    for i, q in enumerate(layers.quotes):
        if q.source is not None and q.source.entity is not None:
            src = entities.get(q.source.entity)
            if src is None:
                out.append(Incident(file, _ptr("quotes", i, "source", "entity"), "dangling-ref", f"quote {q.id}: source entity {q.source.entity} does not exist"))
            elif src.type not in SPEAKER_TYPES:
                out.append(Incident(file, _ptr("quotes", i, "source", "entity"), "source-type", f"quote {q.id}: source {src.id} is a {src.type}; a source is one of {', '.join(sorted(SPEAKER_TYPES))} or a span"))
        for j in range(1, len(q.content)):
            if q.content[j].start < q.content[j - 1].end:
                out.append(Incident(file, _ptr("quotes", i, "content", j), "content-order", f"quote {q.id}: content span {j} overlaps or precedes span {j - 1}; list them in text order"))

    out.extend(_check_entities(article, file))
    out.extend(_check_sentences(article, file, entities))
    return out


def _check_entities(article: Article, file: str) -> Iterator[Incident]:
    ents = [(i, e) for i, e in enumerate(article.layers.entities) if _in_text(article.text, e)]
    keys = Counter((e.type, e.start, e.end) for _, e in ents)
    reported = set()
    for i, e in ents:
        if keys[(e.type, e.start, e.end)] > 1 and (e.type, e.start, e.end) not in reported:
            reported.add((e.type, e.start, e.end))
            yield Incident(file, _ptr("entities", i), "duplicate-span", f"entity {e.id}: another {e.type} mention has the same offsets {e.start}-{e.end}")
    # crossing: sort by (start, -end); a stack of open spans finds partial overlaps in O(n log n)
    order = sorted(ents, key=lambda x: (x[1].start, -x[1].end))
    stack: list[tuple[int, Entity]] = []
    for i, e in order:
        while stack and stack[-1][1].end <= e.start:
            stack.pop()
        if stack and e.end > stack[-1][1].end:
            j, other = stack[-1]
            yield Incident(file, _ptr("entities", i), "crossing-spans", f"entity {e.id} ({e.start}-{e.end}) crosses {other.id} ({other.start}-{other.end}); mentions may nest but not cross")
        else:
            stack.append((i, e))
    # token alignment
    starts = {t.start: t for t in article.tokens}
    ends = {t.end for t in article.tokens}
    tok_starts = [t.start for t in article.tokens]
    for i, e in ents:
        if e.start not in starts:
            k = bisect.bisect_right(tok_starts, e.start) - 1
            tok = article.tokens[k] if k >= 0 else None
            prefix = article.text[tok.start:e.start] if tok and tok.start < e.start < tok.end else None
            if prefix is None or len(prefix) > 3 or not set(prefix) <= PROCLITICS:
                yield Incident(file, _ptr("entities", i, "start"), "token-misaligned", f"entity {e.id} {_short(e.text)} starts inside a token after {_short(prefix)}, which is not a proclitic (و ف ب ل ك)")
        if e.end not in ends:
            yield Incident(file, _ptr("entities", i, "end"), "token-misaligned", f"entity {e.id} {_short(e.text)} ends inside a token; end the span at a token boundary")


def outermost(entities: Iterable[Entity]) -> list[Entity]:
    """Mentions not contained in another mention (ties: the first listed), in text order."""
    out: list[Entity] = []
    for e in sorted(entities, key=lambda e: (e.start, -e.end)):
        if out and out[-1].start <= e.start and e.end <= out[-1].end:
            continue
        out.append(e)
    return out


def sentence_finder(article: Article):
    """``find(start, end)``: what ``article.sentence_of`` returns, by bisection when sentences are in order."""
    sents = article.sentences
    if any(b.start < a.end for a, b in zip(sents, sents[1:])):
        return article.sentence_of  # unordered or overlapping (a hand-made record): the linear scan
    starts = [s.start for s in sents]

    def find(start: int, end: int) -> Sentence | None:
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and sents[k].start <= start and end <= sents[k].end:
            return sents[k]
        return None

    return find


def _check_sentences(article: Article, file: str, entities: dict[str, Entity]) -> Iterator[Incident]:
    text = article.text
    index = {e.id: i for i, e in enumerate(article.layers.entities)}
    sentence_of = sentence_finder(article)
    for e in article.layers.entities:
        if _in_text(text, e) and sentence_of(e.start, e.end) is None:
            yield Incident(file, _ptr("entities", index[e.id]), "cross-sentence", f"entity {e.id} {_short(e.text)} is not inside one sentence")
    for i, ev in enumerate(article.layers.events):
        if not _in_text(text, ev.trigger):
            continue
        sent = sentence_of(ev.trigger.start, ev.trigger.end)
        if sent is None:
            yield Incident(file, _ptr("events", i, "trigger"), "cross-sentence", f"event {ev.id}: trigger is not inside one sentence")
            continue
        for j, a in enumerate(ev.arguments):
            span = a.ref.span if a.ref.span is not None else (entities[a.ref.entity].span if a.ref.entity in entities else None)
            if span is not None and _in_text(text, span) and not (sent.start <= span.start and span.end <= sent.end):
                yield Incident(file, _ptr("events", i, "arguments", j), "argument-sentence", f"event {ev.id}: argument {_short(span.text)} is outside the trigger's sentence {sent.id}")
    # token conflicts among outermost mentions
    ok = [e for e in article.layers.entities if _in_text(text, e)]
    outer = outermost(ok)
    tok_of = _token_index(article)
    for a, b in zip(outer, outer[1:]):
        ta, tb = tok_of(a.end - 1), tok_of(b.start)
        if ta is not None and ta == tb:
            yield Incident(file, _ptr("entities", index[b.id]), "token-conflict", f"entities {a.id} and {b.id} share the token {_short(article.tokens[ta].text)}; the IOB2 view cannot tag both")


def _token_index(article: Article):
    starts = [t.start for t in article.tokens]

    def find(offset: int) -> int | None:
        k = bisect.bisect_right(starts, offset) - 1
        if k >= 0 and article.tokens[k].start <= offset < article.tokens[k].end:
            return k
        return None

    return find


# --- files ----------------------------------------------------------------------------


def _load(path: Path, file: str) -> tuple[Any, list[Incident]]:
    try:
        return load_json(path), []
    except UserError as exc:
        msg = str(exc)
        return None, [Incident(file, "", "json", msg.split(": ", 1)[1] if ": " in msg else msg)]


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def manifest_document(root: Path) -> tuple[dict[str, Any] | None, list[Incident]]:
    """Read, upgrade and schema-check ``seeds/manifest.json``: (document or None, incidents)."""
    from .manifest import MANIFEST

    doc, out = _load(root / MANIFEST, MANIFEST)
    if out:  # unreadable (a JSON null is read, and then fails the schema)
        return None, out
    doc, out = checked("manifest", doc, MANIFEST)
    return (None, out) if out else (doc, [])


def check_entry(root: Path, index: int, e: dict[str, Any]) -> tuple[list[Incident], str | None]:
    """One manifest entry against its seed file: (incidents, the seed text when it is readable and matches)."""
    from .convert import segment, sha256_hex
    from .manifest import MANIFEST

    out = []
    p = _ptr("articles", index)
    seed = root / e["file"]
    if Path(e["file"]).stem != e["id"]:
        out.append(Incident(MANIFEST, p + "/file", "id-mismatch", f"article {e['id']}: file {e['file']} has a different stem; the id is the file stem"))
    if not seed.is_file():
        out.append(Incident(MANIFEST, p + "/file", "missing-seed", f"article {e['id']}: {e['file']} does not exist"))
        return out, None
    data = seed.read_bytes()
    if sha256_hex(data) != e["sha256"]:
        out.append(Incident(MANIFEST, p + "/sha256", "sha256-mismatch", f"article {e['id']}: {e['file']} has SHA-256 {sha256_hex(data)[:12]}…, the manifest says {e['sha256'][:12]}…; seeds are never edited"))
        return out, None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        out.append(Incident(MANIFEST, p + "/file", "json", f"article {e['id']}: {e['file']} is not UTF-8"))
        return out, None
    _, published, dateline = segment(text)
    for key, found in (("published", published), ("dateline", dateline)):
        if e[key] != found:
            out.append(Incident(MANIFEST, p + "/" + key, "manifest-field", f"article {e['id']}: {key} is {_short(e[key])} but the text says {_short(found)}"))
    return out, text


def duplicate_entries(doc: dict[str, Any]) -> dict[int, Incident]:
    """Manifest entries whose id was listed before, by index."""
    from .manifest import MANIFEST

    listed: set[str] = set()
    out = {}
    for i, e in enumerate(doc["articles"]):
        if e["id"] in listed:
            out[i] = Incident(MANIFEST, _ptr("articles", i, "id"), "duplicate-id", f"article {e['id']} is listed twice")
        listed.add(e["id"])
    return out


def unlisted_seeds(root: Path, doc: dict[str, Any]) -> list[Incident]:
    from .manifest import MANIFEST

    listed = {e["id"] for e in doc["articles"]}
    return [Incident(MANIFEST, "/articles", "unlisted-seed", f"seeds/{seed.name} has no entry; run `akhbar manifest` to add it")
            for seed in sorted((root / "seeds").glob("*.txt")) if seed.stem not in listed]


def validate_manifest(root: Path) -> tuple[list[dict[str, Any]], list[Incident]]:
    """Schema-check the manifest and check it against the seed files. Returns (entries, incidents)."""
    doc, out = manifest_document(root)
    if doc is None:
        return [], out
    duplicates = duplicate_entries(doc)
    for i, e in enumerate(doc["articles"]):
        if i in duplicates:
            out.append(duplicates[i])
        out.extend(check_entry(root, i, e)[0])
    out.extend(unlisted_seeds(root, doc))
    return sorted(doc["articles"], key=lambda e: e["id"]), out


def assemble(root: Path, entry: dict[str, Any], annotation: Path | None = None, text: str | None = None) -> tuple[Article | None, list[Incident]]:
    """Seed + annotation file -> validated article. (None, incidents) when invalid.

    ``text`` is the seed text when the caller has already read it (:func:`check_entry`).
    """
    from .convert import convert

    if text is None:
        seed = root / entry["file"]
        if not seed.is_file():
            return None, [Incident(MANIFEST_FILE, "/articles", "missing-seed", f"article {entry['id']}: {entry['file']} does not exist")]
        try:
            text = seed.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [Incident(entry["file"], f"byte {exc.start}", "json", "the seed is not valid UTF-8")]
    article = convert(text, entry["id"], entry["file"], sha256=entry["sha256"])
    path = annotation if annotation is not None else root / "annotations" / f"{entry['id']}.json"
    if not path.exists():
        return article, []
    file = _rel(path, root) if annotation is not None else f"annotations/{entry['id']}.json"
    doc, out = _load(path, file)
    if out:
        return None, out
    doc, out = checked("annotation", doc, file)
    if out:
        return None, out
    if doc["id"] != entry["id"]:
        return None, [Incident(file, "/id", "id-mismatch", f"the file declares id {doc['id']} but belongs to article {entry['id']}")]
    article = replace(article, layers=Layers.from_dict(doc))
    out = check_layers(article, file)
    return (None if out else article), out


def _annotation(root: Path, path: Path, file: str, doc: Any, entries_by_id: dict[str, dict[str, Any]]) -> tuple[Article | None, list[Incident]]:
    if isinstance(doc, dict) and isinstance(doc.get("id"), str):
        if doc["id"] not in entries_by_id:
            return None, [Incident(file, "/id", "unknown-article", f"article {doc['id']} is not in seeds/manifest.json; add its seed and run `akhbar manifest`")]
        if path.stem != doc["id"] and path.parent.name == "annotations":
            return None, [Incident(file, "/id", "id-mismatch", f"the file is named {path.stem} but declares id {doc['id']}")]
        return assemble(root, entries_by_id[doc["id"]], path)
    return None, checked("annotation", doc, file)[1]


def _record(file: str, doc: Any) -> tuple[Article | None, list[Incident]]:
    doc, out = checked("article", doc, file)
    if out:
        return None, out
    article = Article.from_dict(doc)
    out = check_structure(article, file) + check_layers(article, file)
    return (None if out else article), out


def validate_file(root: Path, path: Path, entries_by_id: dict[str, dict[str, Any]]) -> tuple[Article | None, list[Incident]]:
    """One annotation file or article record (recognised by its ``text`` and ``segments`` keys)."""
    file = _rel(path, root)
    doc, out = _load(path, file)
    if out:
        return None, out
    if isinstance(doc, dict) and "text" in doc and "segments" in doc:
        return _record(file, doc)
    return _annotation(root, path, file, doc, entries_by_id)


def validate_stream(root: Path, paths: list[Path]) -> tuple[int, Iterator[tuple[list[Incident], Article | None]]]:
    """Validate files (annotation files, article records) or, with no paths, the whole repository.

    Returns (files checked, results): the manifest is checked first (its incidents
    come as the first result), then one (incidents, valid article or None) per
    file or unannotated article, produced one at a time so that nothing is held.
    """
    entries, manifest_incidents = validate_manifest(root)
    by_id = {e["id"]: e for e in entries}
    files: list[Path] = []
    for p in paths:
        if not p.exists():
            raise UserError(f"{p}: no such file or directory")
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    manifest_path = (root / "seeds" / "manifest.json").resolve()
    files = [f for f in files if f.resolve() != manifest_path]
    if not paths:
        files = sorted((root / "annotations").glob("*.json"))

    def results() -> Iterator[tuple[list[Incident], Article | None]]:
        yield manifest_incidents, None
        for f in files:
            art, inc = validate_file(root, f, by_id)
            yield inc, art
        if not paths:  # articles without an annotation file still get their structure checked
            annotated = {f.stem for f in files}
            for e in entries:
                if e["id"] not in annotated and (root / e["file"]).is_file():
                    art, inc = assemble(root, e)
                    yield inc, art

    return len(files) + 1, results()


def validate_paths(root: Path, paths: list[Path]) -> tuple[list[Incident], list[Article], int]:
    """:func:`validate_stream`, collected: (incidents, valid articles, files checked)."""
    nfiles, results = validate_stream(root, paths)
    incidents: list[Incident] = []
    articles: list[Article] = []
    for inc, art in results:
        incidents.extend(inc)
        if art is not None:
            articles.append(art)
    return incidents, articles, nfiles
