"""akhbar eval / compare / baseline end to end on a gold dataset built in tmp_path."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import datasets
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report
from seqeval.scheme import IOB2

from akhbar.cli import main
from akhbar.dataset.parallel import default_jobs
from akhbar.dataset.build import build
from akhbar.eval import gold as gd
from akhbar.eval import predictions as pr
from akhbar.eval.ner import _plain
from akhbar.eval.score import Options, evaluate
from akhbar.schema import validator

from conftest import FIXTURES, REPO, SEED_ID, only_strict_here


@pytest.fixture(scope="module")
def gold(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    shutil.copytree(REPO / "seeds", root / "seeds")
    (root / "annotations").mkdir()
    shutil.copy(FIXTURES / "valid.json", root / "annotations" / f"{SEED_ID}.json")
    build(root)
    return root / "dataset"


@pytest.fixture(scope="module")
def gold_files(gold, tmp_path_factory) -> dict[str, Path]:
    """Gold written as predictions, one file per task."""
    out = tmp_path_factory.mktemp("preds")
    ner = datasets.load_dataset(str(gold), "ner", split="test")
    names = ner.features["ner_tags"].feature.names
    files = {"ner": out / "ner.jsonl"}
    files["ner"].write_text("".join(json.dumps({"id": r["id"], "ner_tags": [names[t] for t in r["ner_tags"]]}) + "\n" for r in ner), encoding="utf-8")
    articles = gd.load_documents(str(gold), "test")
    for task in ("entities", "events", "quotes"):
        files[task] = out / f"{task}.jsonl"
        files[task].write_text("".join(json.dumps({"document_id": a.id, task: pr.article_prediction(a)[task]}, ensure_ascii=False) + "\n"
                                       for a in articles), encoding="utf-8")
    conll = out / "ner.conll"
    conll.write_text("\n".join("".join(f"{tok}\t{names[t]}\n" for tok, t in zip(r["tokens"], r["ner_tags"])) for r in ner), encoding="utf-8")
    files["conll"] = conll
    return files


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("task", ["ner", "entities", "events", "quotes", "conll"])
def test_gold_as_predictions_scores_one_everywhere(gold, gold_files, capsys, task):
    code, out, _ = run(capsys, "eval", str(gold_files[task]), "--gold", str(gold), "--json", "-", "--bootstrap", "50")
    assert code == 0
    report = json.loads(out)
    assert not list(validator("report").iter_errors(report))
    assert report["schema_version"] == "1.0" and report["benchmark_version"]
    for name, h in report["headline"].items():
        assert (h["precision"], h["recall"], h["f1"]) == (1.0, 1.0, 1.0), name
        assert h["ci"] == [1.0, 1.0], name
    body = report[report["task"]]
    if report["task"] == "ner":
        for mode in ("strict", "default"):
            assert body[mode]["micro avg"]["f1-score"] == 1.0
    if report["task"] == "entities":
        assert all(v["f1"] == 1.0 for v in body["schemas"].values())
        assert all(s["f1"] == 1.0 for t in body["per_type"].values() for s in t.values())
    if report["task"] == "events":
        assert body["realis"]["accuracy"] == 1.0


def test_text_matching_gold_without_offsets(gold, gold_files, tmp_path, capsys):
    lines = [json.loads(x) for x in gold_files["entities"].read_text(encoding="utf-8").splitlines()]
    for d in lines:
        d["entities"] = [{"type": e["type"], "text": e["text"]} for e in d["entities"]]
    f = tmp_path / "text.jsonl"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(f), "--gold", str(gold), "--match", "text", "--json", "-")
    report = json.loads(out)
    assert code == 0 and report["headline"]["entities.text"]["f1"] == 1.0
    assert report["bootstrap"]["unit"] == "document" and report["headline"]["entities.text"]["ci"] is None
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and "/entities/0: no offsets" in err


def _direct(y_true, y_pred):
    """The reference: two direct seqeval calls (their zero-division warnings are seqeval's business)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"strict": _plain(classification_report(y_true, y_pred, output_dict=True, mode="strict", scheme=IOB2)),
                "default": _plain(classification_report(y_true, y_pred, output_dict=True))}


