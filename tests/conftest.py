from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# CI replays the same examples every run (a new failure shows up locally first, not as a flaky CI run).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parent.parent
SEED_ID = "000_23fbf5640515ec06"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file below ``folder``, by relative path: equal dicts, byte-identical trees."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """A scratch repository: the real seeds and manifest, an empty annotations/ folder."""
    (tmp_path / "seeds").mkdir()
    for f in (REPO / "seeds").iterdir():
        shutil.copy2(f, tmp_path / "seeds" / f.name)
    (tmp_path / "annotations").mkdir()
    (tmp_path / "dataset").mkdir()
    return tmp_path


@pytest.fixture
def seed_text() -> str:
    return (REPO / "seeds" / f"{SEED_ID}.txt").read_text(encoding="utf-8")


def only_strict_here(monkeypatch) -> None:
    """This process can no longer compute the default-mode report: it must come from the second one
    (which imports its own, unpatched module), not from the fallback."""
    from akhbar.eval import ner

    real = ner._report

    def strict_only(mode, y_true, y_pred):
        if mode != "strict":
            raise AssertionError("the default-mode report was computed in this process")
        return real(mode, y_true, y_pred)

    monkeypatch.setattr(ner, "_report", strict_only)


@contextlib.contextmanager
def no_hang(seconds: int = 10):
    """Fail instead of hanging: SIGALRM after ``seconds``."""
    def alarm(*_):
        raise TimeoutError(f"reader did not finish within {seconds} s")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def json_paths(doc: Any, first: int = 6, prefix: tuple = ()) -> list[tuple]:
    """Every path into a JSON value (``()`` is the value itself), taking the first ``first`` items of each list."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += json_paths(v, first, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:first]):
            out += json_paths(v, first, prefix + (i,))
    return out
