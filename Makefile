# docnorm — `make demo` sets up and runs the pipeline on the bundled examples; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv from PATH, else a private copy installed into .tools/ with the machine's python3.
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
PY := .venv/bin/python

# Offline and no telemetry, everywhere (the package also sets these itself).
export DO_NOT_TRACK := 1
export SCARF_NO_ANALYTICS := 1
export UNSTRUCTURED_DISABLE_NOTICE := 1
export HF_HUB_OFFLINE := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/.prefect
export UV_COMPILE_BYTECODE := 1

.PHONY: help install demo test check lint format typecheck contracts examples gold eval calibrate bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	python3 -m venv .tools && .tools/bin/pip install --quiet "uv==0.13.9"

.venv/.installed: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed ## create .venv from uv.lock (no torch, no model downloads)

demo: install ## run docnorm on examples/inbox and write out/
	.venv/bin/docnorm run examples/inbox --out out

test: install ## run the whole test suite
	$(PY) -m pytest

lint: install ## ruff lint and format check
	.venv/bin/ruff check src tests scripts benchmarks examples
	.venv/bin/ruff format --check src tests scripts benchmarks examples

format: install ## apply ruff formatting and safe fixes
	.venv/bin/ruff check --fix src tests scripts benchmarks examples
	.venv/bin/ruff format src tests scripts benchmarks examples

typecheck: install ## mypy over the package (strict settings in pyproject.toml)
	.venv/bin/mypy src

contracts: install ## import-linter: the layers in docs/architecture.md hold, no import cycles
	.venv/bin/lint-imports --no-cache

check: lint typecheck contracts ## everything CI checks before the tests

examples: install ## regenerate examples/inbox reproducibly
	$(PY) scripts/make_examples.py

gold: install ## regenerate the synthetic gold sets in examples/gold
	$(PY) scripts/make_gold.py

eval: install ## score the rules extractor on every dev gold set (EVAL_ARGS="--update [--allow-lower REASON]")
	$(PY) benchmarks/eval_report.py $(EVAL_ARGS)

calibrate: install ## fit the confidence calibrators on the dev gold (src/docnorm/validators/calibrator.json)
	$(PY) scripts/calibrate.py

bench: install ## benchmark docnorm against its floor (benchmarks/bench.py; BENCH_ARGS="--docs N --json FILE")
	$(PY) benchmarks/bench.py $(BENCH_ARGS)

clean: ## remove outputs and caches (not .venv)
	rm -rf out .pytest_cache .ruff_cache .mypy_cache
