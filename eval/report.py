"""Rendering a report: the human-readable table (stdout) and Markdown (``--markdown``)."""

from __future__ import annotations

from typing import Any

Table = tuple[str, list[str], list[list[str]]]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def _ci(ci: list[float] | None) -> str:
    return "-" if ci is None else f"[{_pct(ci[0])}, {_pct(ci[1])}]"


def _per_type(report: dict[str, Any]) -> Table | None:
    task = report["task"]
    body = report.get(task, {})
    if task == "ner":
        d = body["strict"]
        rows = [[t, _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1-score"]), str(v["support"])]
                for t, v in d.items() if not t.endswith(" avg")]
        return "per type (seqeval strict, IOB2)", ["type", "P", "R", "F1", "support"], rows
    key = {"entities": "text" if body.get("match") == "text" else "strict", "events": "arg_c", "quotes": "content_tokens"}[task]
    if task == "events":
        rows = [[t, _pct(v["tri_c"]["f1"]), _pct(v["arg_c"]["f1"]), str(v["tri_c"]["gold"])] for t, v in body["per_type"].items()]
        return "per event type (F1)", ["type", "Tri-C", "Arg-C", "gold triggers"], rows
    rows = [[t, _pct(v[key]["precision"]), _pct(v[key]["recall"]), _pct(v[key]["f1"]), str(v[key]["gold"])]
            for t, v in body.get("per_type", {}).items()]
    return f"per type ({key})", ["type", "P", "R", "F1", "gold"], rows


def tables(report: dict[str, Any]) -> list[Table]:
    b = report["bootstrap"]
    ci_name = f"95% CI ({b['unit']} bootstrap, n={b['samples']})"
    head = [[m, _pct(v["precision"]), _pct(v["recall"]), _pct(v["f1"]), _ci(v["ci"])] for m, v in report["headline"].items()]
    out = [("headline", ["metric", "P", "R", "F1", ci_name], head)]
    extra = _per_type(report)
    if extra and extra[2]:
        out.append(extra)
    return out


def _format(table: Table, markdown: bool) -> list[str]:
    title, header, rows = table
    if markdown:
        return [f"### {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows]
    widths = [max(len(x) for x in col) for col in zip(header, *rows)]
    return [title] + ["  ".join(x.ljust(w) if i == 0 else x.rjust(w) for i, (x, w) in enumerate(zip(r, widths))).rstrip()
                      for r in [header, *rows]]


def render(report: dict[str, Any], markdown: bool = False) -> str:
    g, p = report["gold"], report["predictions"]
    lines = [f"akhbar eval: task {report['task']}, gold {g['source']} [{g['split']}]: {g['documents']} document(s), "
             f"{g['sentences']} sentence(s); predictions {p['file']} ({p['format']}, tagset {p['tagset']}"
             + (f", {p['missing']} missing scored as empty" if p["missing"] else "") + ")"]
    for table in tables(report):
        lines += ["", *_format(table, markdown)]
    return "\n".join(lines) + "\n"


def render_compare(result: dict[str, Any], markdown: bool = False) -> str:
    header = ["metric", "F1 A", "F1 B", "A - B", "95% CI", "p"]
    rows = [[m, _pct(v["a"]), _pct(v["b"]), _pct(v["difference"]), _ci(v["ci"]), "-" if v["p_value"] is None else f"{v['p_value']:.4f}"]
            for m, v in result["metrics"].items()]
    b = result["bootstrap"]
    title = f"paired bootstrap over {b['units']} {b['unit']}s, {b['samples']} samples, seed {b['seed']}"
    lines = [f"akhbar compare: task {result['task']}, A = {result['a']}, B = {result['b']}", ""]
    return "\n".join(lines + _format((title, header, rows), markdown)) + "\n"
