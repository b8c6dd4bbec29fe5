"""Deterministic text structure: segments, sentences and tokens, with code-point offsets.

Policies (documented in docs/structure.md):

* **Segments** are the article's lines (blocks between newlines), trimmed of
  surrounding whitespace; their role comes from their position and shape.
* **Sentences** end at ``.`` ``؟`` ``?`` ``!`` (and runs of them) outside quotation
  marks, and at segment ends. A dot between two digits is a decimal point.
  If a segment's quotation marks never balance, quotation marks are ignored in it.
* **Tokens** are maximal runs of word characters (letters, digits, Arabic
  diacritics, tatweel, combining marks), where a ``-`` or ``.`` (or the Arabic
  decimal and thousands separators ``٫`` ``٬``) *between* word characters stays
  inside the token (``تو-22``, ``3.5``, ``٣٫٥``); every other non-space character
  is a token of its own. Clitics stay attached to their word (``لتنظيم``), as in
  Wojood and ANERcorp.

Hostile text is read, never rewritten (offsets index the stored text):

* **Line ends**: ``\n``, ``\r\n`` and a lone ``\r`` all end a line.
* **Invisible format characters** (:data:`INVISIBLE`: zero-width space, joiner
  and non-joiner, LRM/RLM/ALM, bidi embeddings, overrides and isolates, word
  joiner, soft hyphen, a byte-order mark anywhere) between two word characters
  stay inside the token; elsewhere they are skipped like spaces, so they are
  never a token, never start or end a segment or sentence, and never hide a
  sentence end or a date line.
* **NFD** text keeps its combining marks inside the word; **Arabic-Indic
  digits** are digits (dates, decimals).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

# Arabic combining marks (harakat, Quranic marks, superscript alef) and the Latin combining
# diacritics of NFD text count as word characters.
_MARKS = ("\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED"
          "\u0300-\u036F\u1AB0-\u1AFF\u1DC0-\u1DFF\u20D0-\u20FF\uFE20-\uFE2F")
WORD = rf"[\w{_MARKS}]"
#: Zero-width and bidirectional format characters: kept in the text, never tokens.
INVISIBLE = "\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF"
_INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_WORD_TOKEN = rf"{WORD}+(?:(?:[-.٫٬]|[{INVISIBLE}]+){WORD}+)*"
TOKEN_RE = re.compile(rf"{_WORD_TOKEN}|(?![{INVISIBLE}])\S")
#: The tokens of TOKEN_RE's first alternative (runs of word characters); the other one
#: is a single character that cannot start such a run, so scanning with this pattern
#: alone finds exactly the same runs.
WORD_TOKEN_RE = re.compile(_WORD_TOKEN)
#: The word characters that are neither letters nor digits: underscore and combining marks.
NOT_ALNUM_WORD_RE = re.compile(f"[_{_MARKS}]")
_LINE_RE = re.compile(r"[^\r\n]+")
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


_INVISIBLE_SET = frozenset(chr(c) for c in range(0x10000) if _INVISIBLE_RE.match(chr(c)))


def is_blank(ch: str) -> bool:
    """Whitespace or an invisible format character."""
    return ch.isspace() or ch in _INVISIBLE_SET


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``text[start:end]`` without surrounding whitespace and invisible characters (may become empty)."""
    while start < end and is_blank(text[start]):
        start += 1
    while end > start and is_blank(text[end - 1]):
        end -= 1
    return start, end


def lines(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every non-blank line, trimmed of whitespace and invisible characters."""
    for m in _LINE_RE.finditer(text):
        start, end = trim(text, m.start(), m.end())
        if start < end:
            yield start, end


def parse_date_line(line: str) -> str | None:
    """``الأحد 2017/11/05`` -> ``2017-11-05`` (None if the line is not a date line)."""
    if "/" not in line:  # cheap exit for every other line (paragraphs are long)
        return None
    m = DATE_LINE_RE.match(_ascii_digits(unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", line))))
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
    stripped = _INVISIBLE_RE.sub("", block).rstrip("”»›\"')")
    return bool(stripped) and stripped[-1] in TERMINAL


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences, returned as trimmed (start, end) pairs."""
    spans = _split(text, start, end, use_quotes=True)
    if spans is None:  # unbalanced quotation marks: ignore them
        spans = _split(text, start, end, use_quotes=False)
    return spans  # type: ignore[return-value]


_SPLIT_MARKS_RE = re.compile("[%s]" % re.escape("".join(sorted(SENTENCE_END | QUOTE_OPEN | QUOTE_CLOSE | QUOTE_TOGGLE))))


def _split(text: str, start: int, end: int, use_quotes: bool) -> list[tuple[int, int]] | None:
    out: list[tuple[int, int]] = []
    depth = 0
    toggled = False
    begin = start
    for m in _SPLIT_MARKS_RE.finditer(text, start, end):  # only these characters matter
        i = m.start()
        if i < begin:  # inside a run of sentence-end marks already consumed
            continue
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
                begin = j
    if use_quotes and (depth or toggled):
        return None
    out.append((begin, end))
    trimmed = [trim(text, s, e) for s, e in out]
    return [(s, e) for s, e in trimmed if s < e]


def token_matches(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The tokens of ``text[start:end]`` (the converter's tokenizer), as matches in article offsets."""
    return TOKEN_RE.finditer(text, start, end)


def has_letter(block: str) -> bool:
    return LETTER_RE.search(block) is not None
