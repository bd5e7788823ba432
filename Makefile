# One command per job; each installs what it needs into .venv and node_modules first.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(CURDIR)/node_modules/.bin:$(PATH)

# openapi-python-client is pinned in pyproject.toml (dev extra); the output depends on it.
# vis.yaml's client is generated beside it, then only its package is kept: generated/'s
# pyproject.toml stays the Telephony client's, and --meta uv (unlike none) writes py.typed.
define generate_into
	openapi-python-client generate --path openapi.yaml --config generator-config.yml \
		--custom-template-path templates --meta uv --overwrite \
		--output-path $(1) --fail-on-warning >/dev/null && \
	rm -rf $(1).vis && openapi-python-client generate --path vis.yaml \
		--config generator-config-vis.yml --custom-template-path templates --meta uv \
		--output-path $(1).vis --fail-on-warning >/dev/null && \
		rm -rf $(1)/vbc_vis_api && mv $(1).vis/vbc_vis_api $(1)/ && rm -rf $(1).vis
endef

.PHONY: help install generate check-generated spec-lint lint portability spec-diff spec-diff-files \
	changelog spec-gate workflow-lint browser-deps server-deps docs dist test conformance bench bench-deps lock

help:
	@echo "make install          create .venv (all extras) and node_modules"
	@echo "make generate         regenerate generated/ from openapi.yaml and vis.yaml, and the SDK's sync"
	@echo "                      code from its async source (scripts/unasync.py)"
	@echo "make check-generated  fail if generated/ or the sync twins differ from a fresh generation"
	@echo "make spec-lint        openapi-spec-validator and Redocly on openapi.yaml, oauth.yaml, vis.yaml"
	@echo "make lint             spec-lint, workflow-lint, ruff, mypy --strict"
	@echo "make workflow-lint    zizmor (security, offline) and the GitHub workflow schema on"
	@echo "                      .github/workflows"
	@echo "make spec-diff        what changed in the specs since BASE=<git ref> (default: the"
	@echo "                      last v* tag, else the previous commit), breaking first"
	@echo "make spec-diff-files  the same between two folders: OLD=<dir> NEW=<dir>"
	@echo "make changelog        the spec section for CHANGELOG.md, since BASE"
	@echo "make spec-gate        fail on a breaking spec change the version and CHANGELOG.md"
	@echo "                      do not announce (part of make test)"
	@echo "make portability      other generators (openapi-generator python and typescript-fetch,"
	@echo "                      datamodel-code-generator) parse every example of openapi.yaml"
	@echo "                      and vis.yaml"
	@echo "make docs             build the documentation site into build/site, strictly and"
	@echo "                      offline (guides, the reference, the CLI and HTTP API pages)"
	@echo "make dist             build the sdist and wheel into dist/ and check them (twine check,"
	@echo "                      scripts/check_dist.py: every package file in the wheel)"
	@echo "make conformance      run the conformance suite against the embedded sandbox"
	@echo "make test             lint, check-generated and the test suite (the sandbox's"
	@echo "                      tests on SQLite, then again on a throwaway PostgreSQL)"
	@echo "make bench            print the benchmarks (sandbox vs Prism, SDK vs raw httpx,"
	@echo "                      calls.watch() vs calls.list(), test kit, webhooks.verify())"
	@echo "make bench-deps       install wrk and PostgreSQL, which make bench needs (as root)"
	@echo "make lock             rewrite constraints.txt: the versions CI installs"

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

generate: $(BIN)/.installed
	$(call generate_into,generated)
	python scripts/unasync.py

check-generated: $(BIN)/.installed
	python scripts/unasync.py --check
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	$(call generate_into,$$tmp/generated) && \
	if diff -r --exclude=__pycache__ --exclude=.ruff_cache --exclude=.mypy_cache generated $$tmp/generated; then \
		echo "generated/ matches openapi.yaml and vis.yaml"; \
	else \
		echo "generated/ is stale or was edited by hand: run 'make generate'" >&2; exit 1; \
	fi

