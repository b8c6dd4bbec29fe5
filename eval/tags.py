"""Tagsets and tagging schemes as small declarative tables.

* A **tagset** is the label inventory a score is computed in: ``wojood`` (the 21
  types of the gold), ``anercorp`` (PERS/ORG/LOC/MISC) or ``coarse``
  (PER/ORG/LOC/MISC). Gold types are mapped with the documented mappings in
  ``schema/article.schema.json`` (``x-akhbar-types``); a predicted type may be
  written in the target tagset, in Wojood's inventory, or in a spelling listed in
  :data:`ALIASES` (``PER`` for ``PERS`` …).
* A **scheme** table turns another tagging scheme into IOB2, only when the user
  asks for it (``--scheme``). IOB2 input is never altered.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .. import schema

TAGSETS = ("wojood", "anercorp", "coarse")
SCHEMES = ("iob2", "iob1", "iobes", "bilou")

#: Spelling variants of the same type, by target tagset: what a model may call it.
ALIASES: dict[str, dict[str, str]] = {
    "wojood": {"PER": "PERS", "PERSON": "PERS", "ORGANIZATION": "ORG", "ORGANISATION": "ORG"},
    "anercorp": {"PER": "PERS", "PERSON": "PERS", "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
                 "LOCATION": "LOC", "MISCELLANEOUS": "MISC"},
    "coarse": {"PERS": "PER", "PERSON": "PER", "ORGANIZATION": "ORG", "ORGANISATION": "ORG",
               "LOCATION": "LOC", "MISCELLANEOUS": "MISC"},
}


@dataclass(frozen=True)
class SchemeTable:
    """How the prefixes of a scheme read in IOB2.

    ``prefix``: each allowed prefix -> its IOB2 prefix. ``begin_on_change``: an
    ``I`` whose previous token is ``O`` or of another type starts an entity (IOB1).
    """

    prefix: dict[str, str]
    begin_on_change: bool = False


SCHEME_TABLES: dict[str, SchemeTable] = {
    "iob2": SchemeTable({"B": "B", "I": "I"}),
    "iob1": SchemeTable({"B": "B", "I": "I"}, begin_on_change=True),
    "iobes": SchemeTable({"B": "B", "I": "I", "E": "I", "S": "B"}),
    "bilou": SchemeTable({"B": "B", "I": "I", "L": "I", "U": "B"}),
}


@lru_cache(maxsize=None)
def types(tagset: str) -> tuple[str, ...]:
    """The type names of a tagset, in a stable order."""
    if tagset == "wojood":
        return schema.entity_types()
    info = schema.entity_type_info()
    out: list[str] = []
    for t in schema.entity_types():
        m = info[t][tagset]
        if m != "O" and m not in out:
            out.append(m)
    return tuple(out)


@lru_cache(maxsize=None)
def type_map(tagset: str) -> dict[str, str | None]:
    """Every accepted type name -> its name in ``tagset`` (None: not an entity there)."""
    info = schema.entity_type_info()
    out: dict[str, str | None] = {}
    for t in schema.entity_types():
        m = t if tagset == "wojood" else info[t][tagset]
        out[t] = None if m == "O" else m
    for t in types(tagset):
        out[t] = t
    for alias, canon in ALIASES[tagset].items():
        out.setdefault(alias, out.get(canon, canon))
    return out


def map_type(name: str, tagset: str) -> str | None:
    """Map a type name into ``tagset``; raise KeyError when it is unknown."""
    return type_map(tagset)[name]


def labels(tagset: str) -> list[str]:
    """IOB2 labels of a tagset: ``O``, then ``B-``/``I-`` per type."""
    return ["O"] + [f"{p}-{t}" for t in types(tagset) for p in ("B", "I")]


@lru_cache(maxsize=None)
def tag_map(tagset: str, scheme: str) -> dict[str, str]:
    """Every legal submitted tag -> its IOB2 tag in ``tagset`` (``O`` if the type maps to none).

    For IOB1 the prefix still needs context (:func:`to_iob2`); the table gives the
    context-free part.
    """
    table = SCHEME_TABLES[scheme]
    out = {"O": "O"}
    for name, mapped in type_map(tagset).items():
        for p, q in table.prefix.items():
            out[f"{p}-{name}"] = "O" if mapped is None else f"{q}-{mapped}"
    return out


def to_iob2(tags: list[str], scheme: str, mapping: dict[str, str]) -> list[str]:
    """Convert one legal tag sequence to IOB2 in the target tagset (the caller checked legality).

    IOB1's context rule is applied on the submitted types, before they are mapped.
    """
    out = [mapping[t] for t in tags]
    if SCHEME_TABLES[scheme].begin_on_change:
        prev = "O"
        for i, t in enumerate(tags):
            if t[0] == "I" and (prev == "O" or prev[2:] != t[2:]) and out[i] != "O":
                out[i] = "B" + out[i][1:]
            prev = t
    return out


def explain_tag(tag: object, tagset: str, scheme: str) -> str:
    """Why ``tag`` is not accepted, for a one-line error message."""
    if not isinstance(tag, str):
        return f"tag {tag!r} is not a string"
    allowed = "/".join(SCHEME_TABLES[scheme].prefix)
    if tag == "O":
        return ""
    prefix, sep, name = tag.partition("-")
    if not sep or not name or prefix not in {"B", "I", "E", "S", "L", "U"}:
        return f"illegal tag {tag!r}: write O or PREFIX-TYPE with PREFIX in {allowed}"
    if prefix not in SCHEME_TABLES[scheme].prefix:
        hint = {"E": "iobes", "S": "iobes", "L": "bilou", "U": "bilou"}.get(prefix, "iob2")
        return f"illegal tag {tag!r}: prefix {prefix} is not part of scheme {scheme} (prefixes {allowed}); pass --scheme {hint} if that is your scheme"
    return f"unknown type {name!r} in tag {tag!r} for --tagset {tagset}; known: {', '.join(types(tagset))}"
