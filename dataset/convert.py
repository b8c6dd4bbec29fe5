"""Seed text -> article record skeleton (structure only; gold layers come from annotations/)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from . import text as tx
from .model import Article, Segment, Sentence, Span


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def segment(text: str) -> tuple[list[Segment], str | None, str | None]:
    """Segments with roles, the ISO publication date and the dateline city.

    Roles: the first line is the ``title``; lines before the date line are the
    ``subtitle``; the date line is ``date``; a line without a letter is an
    ``artifact``; a line that does not end like a sentence is a ``caption``
    (image caption or pull-quote); the first paragraph after the date line may
    open with a ``dateline`` (``دمشق -``), which becomes its own segment.

    Remembered for the last few texts: the manifest check and the conversion of
    the same seed share one segmentation.
    """
    segments, published, dateline = _segment(text)
    return list(segments), published, dateline


@lru_cache(maxsize=8)
def _segment(text: str) -> tuple[tuple[Segment, ...], str | None, str | None]:
    blocks = list(tx.lines(text))
    segments: list[Segment] = []
    published: str | None = None
    dateline: str | None = None
    date_index = next((i for i, (s, e) in enumerate(blocks) if tx.parse_date_line(text[s:e])), None)
    seen_paragraph = False

    def add(role: str, s: int, e: int) -> None:
        segments.append(Segment(role, s, e, text[s:e]))

    for i, (s, e) in enumerate(blocks):
        block = text[s:e]
        if not tx.has_letter(block) and i != date_index:
            add("artifact", s, e)
        elif i == 0:
            add("title", s, e)
        elif i == date_index:
            published = tx.parse_date_line(block)
            add("date", s, e)
        elif date_index is not None and i < date_index:
            add("subtitle", s, e)
        elif not tx.ends_like_sentence(block):
            add("caption", s, e)
        else:
            m = tx.DATELINE_RE.match(block) if not seen_paragraph else None
            if m:
                dateline = m.group(1)
                cut = s + m.end()
                add("dateline", s, s + m.end() - 1)
                add("paragraph", cut, e)
            else:
                add("paragraph", s, e)
            seen_paragraph = True
    return tuple(segments), published, dateline


def convert(text: str, article_id: str, source_file: str, sha256: str | None = None) -> Article:
    """Build the article skeleton: segments, sentences and tokens; empty layers.

    Deterministic and idempotent: a pure function of its arguments.
    """
    segments, published, dateline = segment(text)
    sentences: list[Sentence] = []
    tokens: list[Span] = []
    for index, seg in enumerate(segments):
        if seg.role == "artifact":
            continue
        for s, e in tx.sentence_spans(text, seg.start, seg.end):
            first = len(tokens)
            tokens.extend([Span(m.start(), m.end(), m.group()) for m in tx.token_matches(text, s, e)])
            sentences.append(Sentence(f"s{len(sentences)}", index, s, e, text[s:e], first, len(tokens)))
    return Article(id=article_id, text=text, source_file=source_file,
                   sha256=sha256 if sha256 is not None else sha256_hex(text.encode("utf-8")),
                   published=published, dateline=dateline, segments=tuple(segments),
                   sentences=tuple(sentences), tokens=tuple(tokens))
