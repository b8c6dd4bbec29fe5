"""The Akhbar benchmarks: ``python -m benchmarks.run`` (or ``make bench``).

Generates synthetic corpora (:mod:`benchmarks.synth`) of each size, times
``akhbar validate`` and ``akhbar build`` on them as separate processes (wall
time, CPU time, peak memory of the whole process tree), checks that ``--jobs 1``
and ``--jobs N`` give byte-identical files, times ``datasets.load_dataset`` cold
and warm for every config, profiles the build with pyinstrument, and writes all
of it, with the machine it ran on, between the markers of ``docs/performance.md``.

``--smoke`` runs the same code on 200 articles (CI runs it as a test).
The eval benchmarks have their own runner, :mod:`benchmarks.eval_bench`
(``make bench`` runs both).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import psutil

from akhbar.dataset.parallel import default_jobs

from .synth import generate

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
PACKAGES = ("akhbar", "datasets", "pyarrow", "jsonschema", "jsonschema-rs", "seqeval", "pyinstrument", "psutil")
TARGET_RATE = 500
TARGET_RSS = 1 << 30


@dataclass(frozen=True)
class Run:
    """One timed command: wall seconds, CPU seconds (all processes), peak RSS of the process tree and of its largest process."""

    wall: float
    cpu: float
    peak_tree: int
    peak_main: int
    returncode: int
    stderr: str


def timed(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd``, sampling the memory of it and its children every :data:`SAMPLE_S` seconds.

    The total for the process tree adds up PSS (proportional set size: a page
    shared by k processes counts 1/k in each), so the shared libraries every
    worker maps are not counted once per worker; the main process is its RSS.
    """
    before = os.times()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = {"tree": 0, "main": 0}

    def sample() -> None:
        try:
            p = psutil.Process(proc.pid)
            while proc.poll() is None:
                procs = [p, *p.children(recursive=True)]
                pss = []
                for q in procs:
                    try:
                        pss.append(_pss(q))
                    except psutil.Error:
                        pss.append(0)
                peak["tree"] = max(peak["tree"], sum(pss))
                peak["main"] = max(peak["main"], p.memory_info().rss)
                time.sleep(SAMPLE_S)
        except psutil.Error:
            pass

    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    watcher.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return Run(wall, cpu, peak["tree"], peak["main"], proc.returncode, err)


#: Seconds between memory samples. Reading a process's PSS (/proc/PID/smaps) costs about 10 ms of
#: CPU for a 500 MiB process: sampling much more often would slow down the build it measures.
SAMPLE_S = 0.25


def _pss(q: psutil.Process) -> int:
    info = q.memory_full_info()
    return getattr(info, "pss", info.rss)  # PSS where the system reports it (Linux)


