# The two commands: `make demo` runs Én kontakt on the embedded default,
# `make test` runs the tests. Both create the virtual environment on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint schemas bench browser clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev,rocksdb]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/enkontakt demo

# Headless Chromium for the browser test, from Debian's packages (no browser download).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: apt-get install chromium (the browser test will be skipped)"; fi; }

test: $(STAMP) browser
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check enkontakt tests bench
	$(BIN)/mypy enkontakt

schemas: $(STAMP)
	$(BIN)/enkontakt schemas

bench: $(STAMP)
	$(BIN)/python bench/bench_replay.py

clean:
	rm -rf $(VENV) replay-out .pytest_cache .hypothesis
