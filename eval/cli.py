"""Subcommands of the scorer: eval, compare, baseline, predict."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import BENCHMARK_VERSION
from ..errors import UserError
from ..fsio import dumps, write_text
from ..schema import SCHEMA_VERSION
from . import gold as gd
from . import tags as tg

GOLD_HELP = "gold data: a dataset folder or Hugging Face Hub id, loaded with datasets.load_dataset (default: akhbar.dataset, the dataset/ folder packaged with akhbar)"


def _options(args: argparse.Namespace, errors: bool = False) -> Any:
    from .score import Options

    return Options(task=args.task, gold=args.gold, split=args.split, format=args.format, scheme=args.scheme,
                   tagset=args.tagset, match=args.match, clitics=args.clitics, bootstrap=args.bootstrap,
                   seed=args.seed, allow_missing=args.allow_missing, errors=errors)


def _check(report: dict[str, Any]) -> None:
    from ..schema import validator

    problems = sorted(validator("report").iter_errors(report), key=lambda e: list(map(str, e.absolute_path)))
    if problems:
        raise RuntimeError(f"internal error: the report does not match schema/report.schema.json at {problems[0].json_path}: {problems[0].message}")


def _emit(args: argparse.Namespace, report: dict[str, Any], text: str, markdown: str, extra: dict[str, str] | None = None) -> None:
    """Write every output only after everything succeeded (each file atomically)."""
    _check(report)
    outputs = dict(extra or {})
    if args.json and args.json != "-":
        outputs[args.json] = dumps(report)
    if args.markdown:
        outputs[args.markdown] = markdown
    for path, content in outputs.items():
        write_text(path, content)
    sys.stdout.write(dumps(report) if args.json == "-" else text)


def cmd_eval(args: argparse.Namespace) -> int:
    from .report import render
    from .score import evaluate

    result = evaluate(args.predictions, _options(args, errors=bool(args.errors)))
    extra = {}
    if args.errors:
        extra[args.errors] = dumps({"schema_version": SCHEMA_VERSION, "benchmark_version": BENCHMARK_VERSION,
                                    "task": result.report["task"], **result.errors})  # type: ignore[dict-item]
    _emit(args, result.report, render(result.report), render(result.report, markdown=True), extra)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    from . import bootstrap as bs
    from .report import render_compare
    from .score import evaluate

    opts = _options(args)
    a = evaluate(args.a, opts)
    b = evaluate(args.b, opts)
    if a.report["task"] != b.report["task"]:
        raise UserError(f"{args.b}: task {b.report['task']} differs from {args.a}'s ({a.report['task']}); pass --task")
    result = {"schema_version": SCHEMA_VERSION, "benchmark_version": BENCHMARK_VERSION, "task": a.report["task"],
              "gold": a.report["gold"], "a": args.a, "b": args.b, "tagset": args.tagset,
              "bootstrap": bs.describe(a.ledger, args.bootstrap, args.seed),
              "comparison": bs.paired(a.ledger, b.ledger, a.metrics, args.bootstrap, args.seed)}
    shown = {**result, "metrics": result["comparison"]}
    _emit(args, result, render_compare(shown), render_compare(shown, markdown=True))
    return 0


def cmd_baseline(args: argparse.Namespace) -> int:
    from .baselines import run

    lines = run(args.name, args.gold, args.split)
    write_text(args.output, "".join(dumps_line(x) for x in lines))
    print(f"baseline {args.name}: {len(lines)} prediction line(s) written to {args.output}")
    return 0


def cmd_predict(args: argparse.Namespace) -> int:
    from .predict import predict

    rows, notes = predict(args.model, args.gold, args.split, args.batch_size, args.tagset)
    write_text(args.output, "".join(dumps_line(x) for x in rows))
    print(f"predict: {len(rows)} row(s) written to {args.output}" + (f"; {notes}" if notes else ""))
    return 0


def dumps_line(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False) + "\n"


def _common(p: argparse.ArgumentParser) -> None:
    from .predictions import FORMATS
    from .score import MATCHES, TASKS

    p.add_argument("--task", choices=TASKS, help="what to score (default: ner for token-level files, else the one layer the documents carry)")
    p.add_argument("--gold", default=gd.DEFAULT_GOLD, metavar="PATH_OR_HUB_ID", help=GOLD_HELP)
    p.add_argument("--split", default="test", help="gold split (default: test)")
    p.add_argument("--format", choices=FORMATS, default="auto",
                   help="predictions format: jsonl (NER rows or documents) or conll (TOKEN TAG per line, blank line between sentences, ner row order); auto looks at the first character (default: auto)")
    p.add_argument("--scheme", choices=tg.SCHEMES, default="iob2",
                   help="tagging scheme of NER predictions; iob1/iobes/bilou are converted to IOB2 first, IOB2 is scored as submitted (default: iob2)")
    p.add_argument("--tagset", choices=tg.TAGSETS, default="wojood",
                   help="score in this label set: wojood (21 types), anercorp (PERS/ORG/LOC/MISC) or coarse (PER/ORG/LOC/MISC); gold and predicted types are mapped with the documented mappings, spelling variants such as PER/PERS accepted (default: wojood)")
    p.add_argument("--match", choices=MATCHES, default="offsets",
                   help="entities: offsets (character spans) or text (offset-free: multisets of type and Arabic-normalised text) (default: offsets)")
    p.add_argument("--clitics", action=argparse.BooleanOptionalAction, default=True,
                   help="entities: spans differing only by attached proclitics (و ف ب ل ك) have the same boundaries; scores without the rule are reported too (default: on)")
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N",
                   help="bootstrap samples for 95%% percentile intervals, resampling documents (sentences when fewer than 30 documents); 0 turns it off (default: 1000)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed of the bootstrap (default: 0)")
    p.add_argument("--json", metavar="FILE|-", help="write the JSON report (schema/report.schema.json) to FILE, or print only it with -")
    p.add_argument("--markdown", metavar="FILE", help="write the tables as Markdown to FILE")
    p.add_argument("--allow-missing", action="store_true", help="score gold rows/documents without a prediction as empty predictions (their number is reported) instead of failing")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="score a predictions file against the gold data",
                       description="Score NER tags (seqeval strict IOB2 and conlleval-style default), entity spans, events or quotes, with bootstrap confidence intervals. "
                                   "Bad input stops with one line naming the file, line, id and fix (exit 2) and writes nothing.",
                       epilog="Prediction formats are defined in schema/predictions.schema.json; the metrics are explained in docs/metrics.md.")
    p.add_argument("predictions", help="predictions file (JSON Lines or CoNLL)")
    _common(p)
    p.add_argument("--errors", metavar="FILE", help="write every false positive and false negative (document, sentence, span text, types) and confusion counts as JSON")
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("compare", help="paired bootstrap comparison of two systems",
                       description="Score two predictions files on the same gold data and resample the same units for both: F1 difference A - B, its 95 % interval and a two-sided p-value per headline metric.")
    p.add_argument("a", help="predictions of system A")
    p.add_argument("b", help="predictions of system B")
    _common(p)
    p.set_defaults(handler=cmd_compare)

    from .baselines import NAMES

    p = sub.add_parser("baseline", help="run a rule-based baseline and write its predictions",
                       description="Rule-based baselines built only from the general word lists in eval/lexicons/ (never from the test data): "
                                   "ner and entities (gazetteer), events (ACE trigger lexicon), quotes (quotation marks, speech verbs, nearest preceding name).")
    p.add_argument("name", choices=NAMES, help="which baseline")
    p.add_argument("--gold", default=gd.DEFAULT_GOLD, metavar="PATH_OR_HUB_ID", help="dataset whose texts are annotated (only the text, sentences and tokens are read)")
    p.add_argument("--split", default="test", help="split (default: test)")
    p.add_argument("-o", "--output", required=True, help="predictions file to write (JSON Lines)")
    p.set_defaults(handler=cmd_baseline)

    p = sub.add_parser("predict", help="tag the ner config with a Hugging Face token-classification model",
                       description="Run a token-classification model (needs the [models] extra: transformers, torch) over the ner config, "
                                   "label each token with its first sub-word's prediction, map the model's id2label names onto the tagset, and write predictions for akhbar eval.")
    p.add_argument("--model", required=True, metavar="HF_ID_OR_PATH", help="model folder or Hub id")
    p.add_argument("--gold", default=gd.DEFAULT_GOLD, metavar="PATH_OR_HUB_ID", help="dataset to tag (default: akhbar.dataset, the packaged dataset/ folder)")
    p.add_argument("--split", default="test", help="split (default: test)")
    p.add_argument("--batch-size", type=int, default=16, metavar="N", help="sentences per batch (default: 16)")
    p.add_argument("--tagset", choices=tg.TAGSETS, default="wojood", help="tagset the model's labels are mapped onto (default: wojood)")
    p.add_argument("-o", "--output", required=True, help="predictions file to write (JSON Lines)")
    p.set_defaults(handler=cmd_predict)
