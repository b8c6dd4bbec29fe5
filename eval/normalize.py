"""Arabic text normalisation for offset-free matching (``--match text``) and the baselines.

Steps, in order: Arabic-Indic and Persian digits to ASCII; diacritics (harakat,
tanwin, shadda, sukun, superscript alef, Quranic marks) and tatweel removed;
alef variants أ إ آ ٱ to ا; ى to ي; ة to ه; punctuation (Arabic ، ؛ ؟ and every
Unicode P* character) to a space; Latin letters case-folded; runs of spaces
collapsed and the ends trimmed.
"""

from __future__ import annotations

import re
import unicodedata

_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")} | {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_LETTERS = {ord("أ"): "ا", ord("إ"): "ا", ord("آ"): "ا", ord("ٱ"): "ا", ord("ى"): "ي", ord("ة"): "ه"}
_DROP = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E4\u06E7\u06E8\u06EA-\u06ED\u0640]")
_SPACES = re.compile(r"\s+")
_TABLE = _DIGITS | _LETTERS


def _punct_to_space(s: str) -> str:
    return "".join(" " if unicodedata.category(c)[0] == "P" else c for c in s)


def normalize(text: str) -> str:
    """The normalised form of ``text`` (see the module docstring)."""
    s = _DROP.sub("", text.translate(_TABLE))
    return _SPACES.sub(" ", _punct_to_space(s)).strip().casefold()
