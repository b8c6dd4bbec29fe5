from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from akhbar.dataset.validate import CODES, validate_paths

from conftest import FIXTURES, REPO

INVALID = FIXTURES / "invalid"
# where each code's incident must point
POINTERS = {
    "json": "", "schema": "/entities/0/type", "schema-version": "/schema_version", "span-range": "/entities/1",
    "span-text": "/entities/1/text", "span-boundary": "/entities/1", "duplicate-id": "/entities/1/id",
    "duplicate-span": "/entities/0", "dangling-ref": "/events/0/arguments/0/entity", "unused-cluster": "/clusters/1",
    "crossing-spans": "/entities/4", "cross-sentence": "/entities/1", "argument-sentence": "/events/0/arguments/2",
    "token-misaligned": "/entities/1/start", "token-conflict": "/entities/4", "illegal-role": "/events/0/arguments/0/role",
    "source-type": "/quotes/0/source/entity", "content-order": "/quotes/0/content/1", "unknown-article": "/id",
    "missing-seed": "/articles/1/file", "sha256-mismatch": "/articles/0/sha256", "unlisted-seed": "/articles",
    "manifest-field": "/articles/0/published", "id-mismatch": "/articles/0/file",
}


def test_every_code_has_one_fixture():
    names = {p.name.split(".")[0] for p in INVALID.glob("*.json")}
    assert names == set(CODES)
    assert set(POINTERS) == set(CODES)


def _run(root: Path, code: str):
    manifest = INVALID / f"{code}.manifest.json"
    if manifest.exists():
        shutil.copy(manifest, root / "seeds" / "manifest.json")
        return validate_paths(root, [])
    shutil.copy(REPO / "seeds" / "manifest.json", root / "seeds" / "manifest.json")
    return validate_paths(root, [INVALID / f"{code}.json"])


@pytest.mark.parametrize("code", sorted(CODES))
def test_fixture_is_caught_with_its_pointer(repo_copy, code):
    path = INVALID / (f"{code}.manifest.json" if (INVALID / f"{code}.manifest.json").exists() else f"{code}.json")
    why = path.read_text(encoding="utf-8")
    assert f"Invalid ({code}):" in why, "every fixture says why it is invalid"
    incidents, articles, _ = _run(repo_copy, code)
    hits = [i for i in incidents if i.code == code]
    assert hits, f"{code} not reported; got {[str(i) for i in incidents]}"
    assert hits[0].pointer == POINTERS[code], str(hits[0])


def test_valid_fixture_is_clean(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    incidents, articles, _ = validate_paths(repo_copy, [FIXTURES / "valid.json"])
    assert incidents == [] and len(articles) == 1
    assert len(articles[0].layers.entities) == 3


def test_all_errors_reported_at_once(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    doc = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    doc["entities"][1]["text"] = "خطأ"
    doc["events"][0]["arguments"][0]["role"] = "Victim"
    doc["entities"][2]["end"] = 9999
    p = repo_copy / "annotations" / f"{doc['id']}.json"
    p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    incidents, _, _ = validate_paths(repo_copy, [])
    assert {i.code for i in incidents} == {"span-text", "illegal-role", "span-range"}


def test_cli_output_format_and_exit_codes(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    cmd = [sys.executable, "-m", "akhbar", "validate", "--root", str(repo_copy)]
    ok = subprocess.run(cmd, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("valid: ")
    bad = subprocess.run(cmd + [str(INVALID / "illegal-role.json")], capture_output=True, text=True)
    assert bad.returncode == 1
    first = bad.stderr.splitlines()[0]
    assert first.startswith(str(INVALID / "illegal-role.json") + ": /events/0/arguments/0/role: [illegal-role] ")
    assert "Traceback" not in bad.stderr
    js = subprocess.run(cmd + ["--json", "-", str(INVALID / "illegal-role.json")], capture_output=True, text=True)
    report = json.loads(js.stdout)
    assert report["valid"] is False and report["schema_version"] == "1.0" and report["incidents"][0]["code"] == "illegal-role"


def test_missing_root_is_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "akhbar", "validate", "--root", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "seeds/" in r.stderr


def test_repository_is_valid():
    incidents, articles, _ = validate_paths(REPO, [])
    assert incidents == [], [str(i) for i in incidents]
    assert [a.id for a in articles] == ["000_23fbf5640515ec06"]
