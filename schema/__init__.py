"""The JSON Schemas of the Akhbar formats (package data) and the vocabularies read from them.

The schema files are the single source of truth of the format: the entity type
inventory, its tagset mappings, the ACE role table and the enumerations used by
the code are all read from ``article.schema.json``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMA_VERSION = "1.0"
NAMES = ("article", "annotation", "manifest", "predictions", "report")


@lru_cache(maxsize=None)
def load(name: str) -> dict[str, Any]:
    """Return the parsed JSON Schema ``schema/{name}.schema.json``."""
    if name not in NAMES:
        raise KeyError(f"unknown schema {name!r}; known: {', '.join(NAMES)}")
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=None)
def _registry() -> Registry:
    return Registry().with_resources((load(n)["$id"], Resource.from_contents(load(n))) for n in NAMES)


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    """A Draft 2020-12 validator (with format checking) for one of the schemas."""
    return Draft202012Validator(load(name), registry=_registry(), format_checker=FormatChecker())


def _defs() -> dict[str, Any]:
    return load("article")["$defs"]


def entity_types() -> tuple[str, ...]:
    """The entity type inventory (Wojood's 21 types), in schema order."""
    return tuple(_defs()["entityType"]["enum"])


def entity_type_info() -> dict[str, dict[str, str]]:
    """Per entity type: ``description``, ``anercorp`` and ``coarse`` mapping."""
    return _defs()["entityType"]["x-akhbar-types"]


def event_roles() -> dict[str, tuple[str, ...]]:
    """The ACE 2005 role table: event ``Type:Subtype`` -> admissible roles."""
    return {k: tuple(v) for k, v in _defs()["eventType"]["x-akhbar-roles"].items()}


def enum(def_name: str) -> tuple[str, ...]:
    """The values of an enumerated ``$defs`` entry of the article schema (e.g. ``realis``)."""
    return tuple(_defs()[def_name]["enum"])
