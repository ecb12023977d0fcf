# The two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000

.PHONY: run test install install-test bench bench-web clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Start the platform with demo data on SQLite (var/gongjiang.sqlite3) at http://$(HOST)
run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/gongjiang migrate --noinput
	SITE_URL=http://$(HOST) $(BIN)/gongjiang seed_demo
	$(BIN)/gongjiang runserver $(HOST)

## Run the whole test suite on SQLite, then on PostgreSQL (DATABASE_URL)
test: $(VENV)/.installed-test
	bash scripts/run-tests

## Retake the user guide's screenshots (docs/screenshots/) with the browser tests
screenshots: $(VENV)/.installed-test
	GONGJIANG_SCREENSHOTS=docs DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest -q -p no:randomly tests/browser/test_phone_and_guide.py

## Benchmarks (not tests): each prints its figures and the machine
bench: $(VENV)/.installed-test
	$(BIN)/python bench/screening.py

## Web benchmark: 100,000 applications on PostgreSQL (DATABASE server at 127.0.0.1), gunicorn, 16 clients
bench-web: $(VENV)/.installed-test
	$(BIN)/pip install -q -e ".[deploy]"
	$(BIN)/python bench/web.py

clean:
	rm -rf $(VENV) var
