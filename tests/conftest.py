from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEED_ID = "000_23fbf5640515ec06"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


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
