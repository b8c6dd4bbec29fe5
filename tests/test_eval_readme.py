"""The README's scoring example runs and prints exactly what the README shows (update the README when the gold changes)."""

from __future__ import annotations

import re

from akhbar.cli import main

from conftest import REPO


def _blocks(lang: str) -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scoring a system", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{lang}\n(.*?)```", section, re.S)


def test_readme_scoring_example(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    commands = [line.split() for line in _blocks("sh")[0].strip().splitlines()]
    for argv in commands:
        assert argv[0] == "akhbar"
        capsys.readouterr()
        assert main(argv[1:]) == 0
    shown = _blocks("text")[0].rstrip("\n")
    printed = capsys.readouterr().out
    assert printed.rstrip("\n") == shown
    assert (tmp_path / "runs" / "baseline-ner.report.json").exists()
