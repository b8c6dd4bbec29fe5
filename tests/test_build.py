from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest

from akhbar.dataset import build as b
from akhbar.dataset.build import BuildRefused, build, features, ner_labels

from conftest import FIXTURES, REPO, SEED_ID, file_hashes


@pytest.fixture
def annotated(repo_copy: Path) -> Path:
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    shutil.copy(FIXTURES / "valid.json", repo_copy / "annotations" / f"{SEED_ID}.json")
    return repo_copy


def test_build_is_deterministic(annotated, tmp_path):
    build(annotated)
    first = file_hashes(annotated / "dataset")
    shutil.rmtree(annotated / "dataset" / "data")
    build(annotated)
    assert file_hashes(annotated / "dataset") == first
    assert "README.md" in first and "data/ner/test.parquet" in first


def test_committed_dataset_matches_a_fresh_build(tmp_path):
    out = tmp_path / "dataset"
    build(REPO, out)
    committed = {k: v for k, v in file_hashes(REPO / "dataset").items() if k in ("README.md", "croissant.json") or k.startswith("data/")}
    assert file_hashes(out) == committed, "dataset/ is stale: run `akhbar build` and commit"


def test_every_config_loads_with_its_features(annotated):
    build(annotated)
    path = str(annotated / "dataset")
    configs = datasets.get_dataset_config_names(path)
    assert configs == ["documents", "ner", "entities", "events", "quotes"]
    for config in configs:
        ds = datasets.load_dataset(path, config, split="test")
        assert ds.features == features(config), config
    ner = datasets.load_dataset(path, "ner")
    assert list(ner) == ["test"]
    tags = ner["test"].features["ner_tags"].feature
    assert isinstance(tags, datasets.ClassLabel) and tags.names == ner_labels() and len(tags.names) == 43


def test_ner_tags_are_iob2_over_outermost_entities(annotated):
    build(annotated)
    ner = datasets.load_dataset(str(annotated / "dataset"), "ner", split="test")
    names = ner.features["ner_tags"].feature.names
    title = ner[0]
    tagged = [(tok, names[t]) for tok, t in zip(title["tokens"], title["ner_tags"]) if t]
    assert tagged == [("داعش", "B-ORG"), ("البوكمال", "B-GPE")]
    subtitle2 = ner[2]
    tagged = [(tok, names[t]) for tok, t in zip(subtitle2["tokens"], subtitle2["ner_tags"]) if t]
    assert tagged == [("دونالد", "B-PERS"), ("ترامب", "I-PERS")]
    for row in ner:
        for (s, e), tok in zip(row["token_offsets"], row["tokens"]):
            assert e - s == len(tok)


def test_proclitic_token_is_tagged_whole(annotated):
    doc = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    doc["entities"].append({"id": "T9", "type": "ORG", "start": 87, "end": 109, "text": "تنظيم الدولة الإسلامية"})
    (annotated / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    build(annotated)
    ner = datasets.load_dataset(str(annotated / "dataset"), "ner", split="test")
    names = ner.features["ner_tags"].feature.names
    row = ner[1]
    tagged = [(tok, names[t]) for tok, t in zip(row["tokens"], row["ner_tags"]) if t]
    assert tagged == [("لتنظيم", "B-ORG"), ("الدولة", "I-ORG"), ("الإسلامية", "I-ORG")]


def test_build_refuses_invalid_input_and_keeps_previous(annotated):
    build(annotated)
    before = file_hashes(annotated / "dataset")
    shutil.copy(FIXTURES / "invalid" / "illegal-role.json", annotated / "annotations" / f"{SEED_ID}.json")
    with pytest.raises(BuildRefused) as exc:
        build(annotated)
    assert exc.value.incidents[0].code == "illegal-role"
    assert file_hashes(annotated / "dataset") == before
    assert not (annotated / "dataset" / ".staging").exists()


def test_interrupted_build_leaves_previous_dataset(annotated, monkeypatch):
    build(annotated)
    before = file_hashes(annotated / "dataset")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(b, "commit_staged", boom)  # interrupted after writing, before committing
    with pytest.raises(KeyboardInterrupt):
        build(annotated)
    assert file_hashes(annotated / "dataset") == before
    assert not (annotated / "dataset" / ".staging").exists()


def test_swap_interrupted_between_renames_is_recovered(annotated):
    build(annotated)
    before = file_hashes(annotated / "dataset")
    data = annotated / "dataset" / "data"
    data.rename(data.with_name("data.old"))  # the state a crash between the two renames leaves
    build(annotated)
    assert file_hashes(annotated / "dataset") == before


def test_build_cli_reports_incidents(annotated):
    import subprocess
    import sys

    shutil.copy(FIXTURES / "invalid" / "span-text.json", annotated / "annotations" / f"{SEED_ID}.json")
    r = subprocess.run([sys.executable, "-m", "akhbar", "build", "--root", str(annotated)], capture_output=True, text=True)
    assert r.returncode == 1
    assert "[span-text]" in r.stderr and "build refused" in r.stderr and "Traceback" not in r.stderr
