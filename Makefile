# Homes QA — `make run` serves the app; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SCHEDULER_LOG ?= instance/scheduler.log
export FLASK_APP := run.py

.PHONY: run test test-dates bench load assets install clean-db check

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

## Serve the app on SQLite in instance/, with demo data, and a scheduler beside it.
run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "Scheduler (drift sweep, e-mail, daily digest) running beside it; its log: $(SCHEDULER_LOG)"
	@echo "Serving Homes QA on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@set -m; $(BIN)/flask scheduler >>$(SCHEDULER_LOG) 2>&1 & pid=$$!; \
	  trap 'kill -TERM $$pid 2>/dev/null; wait $$pid 2>/dev/null; echo "Scheduler stopped."' EXIT; \
	  $(BIN)/flask run --host $(HOST) --port $(PORT)

## The Nu HTML Checker for the browser tests (32 MB, so fetched, not committed; needs npm and java).
VNU_VERSION := 26.9.27
VNU_JAR := tests/browser/vendor/vnu.jar
$(VNU_JAR):
	@if command -v npm >/dev/null && command -v java >/dev/null; then \
	  tmp=$$(mktemp -d) && (cd $$tmp && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null \
	    && tar -xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar) \
	  && mv $$tmp/package/build/dist/vnu.jar $@; rm -rf $$tmp; \
	else echo "npm or java missing: the browser tests will not validate HTML (CI requires it)"; fi

## The whole suite: unit, request, browser (Chromium) and PostgreSQL tests, split over
## TEST_WORKERS processes (pytest-xdist, a module per worker; TEST_WORKERS=0 runs it in one).
TEST_WORKERS ?= 2
test: install $(VNU_JAR)
	@command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium (see .ci/run)"; exit 1; }
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { echo "PostgreSQL is missing: apt-get install postgresql (see .ci/run)"; exit 1; }
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## The suite with the clock pinned (ticking) at the 2027 spring and autumn clock changes and
## at New Year's Eve, one run each: tests must hold on any date. CI: `make test-dates PIN_DATES=…`.
PIN_DATES ?= 2027-03-28T00:30:00+00:00 2027-10-31T00:30:00+00:00 2027-12-31T23:30:00+00:00
## e.g. PINNED_ARGS="--ignore=tests/postgres" (CI: see .ci/run)
PINNED_ARGS ?=
test-dates: install $(VNU_JAR)
	@set -e; for instant in $(PIN_DATES); do \
	  echo "== the suite with the clock pinned at $$instant"; \
	  HOMES_QA_PIN_CLOCK=$$instant $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PINNED_ARGS); \
	done

## Rebuild the vendored GOV.UK Frontend, htmx and axe-core files (needs npm).
assets:
	bash assets-build/build.sh

## Forget the local database (demo data is loaded again by `make run`).
clean-db:
	rm -f instance/homes_qa.sqlite instance/homes_qa.sqlite-wal instance/homes_qa.sqlite-shm

## Build a county-scale estate (100 homes × 5 years; SCALE=10 for ten times the homes); report
## page p50/p95, render floors, query counts, the sweep and peak RSS (fails if queries grow with history).
SCALE ?= 1
bench: install
	$(BIN)/python bench/run_bench.py --scale $(SCALE) $(if $(filter 1,$(SCALE)),--json bench-results.json,--json bench-results-$(SCALE)x.json --compare bench-results.json)

## gunicorn (4 workers) + `flask scheduler` on a throwaway PostgreSQL, Flask-Limiter on a real
## Redis, 50 signed-in people of mixed roles for 60 s with locust headless (bench/load.py).
## Needs Debian's redis-server and postgresql; installs requirements-load.txt (not needed by `make test`).
load: install
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-load.txt
	$(BIN)/python bench/load.py

## Static checks and the pure core's tests: ruff, mypy (strict for core/ and spine/), import-linter
## contracts (.importlinter), bandit (no medium or high findings), pytest (warnings are errors: pytest.ini). CI runs this, then `make test`.
check: install
	$(BIN)/ruff check homes_qa tests bench run.py
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/bandit -q -r homes_qa -ll
	$(BIN)/python -m pytest -q tests/core
