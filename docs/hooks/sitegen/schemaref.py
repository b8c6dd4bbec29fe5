"""The format reference, generated from ``schema/*.schema.json``, with one real example per record type.

Every property's ``description`` and every enumeration comes from the schema
files; examples come from the built dataset and are validated against their
schema before they are shown (a failing example stops the build).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from akhbar import schema
from akhbar.dataset.build import CONFIGS, SPLITS, features
from akhbar.fsio import dumps

from .corpus import Corpus

SCHEMA_DIR = Path(schema.__file__).resolve().parent
#: Where an example for a record type comes from, by (schema, $defs name or "" for the document itself).
ORDER = ("article", "annotation", "manifest", "predictions", "report")


def schema_names() -> list[str]:
    """Every ``*.schema.json`` shipped in ``akhbar.schema``, the known ones first."""
    found = sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
    return [n for n in ORDER if n in found] + [n for n in found if n not in ORDER]


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))


def anchor(name: str, definition: str = "") -> str:
    return f"{name}-{definition}".lower() if definition else name


def _cell(text: str) -> str:
    """One Markdown table cell: a pipe inside a code span becomes an HTML code element with
    ``&#124;`` (a backslash would be shown literally there); other pipes are escaped."""
    text = " ".join(text.split())
    text = re.sub(r"`([^`]*\|[^`]*)`", lambda m: "<code>" + html.escape(m.group(1)).replace("|", "&#124;") + "</code>", text)
    return text.replace("|", "\\|")


def type_of(s: dict[str, Any], name: str) -> str:
    """A short, linked rendering of a subschema's type."""
    if "$ref" in s:
        ref = s["$ref"]
        target, _, pointer = ref.partition("#")
        other = target.rsplit(":", 1)[-1] if target else name
        definition = pointer.rsplit("/", 1)[-1]
        return f"[`{definition}`](#{anchor(other, definition)})"
    if "const" in s:
        return f"`{json.dumps(s['const'], ensure_ascii=False)}`"
    if "enum" in s:
        return "one of " + ", ".join(f"`{v}`" for v in s["enum"])
    for key, word in (("oneOf", " or "), ("anyOf", " or "), ("allOf", " and ")):
        if key in s:
            return word.join(type_of(x, name) for x in s[key])
    t = s.get("type")
    if t == "array":
        return "array of " + type_of(s.get("items", {}), name)
    if isinstance(t, list):
        return " or ".join(f"`{x}`" for x in t)
    out = f"`{t}`" if t else "any"
    if "format" in s:
        out += f" ({s['format']})"
    if "pattern" in s:
        out += f" matching `{s['pattern']}`"
    return out


def _rows(s: dict[str, Any], name: str, prefix: str = "") -> list[str]:
    """One row per property; the properties of an inline object (or of an array's inline items) follow as
    ``parent.child`` (``parent[].child``)."""
    required = set(s.get("required", ()))
    rows = []
    for p, sub in s.get("properties", {}).items():
        path = f"{prefix}{p}"
        rows.append(f"| `{path}` | {type_of(sub, name)} | {'yes' if p in required else 'no'} | {_cell(sub.get('description', ''))} |")
        rows += _nested(sub, name, path)
    return rows


def _nested(sub: dict[str, Any], name: str, path: str) -> list[str]:
    """Rows for what an inline subschema contains: its properties, its array items, its map values."""
    if "properties" in sub:
        return _rows(sub, name, f"{path}.")
    for key, suffix in (("items", "[]"), ("additionalProperties", ".*")):
        inner = sub.get(key)
        if isinstance(inner, dict) and ("properties" in inner or "description" in inner):
            row = [f"| `{path}{suffix}` | {type_of(inner, name)} | | {_cell(inner.get('description', ''))} |"] if "description" in inner else []
            return row + _nested(inner, name, f"{path}{suffix}")
    return []


def properties_table(s: dict[str, Any], name: str) -> str:
    rows = _rows(s, name)
    if not rows:
        return ""
    return "| property | type | required | description |\n|---|---|---|---|\n" + "\n".join(rows) + "\n"


def entity_type_table(s: dict[str, Any]) -> str:
    info = s["x-akhbar-types"]
    rows = [f"| `{t}` | {_cell(info[t]['description'])} | `{info[t]['anercorp']}` | `{info[t]['coarse']}` |" for t in s["enum"]]
    return ("| type | definition | ANERcorp | coarse (CoNLL) |\n|---|---|---|---|\n" + "\n".join(rows) + "\n")


