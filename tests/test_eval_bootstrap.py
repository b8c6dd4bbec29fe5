"""Bootstrap and paired comparison on per-unit counts."""

from __future__ import annotations

import numpy as np
import pytest

from akhbar.eval import bootstrap as bs


def _ledger(n_docs: int, per_doc: int = 2, seed: int = 0) -> bs.Ledger:
    rng = np.random.default_rng(seed)
    n = n_docs * per_doc
    led = bs.Ledger([f"s{i}" for i in range(n)], np.repeat(np.arange(n_docs), per_doc), [f"d{i}" for i in range(n_docs)])
    gold = rng.integers(0, 4, n).astype(float)
    matched = np.minimum(gold, rng.integers(0, 4, n))
    led.set("m", matched, matched + rng.integers(0, 2, n), gold)
    return led


def test_documents_are_resampled_from_30_documents():
    small, large = _ledger(29), _ledger(30)
    assert small.unit == "sentence" and small.units("m").shape == (3, 58)
    assert large.unit == "document" and large.units("m").shape == (3, 30)
    # document counts are the sums of their sentences' counts
    assert np.array_equal(large.units("m")[:, 0], large.counts["m"][:, 0] + large.counts["m"][:, 1])
    assert large.units("m").sum(axis=1).tolist() == large.counts["m"].sum(axis=1).tolist()


def test_intervals_are_seeded_and_bracket_the_estimate():
    led = _ledger(40)
    a = bs.intervals(led, ["m"], 500, seed=3)
    assert a == bs.intervals(led, ["m"], 500, seed=3)
    assert a != bs.intervals(led, ["m"], 500, seed=4)
    lo, hi = a["m"]
    assert lo <= led.total("m").f1 <= hi and lo < hi
    assert bs.intervals(led, ["m"], 0, seed=3) == {"m": None}


def test_paired_bootstrap():
    a, b = _ledger(40, seed=1), _ledger(40, seed=1)
    same = bs.paired(a, b, ["m"], 300, seed=0)["m"]
    assert same["difference"] == 0.0 and same["p_value"] == 1.0
    worse = _ledger(40, seed=1)
    worse.counts["m"][0] = 0  # B matches nothing
    r = bs.paired(a, worse, ["m"], 300, seed=0)["m"]
    assert r["difference"] == pytest.approx(a.total("m").f1) and r["p_value"] == pytest.approx(1 / 301)
    assert r["ci"][0] > 0
