# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-dev test-servers browser-deps prepare lint typecheck bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

## Prepare models (classifier, embedding encoder, knowledge index) and the database, then serve.
run: install
	$(BIN)/hotline db upgrade
	$(BIN)/hotline prepare
	$(BIN)/hotline serve --host $(HOST) --port $(PORT)

## Browser tests: Debian's Chromium and CJK fonts (apt, when root) and the playwright package.
## Never `playwright install`: it downloads a browser, which fails here.
browser-deps: install-dev
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "could not install chromium: browser tests will not run"; \
	  else echo "chromium not found and not root: browser tests will not run (apt-get install chromium fonts-noto-cjk)"; fi; \
	fi
	$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/pip install playwright

prepare: install
	$(BIN)/hotline prepare

## The whole test suite (set HOTLINE_REQUIRE_SERVICES=1 to fail when PostgreSQL/Redis/Rasa are unavailable).
test: install-dev test-servers browser-deps test-rasa
	HOTLINE_RASA_BIN=$${HOTLINE_RASA_BIN:-$(RASA)} $(BIN)/python -m pytest $(PYTEST_ARGS)

## Servers the tests start themselves: Debian's dovecot (IMAP). Installed when missing and we are root;
## otherwise the mail-server tests skip (or fail with HOTLINE_REQUIRE_SERVICES=1).
test-servers:
	@if ! command -v dovecot >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null) \
	      || echo "could not install dovecot-imapd: IMAP tests will not run"; \
	  else echo "dovecot not found and not root: IMAP tests will not run (apt-get install dovecot-imapd)"; fi; \
	fi

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-dev
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

## Rasa 3.6 backend: its own Python 3.10 environment (about 2 min, 2.7 GB), two projects (intent, category).
## RASA_PYTHON: pyenv's 3.10 if there is one, else python3.10 on PATH. The stamp marks a finished install.
RASA_PYTHON ?= $(firstword $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.10*/bin/python) $(shell command -v python3.10 2>/dev/null))
RASA_VENV ?= .rasa-venv
RASA_DIR ?= var/rasa
RASA := $(abspath $(RASA_VENV))/bin/rasa
RASA_STAMP := $(RASA_VENV)/.installed
.PHONY: rasa-venv rasa-train rasa-run test-rasa

$(RASA_STAMP):
	@test -n "$(RASA_PYTHON)" || { echo "no Python 3.10 (pyenv install 3.10.13, or RASA_PYTHON=...)"; exit 1; }
	$(RASA_PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install --quiet "rasa[jieba]==3.6.21"
	touch $@

rasa-venv: $(RASA_STAMP)

## For `make test`: the Rasa environment (built once, then cached) when a Python 3.10 exists, so the tests
## against a real Rasa server run; without it they skip (fail with HOTLINE_REQUIRE_SERVICES=1).
test-rasa:
	@if [ -n "$(RASA_PYTHON)" ]; then \
	  $(MAKE) --no-print-directory rasa-venv || echo "could not build the Rasa environment: real-Rasa tests will not run"; \
	else echo "no Python 3.10: real-Rasa tests will not run (pyenv install 3.10.13, then make rasa-venv)"; fi

## Export the training data as two Rasa projects and train both.
rasa-train: install rasa-venv
	$(BIN)/hotline rasa export $(RASA_DIR)
	HOTLINE_RASA_BIN=$(RASA) $(BIN)/hotline rasa train $(RASA_DIR)

## Then: HOTLINE_NLU_BACKEND=rasa HOTLINE_RASA_URL=http://127.0.0.1:5005 HOTLINE_RASA_CATEGORY_URL=http://127.0.0.1:5006
rasa-run:
	cd $(RASA_DIR)/intent && RASA_TELEMETRY_ENABLED=false $(RASA) run --enable-api -i 127.0.0.1 -p 5005 -m models & \
	cd $(RASA_DIR)/category && RASA_TELEMETRY_ENABLED=false $(RASA) run --enable-api -i 127.0.0.1 -p 5006 -m models; \
	wait
