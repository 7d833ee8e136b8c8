# dnssec-doctor: `make demo` runs the main job on the built-in lab,
# `make test` runs every check and test. Both create .venv when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The Python dependencies are locked in uv.lock and installed exactly (`uv sync --frozen`).
# uv itself is in the lock; the first install takes that version from PyPI with the
# system's pip (`pip --python`), so .venv holds no pip of its own.
UV_VERSION := $(shell sed -n '/^name = "uv"$$/{n;s/^version = "\(.*\)"$$/\1/p;}' uv.lock)
UV_ENV := UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never UV_NO_PROGRESS=1
# `make test-latest`: the newest releases pyproject.toml allows, in a venv of their own
LATEST := .venv-latest
DEBIAN_PACKAGES := bind9 bind9-utils bind9-dnsutils unbound ldnsutils knot-dnsutils knot knot-dnssecutils validns graphviz time postgresql chromium
# only for `make bench`: the peer tools (DNSViz itself comes from PyPI, see bench/setup_peers.sh)
BENCH_DEBIAN_PACKAGES := dnsviz zonemaster-cli python3-venv

.PHONY: all venv lock demo test test-latest lint typecheck unit debian-packages bench clean

all: test

$(STAMP): pyproject.toml uv.lock
	@# no pip in .venv: it holds the locked packages and nothing else
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	test -x $(BIN)/uv || $(PYTHON) -m pip --python $(BIN)/python install -q 'uv==$(UV_VERSION)'
	@# --compile-bytecode: the packages' bytecode, as pip writes it on install; without it a
	@# PYTHONDONTWRITEBYTECODE environment compiles dnspython and SQLAlchemy on every run.
	$(UV_ENV) $(BIN)/uv sync -q --frozen --extra dev --compile-bytecode
	@# an editable install compiles nothing, and PYTHONDONTWRITEBYTECODE would keep every
	@# run compiling from source: compile once, as installing a wheel does.
	$(BIN)/python -m compileall -q src >/dev/null
	touch $(STAMP)

venv: $(STAMP)

# Refresh uv.lock to the newest releases pyproject.toml allows (commit the result).
lock: venv
	$(UV_ENV) $(BIN)/uv lock --upgrade
	@$(MAKE) --no-print-directory venv

# Debian packages the real-server tests use (BIND, Unbound, dig, delv, the C verifiers).
debian-packages:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null || \
	  { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	fi
	@# the lab starts its own named/unbound; the packaged services must not hold port 53.
	@# Stop only those services (never every named/unbound: a running lab is one of them).
	-@if [ -d /run/systemd/system ]; then systemctl disable --now named unbound >/dev/null 2>&1; \
	  else for s in named unbound; do [ -x /etc/init.d/$$s ] && /etc/init.d/$$s stop >/dev/null 2>&1; done; fi; true

demo: venv
	$(BIN)/dnssec-doctor demo

lint: venv
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/lint-imports --no-logo --no-cache

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest -q

test: debian-packages venv lint typecheck unit

# The suite against the newest releases pyproject.toml allows (not the lock): finds the
# next upstream change before users do. The lock and .venv are left as they are.
test-latest: debian-packages venv
	test -x $(LATEST)/bin/python || $(PYTHON) -m venv $(LATEST)
	UV_PYTHON_DOWNLOADS=never $(BIN)/uv pip install -q --python $(LATEST)/bin/python \
	  --upgrade --resolution highest -e '.[dev]'
	$(LATEST)/bin/pytest -q -p no:cacheprovider

bench: venv
	@$(MAKE) --no-print-directory debian-packages DEBIAN_PACKAGES="$(DEBIAN_PACKAGES) $(BENCH_DEBIAN_PACKAGES)"
	sh bench/setup_peers.sh
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(LATEST) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
