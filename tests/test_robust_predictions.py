"""Fuzzing the scorer's readers: prediction JSONL (NER rows and documents) and CoNLL.

Any predictions file either scores or is rejected with one UserError line (the CLI
prints it and exits 2): never another exception, never a hang. Inputs are built
from real gold rows and then broken in random ways, so that hypothesis reaches the
deep checks (tag sequences, offsets, spans) and not only the JSON parser.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from akhbar.errors import UserError
from akhbar.eval import gold as gd
from akhbar.eval import predictions as pr
from akhbar.eval.predictions import article_prediction

from conftest import REPO, json_paths, no_hang

GOLD = str(REPO / "dataset")
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 10_000), st.text(max_size=12), st.lists(st.text(max_size=6), max_size=4),
                 st.dictionaries(st.text(max_size=6), st.integers(), max_size=3))


@pytest.fixture(scope="module")
def ner_gold():
    return gd.load_ner(GOLD, "test", with_tokens=True)


@pytest.fixture(scope="module")
def articles():
    return gd.load_documents(GOLD, "test")


def _mutate(obj, draw_path, value):
    """Replace (or delete, for value ...) the element at a path of keys/indices inside ``obj``."""
    cur = obj
    for key in draw_path[:-1]:
        cur = cur[key]
    if value is Ellipsis:
        if isinstance(cur, dict):
            cur.pop(draw_path[-1], None)
        elif cur:
            cur.pop(draw_path[-1] % len(cur))
    elif isinstance(cur, dict):
        cur[draw_path[-1]] = value
    elif cur:
        cur[draw_path[-1] % len(cur)] = value


def _paths(obj: Any) -> list[tuple]:
    """Paths inside ``obj`` (not ``obj`` itself), the first three items of each list."""
    return json_paths(obj, 3)[1:]


def _outcome(fn):
    with no_hang(20):
        try:
            fn()
        except UserError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg and "Traceback" not in msg
            event("rejected")
            return "rejected"
    event("accepted")
    return "accepted"


@SETTINGS
@given(data=st.data())
def test_ner_jsonl_parses_or_one_line(tmp_path_factory, ner_gold, data):
    rows = [{"id": i, "ner_tags": list(t)} for i, t in zip(ner_gold.ids, ner_gold.tags)]
    changes = data.draw(st.integers(0, 3))
    for _ in range(changes):
        row = data.draw(st.integers(0, len(rows) - 1))
        path = data.draw(st.sampled_from(list(_paths(rows[row]))))
        _mutate(rows[row], path, data.draw(st.one_of(JUNK, st.just(Ellipsis), st.sampled_from(["B-PERS", "I-XYZ", "E-ORG", "O", "b-per"]))))
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    broken = data.draw(st.booleans())
    if broken:
        k = data.draw(st.integers(0, len(lines) - 1))
        lines[k] = data.draw(st.sampled_from(["", "{", "[]", "null", lines[k][: len(lines[k]) // 2], "\ufeff" + lines[k]]))
    f = tmp_path_factory.mktemp("ner") / "pred.jsonl"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scheme = data.draw(st.sampled_from(["iob2", "iob1", "iobes", "bilou"]))
    tagset = data.draw(st.sampled_from(["wojood", "anercorp", "coarse"]))
    outcome = _outcome(lambda: pr.read_ner(str(f), ner_gold, "jsonl", scheme, tagset))
    if not changes and not broken and (scheme, tagset) == ("iob2", "wojood"):
        assert outcome == "accepted"  # the gold itself, as submitted: a reader that refused everything would fail here


@SETTINGS
@given(data=st.data())
def test_conll_parses_or_one_line(tmp_path_factory, ner_gold, data):
    blocks = [[f"{tok}\t{tag}" for tok, tag in zip(toks, tags)] for toks, tags in zip(ner_gold.tokens, ner_gold.tags)]
    changes = data.draw(st.integers(0, 3))
    for _ in range(changes):
        b = data.draw(st.integers(0, len(blocks) - 1))
        op = data.draw(st.sampled_from(["drop-line", "junk-line", "drop-block", "swap-tag", "no-tab", "extra-col"]))
        if op == "drop-block":
            blocks.pop(b)
            continue
        if not blocks[b]:
            continue
        k = data.draw(st.integers(0, len(blocks[b]) - 1))
        if op == "drop-line":
            blocks[b].pop(k)
        elif op == "junk-line":
            blocks[b][k] = data.draw(st.text(max_size=20)).replace("\n", " ")
        elif op == "swap-tag":
            blocks[b][k] = blocks[b][k].split("\t")[0] + "\t" + data.draw(st.sampled_from(["I-PERS", "X", "B-", "O O"]))
        elif op == "no-tab":
            blocks[b][k] = blocks[b][k].replace("\t", "")
        else:
            blocks[b][k] += "\tEXTRA"
    f = tmp_path_factory.mktemp("conll") / "pred.conll"
    f.write_text("\n\n".join("\n".join(b) for b in blocks) + "\n", encoding="utf-8")
    outcome = _outcome(lambda: pr.read_ner(str(f), ner_gold, "conll"))
    if not changes:
        assert outcome == "accepted"


@SETTINGS
@given(data=st.data())
def test_document_jsonl_parses_or_one_line(tmp_path_factory, articles, data):
    docs = [article_prediction(a) for a in articles]
    changes = data.draw(st.integers(0, 4))
    for _ in range(changes):
        path = data.draw(st.sampled_from(list(_paths(docs[0]))))
        _mutate(docs[0], path, data.draw(st.one_of(JUNK, st.just(Ellipsis))))
    f = tmp_path_factory.mktemp("docs") / "pred.jsonl"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    match = data.draw(st.sampled_from(["offsets", "text"]))
    tagset = data.draw(st.sampled_from(["wojood", "anercorp", "coarse"]))
    outcome = _outcome(lambda: pr.read_documents(str(f), articles, tagset, match))
    if not changes and tagset == "wojood":
        assert outcome == "accepted"


@pytest.mark.parametrize("content", [b"\xff\xfe not utf-8", b"", b"\n\n\n", b'{"id": "x", "ner_tags": ["O"]}\n', b"tok\tB-PERS\n\ntok2\n"])
def test_cli_rejects_hostile_predictions_in_one_line(tmp_path, content):
    f = tmp_path / "pred.txt"
    f.write_bytes(content)
    out = tmp_path / "report.json"
    r = subprocess.run([sys.executable, "-m", "akhbar", "eval", str(f), "--task", "ner", "--json", str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert not out.exists()
