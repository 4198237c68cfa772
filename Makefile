# Trellis — `make help` lists the targets.
#   make demo   the demo district on the embedded SQLite default, at http://127.0.0.1:8000
#   make test   the whole suite: ruff, mypy, import-linter, pytest (browser tests included)

SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.DEFAULT_GOAL := help
.PHONY: help demo test lint typecheck architecture pytest browser-deps install clean

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv (if absent) and install Trellis with its dev tools

demo: $(STAMP) ## migrate, seed the demo district when the database is empty, serve on 127.0.0.1:8000
	$(BIN)/trellis demo

browser-deps: ## make sure the system Chromium the browser tests drive is installed
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser tests (apt-get install chromium)…"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at $(CHROMIUM)."; \
	  echo "Install it as root:  sudo apt-get install chromium   (Debian/Ubuntu)"; \
	  echo "or point CHROMIUM=/path/to/chromium at another build."; \
	  exit 1; \
	fi

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .

typecheck: $(STAMP) ## mypy
	$(BIN)/mypy trellis tests bench

architecture: $(STAMP) ## import-linter: the engine imports no Django and nothing else of trellis
	$(BIN)/lint-imports

pytest: $(STAMP) browser-deps ## pytest, browser tests included
	TRELLIS_CHROMIUM=$(CHROMIUM) $(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck architecture pytest ## everything CI runs

clean: ## remove caches (keeps .venv and the demo database)
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis test-artifacts
