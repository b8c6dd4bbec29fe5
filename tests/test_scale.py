"""Scale: the synthetic corpus, the parallel build, and the benchmark runner's smoke run (what CI runs)."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from akhbar.dataset.build import CHUNK, CONFIGS, _Rows, build, build_chunk, encode, features, iob2_tags, rows
from akhbar.dataset.validate import assemble, sentence_finder, validate_paths

from benchmarks import run as bench
from benchmarks.synth import generate
from conftest import file_hashes


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> Path:
    """120 synthetic articles: three chunks, so --jobs 2 really runs two workers."""
    assert 120 > 2 * CHUNK
    return generate(tmp_path_factory.mktemp("scale") / "repo", 120, seed=3, jobs=2)


def test_synthetic_corpus_is_deterministic(synthetic, tmp_path):
    again = generate(tmp_path / "again", 120, seed=3, jobs=1)
    for folder in ("seeds", "annotations"):
        assert file_hashes(synthetic / folder) == file_hashes(again / folder)


def test_synthetic_corpus_is_valid_with_every_layer(synthetic):
    incidents, articles, _ = validate_paths(synthetic, [])
    assert incidents == [], [str(i) for i in incidents[:5]]
    assert len(articles) == 120
    entities = [e for a in articles for e in a.layers.entities]
    assert {e.type for e in entities} >= {"PERS", "ORG", "GPE", "DATE"}
    assert any(a.layers.clusters for a in articles)
    assert any(x.start < y.start and y.end <= x.end for a in articles for x in a.layers.entities for y in a.layers.entities)  # nesting
    assert any(a.text[e.start - 1] in "وبلف" for a in articles for e in a.layers.entities)  # after an attached proclitic
    assert sum(len(a.layers.events) for a in articles) > 50 and sum(len(a.layers.quotes) for a in articles) > 30
    assert {len(q.content) for a in articles for q in a.layers.quotes} == {1, 2}
    assert all(a.published and a.dateline for a in articles)


def test_parallel_build_is_byte_identical(synthetic, tmp_path):
    one = build(synthetic, tmp_path / "one", jobs=1)
    two = build(synthetic, tmp_path / "two", jobs=2)
    assert one == two
    assert file_hashes(tmp_path / "one") == file_hashes(tmp_path / "two")
    assert {c for c, _ in one.counts} == set(CONFIGS)
    assert {s for _, s in one.counts} == {"train", "validation", "test"}


def test_token_columns_equal_the_encoded_rows(synthetic):
    """The Arrow fast path gives what features.encode_example + from_pylist give."""
    entries = sorted(json.loads((synthetic / "seeds" / "manifest.json").read_text(encoding="utf-8"))["articles"], key=lambda e: e["id"])[:10]
    schemas = {c: features(c).arrow_schema for c in CONFIGS}
    for entry in entries:
        article, problems = assemble(synthetic, entry)
        assert not problems
        full = {c: [] for c in CONFIGS}
        for config, row in rows(article):
            assert encode(config, row) == features(config).encode_example(row)
            full[config].append(encode(config, row))
        fast = {c: _Rows(c) for c in CONFIGS}
        labels = features("ner")["ner_tags"].feature
        tags = [labels.str2int(t) for t in iob2_tags(article)]
        sentences = iter(article.sentences)
        for config, row in rows(article, tokens=False):
            fast[config].add(row, article, tags, next(sentences) if config == "ner" else None)
        for c in CONFIGS:
            assert fast[c].batch(schemas[c]).equals(pa.RecordBatch.from_pylist(full[c], schema=schemas[c])), c


def test_sentence_finder_equals_the_linear_scan(synthetic):
    entry = json.loads((synthetic / "seeds" / "manifest.json").read_text(encoding="utf-8"))["articles"][0]
    article, _ = assemble(synthetic, entry)
    find = sentence_finder(article)
    n = len(article.text)
    for start in range(0, n, 7):
        for width in (1, 5, 40, 400):
            assert find(start, min(n, start + width)) == article.sentence_of(start, min(n, start + width))


def test_the_same_function_runs_on_datasets_map(synthetic, tmp_path):
    """docs/performance.md: the per-article work as a `datasets.Dataset.map(num_proc=...)` step."""
    build(synthetic, tmp_path / "ref", jobs=1)
    entries = json.loads((synthetic / "seeds" / "manifest.json").read_text(encoding="utf-8"))["articles"]
    test = sorted(((i, e) for i, e in enumerate(entries) if e["split"] == "test"), key=lambda x: x[1]["id"])
    schemas = {c: features(c).arrow_schema for c in CONFIGS}

    def ner_rows(batch):
        items = [(i, json.loads(e)) for i, e in zip(batch["index"], batch["entry"])]
        return build_chunk((str(synthetic), items, schemas)).batches[("ner", "test")].to_pydict()

    table = datasets.Dataset.from_dict({"index": [i for i, _ in test], "entry": [json.dumps(e) for _, e in test]})
    ner = table.map(ner_rows, batched=True, batch_size=20, num_proc=2, remove_columns=["index", "entry"], features=features("ner"))
    assert ner.data.table.equals(pq.read_table(tmp_path / "ref" / "data" / "ner" / "test.parquet", schema=schemas["ner"]))


def test_benchmark_smoke_run_writes_its_table(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(f"# Performance\n\n{bench.START}\nOLD-CONTENT\n{bench.END}\n\nkept\n", encoding="utf-8")
    assert bench.main(["--smoke", "--jobs", "2", "--page", str(page), "--workdir", str(tmp_path / "work")]) == 0
    text = page.read_text(encoding="utf-8")
    assert "OLD-CONTENT" not in text and text.endswith("kept\n")
    assert "| 200 | akhbar build | 2 |" in text and "| 200 | akhbar build | 1 |" in text
    assert "Same files for `--jobs 1` and more jobs: 200 articles: yes" in text
    for config in CONFIGS:
        assert f"| {config} |" in text
    assert "Generated by `python -m benchmarks.run --smoke --jobs 2 --page" in text  # the command as run
