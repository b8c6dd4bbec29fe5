from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from akhbar.errors import UserError
from akhbar.eval import agreement as ag

from conftest import FIXTURES, REPO, SEED_ID


def test_committed_agreement_report_is_reproducible():
    """The datasheet's figures: `akhbar agreement --json annotations/passes/agreement.json` gives these bytes."""
    committed = json.loads((REPO / ag.PASSES / "agreement.json").read_text(encoding="utf-8"))
    fresh = ag.study(REPO)
    assert json.loads(json.dumps(fresh)) == committed


def test_identical_passes_agree_perfectly_and_a_changed_pass_does_not(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    doc = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    for name in ("X", "Y"):
        (repo_copy / ag.PASSES / name).mkdir(parents=True)
        (repo_copy / ag.PASSES / name / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    same = ag.study(repo_copy, bootstrap=50)
    pair = same["pairs"][0]
    assert pair["entities"]["strict"]["f1"] == 1.0 and pair["ner"]["token_kappa"]["kappa"] == 1.0
    # Y drops one of the three entities (T3, not an argument) and retypes another
    doc["entities"] = [e for e in doc["entities"] if e["id"] != "T3"]
    doc["entities"][1]["type"] = "LOC"
    (repo_copy / ag.PASSES / "Y" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    pair = ag.study(repo_copy, bootstrap=50)["pairs"][0]
    # X has 3 entities, Y has 2, one of which matches strictly: P=1/2, R=1/3, F1=0.4
    assert pair["entities"]["strict"]["f1"] == pytest.approx(0.4)
    assert pair["entities"]["exact"]["f1"] == pytest.approx(0.8)  # offsets only: 2 of 2 vs 2 of 3
    assert pair["ner"]["token_kappa"]["kappa"] < 1.0


def test_token_kappa_by_hand():
    # 4 tokens: A = [B-PERS, O, O, O], B = [B-PERS, O, B-ORG, O]; p_o = 3/4
    # p_e = P(B-PERS)^2 + P(O)_A * P(O)_B = (1/4 * 1/4) + (3/4 * 2/4) = 1/16 + 6/16 = 7/16
    # kappa = (3/4 - 7/16) / (1 - 7/16) = (5/16) / (9/16) = 5/9
    class P:
        def __init__(self, tags):
            self.articles = (tags,)

    orig = ag.iob2_tags
    try:
        ag.iob2_tags = lambda a: a
        k = ag.token_kappa(P(["B-PERS", "O", "O", "O"]), P(["B-PERS", "O", "B-ORG", "O"]))
    finally:
        ag.iob2_tags = orig
    assert k["observed"] == 0.75 and k["expected"] == pytest.approx(7 / 16) and k["kappa"] == pytest.approx(5 / 9)


def test_needs_two_passes(repo_copy):
    shutil.copy(REPO / "seeds" / "manifest.json", repo_copy / "seeds" / "manifest.json")
    (repo_copy / ag.PASSES / "X").mkdir(parents=True)
    shutil.copy(FIXTURES / "valid.json", repo_copy / ag.PASSES / "X" / f"{SEED_ID}.json")
    with pytest.raises(UserError, match="at least two passes"):
        ag.study(repo_copy)
    r = subprocess.run([sys.executable, "-m", "akhbar", "agreement", "--root", str(repo_copy), "X", "Z"], capture_output=True, text=True)
    assert r.returncode == 2 and "no pass named Z" in r.stderr and "Traceback" not in r.stderr
