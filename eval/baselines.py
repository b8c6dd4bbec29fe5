"""Rule-based baselines from the general word lists in ``eval/lexicons/``.

They read only the article texts and sentences (and the ``ner`` token offsets),
never an annotation layer, and their word lists were written without looking at
the test data. ``python -m akhbar.eval.results`` regenerates their scores.

* ``entities``: longest gazetteer match at each token (countries, capitals,
  regions, organisations, titles, weekdays and months), demonyms (NORP) with
  their generated inflections, a common given name plus the next word (PERS),
  numbers (CARDINAL) and numeric dates (DATE). Attached proclitics
  (و ف ب ل ك) are left outside the span; ``لل`` is read as ``ل + ال``.
* ``ner``: the ``entities`` mentions turned into IOB2 tags over the ``ner`` rows
  (a token touched by a mention is tagged; the longer of two overlapping
  mentions wins).
* ``events``: every token in the ACE trigger lexicon is a trigger of its type,
  realis ACTUAL; the nearest gazetteer place in the sentence is its ``Place``
  and the nearest date its ``Time`` when the event type has those roles.
* ``quotes``: text between quotation marks is a DIRECT quote, its cue the
  nearest speech verb of the sentence; a speech verb followed by إن/أن opens an
  INDIRECT quote running to the end of the sentence. The source is the nearest
  preceding name (PERS, ORG, GPE, OCC or NORP mention of the ``entities`` baseline).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from .. import schema
from ..dataset.model import Article
from ..dataset.text import TOKEN_RE, is_punct
from .gold import load_ner_offsets, load_texts
from .normalize import normalize

NAMES = ("entities", "ner", "events", "quotes")
CLITIC_PREFIXES = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
SPEAKERS = frozenset({"PERS", "ORG", "GPE", "OCC", "NORP"})
NAME_STOP = frozenset(normalize(w) for w in "في من إلى الى على عن أن إن إنه أنه قد لا لم لن ما مع بعد قبل حيث التي الذي الذين كان كانت هذا هذه ذلك تلك و أو ثم".split())
OPEN_CLOSE = {"«": "»", "“": "”", '"': '"'}
NUMBER_RE = re.compile(r"^[0-9٠-٩]+(?:[.,][0-9٠-٩]+)?$")
DATE_RE = re.compile(r"^[0-9٠-٩]{1,4}[/-][0-9٠-٩]{1,2}(?:[/-][0-9٠-٩]{1,4})?$")
THAT = frozenset({"ان", "بان"})


def _lines(name: str) -> Iterator[str]:
    text = resources.files(__package__).joinpath("lexicons", name).read_text(encoding="utf-8")
    for line in text.split("\n"):
        if line.strip() and not line.startswith("#"):
            yield line.strip()


@lru_cache(maxsize=None)
def lexicon() -> dict[tuple[str, ...], tuple[str, str]]:
    """Normalised token sequence -> (layer, label): ('entity', TYPE), ('event', Type:Subtype), ('speech', '')."""
    out: dict[tuple[str, ...], tuple[str, str]] = {}

    def put(words: str, value: tuple[str, str]) -> None:
        key = tuple(normalize(m.group()) for m in TOKEN_RE.finditer(words))
        out.setdefault(key, value)

    for line in _lines("gazetteer.tsv"):
        typ, name = line.split("\t")
        put(name, ("entity", typ))
    for stem in _lines("demonyms.txt"):
        for form in (stem, stem + "ة", stem + "ون", stem + "ين"):
            put(form, ("entity", "NORP"))
            put("ال" + form, ("entity", "NORP"))
    for name in _lines("given_names.txt"):
        put(name, ("entity", "GIVEN"))
    for line in _lines("event_triggers.tsv"):
        typ, word = line.split("\t")
        put(word, ("event", typ))
        put("ال" + word if not word.startswith("ال") else word, ("event", typ))
    for verb in _lines("speech_verbs.txt"):
        put(verb, ("speech", ""))
    return out


@dataclass(frozen=True)
class Hit:
    layer: str
    label: str
    start: int
    end: int
    first: int  # token index of the first and past the last token
    last: int


def _tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), normalize(m.group())) for m in TOKEN_RE.finditer(text, start, end)]


def _variants(word: str) -> Iterator[tuple[int, str]]:
    """(characters stripped, form) for the word without proclitics; لل is ل + ال."""
    for p in CLITIC_PREFIXES:
        if word.startswith(p) and len(word) > len(p) + 1:
            rest = word[len(p):]
            yield len(p), rest
            if p.endswith("ل") and rest.startswith("ل"):
                yield len(p), "ا" + rest


def find(text: str, start: int, end: int) -> list[Hit]:
    """Longest lexicon matches, left to right, not overlapping, in ``text[start:end]``."""
    lex = lexicon()
    longest = max(len(k) for k in lex)
    toks = _tokens(text, start, end)
    hits, i = [], 0
    while i < len(toks):
        best = None
        for n in range(min(longest, len(toks) - i), 0, -1):
            tail = tuple(t[2] for t in toks[i + 1:i + n])
            for cut, form in _variants(toks[i][2]):
                value = lex.get((form, *tail))
                if value is not None and not (value[1] == "GIVEN" and toks[i][2] in NAME_STOP):
                    best = Hit(value[0], value[1], toks[i][0] + cut, toks[i + n - 1][1], i, i + n)
                    break
            if best:
                break
        if best is None and NUMBER_RE.match(toks[i][2]):
            best = Hit("entity", "CARDINAL", toks[i][0], toks[i][1], i, i + 1)
        if best is None and DATE_RE.match(toks[i][2]):
            best = Hit("entity", "DATE", toks[i][0], toks[i][1], i, i + 1)
        if best is not None and best.label == "GIVEN":
            nxt = toks[best.last] if best.last < len(toks) else None
            if nxt and nxt[2] not in NAME_STOP and (nxt[2],) not in lex and not is_punct(nxt[2][0]):
                best = Hit("entity", "PERS", best.start, nxt[1], i, best.last + 1)
            else:
                best = Hit("entity", "PERS", best.start, best.end, best.first, best.last)
        if best is not None:
            hits.append(best)
            i = best.last
        else:
            i += 1
    return hits


def _span(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def _hits(a: Article) -> list[tuple[int, Hit]]:
    """(sentence index, hit) over the article's sentences."""
    return [(k, h) for k, s in enumerate(a.sentences) for h in find(a.text, s.start, s.end)]


