from __future__ import annotations

import json
import shutil
import subprocess
import sys

from akhbar.dataset.audit import run

from conftest import FIXTURES, REPO, SEED_ID


def _setup(root, doc):
    shutil.copy(REPO / "seeds" / "manifest.json", root / "seeds" / "manifest.json")
    (root / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def _doc():
    return json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))


def test_unannotated_forms_found_including_after_proclitics(repo_copy):
    _setup(repo_copy, _doc())
    hits, waived = run(repo_copy, [])
    forms = [(h.code, h.target) for h in hits]
    # 'داعش' is annotated in the title (24-28); it recurs at 893 and 1135
    assert ("unannotated-form", "893-897") in forms and ("unannotated-form", "1135-1139") in forms
    # 'دونالد ترامب' recurs at 3344
    assert ("unannotated-form", "3344-3356") in forms
    # 'البوكمال' occurs 12 times in all, once as 'والبوكمال' (2871); one occurrence is annotated
    assert sum(1 for h in hits if "البوكمال" in h.message) == 11
    assert ("unannotated-form", "2871-2879") in forms
    assert {h.code for h in hits} == {"unannotated-form"}


def test_type_conflict_cluster_gap_and_layer_checks(repo_copy):
    doc = _doc()
    doc["entities"].append({"id": "T4", "type": "ORG", "start": 32, "end": 40, "text": "البوكمال"})
    doc["entities"][1]["start"], doc["entities"][1]["end"] = 118, 126  # GPE البوكمال in the subtitle
    doc["entities"].append({"id": "T5", "type": "ORG", "start": 893, "end": 897, "text": "داعش"})
    doc["events"][0]["arguments"] = []
    doc["quotes"][0]["cue"] = None
    doc["quotes"][0]["source"] = None
    _setup(repo_copy, doc)
    hits, _ = run(repo_copy, [])
    codes = {(h.code, h.target) for h in hits}
    assert ("type-conflict", "T2,T4") in codes or ("type-conflict", "T4,T2") in codes
    assert ("cluster-gap", "T5") in codes
    assert ("event-no-arguments", "E1") in codes
    assert ("quote-no-source", "Q1") in codes and ("quote-no-cue", "Q1") in codes


def test_waivers_close_hits_and_stale_waivers_are_reported(repo_copy):
    doc = _doc()
    _setup(repo_copy, doc)
    hits, _ = run(repo_copy, [])
    doc["waivers"] = [{"code": h.code, "target": h.target, "reason": "test"} for h in hits]
    _setup(repo_copy, doc)
    open_hits, waived = run(repo_copy, [])
    assert open_hits == [] and len(waived) == len(hits)
    doc["waivers"].append({"code": "cluster-gap", "target": "T99", "reason": "stale"})
    _setup(repo_copy, doc)
    open_hits, _ = run(repo_copy, [])
    assert [h.code for h in open_hits] == ["waiver-unused"]


def test_cli_exit_codes(repo_copy):
    _setup(repo_copy, _doc())
    r = subprocess.run([sys.executable, "-m", "akhbar", "audit", "--root", str(repo_copy)], capture_output=True, text=True)
    assert r.returncode == 1 and "unannotated-form" in r.stdout and "Traceback" not in r.stderr


def test_short_form_inside_a_longer_mention_of_the_same_type_is_not_flagged(repo_copy):
    doc = _doc()
    doc["entities"] += [{"id": "T4", "type": "PERS", "start": 337, "end": 351, "text": "فلاديمير بوتين"},
                        {"id": "T5", "type": "PERS", "start": 3825, "end": 3830, "text": "بوتين"}]
    _setup(repo_copy, doc)
    hits, _ = run(repo_copy, [])
    targets = {h.target for h in hits if "بوتين" in h.message}
    # 346-351 lies inside T4 (same type): not a hit; the S24 mention of the full name (3312) is unannotated
    assert "346-351" not in targets and {"3312-3326", "3321-3326"} <= targets