def role_table(s: dict[str, Any]) -> str:
    roles = s["x-akhbar-roles"]
    rows = [f"| `{t}` | " + ", ".join(f"`{r}`" for r in roles.get(t, ())) + " |" for t in s["enum"]]
    return "| event type | admissible argument roles |\n|---|---|\n" + "\n".join(rows) + "\n"


def shorten(obj: Any, items: int = 2, chars: int = 120) -> Any:
    """A readable excerpt of an example: long lists and strings cut, with what was cut said in place."""
    if isinstance(obj, list):
        out = [shorten(x, items, chars) for x in obj[:items]]
        return out + [f"… {len(obj) - items} more"] if len(obj) > items else out
    if isinstance(obj, dict):
        return {k: shorten(v, items, chars) for k, v in obj.items()}
    if isinstance(obj, str) and len(obj) > chars:
        return obj[:chars] + f"… ({len(obj)} characters)"
    return obj


def _first(corpus: Corpus, layer: str) -> dict[str, Any] | None:
    return next((x.to_dict() for _, x in corpus.layer(layer)), None)


def _span(ref: dict[str, Any] | None, entities: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if ref is None:
        return None
    e = entities.get(ref.get("entity", ""))
    return {k: (e or ref)[k] for k in ("start", "end", "text")}


def document_prediction(record: dict[str, Any]) -> dict[str, Any]:
    """An article's gold written as a (perfect) system's span-level predictions."""
    ents = {e["id"]: e for e in record["entities"]}
    return {
        "document_id": record["id"],
        "entities": [{k: e[k] for k in ("type", "start", "end", "text")} for e in record["entities"]],
        "events": [{"type": ev["type"], "realis": ev["realis"], "trigger": ev["trigger"],
                    "arguments": [{"role": a["role"], **_span(a, ents)} for a in ev["arguments"]]} for ev in record["events"]],
        "quotes": [{"type": q["type"], "content": q["content"], "cue": q["cue"], "source": _span(q["source"], ents)}
                   for q in record["quotes"]],
    }


def examples(corpus: Corpus, reports: list[tuple[str, dict[str, Any]]]) -> dict[tuple[str, str], tuple[Any, str]]:
    """(schema, definition) -> (example, where it comes from), for every record type the data has."""
    out: dict[tuple[str, str], tuple[Any, str]] = {}
    docs = list(corpus.docs)
    if docs:
        doc = next((d for d in docs if d.article.layers.entities), docs[0])
        rec = doc.article.to_dict()
        src = f"article `{doc.article.id}`"
        out[("article", "")] = (rec, src)
        for key, definition in (("segments", "segment"), ("sentences", "sentence"), ("tokens", "token")):
            if rec[key]:
                out[("article", definition)] = (rec[key][0], src)
        out[("annotation", "")] = ({"id": rec["id"], "schema_version": rec["schema_version"],
                                    **{k: rec[k] for k in ("clusters", "entities", "events", "quotes")}}, f"the gold of {src}")
        out[("predictions", "documentPrediction")] = (document_prediction(rec), f"the gold of {src}, written as predictions")
        first = doc.article.sentences[0] if doc.article.sentences else None
        if first is not None:
            from akhbar.dataset.build import iob2_tags

            tags = iob2_tags(doc.article)[first.token_start:first.token_end]
            out[("predictions", "nerPrediction")] = ({"id": f"{doc.article.id}-{first.id}", "ner_tags": tags},
                                                     "the gold tags of the first `ner` row, written as predictions")
    for layer, definition in (("clusters", "cluster"), ("entities", "entity"), ("events", "event"), ("quotes", "quote")):
        found = next(((d, x) for d, x in corpus.layer(layer)), None)
        if found:
            out[("article", definition)] = (found[1].to_dict(), f"article `{found[0].article.id}`")
    if corpus.manifest:
        out[("manifest", "")] = ({"schema_version": schema.SCHEMA_VERSION, "articles": [corpus.manifest[0]]},
                                 "`seeds/manifest.json`, first entry")
    if reports:
        out[("report", "")] = (reports[0][1], f"`{reports[0][0]}`")
    return out


def check(name: str, definition: str, example: Any) -> None:
    """Validate an example against its schema (or one of its ``$defs``); raise on the first error."""
    target = schema.validator(name)
    if definition:
        target = target.evolve(schema={"$ref": f"{_load(name)['$id']}#/$defs/{definition}"})
    errors = sorted(target.iter_errors(example), key=lambda e: e.json_path)
    if errors:
        raise ValueError(f"example of {name} {definition or ''} is invalid: {errors[0].json_path}: {errors[0].message}")


#: The record types that get an example once the data has one.
EXAMPLES = {("article", ""), ("article", "segment"), ("article", "sentence"), ("article", "token"), ("article", "cluster"),
            ("article", "entity"), ("article", "event"), ("article", "quote"), ("annotation", ""), ("manifest", ""),
            ("predictions", "nerPrediction"), ("predictions", "documentPrediction"), ("report", "")}


def _example_md(ex: tuple[Any, str] | None, name: str, definition: str) -> str:
    if ex is None:
        if (name, definition) in EXAMPLES:
            return "No example yet: the data has no such record so far; one appears here once it does.\n"
        return ""
    check(name, definition, ex[0])
    text = dumps(shorten(ex[0])).rstrip("\n")
    return f"Example, from {ex[1]} (validated against the schema at build time; long lists and strings cut):\n\n```json\n{text}\n```\n"


def reference(corpus: Corpus, reports: list[tuple[str, dict[str, Any]]]) -> str:
    """The Markdown of the whole format reference."""
    exs = examples(corpus, reports)
    out = []
    for name in schema_names():
        s = _load(name)
        out.append(f"## {s.get('title', name)} {{#{anchor(name)}}}\n\n`schema/{name}.schema.json` · `$id` `{s.get('$id', '')}`\n\n"
                   f"{s.get('description', '')}\n\n")
        if "oneOf" in s:
            out.append(f"A document is {type_of(s, name)}.\n\n")
        out.append(properties_table(s, name) + "\n")
        out.append(_example_md(exs.get((name, "")), name, "") + "\n")
        for definition, sub in s.get("$defs", {}).items():
            out.append(f"### `{definition}` {{#{anchor(name, definition)}}}\n\n{sub.get('description', '')}\n\n")
            if "x-akhbar-types" in sub:
                out.append(entity_type_table(sub) + "\n")
            elif "x-akhbar-roles" in sub:
                out.append(role_table(sub) + "\n")
            elif "properties" in sub:
                out.append(properties_table(sub, name) + "\n")
            else:
                out.append(f"Type: {type_of(sub, name)}.\n\n")
            out.append(_example_md(exs.get((name, definition)), name, definition) + "\n")
    return "".join(out)


def _feature(f: Any) -> str:
    import datasets

    if isinstance(f, dict):
        return "{" + ", ".join(f"{k}: {_feature(v)}" for k, v in f.items()) + "}"
    if isinstance(f, datasets.List):
        return f"list of {_feature(f.feature)}" + (f" (length {f.length})" if getattr(f, "length", -1) not in (-1, None) else "")
    if isinstance(f, datasets.ClassLabel):
        return f"ClassLabel ({f.num_classes} names)"
    return getattr(f, "dtype", type(f).__name__)


def configs(corpus: Corpus) -> str:
    """The dataset configs: columns and their types, rows per split, and a first row as example."""
    import pyarrow.parquet as pq

    from akhbar.dataset.card import CONFIG_DOC

    out = []
    for config in CONFIGS:
        rows = corpus.rows(config)
        counts = ", ".join(f"{s}: {rows[s]}" for s in SPLITS)
        cols = "\n".join(f"| `{k}` | {_cell(_feature(v))} |" for k, v in features(config).items())
        out.append(f"### `{config}`\n\n{CONFIG_DOC[config]}. Rows per split: {counts}.\n\n| column | type |\n|---|---|\n{cols}\n\n")
        split = next((s for s in SPLITS if rows[s]), None)
        if split:
            row = pq.ParquetFile(corpus.dataset / "data" / config / f"{split}.parquet").read_row_group(0).slice(0, 1).to_pylist()[0]
            out.append(f"First row of `{split}` (long lists and strings cut):\n\n```json\n{dumps(shorten(row)).rstrip()}\n```\n\n")
        else:
            out.append("No rows yet: the config's Parquet files are written once its layer has annotations.\n\n")
    return "".join(out)
