"""Snippets with real output for the home and leaderboard pages."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

from akhbar import schema
from akhbar.fsio import dumps

from .schemaref import shorten

LOAD_CODE = """import datasets
ner = datasets.load_dataset("dataset", "ner")  # from a clone of the repository
print(ner)
split = next(iter(ner))
names = ner[split].features["ner_tags"].feature.names
print(names[:5])
row = next((r for r in ner[split] if any(r["ner_tags"])), ner[split][0])
print([f"{tok}/{names[t]}" for tok, t in zip(row["tokens"], row["ner_tags"])][:8])
"""


def load_example(dataset: Path) -> str:
    """The load snippet, run for real on the built dataset, with what it printed."""
    if not (dataset / "data" / "ner").is_dir():
        return "The dataset is not built yet: run `akhbar build`."
    import datasets

    datasets.disable_progress_bars()
    out = io.StringIO()
    with redirect_stdout(out):
        exec(LOAD_CODE.replace('"dataset"', repr(str(dataset)), 1), {})  # noqa: S102 - our own snippet
    return f"```python\n{LOAD_CODE}```\n\nOutput (printed when this page was built):\n\n```text\n{out.getvalue()}```\n"


def eval_example(reports: list[tuple[str, dict[str, Any]]]) -> str:
    """A committed ``akhbar eval --json`` report, or a plain statement that there is none yet."""
    if not reports:
        return ("No `akhbar eval` report is committed yet; the first one (`eval/results/*.json`) will be shown "
                "here. See the [Eval CLI](cli.md) reference for the command's options.\n")
    path, doc = reports[0]
    return (f"A committed report of `akhbar eval --json`, `{path}` (long lists cut):\n\n"
            f"```json\n{dumps(shorten(doc, items=3)).rstrip()}\n```\n")


def report_template() -> str:
    """The minimal shape of a result file, from ``schema/report.schema.json``."""
    s = schema.load("report")
    tasks = s["properties"]["task"]["enum"]
    template = {k: ("1.0" if k == "schema_version" else "<akhbar version that scored it>" if k == "benchmark_version"
                    else f"<one of: {', '.join(tasks)}>") for k in s["required"]}
    template["<task>"] = {"...": "the scores exactly as `akhbar eval --json` wrote them"}
    return f"```json\n{json.dumps(template, indent=2)}\n```\n"