spec-lint: install
	openapi-spec-validator openapi.yaml oauth.yaml vis.yaml
	redocly lint telephony oauth vis --format stylish 2>&1 | grep -v '[║╔╚]'; exit $${PIPESTATUS[0]}

# The workflows users copy (.github/workflows) cannot run here: zizmor audits them offline
# (zizmor.yml holds any ignore, with its reason), check-jsonschema checks their structure.
workflow-lint: $(BIN)/.installed
	zizmor --offline --quiet .github
	check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

lint: spec-lint workflow-lint
	ruff check .
	ruff format --check src tests
	mypy

# openapi-generator-cli runs a bundled jar: it needs Java 11+ (java on PATH).
portability: install
	python scripts/portability.py

# Optic (pinned in package-lock.json) classifies the changes; see scripts/spec_diff.py.
spec-diff: install
	python scripts/spec_diff.py $(if $(BASE),--base $(BASE))

spec-diff-files: install
	python scripts/spec_diff.py --base-dir $(OLD) --head-dir $(NEW) --fail-on-breaking

changelog: install
	python scripts/spec_diff.py --changelog $(if $(BASE),--base $(BASE))

spec-gate: install
	python scripts/spec_diff.py --gate $(if $(BASE),--base $(BASE))

# The browser tests need Debian's chromium and its driver; as root, this installs them.
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium chromium-driver >/dev/null; } || \
		{ echo "the browser tests need chromium and chromedriver: apt-get install chromium chromium-driver" >&2; exit 1; }

# The shared-sandbox tests start throwaway servers from Debian's packages: PostgreSQL (initdb,
# pg_ctl) and nginx, as compose.yaml's proxy; as root, this installs them.
server-deps:
	@{ ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1 && \
		{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			postgresql nginx >/dev/null; } || \
		{ echo "the shared-sandbox tests need: apt-get install postgresql nginx" >&2; exit 1; }

# tests/test_docs.py builds the same site the same way, so `make test` covers it.
docs: install
	NO_MKDOCS_2_WARNING=1 mkdocs build --strict

# build is pinned in pyproject.toml's dev extra; the wheel is built from the sdist, as pip would.
dist: $(BIN)/.installed
	rm -rf dist
	python -m build --outdir dist . >/dev/null
	twine check --strict dist/*
	python scripts/check_dist.py dist

# The sandbox's own tests run twice: on SQLite with everything else, then on PostgreSQL.
SANDBOX_TESTS := tests/test_sandbox_calls.py tests/test_sandbox_service.py tests/test_test_kit.py \
	tests/test_live_dialects_sandbox.py tests/test_hostile_input.py tests/test_fast_path.py \
	tests/test_console_feed.py tests/test_watch_sandbox.py tests/test_sandbox_vis.py \
	tests/test_vis_end_to_end.py

test: lint check-generated portability spec-gate browser-deps server-deps
	pytest
	pytest --sandbox-db postgresql $(SANDBOX_TESTS)

conformance: $(BIN)/.installed
	vbc-conformance $(CONFORMANCE_ARGS)

# wrk (from Debian) generates load for the server benchmarks: a Python client would be the
# bottleneck. `make bench-deps` installs it as root; make bench itself installs nothing.
bench-deps: server-deps
	apt-get update -qq && apt-get install -y -qq wrk >/dev/null

bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: make bench-deps (as root)" >&2; exit 1; }
	python bench/bench_sandbox.py
	python bench/bench_shared_sandbox.py
	python bench/bench_sdk.py
	python bench/bench_watch.py
	python bench/bench_test_kit.py
	python bench/bench_proxy.py
	python bench/bench_webhooks.py
	python bench/bench_deliveries.py
	python bench/bench_vis.py

# constraints.txt anew: the newest versions pyproject.toml's ranges allow, installed in a
# scratch venv and frozen. Review the diff; CI installs exactly what it says.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[dev]'
	{ sed -n '1,3p' constraints.txt; .lock-venv/bin/pip freeze --exclude-editable | grep -v '^pip=='; } \
		> constraints.new && mv constraints.new constraints.txt && rm -rf .lock-venv