def entities(a: Article) -> list[dict[str, Any]]:
    return [{"type": h.label, **_span(a.text, h.start, h.end)} for _, h in _hits(a) if h.layer == "entity"]


def events(a: Article) -> list[dict[str, Any]]:
    roles = schema.event_roles()
    hits = _hits(a)
    out = []
    for k, h in hits:
        if h.layer != "event":
            continue
        args = []
        for role, types in (("Place", {"GPE", "LOC", "FAC"}), ("Time", {"DATE", "TIME"})):
            if role in roles[h.label]:
                near = [x for j, x in hits if j == k and x.layer == "entity" and x.label in types]
                if near:
                    x = min(near, key=lambda x: (abs(x.start - h.start), x.start))
                    args.append({"role": role, **_span(a.text, x.start, x.end)})
        out.append({"type": h.label, "realis": "ACTUAL", "trigger": _span(a.text, h.start, h.end), "arguments": args})
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or is_punct(text[start])):
        start += 1
    while end > start and (text[end - 1].isspace() or is_punct(text[end - 1])):
        end -= 1
    return start, end


def quotes(a: Article) -> list[dict[str, Any]]:
    text = a.text
    hits = _hits(a)
    names = [h for _, h in hits if h.layer == "entity" and h.label in SPEAKERS]
    verbs = [(k, h) for k, h in hits if h.layer == "speech"]

    def source(before: int) -> dict[str, Any] | None:
        prior = [h for h in names if h.end <= before]
        return _span(text, prior[-1].start, prior[-1].end) if prior else None

    out: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for m in re.finditer("|".join(f"{re.escape(o)}[^\n{re.escape(c)}]+{re.escape(c)}" for o, c in OPEN_CLOSE.items()), text):
        s, e = _trim(text, m.start() + 1, m.end() - 1)
        if s >= e:
            continue
        k = next((i for i, x in enumerate(a.sentences) if x.start <= m.start() < x.end), None)
        cands = [h for j, h in verbs if j == k and not (m.start() <= h.start < m.end())]
        before = [h for h in cands if h.end <= m.start()]
        cue = before[-1] if before else (min(cands, key=lambda h: h.start) if cands else None)
        taken.append((m.start(), m.end()))
        out.append({"type": "DIRECT", "content": [_span(text, s, e)],
                    "cue": _span(text, cue.start, cue.end) if cue else None, "source": source(s)})
    for k, v in verbs:
        if any(x <= v.start < y for x, y in taken):
            continue
        sent = a.sentences[k]
        toks = _tokens(text, v.end, sent.end)
        that = next((i for i, t in enumerate(toks[:4]) if t[2] in THAT), None)
        if that is None or that + 1 >= len(toks):
            continue
        s, e = _trim(text, toks[that + 1][0], sent.end)
        if s < e and not any(x < e and s < y for x, y in taken):
            between = [h for h in names if v.end <= h.start and h.end <= toks[that][0]]
            src = _span(text, between[0].start, between[0].end) if between else source(v.start)
            out.append({"type": "INDIRECT", "content": [_span(text, s, e)], "cue": _span(text, v.start, v.end), "source": src})
            taken.append((s, e))
    return sorted(out, key=lambda q: q["content"][0]["start"])


def ner_rows(gold: str, split: str, articles: list[Article]) -> list[dict[str, Any]]:
    mentions = {a.id: sorted(entities(a), key=lambda m: (m["start"], m["start"] - m["end"])) for a in articles}
    ids, docs, offsets = load_ner_offsets(gold, split)
    out = []
    for rid, doc, offs in zip(ids, docs, offsets):
        tags = ["O"] * len(offs)
        for m in mentions.get(doc, ()):
            inside = [k for k, (s, e) in enumerate(offs) if s < m["end"] and m["start"] < e]
            if inside and all(tags[k] == "O" for k in inside):
                for k in inside:
                    tags[k] = ("B-" if k == inside[0] else "I-") + m["type"]
        out.append({"id": rid, "ner_tags": tags})
    return out


def run(name: str, gold: str, split: str) -> list[dict[str, Any]]:
    """The baseline's prediction lines for every article (or ``ner`` row) of the split."""
    articles = load_texts(gold, split)
    if name == "ner":
        return ner_rows(gold, split, articles)
    layer = {"entities": entities, "events": events, "quotes": quotes}[name]
    return [{"document_id": a.id, name: layer(a)} for a in articles]
