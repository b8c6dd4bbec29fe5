from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from akhbar.dataset.build import build
from akhbar.dataset.croissant import RAI

from conftest import FIXTURES, REPO, SEED_ID

mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is a dev dependency: pip install -e '.[dev]'")


@pytest.fixture
def annotated(repo_copy: Path) -> Path:
    shutil.copy(FIXTURES / "valid.json", repo_copy / "annotations" / f"{SEED_ID}.json")
    build(repo_copy)
    return repo_copy


def _validate(path: Path):
    logging.getLogger("absl").setLevel(logging.ERROR)
    return mlc.Dataset(jsonld=str(path))  # raises ValidationError on any error


def test_committed_croissant_validates_offline():
    ds = _validate(REPO / "dataset" / "croissant.json")
    assert ds.metadata.name == "Akhbar"


def test_croissant_describes_every_built_config_and_reads_its_records(annotated):
    path = annotated / "dataset" / "croissant.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    built = sorted(p.name for p in (annotated / "dataset" / "data").iterdir())
    assert sorted(rs["name"] for rs in doc["recordSet"]) == built
    ds = _validate(path)
    for config in ("ner", "entities", "events", "quotes"):
        table = pq.read_table(annotated / "dataset" / "data" / config / "test.parquet")
        records = list(ds.records(config))
        assert len(records) == table.num_rows, config
        assert [r[f"{config}/id"].decode() for r in records] == table.column("id").to_pylist()
        assert {r[f"{config}/split"] for r in records} == {b"test"}
    tags = [r["ner/ner_tags"] for r in ds.records("ner")]
    assert [list(t) for t in tags] == pq.read_table(annotated / "dataset" / "data" / "ner" / "test.parquet").column("ner_tags").to_pylist()


def test_croissant_carries_the_rai_answers_and_the_collection_timeframe(annotated):
    doc = json.loads((annotated / "dataset" / "croissant.json").read_text(encoding="utf-8"))
    for key, value in RAI.items():
        assert doc[f"rai:{key}"] == value
    assert doc["rai:dataCollectionTimeframe"] == ["2017-11-05", "2017-11-05"]
    assert doc["rai:dataAnnotationAnalysis"] == ["The inter-annotator agreement study has not been run yet."]
    ds = _validate(annotated / "dataset" / "croissant.json")
    assert ds.metadata.data_biases == RAI["dataBiases"]


def test_croissant_mentions_the_agreement_study_once_it_exists(annotated):
    (annotated / "annotations" / "passes").mkdir()
    shutil.copy(REPO / "annotations" / "passes" / "agreement.json", annotated / "annotations" / "passes" / "agreement.json")
    build(annotated)
    doc = json.loads((annotated / "dataset" / "croissant.json").read_text(encoding="utf-8"))
    study = json.loads((REPO / "annotations" / "passes" / "agreement.json").read_text(encoding="utf-8"))
    analysis = doc["rai:dataAnnotationAnalysis"]
    assert len(analysis) == len(study["pairs"]) + 2 and "upper bound" in analysis[-1]
    first = study["pairs"][0]
    assert f"entity strict F1 {first['entities']['strict']['f1']:.3f}" in analysis[1]
    assert f"{len(study['passes'])} independent passes" in doc["rai:annotationsPerItem"]
