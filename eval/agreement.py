"""The inter-annotator agreement study: ``akhbar agreement``.

Every pair of annotation passes (``annotations/passes/<NAME>/<article>.json``) is
scored with the project's own scorer: one pass is built into a gold dataset, the
other is written as a predictions file, and ``akhbar eval`` scores it (entities:
strict, exact, partial and type matching; events: trigger and argument
identification and classification; quotes: content exact and token overlap, cue,
source). F1 is symmetric, so the order of a pair only swaps precision and recall.
Token-level Cohen's kappa over the IOB2 tags of the ``ner`` view is added, as
Wojood and most NER corpora report it.

The adjudication log (``annotations/passes/adjudication.json``) is summarised in
the same report, which the datasheet renders.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from .. import BENCHMARK_VERSION
from ..dataset.build import build, iob2_tags
from ..dataset.model import Article
from ..dataset.validate import validate_manifest, validate_paths
from ..errors import UserError
from ..fsio import emit_json, load_json
from ..schema import SCHEMA_VERSION
from .cli import dumps_line
from .predictions import article_prediction
from .score import Options, evaluate

PASSES = "annotations/passes"
LOG = "annotations/passes/adjudication.json"
TASK_METRICS = {
    "entities": ("entities.strict", "entities.exact", "entities.partial", "entities.type"),
    "events": ("events.tri_i", "events.tri_c", "events.arg_i", "events.arg_c"),
    "quotes": ("quotes.content_exact", "quotes.content_tokens", "quotes.cue", "quotes.source"),
    "ner": ("ner.strict",),
}


@dataclass(frozen=True)
class Pass:
    name: str
    articles: tuple[Article, ...]


def load_passes(root: Path, names: list[str] | None = None) -> list[Pass]:
    """The passes under ``annotations/passes/`` (each a folder of annotation files), validated."""
    folder = root / PASSES
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.json"))) if folder.is_dir() else []
    names = names or found
    missing = [n for n in names if n not in found]
    if missing:
        raise UserError(f"{PASSES}: no pass named {', '.join(missing)}; passes here: {', '.join(found) or 'none'}")
    if len(names) < 2:
        raise UserError(f"{PASSES}: an agreement study needs at least two passes, found {len(names)}")
    out = []
    for name in names:
        incidents, articles, _ = validate_paths(root, [folder / name])
        if incidents:
            raise UserError(f"{incidents[0]} (and {len(incidents) - 1} more); fix pass {name} first", exit_code=1)
        out.append(Pass(name, tuple(sorted(articles, key=lambda a: a.id))))
    ids = {p.name: [a.id for a in p.articles] for p in out}
    if len({tuple(v) for v in ids.values()}) != 1:
        raise UserError(f"{PASSES}: the passes do not cover the same articles: {ids}")
    return out


def _gold_dataset(root: Path, p: Pass, work: Path) -> Path:
    """Build pass ``p`` into a dataset under ``work`` (seeds and manifest from the repository)."""
    repo = work / f"gold-{p.name}"
    (repo / "annotations").mkdir(parents=True)
    shutil.copytree(root / "seeds", repo / "seeds")
    for a in p.articles:
        shutil.copy(root / PASSES / p.name / f"{a.id}.json", repo / "annotations" / f"{a.id}.json")
    build(repo)
    return repo / "dataset"


def _predictions(p: Pass, work: Path) -> tuple[Path, Path]:
    docs = work / f"pred-{p.name}.jsonl"
    ner = work / f"pred-{p.name}.ner.jsonl"
    docs.write_text("".join(dumps_line(article_prediction(a)) for a in p.articles), encoding="utf-8")
    rows = []
    for a in p.articles:
        tags = iob2_tags(a)
        rows += [dumps_line({"id": f"{a.id}-{s.id}", "ner_tags": tags[s.token_start:s.token_end]}) for s in a.sentences]
    ner.write_text("".join(rows), encoding="utf-8")
    return docs, ner


def token_kappa(a: Pass, b: Pass) -> dict[str, Any]:
    """Cohen's kappa over the IOB2 tags of every token (outermost mentions, full type inventory)."""
    ta = [t for art in a.articles for t in iob2_tags(art)]
    tb = [t for art in b.articles for t in iob2_tags(art)]
    n = len(ta)
    observed = sum(x == y for x, y in zip(ta, tb)) / n
    ca, cb = Counter(ta), Counter(tb)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    kappa = 1.0 if expected == 1 else (observed - expected) / (1 - expected)
    return {"tokens": n, "observed": observed, "expected": expected, "kappa": kappa}


def _scores(report: dict[str, Any], metrics: tuple[str, ...]) -> dict[str, Any]:
    return {m.split(".", 1)[1]: report["headline"][m] for m in metrics}


