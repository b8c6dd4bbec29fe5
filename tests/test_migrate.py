"""Schema-version migration: older documents are upgraded by the table, or refused naming the version.

1.0 is the only real version, so each test registers fake older versions in
:data:`akhbar.dataset.migrate.MIGRATIONS` (restored afterwards).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from akhbar.dataset import migrate
from akhbar.dataset.build import build
from akhbar.dataset.manifest import update
from akhbar.dataset.migrate import Migration, upgrade, version_key
from akhbar.dataset.validate import validate_paths
from akhbar.schema import SCHEMA_VERSION

from conftest import FIXTURES, REPO, SEED_ID


def _rename(old: str, new: str):
    def step(doc):
        if old in doc:
            doc[new] = doc.pop(old)
        return doc
    return step


def _drop_origin(doc):
    doc.pop("origin", None)
    return doc


#: Fake history: in "0.8" annotation files said "mentions", in "0.9" they said "entities" but
#: carried an "origin" field; "0.9" manifests said "seeds"; "0.9" article records said "mentions".
FAKE = [
    Migration("annotation", "0.8", "0.9", _rename("mentions", "entities"), "mentions renamed entities"),
    Migration("annotation", "0.9", "1.0", _drop_origin, "origin field dropped"),
    Migration("manifest", "0.9", "1.0", _rename("seeds", "articles"), "seeds renamed articles"),
    Migration("article", "0.9", "1.0", _rename("mentions", "entities"), "mentions renamed entities"),
]


@pytest.fixture
def fake_history(monkeypatch):
    monkeypatch.setattr(migrate, "MIGRATIONS", list(FAKE))


def _old_annotation(version: str) -> dict:
    doc = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    doc["schema_version"] = version
    if version == "0.8":
        doc["mentions"] = doc.pop("entities")
    else:
        doc["origin"] = "exported by an old tool"
    return doc


@pytest.fixture
def repo(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    return repo_copy


def test_version_key():
    assert version_key("1.10") > version_key("1.9") > version_key("0.99")
    assert version_key("10.0") > version_key("9.0")
    assert version_key("v1") is None and version_key(1.0) is None


@pytest.mark.parametrize("version", ["0.8", "0.9"])
def test_old_annotation_is_upgraded_and_builds(fake_history, repo, version):
    (repo / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(_old_annotation(version), ensure_ascii=False), encoding="utf-8")
    incidents, articles, _ = validate_paths(repo, [])
    assert incidents == [] and len(articles[0].layers.entities) == 3
    result = build(repo)
    assert result.counts[("entities", "test")] == 3


def test_old_manifest_is_upgraded_and_rewritten_by_akhbar_manifest(fake_history, repo):
    path = repo / "seeds" / "manifest.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["schema_version"], doc["seeds"] = "0.9", doc.pop("articles")
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert validate_paths(repo, [])[0] == []
    assert update(repo) == []
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    assert rewritten["schema_version"] == "1.0" and "articles" in rewritten and "seeds" not in rewritten


def test_old_article_record_is_upgraded(fake_history, repo, tmp_path):
    from akhbar.dataset.convert import convert

    text = (REPO / "seeds" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    record = convert(text, SEED_ID, f"seeds/{SEED_ID}.txt").to_dict()
    gold = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    entities = gold["entities"]
    assert entities  # the rename must move something
    record.pop("entities")
    record["schema_version"], record["mentions"], record["clusters"] = "0.9", entities, gold["clusters"]
    p = tmp_path / "record.json"
    p.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    incidents, articles, _ = validate_paths(repo, [p])
    assert incidents == [] and len(articles) == 1
    assert [e.to_dict() for e in articles[0].layers.entities] == entities


@pytest.mark.parametrize("version, words", [
    ("0.5", "'0.5' is an older version this akhbar cannot upgrade; this akhbar reads 1.0"),
    ("2.0", "'2.0' is newer than this akhbar; upgrade akhbar; this akhbar reads 1.0"),
    ("1.0-beta", "'1.0-beta' is not a known version"),
])
def test_unreadable_versions_are_named(fake_history, repo, version, words):
    doc = _old_annotation("0.9")
    doc["schema_version"] = version
    (repo / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    incidents, _, _ = validate_paths(repo, [])
    assert [(i.code, i.pointer) for i in incidents] == [("schema-version", "/schema_version")]
    assert words in incidents[0].message
    r = subprocess.run([sys.executable, "-m", "akhbar", "validate", "--root", str(repo)], capture_output=True, text=True)
    assert r.returncode == 1 and f"schema_version '{version}'" in r.stderr and "Traceback" not in r.stderr


def test_a_migration_that_fails_is_one_incident(monkeypatch, repo):
    def broken(doc):
        return doc["no such field"]

    monkeypatch.setattr(migrate, "MIGRATIONS", [Migration("annotation", "0.9", "1.0", broken, "broken on purpose")])
    (repo / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(_old_annotation("0.9")), encoding="utf-8")
    incidents, _, _ = validate_paths(repo, [])
    assert [i.code for i in incidents] == ["schema-version"]
    assert "could not be upgraded to 1.0 (broken on purpose): KeyError" in incidents[0].message


def test_upgraded_document_is_still_schema_checked(fake_history, repo):
    doc = _old_annotation("0.8")
    doc["mentions"][0]["type"] = "NOT-A-TYPE"
    (repo / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    incidents, _, _ = validate_paths(repo, [])
    assert [(i.code, i.pointer) for i in incidents] == [("schema", "/entities/0/type")]


def test_cycle_and_input_are_safe(monkeypatch):
    monkeypatch.setattr(migrate, "MIGRATIONS", [Migration("manifest", "0.9", "0.9", lambda d: d, "loops")])
    original = {"schema_version": "0.9", "articles": []}
    doc, problem = upgrade("manifest", original)
    assert problem is not None and "0.9" in problem
    assert original == {"schema_version": "0.9", "articles": []}  # the caller's document is not modified


def _consistent(table: list[Migration]) -> bool:
    """Every migration goes from an older version to a newer one, at most one per (kind, version)."""
    keys = [(m.kind, m.source) for m in table]
    return len(keys) == len(set(keys)) and all(
        m.kind in migrate.KINDS and version_key(m.source) < version_key(m.target) <= version_key(SCHEMA_VERSION) for m in table)


def test_the_migration_tables_are_consistent():
    """The real table (empty while 1.0 is the only version) and the fake history pass; broken tables do not."""
    assert _consistent(migrate.MIGRATIONS) and _consistent(FAKE)
    assert not _consistent([*FAKE, FAKE[0]])  # two migrations from one version
    assert not _consistent([Migration("annotation", "1.0", "0.9", _drop_origin, "backwards")])
    assert not _consistent([Migration("annotation", "1.0", "2.0", _drop_origin, "beyond this akhbar")])
