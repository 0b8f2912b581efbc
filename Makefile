# Two commands on a fresh machine: `make run` (the app with demo data) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
DEV_ENV := DEBUG=true

.PHONY: run test test-fast lint bench system-deps messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

run: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py createcachetable
	$(DEV_ENV) $(PY) manage.py load_demo
	@echo "→ http://127.0.0.1:8000  (Ctrl+C pour arrêter)"
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

system-deps:
	bash .ci/system-deps

# One pytest worker per core (pytest-xdist); PYTEST_WORKERS=0 runs in a single process.
PYTEST_WORKERS ?= auto

test: $(VENV)/.installed system-deps
	$(DEV_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-fast: $(VENV)/.installed
	$(DEV_ENV) $(PY) -m pytest -n $(PYTEST_WORKERS) -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

messages: $(VENV)/.installed
	cd workshops && $(DEV_ENV) ../$(PY) ../manage.py makemessages -l en -l fr --no-obsolete
	cd panels && $(DEV_ENV) ../$(PY) ../manage.py makemessages -l en -l fr --no-obsolete
	cd posters && $(DEV_ENV) ../$(PY) ../manage.py makemessages -l en -l fr --no-obsolete
	$(DEV_ENV) $(PY) manage.py makemessages -l en -l fr --no-obsolete $(foreach app,workshops panels posters,$(foreach ext,py html txt,--ignore='$(app)/*.$(ext)')) --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=var
	$(PY) .ci/french_catalogues.py
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles

# Load benchmark (not part of `make test`): gunicorn + PostgreSQL, wrk and locust, about 8 minutes.
# Report: tests/perf/reports/bench.md (see README, « Benchmark »).
$(VENV)/.bench-installed: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e ".[test,bench]"
	touch $@

bench: $(VENV)/.bench-installed
	bash tests/perf/postgres_up.sh
	bash tests/perf/wrk_up.sh
	$(PY) tests/perf/bench.py