def akhbar(*args: str) -> list[str]:
    return [sys.executable, "-m", "akhbar", *args]


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file() and ".staging" not in p.parts:
            h.update(p.relative_to(folder).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def machine() -> dict[str, str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "cpu": cpu,
            "cores": f"{default_jobs()} usable ({os.cpu_count()} online)",
            "memory": f"{psutil.virtual_memory().total / 2**30:.1f} GiB", "os": platform.platform(),
            "python": platform.python_version(), "packages": ", ".join(versions), "load": load}


def corpus(workdir: Path, n: int) -> tuple[Path, float]:
    root = workdir / f"synth-{n}"
    if root.exists():
        shutil.rmtree(root)
    start = time.perf_counter()
    generate(root, n, seed=0)
    return root, time.perf_counter() - start


def corpus_size(root: Path) -> dict[str, float]:
    sizes = [(len(data), len(data.decode("utf-8"))) for data in (p.read_bytes() for p in (root / "seeds").glob("*.txt"))]
    n = max(1, len(sizes))
    return {"mean_bytes": sum(b for b, _ in sizes) / n, "mean_chars": sum(c for _, c in sizes) / n}


def load_timings(path: Path) -> list[dict[str, object]]:
    """``load_dataset(path, config)`` for every config, in a fresh process with an empty cache (cold), then again (warm)."""
    import datasets

    configs = datasets.get_dataset_config_names(str(path))
    out = []
    with tempfile.TemporaryDirectory(prefix="akhbar-hf-") as cache:
        env = {**os.environ, "HF_DATASETS_CACHE": cache, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        code = ("import sys, time, json; t0 = time.perf_counter(); import datasets; datasets.disable_progress_bars(); "
                "t1 = time.perf_counter(); d = datasets.load_dataset(sys.argv[1], sys.argv[2]); t2 = time.perf_counter(); "
                "print(json.dumps({'import': t1 - t0, 'load': t2 - t1, 'rows': sum(x.num_rows for x in d.values())}))")
        for config in configs:
            row: dict[str, object] = {"config": config}
            for kind in ("cold", "warm"):
                r = subprocess.run([sys.executable, "-c", code, str(path), config], capture_output=True, text=True, env=env)
                if r.returncode:
                    raise RuntimeError(f"load_dataset({path}, {config}) failed: {r.stderr.strip().splitlines()[-1:]}")
                res = json.loads(r.stdout.strip().splitlines()[-1])
                row[kind], row["rows"] = res["load"], res["rows"]
            out.append(row)
    return out


def profile_build(root: Path, out: Path) -> str:
    """pyinstrument profile of one in-process build (``jobs=1``), as text."""
    from pyinstrument import Profiler

    from akhbar.dataset.build import build

    profiler = Profiler(interval=0.001)
    profiler.start()
    build(root, out, jobs=1)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def render(info: dict[str, str], rows: list[dict[str, object]], identical: dict[int, bool], loads: dict[str, list[dict[str, object]]],
           profile: str | None, command: str, minutes: float) -> str:
    lines = [f"Generated by `{command}` on {info['date']}; the run took {minutes:.0f} minutes.", "",
             "| machine | |", "|---|---|",
             *(f"| {k} | {v} |" for k, v in info.items() if k != "date"), "",
             "The load average is that of the whole machine when the run started: other work on it slows the wall-clock numbers; "
             "CPU seconds per article are less sensitive to it.", "",
             "### Build: convert + validate + build", "",
             "| articles | command | jobs | wall s | articles/s | CPU ms/article | peak memory, all processes (PSS) | peak RSS, main process | target |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        target = ""
        if r["command"] == "build" and r["jobs"] == max(x["jobs"] for x in rows):  # type: ignore[type-var]
            rate_ok = r["rate"] >= TARGET_RATE  # type: ignore[operator]
            mem_ok = r["peak_tree"] < TARGET_RSS  # type: ignore[operator]
            bound = r["jobs"] * 1000 / r["cpu_ms"]  # type: ignore[operator]
            target = ("rate met" if rate_ok else f"rate missed by {100 * (1 - r['rate'] / TARGET_RATE):.0f} %"  # type: ignore[operator]
                      f" (CPU-bound on {r['jobs']} idle cores: {bound:,.0f}/s)") + (
                ", memory met" if mem_ok else f", memory missed by {_mb(r['peak_tree'] - TARGET_RSS)}")  # type: ignore[operator]
        lines.append(f"| {r['n']:,} | akhbar {r['command']} | {r['jobs']} | {r['wall']:.1f} | {r['rate']:,.0f} | {r['cpu_ms']:.2f} | "
                     f"{_mb(r['peak_tree'])} | {_mb(r['peak_main'])} | {target} |")  # type: ignore[arg-type]
    lines += ["", f"Targets: at least {TARGET_RATE} articles/s with all cores, and a peak below {_mb(TARGET_RSS)} for all processes together. "
              "The CPU-bound rate is cores x 1000 / CPU ms per article: what the build would reach on otherwise idle cores "
              "if its work (main process and workers) spread over them perfectly."]
    lines += ["", "Generating the corpora (not part of the targets): " + "; ".join(
        f"{r['n']:,} articles in {r['gen']:.0f} s, {r['mean_chars']:,.0f} characters ({r['mean_bytes'] / 1024:.1f} KiB of UTF-8) per article on average"
        for r in rows if r["command"] == "validate"), ""]
    if identical:
        lines += ["Same files for `--jobs 1` and more jobs: " + ", ".join(f"{n:,} articles: {'yes' if ok else 'NO'}" for n, ok in identical.items()), ""]
    for name, table in loads.items():
        lines += [f"### `load_dataset` on {name}", "", "| config | rows | cold s | warm s |", "|---|---:|---:|---:|"]
        lines += [f"| {t['config']} | {t['rows']:,} | {t['cold']:.2f} | {t['warm']:.2f} |" for t in table]  # type: ignore[str-format]
        lines += ["", "Cold: a fresh process and an empty `HF_DATASETS_CACHE` (Parquet read and converted to Arrow); "
                  "warm: a fresh process reusing that cache. Process start and `import datasets` are excluded.", ""]
    if profile is not None:
        cut = "\n".join(profile.strip().splitlines()[:70])
        lines += ["### Profile of the build (pyinstrument, `jobs=1`, smallest size)", "", "```text", cut, "```", ""]
    return "\n".join(lines)


def write_page(page: Path, body: str, start: str = START, end: str = END) -> None:
    """Replace what stands between the markers ``start`` and ``end`` of ``page`` (created if missing)."""
    from akhbar.fsio import write_text

    if not page.exists():
        write_text(page, f"# Akhbar benchmarks\n\n{start}\n{end}\n")
    text = page.read_text(encoding="utf-8")
    if start not in text or end not in text:
        raise SystemExit(f"{page}: the markers {start} and {end} are missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    write_text(page, f"{head}{start}\n{body}\n{end}{tail}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    p.add_argument("--jobs", type=int, default=default_jobs(), help="jobs of the parallel build (default: all cores)")
    p.add_argument("--smoke", action="store_true", help="200 articles, no profile: what CI runs")
    p.add_argument("--workdir", help="scratch folder (default: a temporary one, removed afterwards)")
    p.add_argument("--page", default=str(PAGE), help="markdown page to write between its markers (default: docs/performance.md)")
    p.add_argument("--no-profile", action="store_true")
    args = p.parse_args(argv)
    sizes = [200] if args.smoke else args.sizes
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python -m benchmarks.run", *given])
    began = time.perf_counter()
    info = machine()
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, object]] = []
    identical: dict[int, bool] = {}
    loads: dict[str, list[dict[str, object]]] = {}
    profile = None
    try:
        for n in sizes:
            root, gen = corpus(workdir, n)
            extra = {"n": n, "gen": gen, **corpus_size(root)}
            run = timed(akhbar("validate", "--root", str(root)))
            if run.returncode:
                raise RuntimeError(f"validate failed on the synthetic corpus: {run.stderr[-500:]}")
            rows.append({**extra, "command": "validate", "jobs": 1, **_stats(run, n)})
            job_counts = [1, args.jobs] if n <= 10_000 and args.jobs > 1 else [args.jobs]
            digests = []
            for jobs in job_counts:
                run = timed(akhbar("build", "--root", str(root), "--jobs", str(jobs)))
                if run.returncode:
                    raise RuntimeError(f"build failed: {run.stderr[-500:]}")
                rows.append({**extra, "command": "build", "jobs": jobs, **_stats(run, n)})
                digests.append(digest(root / "dataset"))
            if len(digests) > 1:
                identical[n] = len(set(digests)) == 1
            if n == sizes[0] and not args.smoke and not args.no_profile:
                profile = profile_build(root, workdir / "profiled-dataset")
            print(f"{n} articles: done", file=sys.stderr)
        loads["`dataset/` (the real data)"] = load_timings(REPO / "dataset")
        biggest = max(n for n in sizes if n <= 100_000)
        loads[f"the {biggest:,}-article synthetic build"] = load_timings(workdir / f"synth-{biggest}" / "dataset")
        body = render(info, rows, identical, loads, profile, command, (time.perf_counter() - began) / 60)
        write_page(Path(args.page), body)
        print(body)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def _stats(run: Run, n: int) -> dict[str, object]:
    return {"wall": run.wall, "rate": n / run.wall, "cpu_ms": 1000 * run.cpu / n, "peak_tree": run.peak_tree, "peak_main": run.peak_main}


if __name__ == "__main__":
    raise SystemExit(main())
