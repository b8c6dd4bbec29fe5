"""Fuzzing every reader: annotation files, article records, the manifest and seed text.

Any input either parses or is rejected with incidents / one :class:`UserError` line:
never another exception, never a hang. The bulk runs in-process with hypothesis;
a sample runs the CLI in a subprocess and checks what the user sees.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from akhbar import schema
from akhbar.dataset import manifest as mf
from akhbar.dataset.convert import convert
from akhbar.dataset.validate import is_schema_valid, validate_paths
from akhbar.errors import UserError
from akhbar.fsio import load_json

from conftest import FIXTURES, REPO, SEED_ID, json_paths, no_hang

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
LINE = re.compile(r"^(?:.+: (?:/\S*|byte \d+|line \d+): \[[a-z0-9-]+\] .+|\*\*\* FAILED \*\*\* with \d+ error\(s\)|akhbar \w+: .+)$")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-repo")
    shutil.copytree(REPO / "seeds", root / "seeds")
    (root / "annotations").mkdir()
    return root


VALID_ANNOTATION = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
MANIFEST = json.loads((REPO / "seeds" / "manifest.json").read_text(encoding="utf-8"))


def _record() -> dict[str, Any]:
    text = (REPO / "seeds" / f"{SEED_ID}.txt").read_text(encoding="utf-8")
    doc = convert(text, SEED_ID, f"seeds/{SEED_ID}.txt").to_dict()
    doc.update({k: VALID_ANNOTATION[k] for k in ("clusters", "entities", "events", "quotes")})
    return doc


RECORD = _record()

scalars = st.none() | st.booleans() | st.integers(-10, 10**6) | st.integers() | st.floats() | st.text(max_size=12)
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3), max_leaves=8)


def _at(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def mutated(draw, base: dict[str, Any]) -> Any:
    """``base`` with one to three random edits: replace a value, delete a key or item, nudge an offset, retype."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["replace", "delete", "nudge", "retype", "duplicate"]))
        paths = json_paths(doc)
        if op == "nudge":  # an offset or another number: what the semantic checks (span-text, ranges) look at
            paths = [q for q in paths if isinstance(_at(doc, q), int) and not isinstance(_at(doc, q), bool)] or paths
        elif op == "duplicate":  # an item of a list: a repeated id or span
            paths = [q for q in paths if q and isinstance(_at(doc, q[:-1]), list)] or paths
        path = draw(st.sampled_from(paths))
        if not path:
            return draw(json_values)
        parent = _at(doc, path[:-1])
        key = path[-1]
        if op == "replace":
            parent[key] = draw(json_values)
        elif op == "delete":
            del parent[key]
        elif op == "nudge" and isinstance(parent[key], int) and not isinstance(parent[key], bool):
            parent[key] += draw(st.integers(-3, 3))
        elif op == "retype":
            parent[key] = str(parent[key]) if not isinstance(parent[key], str) else [parent[key]]
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


def _dump(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, allow_nan=True).encode("utf-8")


def _validate(root: Path, paths: list[Path]) -> None:
    """validate_paths must return (incidents, articles, n) or raise UserError; every incident is one line."""
    with no_hang():
        try:
            incidents, _, _ = validate_paths(root, paths)
        except UserError as exc:
            assert "\n" not in str(exc)
            return
    event("incidents: " + (",".join(sorted({i.code for i in incidents})) or "none"))  # --hypothesis-show-statistics
    for i in incidents:
        assert "\n" not in str(i), str(i)
        assert LINE.match(str(i)), str(i)


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), mutated(VALID_ANNOTATION).map(_dump)))
def test_annotation_files(repo, data):
    (repo / "seeds" / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    path = repo / "annotations" / f"{SEED_ID}.json"
    path.write_bytes(data)
    _validate(repo, [])


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), mutated(RECORD).map(_dump)))
def test_article_records(repo, data, tmp_path_factory):
    (repo / "seeds" / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    path = repo / "record.json"
    path.write_bytes(data)
    _validate(repo, [path])


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), mutated(MANIFEST).map(_dump)))
def test_manifest(repo, data):
    path = repo / "seeds" / "manifest.json"
    for f in (repo / "annotations").glob("*"):
        f.unlink()
    path.write_bytes(data)
    _validate(repo, [])
    with no_hang():
        try:
            mf.update(repo)
        except UserError as exc:
            assert "\n" not in str(exc)
            assert path.read_bytes() == data  # a refused update writes nothing


HAZARDS = "\ufeff\r\n\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202e\u2066\u2069\u00ad\u0640\u0654\u0301\t .؟?!،“”«»\"-٫٬٣0"
# any text a UTF-8 file can hold (no lone surrogates: strict decoding never yields them)
seed_text = st.text(alphabet=st.sampled_from(list(HAZARDS) + list("ابتثدولمنهيأإآةى")) | st.characters(codec="utf-8"), max_size=400)


