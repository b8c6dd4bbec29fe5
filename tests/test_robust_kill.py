"""No data loss: `akhbar build` killed with SIGKILL at any point leaves a whole dataset/ behind.

Before the commit marker is written the previous dataset/ is untouched; after it,
the next build (or :func:`akhbar.fsio.recover_staged`) rolls the commit forward.
Nothing but `akhbar manifest` writes inside seeds/ or annotations/.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from akhbar import fsio
from akhbar.dataset import build as build_module
from akhbar.dataset.build import build

from benchmarks.synth import generate


def _digest(folder: Path) -> str:
    """The dataset as users see it: data/, the card and the Croissant file (not the staging folder)."""
    h = hashlib.sha256()
    for p in sorted([*folder.glob("data/**/*"), folder / "README.md", folder / "croissant.json"]):
        if p.is_file():
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def _tree(folder: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(folder).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _two_versions(root: Path) -> dict:
    """Two versions of one annotation file of ``root`` (A and B), both builds' digests; A is built."""
    ann = root / "annotations" / "syn_0000000.json"
    a = ann.read_text(encoding="utf-8")
    doc = json.loads(a)
    doc["quotes"] = []
    b = json.dumps(doc, ensure_ascii=False)
    digests = {}
    for name, text in (("B", b), ("A", a)):
        ann.write_text(text, encoding="utf-8")
        build(root, jobs=1)
        digests[name] = _digest(root / "dataset")
    assert digests["A"] != digests["B"]
    return {"root": root, "ann": ann, "A": a, "B": b, "digest": digests}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict:
    """A 300-article repository: a build long enough to be killed at chosen moments."""
    return _two_versions(generate(tmp_path_factory.mktemp("kill") / "repo", 300, seed=7, jobs=1))


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> dict:
    """A 10-article repository, for the crash points of the commit."""
    return _two_versions(generate(tmp_path_factory.mktemp("crash") / "repo", 10, seed=7, jobs=1))


def _command(root: Path) -> list[str]:
    return [sys.executable, "-m", "akhbar", "build", "--root", str(root), "--jobs", "2"]


def test_sigkill_at_random_points(corpus):
    root, ann, digest = corpus["root"], corpus["ann"], corpus["digest"]
    out = root / "dataset"
    ann.write_text(corpus["B"], encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(_command(root) + ["-o", str(root / "timing-run")], check=True, capture_output=True)
    full = time.perf_counter() - start
    rng = random.Random(5)
    outcomes = []
    for fraction in (0.05, 0.25, 0.5, 0.7, 0.85, 0.95, 1.05):
        assert _digest(out) == digest["A"]
        ann.write_text(corpus["B"], encoding="utf-8")  # the next build would change the dataset
        proc = subprocess.Popen(_command(root), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(full * fraction * rng.uniform(0.9, 1.1))
        try:
            workers = psutil.Process(proc.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            workers = []
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        gone, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"worker processes outlived the killed build: {alive}"
        if (out / ".staging" / fsio.COMMIT_MARKER).exists():  # killed inside the commit: it rolls forward
            fsio.recover_staged(out / ".staging", out)
            assert _digest(out) == digest["B"]
            outcomes.append("rolled forward")
        else:
            now = _digest(out)
            assert now in (digest["A"], digest["B"]), f"dataset/ damaged by a kill at {fraction:.0%} of the build"
            outcomes.append("previous" if now == digest["A"] else "new")
        ann.write_text(corpus["A"], encoding="utf-8")
        build(root, jobs=1)  # recovers whatever the kill left, and puts A back
        assert not (out / ".staging").exists()
    assert "previous" in outcomes, outcomes  # the early kills did land before the commit


def test_a_crash_at_every_rename_of_the_commit_leaves_a_whole_dataset(small, monkeypatch):
    """Crash at each rename the build makes in dataset/ or its staging folder, in turn: before the
    commit marker the previous dataset stays; after it, recovery finishes the new one."""
    root, ann, digest = small["root"], small["ann"], small["digest"]
    out = root / "dataset"
    real = os.replace

    def renames(crash_at: int | None) -> int:
        calls = {"n": 0}

        def counting(src, dst):
            if Path(dst).parent in (out, out / ".staging") or Path(src).parent in (out, out / ".staging"):
                calls["n"] += 1
                if calls["n"] == crash_at:
                    raise KeyboardInterrupt("simulated crash")
            return real(src, dst)

        with monkeypatch.context() as m:
            m.setattr(fsio.os, "replace", counting)
            m.setattr(build_module, "recover_staged", lambda *a: None)  # a crash leaves the folder as it is
            build(root, jobs=1)
        return calls["n"]

    ann.write_text(small["B"], encoding="utf-8")
    total = renames(None)  # a build without a crash: how many renames there are
    ann.write_text(small["A"], encoding="utf-8")
    build(root, jobs=1)
    outcomes = []
    for crash_at in range(1, total + 1):
        ann.write_text(small["B"], encoding="utf-8")
        with pytest.raises(KeyboardInterrupt):
            renames(crash_at)
        marker = (out / ".staging" / fsio.COMMIT_MARKER).exists()
        fsio.recover_staged(out / ".staging", out)
        assert _digest(out) == (digest["B"] if marker else digest["A"]), f"crash at rename {crash_at} of {total}"
        outcomes.append(marker)
        ann.write_text(small["A"], encoding="utf-8")
        build(root, jobs=1)
        assert _digest(out) == digest["A"]
    assert True in outcomes and False in outcomes, outcomes  # crashes on both sides of the marker were tried


def test_only_akhbar_manifest_writes_in_seeds_and_annotations(corpus):
    root = corpus["root"]
    before = {d: _tree(root / d) for d in ("seeds", "annotations")}
    for cmd in (["validate"], ["build", "--jobs", "2"]):
        r = subprocess.run([sys.executable, "-m", "akhbar", *cmd, "--root", str(root)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    assert {d: _tree(root / d) for d in ("seeds", "annotations")} == before


def test_akhbar_manifest_writes_atomically(corpus, monkeypatch):
    """A crash while writing the manifest leaves the old one whole and no temporary file behind."""
    from akhbar.dataset.manifest import update

    root = corpus["root"]
    path = root / "seeds" / "manifest.json"
    before = path.read_bytes()
    new_seed = root / "seeds" / "zzz_new.txt"
    new_seed.write_text("عنوان\n\nفقرة أولى.\n", encoding="utf-8")
    try:
        monkeypatch.setattr(fsio.os, "replace", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            update(root)
        monkeypatch.undo()
        assert path.read_bytes() == before
        assert sorted(p.name for p in (root / "seeds").iterdir() if p.name.startswith(".")) == []
        assert update(root) == ["zzz_new"]
        assert json.loads(path.read_text(encoding="utf-8"))["articles"][-1]["id"] == "zzz_new"
    finally:
        new_seed.unlink()
        path.write_bytes(before)
