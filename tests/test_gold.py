"""Pins of the committed gold: an accidental deletion or retyping of gold fails here.

When the gold changes on purpose (a new article, an adjudicated correction), update
these numbers in the same commit and say why in the adjudication log.
"""

from __future__ import annotations

from collections import Counter

import datasets
import pytest

from akhbar.dataset.audit import run as audit
from akhbar.dataset.validate import validate_paths

from conftest import REPO, SEED_ID

ENTITY_TYPES = {"GPE": 35, "ORG": 30, "NORP": 29, "PERS": 12, "DATE": 11, "CARDINAL": 10, "OCC": 7,
                "PRODUCT": 5, "EVENT": 4, "LOC": 3, "ORDINAL": 2, "QUANTITY": 1, "UNIT": 1}
EVENT_TYPES = {"Conflict:Attack": 24, "Contact:Meet": 6, "Movement:Transport": 1, "Personnel:Elect": 1}
REALIS = {"ACTUAL": 22, "OTHER": 10}
QUOTE_TYPES = {"INDIRECT": 13, "DIRECT": 3, "MIXED": 1}


@pytest.fixture(scope="module")
def configs():
    path = str(REPO / "dataset")
    return {c: datasets.load_dataset(path, c, split="test") for c in ("documents", "ner", "entities", "events", "quotes")}


def test_entity_counts_per_type(configs):
    assert Counter(configs["entities"]["type"]) == ENTITY_TYPES
    assert sum(ENTITY_TYPES.values()) == 150
    doc = configs["documents"][0]
    assert len(doc["entities"]) == 150 and len({e["cluster"] for e in doc["entities"] if e["cluster"]}) == 19


def test_event_counts_per_type_and_realis(configs):
    ev = configs["events"]
    assert Counter(ev["type"]) == EVENT_TYPES
    assert Counter(ev["realis"]) == REALIS
    assert sum(len(a) for a in ev["arguments"]) == 71
    assert len({c for c in ev["cluster"] if c}) == 6


def test_quote_counts_per_type(configs):
    q = configs["quotes"]
    assert Counter(q["type"]) == QUOTE_TYPES
    assert all(s is not None for s in q["source"]) and all(c is not None for c in q["cue"])


def test_ner_view_tags_the_outermost_mentions(configs):
    ner = configs["ner"]
    names = ner.features["ner_tags"].feature.names
    begins = Counter(names[t][2:] for row in ner["ner_tags"] for t in row if names[t].startswith("B-"))
    outer = Counter(r["type"] for r in configs["entities"] if r["outermost"])
    assert begins == outer


def test_gold_and_passes_are_valid_and_audit_clean():
    passes = sorted((REPO / "annotations" / "passes").glob("*/*.json"))
    assert [p.parent.name for p in passes] == ["A", "B", "C"]
    incidents, articles, _ = validate_paths(REPO, [REPO / "annotations"] + passes)
    assert incidents == [] and [a.id for a in articles] == [SEED_ID] * 4
    open_hits, waived = audit(REPO, [])
    assert open_hits == [] and len(waived) == 3


def test_committed_baseline_results_are_reproducible(tmp_path):
    """The leaderboard's numbers: `python -m akhbar.eval.results` regenerates them from the data."""
    import json

    from akhbar.eval import results

    assert results.main(["--out", str(tmp_path)]) == 0
    committed = sorted((REPO / "eval" / "results").glob("*.json"))
    assert [p.name for p in committed] == sorted(p.name for p in tmp_path.glob("*.json"))
    for path in committed:
        old = json.loads(path.read_text(encoding="utf-8"))
        new = json.loads((tmp_path / path.name).read_text(encoding="utf-8"))
        assert new["headline"] == old["headline"] and new[new["task"]] == old[old["task"]], path.name
