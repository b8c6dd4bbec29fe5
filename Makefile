# Akhbar: the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV ?= .venv
# CI adds the [models] extra (CPU torch + transformers) so the model-adapter test runs, and [bench] (pyinstrument) for the profiled benchmark smoke run: EXTRAS=dev,models,bench
EXTRAS ?= dev
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install build validate docs clean bench bench-smoke

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PIP_CONSTRAINTS) -e '.[$(EXTRAS)]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/akhbar validate
	$(BIN)/akhbar build
	$(BIN)/python -m akhbar.dataset.demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

validate: $(STAMP)
	$(BIN)/akhbar validate

build: $(STAMP)
	$(BIN)/akhbar build

# The documentation site (site/), from docs/ and the built dataset; fails on any warning.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Benchmarks (docs/performance.md): synthetic corpora of 1k, 10k and 100k articles. Takes a while.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet $(PIP_CONSTRAINTS) -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.eval_bench

# The same on 200 articles, written to a scratch page (CI runs this as tests/test_scale.py).
bench-smoke: $(STAMP)
	$(BIN)/python -m benchmarks.run --smoke --page /tmp/akhbar-performance-smoke.md

clean:
	rm -rf $(VENV) build dist site .pytest_cache
