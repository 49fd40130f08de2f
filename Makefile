# Two entry points: `make run` (chat UI) and `make test` (the whole suite). Both set up .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: run test lint eval bench index browser clean-index

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

# The chat answers within seconds even with no index: keyword search first, the dense index built in the background.
run: $(VENV)/.installed
	$(PY) app.py $(ARGS)

index: $(VENV)/.installed
	$(PY) -m assistant.cli index $(ARGS)

# Browser tests drive Debian's Chromium; install it when missing (root on CI and dev machines).
browser:
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-chromium.sh

test: $(VENV)/.installed-dev browser
	$(VENV)/bin/ruff check assistant eval tests app.py bench
	$(PY) -m pytest -q $(PYTEST_ARGS)

eval: $(VENV)/.installed-dev
	$(PY) -m eval $(ARGS)

bench: $(VENV)/.installed
	$(PY) bench/bench_index.py $(ARGS)
	$(PY) bench/bench_cold_start.py $(ARGS)

clean-index:
	rm -rf "$${LICENSE_ASSISTANT_HOME:-$${XDG_CACHE_HOME:-$$HOME/.cache}/license-assistant}"
