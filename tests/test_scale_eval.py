"""Smoke run of the eval benchmarks (the full run is `python -m benchmarks.eval_bench`, documented in docs/performance.md)."""

from __future__ import annotations

import importlib.util

from benchmarks import eval_bench

PROFILER = importlib.util.find_spec("pyinstrument") is not None


def test_eval_benchmark_smoke(tmp_path):
    """The whole eval benchmark on a small corpus, with the profile when pyinstrument (the [bench] extra, which CI installs) is there."""
    page = tmp_path / "perf.md"
    page.write_text("# x\n\n<!-- eval-bench:start -->\nPREVIOUS CONTENT\n<!-- eval-bench:end -->\n", encoding="utf-8")
    flags = [] if PROFILER else ["--no-profile"]
    assert eval_bench.main(["--tokens", "20000", "--mentions", "5000", "--workdir", str(tmp_path / "w"), "--page", str(page), *flags]) == 0
    text = page.read_text(encoding="utf-8")
    assert "PREVIOUS CONTENT" not in text and "Ratio: **" in text and "| entities |" in text and "| quotes |" in text
    assert ("Profile of the slowest span scorer" in text and "evaluate" in text) == PROFILER
    import re

    tokens = int(re.search(r"NER end to end\*\* on ([\d,]+) tokens", text).group(1).replace(",", ""))
    assert tokens >= 10000
