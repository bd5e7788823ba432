# One command per job; each installs what it needs into .venv and node_modules first.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/.bin:$(PATH)

# openapi-python-client is pinned in pyproject.toml (dev extra); the output depends on it.
define generate_into
	openapi-python-client generate --path openapi.yaml --config generator-config.yml \
		--custom-template-path templates --meta uv --overwrite \
		--output-path $(1) --fail-on-warning >/dev/null
endef

.PHONY: help install generate check-generated lint test

help:
	@echo "make install          create .venv (all extras) and node_modules"
	@echo "make generate         regenerate generated/ from openapi.yaml"
	@echo "make check-generated  fail if generated/ differs from a fresh generation"
	@echo "make lint             spec validators, ruff, mypy --strict"
	@echo "make test             lint, check-generated and the test suite"

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

generate: $(BIN)/.installed
	$(call generate_into,generated)

check-generated: $(BIN)/.installed
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(call generate_into,$$tmp/generated) && \
	if diff -r --exclude=__pycache__ generated $$tmp/generated; then \
		echo "generated/ matches openapi.yaml"; \
	else \
		echo "generated/ is stale or was edited by hand: run 'make generate'" >&2; exit 1; \
	fi

lint: install
	openapi-spec-validator openapi.yaml oauth.yaml
	redocly lint telephony oauth --format stylish 2>&1 | grep -v '[║╔╚]'; exit $${PIPESTATUS[0]}
	ruff check .
	ruff format --check src tests
	mypy

test: lint check-generated
	pytest
