"""Subcommands of the dataset layer: convert, manifest, validate, build."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import UserError
from ..fsio import dumps, emit_json, read_text, write_text


def _root(args: argparse.Namespace) -> Path:
    root = Path(args.root)
    if not (root / "seeds").is_dir():
        raise UserError(f"{root}: no seeds/ folder here; run from the repository root or pass --root")
    return root


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of processes >= 1, got {value!r}")
    return n


def cmd_convert(args: argparse.Namespace) -> int:
    from .convert import convert, sha256_hex

    path = Path(args.seed)
    text = read_text(path)
    article = convert(text, args.id or path.stem, path.as_posix(), sha256=sha256_hex(path.read_bytes()))
    out = dumps(article.to_dict())
    if args.output:
        write_text(args.output, out)
    else:
        sys.stdout.write(out)
    return 0


def cmd_manifest(args: argparse.Namespace) -> int:
    from .manifest import update

    added = update(_root(args))
    print(f"manifest: {len(added)} article(s) added" + (f": {', '.join(added)}" if added else ""))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validate import validate_stream

    root = _root(args)
    nfiles, results = validate_stream(root, [Path(p) for p in args.paths])
    excluded = set(args.exclude)
    incidents, narticles = [], 0
    counts = {"entities": 0, "events": 0, "quotes": 0}
    for found, article in results:  # one article at a time: memory does not grow with the corpus
        incidents.extend(i for i in found if i.code not in excluded)
        if article is not None:
            narticles += 1
            for layer in counts:
                counts[layer] += len(getattr(article.layers, layer))
    if args.json:
        emit_json(args.json, {"valid": not incidents, "files": nfiles, "articles": narticles, "counts": counts,
                               "incidents": [{"file": i.file, "pointer": i.pointer, "code": i.code, "message": i.message} for i in incidents]})
    if args.json != "-":
        for i in incidents:
            print(i, file=sys.stderr)
        if incidents:
            print(f"*** FAILED *** with {len(incidents)} error(s)", file=sys.stderr)
        else:
            print(f"valid: {nfiles} file(s), {narticles} article(s): "
                  f"{counts['entities']} entities, {counts['events']} events, {counts['quotes']} quotes")
    return 1 if incidents else 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import BuildRefused, build
    from .parallel import default_jobs

    root = _root(args)
    try:
        result = build(root, Path(args.output) if args.output else None, jobs=args.jobs or default_jobs())
    except BuildRefused as exc:
        for i in exc.incidents:
            print(i, file=sys.stderr)
        raise
    rows = ", ".join(f"{c}/{s}: {n}" for (c, s), n in result.counts.items())
    print(f"built {result.articles} article(s) into {args.output or root / 'dataset'}: {rows}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("convert", help="seed text -> article record skeleton (JSON)", description="Convert a seed article (UTF-8 text) into an article record: segments with roles, sentences and tokens with offsets, empty annotation layers.")
    p.add_argument("seed", help="the seed .txt file")
    p.add_argument("-o", "--output", help="write the record here (atomically) instead of stdout")
    p.add_argument("--id", help="article id (default: the file stem)")
    p.set_defaults(handler=cmd_convert)

    p = sub.add_parser("manifest", help="add new seeds to seeds/manifest.json", description="Add an entry to seeds/manifest.json for every seed without one (sha256, date, dateline, split). Existing entries are never changed.")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.set_defaults(handler=cmd_manifest)

    from .validate import CODES

    p = sub.add_parser("validate", help="validate the manifest, annotation files and article records",
                       description="JSON-Schema validation plus semantic checks. Every problem is printed as FILE: JSON-POINTER: [code] message; exit 1 if any.",
                       epilog="error codes: " + "; ".join(f"{k}: {v}" for k, v in CODES.items()))
    p.add_argument("paths", nargs="*", help="annotation files, article records or folders (default: the whole repository)")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.add_argument("--exclude", action="append", default=[], metavar="CODE", choices=sorted(CODES), help="ignore incidents with this code (repeatable)")
    p.add_argument("--json", metavar="FILE|-", help="also write a JSON report (- for stdout only)")
    p.set_defaults(handler=cmd_validate)

    p = sub.add_parser("build", help="build dataset/ (Parquet + card) from seeds/ and annotations/", description="Validate, then write the Hugging Face dataset (Parquet per config and split, and the card) into dataset/ atomically.")
    p.add_argument("--root", default=".", help="repository root (default: .)")
    p.add_argument("-o", "--output", help="dataset folder (default: ROOT/dataset)")
    p.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                   help="worker processes for the per-article work (default: all cores); the output is the same for every N")
    p.set_defaults(handler=cmd_build)
