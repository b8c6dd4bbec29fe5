"""The documentation site: builds with ``mkdocs build --strict`` and every generated number matches the data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from html import unescape
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from akhbar import schema
from akhbar.dataset.build import build

from conftest import FIXTURES, REPO, SEED_ID

sys.path.insert(0, str(REPO / "docs" / "hooks"))

from sitegen import browser as sb  # noqa: E402
from sitegen import schemaref  # noqa: E402


def build_site(root: Path, out: Path, config: Path = REPO / "mkdocs.yml") -> subprocess.CompletedProcess:
    """``mkdocs build --strict`` of the site with the data of the repository at ``root``."""
    env = {**os.environ, "AKHBAR_ROOT": str(root), "NO_MKDOCS_2_WARNING": "1"}
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config), "-d", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    return r


#: Test data (not gold): two nested mentions added to ``tests/fixtures/valid.json``, so that the site shows nesting.
NESTED = [{"id": "T9", "type": "ORG", "start": 87, "end": 109, "text": "تنظيم الدولة الإسلامية"},
          {"id": "T10", "type": "ORG", "start": 93, "end": 109, "text": "الدولة الإسلامية"}]


def fixture_repo(base: Path) -> Path:
    """A scratch repository: the real seeds, ``tests/fixtures/valid.json`` plus :data:`NESTED` as annotation, built."""
    shutil.copytree(REPO / "seeds", base / "seeds")
    (base / "annotations").mkdir()
    doc = json.loads((FIXTURES / "valid.json").read_text(encoding="utf-8"))
    doc["entities"] += NESTED
    (base / "annotations" / f"{SEED_ID}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    build(base)
    return base


@pytest.fixture(scope="session")
def fixture_site(tmp_path_factory) -> tuple[Path, Path]:
    """(repository, built site) for the fixture gold; shared by the browser test."""
    root = fixture_repo(tmp_path_factory.mktemp("repo"))
    site = tmp_path_factory.mktemp("site")
    build_site(root, site)
    return root, site


def page_text(site: Path, page: str) -> str:
    html = (site / page / "index.html").read_text(encoding="utf-8")
    body = html[html.index('<article'):html.index("</article>")]
    body = re.sub(r"</(td|th|p|li|h\d|tr|pre|div)>|<br>", " ", body)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", body)).split())


def documents(root: Path) -> list[dict]:
    return [r for f in sorted((root / "dataset" / "data" / "documents").glob("*.parquet")) for r in pq.read_table(f).to_pylist()]


def test_site_of_the_committed_dataset_builds_strict(tmp_path):
    r = build_site(REPO, tmp_path / "site")
    for page in ("", "datasheet", "cli", "formats", "leaderboard", "browser", "statistics"):
        assert (tmp_path / "site" / page / "index.html").is_file(), page
    for doc in documents(REPO):
        assert (tmp_path / "site" / "browser" / doc["id"] / "index.html").is_file()
    html = (tmp_path / "site" / "formats" / "index.html").read_text(encoding="utf-8")
    for name, definition in sorted(schemaref.EXAMPLES):
        anchor = schemaref.anchor(name, definition)
        section = html[html.index(f'id="{anchor}"'):]
        section = section[:section.index("<h", 5)] if "<h" in section[5:] else section
        assert ("Example, from" in section) != ("No example yet" in section), anchor
    for page in ("guidelines", "metrics"):
        present = (REPO / "docs" / f"{page}.md").is_file()
        assert (tmp_path / "site" / page / "index.html").is_file() == present
        assert (f"{page}.md is not written yet" in r.stderr) == (not present)


def test_datasheet_numbers_come_from_the_data(fixture_site):
    root, site = fixture_site
    docs = documents(root)
    text = page_text(site, "datasheet")
    tokens = sum(len(d["tokens"]) for d in docs)
    sentences = sum(len(d["sentences"]) for d in docs)
    entities = sum(len(d["entities"]) for d in docs)
    assert f"{len(docs)} article(s), {sentences} sentences, {tokens} tokens" in text
    assert f"Gold annotations: {entities} entity mentions, {sum(len(d['events']) for d in docs)} event mentions, " \
           f"{sum(len(d['quotes']) for d in docs)} quotes" in text
    assert "The inter-annotator agreement study has not been run yet." in text
    assert "CC BY 4.0" in text and "rights remain with the original publisher" in text
    assert "0 of 1 manifest entries name a publisher" in text
    assert "between 2017-11-05 and 2017-11-05" in text and "دمشق (1)" in text
    assert "70 % test, 15 % validation, 15 % train" in text
    for question in ("For what purpose was the dataset created?", "Are there recommended data splits?",
                     "Are there tasks for which the dataset should not be used?", "How can the maintainers be contacted?",
                     "A. Curation rationale.", "D. Annotator demographic."):
        assert question in text


def test_datasheet_renders_the_agreement_study_when_present(tmp_path):
    root = fixture_repo(tmp_path / "repo")
    (root / "annotations" / "passes").mkdir()
    shutil.copy(REPO / "annotations" / "passes" / "agreement.json", root / "annotations" / "passes" / "agreement.json")
    build_site(root, tmp_path / "site")
    text = " ".join(page_text(tmp_path / "site", "datasheet").split())
    report = json.loads((REPO / "annotations" / "passes" / "agreement.json").read_text(encoding="utf-8"))
    assert "not been run yet" not in text
    pair = report["pairs"][-1]
    f1, (lo, hi) = pair["entities"]["strict"]["f1"], pair["entities"]["strict"]["ci"]
    assert "entities strict F1 " in text and f"{f1:.3f} [{lo:.3f}, {hi:.3f}]" in text
    assert f"{report['adjudication']['entries']} logged item(s)" in text


def test_statistics_tables_and_charts_match_the_data(fixture_site):
    root, site = fixture_site
    ents = pq.read_table(root / "dataset" / "data" / "entities" / "test.parquet").column("type").to_pylist()
    html = (site / "statistics" / "index.html").read_text(encoding="utf-8")
    for t in schema.entity_types():
        assert re.search(rf"<td>{t}</td>\s*<td[^>]*>{Counter(ents)[t]}</td>", html), t
    svg = (site / "statistics" / "entity-types.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count("<rect x=") == len(schema.entity_types())
    assert 'src="entity-types.svg"' in html or 'src="../statistics/entity-types.svg"' in html or "entity-types.svg" in html


def test_formats_page_is_the_schema(fixture_site):
    _, site = fixture_site
    text = page_text(site, "formats")
    article = schema.load("article")

    def descriptions(s):
        if isinstance(s, dict):
            if isinstance(s.get("description"), str):
                yield s["description"]
            for v in s.values():
                yield from descriptions(v)
        elif isinstance(s, list):
            for v in s:
                yield from descriptions(v)

    flat = " ".join(text.split())
    for name in ("article", "annotation", "manifest", "predictions", "report"):
        for d in descriptions(schema.load(name)):
            assert " ".join(d.replace("`", "").split()) in flat.replace("`", ""), (name, d)
    for t, info in schema.entity_type_info().items():
        assert f"{t} {info['description']} {info['anercorp']} {info['coarse']}" in flat
    for event_type, roles in schema.event_roles().items():
        assert f"{event_type} {', '.join(roles)}" in flat
    assert article["$defs"]["realis"]["enum"][0] in flat
    html = (site / "formats" / "index.html").read_text(encoding="utf-8")
    for anchor in ("article-entity", "article-event", "article-quote", "manifest", "predictions-nerprediction"):
        assert f'id="{anchor}"' in html
    for example in ("article-entity", "article-event", "article-quote", "annotation", "manifest", "predictions-documentprediction"):
        section = html[html.index(f'id="{example}"'):]
        section = section[:section.index("<h", 5)] if "<h" in section[5:] else section
        assert "Example, from" in section, example


def test_cli_page_is_the_cli_help(fixture_site):
    from akhbar.cli import parser

    _, site = fixture_site
    text = page_text(site, "cli")
    sub = next(a for a in parser()._actions if a.__class__.__name__ == "_SubParsersAction")
    assert sub.choices
    for name, p in sub.choices.items():
        assert f"$ akhbar {name} --help" in text
        assert p.description.split(".")[0] in " ".join(text.split())


def test_leaderboard_ranks_committed_results_with_intervals(tmp_path):
    root = fixture_repo(tmp_path / "repo")
    results = root / "eval" / "results"
    results.mkdir(parents=True)
    real = json.loads((REPO / "eval" / "results" / "baseline-ner.json").read_text(encoding="utf-8"))
    (results / "lexicon.json").write_text(json.dumps(real))
    strong = json.loads(json.dumps(real))
    strong["headline"]["ner.strict"] = {"precision": 0.9, "recall": 0.8, "f1": 0.8471, "ci": [0.8, 0.9]}
    (results / "strong.json").write_text(json.dumps(strong))
    (results / "broken.json").write_text("{")
    (results / "noscore.json").write_text(json.dumps({**real, "headline": {}}))
    build_site(root, tmp_path / "site")
    text = " ".join(page_text(tmp_path / "site", "leaderboard").split())
    h = real["headline"]["ner.strict"]
    assert "1 strong 0.9000 0.8000 0.8471 [0.8000, 0.9000]" in text
    assert f"2 lexicon {h['precision']:.4f} {h['recall']:.4f} {h['f1']:.4f} [{h['ci'][0]:.4f}, {h['ci'][1]:.4f}]" in text
    assert "eval/results/broken.json: not valid JSON" in text and "eval/results/noscore.json: no headline F1" in text
    home = " ".join(page_text(tmp_path / "site", "").split())
    assert "eval/results/broken.json" not in home and '"task": "ner"' in home


def test_leaderboard_says_when_there_is_no_result(fixture_site):
    _, site = fixture_site
    text = page_text(site, "leaderboard")
    assert "No result has been committed yet" in text and "How to add your system" in text
    assert '"benchmark_version"' in text


def test_home_shows_real_load_output(fixture_site):
    root, site = fixture_site
    text = page_text(site, "")
    rows = pq.ParquetFile(root / "dataset" / "data" / "ner" / "test.parquet").metadata.num_rows
    assert f"num_rows: {rows}" in text
    assert "['O', 'B-PERS', 'I-PERS', 'B-NORP', 'I-NORP']" in text
    assert "داعش/B-ORG" in text


def test_pages_of_other_teams_join_the_nav_when_they_land(tmp_path, fixture_site):
    root, _ = fixture_site
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "docs", copy / "docs")
    shutil.copy(REPO / "mkdocs.yml", copy / "mkdocs.yml")
    (copy / "docs" / "guidelines.md").write_text("# Annotation guidelines\n\nHand-made gold.\n", encoding="utf-8")
    (copy / "docs" / "metrics.md").write_text("# Tasks & metrics\n", encoding="utf-8")
    build_site(root, tmp_path / "site", config=copy / "mkdocs.yml")
    home = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="guidelines/" class="md-nav__link">' in home and '<a href="metrics/" class="md-nav__link">' in home
    datasheet = (tmp_path / "site" / "datasheet" / "index.html").read_text(encoding="utf-8")
    assert 'href="../guidelines/"' in datasheet and "(not written yet)" not in datasheet


def test_site_loads_nothing_from_the_network(fixture_site):
    _, site = fixture_site
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html), page
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page


def test_browser_page_has_one_element_per_entity_and_rtl(fixture_site):
    root, site = fixture_site
    for doc in documents(root):
        html = (site / "browser" / doc["id"] / "index.html").read_text(encoding="utf-8")
        assert '<div class="ab-article" dir="rtl" lang="ar">' in html
        ids = re.findall(r'<span class="ab-ent ab-t-[A-Z]+" data-id="([^"]+)"', html)
        assert sorted(ids) == sorted(e["id"] for e in doc["entities"])


def _tree(text: str, marks: list[sb.Mark]) -> str:
    root = sb.Mark(0, len(text), ())
    for m in marks:
        sb.insert(root, m.piece(m.start, m.end, False))
    sb._height(root)
    return sb._html(root, text)


def test_nested_entities_nest_and_crossing_layers_are_cut():
    text = "abcdefghij"
    outer = sb.Mark(0, 6, ("ab-ent",), {"data-id": "T1"}, entity=True)
    inner = sb.Mark(2, 4, ("ab-ent",), {"data-id": "T2"}, entity=True)
    quote = sb.Mark(3, 9, ("ab-qc",), {"data-q": "Q1"})
    html = _tree(text, [outer, inner, quote])
    assert html == ('<span class="ab-ent" data-id="T1" style="--h:2">ab<span class="ab-ent" data-id="T2" style="--h:1">c'
                    '<span class="ab-qc" data-q="Q1">d</span></span><span class="ab-qc" data-q="Q1" data-cont="1">ef</span>'
                    '</span><span class="ab-qc" data-q="Q1" data-cont="1">ghi</span>j')


def test_card_summarises_the_datasheet_and_points_to_the_site():
    import yaml

    from akhbar.dataset.card import SITE_PAGES, SITE_URL
    from akhbar.dataset.croissant import RAI

    card = (REPO / "dataset" / "README.md").read_text(encoding="utf-8")
    summary = card[card.index("## Datasheet summary"):]
    for key in ("dataBiases", "dataLimitations", "dataUseCases"):
        assert all(text in summary for text in RAI[key]), key
    assert "CC BY 4.0" in summary and "rights remain with the original publisher" in summary
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config.get("site_url") == SITE_URL, "mkdocs.yml site_url and akhbar.dataset.card.SITE_URL must agree"
    nav_titles = {next(iter(item)) for item in config["nav"]}
    assert {title for title, _ in SITE_PAGES} <= nav_titles
    assert (SITE_URL or "built from the repository's `docs/` folder with `make docs`") in summary