def compare_pair(gold: Path, a: Pass, b: Pass, work: Path, bootstrap: int, seed: int) -> dict[str, Any]:
    """Pass ``b`` scored against pass ``a`` (built into the dataset ``gold``)."""
    docs, ner = _predictions(b, work)
    out: dict[str, Any] = {"a": a.name, "b": b.name}
    for task, metrics in TASK_METRICS.items():
        path = ner if task == "ner" else docs
        report = evaluate(str(path), Options(task=task, gold=str(gold), bootstrap=bootstrap, seed=seed)).report
        out[task] = _scores(report, metrics)
        if task == "entities":
            out[task]["per_type_strict_f1"] = {t: s["strict"]["f1"] for t, s in sorted(report["entities"]["per_type"].items())}
    out["ner"]["token_kappa"] = token_kappa(a, b)
    return out


def adjudication_summary(root: Path) -> dict[str, Any] | None:
    path = root / LOG
    if not path.exists():
        return None
    log = load_json(path)
    entries = log.get("entries", [])
    rules = sorted({r.strip() for e in entries for r in e.get("rule", "").replace(";", ",").split(",") if r.strip().startswith("new rule")})
    return {"file": LOG, "entries": len(entries), "by_layer": dict(sorted(Counter(e["layer"] for e in entries).items())),
            "rules_added": [r.removeprefix("new rule ").strip() for r in rules],
            "decisions": [{"id": e["id"], "layer": e["layer"], "item": e["item"], "decision": e["decision"], "rule": e["rule"]} for e in entries]}


def study(root: Path, names: list[str] | None = None, bootstrap: int = 1000, seed: int = 0) -> dict[str, Any]:
    """The agreement report: every pair of passes, scored with ``akhbar eval``."""
    entries, incidents = validate_manifest(root)
    if incidents:
        raise UserError(f"{incidents[0]}; run `akhbar validate`", exit_code=1)
    passes = load_passes(root, names)
    log = load_json(root / LOG) if (root / LOG).exists() else {}
    with tempfile.TemporaryDirectory(prefix="akhbar-agreement-") as tmp:
        work = Path(tmp)
        golds = {p.name: _gold_dataset(root, p, work) for p in passes[:-1]}
        pairs = [compare_pair(golds[a.name], a, b, work, bootstrap, seed) for a, b in combinations(passes, 2)]
    return {"schema_version": SCHEMA_VERSION, "benchmark_version": BENCHMARK_VERSION,
            "articles": [a.id for a in passes[0].articles],
            "passes": {p.name: log.get("passes", {}).get(p.name, "") for p in passes},
            "bootstrap": {"samples": bootstrap, "seed": seed, "unit": "sentence", "confidence": 0.95},
            "pairs": pairs, "adjudication": adjudication_summary(root)}


def table(report: dict[str, Any]) -> str:
    """The agreement table (Markdown), one column per pair of passes."""
    pairs = report["pairs"]
    head = "| measure | " + " | ".join(f"{p['a']}–{p['b']}" for p in pairs) + " |\n|---|" + "--:|" * len(pairs) + "\n"
    rows = []

    def cell(x: dict[str, Any]) -> str:
        ci = x.get("ci")
        return f"{x['f1']:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")

    for task, metrics in TASK_METRICS.items():
        for m in metrics:
            key = m.split(".", 1)[1]
            rows.append(f"| {task} {key} F1 | " + " | ".join(cell(p[task][key]) for p in pairs) + " |")
    rows.append("| ner token Cohen's κ | " + " | ".join(f"{p['ner']['token_kappa']['kappa']:.3f}" for p in pairs) + " |")
    return head + "\n".join(rows) + "\n"


def cmd_agreement(args: argparse.Namespace) -> int:
    root = Path(args.root)
    report = study(root, args.passes or None, args.bootstrap, args.seed)
    if args.json:
        emit_json(args.json, report)
    if args.json != "-":
        print(table(report), end="")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agreement", help="inter-annotator agreement of the annotation passes",
                       description="Score every pair of annotation passes (annotations/passes/NAME/) against each other with akhbar eval "
                                   "(entities, events, quotes, NER with token-level Cohen's kappa) and summarise the adjudication log. "
                                   "Prints the agreement table; --json writes the full report (the datasheet reads annotations/passes/agreement.json).")
    p.add_argument("passes", nargs="*", help="pass names (default: every folder under annotations/passes/)")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples for the 95%% intervals (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.add_argument("--json", metavar="FILE|-", help="write the report as JSON (- for stdout only)")
    p.set_defaults(handler=cmd_agreement)
