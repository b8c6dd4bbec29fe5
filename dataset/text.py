"""Deterministic text structure: segments, sentences and tokens, with code-point offsets.

Policies (documented in docs/structure.md):

* **Segments** are the article's lines (blocks between newlines), trimmed of
  surrounding whitespace; their role comes from their position and shape.
* **Sentences** end at ``.`` ``؟`` ``?`` ``!`` (and runs of them) outside quotation
  marks, and at segment ends. A dot between two digits is a decimal point.
  If a segment's quotation marks never balance, quotation marks are ignored in it.
* **Tokens** are maximal runs of word characters (letters, digits, Arabic
  diacritics, tatweel), where a ``-`` or ``.`` *between* word characters stays
  inside the token (``تو-22``, ``3.5``); every other non-space character is a
  token of its own. Clitics stay attached to their word (``لتنظيم``), as in
  Wojood and ANERcorp.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Arabic combining marks (harakat, Quranic marks, superscript alef) count as word characters.
_MARKS = "\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED"
WORD = rf"[\w{_MARKS}]"
TOKEN_RE = re.compile(rf"{WORD}+(?:[-.]{WORD}+)*|\S")
SENTENCE_END = frozenset(".؟?!")
# Opening and closing quotation marks, and marks that toggle.
QUOTE_OPEN = frozenset("“«‹")
QUOTE_CLOSE = frozenset("”»›")
QUOTE_TOGGLE = frozenset('"')
DAY_NAMES = ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
DATE_LINE_RE = re.compile(r"^(?:(?:%s)\s+)?(\d{4})/(\d{1,2})/(\d{1,2})$" % "|".join(DAY_NAMES))
DATELINE_RE = re.compile(r"^([^\s\d\-–—.،]+(?: [^\s\d\-–—.،]+){0,2}) [-–—] ")
LETTER_RE = re.compile(r"[^\W\d_]")
TERMINAL = frozenset(".؟?!…:")


def is_punct(ch: str) -> bool:
    """True for punctuation and symbols (Unicode categories P* and S*)."""
    return unicodedata.category(ch)[0] in "PS"


def lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of surrounding whitespace."""
    pos = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = pos + (len(raw) - len(raw.lstrip()))
            yield start, start + len(stripped)
        pos += len(raw) + 1


def parse_date_line(line: str) -> str | None:
    """``الأحد 2017/11/05`` -> ``2017-11-05`` (None if the line is not a date line)."""
    m = DATE_LINE_RE.match(_ascii_digits(line))
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _ascii_digits(s: str) -> str:
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in s)


def ends_like_sentence(block: str) -> bool:
    """A paragraph ends with terminal punctuation, possibly followed by closing quotes."""
    stripped = block.rstrip("”»›\"')")
    return bool(stripped) and stripped[-1] in TERMINAL


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences, returned as trimmed (start, end) pairs."""
    spans = _split(text, start, end, use_quotes=True)
    if spans is None:  # unbalanced quotation marks: ignore them
        spans = _split(text, start, end, use_quotes=False)
    return spans  # type: ignore[return-value]


def _split(text: str, start: int, end: int, use_quotes: bool) -> list[tuple[int, int]] | None:
    out: list[tuple[int, int]] = []
    depth = 0
    toggled = False
    begin = start
    i = start
    while i < end:
        ch = text[i]
        if use_quotes and ch in QUOTE_OPEN:
            depth += 1
        elif use_quotes and ch in QUOTE_CLOSE:
            depth = max(0, depth - 1)
        elif use_quotes and ch in QUOTE_TOGGLE:
            toggled = not toggled
        elif ch in SENTENCE_END and depth == 0 and not toggled:
            decimal = ch == "." and 0 < i < end - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()
            if not decimal:
                j = i + 1
                while j < end and text[j] in SENTENCE_END:
                    j += 1
                out.append((begin, j))
                begin = i = j
                continue
        i += 1
    if use_quotes and (depth or toggled):
        return None
    out.append((begin, end))
    trimmed = []
    for s, e in out:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def token_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Tokens of ``text[start:end]`` as (start, end) pairs in article offsets."""
    return [(m.start() + start, m.end() + start) for m in TOKEN_RE.finditer(text[start:end])]


def has_letter(block: str) -> bool:
    return LETTER_RE.search(block) is not None
