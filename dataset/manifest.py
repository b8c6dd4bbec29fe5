"""The seed provenance manifest (``seeds/manifest.json``) and split assignment."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from ..errors import UserError
from ..fsio import load_json, read_text, write_json
from ..schema import SCHEMA_VERSION
from .convert import segment, sha256_hex

MANIFEST = "seeds/manifest.json"
SPLIT_SALT = "akhbar-split-v1:"
#: Buckets 0-99 of the salted SHA-256 of the id. Akhbar is evaluation-first: most
#: hand-made gold goes to ``test``; ``train`` exists for few-shot prompts and adaptation.
SPLIT_BUCKETS = (("test", 70), ("validation", 85), ("train", 100))
DEFAULT_RIGHTS = ("The article text is the property of its original publisher, who is not named in the source file; "
                  "it is redistributed verbatim, unmodified, for non-commercial research on information extraction. "
                  "Akhbar's annotations are released under CC BY 4.0.")


def split_for(article_id: str) -> str:
    """Deterministic, stable split: depends on the id alone, so adding articles moves none."""
    bucket = int(hashlib.sha256((SPLIT_SALT + article_id).encode("utf-8")).hexdigest(), 16) % 100
    return next(name for name, upper in SPLIT_BUCKETS if bucket < upper)


def entry_for(root: Path, seed: Path) -> dict[str, Any]:
    """A new manifest entry computed from a seed file (publisher and URL unknown: null)."""
    data = seed.read_bytes()
    text = read_text(seed)
    _, published, dateline = segment(text)
    return {"id": seed.stem, "file": seed.relative_to(root).as_posix(), "sha256": sha256_hex(data), "language": "ar",
            "published": published, "dateline": dateline, "publisher": None, "url": None,
            "rights": DEFAULT_RIGHTS, "split": split_for(seed.stem)}


def load(root: Path) -> dict[str, Any]:
    return load_json(root / MANIFEST)


def entries(root: Path) -> list[dict[str, Any]]:
    return sorted(load(root)["articles"], key=lambda e: e["id"])


def update(root: Path) -> list[str]:
    """Add an entry for every seed file without one; keep existing entries as they are.

    Returns the ids added. Refuses (one line) a manifest that does not validate;
    upgrades one in an older ``schema_version`` (and writes it back in the
    current one). Writes atomically; existing entries (and their hand-filled
    publisher, URL, rights and split) are never changed.
    """
    from .validate import manifest_document

    path = root / MANIFEST
    if path.exists():
        raw = load_json(path)
        doc, incidents = manifest_document(root)  # upgraded from an older schema_version if need be
        if doc is None:
            more = f" (and {len(incidents) - 1} more; run `akhbar validate`)" if len(incidents) > 1 else ""
            raise UserError(f"{incidents[0]}{more}; fix the manifest before adding to it")
        upgraded = raw.get("schema_version") != SCHEMA_VERSION
    else:
        doc, upgraded = {"schema_version": SCHEMA_VERSION, "articles": []}, False
    known = {e["id"] for e in doc["articles"]}
    added = []
    for seed in sorted((root / "seeds").glob("*.txt")):
        if seed.stem not in known:
            doc["articles"].append(entry_for(root, seed))
            added.append(seed.stem)
    if added or upgraded or not path.exists():
        doc["articles"].sort(key=lambda e: e["id"])
        write_json(path, doc)
    return added
