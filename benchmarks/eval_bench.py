"""Eval benchmarks (issue 5): ``python -m benchmarks.eval_bench [--tokens N] [--mentions N]``.

Three measurements, on synthetic data from :mod:`benchmarks.synth` (never the real gold):

1. **NER end to end vs bare seqeval.** A synthetic corpus of about ``--tokens``
   tokens is built into a dataset folder; predictions are the gold tags with a
   deterministic share of tokens replaced (so some sequences are ill-formed, as
   real systems' are). In the same run, interleaved, we time (a) the two bare
   ``seqeval.metrics.classification_report`` calls that ``akhbar eval`` embeds
   (``mode="strict", scheme=IOB2`` and the default mode) on the same sequences
   already in memory, and (b) ``akhbar eval --task ner --gold DIR --bootstrap 0``
   as a separate process, from process start to exit (reading, validation, both
   reports, the JSON report). The ratio (b)/(a) is the figure of merit (target <= 1.2).
2. **Span, event and quote scorers on 1M predicted mentions**, in process: the
   scoring of ``akhbar eval`` (matching, per-type tables, report) over documents
   whose predictions total ``--mentions`` mentions per layer; reading files is
   excluded (it is measured in 1.). Target < 5 s each.
3. **Bootstrap**: 1000 resamples of the NER counts of the 1M-token corpus (both
   modes), in process. Target < 30 s.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import replace
from importlib import metadata
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from akhbar.dataset.build import build, ner_labels
from akhbar.dataset.manifest import SPLIT_BUCKETS, entries
from akhbar.dataset.parallel import default_jobs
from akhbar.dataset.model import Article, Span
from akhbar.dataset.validate import assemble
from akhbar.eval import bootstrap as bs
from akhbar.eval import predictions as pr
from akhbar.eval import score

from .run import PAGE, machine, write_page
from . import synth
from .synth import generate

AVG_TOKENS = 820  # tokens per synthetic article, about (the page reports the corpus's actual count)


def _split_share(split: str) -> float:
    """The share of articles a split receives: its bucket of the hash's 100 (``SPLIT_BUCKETS`` are cumulative bounds)."""
    lower = 0
    for name, upper in SPLIT_BUCKETS:
        if name == split:
            return (upper - lower) / 100
        lower = upper
    raise KeyError(split)


TEST_SHARE = _split_share("test")
REPEATS = 3


def _corpus(workdir: Path, n: int, jobs: int) -> Path:
    """A synthetic corpus of ``n`` articles, built; reused while the generator and akhbar are unchanged."""
    root = workdir / f"eval-synth-{n}"
    stamp = hashlib.sha256(Path(synth.__file__).read_bytes() + metadata.version("akhbar").encode()).hexdigest()
    if not (root / "dataset" / "README.md").exists() or not (root / "stamp").exists() or (root / "stamp").read_text() != stamp:
        shutil.rmtree(root, ignore_errors=True)
        generate(root, n)
        build(root, jobs=jobs)
        (root / "stamp").write_text(stamp)
    return root


def _gold_tags(dataset: Path) -> tuple[list[str], list[list[str]]]:
    """The test split's NER rows (what akhbar eval scores): ids and tag names."""
    names = ner_labels()
    t = pq.read_table(dataset / "data" / "ner" / "test.parquet", columns=["id", "ner_tags"])
    return t.column("id").to_pylist(), [[names[i] for i in row] for row in t.column("ner_tags").to_pylist()]


def _perturb_tags(tags: list[list[str]], seed: int, rate: float = 0.1) -> list[list[str]]:
    rng = random.Random(seed)
    names = ner_labels()
    return [[rng.choice(names) if rng.random() < rate else t for t in row] for row in tags]


def _seqeval_both(gold: list[list[str]], pred: list[list[str]]) -> float:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classification_report(gold, pred, output_dict=True, mode="strict", scheme=IOB2)
        classification_report(gold, pred, output_dict=True)
    return time.perf_counter() - start, time.process_time() - cpu


def _children_cpu() -> float:
    t = os.times()
    return t.children_user + t.children_system