TAGS = st.sampled_from(["O", "O", "O", "B-PERS", "I-PERS", "B-ORG", "I-ORG", "I-GPE", "B-GPE"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cli_ner_reports_equal_direct_seqeval(gold, tmp_path, data):
    g = gd.load_ner(str(gold), "test")
    preds = [data.draw(st.lists(TAGS, min_size=len(t), max_size=len(t))) for t in g.tags]
    f = tmp_path / "random.jsonl"
    f.write_text("".join(json.dumps({"id": i, "ner_tags": p}) + "\n" for i, p in zip(g.ids, preds)), encoding="utf-8")
    report = evaluate(str(f), Opt_ner(gold)).report
    assert report["ner"] == _direct(g.tags, preds)
    assert report["headline"]["ner.strict"]["f1"] == pytest.approx(report["ner"]["strict"]["micro avg"]["f1-score"] or 0.0)


def test_large_predictions_score_the_same_on_two_processes(gold, tmp_path, monkeypatch):
    """Above PARALLEL_NER_BYTES the default-mode report is computed in a second process: same report."""
    import random

    from akhbar.eval import score

    g = gd.load_ner(str(gold), "test")
    rng = random.Random(3)
    preds = [[rng.choice(["O", "B-PERS", "I-PERS", "I-GPE", "B-ORG"]) for _ in t] for t in g.tags]
    f = tmp_path / "random.jsonl"
    f.write_text("".join(json.dumps({"id": i, "ner_tags": p}) + "\n" for i, p in zip(g.ids, preds)), encoding="utf-8")
    if default_jobs() < 2:
        pytest.skip("one usable core: the second process is never started")
    expected = _direct(g.tags, preds)
    monkeypatch.setattr(score, "PARALLEL_NER_BYTES", 0)
    only_strict_here(monkeypatch)
    assert evaluate(str(f), Opt_ner(gold)).report["ner"] == expected


def Opt_ner(gold: Path) -> Options:
    return Options(task="ner", gold=str(gold), bootstrap=0)


def test_bootstrap_is_seeded_and_contains_the_estimate(gold, gold_files, tmp_path, capsys):
    g = gd.load_ner(str(gold), "test")
    # drop every second entity: a system with an F1 strictly between 0 and 1
    preds, seen = [], 0
    for tags in g.tags:
        row = []
        for t in tags:
            seen += t.startswith("B-")
            row.append(t if seen % 2 else "O")
        preds.append(row)
    f = tmp_path / "half.jsonl"
    f.write_text("".join(json.dumps({"id": i, "ner_tags": p}) + "\n" for i, p in zip(g.ids, preds)), encoding="utf-8")
    a = evaluate(str(f), Options(gold=str(gold), bootstrap=300, seed=7)).report
    b = evaluate(str(f), Options(gold=str(gold), bootstrap=300, seed=7)).report
    c = evaluate(str(f), Options(gold=str(gold), bootstrap=300, seed=8)).report
    h = a["headline"]["ner.strict"]
    assert 0 < h["f1"] < 1
    assert a["headline"] == b["headline"]
    assert h["ci"][0] <= h["f1"] <= h["ci"][1]
    assert a["bootstrap"]["unit"] == "sentence"  # one document: sentences are resampled
    assert c["headline"]["ner.strict"]["f1"] == h["f1"]


def test_outputs_are_deterministic_and_schema_valid(gold, gold_files, tmp_path, capsys):
    outs = []
    for k in range(2):
        j, m, e = tmp_path / f"r{k}.json", tmp_path / f"r{k}.md", tmp_path / f"e{k}.json"
        code, out, _ = run(capsys, "eval", str(gold_files["ner"]), "--gold", str(gold), "--json", str(j), "--markdown", str(m), "--errors", str(e))
        assert code == 0 and "ner.strict" in out
        outs.append((j.read_bytes(), m.read_bytes(), e.read_bytes()))
    assert outs[0] == outs[1]
    assert not list(validator("report").iter_errors(json.loads(outs[0][0])))
    assert b"| ner.strict |" in outs[0][1]


def test_errors_file_lists_fp_and_fn(gold, gold_files, tmp_path, capsys):
    lines = [json.loads(x) for x in gold_files["ner"].read_text().splitlines()]
    row = next(d for d in lines if any(t != "O" for t in d["ner_tags"]))
    k = next(i for i, t in enumerate(row["ner_tags"]) if t.startswith("B-"))
    gold_type = row["ner_tags"][k][2:]
    other = "ORG" if gold_type != "ORG" else "GPE"
    row["ner_tags"] = [("B-" if i == k else "I-") + other if t != "O" and i >= k and (i == k or t.startswith("I-")) and all(
        x.startswith("I-") for x in row["ner_tags"][k + 1:i + 1]) else t for i, t in enumerate(row["ner_tags"])]
    f, e = tmp_path / "p.jsonl", tmp_path / "errors.json"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    assert run(capsys, "eval", str(f), "--gold", str(gold), "--errors", str(e))[0] == 0
    errors = json.loads(e.read_text(encoding="utf-8"))
    kinds = {(x["kind"], x["type"], x["other_type"]) for x in errors["errors"]}
    assert ("FN", gold_type, other) in kinds and ("FP", other, gold_type) in kinds
    assert all(x["document_id"] == SEED_ID and x["sentence"] and x["text"] for x in errors["errors"])
    assert {"gold": gold_type, "predicted": other, "count": 1} in errors["confusion"]


def test_scheme_and_tagset_conversion(gold, gold_files, tmp_path, capsys):
    lines = [json.loads(x) for x in gold_files["ner"].read_text().splitlines()]
    rename = {"PERS": "PER", "GPE": "LOC", "ORG": "ORG"}

    def iobes(tags: list[str]) -> list[str]:
        out = []
        for i, t in enumerate(tags):
            if t == "O":
                out.append(t)
                continue
            cont = i + 1 < len(tags) and tags[i + 1] == "I-" + t[2:]
            prefix = {("B", True): "B", ("B", False): "S", ("I", True): "I", ("I", False): "E"}[(t[0], cont)]
            out.append(f"{prefix}-{rename[t[2:]]}")
        return out

    for d in lines:
        d["ner_tags"] = iobes(d["ner_tags"])
    assert any("E-PER" in d["ner_tags"] for d in lines) and any("S-LOC" in d["ner_tags"] for d in lines)
    f = tmp_path / "iobes.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(f), "--gold", str(gold), "--scheme", "iobes", "--tagset", "coarse", "--json", "-")
    report = json.loads(out)
    assert code == 0 and report["headline"]["ner.strict"]["f1"] == 1.0
    assert sorted(k for k in report["ner"]["strict"] if not k.endswith("avg")) == ["LOC", "ORG", "PER"]
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and "illegal tag 'S-" in err and "--scheme iobes" in err


def test_compare_reports_difference_and_p_value(gold, gold_files, tmp_path, capsys):
    empty = tmp_path / "empty.jsonl"
    g = gd.load_ner(str(gold), "test")
    empty.write_text("".join(json.dumps({"id": i, "ner_tags": ["O"] * len(t)}) + "\n" for i, t in zip(g.ids, g.tags)), encoding="utf-8")
    code, out, _ = run(capsys, "compare", str(gold_files["ner"]), str(empty), "--gold", str(gold), "--json", "-", "--bootstrap", "200")
    result = json.loads(out)
    assert code == 0 and not list(validator("report").iter_errors(result))
    c = result["comparison"]["ner.strict"]
    assert c["difference"] == 1.0 and 0 < c["p_value"] < 0.05


@pytest.mark.parametrize("name", ["ner", "entities", "events", "quotes"])
def test_baselines_write_valid_predictions(gold, tmp_path, capsys, name):
    f = tmp_path / f"{name}.jsonl"
    assert run(capsys, "baseline", name, "--gold", str(gold), "-o", str(f))[0] == 0
    code, out, err = run(capsys, "eval", str(f), "--gold", str(gold), "--task", name, "--json", "-", "--bootstrap", "0")
    assert code == 0, err
    assert json.loads(out)["task"] == name


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    out = capsys.readouterr().out
    for opt in ("--task", "--gold", "--split", "--format", "--scheme", "--tagset", "--match", "--clitics", "--bootstrap",
                "--seed", "--json", "--markdown", "--errors", "--allow-missing"):
        assert opt in out, opt


# --- bad input: one line, exit 2, no output file --------------------------------------


def _ner_lines(gold_files) -> list[dict]:
    return [json.loads(x) for x in gold_files["ner"].read_text(encoding="utf-8").splitlines()]


def _doc_lines(gold_files, task) -> list[dict]:
    return [json.loads(x) for x in gold_files[task].read_text(encoding="utf-8").splitlines()]


def _first_entity_row(lines):
    return next(d for d in lines if any(t != "O" for t in d["ner_tags"]))


def bad_ner_malformed(lines):
    return [json.dumps(d) for d in lines[:2]] + ['{"id": "x", "ner_tags": [']


def bad_ner_unknown_id(lines):
    lines[1]["id"] = "no-such-row"
    return lines


def bad_ner_missing_id(lines):
    return lines[:-1]


def bad_ner_length(lines):
    lines[3]["ner_tags"] = lines[3]["ner_tags"] + ["O"]
    return lines


def bad_ner_illegal_tag(lines):
    lines[2]["ner_tags"][0] = "B_PERS"
    return lines


def bad_ner_unknown_type(lines):
    lines[2]["ner_tags"][0] = "B-ANIMAL"
    return lines


NER_CASES = [
    (bad_ner_malformed, "line 3: malformed JSON"),
    (bad_ner_unknown_id, "line 2: id 'no-such-row': unknown id"),
    (bad_ner_missing_id, "missing prediction (1 of 30 rows missing)"),
    (bad_ner_length, "line 4: id '%s-s3': " % SEED_ID),
    (bad_ner_illegal_tag, "line 3: id '%s-s2': token 0: illegal tag 'B_PERS'" % SEED_ID),
    (bad_ner_unknown_type, "token 0: unknown type 'ANIMAL'"),
]


@pytest.mark.parametrize("make,message", NER_CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_bad_ner_input(gold, gold_files, tmp_path, capsys, make, message):
    lines = make(_ner_lines(gold_files))
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out_json, out_md = tmp_path / "report.json", tmp_path / "report.md"
    code, out, err = run(capsys, "eval", str(f), "--gold", str(gold), "--json", str(out_json), "--markdown", str(out_md))
    assert code == 2
    assert message in err and str(f) in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out_json.exists() and not out_md.exists() and out == ""


def test_length_mismatch_message(gold, gold_files, tmp_path, capsys):
    lines = bad_ner_length(_ner_lines(gold_files))
    f = tmp_path / "bad.jsonl"
    f.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    _, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    n = len(lines[3]["ner_tags"])
    assert f"{n} tags for {n - 1} tokens" in err


def test_allow_missing_scores_missing_rows_as_empty(gold, gold_files, tmp_path, capsys):
    lines = _ner_lines(gold_files)
    keep = [d for d in lines if all(t == "O" for t in d["ner_tags"])] + [_first_entity_row(lines)]
    f = tmp_path / "partial.jsonl"
    f.write_text("".join(json.dumps(d) + "\n" for d in keep), encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(f), "--gold", str(gold), "--allow-missing", "--json", "-")
    report = json.loads(out)
    assert code == 0 and report["predictions"]["missing"] == len(lines) - len(keep)
    assert report["headline"]["ner.strict"]["precision"] == 1.0 and report["headline"]["ner.strict"]["recall"] < 1.0


def _doc_bad(field: str, value):
    def make(lines):
        d = lines[0]
        item = d["entities"][0]
        item[field] = value
        return lines
    make.__name__ = f"entity_{field}"
    return make


DOC_CASES = [
    (_doc_bad("end", 10 ** 6), "/entities/0: offsets"),
    (_doc_bad("text", "نص آخر"), "/entities/0/text: 'نص آخر' does not match the text"),
    (_doc_bad("type", "ANIMAL"), "/entities/0/type: unknown entity type 'ANIMAL'"),
    (lambda lines: [dict(lines[0], document_id="nope")], "document 'nope': unknown document id"),
    (lambda lines: [dict(lines[0], entities=[{"type": "PERS"}])], "/entities/0: 'text' is a required property"),
]


@pytest.mark.parametrize("make,message", DOC_CASES)
def test_bad_document_input(gold, gold_files, tmp_path, capsys, make, message):
    lines = make(_doc_lines(gold_files, "entities"))
    f = tmp_path / "bad.jsonl"
    f.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines), encoding="utf-8")
    out_json = tmp_path / "r.json"
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold), "--json", str(out_json))
    assert code == 2 and message in err and "line 1" in err and str(f) in err
    assert len(err.strip().splitlines()) == 1 and not out_json.exists()


