# fastapi_ops.server: development entry points. Every target uses .venv,
# built from the pinned requirements.txt by `make setup`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR ?= 1
export PY_COLORS ?= 1
# Scenarios for `make molecule`, in this order (each role, then `default`:
# the whole site and its deploys under load, then `cluster`: an edge in
# front of several app hosts); `make molecule SCENARIOS=caddy` runs one.
SCENARIOS ?= lab dns python app gunicorn caddy host processes default cluster

# ansible-core versions the matrix tests beside the toolchain's own 2.19
# (meta/runtime.yml's requires_ansible names the same range).
MATRIX ?= 2.20 2.21
# The scenario run once more with its playbooks on the newest of MATRIX
# (`make matrix-molecule`): dns, the cheapest full scenario (a role
# converged against a real BIND, idempotence, side effects, check mode).
MATRIX_SCENARIO ?= dns

.PHONY: help setup requirements lab demo demo-down bench lint sanity unit galaxy matrix matrix-molecule docs role-docs changelog-release molecule test clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.stamp: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.stamp ## Create .venv with the pinned toolchain

requirements: $(VENV)/.stamp ## Recompile requirements.txt from requirements.in
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --no-emit-index-url --no-emit-find-links --strip-extras \
	  --no-header --allow-unsafe -o requirements.txt requirements.in
	sed -i '1i # Compiled from requirements.in by `make requirements`; do not edit by hand.' requirements.txt

lab: ## Start a Docker engine and build the lab images (cached)
	tests/lab/build-images.sh

demo: setup lab ## Deploy the example app to a sandbox server (containers) and ask it over HTTPS
	demo/demo.sh

demo-down: ## Remove the demo sandbox (containers, network, generated inventory)
	-docker ps -aq --filter label=org.fastapi-ops.demo | xargs -r docker rm -f
	-docker network rm fastapi-ops-demo 2>/dev/null
	rm -rf demo/.state

bench: setup lab ## Measure the deployed stack and the deploys (docs/benchmarks.md)
	bench/run.sh

lint: setup ## yamllint, ansible-lint, plugin/role docs, role READMEs, changelog, workflows, EE
	yamllint --strict .
	ansible-lint --profile production
	ANSIBLE_COLLECTIONS_PATH=$(CURDIR)/collections antsibull-docs lint-collection-docs --plugin-docs .
	$(BIN)/python tools/role_docs.py --check
	antsibull-changelog lint
	antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
	check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml examples/site/.github/workflows/*.yml
	tests/execution-environment.sh

role-docs: setup ## Rewrite each role README's variable table from meta/argument_specs.yml
	$(BIN)/python tools/role_docs.py

matrix-molecule: setup lab ## Molecule scenario MATRIX_SCENARIO with the newest ansible-core of MATRIX
	tests/matrix.sh --scenario $(MATRIX_SCENARIO) $(lastword $(MATRIX))

docs: setup ## Build the docs site offline with antsibull-docs (build/docs/html)
	tools/docs.sh

changelog-release: setup ## Release VERSION: fragments into changelogs/changelog.yaml and CHANGELOG.md
	@test -n "$(VERSION)" || { echo "usage: make changelog-release VERSION=X.Y.Z" >&2; exit 2; }
	antsibull-changelog release --version $(VERSION)

sanity: setup ## ansible-test sanity for the collection
	tests/sanity.sh

unit: setup ## Unit tests of the plugins
	pytest tests/unit

galaxy: setup ## Build the collection, install the tarball, run a playbook from it, galaxy-importer
	tests/galaxy-install.sh

matrix: setup ## Sanity, unit and Galaxy tests on each ansible-core of MATRIX
	tests/matrix.sh $(MATRIX)

molecule: setup lab ## Molecule scenarios (SCENARIOS=NAME for one)
	tests/molecule.sh $(SCENARIOS)

test: setup lint sanity unit galaxy matrix docs molecule matrix-molecule ## Everything CI runs

clean: ## Remove the venv, build output and lab containers
	rm -rf $(VENV) build .cache *.tar.gz
	-docker ps -aq --filter label=org.fastapi-ops.lab.scenario | xargs -r docker rm -f