def _cli_seconds(args: list[str]) -> tuple[float, float]:
    """Wall seconds of ``akhbar ARGS`` as a process, and the CPU seconds of it and its children."""
    start, cpu = time.perf_counter(), _children_cpu()
    r = subprocess.run([sys.executable, "-m", "akhbar", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if r.returncode:
        raise RuntimeError(f"akhbar {' '.join(args)} failed: {r.stderr.strip()[-500:]}")
    return elapsed, _children_cpu() - cpu


def ner_end_to_end(root: Path, workdir: Path) -> dict[str, Any]:
    dataset = root / "dataset"
    ids, gold = _gold_tags(dataset)
    pred = _perturb_tags(gold, seed=1)
    path = workdir / "ner-pred.jsonl"
    path.write_text("".join(json.dumps({"id": i, "ner_tags": p}, ensure_ascii=False) + "\n" for i, p in zip(ids, pred)), encoding="utf-8")
    report = workdir / "ner-report.json"
    args = ["eval", str(path), "--task", "ner", "--gold", str(dataset), "--bootstrap", "0", "--json", str(report)]
    seq, cli = [], []
    for _ in range(REPEATS):  # interleaved, so load on the machine affects both alike
        seq.append(_seqeval_both(gold, pred))
        cli.append(_cli_seconds(args))
    tokens = sum(map(len, gold))
    s, c = statistics.median(x for x, _ in seq), statistics.median(x for x, _ in cli)
    s_cpu, c_cpu = statistics.median(x for _, x in seq), statistics.median(x for _, x in cli)
    return {"tokens": tokens, "sentences": len(gold), "seqeval_s": [x for x, _ in seq], "akhbar_eval_s": [x for x, _ in cli],
            "seqeval_median": s, "akhbar_median": c, "ratio": c / s, "seqeval_cpu": s_cpu, "akhbar_cpu": c_cpu, "cpu_ratio": c_cpu / s_cpu,
            "two_processes": path.stat().st_size >= score.PARALLEL_NER_BYTES}


def bootstrap_seconds(root: Path, workdir: Path) -> dict[str, Any]:
    evaluation = score.evaluate(str(workdir / "ner-pred.jsonl"), score.Options(task="ner", gold=str(root / "dataset"), bootstrap=0))
    start = time.perf_counter()
    bs.intervals(evaluation.ledger, evaluation.metrics, 1000, 0)
    seconds = time.perf_counter() - start
    described = bs.describe(evaluation.ledger, 1000, 0)  # what is resampled: documents, or sentences when there are few
    return {"samples": 1000, "unit": described["unit"], "units": described["units"], "metrics": evaluation.metrics, "seconds": seconds}


# --- span-level scorers ------------------------------------------------------------------


def _shift(span: Span, text: str, rng: random.Random) -> Span:
    """A boundary error: the span extended or shortened by one token where the text allows."""
    if rng.random() < 0.5 and span.end < len(text):
        end = text.find(" ", span.end + 1)
        end = end if end != -1 else len(text)
        return Span(span.start, end, text[span.start:end])
    cut = text.rfind(" ", span.start, span.end)
    return Span(span.start, cut, text[span.start:cut]) if cut > span.start else span


def predict(article: Article, rng: random.Random) -> pr.DocPrediction:
    """Gold layers with a deterministic share of misses, boundary errors and type errors."""
    types = sorted({e.type for e in article.layers.entities}) or ["ORG"]
    ents = []
    for e in article.layers.entities:
        r = rng.random()
        if r < 0.1:
            continue
        span = _shift(e.span, article.text, rng) if r < 0.2 else e.span
        ents.append(pr.Mention(rng.choice(types) if 0.2 <= r < 0.3 else e.type, span.text, span.start, span.end))
    ent_span = {e.id: e.span for e in article.layers.entities}
    evs = []
    for ev in article.layers.events:
        if rng.random() < 0.1:
            continue
        args = tuple(pr.PredArgument(a.role, a.ref.span if a.ref.span is not None else ent_span[a.ref.entity])
                     for a in ev.arguments if rng.random() > 0.15)
        evs.append(pr.PredEvent(ev.type, ev.realis, ev.trigger, args))
    qs = []
    for q in article.layers.quotes:
        if rng.random() < 0.1:
            continue
        src = q.source.span if q.source and q.source.span else (ent_span[q.source.entity] if q.source else None)
        content = tuple(_shift(c, article.text, rng) if rng.random() < 0.2 else c for c in q.content)
        qs.append(pr.PredQuote(q.type, content, q.cue, src))
    return pr.DocPrediction(article.id, tuple(ents), tuple(evs), tuple(qs))


def _base(root: Path) -> tuple[list[Article], list[pr.DocPrediction]]:
    base = [a for a in (assemble(root, e)[0] for e in entries(root)[:1000]) if a is not None]
    rng = random.Random(2)
    return base, [predict(a, rng) for a in base]


def _score_task(base: list[Article], preds: list[pr.DocPrediction], task: str, mentions: int, profiler: Any = None) -> dict[str, Any]:
    """Score ``task`` in process over copies of ``base`` totalling about ``mentions`` predicted mentions."""
    per_cycle = sum(len(getattr(p, task)) for p in preds)
    cycles = -(-mentions // per_cycle)
    articles = [replace(a, id=f"{a.id}-{k}") for k in range(cycles) for a in base]
    docs = {f"{p.document_id}-{k}": replace(p, document_id=f"{p.document_id}-{k}") for k in range(cycles) for p in preds}
    fake = pr.DocPredictions(docs, (task,), 0)
    saved = (score.gd.load_documents, score.pr.read_documents)
    score.gd.load_documents = lambda *a, **k: articles  # reading is excluded: measured end to end in the NER benchmark
    score.pr.read_documents = lambda *a, **k: fake
    seconds = []
    try:
        for _ in range(1 if profiler is not None else REPEATS):
            if profiler is not None:
                profiler.start()
            start = time.perf_counter()
            ev = score.evaluate("/dev/null", score.Options(task=task, bootstrap=0))
            seconds.append(time.perf_counter() - start)
            if profiler is not None:
                profiler.stop()
    finally:
        score.gd.load_documents, score.pr.read_documents = saved
    return {"documents": len(articles), "predicted": per_cycle * cycles,
            "gold": sum(len(getattr(a.layers, task)) for a in base) * cycles, "runs": seconds,
            "seconds": statistics.median(seconds), "f1": ev.report["headline"][ev.metrics[0]]["f1"]}


def span_scorers(base: list[Article], preds: list[pr.DocPrediction], mentions: int) -> dict[str, Any]:
    """In-process scoring time of each span task on documents totalling ``mentions`` predicted mentions (median of REPEATS)."""
    return {task: _score_task(base, preds, task, mentions) for task in ("entities", "events", "quotes")}


def profile_scorer(base: list[Article], preds: list[pr.DocPrediction], task: str, mentions: int) -> str:
    """A pyinstrument profile of one span task's scoring (``mentions`` predicted mentions)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    _score_task(base, preds, task, mentions, profiler)
    return profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)


def run(workdir: Path, tokens: int = 1_000_000, mentions: int = 1_000_000, jobs: int | None = None, profile: bool = True) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    n = -(-tokens // int(AVG_TOKENS * TEST_SHARE))  # the test split must hold about `tokens` tokens
    root = _corpus(workdir, n, jobs or default_jobs())
    ner = ner_end_to_end(root, workdir)
    base, preds = _base(root)
    spans = span_scorers(base, preds, mentions)
    slowest = max(spans, key=lambda t: spans[t]["seconds"])
    profiled = {"task": slowest, "mentions": mentions // 10, "text": profile_scorer(base, preds, slowest, mentions // 10)} if profile else None
    return {"machine": machine(), "corpus_articles": n, "ner": ner, "bootstrap": bootstrap_seconds(root, workdir),
            "spans": spans, "profile": profiled}


def render(res: dict[str, Any], command: str) -> str:
    ner, boot, spans = res["ner"], res["bootstrap"], res["spans"]
    ok = lambda good: "met" if good else "missed"  # noqa: E731
    lines = [
        f"Generated by `{command}` on {res['machine']['date']}; machine: {res['machine']['cpu']}, "
        f"{res['machine']['cores']} cores, load average at start {res['machine']['load']}; the run took {res['minutes']:.0f} minutes.", "",
        f"**NER end to end** on {ner['tokens']:,} tokens ({ner['sentences']:,} sentences, {res['corpus_articles']:,} synthetic "
        f"articles), medians of {REPEATS} interleaved runs:", "",
        "| what | seconds (each run) | median |", "|---|---|--:|",
        f"| two bare seqeval `classification_report` calls (strict IOB2 + default), sequences in memory | "
        f"{', '.join(f'{x:.2f}' for x in ner['seqeval_s'])} | {ner['seqeval_median']:.2f} |",
        f"| `akhbar eval --task ner --bootstrap 0` as a process (start to exit: imports, reading, validation, both reports, JSON) | "
        f"{', '.join(f'{x:.2f}' for x in ner['akhbar_eval_s'])} | {ner['akhbar_median']:.2f} |", "",
        f"Ratio: **{ner['ratio']:.3f}** (target <= 1.2: {ok(ner['ratio'] <= 1.2)}). "
        + ("`akhbar eval` computed the two reports in two processes (a predictions file of 1 MB or more). " if ner["two_processes"] else "")
        + f"In CPU seconds (medians; for `akhbar eval` the process and its children) it used {ner['akhbar_cpu']:.2f} s against "
        f"{ner['seqeval_cpu']:.2f} s for the bare calls, a ratio of {ner['cpu_ratio']:.3f}.", "",
        f"**Bootstrap**: {boot['samples']} resamples of {boot['units']:,} units ({boot['unit']}s), metrics {', '.join(boot['metrics'])}: "
        f"**{boot['seconds']:.2f} s** (target < 30 s: {ok(boot['seconds'] < 30)}).", "",
        f"**Span, event and quote scorers** (in process, reading excluded, median of {REPEATS} runs), predictions with 10 % misses "
        "and some boundary, type and argument errors:", "",
        "| task | documents | predicted mentions | gold mentions | seconds | headline F1 | target < 5 s |", "|---|--:|--:|--:|--:|--:|---|",
    ]
    for task, r in spans.items():
        lines.append(f"| {task} | {r['documents']:,} | {r['predicted']:,} | {r['gold']:,} | {r['seconds']:.2f} | {r['f1']:.3f} | {ok(r['seconds'] < 5)} |")
    prof = res["profile"]
    if prof is None:
        return "\n".join(lines) + "\n"
    lines += ["", f"Profile of the slowest span scorer, `{prof['task']}`, on {prof['mentions']:,} predicted mentions "
              "(pyinstrument, in process):", "", "```text", prof["text"].strip("\n"), "```"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.eval_bench", description=__doc__.splitlines()[0])
    p.add_argument("--tokens", type=int, default=1_000_000)
    p.add_argument("--mentions", type=int, default=1_000_000)
    p.add_argument("--workdir", default="/tmp/akhbar-eval-bench")
    p.add_argument("--jobs", type=int, default=default_jobs(), help="jobs of the corpus build (default: all cores)")
    p.add_argument("--json", help="also write the raw results here")
    p.add_argument("--no-profile", action="store_true", help="skip the pyinstrument profile (pip install '.[bench]' provides it)")
    p.add_argument("--page", default=str(PAGE), help="page whose eval-bench section is rewritten (default: docs/performance.md)")
    args = p.parse_args(argv)
    began = time.perf_counter()
    res = run(Path(args.workdir), args.tokens, args.mentions, args.jobs, not args.no_profile)
    res["minutes"] = (time.perf_counter() - began) / 60
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2) + "\n", encoding="utf-8")
    command = "python -m benchmarks.eval_bench" + ("" if argv is None and len(sys.argv) == 1 else " " + " ".join(argv if argv is not None else sys.argv[1:]))
    body = render(res, command)
    write_page(Path(args.page), body, "<!-- eval-bench:start -->", "<!-- eval-bench:end -->")
    print(body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
