"""mkdocs hook: the data-driven parts of the Akhbar site, generated at build time.

* Pages whose front matter says ``generated: true`` are Jinja templates: their
  numbers and tables come from the context built here (never typed by hand).
* Generated files: one corpus-browser page per article (``browser/<id>.md``),
  the statistics charts (``statistics/*.svg``) and the entity colours
  (``assets/akhbar-types.css``).
* Pages written by other teams (``guidelines.md``, ``metrics.md``) stay in the
  navigation; while one is absent it is left out of the nav (and said so in the log).

The data is read from the repository at ``AKHBAR_ROOT`` (default: the folder of
``mkdocs.yml``): ``dataset/`` (built Parquet), ``seeds/manifest.json``,
``eval/results/*.json`` and ``annotations/passes/agreement.json``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.structure.files import File, Files

from sitegen import browser, cliref, corpus, home, results, schemaref, stats

from akhbar import BENCHMARK_VERSION, schema
from akhbar.dataset.croissant import RAI

#: Pages owned by other teams: in the nav, left out only while the file does not exist.
OPTIONAL_PAGES = ("guidelines.md", "metrics.md")
log = logging.getLogger("mkdocs.hooks.akhbar")
_context: dict[str, Any] = {}


def repo_root(config: Any) -> Path:
    return Path(os.environ.get("AKHBAR_ROOT") or Path(config.config_file_path).parent).resolve()


def _keep(nav: list, docs: Path) -> list:
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, target), = item.items()
            if isinstance(target, list):
                item = {title: _keep(target, docs)}
            elif target in OPTIONAL_PAGES and not (docs / target).is_file():
                log.info("akhbar: %s is not written yet; '%s' is left out of the navigation", target, title)
                continue
        out.append(item)
    return out


def split_shares() -> list[tuple[str, int]]:
    """Percent of the hash buckets per split, from the manifest's split table."""
    from akhbar.dataset.manifest import SPLIT_BUCKETS

    lower = [0] + [upper for _, upper in SPLIT_BUCKETS[:-1]]
    return [(name, upper - lo) for (name, upper), lo in zip(SPLIT_BUCKETS, lower)]


def on_config(config: Any) -> Any:
    config.nav = _keep(config.nav, Path(config.docs_dir))
    return config


def on_files(files: Files, config: Any) -> Files:
    root = repo_root(config)
    data = corpus.load(root)
    reports, entries, skipped = results.load_results(root)
    charts = stats.charts(data)
    manifest = {e["id"]: e for e in data.manifest}
    for doc in data.docs:
        files.append(File.generated(config, f"browser/{doc.article.id}.md", content=browser.article_page(doc, manifest)))
    for chart in charts:
        if any(v for _, v in chart.items):
            files.append(File.generated(config, f"statistics/{chart.slug}.svg", content=chart.svg()))
    files.append(File.generated(config, "assets/akhbar-types.css", content=browser.type_css()))
    _context.clear()
    _context.update(
        version=BENCHMARK_VERSION, schema_version=schema.SCHEMA_VERSION, root=root,
        t=stats.totals(data), rai=RAI, charts=[c.markdown() for c in charts],
        agreement=results.agreement(results.load_agreement(root)),
        leaderboard=results.leaderboard(entries, skipped), report_template=home.report_template(),
        schema_reference=schemaref.reference(data, reports), configs_reference=schemaref.configs(data),
        cli_reference=cliref.reference(), subcommands=list(cliref.subcommands()),
        browser_index=browser.index_rows(data), load_example=home.load_example(data.dataset),
        eval_example=home.eval_example(reports), entity_types=schema.entity_types(),
        event_types=len(schema.event_roles()), manifest=data.manifest, split_shares=split_shares(),
    )
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if not page.meta.get("generated"):
        return markdown

    def link(path: str, title: str) -> str:
        """A link to a page of the site, or the title alone while that page does not exist."""
        return f"[{title}]({path})" if files.get_file_from_path(path) is not None else f"{title} (not written yet)"

    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False)
    return env.from_string(markdown).render(**_context, link=link)
