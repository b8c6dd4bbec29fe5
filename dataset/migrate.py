"""Reading older record formats: a small declarative table of schema-version upgrades.

Every document Akhbar reads (annotation files, article records, the manifest)
carries a ``schema_version``. When the format changes, the old version is not
dropped: a :class:`Migration` is added to :data:`MIGRATIONS` for each kind of
document, and readers upgrade old documents in memory before validating them
(``akhbar manifest`` then writes the manifest back in the current version). A
version with no path to the current one is refused with a message naming it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import clip
from ..schema import SCHEMA_VERSION

KINDS = ("annotation", "article", "manifest")
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Migration:
    """Upgrade documents of one ``kind`` from version ``source`` to version ``target``.

    ``upgrade`` receives a private deep copy of the document (any shape: it runs
    before schema validation) and returns the upgraded document; the
    ``schema_version`` field is set to ``target`` afterwards.
    """

    kind: str
    source: str
    target: str
    upgrade: Callable[[dict[str, Any]], dict[str, Any]]
    summary: str


#: The upgrades this version of Akhbar knows. 1.0 is the first format, so the
#: table is empty; tests register a fake older version to exercise the path.
MIGRATIONS: list[Migration] = []


def version_key(version: Any) -> tuple[int, int] | None:
    """``"1.10"`` -> ``(1, 10)``; None for anything that is not MAJOR.MINOR."""
    m = _VERSION_RE.match(version) if isinstance(version, str) else None
    return (int(m.group(1)), int(m.group(2))) if m else None


def _describe(version: Any) -> str:
    key, current = version_key(version), version_key(SCHEMA_VERSION)
    if key is None:
        return "not a known version"
    if key > current:  # type: ignore[operator]
        return "newer than this akhbar; upgrade akhbar"
    return "an older version this akhbar cannot upgrade"


def upgrade(kind: str, doc: Any) -> tuple[Any, str | None]:
    """``(document in the current version, None)`` or ``(doc, why it cannot be read)``.

    Documents without a ``schema_version`` (or not objects) are returned as they
    are: the schema check reports them.
    """
    if not isinstance(doc, dict) or "schema_version" not in doc or doc["schema_version"] == SCHEMA_VERSION:
        return doc, None
    original = doc["schema_version"]
    version, seen = original, set()
    while version != SCHEMA_VERSION:
        step = next((m for m in MIGRATIONS if m.kind == kind and m.source == version), None)
        if step is None or version in seen:
            return doc, f"schema_version {short(original)} is {_describe(original)}; this akhbar reads {SCHEMA_VERSION}"
        seen.add(version)
        try:
            doc = step.upgrade(copy.deepcopy(doc))
        except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            return doc, f"schema_version {short(original)} could not be upgraded to {step.target} ({step.summary}): {type(exc).__name__} {short(str(exc))}"
        if not isinstance(doc, dict):
            return doc, f"schema_version {short(original)} could not be upgraded to {step.target} ({step.summary})"
        doc["schema_version"] = version = step.target
    return doc, None


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for one-line messages."""
    return clip(repr(value), limit)