def test_bad_event_and_quote_input(gold, gold_files, tmp_path, capsys):
    lines = _doc_lines(gold_files, "events")
    lines[0]["events"][0]["type"] = "Conflict:Explode"
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and "/events/0/type: unknown event type 'Conflict:Explode'" in err
    lines = _doc_lines(gold_files, "quotes")
    lines[0]["quotes"][0]["content"][0]["start"] += 1
    f.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and "/quotes/0/content/0/text" in err


def test_conll_token_mismatch(gold, gold_files, tmp_path, capsys):
    text = gold_files["conll"].read_text(encoding="utf-8").split("\n")
    text[0] = "WRONG\tO"
    f = tmp_path / "bad.conll"
    f.write_text("\n".join(text), encoding="utf-8")
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and "line 1" in err and "differs from the gold token" in err


def test_no_traceback_from_the_installed_command(gold, tmp_path):
    f = tmp_path / "bad.jsonl"
    f.write_text("{not json\n", encoding="utf-8")
    p = subprocess.run([sys.executable, "-m", "akhbar", "eval", str(f), "--gold", str(gold)], capture_output=True, text=True)
    assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr


def test_duplicate_ids_are_refused(gold, gold_files, tmp_path, capsys):
    lines = gold_files["ner"].read_text(encoding="utf-8").splitlines()
    f = tmp_path / "dup.jsonl"
    f.write_text("\n".join(lines + [lines[0]]) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold))
    assert code == 2 and f"line {len(lines) + 1}" in err and "duplicate id (first on line 1)" in err


