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

## The whole test suite (set HOTLINE_REQUIRE_SERVICES=1 to fail when PostgreSQL/Redis are unreachable).
test: install-dev test-servers browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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
RASA_PYTHON ?= $(shell pyenv root 2>/dev/null)/versions/3.10.13/bin/python
RASA_VENV ?= .rasa-venv
RASA_DIR ?= var/rasa
RASA := $(abspath $(RASA_VENV))/bin/rasa
.PHONY: rasa-venv rasa-train rasa-run

$(RASA):
	$(RASA_PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install "rasa[jieba]==3.6.21"

rasa-venv: $(RASA)

## Export the training data as two Rasa projects and train both.
rasa-train: install rasa-venv
	$(BIN)/hotline rasa export $(RASA_DIR)
	HOTLINE_RASA_BIN=$(RASA) $(BIN)/hotline rasa train $(RASA_DIR)

## Then: HOTLINE_NLU_BACKEND=rasa HOTLINE_RASA_URL=http://127.0.0.1:5005 HOTLINE_RASA_CATEGORY_URL=http://127.0.0.1:5006
rasa-run:
	cd $(RASA_DIR)/intent && RASA_TELEMETRY_ENABLED=false $(RASA) run --enable-api -i 127.0.0.1 -p 5005 -m models & \
	cd $(RASA_DIR)/category && RASA_TELEMETRY_ENABLED=false $(RASA) run --enable-api -i 127.0.0.1 -p 5006 -m models; \
	wait