@settings(max_examples=400, deadline=None)
@given(text=seed_text)
def test_seed_text_converts_with_exact_offsets(text):
    with no_hang():
        a = convert(text, "x", "seeds/x.txt")
    assert a.text == text
    for items in (a.segments, a.sentences, a.tokens):
        for x in items:
            assert x.start < x.end and text[x.start:x.end] == x.text
    for s in a.sentences:
        seg = a.segments[s.segment]
        assert seg.start <= s.start and s.end <= seg.end
        toks = a.tokens[s.token_start:s.token_end]
        assert all(s.start <= t.start and t.end <= s.end for t in toks)
    assert all(b.start >= t.end for t, b in zip(a.tokens, a.tokens[1:]))


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_seed_bytes_read_or_refused_in_one_line(tmp_path_factory, data):
    from akhbar.fsio import read_text

    path = tmp_path_factory.mktemp("seed") / "s.txt"
    path.write_bytes(data)
    try:
        text = read_text(path)
    except UserError as exc:
        assert "\n" not in str(exc) and "not valid UTF-8" in str(exc)
        return
    convert(text, "s", "seeds/s.txt")


@pytest.mark.parametrize("text, why", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"x": ' + "1" * 5000 + "}", "integer"),
])
def test_json_that_python_cannot_read_is_one_line(tmp_path, text, why):
    p = tmp_path / "a.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_json(p)
    assert "\n" not in str(exc.value) and str(p) in str(exc.value) and why in str(exc.value)


# --- the fast schema validator (jsonschema-rs) agrees with the reference (jsonschema) --------


@pytest.mark.parametrize("name, base", [("annotation", VALID_ANNOTATION), ("article", RECORD), ("manifest", MANIFEST)])
def test_fast_validator_agrees_with_jsonschema(name, base):
    reference = schema.validator(name)

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(doc=mutated(base))
    def check(doc):
        assert is_schema_valid(name, doc) == reference.is_valid(doc)

    check()


@pytest.mark.parametrize("date", ["2017-11-05", "2017-02-30", "20171105", "2017-1-5", "2017-11-05T00:00", "١٢٣٤-١١-٠٥", ""])
def test_fast_validator_agrees_on_dates(date):
    doc = copy.deepcopy(MANIFEST)
    doc["articles"][0]["published"] = date
    assert is_schema_valid("manifest", doc) == schema.validator("manifest").is_valid(doc)


# --- what the user sees: the CLI in a subprocess, for a sample ---------------------------------


CLI_SAMPLES = {
    "binary": b"\x00\xff\xfe garbage \x80",
    "utf16": json.dumps(VALID_ANNOTATION).encode("utf-16"),
    "bom": b"\xef\xbb\xbf" + _dump(VALID_ANNOTATION),
    "deep": b"[" * 50_000 + b"]" * 50_000,
    "huge-int": b'{"id": "x", "start": ' + b"9" * 5000 + b"}",
    "nan": _dump({**VALID_ANNOTATION, "entities": [{**VALID_ANNOTATION["entities"][0], "start": float("nan")}]}),
    "list": b"[1, 2, 3]",
    "empty": b"",
    "wrong-types": _dump({**VALID_ANNOTATION, "entities": "T1", "events": [None], "quotes": [{"id": 3}]}),
    "record-nonsense": _dump({**RECORD, "sentences": [{**RECORD["sentences"][0], "token_end": 10**9, "segment": 999}]}),
}


@pytest.mark.parametrize("name", sorted(CLI_SAMPLES))
def test_cli_validate_sample(repo, tmp_path, name):
    (repo / "seeds" / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    path = tmp_path / f"{SEED_ID}.json"
    path.write_bytes(CLI_SAMPLES[name])
    r = subprocess.run([sys.executable, "-m", "akhbar", "validate", "--root", str(repo), str(path)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode in (0, 1, 2) and "Traceback" not in r.stderr, r.stderr
    assert r.returncode != 0
    for line in r.stderr.strip().splitlines():
        assert LINE.match(line), line


def test_cli_convert_and_build_on_garbage(repo, tmp_path):
    seed = tmp_path / "garbage.txt"
    seed.write_bytes(bytes(range(256)))
    r = subprocess.run([sys.executable, "-m", "akhbar", "convert", str(seed)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    (repo / "seeds" / "manifest.json").write_bytes(b"{not json")
    r = subprocess.run([sys.executable, "-m", "akhbar", "build", "--root", str(repo), "-o", str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert all(LINE.match(line) for line in r.stderr.strip().splitlines()), r.stderr
    assert not (tmp_path / "out" / "data").exists()