def test_entity_errors_file(gold, gold_files, tmp_path, capsys):
    lines = _doc_lines(gold_files, "entities")
    ents = lines[0]["entities"]
    dropped, retyped = ents[0], dict(ents[1], type="LOC" if ents[1]["type"] != "LOC" else "GPE")
    lines[0]["entities"] = [retyped] + ents[2:]
    f, e = tmp_path / "p.jsonl", tmp_path / "errors.json"
    f.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "eval", str(f), "--gold", str(gold), "--errors", str(e), "--json", "-")
    report = json.loads(out)
    n = len(ents)
    assert code == 0 and report["entities"]["schemas"]["strict"]["matched"] == n - 2
    assert report["entities"]["schemas"]["exact"]["matched"] == n - 1
    got = {(x["kind"], x["text"], x["type"], x["other_type"]) for x in json.loads(e.read_text(encoding="utf-8"))["errors"]}
    assert got == {("FN", dropped["text"], dropped["type"], None), ("FN", ents[1]["text"], ents[1]["type"], retyped["type"]),
                   ("FP", retyped["text"], retyped["type"], ents[1]["type"])}


def test_results_script_regenerates_every_baseline(gold, tmp_path):
    from akhbar.eval import results

    assert results.main(["--gold", str(gold), "--out", str(tmp_path)]) == 0
    for name in ("ner", "entities", "events", "quotes"):
        report = json.loads((tmp_path / f"baseline-{name}.json").read_text(encoding="utf-8"))
        assert report["task"] == name and not list(validator("report").iter_errors(report))


def test_missing_document(gold, tmp_path, capsys):
    f = tmp_path / "empty.jsonl"
    f.write_text("", encoding="utf-8")
    out_json = tmp_path / "r.json"
    code, _, err = run(capsys, "eval", str(f), "--gold", str(gold), "--task", "events", "--json", str(out_json))
    assert code == 2 and f"document '{SEED_ID}': missing prediction (1 of 1 articles missing)" in err and not out_json.exists()
    code, out, _ = run(capsys, "eval", str(f), "--gold", str(gold), "--task", "events", "--allow-missing", "--json", "-")
    report = json.loads(out)
    assert code == 0 and report["predictions"]["missing"] == 1 and report["headline"]["events.tri_c"]["recall"] == 0.0
