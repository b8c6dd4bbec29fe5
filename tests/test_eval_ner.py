"""NER scoring units: the worked example of docs/metrics.md, scheme tables, tagset maps, the vectorised chunker."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

from akhbar.eval import ner
from akhbar.eval import tags as tg

from conftest import FIXTURES, REPO, only_strict_here


def test_docs_worked_example():
    r = ner.score(["r1"], ["d1"], [["B-PERS", "I-PERS", "O", "B-ORG"]], [["I-PERS", "I-PERS", "O", "B-ORG"]], "wojood")
    strict, default = r.ledger.total("ner.strict"), r.ledger.total("ner.default")
    assert (strict.matched, strict.predicted, strict.gold) == (1, 1, 2) and round(strict.f1, 3) == 0.667
    assert default.f1 == 1.0
    assert r.reports["strict"]["micro avg"]["f1-score"] == pytest.approx(2 / 3)


SEQ = st.lists(st.lists(st.sampled_from(["O", "O", "B-PERS", "I-PERS", "B-ORG", "I-ORG", "I-GPE"]), min_size=0, max_size=9),
               min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(SEQ)
def test_vectorised_chunks_equal_seqeval_entities(seqs):
    vocab = ner.Vocabulary("wojood")
    lengths = np.array([len(s) for s in seqs])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    ids = vocab.encode(seqs)
    starts = offsets[:-1][lengths > 0]

    def as_set(c: ner.Chunks) -> set:
        row = np.searchsorted(offsets, c.start, side="right") - 1
        return {(int(r), vocab.types[t], int(s - offsets[r]), int(e - offsets[r])) for r, s, e, t in zip(row, c.start, c.end, c.type)}

    strict = {(e.sent_id, e.tag, e.start, e.end) for sent in Entities(seqs, IOB2).entities for e in sent}
    assert as_set(ner.chunks(ids, starts, vocab, strict=True)) == strict
    default = set()
    for k, s in enumerate(seqs):
        default |= {(k, t, a, b + 1) for t, a, b in get_entities(s)}
    assert as_set(ner.chunks(ids, starts, vocab, strict=False)) == default


def _random_sequences(n: int, seed: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = np.random.default_rng(seed)
    labels = ner.Vocabulary("wojood").labels
    lengths = rng.integers(0, 30, n)
    draw = lambda: [[labels[i] if rng.random() < 0.3 else "O" for i in rng.integers(0, len(labels), k)] for k in lengths]  # noqa: E731
    return draw(), draw()


def test_reports_from_the_second_process_equal_seqeval_here(monkeypatch):
    gold, pred = _random_sequences(400, 7)
    expected = ner.seqeval_reports(gold, pred)
    assert expected["strict"] != expected["default"]  # ill-formed sequences: the two modes differ here
    only_strict_here(monkeypatch)
    with ner.SecondCore(True) as helper:
        if helper.pool is None:
            pytest.skip("one usable core: the second process is never started")
        r = ner.score([f"r{k}" for k in range(len(gold))], ["d"] * len(gold), gold, pred, "wojood", helper)
    assert r.reports == expected


def test_a_broken_second_process_falls_back_to_this_one():
    gold, pred = _random_sequences(50, 8)
    helper = ner.SecondCore(False)
    helper.pool = _Broken()
    r = ner.score([f"r{k}" for k in range(len(gold))], ["d"] * len(gold), gold, pred, "wojood", helper)
    assert r.reports == ner.seqeval_reports(gold, pred)


class _Broken:
    def submit(self, *args, **kwargs):
        from concurrent.futures import Future

        f: Future = Future()
        f.set_exception(RuntimeError("worker died"))
        return f


@pytest.mark.parametrize("scheme,tags,iob2", [
    ("iobes", ["B-PER", "E-PER", "S-LOC", "O"], ["B-PERS", "I-PERS", "B-LOC", "O"]),
    ("bilou", ["B-ORG", "I-ORG", "L-ORG", "U-ORG"], ["B-ORG", "I-ORG", "I-ORG", "B-ORG"]),
    ("iob1", ["I-PERS", "I-PERS", "B-PERS", "O", "I-ORG", "I-GPE"], ["B-PERS", "I-PERS", "B-PERS", "O", "B-ORG", "B-GPE"]),
    ("iob2", ["I-PERS", "B-ORG"], ["I-PERS", "B-ORG"]),  # IOB2 is never repaired
])
def test_scheme_tables(scheme, tags, iob2):
    assert tg.to_iob2(tags, scheme, tg.tag_map("wojood", scheme)) == iob2


def test_iob1_context_uses_submitted_types_before_mapping():
    # GPE then LOC are two entities in IOB1 even though both map to LOC in anercorp
    assert tg.to_iob2(["I-GPE", "I-LOC"], "iob1", tg.tag_map("anercorp", "iob1")) == ["B-LOC", "B-LOC"]


def test_tagset_maps_follow_the_schema():
    info = json.loads((REPO / "schema" / "article.schema.json").read_text(encoding="utf-8"))["$defs"]["entityType"]["x-akhbar-types"]
    for t, v in info.items():
        assert tg.map_type(t, "anercorp") == (None if v["anercorp"] == "O" else v["anercorp"])
        assert tg.map_type(t, "coarse") == (None if v["coarse"] == "O" else v["coarse"])
    assert tg.map_type("PER", "wojood") == "PERS" and tg.map_type("PERS", "coarse") == "PER" and tg.map_type("PER", "anercorp") == "PERS"
    assert tg.tag_map("coarse", "iob2")["B-DATE"] == "O"
    with pytest.raises(KeyError):
        tg.map_type("MISC", "wojood")


def test_docs_show_the_scenario_table():
    table = json.loads((FIXTURES / "eval" / "scenarios.json").read_text(encoding="utf-8"))
    text = table["text"]

    def cell(x):
        return "—" if x is None else f"{x[0]} `{text[x[1]:x[2]]}`"

    rows = ["| scenario | gold | predicted | strict | exact | partial | type |", "|---|---|---|---|---|---|---|"]
    for s in table["scenarios"]:
        rows.append(f"| {s['name']} | {cell(s['gold'])} | {cell(s['pred'])} | "
                    + " | ".join(s["outcome"][k] for k in ("strict", "exact", "partial", "type")) + " |")
    assert "\n".join(rows) in (REPO / "docs" / "metrics.md").read_text(encoding="utf-8")
